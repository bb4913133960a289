"""Fuzzing the warts reader: random bytes and mutated real files (plain
and compressed) give whole objects and then, at most, WartsError; never
another exception, and never a hang."""

import gzip
import io
import pathlib
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from scamperd.warts import WartsError
from scamperd.warts import file as F

DATA = pathlib.Path(__file__).parent / 'data' / 'output'
# every type's golden files (tests/data/<type>/) seed the mutations
GOLDEN = [p.read_bytes() for p in sorted(DATA.parent.glob('*/*.warts'))]


def read_all(data):
    """Read every object; the reader must end, cleanly or in WartsError,
    within a bounded time."""
    t0 = time.monotonic()
    n = 0
    try:
        for _ in F.read_objects(io.BytesIO(data)):
            n += 1
    except WartsError as e:
        assert 0 <= e.offset <= len(data) + 8 or data[:2] == b'\x1f\x8b'
    assert time.monotonic() - t0 < 2
    return n


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(GOLDEN)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(('flip', 'set', 'cut', 'insert',
                                     'delete')))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == 'flip' and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == 'set' and data:
            data[i] = draw(st.sampled_from((0, 1, 0x7f, 0x80, 0xff)))
        elif kind == 'cut':
            del data[i:]
        elif kind == 'insert':
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[i:i + draw(st.integers(1, 8))]
    return bytes(data)


@settings(max_examples=1500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_golden_files(data):
    read_all(data)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    read_all(data)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_random_bodies_behind_valid_headers(body):
    """Random object bodies of every type we decode."""
    for otype in range(1, 8):
        lst = F.frame(1, bytes.fromhex('00000001 00000000') + b'x\0\0')
        cyc = F.frame(2, bytes.fromhex('00000001 00000001 00000000 00000000')
                      + b'\0')
        read_all(lst + cyc + F.frame(otype, body))


@settings(max_examples=200, deadline=None)
@given(mutated())
def test_mutated_compressed_files(data):
    packed = bytearray(gzip.compress(data))
    packed[len(packed) // 2] ^= 0x55
    read_all(bytes(packed))
    read_all(gzip.compress(data)[:-5])


def test_every_single_byte_flip_of_a_trace_with_pmtud():
    data = (DATA / 'trace-pmtud.warts').read_bytes()
    whole = read_all(data)
    assert whole == 4
    for i in range(len(data)):
        for bit in (0, 7):
            b = bytearray(data)
            b[i] ^= 1 << bit
            assert read_all(bytes(b)) <= whole + 2


def test_huge_length_costs_no_memory():
    data = F.frame(6, b'') [:4] + b'\xff\xff\xff\xf0' + b'\0' * 100
    try:
        list(F.read_objects(io.BytesIO(data)))
    except WartsError as e:
        assert 'truncated object' in str(e) and e.offset == 0
    else:
        raise AssertionError('no error')


def test_a_compressed_object_declared_huge_is_refused_at_the_bound(
        monkeypatch):
    """A 1 MB .gz whose object declared 4 GB (and decompressed to it) took
    scamper-warts to 4.2 GB; an object is read only up to MAX_OBJECT."""
    monkeypatch.setattr(F, 'MAX_OBJECT', 1 << 20)
    data = gzip.compress(F.frame(6, b'')[:4] + b'\x00\x40\x00\x00'
                         + bytes(4 << 20))
    assert len(data) < 8000
    try:
        list(F.read_objects(io.BytesIO(data)))
    except WartsError as e:
        assert str(e) == ('offset 0: object of 4194304 bytes (type 6): more '
                          'than the 1048576 a reader here holds')
    else:
        raise AssertionError('no error')
