import os
import timeit

from hypothesis import given, strategies as st

from scamperd.net.checksum import (force_bytes, inet_checksum, ones_add,
                                   ones_sum)
from netref import ref_sum, verifies


def test_rfc1071_example():
    # RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2
    data = bytes.fromhex('0001f203f4f5f6f7')
    assert ones_sum(data) == 0xddf2
    assert inet_checksum(data) == 0x220d


def test_zero_and_all_ones():
    assert ones_sum(b'') == 0
    assert ones_sum(bytes(10)) == 0
    assert ones_sum(b'\xff\xff') == 0xffff
    assert ones_sum(b'\xff\xff\xff\xff') == 0xffff


def test_odd_length_pads_with_zero():
    assert ones_sum(b'\x12\x34\x56') == ones_sum(b'\x12\x34\x56\x00')


@given(st.binary(max_size=300))
def test_matches_word_by_word_reference(data):
    assert ones_sum(data) == ref_sum(data)
    assert ones_sum(memoryview(data)) == ref_sum(data)


@given(st.binary(max_size=100), st.binary(max_size=100))
def test_sums_of_even_pieces_add(a, b):
    if len(a) % 2:
        a += b'\0'
    assert ones_add(ones_sum(a), ones_sum(b)) % 0xffff == \
        ones_sum(a + b) % 0xffff


@given(st.binary(min_size=8, max_size=200).map(
    lambda b: b[:len(b) & ~1]), st.integers(0, 0xffff))
def test_force_bytes_hits_any_checksum(data, want):
    # zero a checksum field (bytes 2-3) and the fix word (bytes 4-5)
    msg = data[:2] + b'\0\0\0\0' + data[6:]
    fix = force_bytes(ones_sum(msg), want)
    msg = msg[:4] + fix + msg[6:]
    computed = inet_checksum(msg)
    # the computed checksum is want, or the other ones' complement zero
    assert computed == want or (want, computed) == (0xffff, 0)
    # with want in the field, the message verifies
    assert verifies(msg[:2] + want.to_bytes(2, 'big') + msg[4:])


def test_speed_beats_a_python_loop():
    data = os.urandom(1500)
    fast = timeit.timeit(lambda: ones_sum(data), number=200)
    slow = timeit.timeit(lambda: ref_sum(data), number=200)
    assert fast * 5 < slow
