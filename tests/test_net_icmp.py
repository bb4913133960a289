import struct

from hypothesis import given, strategies as st

from scamperd.net import icmp
from netref import verifies


def test_echo_layout_and_checksum():
    m = icmp.build(icmp.ECHO, 0, 0x1234, 7, b'hello!')
    assert m[:2] == b'\x08\x00' and m[4:8] == b'\x12\x34\x00\x07'
    assert m[8:] == b'hello!'
    assert verifies(m)


@given(st.integers(0, 0xffff), st.binary(min_size=2, max_size=60))
def test_echo_want_sum(want, payload):
    m = icmp.build(icmp.ECHO, 0, 99, 3, payload, want_sum=want)
    assert m[2:4] == want.to_bytes(2, 'big')
    assert m[10:] == payload[2:]
    assert verifies(m)


def test_timestamp_request_keeps_timestamps_and_fixes_after_them():
    data = icmp.tstamp_data(86400 * 3 + 3600 + 0.25, b'\0\0zz')
    assert struct.unpack('!III', data[:12]) == (3600250, 0, 0)
    m = icmp.build(icmp.TSTAMP, 0, 5, 6, data, want_sum=0x4242)
    assert m[8:20] == data[:12] and m[22:] == b'zz'
    assert m[2:4] == b'\x42\x42' and verifies(m)


def test_ms_since_midnight():
    assert icmp.ms_since_midnight(0) == 0
    assert icmp.ms_since_midnight(86399.9995) < 86400000
    assert icmp.ms_since_midnight(1700000000.123) == \
        (1700000000 % 86400) * 1000 + 123


def test_parse_and_fields():
    m = icmp.build(icmp.TSTAMPREPLY, 0, 1, 2, struct.pack('!III', 4, 5, 6))
    assert icmp.parse(m)[:1] == (14,) and icmp.parse(m)[3:] == (1, 2)
    assert icmp.timestamps(m) == (4, 5, 6)
    assert icmp.timestamps(m[:19]) is None
    assert icmp.parse(m[:6]).seq is None and icmp.parse(m[:6]).id == 1
    assert icmp.parse(m[:3]) is None
    needfrag = bytes((3, 4, 0, 0, 0, 0, 0x05, 0xdc))
    assert icmp.nhmtu(needfrag) == 1500
