"""Tbit warts objects (type 11): files Debian's scamper 20211212 wrote in
the lab (no packets: Linux scamper 20211212 has no firewall for tbit)
and one our encoder wrote with packets, against what sc_warts2json,
sc_warts2text and sc_wartsdump print for them (tests/data/tbit, made by
make.py there)."""

import io

import pytest
from wartsgold import Goldens, utc, write  # noqa: F401 (utc: autouse)

from scamperd.tbit import result as R
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('tbit', R.Tbit)
CASES = G.cases
tbits = G.objects


def test_the_goldens_are_all_here():
    assert len(CASES) == 11 and 'synthetic' in CASES


test_json_equals_sc_warts2json = G.json_test(CASES)
test_text_equals_sc_warts2text = G.text_test(CASES)
test_dump_equals_sc_wartsdump = G.dump_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


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


def test_an_option_of_length_one_prints_nothing():
    """As scamper: an option whose length byte is 1 matches no printer
    (found by the mutation test: it raised IndexError)."""
    from scamperd.tbit.json import option_json
    from scamperd.tbit.packet import TCPInfo, is_sack, padded, tcp_options
    tcp_header = bytes(12) + b'\x60\x02' + bytes(6)      # 24-byte header
    # wscale and sack, each of length 1: the walk moves on by that one
    # byte, so each length byte is then read as a NOP (as scamper walks)
    tcp = TCPInfo(padded(tcp_header + b'\x03\x01\x05\x01'), 0)
    got = list(tcp_options(tcp))
    assert [k for k, _ in got] == [3, 1, 5, 1]
    nop = '{"kind":"nop"}'
    assert [option_json(k, o, 0) for k, o in got] == [None, nop, None, nop]
    assert not is_sack(5, b'\x05\x01')
