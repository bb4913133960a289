from hypothesis import given, strategies as st

from scamperd.net import udp
from netref import A, pseudo4, pseudo6, ref_sum, verifies

S, D = A('192.0.2.1'), A('192.0.2.9')
S6, D6 = A('2001:db8::1'), A('2001:db8::9')


def test_build_and_checksum():
    ps = pseudo4(S, D, 17, 12)
    seg = udp.build(1000, 33435, b'abcd', ps)
    assert seg[:6] == bytes.fromhex('03e8829b000c')
    assert seg[8:] == b'abcd'
    assert verifies(ps + seg)


def test_zero_checksum_is_sent_as_ffff():
    # find a payload whose checksum computes to 0, then check the field
    ps = pseudo4(S, D, 17, 10)
    base = ref_sum(ps + udp.HDR.pack(1, 2, 10, 0))
    word = (~base) & 0xffff            # sum becomes 0xffff: checksum 0
    seg = udp.build(1, 2, word.to_bytes(2, 'big'), ps)
    assert seg[6:8] == b'\xff\xff'
    assert verifies(ps + seg)


@given(st.integers(0, 0xffff), st.binary(min_size=2, max_size=64),
       st.booleans())
def test_want_sum(want, payload, v6):
    ps = (pseudo6(S6, D6, 17, 8 + len(payload)) if v6
          else pseudo4(S, D, 17, 8 + len(payload)))
    seg = udp.build(4321, 33435, payload, ps, want_sum=want)
    assert len(seg) == 8 + len(payload) and seg[10:] == payload[2:]
    assert int.from_bytes(seg[6:8], 'big') == (want or 0xffff)
    assert verifies(ps + seg)


def test_parse():
    assert udp.parse(bytes.fromhex('03e8829b000c1234')) == \
        udp.UDP(1000, 33435, 12, 0x1234)
    assert udp.parse(bytes.fromhex('03e8829b00')) == \
        udp.UDP(1000, 33435, None, None)
    assert udp.parse(b'\x03') is None
