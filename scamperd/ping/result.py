"""The result of a ping, shaped like scamper's scamper_ping_t.

Field names follow scamper's JSON output where one exists.  Addresses are
packed bytes; times are float seconds since the epoch; RTTs integer
microseconds.
"""

from scamperd.record import ReplyRecord

# ping methods, numbered as scamper numbers them (SCAMPER_PING_METHOD_*)
METHODS = {
    'icmp-echo': 0x00, 'tcp-ack': 0x01, 'tcp-ack-sport': 0x02,
    'udp': 0x03, 'udp-dport': 0x04, 'icmp-time': 0x05, 'tcp-syn': 0x06,
    'tcp-synack': 0x07, 'tcp-rst': 0x08,
}
METHOD_NAMES = {v: k for k, v in METHODS.items()}

STOP_NONE = 0x00
STOP_COMPLETED = 0x01
STOP_ERROR = 0x02
STOP_HALTED = 0x03
STOP_NAMES = {STOP_NONE: 'NONE', STOP_COMPLETED: 'COMPLETED',
              STOP_ERROR: 'ERROR', STOP_HALTED: 'HALTED'}

# ping flags (SCAMPER_PING_FLAG_*)
FLAG_V4RR = 0x01
FLAG_SPOOF = 0x02
FLAG_PAYLOAD = 0x04
FLAG_TSONLY = 0x08
FLAG_TSANDADDR = 0x10
FLAG_ICMPSUM = 0x20
FLAG_DL = 0x40
FLAG_TBT = 0x80
FLAG_NOSRC = 0x100

# reply flags (SCAMPER_PING_REPLY_FLAG_*)
REPLY_FLAG_REPLY_TTL = 0x01
REPLY_FLAG_REPLY_IPID = 0x02
REPLY_FLAG_PROBE_IPID = 0x04
REPLY_FLAG_DLTX = 0x08
REPLY_FLAG_DLRX = 0x10


class PingReply(ReplyRecord):
    __slots__ = ('addr', 'probe_id', 'probe_ipid', 'tx', 'rtt', 'reply_proto',
                 'reply_ttl', 'reply_tos', 'reply_size', 'reply_ipid',
                 'reply_ipid32', 'icmp_type', 'icmp_code', 'tcp_flags',
                 'flags', 'v4rr', 'tsreply', 'ifname', 'v4ts')

    DEFAULTS = {'flags': 0}


class Ping:
    """One ping.  ``replies[i]`` is the list of replies to probe i (scamper
    keeps a list per probe: duplicates are possible)."""

    # every field and its default (lists are made anew for each ping)
    DEFAULTS = {
        'list': None,
        'cycle': None,
        'userid': 0,
        'method': 'icmp-echo',
        'src': None,
        'dst': None,
        'rtr': None,
        'start': 0.0,
        'stop_reason': STOP_NONE,
        'stop_data': 0,
        'probe_count': 4,  # requested (-c)
        'probe_size': 0,
        'probe_datalen': 0,
        'probe_wait': 1.0,  # seconds between probes (-i)
        'probe_timeout': 1,  # -W
        'probe_ttl': 64,
        'probe_tos': 0,
        'probe_sport': 0,
        'probe_dport': 0,
        'probe_icmpsum': 0,
        'probe_tcpseq': 0,  # TCP methods: sequence number used
        'probe_tcpack': 0,  # TCP methods: acknowledgment number used
        'probe_data': b'',  # -B payload or -p pattern
        'reply_count': 0,  # -o
        'reply_pmtu': 0,  # -M
        'flags': 0,
        'ping_sent': 0,
    }

    def __init__(self, **kw):
        d = self.__dict__
        d.update(self.DEFAULTS)
        d['probe_tsps'] = []  # prespecified timestamp addresses
        d['probes'] = []  # per probe: tx time (float) or None
        d['probe_ipids'] = []  # per probe: IPv4 IP-ID used
        d['replies'] = []  # per probe: list of PingReply
        d.update(kw)

    @classmethod
    def of_fields(cls, fields):
        """A Ping whose fields are the dict ``fields`` (every one: as
        ``vars()`` of a Ping gives them, with lists of its own)."""
        p = object.__new__(cls)
        p.__dict__ = fields
        return p

    @property
    def family(self):
        return 4 if len(self.dst) == 4 else 6

    def to_json(self):
        """The line sc_warts2json prints for this ping (no newline)."""
        from scamperd.ping import json
        return json.format(self)

    def to_text(self):
        """What sc_warts2text prints for this ping."""
        from scamperd.ping import text
        return text.format(self)

    def to_dump(self):
        """What sc_wartsdump prints for this ping."""
        from scamperd.ping import dump
        return dump.format(self)
