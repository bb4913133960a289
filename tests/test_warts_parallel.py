"""scamperd.warts.parallel: converting on several processes gives the same
bytes, and the same error at the same point, as reading in order.

Batches are made tiny so that small files cross many batches and each
worker meets lists, cycles and global addresses defined in batches the
other worker converted."""

import io
import pathlib

import pytest

import scamperd.warts  # noqa: F401  (registers every type)
from scamper_cli import warts as W
from scamperd.listcycle import Cycle, ScamperList
from scamperd.warts import codec as C, file as F, parallel
from scamperd.warts.api import WartsWriter
from scamperd.warts.cycle import CycleStop

DATA = pathlib.Path(__file__).parent / 'data'
SHOWS = {'json': (W.JSON_TYPES, W.show_json),
         'dump': (W.DUMP_TYPES, W.show_dump),
         'text': (W.TEXT_TYPES, W.show_text({}))}


def golden_results():
    out = []
    for p in sorted((DATA / 'output').glob('*.warts')) + sorted(
            (DATA / 'tracelb').glob('*.warts')):
        with open(p, 'rb') as f:
            out += [o for t, _, o in F.read_objects(f)
                    if t > F.OBJ_ADDR and not isinstance(o, bytes)]
    assert len(out) > 20
    return out


def cycled_file(rounds=4):
    """Lists and cycles, each cycle holding every golden result."""
    results = golden_results()
    buf = io.BytesIO()
    w = WartsWriter(buf)
    for n in range(1, rounds + 1):
        lst = ScamperList(id=n, name='list%d' % n, descr='d', monitor='m')
        cycle = Cycle(lst, id=n, start=1700000000 + n, hostname='h')
        w.write(cycle)
        for r in results:
            r.list, r.cycle = lst, cycle
            w.write(r)
        w.write(CycleStop(cycle, 1700000000 + n + 30))
    w.close()
    return buf.getvalue()


def old_global_addresses():
    """Type-5 address objects, and traces whose destination refers to
    them by id (as files from before per-object addresses)."""
    out = b''
    for i in range(1, 40):
        out += F.frame(F.OBJ_ADDR, bytes((i % 255, 1, 192, 0, 2, i)))
        body = C.params_bytes([(4, C.u32(i)), (11, C.u8(2))]) + \
            C.u16(0) + C.u16(0)
        out += F.frame(F.OBJ_TRACE, body)
    return out


def convert(data, kind, workers):
    types, show = SHOWS[kind]
    out = io.BytesIO()
    err = parallel.convert(io.BytesIO(data), types, show, out.write,
                           workers=workers)
    return out.getvalue(), (str(err) if err else None)


def in_order(data, kind):
    """What the one-process reader gives: text, and the error if any."""
    types, show = SHOWS[kind]
    parts = []
    try:
        for t, _, o in F.read_objects(io.BytesIO(data), types):
            if not isinstance(o, bytes):
                s = show(t, o)
                if s is not None:
                    parts.append(s)
    except C.WartsError as e:
        return ''.join(parts).encode(), str(e)
    return ''.join(parts).encode(), None


@pytest.fixture
def tiny_batches(monkeypatch):
    monkeypatch.setattr(parallel, 'BATCH', 700)


@pytest.mark.parametrize('kind', sorted(SHOWS))
def test_many_batches_on_two_workers_equal_reading_in_order(
        tiny_batches, kind):
    data = cycled_file()
    want, err = in_order(data, kind)
    assert err is None and want.count(b'\n') > 100
    assert convert(data, kind, 2) == (want, None)
    assert convert(data, kind, 3) == (want, None)
    assert convert(data, kind, 1) == (want, None)


def test_old_global_addresses_reach_every_worker(tiny_batches):
    data = old_global_addresses()
    want, err = in_order(data, 'json')
    assert err is None and want.count(b'"dst":"192.0.2.39"') == 1
    assert convert(data, 'json', 2) == (want, None)


def test_a_batch_of_one_object_larger_than_the_batch_size(monkeypatch):
    monkeypatch.setattr(parallel, 'BATCH', 10)
    data = cycled_file(1)
    assert convert(data, 'json', 2) == in_order(data, 'json')


@pytest.mark.parametrize('cut', [3, 200, 1001, 4444])
def test_truncated_file_gives_the_same_text_and_error(tiny_batches, cut):
    data = cycled_file(2)[:-cut]
    want, err = in_order(data, 'json')
    assert err is not None and 'truncated' in err
    assert convert(data, 'json', 2) == (want, err)


def test_bad_magic_midway(tiny_batches):
    data = bytearray(cycled_file(2))
    data[len(data) // 2:len(data) // 2 + 2] = b'\0\0'
    want, err = in_order(bytes(data), 'json')
    assert err is not None
    assert convert(bytes(data), 'json', 2) == (want, err)


def test_undecodable_object_midway_stops_there(tiny_batches):
    good = cycled_file(2)
    # a trace whose method is unknown: framed well, decodes badly
    bad = F.frame(F.OBJ_TRACE, C.params_bytes(
        [(4, C.u32(0)), (11, C.u8(99))]) + C.u16(0) + C.u16(0))
    cut = len(good) // 2
    pos = 0
    while True:          # the object boundary after the middle
        length = int.from_bytes(good[pos + 4:pos + 8], 'big')
        pos += 8 + length
        if pos >= cut:
            break
    data = good[:pos] + bad + good[pos:]
    want, err = in_order(data, 'json')
    assert err is not None and 'offset %d' % (pos + 8) in err
    assert want.count(b'\n') > 10
    assert convert(data, 'json', 2) == (want, err)


def test_a_reader_that_stops_early_ends_the_workers(tiny_batches):
    data = cycled_file()
    seen = []

    def write(b):
        seen.append(b)
        if len(seen) == 3:
            raise BrokenPipeError
    with pytest.raises(BrokenPipeError):
        parallel.convert(io.BytesIO(data), W.JSON_TYPES, W.show_json,
                         write, workers=2)
    import multiprocessing
    assert multiprocessing.active_children() == []


def test_scamper_warts_json_on_a_large_compressed_file(tiny_batches, tmp_path,
                                                      capfdbinary):
    import gzip
    data = cycled_file()
    path = tmp_path / 'f.warts.gz'
    path.write_bytes(gzip.compress(data))
    assert W.main(['json', str(path)]) == 0
    want, _ = in_order(data, 'json')
    assert capfdbinary.readouterr().out == want
