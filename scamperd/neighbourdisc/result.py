"""The result of a neighbour discovery (ARP or IPv6 neighbour
solicitation), shaped like scamper's scamper_neighbourdisc_t.

Addresses (IP and MAC) are packed bytes; times float seconds since the
epoch; ``wait`` is in milliseconds, as scamper keeps it.
"""

METHOD_ARP = 0x01
METHOD_ND_NSOL = 0x02

FLAG_ALLATTEMPTS = 0x01
FLAG_FIRSTRESPONSE = 0x02


class NeighbourdiscReply:
    __slots__ = ('rx', 'mac')

    def __init__(self, rx=0.0, mac=None):
        self.rx = rx
        self.mac = mac


class NeighbourdiscProbe:
    __slots__ = ('tx', 'replies')

    def __init__(self, tx=0.0, replies=None):
        self.tx = tx
        self.replies = [] if replies is None else replies


class Neighbourdisc:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.start = 0.0
        self.ifname = None
        self.method = METHOD_ARP
        self.flags = 0
        self.wait = 1000          # ms between probes (-w)
        self.attempts = 1         # -q
        self.replyc = 0           # -o
        self.src_ip = None
        self.src_mac = None
        self.dst_ip = None
        self.dst_mac = None       # the answer, if any
        self.probes = []          # NeighbourdiscProbe, in the order sent
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """sc_warts2json 20211212 prints nothing for neighbour discovery."""
        return None

    def to_text(self):
        """sc_warts2text 20211212 prints nothing for neighbour discovery."""
        return ''

    def to_dump(self):
        """What sc_wartsdump prints for this object."""
        from scamperd.neighbourdisc import dump
        return dump.format(self)
