from scamperd.net import ipv6
from netref import A

S, D = A('2001:db8::1'), A('2001:db8:1::2')


def test_build_layout():
    h = ipv6.build(S, D, 17, hlim=7, tclass=0xb8, flowlabel=0xabcde,
                   plen=300)
    assert len(h) == 40
    assert h[:4] == bytes.fromhex('6b8abcde')
    assert h[4:6] == (300).to_bytes(2, 'big') and h[6] == 17 and h[7] == 7
    assert h[8:24] == S and h[24:40] == D


def test_parse_round_trip():
    h = ipv6.build(S, D, 58, 255, 3, 0xfffff, 8)
    assert ipv6.parse(h) == ipv6.IPv6(3, 0xfffff, 8, 58, 255, S, D)
    assert ipv6.parse(h[:39]) is None
    assert ipv6.parse(b'\x45' + h[1:]) is None


def test_upper_skips_extension_headers():
    hbh = bytes((43, 0)) + bytes(6)                 # hop-by-hop, 8 bytes
    rt = bytes((44, 1)) + bytes(14)                 # routing, 16 bytes
    frag = bytes((17, 0)) + (0).to_bytes(2, 'big') + (77).to_bytes(4, 'big')
    buf = bytes(40) + hbh + rt + frag + b'UDPHDR..'
    u = ipv6.upper(buf, 0, 40)
    assert u == ipv6.Upper(17, 72, 0, 77, False)
    assert buf[u.offset:] == b'UDPHDR..'


def test_upper_stops_at_later_fragment_and_truncation():
    frag = bytes((6, 0)) + (100 << 3 | 1).to_bytes(2, 'big') + bytes(4)
    assert ipv6.upper(frag, 44, 0) == ipv6.Upper(6, 8, 100, 0, True)
    assert ipv6.upper(bytes(5), 60, 0) == ipv6.Upper(60, 0, 0, None, False)


def test_pseudo_header():
    p = ipv6.pseudo_header(S, D, 58, 0x10203)
    assert p == S + D + b'\x00\x01\x02\x03' + b'\x00\x00\x00\x3a'
