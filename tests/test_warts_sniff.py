"""Sniff warts objects (type 13): files written by Debian's scamper
20211212 in the lab and one by our encoder, against what sc_wartsdump
prints for them (tests/data/sniff, made by make.py there)."""

import io

import pytest
from wartsgold import Goldens, utc, write  # noqa: F401 (utc: autouse)

from scamperd.sniff.result import STOP_LIMIT_PKTC, Sniff, SniffPkt
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('sniff', Sniff)
CASES = ['synthetic', 'timeout', 'v4', 'v6']
sniffs = G.objects


def test_the_goldens_are_all_here():
    assert G.cases == CASES


test_dump_equals_sc_wartsdump = G.dump_test(CASES)
# scamper's sc_warts2json and sc_warts2text print nothing for them
test_json_prints_nothing_as_in_scamper = G.no_json_test(CASES)
test_text_prints_nothing_as_in_scamper = G.text_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


def test_what_scamper_captured():
    (sn,) = sniffs('v4')
    assert (sn.src, sn.icmpid, sn.userid) == (bytes((192, 0, 2, 1)), 4660, 3)
    assert sn.stop_reason == STOP_LIMIT_PKTC and len(sn.pkts) == 4
    # two echo replies from dst, two time exceeded from r1
    assert [p.data[12:16] for p in sn.pkts] == \
        [bytes((203, 0, 113, 10))] * 2 + [bytes((192, 0, 2, 2))] * 2
    assert all(sn.start < p.tv < sn.finish for p in sn.pkts)
    assert sniffs('timeout')[0].pkts == []
    assert all(G.golden(c, '.txt') == '' for c in CASES)


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
