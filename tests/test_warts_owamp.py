"""owamp warts objects (type 17, newer than scamper 20211212): files
written by a build of newer scamper (2026) measuring against a small OWAMP
server of ours in the lab, and by synth.c with its libscamperfile (v4, v6,
error, odd), against what its sc_warts2json, sc_warts2text and
sc_wartsdump print (tests/data/owamp, made by make.py there)."""

import pytest
from hypothesis import given, settings, strategies as st
from wartsgold import Goldens, read_bytes, utc, write  # noqa: F401 (utc)

from scamperd.owamp.result import (DIR_RX, RX_FLAG_DSCP, RX_FLAG_ERREST,
                                   RX_FLAG_TTL, SCHED_EXP, TX_FLAG_NOTSENT,
                                   Owamp, OwampRx, OwampSched, OwampTx)
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('owamp', Owamp)
CASES = G.cases
measurements = G.objects


def test_the_goldens_are_all_here():
    assert CASES == ['error', 'noconn', 'nomode', 'odd', 'options', 'reject',
                     'rx', 'tx', 'tx6', 'v4', 'v6']


test_json_equals_newer_sc_warts2json = G.json_test(CASES)
test_text_prints_nothing_as_in_scamper = G.text_test(CASES)
test_dump_equals_newer_sc_wartsdump = G.dump_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


def test_what_scamper_measured():
    (o,) = measurements('tx')
    assert (o.result, o.dir, o.attempts, len(o.txs)) == (1, 0, 5, 5)
    # the server lost packet 2 and reported packet 1 twice
    assert [len(t.rxs) for t in o.txs] == [1, 2, 0, 1, 1]
    assert all(rx.flags == RX_FLAG_TTL | RX_FLAG_ERREST and rx.ttl == 252
               and rx.errest == 0x8002 for t in o.txs for rx in t.rxs)
    assert all(t.sched and t.stamp >= t.sched for t in o.txs)
    (o,) = measurements('rx')
    assert o.dir == DIR_RX and [len(t.rxs) for t in o.txs] == [1, 2, 1, 0]
    assert o.txs[3].flags & TX_FLAG_NOTSENT and o.txs[3].stamp == 0
    assert all(rx.flags == RX_FLAG_TTL | RX_FLAG_DSCP for t in o.txs
               for rx in t.rxs)
    (o,) = measurements('options')
    assert (o.userid, o.dscp, o.ttl, o.pktsize, o.wait_timeout,
            o.flags) == (9, 10, 64, 100, 3.0, 1)
    assert [(s.tv, s.type) for s in o.scheds] == [(0.05, 0), (0.1, 1)]
    assert o.startat == int(o.startat) and o.list.monitor == 'mon"1'
    assert len(measurements('tx6')[0].dst) == 16
    assert [measurements(c)[0].result for c in
            ('nomode', 'reject', 'noconn')] == [6, 5, 4]
    assert all(measurements(c)[0].txs == [] for c in
               ('nomode', 'reject', 'noconn'))


def test_what_synth_wrote():
    (o,) = measurements('v4')
    assert (o.dport, o.wait_timeout, o.attempts, o.pktsize, o.ttl) == \
        (8861, 1.5, 5, 100, 64)
    assert [s.type for s in o.scheds] == [0, SCHED_EXP, 0]
    assert [len(t.rxs) for t in o.txs] == [1, 0, 2, 0, 1]
    assert o.txs[3].flags & TX_FLAG_NOTSENT and o.txs[3].stamp == 0
    rx = o.txs[0].rxs[0]
    assert rx.flags == RX_FLAG_DSCP | RX_FLAG_TTL | RX_FLAG_ERREST
    assert (rx.errest, rx.dscp, rx.ttl) == (0x8001, 46, 61)
    o, bare = measurements('v6')
    assert o.src is None and o.dir == DIR_RX and len(o.dst) == 16
    # scamper's defaults, left out of the file
    assert (bare.dport, bare.wait_timeout, bare.attempts, bare.pktsize,
            bare.ttl, bare.scheds, bare.txs) == (861, 2.0, 10, 42, 255, [],
                                                 [])
    refused, noconn = measurements('error')
    assert refused.errmsg == 'server said "no" \\ accept=1'
    assert noconn.errmsg == 'connect: caf\u00e9 refused'


def test_json_stops_where_scampers_buffers_end():
    (o,) = measurements('odd')
    line = o.to_json()
    assert '"errmsg":"' + '\\"' * 255 + '"' in line
    # the header's 1023 characters end inside the monitor's name
    assert line.index('{"value"') == 1023 and '"sched"' not in line


def test_defaults_are_left_out():
    o = Owamp(dst=bytes(4))
    # flags (field 5), length, dst; the schedule's one element, empty
    assert F.encode_object(o)[8:] == bytes((0x10, 0, 6, 4, 1, 0, 0, 0, 0,
                                            0))
    (back,) = read_bytes(F.encode_object(o))
    assert plain(back) == plain(o)
    o.scheds = []
    # flags (fields 5 and 11), length, dst, schedc 0
    assert F.encode_object(o)[8:] == bytes((0x90, 0x08, 0, 10, 4, 1, 0, 0,
                                            0, 0, 0, 0, 0, 0))


def test_without_a_destination_is_an_error():
    with pytest.raises(WartsError, match='without a destination'):
        read_bytes(F.encode_object(Owamp()))


times = st.builds(lambda s, us: s + us / 1000000, st.integers(0, 2 ** 32 - 1),
                  st.integers(0, 999999))
u8, u16, u32 = (st.integers(0, 2 ** n - 1) for n in (8, 16, 32))
addrs = st.one_of(st.binary(min_size=4, max_size=4),
                  st.binary(min_size=16, max_size=16))
rxs = st.builds(OwampRx, times, u16, u8, u8, u8)
txs = st.builds(OwampTx, times, times, u32, u16, u8, st.lists(rxs, max_size=3))
owamps = st.builds(
    Owamp, src=st.none() | addrs, dst=addrs, userid=u32, dport=u16,
    flags=u16, start=times, startat=times, wait_timeout=times,
    scheds=st.lists(st.builds(OwampSched, times, u8), max_size=3),
    attempts=u32, pktsize=u16, dir=u8, dscp=u8, ttl=u8,
    hsrtt=u32.map(lambda us: us / 1000000), result=u8,
    errmsg=st.none() | st.text(st.characters(
        blacklist_characters='\0', blacklist_categories=('Cs',))),
    udp_sport=u16, udp_dport=u16, txs=st.lists(txs, max_size=4))


def plain(x):
    """An object's fields as dicts and lists, to compare."""
    if isinstance(x, list):
        return [plain(e) for e in x]
    if hasattr(x, '__slots__'):
        return {k: plain(getattr(x, k)) for k in x.__slots__}
    if isinstance(x, Owamp):
        return {k: plain(v) for k, v in vars(x).items()}
    return x


@settings(max_examples=300, deadline=None)
@given(owamps)
def test_round_trip(o):
    (back,) = read_bytes(write([o]))
    assert write([back]) == write([o])
    assert (back.to_json(), back.to_dump()) == (o.to_json(), o.to_dump())
    assert plain(back) == plain(o)

