from scamperd.net import ipv4
from netref import A, verifies

S, D = A('192.0.2.1'), A('198.51.100.7')


def test_build_layout_and_checksum():
    h = ipv4.build(S, D, 17, ttl=5, tos=0x10, ipid=0x1234, df=True,
                   payload_len=30)
    assert len(h) == 20
    assert h[0] == 0x45 and h[1] == 0x10
    assert h[2:4] == (50).to_bytes(2, 'big')
    assert h[4:6] == b'\x12\x34' and h[6:8] == b'\x40\x00'
    assert h[8] == 5 and h[9] == 17
    assert h[12:16] == S and h[16:20] == D
    assert verifies(h)


def test_options_are_padded_and_counted():
    h = ipv4.build(S, D, 1, 64, 0, 1, False, 8, options=b'\x07\x07\x04')
    assert len(h) == 24 and h[0] == 0x46
    assert h[20:24] == b'\x07\x07\x04\x00'
    assert h[2:4] == (32).to_bytes(2, 'big')
    assert verifies(h)


def test_parse_round_trip():
    h = ipv4.build(S, D, 6, 33, 0xb8, 0xbeef, True, 0, options=bytes(8))
    ip = ipv4.parse(h)
    assert ip == ipv4.IPv4(28, 0xb8, 28, 0xbeef, True, False, 0, 33, 6,
                           int.from_bytes(h[10:12], 'big'), S, D, bytes(8))


def test_parse_fragment_fields():
    h = bytearray(ipv4.build(S, D, 17, 64, 0, 9, False, 100))
    h[6:8] = (0x2000 | 185).to_bytes(2, 'big')
    ip = ipv4.parse(h)
    assert ip.mf and not ip.df and ip.offset == 185


def test_parse_rejects():
    h = ipv4.build(S, D, 17, 64, 0, 9, False, 0)
    assert ipv4.parse(h[:19]) is None
    assert ipv4.parse(b'\x65' + h[1:]) is None           # version 6
    assert ipv4.parse(b'\x44' + h[1:]) is None           # IHL 4
    assert ipv4.parse(b'\x4f' + h[1:]) is None           # IHL past the end


def test_pseudo_header():
    assert ipv4.pseudo_header(S, D, 17, 300) == S + D + b'\x00\x11\x01\x2c'
