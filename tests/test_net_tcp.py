from scamperd.net import tcp
from scamperd.probe import TH_ACK, TH_SYN
from netref import A, pseudo4, pseudo6, verifies


def test_build_layout_and_checksum():
    ps = pseudo4(A('192.0.2.1'), A('192.0.2.2'), 6, 23)
    seg = tcp.build(1234, 80, 0x01020304, 0x0a0b0c0d, TH_SYN | TH_ACK,
                    5840, b'xyz', ps)
    assert len(seg) == 23
    assert seg[:12] == bytes.fromhex('04d20050010203040a0b0c0d')
    assert seg[12] == 0x50 and seg[13] == 0x12
    assert seg[14:16] == (5840).to_bytes(2, 'big') and seg[18:20] == b'\0\0'
    assert verifies(ps + seg)


def test_checksum_v6():
    ps = pseudo6(A('2001:db8::1'), A('2001:db8::2'), 6, 20)
    assert verifies(ps + tcp.build(1, 2, 3, 4, TH_SYN, 0, b'', ps))


def test_parse_full_and_partial():
    seg = tcp.build(1234, 80, 7, 8, TH_ACK, 100, b'', bytes(12))
    t = tcp.parse(seg)
    assert (t.sport, t.dport, t.seq, t.ack, t.off, t.flags, t.win) == (
        1234, 80, 7, 8, 20, TH_ACK, 100)
    assert tcp.parse(seg[:8]) == tcp.TCP(1234, 80, 7, None, None, None,
                                         None, None)
    assert tcp.parse(seg[:5]).dport == 80
    assert tcp.parse(seg[:3]) is None
