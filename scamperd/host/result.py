"""The result of a DNS lookup (scamper's host command), shaped like
scamper_host_t.  Addresses are packed bytes, times float seconds since
the epoch, ``wait`` in milliseconds."""

FLAG_NORECURSE = 0x0001
CLASS_IN = 1

TYPE_A, TYPE_NS, TYPE_CNAME, TYPE_SOA, TYPE_PTR = 1, 2, 5, 6, 12
TYPE_MX, TYPE_TXT, TYPE_AAAA = 15, 16, 28
TYPE_NAMES = {1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX',
              16: 'TXT', 28: 'AAAA', 43: 'DS', 44: 'SSHFP', 46: 'RRSIG',
              47: 'NSEC', 48: 'DNSKEY'}

STOP_NAMES = {0: 'none', 1: 'done', 2: 'timeout', 3: 'halted', 4: 'error'}

# how each record's data is kept (SCAMPER_HOST_RR_DATA_TYPE_*)
DATA_ADDR, DATA_STR, DATA_SOA, DATA_MX = 1, 2, 3, 4


def data_type(klass, rtype):
    """scamper_host_rr_data_type: the data kind of an IN record scamper
    keeps, else None."""
    if klass != CLASS_IN:
        return None
    return {TYPE_NS: DATA_STR, TYPE_CNAME: DATA_STR, TYPE_PTR: DATA_STR,
            TYPE_A: DATA_ADDR, TYPE_AAAA: DATA_ADDR, TYPE_SOA: DATA_SOA,
            TYPE_MX: DATA_MX}.get(rtype)


class HostSOA:
    def __init__(self, mname='', rname='', serial=0, refresh=0, retry=0,
                 expire=0, minimum=0):
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum


class HostMX:
    def __init__(self, preference=0, exchange=''):
        self.preference = preference
        self.exchange = exchange


class HostRR:
    """A resource record; ``data`` is packed address bytes, a name (str),
    HostSOA or HostMX as data_type(klass, type) says."""

    def __init__(self, name='', klass=CLASS_IN, type=TYPE_A, ttl=0,
                 data=None):
        self.name = name
        self.klass = klass
        self.type = type
        self.ttl = ttl
        self.data = data


class HostQuery:
    def __init__(self, tx=0.0, rx=0.0, id=0, an=None, ns=None, ar=None):
        self.tx = tx
        self.rx = rx
        self.id = id
        self.an = [] if an is None else an      # answer records
        self.ns = [] if ns is None else ns      # authority records
        self.ar = [] if ar is None else ar      # additional records


class Host:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.src = None
        self.dst = None           # the DNS server queried
        self.userid = 0
        self.start = 0.0
        self.flags = 0
        self.wait = 0
        self.stop = 0
        self.retries = 0
        self.qtype = TYPE_A
        self.qclass = CLASS_IN
        self.qname = None
        self.queries = []         # HostQuery, in the order sent
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """sc_warts2json 20211212 prints nothing for a host lookup."""
        return None

    def to_text(self):
        """sc_warts2text 20211212 prints nothing for a host lookup."""
        return ''

    def to_dump(self):
        """What sc_wartsdump prints for this lookup."""
        from scamperd.host import dump
        return dump.format(self)
