"""Sting warts objects (type 12): files written by Debian's scamper
20211212 in the lab and by our encoder, against what sc_warts2text and
sc_wartsdump print for them (tests/data/sting, made by make.py there)."""

import io

import pytest
from wartsgold import Goldens, utc, write  # noqa: F401 (utc: autouse)

from scamperd.sting.result import Sting, StingPkt
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('sting', Sting)
CASES = ['real', 'synthetic']
stings = G.objects


def test_the_goldens_are_all_here():
    assert G.cases == CASES


test_dump_equals_sc_wartsdump = G.dump_test(CASES)
test_text_equals_sc_warts2text = G.text_test(CASES)
test_json_prints_nothing_as_in_scamper = G.no_json_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


def test_what_scamper_wrote():
    (st,) = stings('real')
    assert (st.src, st.dst) == (bytes((192, 0, 2, 1)), bytes((203, 0, 113, 10)))
    assert (st.count, st.mean, st.inter, st.dport) == (8, 10, 100, 80)
    # the "data" scamper 20211212 stores is its pointer's 11 bytes
    assert len(st.data) == 11 and st.pkts == [] and st.result == 0


def test_round_trip_and_packets():
    (s4, s6) = stings('synthetic')
    assert [p.flags for p in s4.pkts][:4] == [1, 2, 5, 13]
    assert s4.data == b'GET / HTTP/1.0\r\n\r\n' and s4.userid == 77
    st = Sting(src=bytes(4), dst=bytes(4), data=b'\xff\x00',
               pkts=[StingPkt(1.5, 3, b'\x45' + bytes(39))], result=1)
    (back,) = [o for _, _, o in F.read_objects(io.BytesIO(write([st])))]
    assert (back.data, back.result, back.pkts[0].tv, back.pkts[0].data) == \
        (st.data, 1, 1.5, st.pkts[0].data)


def test_a_packet_without_bytes_is_an_error():
    body = F.ENCODERS[Sting][1](
        Sting(src=bytes(4), dst=bytes(4), pkts=[StingPkt(1.0, 1, b'')]), 0, 0)
    with pytest.raises(WartsError, match='without bytes'):
        list(F.read_objects(io.BytesIO(F.frame(12, body))))
