"""encode_probe and the decoders, through synthetic replies: a router's
ICMP error quoting the probe must decode to the probe's own fields."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from scamperd.net import icmp, icmpext, ipopts, ipv4, ipv6
from scamperd.net.packet import (decode_ipv4, decode_ipv6,
                                 decode_ipv6_packet, encode_probe)
from scamperd.probe import (Probe, probe_key, reply_key, IPPROTO_ICMP,
                            IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
                            TH_SYN, TH_ACK)
from netref import A, pseudo4, pseudo6, ref_sum, verifies

S4, D4, R4 = A('192.0.2.1'), A('198.51.100.80'), A('203.0.113.9')
S6, D6, R6 = A('2001:db8::1'), A('2001:db8:2::80'), A('2001:db8:9::9')


def probes4():
    base = dict(ttl=3, tos=0x28, ipid=0x4d2, df=True)
    return [
        Probe(4, S4, D4, IPPROTO_UDP, sport=40000, dport=33437, size=60,
              **base),
        Probe(4, S4, D4, IPPROTO_UDP, sport=40000, dport=33435, size=44,
              udp_sum=7, **base),
        Probe(4, S4, D4, IPPROTO_TCP, sport=40001, dport=80,
              tcp_seq=0x11223344, tcp_ack=0x55667788, tcp_flags=TH_ACK,
              **base),
        Probe(4, S4, D4, IPPROTO_ICMP, icmp_type=8, icmp_id=0x1234,
              icmp_seq=9, size=84, payload=b'pattern', **base),
        Probe(4, S4, D4, IPPROTO_ICMP, icmp_type=8, icmp_id=0x1234,
              icmp_seq=10, icmp_sum=0xbeef, **base),
        Probe(4, S4, D4, IPPROTO_ICMP, icmp_type=13, icmp_id=0x1234,
              icmp_seq=11, payload=icmp.tstamp_data(1e9), **base),
        Probe(4, S4, D4, IPPROTO_ICMP, icmp_type=8, icmp_id=0x99,
              icmp_seq=1, size=100, ip_options=ipopts.record_route(),
              **base),
    ]


def probes6():
    base = dict(ttl=5, tos=0xb8, flowlabel=0x12345)
    return [
        Probe(6, S6, D6, IPPROTO_UDP, sport=40000, dport=33435, size=60,
              udp_sum=0xffff, **base),
        Probe(6, S6, D6, IPPROTO_TCP, sport=40002, dport=443,
              tcp_seq=0xdeadbeef, tcp_flags=TH_SYN, **base),
        Probe(6, S6, D6, IPPROTO_ICMPV6, icmp_type=128, icmp_id=0x4321,
              icmp_seq=12, icmp_sum=0x1111, size=1280, **base),
    ]


def icmp4_error(pkt, itype, code, quote_len=None, word=b'\0\0\0\0',
                ext=b''):
    quote = pkt if quote_len is None else pkt[:quote_len]
    body = bytes((itype, code, 0, 0)) + word + quote + ext
    s = (~ref_sum(body)) & 0xffff
    body = body[:2] + s.to_bytes(2, 'big') + body[4:]
    return ipv4.build(R4, S4, IPPROTO_ICMP, 250, 0xc0, 0x77, False,
                      len(body)) + body


def icmp6_error(pkt, itype, code, word=b'\0\0\0\0', ext=b''):
    body = bytes((itype, code, 0, 0)) + word + pkt + ext
    s = (~ref_sum(pseudo6(R6, S6, 58, len(body)) + body)) & 0xffff
    return body[:2] + s.to_bytes(2, 'big') + body[4:]


def check_quote(r, p):
    assert r.is_icmp_error
    assert (r.q_src, r.q_dst, r.q_ttl, r.q_tos) == (p.src, p.dst, p.ttl,
                                                    p.tos)
    assert r.q_ipl == len(encode_probe(p))
    assert reply_key(r) == probe_key(p)
    if p.proto in (IPPROTO_UDP, IPPROTO_TCP):
        assert (r.q_proto, r.q_sport, r.q_dport) == (p.proto, p.sport,
                                                     p.dport)
        if p.proto == IPPROTO_TCP:
            assert r.q_tcp_seq == p.tcp_seq
        elif p.udp_sum is not None:
            assert r.q_udp_sum == p.udp_sum
    else:
        assert (r.q_icmp_type, r.q_icmp_id, r.q_icmp_seq) == (
            p.icmp_type, p.icmp_id, p.icmp_seq)
        if p.icmp_sum is not None:
            assert r.q_icmp_sum == p.icmp_sum


@pytest.mark.parametrize('p', probes4(), ids=lambda p: str(p.proto))
def test_v4_checksums_verify(p):
    pkt = encode_probe(p)
    hl = (pkt[0] & 0xf) * 4
    assert verifies(pkt[:hl])
    seg = pkt[hl:]
    if p.proto == IPPROTO_ICMP:
        assert verifies(seg)
    else:
        assert verifies(pseudo4(p.src, p.dst, p.proto, len(seg)) + seg)


@pytest.mark.parametrize('p', probes6(), ids=lambda p: str(p.proto))
def test_v6_header_and_checksum(p):
    pkt = encode_probe(p)
    ip = ipv6.parse(pkt)
    assert (ip.tclass, ip.flowlabel, ip.hlim, ip.src, ip.dst) == (
        p.tos, p.flowlabel, p.ttl, p.src, p.dst)
    assert ip.plen == len(pkt) - 40
    assert verifies(pseudo6(p.src, p.dst, ip.nh, ip.plen) + pkt[40:])


@pytest.mark.parametrize('p', probes4(), ids=lambda p: str(p.proto))
def test_v4_time_exceeded_round_trip(p):
    p.ttl = 1
    pkt = encode_probe(p)
    r = decode_ipv4(icmp4_error(pkt, 11, 0), 12.5)
    assert (r.family, r.src, r.dst, r.ttl, r.tos, r.ipid, r.proto, r.rx) == (
        4, R4, S4, 250, 0xc0, 0x77, IPPROTO_ICMP, 12.5)
    assert (r.icmp_type, r.icmp_code) == (11, 0)
    assert r.size == 20 + 8 + len(pkt)
    assert r.q_ipid == p.ipid
    check_quote(r, p)


@pytest.mark.parametrize('p', probes6(), ids=lambda p: str(p.proto))
def test_v6_time_exceeded_round_trip(p):
    p.ttl = 1
    pkt = encode_probe(p)
    msg = icmp6_error(pkt[:1232], 3, 0)
    r = decode_ipv6(IPPROTO_ICMPV6, msg, R6, S6, 61, 0, 3.25)
    assert (r.family, r.src, r.dst, r.ttl, r.size, r.rx) == (
        6, R6, S6, 61, 40 + len(msg), 3.25)
    assert (r.icmp_type, r.icmp_code) == (3, 0)
    assert r.q_flowlabel == p.flowlabel
    check_quote(r, p)
    whole = ipv6.build(R6, S6, 58, 61, 0, 7, len(msg)) + msg
    r2 = decode_ipv6_packet(whole, 3.25)
    assert r2.flowlabel == 7 and r2.size == len(whole)
    check_quote(r2, p)


def test_quote_of_only_8_transport_bytes():
    for p in probes4()[:3]:
        pkt = encode_probe(p)
        r = decode_ipv4(icmp4_error(pkt, 3, 3, quote_len=28), 0)
        check_quote(r, p)
    r = decode_ipv4(icmp4_error(encode_probe(probes4()[2]), 3, 3,
                                quote_len=24), 0)
    assert (r.q_sport, r.q_dport, r.q_tcp_seq) == (40001, 80, None)
    r = decode_ipv4(icmp4_error(encode_probe(probes4()[0]), 3, 3,
                                quote_len=20), 0)
    assert r.q_proto == IPPROTO_UDP and r.q_sport is None
    r = decode_ipv4(icmp4_error(encode_probe(probes4()[0]), 3, 3,
                                quote_len=12), 0)
    assert not r.is_icmp_error and reply_key(r) is None


def test_echo_reply_round_trip():
    for p in probes4()[3:5]:
        pkt = bytearray(encode_probe(p))
        pkt[20] = 0                         # echo reply
        pkt[12:16], pkt[16:20] = p.dst, p.src
        r = decode_ipv4(bytes(pkt), 1.0)
        assert (r.icmp_type, r.icmp_id, r.icmp_seq) == (0, p.icmp_id,
                                                        p.icmp_seq)
        assert not r.is_icmp_error
        assert reply_key(r) == probe_key(p)
    p = probes6()[2]
    pkt = bytearray(encode_probe(p)[40:])
    pkt[0] = 129
    r = decode_ipv6(IPPROTO_ICMPV6, bytes(pkt), D6, S6, 60, 0, 1.0)
    assert (r.icmp_type, r.icmp_id, r.icmp_seq) == (129, 0x4321, 12)
    assert reply_key(r) == probe_key(p)


def test_echo_requests_carry_no_id():
    # a request seen on loopback must not look like an answer
    r = decode_ipv4(encode_probe(probes4()[3]), 0)
    assert r.icmp_type == 8 and r.icmp_id is None and reply_key(r) is None


def test_sizes():
    udp = Probe(4, S4, D4, IPPROTO_UDP, sport=1, dport=2)
    assert len(encode_probe(udp)) == 28
    udp.size = 10
    assert len(encode_probe(udp)) == 28
    udp.payload = b'abc'
    assert encode_probe(udp)[28:] == b'abc'
    udp.size = 40
    assert encode_probe(udp)[28:] == b'abc' + bytes(9)
    udp.udp_sum, udp.payload, udp.size = 5, b'', 0
    assert len(encode_probe(udp)) == 30
    ts = Probe(4, S4, D4, IPPROTO_ICMP, icmp_type=13)
    assert len(encode_probe(ts)) == 40
    ts.icmp_sum = 9
    assert len(encode_probe(ts)) == 42
    tcp = Probe(6, S6, D6, IPPROTO_TCP, size=70)
    assert len(encode_probe(tcp)) == 70
    rr = Probe(4, S4, D4, IPPROTO_ICMP, icmp_type=8,
               ip_options=ipopts.record_route())
    pkt = encode_probe(rr)
    assert len(pkt) == 68 and pkt[0] == 0x4f
    assert struct.unpack('!H', pkt[2:4])[0] == 68


def test_encode_rejects_unknown():
    with pytest.raises(ValueError):
        encode_probe(Probe(5, S4, D4, IPPROTO_UDP))
    with pytest.raises(ValueError):
        encode_probe(Probe(4, S4, D4, 47))


def test_fragmentation_needed_and_packet_too_big():
    pkt = encode_probe(probes4()[0])
    r = decode_ipv4(icmp4_error(pkt, 3, 4, word=b'\0\0\x05\x78'), 0)
    assert r.icmp_nhmtu == 1400 and r.q_sport == 40000
    pkt = encode_probe(probes6()[2])
    msg = icmp6_error(pkt[:1232], 2, 0, word=(1280).to_bytes(4, 'big'))
    r = decode_ipv6(IPPROTO_ICMPV6, msg, R6, S6, 64, 0, 0)
    assert r.icmp_nhmtu == 1280 and r.q_icmp_id == 0x4321


def test_time_exceeded_with_mpls_extension():
    ext = icmpext.build_mpls([(24001, 0, 1, 1)])
    pkt = encode_probe(probes4()[0])
    quote = pkt + bytes(128 - len(pkt))
    r = decode_ipv4(icmp4_error(quote, 11, 0, word=b'\0\x20\0\0', ext=ext),
                    0)
    assert r.icmp_ext == ext and r.q_sport == 40000
    [obj] = icmpext.parse(r.icmp_ext)
    assert icmpext.mpls_labels(obj.data) == [(24001, 0, 1, 1)]
    # a pre-RFC 4884 router: no length field, the 128-byte rule finds it
    r = decode_ipv4(icmp4_error(quote, 11, 0, ext=ext), 0)
    assert r.icmp_ext == ext
    # ICMPv6: the length field counts 64-bit words
    pkt6 = encode_probe(probes6()[0])
    msg = icmp6_error(pkt6 + bytes(128 - len(pkt6)), 3, 0,
                      word=b'\x10\0\0\0', ext=ext)
    assert decode_ipv6(IPPROTO_ICMPV6, msg, R6, S6, 1, 0, 0).icmp_ext == ext


def test_no_extension_without_one():
    pkt = encode_probe(probes4()[3])            # 84 bytes
    r = decode_ipv4(icmp4_error(pkt + bytes(100), 11, 0), 0)
    assert r.icmp_ext == b''


def test_reply_options_and_fragments():
    body = bytes((0, 0, 0, 0, 0, 7, 0, 1))
    s = (~ref_sum(body)) & 0xffff
    body = body[:2] + s.to_bytes(2, 'big') + body[4:]
    rr = bytes((7, 11, 12)) + S4 + D4 + b'\0'
    pkt = ipv4.build(D4, S4, IPPROTO_ICMP, 60, 0, 1, False, len(body),
                     rr) + body
    r = decode_ipv4(pkt, 0)
    assert r.rr == [S4, D4] and r.icmp_id == 7 and not r.frag
    frag = bytearray(pkt)
    frag[6:8] = b'\x20\x00'                     # first fragment, MF
    r = decode_ipv4(bytes(frag), 0)
    assert r.frag and r.icmp_id == 7
    frag[6:8] = b'\x00\x10'                     # a later fragment
    r = decode_ipv4(bytes(frag), 0)
    assert r.frag and r.icmp_type is None and r.size == len(pkt)


def test_quoted_ipv6_fragment_header():
    p = probes6()[0]
    pkt = encode_probe(p)
    frag = bytes((17, 0, 0, 1)) + (0xabcdef01).to_bytes(4, 'big')
    quoted = (pkt[:6] + bytes((44,)) + pkt[7:40] + frag + pkt[40:])
    r = decode_ipv6(IPPROTO_ICMPV6, icmp6_error(quoted, 3, 0), R6, S6, 1,
                    0, 0)
    assert r.q_ipid == 0xabcdef01 and r.q_proto == IPPROTO_UDP
    check_quote(r, p)


@pytest.mark.parametrize('proto', (IPPROTO_UDP, IPPROTO_TCP,
                                   IPPROTO_ICMPV6))
def test_lone_fragment_probe_and_its_quote(proto):
    """trace -o: a fragment header (offset, id) then the padded payload, no
    transport header; the quote of it gives the offset, the id, the first
    four data bytes and, for demultiplexing, the id's top half as the
    identifier the probe's key holds."""
    p = Probe(6, S6, D6, proto, ttl=2, tos=0x20, size=60,
              payload=b'\0\0\0\x07\xaa\xbb', sport=40000, icmp_id=40000)
    p.frag = (5, 40000 << 16 | 7)
    pkt = encode_probe(p)
    assert len(pkt) == 60
    assert pkt[4:8] == bytes((0, 20, 44, 2))
    assert pkt[40:48] == bytes((proto, 0, 0, 5 << 3)) + bytes.fromhex(
        '9c400007')
    assert pkt[48:] == bytes.fromhex('00000007aabb') + bytes(6)
    r = decode_ipv6(IPPROTO_ICMPV6, icmp6_error(pkt, 3, 0), R6, S6, 64, 0,
                    0)
    assert (r.q_proto, r.q_ipid, r.q_frag_off, r.q_frag_data, r.q_ipl) == (
        proto, 40000 << 16 | 7, 5, bytes((0, 0, 0, 7)), 60)
    assert reply_key(r) == probe_key(p)
    assert r.q_dport is None and r.q_icmp_seq is None


def test_outer_tcp_and_udp_replies():
    p = probes4()[2]
    seg = bytearray(encode_probe(p)[20:])
    seg[0:2], seg[2:4] = seg[2:4], seg[0:2]
    seg[13] = TH_SYN | TH_ACK
    pkt = ipv4.build(D4, S4, IPPROTO_TCP, 50, 0, 0, True, len(seg)) + seg
    r = decode_ipv4(pkt, 0)
    assert (r.sport, r.dport, r.tcp_flags) == (80, 40001, TH_SYN | TH_ACK)
    assert reply_key(r) == probe_key(p)
    r = decode_ipv6(IPPROTO_UDP, b'\x00\x35\x9c\x40\x00\x08\x00\x00', D6,
                    S6, 64, 0, 0)
    assert (r.sport, r.dport, r.size) == (53, 40000, 48)


def test_not_packets():
    assert decode_ipv4(b'', 0) is None
    assert decode_ipv4(encode_probe(probes6()[0]), 0) is None
    assert decode_ipv6_packet(encode_probe(probes4()[0]), 0) is None
    bad = bytearray(encode_probe(probes4()[0]))
    bad[2:4] = b'\x00\x10'                      # total length < header
    assert decode_ipv4(bytes(bad), 0) is None


# --- reading a reply's key without decoding it (netio's filter) -----------

def replies4():
    """IPv4 replies of every kind the peek reads, and some it leaves."""
    out = []
    for p in probes4():
        pkt = encode_probe(p)
        for itype, code in ((11, 0), (3, 3), (3, 4), (12, 0)):
            out.append(icmp4_error(pkt, itype, code))
            out.append(icmp4_error(pkt, itype, code, quote_len=28))
        if p.proto == IPPROTO_ICMP:
            echo = bytearray(pkt)
            echo[20] = 0 if p.icmp_type == 8 else 14
            echo[12:16], echo[16:20] = p.dst, p.src
            out.append(bytes(echo))
        else:
            seg = bytearray(pkt[(pkt[0] & 15) * 4:])
            seg[0:2], seg[2:4] = seg[2:4], seg[0:2]
            out.append(ipv4.build(D4, S4, p.proto, 50, 0, 0, True, len(seg))
                       + seg)
    return out


def replies6():
    out = []
    for p in probes6():
        pkt = encode_probe(p)
        for itype, code in ((3, 0), (1, 4), (2, 0), (4, 0)):
            out.append(icmp6_error(pkt, itype, code))
        if p.proto == IPPROTO_ICMPV6:
            echo = bytearray(pkt[40:])
            echo[0] = 129
            out.append(bytes(echo))
    return out


def _agrees(peeked, decoded):
    """The peek may only skip what no task could own: the decoded key is
    the peeked one, or has no identifier, or there is none."""
    if peeked is None:
        return True
    k = reply_key(decoded) if decoded is not None else None
    return k is None or k == peeked or k[2] is None


def test_peek_reads_the_key_of_the_common_replies():
    from scamperd.net.packet import peek_key4, peek_key6
    n4 = n6 = 0
    for pkt in replies4():
        k = peek_key4(pkt)
        n4 += k is not None
        assert _agrees(k, decode_ipv4(pkt, 0))
        if k is not None:
            assert k == reply_key(decode_ipv4(pkt, 0))
    for pkt in replies6():
        k = peek_key6(pkt, lambda: D6)
        n6 += k is not None
        r = decode_ipv6(IPPROTO_ICMPV6, pkt, D6, S6, 60, 0, 0)
        if k is not None:
            assert k == reply_key(r)
    # echo replies, TCP/UDP answers and errors quoting all three protocols
    assert n4 >= 20 and n6 >= 6


@settings(max_examples=3000, deadline=None)
@given(st.data())
def test_peek_never_skips_what_decoding_would_deliver(data):
    """Damaged replies (bytes changed, cut short): whatever the peek
    reads, the decoded reply's key agrees with it."""
    from scamperd.net.packet import peek_key4, peek_key6
    v4 = data.draw(st.booleans())
    base = data.draw(st.sampled_from(replies4() if v4 else replies6()))
    pkt = bytearray(base)
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(pkt) - 1))
        pkt[i] = data.draw(st.integers(0, 255))
    pkt = bytes(pkt[:data.draw(st.integers(0, len(pkt)))])
    if v4:
        assert _agrees(peek_key4(pkt), decode_ipv4(pkt, 0))
    else:
        assert _agrees(peek_key6(pkt, lambda: D6),
                       decode_ipv6(IPPROTO_ICMPV6, pkt, D6, S6, 60, 0, 0))
