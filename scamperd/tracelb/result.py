"""The result of an MDA traceroute (tracelb), shaped like scamper's
scamper_tracelb_t: nodes (the distinct interfaces found) and links
between them, each link holding one probe set per hop it spans.

Addresses are packed bytes; times float seconds since the epoch;
``wait_probe`` is in centiseconds, as scamper keeps it.
"""

# methods (SCAMPER_TRACELB_TYPE_*)
METHODS = {'udp-dport': 1, 'icmp-echo': 2, 'udp-sport': 3, 'tcp-sport': 4,
           'tcp-ack-sport': 5}
METHOD_NAMES = {v: k for k, v in METHODS.items()}

FLAG_PTR = 0x01
NODE_FLAG_QTTL = 0x01
REPLY_FLAG_REPLY_TTL = 0x01
REPLY_FLAG_TCP = 0x02


class TracelbReply:
    __slots__ = ('rx', 'ipid', 'ttl', 'flags', 'icmp_type', 'icmp_code',
                 'tcp_flags', 'icmp_ext', 'icmp_q_ttl', 'icmp_q_tos', 'addr')

    def __init__(self, addr=None, rx=0.0, ipid=0, ttl=0, flags=0,
                 icmp_type=0, icmp_code=0, tcp_flags=0, icmp_ext=(),
                 icmp_q_ttl=0, icmp_q_tos=0):
        self.addr = addr
        self.rx = rx
        self.ipid = ipid
        self.ttl = ttl
        self.flags = flags
        self.icmp_type = icmp_type
        self.icmp_code = icmp_code
        self.tcp_flags = tcp_flags
        self.icmp_ext = list(icmp_ext)     # [(class, type, data)]
        self.icmp_q_ttl = icmp_q_ttl
        self.icmp_q_tos = icmp_q_tos

    @property
    def is_tcp(self):
        return bool(self.flags & REPLY_FLAG_TCP)

    def is_ttl_exp_or_unreach(self):
        if self.is_tcp:
            return False
        return self.icmp_type in ((3, 11) if len(self.addr) == 4 else (1, 3))


class TracelbProbe:
    __slots__ = ('tx', 'flowid', 'ttl', 'attempt', 'replies')

    def __init__(self, tx=0.0, flowid=0, ttl=0, attempt=0, replies=()):
        self.tx = tx
        self.flowid = flowid
        self.ttl = ttl
        self.attempt = attempt
        self.replies = list(replies)


class TracelbNode:
    __slots__ = ('addr', 'name', 'flags', 'q_ttl', 'links')

    def __init__(self, addr=None, name=None, flags=0, q_ttl=0):
        self.addr = addr
        self.name = name
        self.flags = flags
        self.q_ttl = q_ttl
        self.links = []         # TracelbLink from this node, in trace order


class TracelbLink:
    """From one node to the next (``to`` None: no far end found); ``sets``
    holds one list of TracelbProbe per hop the link spans."""
    __slots__ = ('frm', 'to', 'sets')

    def __init__(self, frm, to=None, sets=()):
        self.frm = frm
        self.to = to
        self.sets = [list(s) for s in sets]


class Tracelb:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.method = 'udp-dport'
        self.src = None
        self.dst = None
        self.rtr = None
        self.sport = 0
        self.dport = 0
        self.start = 0.0
        self.probe_size = 0
        self.firsthop = 1
        self.wait_timeout = 5
        self.wait_probe = 25      # centiseconds
        self.attempts = 2
        self.confidence = 95
        self.tos = 0
        self.gaplimit = 3
        self.probec = 0
        self.probec_max = 3000
        self.flags = 0
        self.error = None         # newer scamper's error message
        self.nodes = []           # TracelbNode
        self.links = []           # TracelbLink, as scamper orders them
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """The line sc_warts2json 20211212 prints (no newline)."""
        from scamperd.tracelb import json
        return json.format(self)

    def to_text(self):
        """What sc_warts2text 20211212 prints."""
        from scamperd.tracelb import text
        return text.format(self)

    def to_dump(self):
        """What sc_wartsdump 20211212 prints."""
        from scamperd.tracelb import dump
        return dump.format(self)
