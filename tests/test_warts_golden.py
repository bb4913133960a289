"""Our warts reader and writer against the files Debian's scamper
20211212 wrote (tests/data/output/*.warts, captured with capture.sh there,
with their sc_warts2json, sc_warts2text and sc_wartsdump conversions)."""

import bz2
import gzip
import io
import lzma
import pathlib
import time

import pytest

from scamperd import listcycle
from scamperd.listcycle import Cycle, ScamperList
from scamperd.ping.result import Ping
from scamperd.trace.result import Trace
from scamperd.warts import ScamperFile, WartsError
from scamperd.warts import file as F
from scamperd.warts.cycle import CycleStop

DATA = pathlib.Path(__file__).parent / 'data' / 'output'
CASES = sorted(p.stem for p in DATA.glob('*.warts'))


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """The goldens' "ftime" is in local time; they were captured in UTC."""
    monkeypatch.setenv('TZ', 'UTC')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def read(case):
    with ScamperFile(str(DATA / (case + '.warts'))) as f:
        return list(f)


def as_json(obj):
    if isinstance(obj, Cycle):
        return listcycle.cycle_start_json(obj)
    return obj.to_json()


def test_the_goldens_are_all_here():
    assert len(CASES) == 54


@pytest.mark.parametrize('case', CASES)
def test_json_equals_sc_warts2json(case):
    objs = read(case)
    assert [type(o) for o in objs[:2]] == [ScamperList, Cycle]
    assert isinstance(objs[-1], CycleStop)
    lines = [as_json(o) for o in objs if not isinstance(o, ScamperList)]
    assert lines == (DATA / (case + '.json')).read_text().splitlines()


@pytest.mark.parametrize('case', CASES)
def test_text_equals_sc_warts2text(case):
    text = ''.join(o.to_text() for o in read(case)
                   if isinstance(o, (Trace, Ping)))
    assert text == (DATA / (case + '.txt')).read_text()


@pytest.mark.parametrize('case', CASES)
def test_rewriting_what_we_read_gives_the_same_bytes(case, tmp_path):
    """scamper's writer is deterministic given the object: field choices,
    the address table order and the list/cycle ids all follow from it."""
    out = tmp_path / 'out.warts'
    with ScamperFile(str(out), 'w') as w:
        for o in read(case):
            w.write(o)
    assert out.read_bytes() == (DATA / (case + '.warts')).read_bytes()


def test_objects_carry_their_list_and_cycle():
    lst, cycle, trace, stop = read('trace-udp')
    assert (lst.id, lst.name, lst.descr, lst.monitor) == \
        (0, 'default', 'default', None)
    assert (cycle.id, cycle.hostname, cycle.stop) == (0, 'vm', 0)
    assert trace.list is lst and trace.cycle is cycle
    assert stop.cycle is cycle and stop.stop >= cycle.start


def test_filter_types():
    path = str(DATA / 'ping-rr.warts')
    with ScamperFile(path, filter_types=[Ping]) as f:
        objs = list(f)
    assert [type(o) for o in objs] == [Ping]
    with ScamperFile(path) as f:
        f.filter_types(Trace)
        assert f.read() is None
    with ScamperFile(path) as f:
        f.filter_types(Cycle, CycleStop)
        assert [type(o) for o in f] == [Cycle, CycleStop]
    with pytest.raises(ValueError):
        ScamperFile(path, filter_types=[int])


@pytest.mark.parametrize('kind,opener', [('warts.gz', gzip.open),
                                         ('warts.bz2', bz2.open),
                                         ('warts.xz', lzma.open)])
def test_compressed_files_read_and_written(kind, opener, tmp_path):
    raw = (DATA / 'trace-pmtud.warts').read_bytes()
    packed = tmp_path / ('in.' + kind)
    with opener(packed, 'wb') as f:
        f.write(raw)
    with ScamperFile(str(packed)) as f:
        objs = list(f)
    assert objs[2].to_json() == read('trace-pmtud')[2].to_json()
    out = tmp_path / ('out.' + kind)
    with ScamperFile(str(out), 'w') as w:       # kind from the name
        for o in objs:
            w.write(o)
    with opener(out, 'rb') as f:
        assert f.read() == raw


def test_truncated_file_yields_whole_objects_then_names_the_offset():
    raw = (DATA / 'ping-dup.warts').read_bytes()
    offsets = [off for _, off, _ in F.read_objects(io.BytesIO(raw))]
    third = offsets[2] - 8               # the ping object's header
    for cut, err_at in ((third + 3, third), (third + 40, third)):
        got = []
        with pytest.raises(WartsError) as e:
            for t, off, obj in F.read_objects(io.BytesIO(raw[:cut])):
                got.append(t)
        assert got == [F.OBJ_LIST, F.OBJ_CYCLE_START]
        assert e.value.offset == err_at
        assert 'offset %d' % err_at in str(e.value)


def test_corrupt_object_names_the_offset_inside_it():
    raw = bytearray((DATA / 'trace-udp.warts').read_bytes())
    start = [off for _, off, _ in F.read_objects(io.BytesIO(raw))][2]
    # the trace's destination follows its source, both defined in full
    src = raw.index(b'\x04\x01\xc0\x00\x02\x01', start)
    dst = src + 6
    assert raw[dst:dst + 6] == b'\x04\x01\xc0\x00\x02\x0a'
    raw[dst + 1] = 9                      # no such address type
    with pytest.raises(WartsError) as e:
        list(F.read_objects(io.BytesIO(bytes(raw))))
    assert e.value.offset == dst


def test_bad_magic():
    raw = (DATA / 'trace-udp.warts').read_bytes()
    with pytest.raises(WartsError, match='magic') as e:
        list(F.read_objects(io.BytesIO(raw[:35] + b'\x12\x06' + raw[37:])))
    assert e.value.offset == 35


def test_old_global_address_objects():
    """Files from before per-object tables: type-5 address objects and
    u32 ids (1 = the first address) in the gid fields."""
    lst = raw_obj(1, bytes.fromhex('00000001 00000000') + b'x\0\0')
    addrs = [bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1])]
    gobjs = b''.join(raw_obj(5, bytes([i + 1, 1]) + a)
                     for i, a in enumerate(addrs))
    from scamperd.warts import codec as C
    ping = C.params_bytes([(1, C.u32(1)), (3, C.u32(1)), (4, C.u32(2)),
                           (5, C.timeval(1.5)), (15, C.u16(1))])
    reply = C.params_bytes([(1, C.u32(2)), (4, C.u16(84)), (6, C.rtt(10)),
                            (7, C.u16(0))])
    data = lst + gobjs + raw_obj(7, ping + C.u16(1) + reply)
    objs = [o for _, _, o in F.read_objects(io.BytesIO(data))]
    assert objs[1:3] == addrs
    p = objs[3]
    assert (p.src, p.dst, p.list.name) == (addrs[0], addrs[1], 'x')
    assert p.replies[0][0].addr == addrs[1]
    bad = lst + raw_obj(5, bytes([7, 1]) + addrs[0])
    with pytest.raises(WartsError, match='sequence'):
        list(F.read_objects(io.BytesIO(bad)))


def raw_obj(otype, body):
    return F.frame(otype, body)


def test_scamperfile_writes_and_filters_every_registered_type(tmp_path):
    # types added by their own modules (here sniff) are writable and
    # filterable through ScamperFile, not only traces and pings
    import pathlib
    from scamperd.sniff.result import Sniff
    from scamperd.warts import ScamperFile
    src = pathlib.Path(__file__).parent / 'data' / 'sniff' / 'v4.warts'
    with ScamperFile(str(src)) as f:
        f.filter_types(Sniff)
        sniffs = list(f)
    assert sniffs and all(isinstance(s, Sniff) for s in sniffs)
    out = tmp_path / 'copy.warts'
    with ScamperFile(str(out), 'w') as f:
        for s in sniffs:
            f.write(s)
    with ScamperFile(str(out)) as f:
        again = [o for o in f if isinstance(o, Sniff)]
    assert [s.to_dump() for s in again] == [s.to_dump() for s in sniffs]


def test_the_common_ping_reply_layout_is_the_field_by_field_one():
    """ping/warts.py writes the usual IPv4 ICMP reply with one layout: it
    must be what the field-by-field writer gives, for every golden ping
    reply and for the variations the layout must refuse."""
    import copy
    from scamperd.ping import warts as PW
    from scamperd.warts import codec as C
    replies = [(obj, r) for case in CASES if case.startswith('ping')
               for obj in read(case) if isinstance(obj, Ping)
               for rs in obj.replies for r in rs]
    assert len(replies) > 20
    variants = []
    for ping, r in replies:
        variants.append((ping, r))
        for change in ({'flags': r.flags | 8}, {'reply_proto': 17},
                       {'tx': 0.0}, {'v4rr': [r.addr]}, {'tsreply': (1, 2, 3)},
                       {'rtt': -5}, {'reply_ttl': None}):
            r2 = copy.copy(r)
            for k, v in change.items():
                setattr(r2, k, v)
            variants.append((ping, r2))
    for ping, r in variants:
        t1, t2 = C.AddrTable(), C.AddrTable()
        for _ in range(2):          # a new address, then a reference to it
            assert PW.encode_reply(ping, r, t1) == \
                PW.encode_reply_fields(ping, r, t2)
