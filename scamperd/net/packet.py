"""From a :class:`Probe` to the bytes of an IP packet, and from received
bytes to a :class:`Reply`.

Encoding (:func:`encode_probe`) gives the whole packet, IP header included,
for a raw IPPROTO_RAW socket of either family.  The packet is ``p.size``
bytes long: ``p.payload`` is padded with zero bytes to reach it.  A size
too small for the headers and the payload gives the smallest packet that
holds them (the payload is never cut); ``size`` 0 means just that.  The
payload grows by the bytes the encoder needs: two for a requested checksum
(``udp_sum``, ``icmp_sum``), twelve timestamp bytes for an ICMP timestamp
request (see :mod:`scamperd.net.icmp`).

Decoding never raises: input that is not a packet gives None, and a packet
whose outer header is valid gives a Reply holding what could be read.
"""

from ..probe import (Reply, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP,
                     IPPROTO_UDP)
from . import icmp, icmp6, icmpext, ipopts, ipv4, ipv6, tcp, udp

_EXT_HEADERS = (ipv6.NH_HOPOPTS, ipv6.NH_ROUTING, ipv6.NH_DSTOPTS,
                ipv6.NH_FRAGMENT)


# --- encoding ------------------------------------------------------------

def encode_probe(p):
    """The bytes of the IP packet that ``p`` describes."""
    if p.packet is not None:              # built by the method (tbit)
        return p.packet
    if p.family == 4:
        return _encode(p, 20 + ((len(p.ip_options) + 3) & ~3), _ip4)
    if p.family == 6:
        if p.frag is not None:
            return _fragment6(p)
        return _encode(p, 40, _ip6)
    raise ValueError('family %r' % (p.family,))


def _ip4(p, proto, seg):
    return ipv4.build(p.src, p.dst, proto, p.ttl, p.tos, p.ipid, p.df,
                      len(seg), p.ip_options) + seg


def _ip6(p, proto, seg):
    return ipv6.build(p.src, p.dst, proto, p.ttl, p.tos, p.flowlabel,
                      len(seg)) + seg


def _fragment6(p):
    """A lone IPv6 fragment: no transport header, the payload padded to
    p.size after the fragment header."""
    offset, ident = p.frag
    seg = ipv6.fragment(p.proto, offset, ident) + _payload(p, 48, 0)
    return ipv6.build(p.src, p.dst, ipv6.NH_FRAGMENT, p.ttl, p.tos,
                      p.flowlabel, len(seg)) + seg


def _pseudo(p, proto, length):
    if p.family == 4:
        return ipv4.pseudo_header(p.src, p.dst, proto, length)
    return ipv6.pseudo_header(p.src, p.dst, proto, length)


def _payload(p, headers, least):
    """p.payload, at least ``least`` bytes, padded to fill p.size."""
    data = bytes(p.payload)
    n = max(len(data), least, p.size - headers)
    if n > len(data):
        data += bytes(n - len(data))
    return data


def _encode(p, iphl, ip):
    proto = p.proto
    if proto == IPPROTO_UDP:
        data = _payload(p, iphl + 8, 0 if p.udp_sum is None else 2)
        seg = udp.build(p.sport, p.dport, data,
                        _pseudo(p, proto, 8 + len(data)), p.udp_sum)
    elif proto == IPPROTO_TCP:
        data = _payload(p, iphl + 20, 0)
        seg = tcp.build(p.sport, p.dport, p.tcp_seq, p.tcp_ack, p.tcp_flags,
                        p.tcp_win, data, _pseudo(p, proto, 20 + len(data)))
    elif proto in (IPPROTO_ICMP, IPPROTO_ICMPV6):
        least = icmp.fix_offset(p.icmp_type)
        if p.icmp_sum is not None:
            least += 2
        data = _payload(p, iphl + 8, least)
        if p.family == 4:
            proto = IPPROTO_ICMP
            seg = icmp.build(p.icmp_type, p.icmp_code, p.icmp_id,
                             p.icmp_seq, data, p.icmp_sum)
        else:
            proto = IPPROTO_ICMPV6
            seg = icmp6.build(p.icmp_type, p.icmp_code, p.icmp_id,
                              p.icmp_seq, data,
                              _pseudo(p, proto, 8 + len(data)), p.icmp_sum)
    else:
        raise ValueError('protocol %r' % (proto,))
    return ip(p, proto, seg)


# --- decoding ------------------------------------------------------------

# The demultiplexing key of the common replies, read from the bytes without
# decoding them (scamperd/probe.py's reply_key): a worker reads every reply
# to every worker's probes, and decodes only those whose key one of its
# tasks owns.  Each returns None where it cannot tell at a glance (options,
# fragments, extension headers, other messages): the reply is then decoded.
# Where it gives a key, reply_key of the decoded reply is that key, or a
# key no task owns (a field the reply is too short to hold).

def peek_key4(buf):
    """The key of a whole IPv4 packet read from a raw socket, or None."""
    try:
        if buf[0] != 0x45 or buf[6] & 0x3f or buf[7]:
            return None                 # options, or a fragment
        length = (buf[2] << 8) | buf[3]
        if length > len(buf) or length < 28:
            return None
        proto = buf[9]
        if proto == IPPROTO_ICMP:
            t = buf[20]
            if t == 0 or t == 14:       # echo and timestamp replies
                return IPPROTO_ICMP, buf[12:16], (buf[24] << 8) | buf[25]
            if (t != 3 and t != 11) or length < 56 or buf[28] != 0x45 \
                    or buf[34] & 0x1f or buf[35]:
                return None
            qp = buf[37]
            if qp == IPPROTO_UDP or qp == IPPROTO_TCP:
                return qp, buf[44:48], (buf[48] << 8) | buf[49]
            if qp == IPPROTO_ICMP:
                return IPPROTO_ICMP, buf[44:48], (buf[52] << 8) | buf[53]
            return None
        if proto == IPPROTO_TCP or proto == IPPROTO_UDP:
            return proto, buf[12:16], (buf[22] << 8) | buf[23]
    except IndexError:
        pass
    return None


def peek_key6(buf, src):
    """The key of an ICMPv6 message read from a raw socket (``src``: the
    packed source the kernel gave, called only when needed), or None."""
    try:
        t = buf[0]
        if t == 129:                    # echo reply
            if len(buf) < 8:
                return None
            return IPPROTO_ICMP, src(), (buf[4] << 8) | buf[5]
        if (t != 1 and t != 3) or len(buf) < 56 or buf[8] >> 4 != 6:
            return None
        nh = buf[14]
        if nh == IPPROTO_UDP or nh == IPPROTO_TCP:
            return nh, buf[32:48], (buf[48] << 8) | buf[49]
        if nh == IPPROTO_ICMPV6:
            return IPPROTO_ICMP, buf[32:48], (buf[52] << 8) | buf[53]
    except (IndexError, OSError, TypeError):
        pass
    return None


def decode_ipv4(buf, rx):
    """A whole IPv4 packet, as read from a raw socket."""
    buf = memoryview(buf)
    ip = ipv4.parse(buf)
    if ip is None or ip.length < ip.hl:
        return None
    r = Reply(family=4, src=ip.src, dst=ip.dst, ttl=ip.ttl, tos=ip.tos,
              ipid=ip.ipid, size=ip.length, proto=ip.proto, rx=rx,
              frag=ip.mf or ip.offset != 0)
    if ip.options:
        r.rr, r.ts = ipopts.parse(ip.options)
    if ip.offset:
        return r
    body = buf[ip.hl:min(ip.length, len(buf))]
    if ip.proto == IPPROTO_ICMP:
        _icmp4(r, body)
    else:
        _transport(r, ip.proto, body)
    return r


def _transport(r, proto, body):
    """The outer TCP or UDP header of a reply."""
    if proto == IPPROTO_TCP:
        t = tcp.parse(body)
        if t is not None and t.flags is not None:
            r.sport, r.dport, r.tcp_flags = t.sport, t.dport, t.flags
            r.tcp_seq, r.tcp_ack = t.seq, t.ack
    elif proto == IPPROTO_UDP:
        u = udp.parse(body)
        if u is not None:
            r.sport, r.dport = u.sport, u.dport


def _icmp4(r, m):
    h = icmp.parse(m)
    if h is None:
        return
    r.icmp_type, r.icmp_code = h.type, h.code
    if h.type == icmp.ECHOREPLY or h.type == icmp.TSTAMPREPLY:
        r.icmp_id, r.icmp_seq = h.id, h.seq
        if h.type == icmp.TSTAMPREPLY:
            r.icmp_ts = icmp.timestamps(m)
    elif h.type in icmp.ERRORS and len(m) >= 8:
        if h.type == icmp.UNREACH and h.code == icmp.UNREACH_NEEDFRAG:
            r.icmp_nhmtu = icmp.nhmtu(m)
        _quote4(r, m[8:])
        if h.type in icmp.EXT_TYPES:
            r.icmp_ext = icmpext.locate(m, 4)


def _quote4(r, q):
    ip = ipv4.parse(q)
    if ip is None:
        return
    r.q_src, r.q_dst, r.q_ttl, r.q_tos = ip.src, ip.dst, ip.ttl, ip.tos
    r.q_ipl, r.q_proto, r.q_ipid = ip.length, ip.proto, ip.ipid
    if ip.offset == 0:
        _quoted_transport(r, ip.proto, q[ip.hl:])


def _quoted_transport(r, proto, t):
    """As much of the quoted transport header as the quote holds."""
    if proto == IPPROTO_UDP:
        u = udp.parse(t)
        if u is not None:
            r.q_sport, r.q_dport, r.q_udp_sum = u.sport, u.dport, u.sum
    elif proto == IPPROTO_TCP:
        h = tcp.parse(t)
        if h is not None:
            r.q_sport, r.q_dport, r.q_tcp_seq = h.sport, h.dport, h.seq
    elif proto == IPPROTO_ICMP or proto == IPPROTO_ICMPV6:
        h = icmp.parse(t)
        if h is not None:
            r.q_icmp_type, r.q_icmp_sum = h.type, h.sum
            r.q_icmp_id, r.q_icmp_seq = h.id, h.seq


def decode_ipv6(proto, buf, src, dst, hlim, tclass, rx, flowlabel=0):
    """The payload of an IPv6 packet as read from a raw socket of protocol
    ``proto``; the header fields come from recvmsg."""
    r = Reply(family=6, src=src, dst=dst, ttl=hlim, tos=tclass,
              flowlabel=flowlabel, size=40 + len(buf), proto=proto, rx=rx)
    body = memoryview(buf)
    if proto == IPPROTO_ICMPV6:
        _icmp6(r, body)
    else:
        _transport(r, proto, body)
    return r


def _icmp6(r, m):
    h = icmp.parse(m)
    if h is None:
        return
    r.icmp_type, r.icmp_code = h.type, h.code
    if h.type == icmp6.ECHOREPLY:
        r.icmp_id, r.icmp_seq = h.id, h.seq
    elif h.type in icmp6.ERRORS and len(m) >= 8:
        if h.type == icmp6.PACKET_TOO_BIG:
            r.icmp_nhmtu = icmp6.mtu(m)
        _quote6(r, m[8:])
        if h.type != icmp6.PARAMPROB:
            r.icmp_ext = icmpext.locate(
                m, 8 if h.type in icmp6.EXT_TYPES else 0)


def _quote6(r, q):
    ip = ipv6.parse(q)
    if ip is None:
        return
    r.q_src, r.q_dst, r.q_ttl, r.q_tos = ip.src, ip.dst, ip.hlim, ip.tclass
    r.q_flowlabel, r.q_ipl = ip.flowlabel, 40 + ip.plen
    u = ipv6.upper(q, ip.nh, 40)
    r.q_proto = u.nh
    if u.frag_id is not None:
        r.q_ipid = u.frag_id
    if u.frag_offset == 0 and u.nh not in _EXT_HEADERS:
        _quoted_transport(r, u.nh, q[u.offset:])
    elif u.frag_offset:
        # a non-first fragment has no transport header.  scamper's fragment
        # probes (trace -o) carry their source port in the top half of the
        # fragment id and their probe number in the first four data bytes:
        # the id stands in for the port so the reply finds its task.
        r.q_frag_off = u.frag_offset
        r.q_frag_data = bytes(q[u.offset:u.offset + 4])
        if u.nh in (IPPROTO_UDP, IPPROTO_TCP):
            r.q_sport = u.frag_id >> 16
        elif u.nh == IPPROTO_ICMPV6:
            r.q_icmp_id = u.frag_id >> 16


def decode_ipv6_packet(buf, rx):
    """A whole IPv6 packet (as from a datalink socket)."""
    buf = memoryview(buf)
    ip = ipv6.parse(buf)
    if ip is None:
        return None
    end = min(40 + ip.plen, len(buf))
    u = ipv6.upper(buf[:end], ip.nh, 40)
    if u.frag_offset or u.nh in _EXT_HEADERS:
        r = Reply(family=6, src=ip.src, dst=ip.dst, ttl=ip.hlim,
                  tos=ip.tclass, flowlabel=ip.flowlabel, proto=u.nh, rx=rx)
    else:
        r = decode_ipv6(u.nh, buf[u.offset:end], ip.src, ip.dst, ip.hlim,
                        ip.tclass, rx, ip.flowlabel)
    r.size = 40 + ip.plen
    r.ipid = u.frag_id
    r.frag = u.frag_id is not None
    return r
