from hypothesis import given, strategies as st

from scamperd.net import icmp6
from netref import A, pseudo6, verifies

S, D = A('2001:db8::1'), A('2001:db8::ff')


def test_echo_checksum_covers_pseudo_header():
    ps = pseudo6(S, D, 58, 12)
    m = icmp6.build(icmp6.ECHO, 0, 0x55, 0x66, b'abcd', ps)
    assert m[:2] == b'\x80\x00' and m[4:8] == b'\x00\x55\x00\x66'
    assert verifies(ps + m)
    assert not verifies(pseudo6(S, A('2001:db8::fe'), 58, 12) + m)


@given(st.integers(0, 0xffff), st.binary(min_size=2, max_size=60))
def test_want_sum(want, payload):
    ps = pseudo6(S, D, 58, 8 + len(payload))
    m = icmp6.build(icmp6.ECHO, 0, 1, 2, payload, ps, want_sum=want)
    assert m[2:4] == want.to_bytes(2, 'big') and m[10:] == payload[2:]
    assert verifies(ps + m)


def test_packet_too_big_mtu():
    assert icmp6.mtu(bytes((2, 0, 0, 0, 0, 0, 0x05, 0x00))) == 1280
    assert icmp6.parse(bytes((129, 0, 0, 0, 0, 9, 0, 10))).id == 9
