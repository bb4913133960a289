"""The trace method against the simulated network (tests/simnet.py)."""

import pytest

from scamperd import probe as P
from scamperd.method import Context
from scamperd.probe import Reply
from scamperd.trace import result as R
from scamperd.trace.cmd import parse
from simnet import A, Hop, Network, Path, drive

SRC = {4: A('192.0.2.1'), 6: A('2001:db8::1')}
DST = {4: '192.0.2.9', 6: '2001:db8::9'}
SPORT = 40000


def rtr(family, i):
    return '198.51.100.%d' % i if family == 4 else '2001:db8:1::%d' % i


def line(family, n=2, **kw):
    """A path of n answering routers to the destination."""
    return Path(DST[family], [Hop(rtr(family, i)) for i in range(1, n + 1)],
                **kw)


def method(args, family=4, ifmtu=1500, lss=None):
    cmd = parse(args.split() + [DST[family]])
    return cmd.create(Context(SRC[family], SPORT, ifmtu=ifmtu, lss=lss))


def trace(args, path, family=4, **kw):
    net = Network(path)
    t = drive(method(args, family, **kw), net)
    return t, net


def addrs(t):
    """ttl -> list of reply addresses, in the order received."""
    out = {}
    for h in t.hops:
        out.setdefault(h.probe_ttl, []).append(h.addr)
    return out


# --- every method reaches the destination ---

METHODS = ['udp', 'udp-paris', 'icmp', 'icmp-paris', 'tcp', 'tcp-ack']


@pytest.mark.parametrize('family', [4, 6])
@pytest.mark.parametrize('meth', METHODS)
def test_reaches_destination(meth, family):
    t, net = trace('-P %s' % meth, line(family), family)
    assert t.stop_reason == R.STOP_COMPLETED and t.stop_data == 0
    assert t.hop_count == 3 and t.probe_count == 3
    assert addrs(t) == {1: [A(rtr(family, 1))], 2: [A(rtr(family, 2))],
                        3: [A(DST[family])]}
    assert [h.probe_id for h in t.hops] == [1, 1, 1]
    assert [h.rtt for h in t.hops] == [1000, 2000, 3000]
    probes = [p for _, p in net.sent]
    assert [p.ttl for p in probes] == [1, 2, 3]
    tcp = meth.startswith('tcp')
    size = (40 if tcp else 44) if family == 4 else 60
    assert [p.size for p in probes] == [size] * 3
    assert t.probe_size == size
    assert all(h.probe_size == size for h in t.hops)
    if family == 4:
        assert [p.ipid for p in probes] == [1, 2, 3]
        assert all(p.df for p in probes)
    last = t.hops[-1]
    if tcp:
        assert last.tcp_flags == (P.TH_SYN | P.TH_ACK if meth == 'tcp'
                                  else P.TH_RST)
        assert last.flags & R.HOP_FLAG_TCP and last.icmp_type is None
    elif meth.startswith('icmp'):
        assert last.icmp_type == (0 if family == 4 else 129)
    else:
        assert (last.icmp_type, last.icmp_code) == ((3, 3) if family == 4
                                                    else (1, 4))
    first = t.hops[0]
    assert first.icmp_type == (11 if family == 4 else 3)
    assert first.icmp_q_ttl == 1 and first.icmp_q_ipl == size
    assert first.reply_ttl == 255 and first.flags & R.HOP_FLAG_REPLY_TTL


def test_probe_identifiers():
    def sent(args, family=4):
        t, net = trace(args, line(family), family)
        return [p for _, p in net.sent]

    ps = sent('-P udp')
    assert [p.dport for p in ps] == [33435, 33436, 33437]
    assert {p.sport for p in ps} == {SPORT} and ps[0].udp_sum is None
    ps = sent('-P udp-paris -d 80 -s 1234')
    assert [p.dport for p in ps] == [80] * 3 and ps[0].sport == 1234
    assert [p.udp_sum for p in ps] == [1, 2, 3]
    ps = sent('-P icmp')
    assert [p.icmp_seq for p in ps] == [0, 1, 2]
    assert {p.icmp_id for p in ps} == {SPORT}
    assert {p.icmp_sum for p in ps} == {None}
    ps = sent('-P icmp-paris')
    assert {p.icmp_sum for p in ps} == {SPORT}
    ps = sent('-P icmp-paris -d 4660', 6)
    assert {p.icmp_sum for p in ps} == {4660}
    assert ps[0].icmp_type == P.ICMP6_ECHO
    ps = sent('-P tcp', 6)
    assert [p.flowlabel for p in ps] == [1, 2, 3]
    assert {p.tcp_flags for p in ps} == {P.TH_SYN} and ps[0].dport == 33435
    ps = sent('-P tcp-ack')
    assert {p.tcp_flags for p in ps} == {P.TH_ACK}
    ps = sent('-O const-payload', 6)
    assert [p.flowlabel for p in ps] == [1, 2, 3]
    assert {p.udp_sum for p in ps} == {None}
    ps = sent('-t 32 -p 0a0b')
    assert {(p.tos, p.payload, p.size) for p in ps} == {(32, b'\n\x0b', 30)}


# --- unresponsive hops, gap limit ---

def dead_path(family=4, answering=1, silent=10, dst_mode='silent'):
    hops = [Hop(rtr(family, i)) for i in range(1, answering + 1)]
    hops += [Hop(None) for _ in range(silent)]
    return Path(DST[family], hops, dst_mode=dst_mode)


def test_unresponsive_hop_is_retried_after_wait():
    path = Path(DST[4], [Hop(rtr(4, 1)), Hop(None), Hop(rtr(4, 3))])
    t, net = trace('-w 3', path)
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 4
    times = [round(when - 1000.0, 3) for when, _ in net.sent]
    assert [p.ttl for _, p in net.sent] == [1, 2, 2, 3, 4]
    assert times == [0.0, 0.001, 3.001, 6.001, 6.004]


def test_gaplimit_stop():
    t, net = trace('-g 3', dead_path())
    assert t.stop_reason == R.STOP_GAPLIMIT and t.stop_data == 0
    assert t.hop_count == 4 and t.probe_count == 1 + 3 * 2
    assert t.lastditch == []


def test_gaplimit_counts_from_firsthop():
    t, _ = trace('-f 3 -g 2', dead_path(silent=10))
    assert t.stop_reason == R.STOP_GAPLIMIT and t.hop_count == 4
    assert t.probe_count == 4


def test_gaplimit_lastditch_answered():
    # probes with TTL 255 get through the silent routers to the target
    t, net = trace('-g 2 -G 2 -P icmp', dead_path(dst_mode='open'))
    assert t.stop_reason == R.STOP_GAPLIMIT and t.hop_count == 3
    assert [p.ttl for _, p in net.sent] == [1, 2, 2, 3, 3, 255]
    [ld] = t.lastditch
    assert ld.addr == A(DST[4]) and ld.probe_ttl == 255 and ld.icmp_type == 0
    assert t.probe_count == 6


def test_gaplimit_lastditch_unanswered():
    t, net = trace('-g 2 -G 2 -q 1', dead_path())
    assert t.stop_reason == R.STOP_GAPLIMIT and t.lastditch == []
    assert [p.ttl for _, p in net.sent] == [1, 2, 3, 255]


def test_gaplimit_lastditch_tcp():
    t, net = trace('-g 2 -G 2 -P tcp -q 1', dead_path(6, dst_mode='open'), 6)
    assert t.stop_reason == R.STOP_GAPLIMIT
    [ld] = t.lastditch
    assert ld.tcp_flags == P.TH_SYN | P.TH_ACK and ld.probe_ttl == 255


# --- loops, unreachables, hop limit ---

def loop_path(seq, family=4):
    return Path(DST[family], [Hop(rtr(family, i)) for i in seq])


def test_loop_stops():
    t, _ = trace('', loop_path([1, 2, 3, 2, 3, 2, 3]))
    assert t.stop_reason == R.STOP_LOOP and t.hop_count == 4


def test_loop_count():
    # Debian's scamper, in the lab with r1 and r2 forwarding to each other,
    # stops at the same TTLs
    t, _ = trace('-l 2', loop_path([1, 2, 3, 2, 3, 2, 3]))
    assert t.stop_reason == R.STOP_LOOP and t.hop_count == 5
    t, _ = trace('-l 3 -P icmp', loop_path([1, 2, 3, 2, 3, 2, 3]))
    assert t.stop_reason == R.STOP_LOOP and t.hop_count == 6
    t, _ = trace('-l 0 -m 8', loop_path([1, 2, 3, 2, 3, 2, 3, 2, 3]))
    assert t.stop_reason == R.STOP_HOPLIMIT and t.hop_count == 8


def test_adjacent_repeat_and_disabled_loops_do_not_stop():
    t, _ = trace('', loop_path([1, 2, 2, 3]))
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 5
    t, _ = trace('-l 0', loop_path([1, 2, 3, 2, 3]))
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 6


@pytest.mark.parametrize('family,code', [(4, 1), (4, 13), (6, 0), (6, 3)])
def test_unreachable(family, code):
    t, _ = trace('', line(family, 4, unreach_at=(3, code)), family)
    assert t.stop_reason == R.STOP_UNREACH and t.stop_data == code
    assert t.hop_count == 3 and t.hops[-1].addr == A(rtr(family, 3))


def test_hoplimit():
    t, net = trace('-m 3', line(4, 6))
    assert t.stop_reason == R.STOP_HOPLIMIT and t.hop_count == 3
    assert t.probe_count == 3


def test_hoplimit_on_silent_hop():
    t, _ = trace('-m 3 -q 1', dead_path(silent=5))
    assert t.stop_reason == R.STOP_HOPLIMIT and t.hop_count == 3


def test_firsthop():
    t, net = trace('-f 3', line(4, 4))
    assert [p.ttl for _, p in net.sent] == [3, 4, 5]
    assert t.hop_count == 5 and t.firsthop == 3
    assert set(addrs(t)) == {3, 4, 5}


# --- -Q, -T, -W ---

def test_all_attempts():
    t, net = trace('-q 3 -Q', line(4))
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 3
    assert t.probe_count == 9
    assert [h.probe_id for h in t.hops] == [1, 2, 3] * 3


def test_ttl_expired_from_destination():
    path = Path(DST[4], [Hop(rtr(4, 1)), Hop(DST[4]), Hop(rtr(4, 3))])
    t, _ = trace('', path)
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 2
    path = Path(DST[4], [Hop(rtr(4, 1)), Hop(DST[4]), Hop(rtr(4, 3))])
    t, _ = trace('-T', path)
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 4
    assert t.hops[-1].icmp_type == 3


def test_wait_probe_spaces_probes():
    t, net = trace('-W 50', line(4, 3))
    times = [round(when - 1000.0, 3) for when, _ in net.sent]
    assert times == [0.0, 0.5, 1.0, 1.5]


# --- PMTUD ---

@pytest.mark.parametrize('family', [4, 6])
def test_pmtud_ptb(family):
    path = Path(DST[family], [Hop(rtr(family, 1)),
                              Hop(rtr(family, 2), mtu=1400),
                              Hop(rtr(family, 3), mtu=1300)])
    t, net = trace('-M', path, family)
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 4
    pm = t.pmtud
    assert (pm.ifmtu, pm.pmtu, pm.outmtu) == (1500, 1300, 0)
    assert [(n[0], n[1], n[2].addr) for n in pm.notes] == [
        (R.PMTUD_N_PTB, 1400, A(rtr(family, 2))),
        (R.PMTUD_N_PTB, 1300, A(rtr(family, 3)))]
    sizes = [p.size for _, p in net.sent][4:]
    assert sizes == [1500, 1400, 1300]
    assert all(p.df and p.ttl == 255 for _, p in net.sent[4:])
    assert [h.probe_size for h in pm.probes] == [1500, 1400, 1300]


def test_pmtud_no_bottleneck():
    t, _ = trace('-M', line(4), ifmtu=9000)
    assert t.pmtud.pmtu == 9000 and t.pmtud.notes == []


def test_pmtud_silent_bottleneck_is_searched():
    # the router before the 1280-byte link sends no packet-too-big
    path = Path(DST[4], [Hop(rtr(4, 1)), Hop(rtr(4, 2), mtu=1280),
                         Hop(rtr(4, 3))])
    path.hops[1].addr = None       # and nothing else either
    t, net = trace('-M -q 1', path)
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 4
    pm = t.pmtud
    assert pm.pmtu == 1280
    [(ntype, nhmtu, nhop)] = pm.notes
    assert (ntype, nhmtu) == (R.PMTUD_N_SILENCE, 1280)
    # the farthest router to answer a big probe: where silence begins
    assert nhop.addr == A(rtr(4, 1)) and nhop.probe_size == 1500
    sizes = [(p.size, p.ttl) for _, p in net.sent][4:]
    assert sizes == [(1500, 255), (1454, 255), (1280, 255), (1281, 255),
                     (1500, 3), (1500, 1)]


def test_pmtud_not_after_gaplimit():
    t, _ = trace('-M -g 2', dead_path())
    assert t.stop_reason == R.STOP_GAPLIMIT and t.pmtud is None


def test_pmtud_bad_suggestion():
    # a router claims an MTU no smaller than the packet it could not forward
    path = Path(DST[4], [Hop(rtr(4, 1)), Hop(rtr(4, 2), mtu=1400)])
    net = Network(path)
    orig = path._icmp_err

    def bad_nhmtu(p, addr, ttl, hop, now, itype, icode, q_ttl, nhmtu=None,
                  ttl_reply=None):
        return orig(p, addr, ttl, hop, now, itype, icode, q_ttl,
                    nhmtu=0 if nhmtu else None, ttl_reply=ttl_reply)
    path._icmp_err = bad_nhmtu
    t = drive(method('-M -q 1'), net)
    pm = t.pmtud
    assert pm.pmtu == 1400
    assert [(n[0], n[1]) for n in pm.notes] == [(R.PMTUD_N_PTB_BAD, 1400)]


# --- confidence ---

def test_confidence_95():
    path = Path(DST[4], [Hop(addrs=[rtr(4, 1), rtr(4, 11)]), Hop(rtr(4, 2))])
    t, net = trace('-c 95', path)
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 3
    ttls = [p.ttl for _, p in net.sent]
    # two interfaces at TTL 1: 11 probes; one interface: 6 probes
    assert ttls == [1] * 11 + [2] * 6 + [3] * 6
    assert set(addrs(t)[1]) == {A(rtr(4, 1)), A(rtr(4, 11))}


def test_confidence_99():
    t, net = trace('-c 99', line(4, 1))
    assert [p.ttl for _, p in net.sent] == [1] * 8 + [2] * 8


# --- doubletree ---

def test_doubletree_gss_stops_and_probes_back():
    t, net = trace('-f 3 -z %s' % rtr(4, 3), line(4, 5))
    assert [p.ttl for _, p in net.sent] == [3, 2]
    assert t.stop_reason == R.STOP_GSS
    assert t.dtree.gss_stop == A(rtr(4, 3)) and t.dtree.firsthop == 3
    assert t.dtree.lss_stop == A(rtr(4, 2))
    assert t.hop_count == 3 and t.flags & R.FLAG_DOUBLETREE


def test_doubletree_forward_then_back_to_local_stop_set():
    lss = {'set1': {A(rtr(4, 2))}}
    t, net = trace('-f 4 -Z set1', line(4, 5), lss=lss)
    assert [p.ttl for _, p in net.sent] == [4, 5, 6, 3, 2]
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 6
    assert t.dtree.lss_stop == A(rtr(4, 2)) and t.dtree.lss == 'set1'
    assert t.firsthop == 3
    assert lss['set1'] == {A(rtr(4, 2)), A(rtr(4, 3))}


def test_doubletree_back_probing_ends_at_ttl_1():
    t, net = trace('-f 3 -Z other', line(4, 4), lss={})
    assert [p.ttl for _, p in net.sent] == [3, 4, 5, 2, 1]
    # as scamper: TTL 1 ends it, with no local stop set address
    assert t.dtree.lss_stop is None and t.firsthop == 2


def test_doubletree_noback_and_new_stop_set():
    lss = {}
    t, net = trace('-f 2 -Z fresh -O dtree-noback', line(4, 3), lss=lss)
    assert [p.ttl for _, p in net.sent] == [2, 3, 4]
    assert t.stop_reason == R.STOP_COMPLETED and lss == {'fresh': set()}
    assert t.dtree.flags == R.DTREE_FLAG_NOBACK


def test_doubletree_first_hop_too_far_is_halved():
    # as Debian's scamper does in the lab's line topology (3 routers):
    # TTL 8 and 4 reach the destination, so halve; TTL 2 is a router
    t, net = trace('-f 8 -Z s', line(4, 3), lss={})
    assert [p.ttl for _, p in net.sent] == [8, 4, 2, 3, 4, 1]
    assert t.stop_reason == R.STOP_COMPLETED and t.hop_count == 4
    assert t.dtree.firsthop == 8 and t.firsthop == 2
    # after a halving scamper waits out the unanswered probe's timeout
    times = [round(when - 1000.0, 3) for when, _ in net.sent]
    assert times[:3] == [0.0, 5.0, 10.0]


def test_doubletree_gss_in_forward_probing():
    t, _ = trace('-f 2 -z %s -O dtree-noback' % rtr(4, 3), line(4, 5))
    assert t.stop_reason == R.STOP_GSS and t.hop_count == 3
    assert t.dtree.gss_stop == A(rtr(4, 3))


# --- driving by hand: halt, strays, duplicates, send errors ---

def started(args='', family=4):
    m = method(args, family)
    m.start(1000.0)
    assert m.ready() and m.timer() is None
    return m


def ttl_exceeded(p, addr, rx, **kw):
    r = Reply(family=4, src=A(addr), dst=p.src, ttl=250, tos=0, ipid=7,
              size=56, rx=rx, proto=P.IPPROTO_ICMP,
              icmp_type=P.ICMP_TIMXCEED, icmp_code=0,
              q_src=p.src, q_dst=p.dst, q_ttl=1, q_tos=0, q_ipl=p.size,
              q_proto=p.proto, q_ipid=p.ipid, q_sport=p.sport,
              q_dport=p.dport, q_udp_sum=p.udp_sum)
    for k, v in kw.items():
        setattr(r, k, v)
    return r


def test_halt():
    m = started()
    m.next_probe(1000.0)
    assert not m.ready() and m.timer() == 1005.0
    m.halt(1001.0)
    assert m.done and m.result.stop_reason == R.STOP_HALTED
    assert m.result.probe_count == 1


def test_stray_replies_are_ignored():
    m = started()
    p = m.next_probe(1000.0)
    for stray in (dict(q_dst=A('192.0.2.99')), dict(q_udp_sum=9, q_ipid=9),
                  dict(q_udp_sum=0, q_ipid=0), dict(q_sport=1),
                  dict(q_dport=33436), dict(q_proto=P.IPPROTO_TCP),
                  dict(icmp_type=P.ICMP_ECHOREPLY), dict(family=6)):
        m.receive(ttl_exceeded(p, rtr(4, 1), 1000.01, **stray), 1000.01)
    assert m.result is None and m.trace.hops == [] and m.timer() == 1005.0
    m.receive(ttl_exceeded(p, rtr(4, 1), 1000.02), 1000.02)
    assert [h.addr for h in m.trace.hops] == [A(rtr(4, 1))]
    assert m.ready() and m.trace.hop_count == 1


def test_ipid_changed_in_quote_still_matches():
    # a quoted IP-ID one above or byte-swapped is still ours
    m = started('-P tcp')
    p = m.next_probe(1000.0)
    m.receive(ttl_exceeded(p, rtr(4, 1), 1000.01, q_ipid=0x0100), 1000.01)
    assert len(m.trace.hops) == 1


def test_stray_echo_reply():
    m = started('-P icmp')
    p = m.next_probe(1000.0)
    r = Reply(family=4, src=A(DST[4]), dst=p.src, ttl=60, size=44,
              rx=1000.1, proto=P.IPPROTO_ICMP, icmp_type=P.ICMP_ECHOREPLY,
              icmp_code=0, icmp_id=SPORT + 1, icmp_seq=0)
    m.receive(r, 1000.1)
    r.icmp_id, r.icmp_seq = SPORT, 1
    m.receive(r, 1000.1)
    assert m.trace.hops == [] and not m.done
    r.icmp_seq = 0
    m.receive(r, 1000.1)
    assert m.done and m.result.stop_reason == R.STOP_COMPLETED


def test_duplicate_replies_are_recorded():
    m = started()
    p = m.next_probe(1000.0)
    m.receive(ttl_exceeded(p, rtr(4, 1), 1000.01), 1000.01)
    m.receive(ttl_exceeded(p, rtr(4, 1), 1000.03), 1000.03)
    assert [(h.probe_ttl, h.probe_id, h.rtt) for h in m.trace.hops] == [
        (1, 1, 10000), (1, 1, 30000)]
    assert m.trace.hop_count == 1 and m.ready()
    p2 = m.next_probe(1000.04)
    assert p2.ttl == 2


def test_late_reply_to_first_attempt():
    m = started()
    p1 = m.next_probe(1000.0)
    m.handle_timer(1005.0)
    assert m.ready()
    p2 = m.next_probe(1005.0)
    assert (p2.ttl, p2.udp_sum) == (1, 2)
    m.receive(ttl_exceeded(p1, rtr(4, 1), 1005.5), 1005.5)
    [h] = m.trace.hops
    assert h.probe_id == 1 and h.rtt == 5500000
    # as scamper: the next hop waits for the outstanding probe's timeout
    assert m.trace.hop_count == 1 and not m.ready() and m.timer() == 1010.0
    m.handle_timer(1010.0)
    assert m.ready() and m.next_probe(1010.0).ttl == 2


def test_send_error():
    m = started()
    p = m.next_probe(1000.0)
    m.send_error(p, 101, 1000.0)
    assert m.done and m.result.stop_reason == R.STOP_ERROR
    assert m.result.stop_data == 101 and m.result.probe_count == 0


def test_icmp_extensions_and_reply_fields_recorded():
    m = started()
    p = m.next_probe(1000.0)
    m.receive(ttl_exceeded(p, rtr(4, 1), 1000.25, icmp_ext=b'\x20\x00'),
              1000.25)
    [h] = m.trace.hops
    assert (h.icmp_ext, h.reply_ttl, h.reply_ipid, h.reply_size,
            h.icmp_q_tos, h.tx, h.rtt) == (b'\x20\x00', 250, 7, 56, 0,
                                           1000.0, 250000)


@pytest.mark.parametrize('meth', METHODS)
def test_fragment_probes(meth):
    """trace -o: every probe a lone fragment at the offset, its id the
    source port and probe number, which the routers' quotes give back; the
    destination keeps the fragment, so the trace ends at the gap limit."""
    t, net = trace('-o 5 -q 1 -g 2 -P %s' % meth, line(6), 6)
    assert t.stop_reason == R.STOP_GAPLIMIT and t.probe_count == 4
    assert addrs(t) == {1: [A(rtr(6, 1))], 2: [A(rtr(6, 2))]}
    assert [(h.probe_size, h.icmp_q_ipl) for h in t.hops] == [(52, 60)] * 2
    assert t.offset == 5 and t.probe_size == 52


def test_fragment_probe_fields_and_matching():
    m = method('-o 5 -p 0a0b0c0d0e', 6)
    m.start(1000.0)
    p0 = m.next_probe(1000.0)
    assert p0.frag == (5, SPORT << 16) and p0.size == 65
    assert p0.payload == bytes((0, 0, 0, 0, 0x0e)) and p0.flowlabel == 0
    m.handle_timer(1005.0)
    p1 = m.next_probe(1005.0)
    assert p1.frag == (5, SPORT << 16 | 1) and p1.payload[:4] == b'\0\0\0\1'
    net = Network(line(6))
    _, r = net.answer(p1, 1005.0)
    for k, v in (('q_frag_off', 4), ('q_ipid', (SPORT + 1) << 16 | 1),
                 ('q_frag_data', b'\0\0\0\7')):
        bad = Reply(**{f: getattr(r, f) for f in Reply.FIELDS})
        setattr(bad, k, v)
        m.receive(bad, 1005.1)
        assert m.trace.hops == [], k
    m.receive(r, 1005.1)
    [h] = m.trace.hops
    assert (h.probe_ttl, h.probe_id, h.probe_size) == (1, 2, 57)
