import struct

from scamperd.net import ipopts
from netref import A

R1, R2, R3 = A('192.0.2.1'), A('198.51.100.2'), A('203.0.113.3')


def test_builders_match_scamper_layouts():
    rr = ipopts.record_route()
    assert len(rr) == 40 and rr[:3] == b'\x07\x27\x04' and not any(rr[3:])
    assert ipopts.ts_only()[:4] == b'\x44\x28\x05\x00'
    assert len(ipopts.ts_only()) == 40
    assert ipopts.ts_and_addr()[:4] == b'\x44\x24\x05\x01'
    assert len(ipopts.ts_and_addr()) == 36
    ps = ipopts.ts_prespec([R1, R2])
    assert ps == b'\x44\x14\x05\x03' + R1 + bytes(4) + R2 + bytes(4)


def test_record_route_follows_pointer():
    opt = bytearray(ipopts.record_route())
    opt[3:11] = R1 + R2
    opt[2] = 12
    assert ipopts.parse(bytes(opt)) == ([R1, R2], None)
    opt[2] = 4
    assert ipopts.parse(bytes(opt)) == ([], None)


def test_record_route_full_and_bogus_pointer():
    addrs = [bytes((10, 0, 0, i)) for i in range(9)]
    opt = b'\x07\x27\x28' + b''.join(addrs) + b'\0'
    assert ipopts.parse(opt) == (addrs, None)
    # a pointer past the option cannot read past it
    opt = b'\x07\x0b\xfc' + R1 + R2 + b'\0'
    assert ipopts.parse(opt) == ([R1, R2], None)
    assert ipopts.parse(b'\x07\x07\x05' + R1 + b'\0') == ([], None)


def test_timestamps_only():
    opt = b'\x44\x10\x0d\x00' + struct.pack('!III', 10, 20, 0)
    assert ipopts.parse(opt) == (None, [(None, 10), (None, 20)])


def test_timestamps_with_addresses_and_overflow_pointer():
    body = R1 + struct.pack('!I', 5) + R2 + struct.pack('!I', 6)
    opt = b'\x44\x14\x15\x13' + body + bytes(4)
    opt = opt[:20]
    assert ipopts.parse(opt) == (None, [(R1, 5), (R2, 6)])
    # RFC 781 style pointer 1: the whole option is used
    assert ipopts.parse(b'\x44\x1c\x01\x03' + body + R3 + bytes(4))[1] == \
        [(R1, 5), (R2, 6), (R3, 0)]


def test_nop_eol_and_garbage():
    opt = b'\x01\x01' + b'\x07\x07\x08' + R1 + b'\x00' + b'\x44\x00'
    assert ipopts.parse(opt) == ([R1], None)
    assert ipopts.parse(b'\x07') == (None, None)
    assert ipopts.parse(b'\x07\x01\x04\x00') == (None, None)
    assert ipopts.parse(b'\x07\x30\x04\x00') == (None, None)   # too long
    assert ipopts.parse(b'\x44\x08\x09\x0f' + bytes(4)) == (None, [])
