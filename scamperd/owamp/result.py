"""The result of an owamp measurement (one-way active measurement,
RFC 4656), shaped like newer scamper's scamper_owamp_t (object type 17;
scamper 20211212 has no owamp).  Addresses are packed bytes; times float
seconds (epoch seconds for start, startat and the stamps)."""

RESULT_NAMES = ('none', 'done', 'halted', 'error', 'noconn', 'notaccepted',
                'nomode', 'timeout')
DIR_TX, DIR_RX = 0, 1
DIR_NAMES = ('tx', 'rx')
SCHED_FIXED, SCHED_EXP = 0, 1
SCHED_NAMES = ('fixed', 'exponential')

FLAG_ZERO = 0x0001                          # padding bytes are zero
TX_FLAG_NOTSENT, TX_FLAG_ERREST = 0x01, 0x02
RX_FLAG_DSCP, RX_FLAG_TTL, RX_FLAG_ERREST = 0x01, 0x02, 0x04

# what a field left out of the file means
DEFAULTS = {'dport': 861, 'wait_timeout': 2.0, 'attempts': 10,
            'pktsize': 20 + 8 + 14, 'ttl': 255}


class OwampSched:
    """One element of the sending schedule: a gap, fixed or the mean of an
    exponential distribution."""
    __slots__ = ('tv', 'type')

    def __init__(self, tv=0.0, type=SCHED_FIXED):
        self.tv = tv
        self.type = type


class OwampRx:
    """A test packet's arrival, as the receiver reported it."""
    __slots__ = ('stamp', 'errest', 'flags', 'dscp', 'ttl')

    def __init__(self, stamp=0.0, errest=0, flags=0, dscp=0, ttl=0):
        self.stamp = stamp
        self.errest = errest      # the timestamp's error estimate
        self.flags = flags        # RX_FLAG_*: which of the others are known
        self.dscp = dscp
        self.ttl = ttl


class OwampTx:
    """A test packet: when it was scheduled and sent, and its arrivals."""
    __slots__ = ('sched', 'stamp', 'seq', 'errest', 'flags', 'rxs')

    def __init__(self, sched=0.0, stamp=0.0, seq=0, errest=0, flags=0,
                 rxs=None):
        self.sched = sched
        self.stamp = stamp
        self.seq = seq
        self.errest = errest
        self.flags = flags        # TX_FLAG_*
        self.rxs = [] if rxs is None else rxs


class Owamp:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.src = None
        self.dst = None
        self.dport = 861          # the control connection's port
        self.flags = 0
        self.start = 0.0
        self.startat = 0.0        # when the test packets start (-@)
        self.wait_timeout = 2.0   # seconds (-w)
        self.scheds = [OwampSched()]   # the schedule (-i)
        self.attempts = 10        # test packets (-c)
        self.pktsize = 42         # -s
        self.dir = DIR_TX         # -d
        self.dscp = 0             # -D
        self.ttl = 255            # -m
        self.hsrtt = 0.0          # seconds, of the control connection
        self.result = 0
        self.errmsg = None
        self.udp_sport = 0        # of the test packets
        self.udp_dport = 0
        self.txs = []             # OwampTx, in the order of the schedule
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """The line newer scamper's sc_warts2json prints (20211212 does not
        know the type)."""
        from scamperd.owamp import json
        return json.format(self)

    def to_text(self):
        """sc_warts2text prints nothing for an owamp."""
        return ''

    def to_dump(self):
        """What newer scamper's sc_wartsdump prints for it."""
        from scamperd.owamp import dump
        return dump.format(self)
