"""neighbourdisc's state machine against the simulated link, and the
engine's tap under it."""

import socket
import time

from scamperd.engine import Engine
from scamperd.neighbourdisc import result as R
from scamperd.neighbourdisc.cmd import parse
from scamperd.neighbourdisc.method import (NeighbourdiscMethod, advert_answer,
                                           arp_answer, arp_request,
                                           solicitation)
from scamperd.net.checksum import ones_sum
from scamperd.pacer import Pacer
from scamperd.probe import Probe, Reply
from simnet import A, Neighbour, Network, drive

OUR = bytes.fromhex('4a8977af2971')
THEIR = bytes.fromhex('12c131b2b139')
SRC4, DST4 = A('192.0.2.1'), A('192.0.2.2')
SRC6, DST6 = A('2001:db8:1::1'), A('2001:db8:1::2')


def method(line, src=SRC4):
    return NeighbourdiscMethod(parse(line.split()), src, 2, OUR)


def run(line, *hosts, src=SRC4, **kw):
    m = method(line, src)
    assert m.tap == 2
    net = Network(*hosts)
    return drive(m, net, **kw), net


def test_arp_request_frame():
    f = arp_request(OUR, SRC4, DST4)
    assert f == (b'\xff' * 6 + OUR + bytes.fromhex('0806 0001 0800 0604 0001')
                 + OUR + SRC4 + bytes(6) + DST4)
    assert len(f) == 42


def test_solicitation_frame():
    f = solicitation(OUR, SRC6, DST6)
    assert len(f) == 86
    assert f[:6] == bytes.fromhex('3333ff000002') and f[6:12] == OUR
    assert f[12:14] == b'\x86\xdd'
    ip6 = f[14:54]
    assert ip6[:8] == bytes.fromhex('6000000000203aff')
    assert ip6[8:24] == SRC6
    assert ip6[24:40] == A('ff02::1:ff00:2')
    icmp = f[54:]
    assert icmp[0] == 135 and icmp[8:24] == DST6
    assert icmp[24:32] == b'\x01\x01' + OUR
    pseudo = SRC6 + ip6[24:40] + (32).to_bytes(4, 'big') + bytes(3) + b':'
    assert ones_sum(pseudo + icmp) == 0xffff        # checksum is right


def test_arp_answered_once():
    nd, net = run('-i r1 192.0.2.2', Neighbour(DST4, THEIR))
    assert nd.method == R.METHOD_ARP and nd.ifname == 'r1'
    assert (nd.src_ip, nd.src_mac, nd.dst_ip, nd.dst_mac) == (
        SRC4, OUR, DST4, THEIR)
    assert len(nd.probes) == 1 and nd.start == 1000.0
    (probe,) = nd.probes
    assert probe.tx == 1000.0
    assert [(r.rx, r.mac) for r in probe.replies] == [(1000.0001, THEIR)]
    assert len(net.sent) == 1


def test_stops_after_the_wait_once_answered():
    m = method('-i r1 -q 3 -w 200 192.0.2.2')
    drive(m, Network(Neighbour(DST4, THEIR)))
    assert len(m.result.probes) == 1
    # the wait ends it, not the reply
    m = method('-i r1 -q 3 -w 200 192.0.2.2')
    m.start(0.0)
    p = m.next_probe(0.0)
    m.receive(Neighbour(DST4, THEIR).answer(p, 0.0)[1], 0.001)
    assert not m.done and m.timer() == 0.2
    m.handle_timer(0.2)
    assert m.done


def test_all_attempts():
    nd, net = run('-i r1 -q 2 -w 100 -Q 192.0.2.2', Neighbour(DST4, THEIR))
    assert nd.flags == R.FLAG_ALLATTEMPTS
    assert [len(p.replies) for p in nd.probes] == [1, 1]
    assert [p.tx for p in nd.probes] == [1000.0, 1000.1]


def test_first_response_stops_at_once():
    m = method('-i r1 -q 3 -w 100 -F -o 1 192.0.2.2')
    drive(m, Network(Neighbour(DST4, THEIR, drop={1})))
    nd = m.result
    assert [len(p.replies) for p in nd.probes] == [0, 1]
    assert nd.dst_mac == THEIR


def test_unanswered():
    nd, net = run('-i r1 -q 2 -w 100 192.0.2.99', Neighbour(DST4, THEIR))
    assert nd.dst_mac is None
    assert [len(p.replies) for p in nd.probes] == [0, 0]
    assert len(net.sent) == 2


def test_reply_count():
    nd, _ = run('-i r1 -q 5 -w 100 -Q -o 0 192.0.2.2',
                Neighbour(DST4, THEIR, drop={2, 3}))
    assert [len(p.replies) for p in nd.probes] == [1, 0, 0, 1, 1]
    nd, _ = run('-i r1 -q 5 -w 100 -o 2 192.0.2.2',
                Neighbour(DST4, THEIR))
    assert len(nd.probes) == 1


def test_nsol():
    nd, _ = run('-i r1 2001:db8:1::2', Neighbour(DST6, THEIR), src=SRC6)
    assert nd.method == R.METHOD_ND_NSOL
    assert nd.src_ip == SRC6 and nd.dst_mac == THEIR
    assert len(nd.probes[0].replies) == 1


def test_other_frames_ignored():
    m = method('-i r1 -q 1 -w 100 192.0.2.2')
    m.start(0.0)
    m.receive(Reply(frame=b'\0' * 60, link=1, rx=0.0), 0.0)  # before probes
    p = m.next_probe(0.0)
    ans = Neighbour(A('192.0.2.3'), THEIR).answer(p, 0.0)[1]
    m.receive(ans, 0.001)                  # another host's reply
    req = Reply(frame=p.frame, link=1, rx=0.001)
    m.receive(req, 0.001)                  # our own request going out
    m.receive(Reply(frame=Neighbour(DST4, THEIR).answer(p, 0)[1].frame,
                    link=772, rx=0.002), 0.002)     # not Ethernet
    m.handle_timer(0.1)
    assert m.done and m.result.probes[0].replies == []


def test_answer_parsers():
    arp = Neighbour(DST4, THEIR).answer(
        method('-i r1 192.0.2.2').next_probe(0.0), 0)[1].frame
    assert arp_answer(arp, DST4) == THEIR
    assert arp_answer(arp[:40], DST4) is None
    assert arp_answer(arp[:20] + b'\0\1' + arp[22:], DST4) is None  # request
    m6 = method('-i r1 2001:db8:1::2', SRC6)
    na = Neighbour(DST6, THEIR).answer(m6.next_probe(0.0), 0)[1].frame
    assert advert_answer(na, DST6) == THEIR
    assert advert_answer(na, SRC6) is None
    # an option of length zero ends the search
    assert advert_answer(na[:78] + b'\x01\x00' + na[80:], DST6) is None
    # options before the target link-layer address are skipped
    pre = b'\x0e\x01' + bytes(6)
    ip6 = bytearray(na[14:54])
    ip6[5] += 8
    longer = na[:14] + bytes(ip6) + na[54:78] + pre + na[78:]
    assert advert_answer(longer, DST6) == THEIR


def test_halt_and_send_error():
    m = method('-i r1 -q 3 192.0.2.2')
    m.start(0.0)
    m.next_probe(0.0)
    m.halt(0.5)
    assert m.done and len(m.result.probes) == 1
    m = method('-i r1 -q 3 192.0.2.2')
    m.start(0.0)
    p = m.next_probe(0.0)
    m.send_error(p, 100, 0.0)
    assert m.done and m.result.probes == []


class TapIO:
    """A datalink of the engine's (open_tap, send_frame, receive_frames)
    on a socketpair, answered by a simulated neighbour."""

    def __init__(self, host):
        self.host = host
        self.r, self.w = socket.socketpair()
        self.opened = []
        self.closed = []
        self.pending = []

    def open_tap(self, ifindex):
        self.opened.append(ifindex)
        return self.r

    def close_dl(self, sock):
        self.closed.append(sock)

    def send_frame(self, sock, frame):
        p = Probe(4, SRC4, DST4, 0, frame=frame)
        ans = self.host.answer(p, 0.0)
        self.pending.append(Reply(frame=frame, link=1))   # our own, going out
        if ans is not None:
            self.pending.append(ans[1])
        self.w.send(b'x')

    def receive_frames(self, sock, clock):
        sock.recv(4096)
        out, self.pending = self.pending, []
        for r in out:
            r.rx = clock()
        return out


def test_engine_sends_frames_on_the_tap_and_hands_back_every_frame():
    io = TapIO(Neighbour(DST4, THEIR))
    done = []
    eng = Engine(io, Pacer(1000), lambda tid, m, err: done.append((m, err)))
    eng.add(1, method('-i r1 -q 2 -w 100 -Q 192.0.2.2'))
    end = time.time() + 5
    while not done and time.time() < end:
        eng.turn(0.05)
    (m, err), = done
    assert err is None and io.opened == [2] and io.closed == [io.r]
    assert [len(p.replies) for p in m.result.probes] == [1, 1]
    for p in m.result.probes:
        assert 0 < p.replies[0].rx - p.tx < 0.1


def test_not_ethernet_sends_nothing():
    m = NeighbourdiscMethod(parse('-i lo 192.0.2.2'.split()), SRC4, 0,
                            bytes(6))
    assert not m.tap
    m.start(5.0)
    assert m.done and m.result.start == 5.0 and m.result.probes == []
