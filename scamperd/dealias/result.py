"""The result of an alias resolution (dealias), shaped like scamper's
scamper_dealias_t: the method's parameters, its probe definitions, and
the probes sent with their replies.

Addresses are packed bytes; times float seconds since the epoch; waits
as scamper keeps them (milliseconds, timeouts in seconds; for newer
scamper's midarest and midardisc, microseconds).  Method parameters that
a method does not use stay at their defaults.
"""

METHODS = {'mercator': 1, 'ally': 2, 'radargun': 3, 'prefixscan': 4,
           'bump': 5, 'midarest': 6, 'midardisc': 7}
# methods newer than scamper 20211212, whose converters stop reading at them
NEWER_METHODS = ('midarest', 'midardisc')
METHOD_NAMES = {v: k for k, v in METHODS.items()}

RESULT_NONE, RESULT_ALIASES, RESULT_NOTALIASES = 0, 1, 2
RESULT_NAMES = ('none', 'aliases', 'not-aliases', 'halted', 'ipid-echo')

# probe definition methods (SCAMPER_DEALIAS_PROBEDEF_METHOD_*)
PROBE_METHODS = {'icmp-echo': 1, 'tcp-ack': 2, 'udp': 3, 'tcp-ack-sport': 4,
                 'udp-dport': 5, 'tcp-syn-sport': 6}
PROBE_METHOD_NAMES = {v: k for k, v in PROBE_METHODS.items()}

ALLY_FLAG_NOBS = 0x01
RADARGUN_FLAG_SHUFFLE = 0x01
PREFIXSCAN_FLAG_NOBS = 0x01
PREFIXSCAN_FLAG_CSA = 0x02
REPLY_FLAG_IPID32 = 0x01


class DealiasProbedef:
    __slots__ = ('id', 'method', 'ttl', 'tos', 'dst', 'src', 'size', 'mtu',
                 'sport', 'dport', 'tcp_flags', 'icmp_id', 'icmp_csum')

    def __init__(self, dst=None, src=None, id=0, method=3, ttl=255, tos=0,
                 size=0, mtu=0, sport=0, dport=0, tcp_flags=0, icmp_id=0,
                 icmp_csum=0):
        self.id = id
        self.method = method          # PROBE_METHODS value
        self.ttl = ttl
        self.tos = tos
        self.dst = dst
        self.src = src
        self.size = size
        self.mtu = mtu
        self.sport = sport            # UDP and TCP
        self.dport = dport
        self.tcp_flags = tcp_flags
        self.icmp_id = icmp_id
        self.icmp_csum = icmp_csum

    @property
    def is_icmp(self):
        return self.method == 1

    @property
    def is_udp(self):
        return self.method in (3, 5)

    @property
    def is_tcp(self):
        return self.method in (2, 4, 6)


class DealiasReply:
    __slots__ = ('src', 'rx', 'ipid', 'ipid32', 'ttl', 'proto', 'icmp_type',
                 'icmp_code', 'icmp_q_ttl', 'icmp_ext', 'tcp_flags', 'flags',
                 'size')

    def __init__(self, src=None, rx=0.0, ipid=0, ipid32=0, ttl=0, proto=1,
                 icmp_type=0, icmp_code=0, icmp_q_ttl=0, icmp_ext=(),
                 tcp_flags=0, flags=0, size=0):
        self.src = src
        self.rx = rx
        self.ipid = ipid
        self.ipid32 = ipid32
        self.ttl = ttl
        self.proto = proto
        self.icmp_type = icmp_type
        self.icmp_code = icmp_code
        self.icmp_q_ttl = icmp_q_ttl
        self.icmp_ext = list(icmp_ext)     # [(class, type, data)]
        self.tcp_flags = tcp_flags
        self.flags = flags
        self.size = size                   # newer scamper only

    @property
    def is_icmp(self):
        return self.proto in (1, 58)

    def is_ttl_exp_or_unreach(self):
        return ((self.proto == 1 and self.icmp_type in (3, 11)) or
                (self.proto == 58 and self.icmp_type in (1, 3)))


class DealiasProbe:
    __slots__ = ('probedef', 'seq', 'tx', 'ipid', 'replies')

    def __init__(self, probedef, seq=0, tx=0.0, ipid=0, replies=()):
        self.probedef = probedef
        self.seq = seq
        self.tx = tx
        self.ipid = ipid
        self.replies = list(replies)


class Dealias:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.start = 0.0
        self.method = 'ally'
        self.result = RESULT_NONE
        self.error = None          # newer scamper's error message
        self.attempts = 0
        self.wait_timeout = 0      # seconds
        self.wait_probe = 0        # milliseconds
        self.wait_round = 0        # milliseconds (radargun)
        self.fudge = 0
        self.flags = 0
        self.bump_limit = 0        # bump
        self.a = None              # prefixscan: a, b/prefix, alias ab,
        self.b = None              # the excluded addresses, replies wanted
        self.ab = None
        self.prefix = 0
        self.xs = []
        self.replyc = 5
        self.rounds = 0            # midarest
        self.schedule = []         # midardisc: (start offset, begin, end)
        self.startat = None        # midardisc: float epoch seconds
        self.probedefs = []        # DealiasProbedef
        self.probes = []           # DealiasProbe, in the order sent
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """The line sc_warts2json 20211212 prints (no newline); None for
        the newer methods, which it cannot read."""
        from scamperd.dealias import json
        return json.format(self)

    def to_text(self):
        """What sc_warts2text 20211212 prints: a line for ally only."""
        from scamperd.dealias import text
        return text.format(self)

    def to_dump(self):
        """What sc_wartsdump 20211212 prints (None for the newer
        methods)."""
        from scamperd.dealias import dump
        return dump.format(self)
