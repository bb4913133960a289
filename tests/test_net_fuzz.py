"""The decoders must never raise: random bytes, every truncation and every
single-byte change of real packets, and hypothesis-driven mutations."""

from hypothesis import given, settings, strategies as st

from scamperd.net import icmpext, ipv4, ipv6
from scamperd.net.packet import (decode_ipv4, decode_ipv6,
                                 decode_ipv6_packet, encode_probe)
from scamperd.probe import (Reply, IPPROTO_ICMP, IPPROTO_ICMPV6,
                            IPPROTO_TCP, IPPROTO_UDP)
import test_net_golden as golden
from test_net_packet import icmp4_error, icmp6_error, probes4, probes6

EXT = icmpext.build_mpls([(1, 2, 1, 3)])


def seeds4():
    out = [bytes.fromhex(v) for n, v in vars(golden).items()
           if n.isupper() and isinstance(v, str) and v.startswith('4')]
    for p in probes4():
        pkt = encode_probe(p)
        out.append(pkt)
        out.append(icmp4_error(pkt, 11, 0))
        out.append(icmp4_error(pkt, 3, 4, word=b'\0\0\x05\xdc'))
        out.append(icmp4_error(pkt + bytes(max(0, 128 - len(pkt))), 11, 0,
                               word=b'\0\x20\0\0', ext=EXT))
    return out


def seeds6():
    out = [bytes.fromhex(golden.UDP6_PARIS_UNREACH),
           bytes.fromhex(golden.ICMP6_PARIS_REPLY)]
    for p in probes6():
        pkt = encode_probe(p)[:200]
        msg = icmp6_error(pkt + bytes(max(0, 128 - len(pkt))), 3, 0,
                          word=b'\x10\0\0\0', ext=EXT)
        out.append(ipv6.build(p.dst, p.src, 58, 64, 0, 0, len(msg)) + msg)
        msg = icmp6_error(pkt, 2, 0, word=b'\0\0\x05\0')
        out.append(ipv6.build(p.dst, p.src, 58, 64, 0, 0, len(msg)) + msg)
        frag = bytes((58, 0, 0, 1, 0, 0, 0, 9))
        out.append(ipv6.build(p.dst, p.src, 44, 64, 0, 0, 8 + len(msg))
                   + frag + msg)
    return out


SEEDS4, SEEDS6 = seeds4(), seeds6()


def check(r):
    assert r is None or isinstance(r, Reply)
    if r is not None:
        for name in ('src', 'dst', 'q_src', 'q_dst'):
            v = getattr(r, name)
            assert v is None or len(v) in (4, 16)
        assert isinstance(r.icmp_ext, bytes)


def decode_all(buf):
    check(decode_ipv4(buf, 0.0))
    check(decode_ipv6_packet(buf, 0.0))
    for proto in (IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP):
        check(decode_ipv6(proto, buf, golden.S6, golden.D6, 1, 0, 0.0))


def test_every_truncation_and_byte_value():
    for pkt in SEEDS4 + SEEDS6:
        for n in range(len(pkt) + 1):
            decode_all(pkt[:n])
        for i in range(min(len(pkt), 100)):
            for v in (0, 1, 2, 3, 4, 5, 7, 11, 12, 13, 14, 0x0f, 0x20, 0x3f,
                      0x40, 0x44, 0x45, 0x4f, 0x60, 0x80, 0x81, 0xfe, 0xff):
                decode_all(pkt[:i] + bytes((v,)) + pkt[i + 1:])
        # and from the ICMPv6 message on, as a raw socket gives it
        if pkt[0] >> 4 == 6:
            for n in range(40, len(pkt) + 1):
                decode_all(pkt[40:n])


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes(buf):
    decode_all(buf)


@st.composite
def mutated(draw):
    pkt = bytearray(draw(st.sampled_from(SEEDS4 + SEEDS6)))
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(pkt) - 1))
        pkt[i] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(pkt)))
    return bytes(pkt[:cut]) + draw(st.binary(max_size=40))


@settings(max_examples=5000, deadline=None)
@given(mutated())
def test_mutated_packets(buf):
    decode_all(buf)
    decode_all(buf[40:])


@settings(max_examples=2000, deadline=None)
@given(st.integers(5, 15), st.integers(0, 0xffff), st.integers(0, 0xffff),
       st.sampled_from([3, 4, 5, 11, 12, 0, 14]), st.integers(5, 15),
       st.integers(0, 255), st.binary(max_size=200))
def test_icmp4_errors_with_bogus_lengths(hl, tl, frag, itype, qhl, qproto,
                                         rest):
    outer = bytearray(ipv4.build(golden.D4, golden.S4, IPPROTO_ICMP, 64, 0,
                                 0, False, 0, bytes((hl - 5) * 4)))
    outer[0] = 0x40 | hl
    outer[2:4] = tl.to_bytes(2, 'big')
    outer[6:8] = frag.to_bytes(2, 'big')
    inner = bytearray(ipv4.build(golden.S4, golden.D4, qproto, 1, 0, 0,
                                 False, 0, bytes((qhl - 5) * 4)))
    inner[0] = 0x40 | qhl
    decode_all(bytes(outer) + bytes((itype, 0, 0, 0, 0, 32, 0, 0))
               + bytes(inner) + rest)
