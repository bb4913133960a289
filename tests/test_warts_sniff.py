"""Sniff warts objects (type 13): files written by Debian's scamper
20211212 in the lab and one by our encoder, against what sc_wartsdump
prints for them (tests/data/sniff, made by make.py there)."""

import io
import pathlib
import time

import pytest

from scamperd.sniff.result import STOP_LIMIT_PKTC, Sniff, SniffPkt
from scamperd.warts import ScamperFile, WartsError
from scamperd.warts import file as F
from scamperd.warts.api import WartsWriter

DATA = pathlib.Path(__file__).parent / 'data' / 'sniff'
CASES = ['synthetic', 'timeout', 'v4', 'v6']


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv('TZ', 'UTC')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def read(case):
    with ScamperFile(str(DATA / (case + '.warts'))) as f:
        return list(f)


def sniffs(case):
    return [o for o in read(case) if isinstance(o, Sniff)]


def write(objs):
    buf = io.BytesIO()
    w = WartsWriter(buf)
    for o in objs:
        w.write(o)
    w.close()
    return buf.getvalue()


def test_the_goldens_are_all_here():
    assert sorted(p.stem for p in DATA.glob('*.warts')) == CASES


@pytest.mark.parametrize('case', CASES)
def test_dump_equals_sc_wartsdump(case):
    lines = (DATA / (case + '.dump')).read_text().splitlines(keepends=True)
    assert ''.join(s.to_dump() for s in sniffs(case)) == ''.join(lines[2:-1])


@pytest.mark.parametrize('case', CASES)
def test_json_and_text_print_nothing_as_in_scamper(case):
    (sn,) = sniffs(case)
    assert sn.to_json() is None and sn.to_text() == ''
    assert len((DATA / (case + '.json')).read_text().splitlines()) == 2
    assert (DATA / (case + '.txt')).read_text() == ''


@pytest.mark.parametrize('case', CASES)
def test_rewriting_gives_the_same_bytes(case):
    assert write(read(case)) == (DATA / (case + '.warts')).read_bytes()


def test_what_scamper_captured():
    (sn,) = sniffs('v4')
    assert (sn.src, sn.icmpid, sn.userid) == (bytes((192, 0, 2, 1)), 4660, 3)
    assert sn.stop_reason == STOP_LIMIT_PKTC and len(sn.pkts) == 4
    # two echo replies from dst, two time exceeded from r1
    assert [p.data[12:16] for p in sn.pkts] == \
        [bytes((203, 0, 113, 10))] * 2 + [bytes((192, 0, 2, 2))] * 2
    assert all(sn.start < p.tv < sn.finish for p in sn.pkts)
    assert sniffs('timeout')[0].pkts == []


def test_round_trip():
    sn = Sniff(src=bytes(16), userid=1, pkts=[SniffPkt(2.5, b'\x60' * 41)])
    (back,) = [o for _, _, o in F.read_objects(io.BytesIO(write([sn])))]
    assert (back.src, back.userid, back.pkts[0].tv, back.pkts[0].data) == \
        (bytes(16), 1, 2.5, b'\x60' * 41)
    assert write([back]) == write([sn])


def test_errors():
    with pytest.raises(WartsError, match='without a source'):
        list(F.read_objects(io.BytesIO(F.encode_object(Sniff()))))
    empty = F.encode_object(Sniff(src=bytes(4), pkts=[SniffPkt(1.0, b'')]))
    with pytest.raises(WartsError, match='without bytes'):
        list(F.read_objects(io.BytesIO(empty)))
