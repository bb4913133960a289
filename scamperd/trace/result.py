"""The result of a traceroute, shaped like scamper's scamper_trace_t.

Field names follow scamper's JSON output where one exists, so that the
output codecs (text.py, json.py, and warts later) read them directly.
Addresses are packed bytes; times are float seconds since the epoch; RTTs
are integer microseconds.
"""

from scamperd.record import ReplyRecord

# trace methods, numbered as scamper numbers them (SCAMPER_TRACE_TYPE_*)
METHODS = {
    'icmp-echo': 0x01, 'udp': 0x02, 'tcp': 0x03, 'icmp-paris': 0x04,
    'udp-paris': 0x05, 'tcp-ack': 0x06,
}
METHOD_NAMES = {v: k for k, v in METHODS.items()}

# stop reasons (SCAMPER_TRACE_STOP_*)
STOP_NONE = 0x00
STOP_COMPLETED = 0x01
STOP_UNREACH = 0x02
STOP_ICMP = 0x03
STOP_LOOP = 0x04
STOP_GAPLIMIT = 0x05
STOP_ERROR = 0x06
STOP_HOPLIMIT = 0x07
STOP_GSS = 0x08
STOP_HALTED = 0x09
STOP_NAMES = {
    STOP_NONE: 'NONE', STOP_COMPLETED: 'COMPLETED', STOP_UNREACH: 'UNREACH',
    STOP_ICMP: 'ICMP', STOP_LOOP: 'LOOP', STOP_GAPLIMIT: 'GAPLIMIT',
    STOP_ERROR: 'ERROR', STOP_HOPLIMIT: 'HOPLIMIT', STOP_GSS: 'GSS',
    STOP_HALTED: 'HALTED',
}

# trace flags (SCAMPER_TRACE_FLAG_*)
FLAG_ALLATTEMPTS = 0x01
FLAG_PMTUD = 0x02
FLAG_DL = 0x04
FLAG_IGNORETTLDST = 0x08
FLAG_DOUBLETREE = 0x10
FLAG_ICMPCSUMDP = 0x20
FLAG_CONSTPAYLOAD = 0x40
FLAG_RXERR = 0x80

# hop flags (SCAMPER_TRACE_HOP_FLAG_*)
HOP_FLAG_TS_SOCK_RX = 0x01
HOP_FLAG_TS_DL_TX = 0x02
HOP_FLAG_TS_DL_RX = 0x04
HOP_FLAG_TS_TSC = 0x08
HOP_FLAG_REPLY_TTL = 0x10
HOP_FLAG_TCP = 0x20
HOP_FLAG_UDP = 0x40

GAPACTION_STOP = 1
GAPACTION_LASTDITCH = 2


class TraceHop(ReplyRecord):
    __slots__ = ('addr', 'probe_ttl', 'probe_id', 'probe_size', 'tx', 'rtt',
                 'reply_ttl', 'reply_tos', 'reply_ipid', 'reply_size',
                 'icmp_type', 'icmp_code', 'icmp_q_ttl', 'icmp_q_ipl',
                 'icmp_q_tos', 'icmp_nhmtu', 'tcp_flags', 'flags',
                 'icmp_ext')

    DEFAULTS = {'flags': 0, 'icmp_ext': b''}


# PMTUD note types (SCAMPER_TRACE_PMTUD_N_TYPE_*)
PMTUD_N_PTB = 1
PMTUD_N_PTB_BAD = 2
PMTUD_N_SILENCE = 3


class TracePmtud:
    """Path MTU discovery results (scamper_trace_pmtud_t)."""
    __slots__ = ('ifmtu', 'outmtu', 'pmtu', 'ver', 'probes', 'notes')

    def __init__(self, ifmtu=0, outmtu=0, pmtu=0):
        self.ifmtu = ifmtu
        self.outmtu = outmtu
        self.pmtu = pmtu
        self.ver = 2
        self.probes = []     # TraceHop records of PMTUD probes
        self.notes = []      # (type, nhmtu, TraceHop or None)


class Trace:
    """One traceroute.  ``hops`` holds every reply, in the order received;
    ``hop_count`` is the number of TTLs probed (scamper's hop_count)."""

    def __init__(self, **kw):
        self.list = None         # (list id, name, descr, monitor) or None
        self.cycle = None        # (cycle id, start) or None
        self.userid = 0
        self.method = 'udp-paris'
        self.src = None
        self.dst = None
        self.rtr = None
        self.sport = 0
        self.dport = 0
        self.icmp_sum = 0
        self.stop_reason = STOP_NONE
        self.stop_data = 0
        self.start = 0.0
        self.hop_count = 0
        self.attempts = 2
        self.hoplimit = 0
        self.firsthop = 1
        self.gaplimit = 5
        self.gapaction = GAPACTION_STOP
        self.loops = 1
        self.loopaction = 0
        self.confidence = 0
        self.squeries = 1        # -N: probes sent at once (warts only)
        self.wait = 5
        self.wait_probe = 0
        self.tos = 0
        self.probe_size = 0
        self.probe_count = 0
        self.payload = b''
        self.offset = 0
        self.flags = 0
        self.hops = []
        self.pmtud = None
        self.lastditch = []
        self.dtree = None
        self.__dict__.update(kw)

    @property
    def family(self):
        return 4 if len(self.dst) == 4 else 6

    def to_json(self):
        """The line sc_warts2json prints for this trace (no newline)."""
        from scamperd.trace import json
        return json.format(self)

    def to_text(self):
        """What sc_warts2text prints for this trace."""
        from scamperd.trace import text
        return text.format(self)

    def to_dump(self):
        """What sc_wartsdump prints for this trace."""
        from scamperd.trace import dump
        return dump.format(self)


DTREE_FLAG_NOBACK = 0x01


class TraceDtree:
    """Doubletree state of a trace (scamper_trace_dtree_t): the local stop
    set name, the first hop asked for, the global stop set, and where
    probing stopped against each set."""

    def __init__(self, lss=None, firsthop=1, flags=0, gss=()):
        self.lss = lss
        self.firsthop = firsthop
        self.flags = flags
        self.gss = list(gss)      # sorted packed addresses
        self.gss_stop = None
        self.lss_stop = None
