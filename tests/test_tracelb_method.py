"""The tracelb method (a port of scamper 20211212's MDA) against the
simulated network: probe contents, how hops become nodes, links and
clumps, retries, gaps and limits.  The ecmp cases rebuild the lab's
topology, whose runs of Debian's scamper are the goldens in
tests/data/tracelb/."""

import pathlib

from simnet import A, Balanced, Hop, Network, Path, drive
from scamperd.method import Context
from scamperd.probe import (IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TH_ACK,
                            TH_SYN)
from scamperd.tracelb import cmd

GOLDEN = pathlib.Path(__file__).parent / 'data' / 'tracelb'
DST = '203.0.113.10'


def method(words, src='192.0.2.1', sport=40000):
    return cmd.parse(words.split()).create(Context(A(src), sport))


def run(net, words, **kw):
    m = method(words, **kw)
    return m, drive(m, net)


def sent(net):
    return [p for _, p in net.sent]


def line():
    return Network(Path(DST, [Hop('192.0.2.2'), Hop('198.18.2.2'),
                              Hop('198.18.3.2')]))


def ecmp(dst=DST, **kw):
    """The ecmp lab: r1 spreads flows over r2a and r2b; r3 answers from
    the interface each reaches it on."""
    r1 = Hop('192.0.2.2')
    return Network(Balanced([
        Path(dst, [r1, Hop('198.18.2.2'), Hop('198.18.4.2')], **kw),
        Path(dst, [r1, Hop('198.18.3.2'), Hop('198.18.5.2')], **kw)]))


def test_line_udp_dport_probes():
    net = line()
    m, t = run(net, DST)
    probes = sent(net)
    assert len(probes) == t.probec == 14
    first = probes[0]
    assert (first.proto, first.ttl, first.sport, first.dport, first.size,
            first.df) == (IPPROTO_UDP, 1, 40000, 33435, 44, True)
    # the probe id (from 1) in the IP id and the UDP checksum; the flow
    # id in the destination port, from -d up
    assert [(p.ipid, p.udp_sum) for p in probes] == [(i, i)
                                                     for i in range(1, 15)]
    assert [p.dport for p in probes[1:7]] == list(range(33435, 33441))
    assert [p.ttl for p in probes] == [1] + [2] * 6 + [3] * 6 + [4]
    assert t.to_text() == (
        'tracelb from 192.0.2.1 to 203.0.113.10, 4 nodes, 3 links, '
        '14 probes, 95%\n192.0.2.2 -> 198.18.2.2\n'
        '198.18.2.2 -> 198.18.3.2\n198.18.3.2 -> 203.0.113.10\n')
    # hop 3 is probed with the flows known to reach 198.18.2.2
    assert [p.flowid for p in t.links[1].sets[0]] == list(range(33435,
                                                                33441))
    assert t.nodes[0].q_ttl == 1 and t.nodes[0].flags == 1


def test_ecmp_after_the_first_hop_is_one_clumped_link():
    """As the lab gave Debian's scamper (tracelb-udp-dport golden)."""
    net = ecmp()
    m, t = run(net, DST)
    assert t.to_text() == (GOLDEN / 'tracelb-udp-dport.txt').read_text()
    link = t.links[0]
    assert [len(s) for s in link.sets] == [11, 11, 1]
    assert [p.flowid for p in link.sets[1]] == \
        [p.flowid for p in link.sets[0]]


def test_ecmp_udp_sport_and_tcp():
    for method_, golden in (('udp-sport', 'tracelb-udp-sport.txt'),
                            ('tcp-sport', 'tracelb-tcp-sport.txt'),
                            ('tcp-ack-sport', 'tracelb-tcp-ack-sport.txt')):
        net = ecmp()
        m, t = run(net, '-P %s -d 80 %s' % (method_, DST))
        assert t.to_text() == (GOLDEN / golden).read_text()
        probes = sent(net)
        assert {p.dport for p in probes} == {80}
        assert [p.sport for p in probes[1:12]] == list(range(40000, 40011))
    tcp = probes[0]
    assert (tcp.proto, tcp.tcp_flags, tcp.size, tcp.ipid) == \
        (IPPROTO_TCP, TH_ACK, 40, 1)
    last = t.links[0].sets[-1][0].replies[0]
    assert last.is_tcp and last.tcp_flags & 0x04


def test_icmp_echo_flow_id_is_the_checksum():
    net = ecmp()
    m, t = run(net, '-P icmp-echo %s' % DST)
    probes = sent(net)
    assert all(p.proto == IPPROTO_ICMP and p.icmp_id == 40000
               for p in probes)
    assert [p.icmp_seq for p in probes] == list(range(len(probes)))
    assert [p.icmp_sum for p in probes[:7]] == [1, 1, 2, 3, 4, 5, 6]
    assert t.links[0].to.addr == A(DST)
    assert t.links[0].sets[-1][0].replies[0].icmp_type == 0


def test_silent_destination_ends_in_a_gap():
    """tracelb-silent: -g 2 stops after two unanswered hops."""
    net = ecmp('203.0.113.20', dst_mode='silent')
    m, t = run(net, '-P udp-dport -w 1 -q 1 -g 2 203.0.113.20')
    assert t.to_text() == (GOLDEN / 'tracelb-silent.txt').read_text()
    assert t.links[0].to is None


def test_diamond_branches_and_merges():
    """r2 balances flows over a and b, which both lead to r4 (answering
    from one address): the per-packet check, two branches, and the second
    joining the first at r4."""
    r1, r2, a, b, r4 = (Hop(x) for x in ('192.0.2.2', '198.18.2.2',
                                         '198.18.3.1', '198.18.3.2',
                                         '198.18.4.2'))
    net = Network(Balanced([Path(DST, [r1, r2, a, r4]),
                            Path(DST, [r1, r2, b, r4])]))
    m, t = run(net, DST)
    assert t.to_text() == (
        'tracelb from 192.0.2.1 to 203.0.113.10, 6 nodes, 6 links, '
        '38 probes, 95%\n'
        '192.0.2.2 -> 198.18.2.2\n198.18.2.2 -> 198.18.3.1\n'
        '198.18.2.2 -> 198.18.3.2\n198.18.3.1 -> 198.18.4.2\n'
        '198.18.3.2 -> 198.18.4.2\n198.18.4.2 -> 203.0.113.10\n')
    probes = [(p.ttl, p.dport) for p in sent(net)]
    # 11 flows find two next hops at hop 3, then the per-packet check
    # repeats the first flow of the first (six answers alike)
    assert probes[18:24] == [(3, 33436)] * 6
    # the branch past 198.18.3.2 has five flows that reach it: a sixth is
    # brought forward (probed at hop 3 until it gets there), then used
    assert probes[30:] == [(4, 33436), (4, 33438), (4, 33440), (4, 33442),
                           (4, 33444), (3, 33446), (4, 33446), (5, 33435)]
    assert [p.flowid for p in t.links[3].sets[0]] == [33436, 33438, 33440,
                                                      33442, 33444, 33446]
    # only one node per address: r4 is found once
    assert [n.addr for n in t.nodes].count(A('198.18.4.2')) == 1


def test_per_packet_balancer_is_a_clump():
    net = Network(Path(DST, [Hop('192.0.2.2'), Hop('198.18.2.2'),
                             Hop(addrs=['198.18.3.1', '198.18.3.2']),
                             Hop('198.18.4.2')]))
    m, t = run(net, DST)
    assert t.to_text().splitlines()[2] == \
        '198.18.2.2 -> (198.18.3.1, 198.18.3.2) -> 198.18.4.2'


def test_lost_probe_is_sent_again():
    net = Network(Path(DST, [Hop('192.0.2.2'), Hop('198.18.2.2', drop={2}),
                             Hop('198.18.3.2')]))
    m, t = run(net, DST)
    ps = t.links[0].sets[0]
    assert [(p.flowid, p.attempt, len(p.replies)) for p in ps[:3]] == [
        (33435, 0, 1), (33436, 0, 0), (33436, 1, 1)]
    # the retry waits for the 5 s timeout
    assert ps[2].tx - ps[1].tx == 5.0
    assert t.probec == 15


def test_probe_limit_and_halt():
    r1 = Hop('192.0.2.2')
    paths = [Path(DST, [r1] + [Hop('198.18.%d.%d' % (i, j))
                               for i in range(2, 12)]) for j in (1, 2, 3)]
    net = Network(Balanced(paths))
    m, t = run(net, '-Q 50 %s' % DST)
    assert t.probec == 50 == len(net.sent)

    m = method(DST)
    m.start(100.0)
    m.next_probe(100.0)
    m.halt(100.5)
    assert m.done and m.result.probec == 1 and m.result.nodes == []


def test_ipv6_udp():
    net = Network(Path('2001:db8:203::10', [Hop('2001:db8:1::2'),
                                            Hop('2001:db8:2::2')]))
    m, t = run(net, '2001:db8:203::10', src='2001:db8:1::1')
    probes = sent(net)
    assert [(p.family, p.size, p.udp_sum, p.df) for p in probes[:2]] == [
        (6, 60, 1, False), (6, 60, 2, False)]
    assert t.to_text().splitlines()[1:] == [
        '2001:db8:1::2 -> 2001:db8:2::2', '2001:db8:2::2 -> 2001:db8:203::10']


def test_unmatched_replies_are_ignored():
    net = line()
    m = method(DST)
    m.start(0.0)
    p = m.next_probe(0.0)
    p.tx = 0.0
    _, r = net.answer(p, 0.0)
    r.q_sport = 1234                    # not our source port
    m.receive(r, 0.1)
    _, r = net.answer(p, 0.0)
    r.q_udp_sum = r.q_ipid = 9          # no probe 8 sent
    m.receive(r, 0.1)
    assert m.probes[0].probe.replies == []
    _, r = net.answer(p, 0.0)
    m.receive(r, 0.1)
    assert len(m.result.nodes if m.done else m.trace.nodes) == 1


def test_tcp_syn_flags():
    net = ecmp()
    m, t = run(net, '-P tcp-sport -d 80 %s' % DST)
    assert {p.tcp_flags for p in sent(net)} == {TH_SYN}
