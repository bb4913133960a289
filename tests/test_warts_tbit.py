"""Tbit warts objects (type 11): files Debian's scamper 20211212 wrote in
the lab (no packets: Linux scamper 20211212 has no firewall for tbit)
and one our encoder wrote with packets, against what sc_warts2json,
sc_warts2text and sc_wartsdump print for them (tests/data/tbit, made by
make.py there)."""

import io
import pathlib
import time

import pytest

from scamperd.tbit import result as R
from scamperd.warts import ScamperFile, WartsError
from scamperd.warts import file as F
from scamperd.warts.api import WartsWriter

DATA = pathlib.Path(__file__).parent / 'data' / 'tbit'
CASES = sorted(p.stem for p in DATA.glob('*.warts'))


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


def tbits(case):
    return [o for o in read(case) if isinstance(o, R.Tbit)]


def write(objs):
    buf = io.BytesIO()
    w = WartsWriter(buf)
    for o in objs:
        w.write(o)
    w.close()
    return buf.getvalue()


def test_the_goldens_are_all_here():
    assert len(CASES) == 11 and 'synthetic' in CASES


@pytest.mark.parametrize('case', CASES)
def test_json_equals_sc_warts2json(case):
    lines = (DATA / (case + '.json')).read_text().splitlines()
    # the cycle start and stop lines come around them
    assert [t.to_json() for t in tbits(case)] == lines[1:-1]


@pytest.mark.parametrize('case', CASES)
def test_text_equals_sc_warts2text(case):
    assert ''.join(t.to_text() for t in tbits(case)) == \
        (DATA / (case + '.txt')).read_text()


@pytest.mark.parametrize('case', CASES)
def test_dump_equals_sc_wartsdump(case):
    lines = (DATA / (case + '.dump')).read_text().splitlines(keepends=True)
    assert ''.join(t.to_dump() for t in tbits(case)) == ''.join(lines[2:-1])


@pytest.mark.parametrize('case', CASES)
def test_rewriting_gives_the_same_bytes(case):
    assert write(read(case)) == (DATA / (case + '.warts')).read_bytes()


def test_what_scamper_wrote():
    (t,) = tbits('lab-pmtud')
    assert (t.type, t.result, t.pkts) == (R.TYPE_PMTUD, 4, [])
    assert (t.data.mtu, t.data.options, t.data.ptbsrc) == \
        (1280, R.PMTUD_OPTION_BLACKHOLE, bytes((198, 18, 2, 1)))
    assert (t.app.host, t.app.file) == ('203.0.113.10', '/index.html')
    (t,) = tbits('lab-blind-rst')
    assert (t.data.off, t.data.retx) == (-5, 2)
    (t,) = tbits('lab-bgp')
    assert t.app_proto == R.APP_BGP and t.app.asn == 65001
    (t,) = tbits('lab-cookie')
    assert t.fo_cookie == bytes.fromhex('0011223344556677')
    (t,) = tbits('lab-null-opts')
    assert (t.ttl, t.wscale, t.client_mss, t.options) == (33, 7, 1300, 3)
    assert len(tbits('lab-icw')[0].dst) == 16


def test_synthetic_packets():
    null, icw, pmtud, blind = tbits('synthetic')
    assert len(null.pkts) == 10 and null.pkts[7].data[0] == 0x10
    assert '"icw_bytes":2500' in icw.to_json()
    assert blind.ttl == 0 and blind.data.off == -70000


def test_round_trip_of_a_new_tbit():
    t = R.Tbit(src=bytes(4), dst=bytes(4), type=R.TYPE_ECN,
               app=R.TbitHttp(0, '', None), ttl=1,
               pkts=[R.TbitPkt(3.25, R.PKT_DIR_RX, b'\x45' + bytes(19))])
    (back,) = [o for _, _, o in F.read_objects(io.BytesIO(write([t])))]
    assert back.data is None and back.app.host == '' and back.ttl == 1
    assert back.pkts[0].tv == 3.25 and back.pkts[0].dir == R.PKT_DIR_RX
    assert write([back]) == write([t])


def test_errors():
    body = F.ENCODERS[R.Tbit][1](R.Tbit(src=bytes(4), dst=bytes(4)), 0, 0)
    bad = body[:-2] + b'\x00\x07\x00\x00\x00\x00\x00\x00'
    with pytest.raises(WartsError, match='unknown tbit block 7'):
        list(F.read_objects(io.BytesIO(F.frame(11, bad))))
    with pytest.raises(WartsError, match='without a source'):
        list(F.read_objects(io.BytesIO(F.encode_object(R.Tbit()))))
