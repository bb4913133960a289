"""What a method asks the engine to send, and what the engine hands back.

A method never builds bytes: it fills a :class:`Probe` and the engine encodes
it with :func:`scamperd.net.packet.encode_probe`.  Every packet the engine
receives is decoded by :func:`scamperd.net.packet.decode_ipv4` or ``decode_ipv6`` into a
:class:`Reply`, routed to the task whose demultiplexing key it carries, and
given to the method's ``receive``.

Addresses are packed ``bytes`` (4 or 16 long) everywhere inside the engine;
they become text only in the output codecs.  Times are float seconds since
the epoch (CLOCK_REALTIME), so that kernel receive timestamps and the
transmit time taken at the send compare directly.
"""

IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ICMPV6 = 58

# ICMP types used by the methods
ICMP_ECHOREPLY = 0
ICMP_UNREACH = 3
ICMP_ECHO = 8
ICMP_TIMXCEED = 11
ICMP_PARAMPROB = 12
ICMP_TSTAMP = 13
ICMP_TSTAMPREPLY = 14
ICMP_UNREACH_PORT = 3
ICMP_UNREACH_NEEDFRAG = 4

ICMP6_UNREACH = 1
ICMP6_PACKET_TOO_BIG = 2
ICMP6_TIMXCEED = 3
ICMP6_PARAMPROB = 4
ICMP6_ECHO = 128
ICMP6_ECHOREPLY = 129
ICMP6_UNREACH_PORT = 4

TH_FIN = 0x01
TH_SYN = 0x02
TH_RST = 0x04
TH_PUSH = 0x08
TH_ACK = 0x10


class Probe:
    """One packet to send.  Fields not relevant to ``proto`` are ignored.

    ``size`` is the whole IP packet length (header included); the encoder
    pads the payload with zero bytes (or ``pattern``) to reach it.  For
    ICMP, ``icmp_sum`` (if not None) asks the encoder to adjust the first two
    payload bytes so that the ICMP checksum equals it (ICMP-paris, ping -C);
    for UDP, ``udp_sum`` does the same for the UDP checksum (UDP-paris).
    ``ip_options`` is raw IPv4 option bytes (record route, timestamps),
    already padded to a multiple of 4.

    ``key`` is the demultiplexing key (see :func:`probe_key`), ``cookie``
    is for the method (typically the index of the probe in its table), and
    ``tx`` is set by the engine to the time the packet left.

    ``ifindex`` non-zero asks for the datalink of that interface (scamper's
    -O dl): the task's replies then come from the frames read there instead
    of the raw sockets, and the engine sets ``dl_tx`` to the kernel's
    timestamp of the probe's own frame leaving (None until seen).

    ``frame`` not None is a whole link-layer frame to send as it is on the
    task's own datalink (see ``tap`` in scamperd/method.py) instead of an
    IP packet: neighbour discovery's ARP and neighbour solicitations.

    ``frag`` not None, ``(offset, ident)``, makes an IPv6 probe a lone
    fragment (trace -o): a fragment header with that offset (in 8-byte
    units) and identification, then the payload padded to ``size``, with
    no transport header (``proto`` is the fragment header's next header).

    ``packet`` not None is a whole IP packet the method built itself, sent
    as it is (tbit, whose TCP options the encoder does not have); the other
    fields then only name its flow (family, src, dst, proto, ports).
    """

    # Every probe has the fields in __slots__; the others (RARE) are read
    # from the class until a probe sets them (in its __dict__, made then):
    # a method keeps each probe it sent, and most never set them.
    __slots__ = ('family', 'src', 'dst', 'proto', 'ttl', 'tos', 'ipid', 'df',
                 'size', 'payload', 'sport', 'dport', 'udp_sum', 'icmp_type',
                 'icmp_id', 'icmp_seq', 'icmp_sum', 'cookie', 'tx',
                 '__dict__')
    RARE = ('flowlabel', 'ip_options', 'icmp_code', 'tcp_flags', 'tcp_seq',
            'tcp_ack', 'tcp_win', 'ifindex', 'dl_tx', 'frame', 'frag',
            'packet')
    flowlabel = 0
    ip_options = b''
    icmp_code = 0
    tcp_flags = tcp_seq = tcp_ack = 0
    tcp_win = 65535
    ifindex = 0
    dl_tx = frame = frag = packet = None

    def __init__(self, family, src, dst, proto, ttl=64, tos=0, ipid=0,
                 flowlabel=0, df=False, size=0, ip_options=b'', payload=b'',
                 sport=0, dport=0, udp_sum=None,
                 icmp_type=0, icmp_code=0, icmp_id=0, icmp_seq=0,
                 icmp_sum=None, tcp_flags=0, tcp_seq=0, tcp_ack=0,
                 tcp_win=65535, cookie=None, ifindex=0, frame=None,
                 packet=None):
        self.family = family
        self.src = src
        self.dst = dst
        self.proto = proto
        self.ttl = ttl
        self.tos = tos
        self.ipid = ipid
        self.df = df
        self.size = size
        self.payload = payload
        self.sport = sport
        self.dport = dport
        self.udp_sum = udp_sum
        self.icmp_type = icmp_type
        self.icmp_id = icmp_id
        self.icmp_seq = icmp_seq
        self.icmp_sum = icmp_sum
        self.cookie = cookie
        self.tx = 0.0
        if flowlabel:
            self.flowlabel = flowlabel
        if ip_options:
            self.ip_options = ip_options
        if icmp_code:
            self.icmp_code = icmp_code
        if tcp_flags or tcp_seq or tcp_ack or tcp_win != 65535:
            self.tcp_flags = tcp_flags
            self.tcp_seq = tcp_seq
            self.tcp_ack = tcp_ack
            self.tcp_win = tcp_win
        if ifindex:
            self.ifindex = ifindex
        if frame is not None:
            self.frame = frame
        if packet is not None:
            self.packet = packet

    def __repr__(self):
        return 'Probe(%s)' % ', '.join(
            '%s=%r' % (k, getattr(self, k))
            for k in self.__slots__[:-1] + self.RARE)


class Reply:
    """A decoded packet that may answer a probe.

    Outer packet: ``family src dst ttl tos ipid size proto rx``; ``size`` is
    the whole IP packet length.  ICMP: ``icmp_type icmp_code``, and for echo
    and timestamp replies ``icmp_id icmp_seq`` (timestamp replies also
    ``icmp_ts`` = (originate, receive, transmit)).  ICMP errors carry what
    they quote: ``q_src q_dst q_ttl q_tos q_ipl q_proto q_ipid q_flowlabel``
    and of the quoted transport header ``q_sport q_dport`` (UDP/TCP),
    ``q_icmp_id q_icmp_seq q_icmp_type`` (ICMP), ``q_udp_sum q_icmp_sum``,
    ``q_tcp_seq``; of a quoted non-first IPv6 fragment, ``q_frag_off`` (in
    8-byte units) and ``q_frag_data`` (its first four bytes); ``icmp_nhmtu`` for fragmentation-needed / packet too big;
    ``icmp_ext`` the raw RFC 4884 extension bytes (or b'').  TCP and UDP
    replies: ``sport dport tcp_flags tcp_seq tcp_ack``.  IPv4 options on the
    reply: ``rr`` (list of addresses from record route) and ``ts`` (list of
    (address or None, timestamp) from the timestamp option).

    A frame read from a task's own datalink (its ``tap``) comes as it is:
    ``frame`` (the bytes), ``link`` (the interface's ARPHRD type), ``rx``.
    """

    # Every field defaults to None at class level, so that making a Reply
    # costs only the fields a decoder sets (this is on the receive path).
    FIELDS = ('family', 'src', 'dst', 'ttl', 'tos', 'ipid', 'size',
              'proto', 'rx', 'flowlabel',
              'icmp_type', 'icmp_code', 'icmp_id', 'icmp_seq', 'icmp_ts',
              'q_src', 'q_dst', 'q_ttl', 'q_tos', 'q_ipl', 'q_proto',
              'q_ipid', 'q_flowlabel', 'q_sport', 'q_dport',
              'q_icmp_type', 'q_icmp_id', 'q_icmp_seq', 'q_udp_sum',
              'q_icmp_sum', 'q_tcp_seq', 'icmp_nhmtu', 'icmp_ext',
              'sport', 'dport', 'tcp_flags', 'tcp_seq', 'tcp_ack',
              'rr', 'ts', 'frag', 'frame', 'link', 'q_frag_off',
              'q_frag_data')
    family = src = dst = ttl = tos = ipid = size = proto = rx = None
    flowlabel = icmp_type = icmp_code = icmp_id = icmp_seq = None
    icmp_ts = q_src = q_dst = q_ttl = q_tos = q_ipl = q_proto = None
    q_ipid = q_flowlabel = q_sport = q_dport = q_icmp_type = None
    q_icmp_id = q_icmp_seq = q_udp_sum = q_icmp_sum = q_tcp_seq = None
    icmp_nhmtu = sport = dport = tcp_flags = tcp_seq = tcp_ack = None
    rr = ts = frame = link = None
    q_frag_off = q_frag_data = None
    icmp_ext = b''
    frag = False

    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def is_icmp(self):
        return self.proto in (IPPROTO_ICMP, IPPROTO_ICMPV6)

    @property
    def is_icmp_error(self):
        return self.q_proto is not None

    def __repr__(self):
        return 'Reply(%s)' % ', '.join(
            '%s=%r' % (k, getattr(self, k)) for k in self.FIELDS
            if getattr(self, k) is not None)


# --- demultiplexing keys -------------------------------------------------
#
# A key names the flow a probe belongs to: (transport protocol, the remote
# address the probe went to, the identifier the task owns).  The identifier
# is the source port for UDP and TCP, the ICMP identifier for ICMP.  A task
# registers the key of every probe it sends; a reply is routed by the key it
# carries (the quoted header of an ICMP error, or the outer header of an
# echo reply or a TCP/UDP answer).

def probe_key(p):
    if p.proto == IPPROTO_UDP or p.proto == IPPROTO_TCP:
        return (p.proto, p.dst, p.sport)
    return (IPPROTO_ICMP, p.dst, p.icmp_id)


def reply_key(r):
    """The key a reply carries, or None if it cannot answer any probe."""
    q = r.q_proto
    if q is not None:
        if q == IPPROTO_UDP or q == IPPROTO_TCP:
            return (q, r.q_dst, r.q_sport)
        if q == IPPROTO_ICMP or q == IPPROTO_ICMPV6:
            return (IPPROTO_ICMP, r.q_dst, r.q_icmp_id)
        return None
    if r.proto == IPPROTO_TCP or r.proto == IPPROTO_UDP:
        return (r.proto, r.src, r.dport)
    if r.icmp_id is not None:
        return (IPPROTO_ICMP, r.src, r.icmp_id)
    return None
