"""The ping method driven by the simulated network (tests/simnet.py)."""

import struct

import pytest

from scamperd.method import Context
from scamperd.ping import result as R
from scamperd.ping.cmd import parse
from scamperd.ping.method import checksum
from scamperd.probe import (
    Reply, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
    TH_SYN, TH_ACK, TH_RST)
from simnet import A, Hop, Network, Path, drive

V4, V6 = '192.0.2.9', '2001:db8::9'
SRC = {4: A('192.0.2.1'), 6: A('2001:db8::1')}
SPORT = 0x8123


def make(args, seed=1):
    import random
    cmd = parse(args)
    m = cmd.create(Context(SRC[cmd.family], SPORT))
    m.rng = random.Random(seed)
    return m


def net(**kw):
    return Network(Path(V4, [Hop('192.0.2.254')], **kw),
                   Path(V6, [Hop('2001:db8::fe')], **kw))


class Clock:
    """Wraps a method to remember when the engine last called it."""

    def __init__(self, m):
        self.m, self.calls = m, []

    def __getattr__(self, k):
        attr = getattr(self.m, k)
        if k in ('handle_timer', 'receive', 'next_probe', 'halt'):
            def call(*a):
                self.calls.append((k, a[-1]))
                return attr(*a)
            return call
        return attr


# method, family, reply check: (proto, icmp type, tcp flags)
CASES = [
    ('icmp-echo', 4, (IPPROTO_ICMP, 0, None)),
    ('icmp-echo', 6, (IPPROTO_ICMPV6, 129, None)),
    ('icmp-time', 4, (IPPROTO_ICMP, 14, None)),
    ('tcp-syn', 4, (IPPROTO_TCP, None, TH_SYN | TH_ACK)),
    ('tcp-syn', 6, (IPPROTO_TCP, None, TH_SYN | TH_ACK)),
    ('tcp-ack', 4, (IPPROTO_TCP, None, TH_RST)),
    ('tcp-ack', 6, (IPPROTO_TCP, None, TH_RST)),
    ('tcp-ack-sport', 4, (IPPROTO_TCP, None, TH_RST)),
    ('tcp-ack-sport', 6, (IPPROTO_TCP, None, TH_RST)),
    ('udp', 4, (IPPROTO_ICMP, 3, None)),
    ('udp', 6, (IPPROTO_ICMPV6, 1, None)),
    ('udp-dport', 4, (IPPROTO_ICMP, 3, None)),
    ('udp-dport', 6, (IPPROTO_ICMPV6, 1, None)),
]


@pytest.mark.parametrize('method,family,want', CASES)
def test_every_method(method, family, want):
    dst = V4 if family == 4 else V6
    m = make(['-c', '3', '-P', method, dst])
    n = net()
    res = drive(m, n)
    assert res.stop_reason == R.STOP_COMPLETED
    assert res.ping_sent == 3 and res.method == method
    assert res.probes == [1000.0, 1001.0, 1002.0]
    assert res.src == SRC[family] and res.dst == A(dst)
    probes = [p for _, p in n.sent]
    assert len(probes) == 3
    for i, rs in enumerate(res.replies):
        assert len(rs) == 1
        r = rs[0]
        assert (r.reply_proto, r.icmp_type, r.tcp_flags) == want
        assert (r.addr, r.probe_id, r.tx, r.rtt) == (A(dst), i, 1000.0 + i,
                                                     2000)
        assert r.flags & R.REPLY_FLAG_REPLY_TTL and r.reply_ttl == 64
        if family == 4:
            assert r.probe_ipid == probes[i].ipid != 0
            assert r.reply_ipid == (0x4321 if method[0] == 'u' else 0x1234)
            assert res.probe_ipids[i] == probes[i].ipid
        else:
            assert r.probe_ipid is None and probes[i].ipid == 0
    p0, p2 = probes[0], probes[2]
    assert all(p.size == res.probe_size for p in probes) or \
        method == 'icmp-time'
    assert p0.ttl == 64 and p0.df == (family == 4)
    if method.startswith('icmp'):
        assert (p0.icmp_id, p0.icmp_seq, p2.icmp_seq) == (SPORT, 0, 2)
    elif method == 'tcp-ack-sport':
        assert (p0.sport, p2.sport, p2.dport) == (SPORT, SPORT + 2, 33435)
    elif method == 'udp-dport':
        assert (p0.dport, p2.dport, p2.sport) == (33435, 33437, SPORT)
    else:
        assert (p0.sport, p2.sport, p0.dport, p2.dport) == \
            (SPORT, SPORT, 33435, 33435)


def test_a_ping_keeps_only_the_time_and_ip_id_of_a_probe_sent():
    """A list's pings wait for their replies by the thousand: once the
    engine says a probe has left (probe_sent), the ping keeps its time and
    IP-ID, not the Probe, and matches and reports from those."""
    from scamperd.ping.method import Sent
    m = make(['-c', '2', '-i', '0.1', V4])
    n = net()
    res = drive(m, n)
    probes = [p for _, p in n.sent]
    assert [type(s) for s in m.sent] == [Sent, Sent]
    assert [(s.tx, s.ipid) for s in m.sent] == [(p.tx, p.ipid)
                                                 for p in probes]
    assert type(m.last) is Sent and m.last.tx == probes[1].tx
    assert res.probes == [p.tx for p in probes]
    assert res.probe_ipids == [p.ipid for p in probes]
    assert [r[0].probe_ipid for r in res.replies] == [p.ipid for p in probes]


def test_tcp_numbers():
    m = make(['-c', '1', '-P', 'tcp-syn', '-A', '1234', V4])
    n = net()
    res = drive(m, n)
    p = n.sent[0][1]
    assert (p.tcp_flags, p.tcp_seq, p.tcp_ack) == (TH_SYN, 1234, 0)
    assert (res.probe_tcpseq, res.probe_tcpack) == (1234, 0)
    m = make(['-c', '1', '-P', 'tcp-ack', '-A', '77', V4])
    n = net()
    res = drive(m, n)
    p = n.sent[0][1]
    assert (p.tcp_flags, p.tcp_ack, res.probe_tcpack) == (TH_ACK, 77, 77)
    assert p.tcp_seq == res.probe_tcpseq


@pytest.mark.parametrize('method,flags,seq', [
    ('tcp-synack', TH_SYN | TH_ACK, False), ('tcp-rst', TH_RST, True)])
def test_other_tcp_probes(method, flags, seq):
    m = started(['-c', '1', '-P', method, '-A', '5', V4], 1)
    p = m.sent[0]
    assert p.tcp_flags == flags
    assert (p.tcp_seq == 5) == seq and (p.tcp_ack == 5) != seq


def test_icmp_time_probe():
    m = make(['-c', '1', '-P', 'icmp-time', V4])
    n = net()
    res = drive(m, n, start=86400 * 3 + 5.25)
    p = n.sent[0][1]
    # 72 bytes on the wire, as scamper sends it (probe_size still says 84)
    assert res.probe_size == 84 and p.size == 72 and len(p.payload) == 44
    assert struct.unpack('!I', p.payload[:4])[0] == 5250
    assert res.replies[0][0].tsreply == (0, 1000, 1001)


def test_loss():
    res = drive(make(['-c', '4', V4]), net(dst_drop={2, 4}))
    assert [len(r) for r in res.replies] == [1, 0, 1, 0]
    assert res.ping_sent == 4 and res.stop_reason == R.STOP_COMPLETED


def test_reply_count_stops_early():
    m = Clock(make(['-c', '5', '-o', '2', V4]))
    res = drive(m, net())
    assert res.ping_sent == 2 and res.stop_reason == R.STOP_COMPLETED
    assert m.calls[-1] == ('receive', 1001.002)
    assert res.probes == [1000.0, 1001.0, None, None, None]


def test_wait_between_probes_and_timeout_after_last():
    m = Clock(make(['-c', '3', '-i', '0.25', '-W', '3', V4]))
    res = drive(m, net(dst_mode='silent'))
    assert res.probes == [1000.0, 1000.25, 1000.5]
    assert res.probe_wait == 0.25 and res.probe_timeout == 3
    assert m.calls[-1] == ('handle_timer', 1003.5)
    assert all(r == [] for r in res.replies)


def test_timer_is_from_actual_tx():
    m = make(['-c', '2', '-W', '2', V4])
    m.start(10.0)
    p = m.next_probe(10.0)
    p.tx = 10.3                   # the engine sent it late
    assert not m.ready() and m.timer() == 11.3
    m.handle_timer(11.0)          # early: nothing happens
    assert not m.ready()
    m.handle_timer(11.3)
    assert m.ready()
    p = m.next_probe(11.3)
    p.tx = 11.3
    assert m.timer() == 13.3
    m.handle_timer(13.3)
    assert m.done and m.result.stop_reason == R.STOP_COMPLETED


def echo(m, i, src=V4, **kw):
    """An echo reply to probe i of ``m``."""
    p = m.sent[i]
    d = dict(family=4, src=A(src), dst=p.src, proto=IPPROTO_ICMP,
             icmp_type=0, icmp_code=0, icmp_id=p.icmp_id,
             icmp_seq=p.icmp_seq, ttl=60, tos=0, ipid=9, size=84,
             rx=p.tx + 0.01)
    d.update(kw)
    return Reply(**d)


def started(args, n):
    m = make(args)
    m.start(0.0)
    for i in range(n):
        if i:
            m.handle_timer(float(i))
        p = m.next_probe(float(i))
        p.tx = float(i)
    return m


def test_duplicates_kept_and_counted_once():
    m = started(['-c', '3', '-o', '2', V4], 1)
    m.receive(echo(m, 0), 0.01)
    m.receive(echo(m, 0), 0.02)
    assert not m.done
    assert len(m.result.replies[0]) == 2
    p = m.next_probe(1.0)
    p.tx = 1.0
    m.receive(echo(m, 1), 1.01)
    assert m.done and m.result.stop_reason == R.STOP_COMPLETED


def test_stray_replies_ignored():
    m = make(['-c', '3', V4])
    m.start(0.0)
    m.receive(Reply(family=4, src=A(V4), proto=IPPROTO_ICMP, icmp_type=0,
                    icmp_code=0, icmp_id=SPORT, icmp_seq=0, rx=0.0), 0.0)
    p = m.next_probe(0.0)
    p.tx = 0.0
    for r in (echo(m, 0, icmp_id=SPORT + 1),      # not our identifier
              echo(m, 0, icmp_seq=1),             # a probe not yet sent
              echo(m, 0, icmp_type=14),           # not an echo reply
              echo(m, 0, icmp_type=8),            # an echo request
              # an ICMP error quoting something else
              echo(m, 0, icmp_type=11, q_proto=IPPROTO_UDP, q_sport=SPORT,
                   q_dport=33435, q_dst=A(V4)),
              echo(m, 0, icmp_type=5, q_proto=IPPROTO_ICMP, q_icmp_type=8,
                   q_icmp_id=SPORT, q_icmp_seq=0),  # redirect
              Reply(family=4, src=A(V4), proto=IPPROTO_TCP, sport=80,
                    dport=SPORT, tcp_flags=TH_RST, rx=0.1)):
        m.receive(r, 0.1)
    assert m.result.replies[0] == []


def test_stray_transport_replies_ignored():
    m = started(['-c', '2', '-P', 'tcp-ack', V4], 1)
    tcp = dict(family=4, src=A(V4), proto=IPPROTO_TCP, tcp_flags=TH_RST,
               ipid=0, ttl=64, size=40, rx=0.1)
    m.receive(Reply(sport=33435, dport=SPORT + 1, **tcp), 0.1)
    m.receive(Reply(sport=33436, dport=SPORT, **tcp), 0.1)
    assert m.result.replies[0] == []
    m.receive(Reply(sport=33435, dport=SPORT, **tcp), 0.1)
    assert len(m.result.replies[0]) == 1
    m = started(['-c', '2', '-P', 'udp-dport', V4], 1)
    err = dict(family=4, src=A(V4), proto=IPPROTO_ICMP, icmp_type=3,
               icmp_code=3, q_proto=IPPROTO_UDP, q_dst=A(V4), ttl=64,
               size=68, rx=0.1)
    m.receive(Reply(q_sport=SPORT, q_dport=33436, **err), 0.1)  # not sent
    m.receive(Reply(q_sport=SPORT + 1, q_dport=33435, **err), 0.1)
    m.receive(Reply(q_sport=SPORT, q_dport=33435,
                    **dict(err, q_proto=IPPROTO_TCP)), 0.1)
    assert m.result.replies[0] == []
    m.receive(Reply(q_sport=SPORT, q_dport=33435, **err), 0.1)
    assert len(m.result.replies[0]) == 1


def test_ipid_matches_fixed_port_probes():
    m = started(['-c', '4', '-P', 'udp', V4], 3)
    ids = [p.ipid for p in m.sent]
    err = dict(family=4, src=A(V4), proto=IPPROTO_ICMP, icmp_type=3,
               icmp_code=3, q_proto=IPPROTO_UDP, q_dst=A(V4), q_sport=SPORT,
               q_dport=33435, ttl=64, size=68, rx=3.5)
    m.receive(Reply(q_ipid=ids[0], **err), 3.5)
    m.receive(Reply(q_ipid=(ids[2] + 1) & 0xffff or 1, **err), 3.5)
    assert len(m.result.replies[0]) == 1     # matched by IP-ID
    assert len(m.result.replies[2]) == 1     # no match: the latest probe


def test_icmp_errors_from_routers_are_recorded():
    res = drive(make(['-c', '2', '-m', '1', V4]), net())
    for i in range(2):
        r, = res.replies[i]
        assert (r.addr, r.icmp_type, r.icmp_code) == (A('192.0.2.254'), 11, 0)
        assert r.rtt == 1000
    res = drive(make(['-c', '1', '-m', '1', '-P', 'tcp-syn', V6]), net())
    r, = res.replies[0]
    assert (r.addr, r.icmp_type, r.reply_proto) == \
        (A('2001:db8::fe'), 3, IPPROTO_ICMPV6)


def test_record_route():
    m = make(['-c', '1', '-R', V4])
    n = net()
    res = drive(m, n)
    assert n.sent[0][1].ip_options == bytes([7, 39, 4]) + bytes(37)
    assert res.replies[0][0].v4rr == [SRC[4], A(V4)]
    assert res.flags == R.FLAG_V4RR


@pytest.mark.parametrize('opt,want', [
    ('tsonly', bytes([68, 40, 5, 0]) + bytes(36)),
    ('tsandaddr', bytes([68, 36, 5, 1]) + bytes(32)),
    ('tsprespec=192.0.2.9,192.0.2.1',
     bytes([68, 20, 5, 3, 192, 0, 2, 9, 0, 0, 0, 0, 192, 0, 2, 1, 0, 0, 0, 0])),
])
def test_timestamp_option(opt, want):
    m = started(['-c', '1', '-T', opt, V4], 1)
    p = m.sent[0]
    assert p.ip_options == want
    assert p.size == m.result.probe_size == 20 + len(want) + 8 + 56
    if opt.startswith('tsprespec'):
        # scamper sends a payload as long as if the option were not there
        assert len(p.payload) == m.result.probe_size - 20 - 8 == 76
    else:
        assert len(p.payload) == 56
    ts = [(A(V4), 1234), (None, 99)]
    m.receive(echo(m, 0, ts=ts), 0.01)
    assert m.result.replies[0][0].v4ts == ts


def test_halt():
    m = Clock(make(['-c', '10', V4]))
    m.start(0.0)
    m.next_probe(0.0).tx = 0.0
    m.halt(0.5)
    assert m.done and m.result.stop_reason == R.STOP_HALTED
    assert m.result.ping_sent == 1 and not m.ready() and m.timer() is None
    m.receive(echo(m.m, 0), 0.6)
    assert m.result.replies[0] == []


def test_send_error():
    m = make(['-c', '3', V4])
    m.start(0.0)
    p = m.next_probe(0.0)
    m.send_error(p, 101, 0.0)
    assert m.done and m.result.stop_reason == R.STOP_ERROR
    assert m.result.stop_data == 101 and m.result.ping_sent == 0


def icmp_sum(p, v6=False):
    msg = struct.pack('!BBHHH', p.icmp_type, 0, 0, p.icmp_id,
                      p.icmp_seq) + p.payload
    if v6:
        msg = p.src + p.dst + struct.pack('!II', len(msg), 58) + msg
    return checksum(msg)


def test_icmp_checksum():
    p = started(['-c', '1', '-C', '4660', '-p', '0a0b', V4], 1).sent[0]
    # scratch bytes lead the payload: the encoder fixes them (Probe.icmp_sum)
    assert p.icmp_sum == 4660 and p.payload[:4] == b'\0\0\x0a\x0b'
    assert len(p.payload) == 58
    # after the embedded source or the timestamps: done by the method
    m = started(['-c', '1', '-C', '4660', '-O', 'spoof', '-S', '192.0.2.77',
                 V4], 1)
    p = m.sent[0]
    assert p.src == A('192.0.2.77') and p.payload[:4] == SRC[4]
    assert p.icmp_sum is None and icmp_sum(p) == 4660
    p = started(['-c', '1', '-C', '7', '-P', 'icmp-time', V4], 1).sent[0]
    assert p.icmp_sum is None and icmp_sum(p) == 7
    p = started(['-c', '1', '-C', '9', '-O', 'spoof', '-S', '2001:db8::77',
                 V6], 1).sent[0]
    assert p.payload[:16] == SRC[6] and icmp_sum(p, True) == 9


def test_payload_and_pattern_layout():
    p = started(['-c', '1', '-B', '0102', V4], 1).sent[0]
    assert p.payload == b'\x01\x02' and p.size == 30
    p = started(['-c', '1', '-s', '40', '-p', '010203', V4], 1).sent[0]
    assert p.payload == bytes.fromhex('010203010203010203010203')
    p = started(['-c', '1', '-P', 'udp', '-s', '33', '-B', '05', V4],
                1).sent[0]
    assert p.payload == b'\x05' + bytes(4)


def test_pseudo_mtu_sends_packet_too_big():
    m = started(['-c', '2', '-M', '100', '-s', '200', V4], 1)
    m.receive(echo(m, 0, size=200, ipid=77), 0.01)
    assert m.ready()
    ptb = m.next_probe(0.01)
    assert (ptb.icmp_type, ptb.icmp_code, ptb.icmp_seq, ptb.ttl) == \
        (3, 4, 100, 255)
    # the quote: the echo reply's IPv4 header and first 8 bytes
    assert len(ptb.payload) == 28 and ptb.payload[0] == 0x45
    assert ptb.payload[12:16] == A(V4) and ptb.payload[16:20] == SRC[4]
    assert checksum(ptb.payload[:20]) == 0
    assert ptb.payload[20] == 0 and ptb.payload[24:28] == \
        struct.pack('!HH', SPORT, 0)
    ptb.tx = 0.02
    assert len(m.sent) == 1           # a PTB is not a ping probe
    assert m.timer() == 1.02          # the wait restarts from the PTB
    m6 = started(['-c', '2', '-M', '1280', '-s', '1400', V6], 1)
    m6.receive(echo(m6, 0, src=V6, family=6, proto=IPPROTO_ICMPV6,
                    icmp_type=129, size=1400), 0.01)
    ptb = m6.next_probe(0.01)
    assert (ptb.icmp_type, ptb.icmp_id, ptb.icmp_seq) == (2, 0, 1280)
    assert len(ptb.payload) == 1232 and ptb.payload[0] >> 4 == 6


def test_too_big_trick_counts_fragments():
    m = started(['-c', '3', '-O', 'tbt', '-M', '1280', '-s', '1400', '-o',
                 '1', V6], 1)
    r6 = dict(src=V6, family=6, proto=IPPROTO_ICMPV6, icmp_type=129,
              size=1400)
    m.receive(echo(m, 0, **r6), 0.01)
    assert not m.done and m.next_probe(0.01).icmp_type == 2
    m.handle_timer(1.0)
    p = m.next_probe(1.0)
    p.tx = 1.0
    m.receive(echo(m, 1, frag=True, ipid=0xabcdef, **dict(r6, size=1280)),
              1.01)
    assert m.done and m.result.stop_reason == R.STOP_COMPLETED
    r = m.result.replies[1][0]
    assert r.reply_ipid32 == 0xabcdef and r.flags & R.REPLY_FLAG_REPLY_IPID
    # anything but an echo reply first ends the trick
    m = started(['-c', '3', '-O', 'tbt', '-M', '1280', '-s', '1400', V6], 1)
    m.receive(echo(m, 0, src='2001:db8::fe', family=6, proto=IPPROTO_ICMPV6,
                   icmp_type=1, icmp_code=4, q_proto=IPPROTO_ICMPV6,
                   q_icmp_type=128, q_icmp_id=SPORT, q_icmp_seq=0), 0.1)
    assert m.done and m.result.stop_reason == R.STOP_COMPLETED


def test_result_fields():
    m = make(['-c', '2', '-U', '5', '-z', '8', '-m', '9', '-F', '4000',
              '-d', '100', '-o', '9', '-P', 'udp', '-S', '192.0.2.1', V4])
    res = drive(m, net())
    assert (res.userid, res.probe_tos, res.probe_ttl, res.probe_sport,
            res.probe_dport, res.reply_count, res.probe_count,
            res.probe_size) == (5, 8, 9, 4000, 100, 9, 2, 40)
    assert res.start == 1000.0 and res.family == 4
