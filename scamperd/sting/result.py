"""The result of a sting (one-way loss with TCP), shaped like scamper's
scamper_sting_t.  Addresses are packed bytes, times float seconds since
the epoch; ``mean`` and ``inter`` are kept in scamper's units (ms as
given to -m and -i)."""

RESULT_NONE = 0
RESULT_COMPLETED = 1

DIST_EXPONENTIAL = 1
DIST_PERIODIC = 2
DIST_UNIFORM = 3

PKT_FLAG_TX = 0x01
PKT_FLAG_RX = 0x02
PKT_FLAG_DATA = 0x04
PKT_FLAG_HOLE = 0x08


class StingPkt:
    """A packet sent or received: its IP header onwards."""

    __slots__ = ('tv', 'flags', 'data')

    def __init__(self, tv=0.0, flags=0, data=b''):
        self.tv = tv
        self.flags = flags
        self.data = data


class Sting:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.src = None
        self.dst = None
        self.sport = 0
        self.dport = 80
        self.count = 48
        self.mean = 100
        self.inter = 2000
        self.dist = DIST_UNIFORM
        self.synretx = 3
        self.dataretx = 5
        self.seqskip = 3
        # the request bytes; scamper 20211212 writes the bytes of its
        # pointer to them instead, which is what its files hold
        self.data = b''
        self.start = 0.0
        self.hsrtt = 0.0          # seconds, SYN -> SYN/ACK
        self.dataackc = 0
        self.holec = 0
        self.pkts = []            # StingPkt, in order
        self.result = RESULT_NONE
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """sc_warts2json 20211212 prints nothing for a sting."""
        return None

    def to_text(self):
        """What sc_warts2text prints for this sting."""
        from scamperd.sting import text
        return text.format(self)

    def to_dump(self):
        """What sc_wartsdump prints for this sting."""
        from scamperd.sting import dump
        return dump.format(self)
