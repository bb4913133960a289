"""The dealias method driven by the simulated network (tests/simnet.py):
each technique's schedule, classification and reply matching as in
scamper 20211212's scamper_dealias_do.c."""

import itertools
import random

from scamperd import commands
from scamperd.dealias import result as R
from scamperd.dealias.cmd import parse
from scamperd.dealias.method import ipid_inseq, prefixscan_addrs
from scamperd.method import Context
from scamperd.net import ethernet, ipv6
from scamperd.net.packet import encode_probe
from scamperd.probe import (Probe, Reply, IPPROTO_ICMP, IPPROTO_ICMPV6,
                            IPPROTO_UDP)
from simnet import A, Hop, Network, Path, drive

SRC4, SRC6 = A('192.0.2.1'), A('2001:db8::1')
SPORT = 0x8123
T0 = 1000.0


def make(line, seed=1):
    cmd = parse(commands.split(line))
    m = cmd.create(Context(SRC4 if cmd.family == 4 else SRC6, SPORT),)
    m.rng = random.Random(seed)
    return m


def run(line, *paths):
    m = make(line)
    net = Network(*paths)
    return drive(m, net, start=T0), net


def counter(start=100, step=1):
    c = itertools.count(start, step)
    return lambda: next(c) & 0xffff


def path(dst, **kw):
    return Path(dst, [Hop('192.0.2.254')], **kw)


def txs(d):
    return [round(p.tx - T0, 3) for p in d.probes]


# --- mercator ----------------------------------------------------------------

def test_mercator_alias_when_answered_from_another_address():
    d, net = run('-m mercator 198.18.2.2',
                 path('198.18.2.2', dst_src='198.18.9.9'))
    assert d.result == R.RESULT_ALIASES
    (probe,) = d.probes
    assert probe.replies[0].src == A('198.18.9.9')
    assert d.start == T0 and probe.tx == T0


def test_mercator_none_from_the_same_address():
    d, _ = run('-m mercator 198.18.2.2', path('198.18.2.2'))
    assert d.result == R.RESULT_NONE and len(d.probes) == 1
    r = d.probes[0].replies[0]
    assert (r.proto, r.icmp_type, r.icmp_code, r.src) == \
        (IPPROTO_ICMP, 3, 3, A('198.18.2.2'))
    assert r.ipid == 0x4321 and r.icmp_q_ttl == 254


def test_mercator_retries_every_wait_timeout():
    d, net = run('-m mercator -w 2 198.18.2.2',
                 path('198.18.2.2', dst_mode='silent'))
    assert d.result == R.RESULT_NONE
    assert txs(d) == [0, 2, 4]
    assert [p.seq for p in d.probes] == [0, 1, 2]
    # IP-IDs 0xffff, 0xfefe, ...; the UDP checksum counts the probes
    assert [p.ipid for p in d.probes] == [0xffff, 0xfefe, 0xfdfd]
    assert [p.udp_sum for _, p in net.sent] == [1, 2, 3]
    assert all(p.df and p.size == 30 and p.ttl == 255 and p.sport == SPORT
               and p.dport == 33435 for _, p in net.sent)


def test_mercator_ipv6():
    d, net = run('-m mercator -q 1 2001:db8::2',
                 path('2001:db8::2', dst_mode='silent'))
    assert len(d.probes) == 1 and d.probes[0].ipid == 0
    assert net.sent[0][1].size == 50


# --- ally --------------------------------------------------------------------

def test_ally_aliases_with_a_shared_counter():
    shared = counter()
    d, net = run("-m ally -W 100 198.18.2.2 198.18.3.1",
                 path('198.18.2.2', dst_ipid=shared),
                 path('198.18.3.1', dst_ipid=shared))
    assert d.result == R.RESULT_ALIASES
    assert [p.probedef.id for p in d.probes] == [0, 1, 0, 1, 0]
    assert [p.seq for p in d.probes] == [0, 0, 1, 1, 2]
    assert txs(d) == [0, 0.1, 0.2, 0.3, 0.4]
    assert d.to_text() == '198.18.2.2 198.18.3.1 aliases\n'


def test_ally_waits_the_timeout_after_the_last_probe():
    shared = counter()
    m = make("-m ally -W 100 -w 3 198.18.2.2 198.18.3.1")
    net = Network(path('198.18.2.2', dst_ipid=shared),
                  path('198.18.3.1', dst_ipid=shared))
    calls = []
    real = m.handle_timer

    def spy(now):
        calls.append(round(now - T0, 3))
        real(now)
    m.handle_timer = spy
    drive(m, net, start=T0)
    assert calls[-1] == 3.4


def test_ally_not_aliases_as_soon_as_out_of_sequence():
    d, _ = run("-m ally 198.18.2.2 198.18.3.1",
               path('198.18.2.2', dst_ipid=counter(100)),
               path('198.18.3.1', dst_ipid=counter(30000)))
    assert d.result == R.RESULT_NOTALIASES and len(d.probes) == 2
    assert d.to_text() == '198.18.2.2 198.18.3.1 not aliases\n'


def test_ally_byte_swapped_counter_unless_nobs():
    c = counter(0x0100, 0x0100)        # counts up in the high byte
    d, _ = run("-m ally 198.18.2.2 198.18.3.1",
               path('198.18.2.2', dst_ipid=c), path('198.18.3.1', dst_ipid=c))
    assert d.result == R.RESULT_ALIASES
    c = counter(0x0100, 0x0100)
    d, _ = run("-m ally -O nobs 198.18.2.2 198.18.3.1",
               path('198.18.2.2', dst_ipid=c), path('198.18.3.1', dst_ipid=c))
    assert d.result == R.RESULT_NOTALIASES


def test_ally_zero_ipids_are_not_in_sequence():
    zero = lambda: 0       # noqa: E731
    d, _ = run("-m ally 198.18.2.2 198.18.3.1",
               path('198.18.2.2', dst_ipid=zero),
               path('198.18.3.1', dst_ipid=zero))
    assert d.result == R.RESULT_NOTALIASES and len(d.probes) == 2
    # a strict test cannot tell from two samples: a third is needed
    d, _ = run("-m ally -O inseq 198.18.2.2 198.18.3.1",
               path('198.18.2.2', dst_ipid=zero),
               path('198.18.3.1', dst_ipid=zero))
    assert d.result == R.RESULT_NOTALIASES and len(d.probes) == 3


def test_ally_none_without_a_reply_and_on_a_second_reply():
    shared = counter()
    d, _ = run("-m ally 198.18.2.2 198.18.3.1",
               path('198.18.2.2', dst_ipid=shared, dst_drop={2}),
               path('198.18.3.1', dst_ipid=shared))
    assert d.result == R.RESULT_NONE and len(d.probes) == 5
    m = make("-m ally 198.18.2.2 198.18.3.1")
    m.start(T0)
    p = m.next_probe(T0)
    p.tx = T0
    r = port_unreach(p, A('198.18.2.2'), T0 + 0.01)
    m.receive(r, T0 + 0.01)
    assert not m.done
    m.receive(r, T0 + 0.02)
    assert m.done and m.result.result == R.RESULT_NONE
    assert len(m.result.probes[0].replies) == 2


def test_ally_tcp_ack_and_icmp_echo():
    shared = counter()
    d, net = run("-m ally -p '-P tcp-ack -d 80' 198.18.2.2 198.18.3.1",
                 path('198.18.2.2', dst_ipid=shared),
                 path('198.18.3.1', dst_ipid=shared))
    assert d.result == R.RESULT_ALIASES
    assert all(r.proto == 6 and r.tcp_flags == 4
               for p in d.probes for r in p.replies)
    seqs = {(p.dst, p.tcp_seq, p.tcp_ack) for _, p in net.sent}
    assert len(seqs) == 2       # one random seq/ack per probedef
    shared = counter()
    d, net = run("-m ally -p '-P icmp-echo -c 99' 198.18.2.2 198.18.3.1",
                 path('198.18.2.2', dst_ipid=shared),
                 path('198.18.3.1', dst_ipid=shared))
    assert d.result == R.RESULT_ALIASES
    assert [p.icmp_seq for _, p in net.sent] == [0, 1, 2, 3, 4]
    assert all(p.icmp_sum == 99 and p.icmp_id == SPORT for _, p in net.sent)


def test_ally_ipv6_has_no_ipid_so_none():
    d, _ = run("-m ally 2001:db8::2 2001:db8::3",
               path('2001:db8::2'), path('2001:db8::3'))
    assert d.result == R.RESULT_NONE and len(d.probes) == 1
    assert d.flags == R.ALLY_FLAG_NOBS


# --- the too-big trick (-M mtu) ---------------------------------------------

class TooBigHost:
    """An IPv6 host answering echo requests, seen on the datalink: whole
    replies until a packet too big lowers its path MTU to us, then first
    fragments whose ids come from ``ids``.  Probes sent are in ``sent``."""

    def __init__(self, ids, addrs=('2001:db8::2', '2001:db8::3')):
        self.addrs = [A(a) for a in addrs]
        self.ids = ids
        self.mtu = 1500
        self.sent = []
        self.whole = []         # the whole replies sent, as bytes

    def answer(self, p, now):
        self.sent.append((now, p))
        if p.proto == IPPROTO_ICMPV6 and p.icmp_type == 2:
            self.mtu = p.icmp_id << 16 | p.icmp_seq
            return None
        if p.dst not in self.addrs:
            return None
        echo = Probe(6, p.dst, p.src, IPPROTO_ICMPV6, ttl=61,
                     icmp_type=129, icmp_id=p.icmp_id, icmp_seq=p.icmp_seq,
                     size=p.size)
        pkt = encode_probe(echo)
        if len(pkt) > self.mtu:
            body = pkt[40:40 + 1184]
            pkt = ipv6.build(p.dst, p.src, ipv6.NH_FRAGMENT, 61, 0, 0,
                             8 + len(body)) + ipv6.fragment(
                                 IPPROTO_ICMPV6, 0, self.ids(), True) + body
        else:
            self.whole.append(pkt)
        frame = ethernet.frame(bytes(6), bytes(6), 0x86dd, pkt)
        return 0.001, Reply(frame=frame, link=ethernet.ARPHRD_ETHER)


def run_dl(line, host):
    cmd = parse(commands.split(line))
    m = cmd.create(Context(SRC6, SPORT, ifindex=7))
    assert m.tap == 7
    return drive(m, host, start=T0)


def test_too_big_trick_ally():
    """The first whole reply larger than the mtu: a packet too big quoting
    it, the probes so far forgotten, rounds again from 0 a second after;
    then the fragment ids (IPv6's IP-IDs) are compared."""
    host = TooBigHost(counter(7000, 3))
    d = run_dl("-m ally -W 200 -q 4 -p '-P icmp-echo -s 1400 -M 1280' "
               "2001:db8::2 2001:db8::3", host)
    assert d.result == R.RESULT_ALIASES
    (t0, echo0), (t1, ptb) = host.sent[:2]
    assert (echo0.icmp_type, echo0.dst, ptb.icmp_type) == (128, A(
        '2001:db8::2'), 2)
    assert (ptb.src, ptb.dst, ptb.ttl, ptb.icmp_id << 16 | ptb.icmp_seq) == (
        SRC6, A('2001:db8::2'), 255, 1280)
    assert ptb.payload == host.whole[0][:1232] and len(host.whole) == 1
    assert len(encode_probe(ptb)) == 1280
    # the probes after the pause: the next probedef, rounds from 0
    assert [(p.probedef.id, p.seq) for p in d.probes] == [
        (1, 0), (0, 1), (1, 1), (0, 2)]
    assert round(d.probes[0].tx - t1, 3) == 1.0 and d.start == \
        d.probes[0].tx
    assert [r.ipid32 for p in d.probes for r in p.replies] == [
        7000, 7003, 7006, 7009]
    assert all(r.flags == R.REPLY_FLAG_IPID32 for p in d.probes
               for r in p.replies)


def test_too_big_trick_ally_not_twice_and_raw_replies_ignored():
    """A probedef gets one packet too big; a reply that still comes whole
    afterwards ends the task; replies not from the datalink are ignored."""
    host = TooBigHost(counter())
    host.answer = lambda p, now, f=host.answer: (
        f(p, now), setattr(host, 'mtu', 1500))[0]
    d = run_dl("-m ally -W 200 -p '-P icmp-echo -s 1400 -M 1280' "
               "2001:db8::2 2001:db8::3", host)
    assert d.result == R.RESULT_NONE
    assert [p.icmp_type for _, p in host.sent] == [128, 2, 128, 2, 128]
    m = make("-m ally -p '-P icmp-echo -M 1280' 2001:db8::2 2001:db8::3")
    m.tap = 7
    m.start(T0)
    p = m.next_probe(T0)
    m.receive(Reply(family=6, src=p.dst, dst=p.src, ttl=61,
                    proto=IPPROTO_ICMPV6, icmp_type=129, icmp_code=0,
                    icmp_id=p.icmp_id, icmp_seq=p.icmp_seq, rx=T0), T0)
    assert m.result.probes[0].replies == []


def test_too_big_trick_radargun_one_per_whole_reply():
    host = TooBigHost(counter())
    d = run_dl("-m radargun -W 100 -q 2 -p '-P icmp-echo -s 1400 -M 1280' "
               "2001:db8::2 2001:db8::3", host)
    assert d.result == R.RESULT_NONE
    assert [(p.icmp_type, p.dst[-1]) for _, p in host.sent] == [
        (128, 2), (2, 2), (128, 3), (128, 2), (128, 3)]
    assert [bool(p.replies[0].flags) for p in d.probes] == [
        False, True, True, True]


def test_too_big_trick_no_ptb_for_small_replies_or_ipv4():
    host = TooBigHost(counter())
    d = run_dl("-m ally -W 200 -q 2 -p '-P icmp-echo -s 1200 -M 1280' "
               "2001:db8::2 2001:db8::3", host)
    # whole replies within the mtu: no IP-ID, and nothing to do about it
    assert d.result == R.RESULT_NONE and len(host.sent) == 1
    m = make("-m ally -p '-P icmp-echo -M 1280' 192.0.2.2 192.0.2.3")
    assert m.tap == 0    # (no interface in this context)


# --- radargun ----------------------------------------------------------------

def test_radargun_rounds():
    d, _ = run("-m radargun -W 50 -r 1000 -q 2 198.18.2.2 198.18.3.1 "
               "198.51.100.1", path('198.18.2.2'), path('198.18.3.1'),
               path('198.51.100.1', dst_mode='silent'))
    assert d.result == R.RESULT_NONE
    assert [(p.probedef.id, p.seq) for p in d.probes] == \
        [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]
    assert txs(d) == [0, 0.05, 0.1, 1, 1.05, 1.1]
    assert [len(p.replies) for p in d.probes] == [1, 1, 0, 1, 1, 0]


def test_radargun_round_shorter_than_its_probes():
    d, _ = run("-m radargun -W 50 -q 3 -p '-P icmp-echo' 198.18.2.2 "
               "203.0.113.10", path('198.18.2.2'), path('203.0.113.10'))
    assert txs(d) == [0, 0.05, 0.1, 0.15, 0.2, 0.25]


def test_radargun_shuffle_visits_each_probedef_once_a_round():
    d, _ = run("-m radargun -O shuffle -q 4 -W 10 -r 100 192.0.2.10 "
               "192.0.2.11 192.0.2.12 192.0.2.13",
               *[path('192.0.2.1%d' % i) for i in range(4)])
    for rnd in range(4):
        ids = [p.probedef.id for p in d.probes if p.seq == rnd]
        assert sorted(ids) == [0, 1, 2, 3]


# --- bump ----------------------------------------------------------------------

def test_bump_not_aliases_with_separate_counters():
    d, _ = run("-m bump -p '-i 198.18.2.2' -p '-i 198.18.3.1'",
               path('198.18.2.2', dst_ipid=counter(100)),
               path('198.18.3.1', dst_ipid=counter(30000)))
    assert d.result == R.RESULT_NOTALIASES
    assert [p.probedef.id for p in d.probes] == [0, 1, 0]
    assert txs(d) == [0, 1, 2]


def test_bump_aliases_after_its_attempts():
    shared = counter()
    d, _ = run("-m bump -W 10 -q 1 -p '-i 198.18.2.2' -p '-i 198.18.3.1'",
               path('198.18.2.2', dst_ipid=shared),
               path('198.18.3.1', dst_ipid=shared))
    assert d.result == R.RESULT_ALIASES
    # three probes, then bump 3 (= 2*1, never 2) more to the same address
    assert [p.probedef.id for p in d.probes][:7] == [0, 1, 0, 1, 1, 1, 1]


def test_bump_none_when_the_velocity_is_past_the_limit():
    shared = counter(100, 20)
    d, _ = run("-m bump -p '-i 198.18.2.2' -p '-i 198.18.3.1'",
               path('198.18.2.2', dst_ipid=shared),
               path('198.18.3.1', dst_ipid=shared))
    assert d.result == R.RESULT_NONE and len(d.probes) == 3


# --- prefixscan ----------------------------------------------------------------

def test_prefixscan_order():
    def order(b, prefix, a='192.0.2.1', xs=()):
        return [str(x[3]) for x in prefixscan_addrs(
            A(a), A(b), prefix, [A(x) for x in xs])]
    assert order('198.18.3.0', 29) == '1 2 3 4 5 6 7'.split()
    assert order('198.18.3.1', 30, a='198.18.3.2') == ['0', '3']
    assert order('198.18.3.6', 28, xs=['198.18.3.4']) == \
        '5 7 0 1 2 3 8 9 10 11 12 13 14 15'.split()
    assert order('198.18.3.6', 31) == ['7']


def test_prefixscan_finds_an_alias_by_ipid():
    shared = counter()
    d, _ = run("-m prefixscan -W 100 -o 3 -p '-P icmp-echo' 198.18.2.2 "
               "198.18.3.0/30", path('198.18.2.2', dst_ipid=shared),
               path('198.18.3.1', dst_ipid=counter(40000)),
               path('198.18.3.2', dst_ipid=shared))
    assert d.result == R.RESULT_ALIASES and d.ab == A('198.18.3.2')
    assert [x.dst[3] for x in d.probedefs] == [2, 1, 2]
    assert [(p.probedef.id, p.seq) for p in d.probes] == \
        [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1)]


def test_prefixscan_alias_from_a_port_unreachable_source():
    d, _ = run("-m prefixscan -W 100 -p '-P udp' 198.18.2.2 198.18.3.0/30",
               path('198.18.2.2', dst_src='198.18.3.2'),
               path('198.18.3.1', dst_ipid=counter(40000)))
    # a answers from .2, a candidate: no need to probe it
    assert d.result == R.RESULT_ALIASES and d.ab == A('198.18.3.2')
    assert d.flags & R.PREFIXSCAN_FLAG_CSA


def test_prefixscan_none_after_silent_candidates():
    d, _ = run("-m prefixscan -W 100 -p '-P udp' -x 198.18.3.2 198.18.2.2 "
               "198.18.3.0/30", path('198.18.2.2', dst_ipid=counter()),
               path('198.18.3.1', dst_ipid=counter(30000)))
    assert d.result == R.RESULT_NONE
    assert [(p.probedef.id, p.seq) for p in d.probes] == \
        [(0, 0), (1, 0), (2, 0), (2, 1)]
    assert txs(d)[-1] == 0.3


# --- IP-ID tests and matching ---------------------------------------------------

class _P:
    def __init__(self, pd, ipid):
        self.probedef, self.seq = pd, 0
        self.replies = [R.DealiasReply(ipid=ipid, ipid32=ipid)]


def test_ipid_inseq():
    pd = R.DealiasProbedef(dst=A('192.0.2.1'))
    ps = lambda *ids: [_P(pd, i) for i in ids]     # noqa: E731
    assert ipid_inseq(ps(1, 2, 3), 0, 0) == 1
    assert ipid_inseq(ps(1, 3, 2), 0, 0) == 0
    assert ipid_inseq(ps(65530, 5, 10), 20, 0) == 1      # wraps
    assert ipid_inseq(ps(1, 300), 200, 0) == 0
    assert ipid_inseq(ps(1, 300), 0, 0) == 1     # strict: cannot tell
    assert ipid_inseq(ps(0x100, 0x200, 0x300), 10, 0) == 0
    assert ipid_inseq(ps(0x100, 0x200, 0x300), 10, 2) == 1
    assert ipid_inseq(ps(5), 10, 0) == -1


def port_unreach(p, src, rx, **kw):
    r = Reply(family=4, src=src, dst=p.src, ttl=60, ipid=7, rx=rx,
              proto=IPPROTO_ICMP, icmp_type=3, icmp_code=3, q_src=p.src,
              q_dst=p.dst, q_ttl=1, q_proto=IPPROTO_UDP, q_ipid=p.ipid,
              q_sport=p.sport, q_dport=p.dport)
    r.__dict__.update(kw)
    return r


def test_matching_needs_the_quoted_ipid_port_and_a_recent_probe():
    m = make('-m mercator 198.18.2.2')
    m.start(T0)
    p = m.next_probe(T0)
    p.tx = T0
    dst = A('198.18.2.2')
    for bad in ({'q_ipid': 0xfffe}, {'q_ipid': 0x1212}, {'q_sport': 1},
                {'q_dport': 1}, {'icmp_type': 12}):
        m.receive(port_unreach(p, dst, T0 + 0.1, **bad), T0 + 0.1)
        assert not m.done and not m.result.probes[0].replies, bad
    m.receive(port_unreach(p, dst, T0 + 11), T0 + 11)
    assert not m.done
    m.receive(port_unreach(p, dst, T0 + 0.5), T0 + 0.5)
    assert m.done and m.result.probes[0].replies[0].rx == T0 + 0.5


def test_halt_and_send_error():
    m = make('-m mercator 198.18.2.2')
    m.start(T0)
    m.next_probe(T0).tx = T0
    m.halt(T0 + 1)
    assert m.done and m.result.result == 3      # halted
    m = make('-m mercator 198.18.2.2')
    m.start(T0)
    p = m.next_probe(T0)
    m.send_error(p, 1, T0)
    assert m.done and m.result.probes == [] and m.result.result == 0
