"""Warts primitives: parameter blocks, addresses, strings, ICMP
extensions (docs/warts-format.md §4, §5)."""

import pytest

from scamperd.warts import codec as C
from scamperd.warts.codec import AddrTable, Cursor, WartsError


def cur(data):
    return Cursor(memoryview(bytes(data)))


def test_flag_bytes_as_scamper_folds_them():
    assert C.flags_bytes([]) == b'\0'
    assert C.flags_bytes([1]) == b'\x01'
    assert C.flags_bytes([7]) == b'\x40'
    assert C.flags_bytes([8]) == b'\x80\x01'
    assert C.flags_bytes([17]) == b'\x80\x80\x04'      # the doc's example
    # the trace of the doc's worked example: fields 1,2,5-7,9-27
    ids = [1, 2, 5, 6, 7] + list(range(9, 28))
    assert C.flags_bytes(ids) == bytes.fromhex('f3feff3f')


def test_params_block_roundtrip_and_empty_block():
    block = C.params_bytes([(2, C.u16(0x1234)), (9, C.string('ab'))])
    assert block == bytes.fromhex('8202') + b'\x00\x05' + b'\x12\x34ab\0'
    c = cur(block + b'tail')
    vals = C.params(c, (None, 'u16') + ('u8',) * 6 + ('string',))
    assert vals == {2: 0x1234, 9: 'ab'}
    assert c.pos == len(block)
    assert C.params_bytes([]) == b'\0'
    c = cur(b'\0rest')
    assert C.params(c, ('u8',)) == {} and c.pos == 1


def test_unknown_later_fields_are_skipped_by_length():
    block = C.params_bytes([(1, C.u8(5)), (3, C.u32(7))])
    c = cur(block + b'\xaa')
    assert C.params(c, ('u8',)) == {1: 5}
    assert c.pos == len(block)


def test_param_values_may_not_pass_the_block_length():
    # field 1 claims a u32 but the block holds two bytes
    with pytest.raises(WartsError) as e:
        C.params(cur(b'\x01\x00\x02\x00\x00\x00\x00'), ('u32',))
    assert e.value.offset == 3


def test_truncated_block():
    with pytest.raises(WartsError):
        C.params(cur(b'\x81'), ('u8',) * 8)
    with pytest.raises(WartsError):
        C.params(cur(b'\x01\x00\x09\x01'), ('u8',))


def test_address_table_defines_then_refers():
    a, b = bytes([192, 0, 2, 1]), bytes(range(16))
    t = AddrTable()
    data = t.enc(a) + t.enc(b) + t.enc(a)
    assert data == (b'\x04\x01' + a + b'\x10\x02' + b
                    + b'\x00\x00\x00\x00\x00')
    table = []
    c = cur(data)
    assert [c.addr(table) for _ in range(3)] == [a, b, a]
    assert table == [a, b]


def test_bad_addresses():
    with pytest.raises(WartsError, match='reference'):
        cur(b'\x00\x00\x00\x00\x03').addr([])
    with pytest.raises(WartsError, match='bad address'):
        cur(b'\x05\x01abcde').addr([])
    with pytest.raises(WartsError, match='bad address'):
        cur(b'\x04\x09abcd').saddr()
    with pytest.raises(WartsError):
        cur(b'\x04\x01ab').addr([])


def test_static_address_never_enters_the_table():
    a = bytes([198, 51, 100, 1])
    assert C.saddr(a) == b'\x04\x01' + a
    assert cur(C.saddr(a)).saddr() == a


def test_strings_timevals_rtts():
    assert C.string('vm') == b'vm\0'
    with pytest.raises(WartsError, match='unterminated'):
        cur(b'abc').string()
    tv = C.timeval(1795784019.259694)
    assert tv == bytes.fromhex('6b097d530003f66e')
    assert round(cur(tv).timeval() * 1e6) == 1795784019259694
    with pytest.raises(WartsError, match='usec'):
        cur(bytes.fromhex('6b097d53000f4240')).timeval()
    assert C.rtt(41) == b'\0\0\0\x29'
    assert C.rtt(-24) == bytes.fromhex('ffffffe8')   # as scamper wraps it


def test_icmp_extensions():
    objs = [(1, 1, bytes.fromhex('03e81a01')), (2, 8, b'')]
    data = C.icmpext_bytes(objs)
    assert data == bytes.fromhex('000c' '0004' '0101' '03e81a01'
                                 '0000' '0208')
    assert C.icmpext(cur(data)) == objs
    with pytest.raises(WartsError, match='empty'):
        C.icmpext(cur(b'\0\0'))
    with pytest.raises(WartsError, match='overruns'):
        C.icmpext(cur(bytes.fromhex('0006' '0009' '0101' '0000')))


def test_strings_are_c_strings_any_bytes_round_trip():
    # a monitor or list name need not be UTF-8 (scamper writes C strings)
    from scamperd.warts import codec
    raw = b'mon-\xff\xfe\0'
    c = codec.Cursor(raw, 0, len(raw))
    s = c.string()
    assert codec.string(s) == raw
