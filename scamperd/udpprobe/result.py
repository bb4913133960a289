"""The result of a udpprobe (UDP probes carrying a payload, and the UDP
replies), shaped like scamper's scamper_udpprobe_t.  A type newer than
scamper 20211212 (object type 16).  Addresses are packed bytes; times
float seconds (epoch seconds for start/tx/rx)."""

STOP_NONE, STOP_DONE, STOP_HALTED, STOP_ERROR = 0, 1, 2, 3
STOP_NAMES = ('none', 'done', 'halted', 'error')

FLAG_EXITFIRST = 0x01


class UdpprobeReply:
    __slots__ = ('rx', 'data', 'ifname')

    def __init__(self, rx=0.0, data=b'', ifname=None):
        self.rx = rx
        self.data = data
        self.ifname = ifname      # interface that received it


class UdpprobeProbe:
    __slots__ = ('tx', 'sport', 'replies')

    def __init__(self, tx=0.0, sport=0, replies=None):
        self.tx = tx
        self.sport = sport
        self.replies = [] if replies is None else replies


class Udpprobe:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.src = None
        self.dst = None
        self.sport = 0
        self.dport = 0
        self.start = 0.0
        self.wait_timeout = 0.0   # seconds (-w)
        self.wait_probe = 0.0     # seconds between probes (-W)
        self.flags = 0
        self.data = b''           # the payload
        self.stop = STOP_NONE
        self.errmsg = None
        self.probe_count = 1      # -c
        self.stop_count = 0       # -o
        self.probes = []          # UdpprobeProbe, in the order sent
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """The line newer scamper's sc_warts2json prints (20211212 does not
        know the type)."""
        from scamperd.udpprobe import json
        return json.format(self)

    def to_text(self):
        """sc_warts2text prints nothing for a udpprobe."""
        return ''

    def to_dump(self):
        """What newer scamper's sc_wartsdump prints for it."""
        from scamperd.udpprobe import dump
        return dump.format(self)
