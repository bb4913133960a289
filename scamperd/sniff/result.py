"""The result of a sniff (packets captured by ICMP id), shaped like
scamper's scamper_sniff_t.  Addresses are packed bytes, times float
seconds since the epoch."""

STOP_NONE = 0x00
STOP_ERROR = 0x01
STOP_LIMIT_TIME = 0x02
STOP_LIMIT_PKTC = 0x03
STOP_HALTED = 0x04
STOP_NAMES = {STOP_NONE: 'none', STOP_ERROR: 'error',
              STOP_LIMIT_TIME: 'limit-time', STOP_LIMIT_PKTC: 'limit-pktc',
              STOP_HALTED: 'halted'}


class SniffPkt:
    """A captured packet, from its IP header."""

    __slots__ = ('tv', 'data')

    def __init__(self, tv=0.0, data=b''):
        self.tv = tv
        self.data = data


class Sniff:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.src = None           # the address whose interface listens
        self.start = 0.0
        self.finish = 0.0
        self.stop_reason = STOP_NONE
        self.limit_pktc = 0       # -c
        self.limit_time = 0       # -G, seconds
        self.icmpid = 0
        self.pkts = []            # SniffPkt, in arrival order
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """sc_warts2json 20211212 prints nothing for a sniff."""
        return None

    def to_text(self):
        """sc_warts2text 20211212 prints nothing for a sniff."""
        return ''

    def to_dump(self):
        """What sc_wartsdump prints for this sniff."""
        from scamperd.sniff import dump
        return dump.format(self)
