"""A simulated network for driving sans-I/O methods in unit tests.

The network works at the level of :class:`scamperd.probe.Probe` and
:class:`scamperd.probe.Reply`: no bytes, no sockets, no real clock.  A
:class:`Path` describes what a probe meets on its way to one destination,
hop by hop; :func:`drive` plays the engine's part of the contract in
scamperd/method.py against a virtual clock and returns the method's result.
"""

import heapq
import ipaddress
import struct

from scamperd.probe import (
    Reply, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
    ICMP_ECHO, ICMP_ECHOREPLY, ICMP_TIMXCEED, ICMP_UNREACH,
    ICMP_UNREACH_PORT, ICMP_UNREACH_NEEDFRAG, ICMP_TSTAMP, ICMP_TSTAMPREPLY,
    ICMP6_ECHO, ICMP6_ECHOREPLY, ICMP6_TIMXCEED, ICMP6_UNREACH,
    ICMP6_UNREACH_PORT, ICMP6_PACKET_TOO_BIG,
    TH_SYN, TH_ACK, TH_RST)
from scamperd.net.packet import _quote6, encode_probe


def A(text):
    """Packed bytes of an address given as text."""
    return ipaddress.ip_address(text).packed


class Hop:
    """One router.  ``addr`` None means it never answers.  ``mtu`` is the
    MTU of its outgoing link (None: no limit).  ``drop`` is a set of
    attempt numbers (counting probes that reached this TTL, from 1) it
    ignores.  ``addrs`` may give a list of addresses used in turn (per
    probe), to simulate per-packet load balancing."""

    def __init__(self, addr=None, mtu=None, drop=(), addrs=None,
                 reply_ttl=255, icmp_ext=b''):
        self.addr = A(addr) if isinstance(addr, str) else addr
        self.addrs = [A(a) for a in addrs] if addrs else None
        self.mtu = mtu
        self.drop = set(drop)
        self.reply_ttl = reply_ttl
        self.icmp_ext = icmp_ext
        self.seen = 0


class Path:
    """``hops`` are the routers at TTL 1, 2, ...; the destination follows
    them.  ``dst_mode``: 'open' (answers every probe: echo reply, port
    unreachable to UDP, SYN-ACK to SYN, RST to ACK), 'silent' (never
    answers), 'closed' (RST to TCP SYN).  ``rtt`` is per hop in seconds
    (hop i answers after rtt*(i+1)).  ``dst_drop``: attempt numbers the
    destination ignores.  ``dst_ipid``: a function giving the IP-ID of each
    destination answer (default fixed); ``dst_src``: the address the
    destination answers from (default its own)."""

    def __init__(self, dst, hops, dst_mode='open', rtt=0.001, dst_ttl=64,
                 dst_drop=(), dst_mtu=None, unreach_at=None, dst_ipid=None,
                 dst_src=None):
        self.dst = A(dst) if isinstance(dst, str) else dst
        self.hops = hops
        self.dst_mode = dst_mode
        self.rtt = rtt
        self.dst_ttl = dst_ttl
        self.dst_drop = set(dst_drop)
        self.dst_seen = 0
        self.unreach_at = unreach_at  # (ttl, icmp code): host unreachable
        self.dst_mtu = dst_mtu
        self.dst_ipid = dst_ipid
        self.dst_src = A(dst_src) if isinstance(dst_src, str) else dst_src

    def answer(self, p, now):
        """Return (delay, Reply) or None for a probe ``p``."""
        ans = self._answer(p, now)
        if ans is not None and ans[1].src == self.dst and (
                self.dst_ipid is not None or self.dst_src is not None):
            if self.dst_ipid is not None:
                ans[1].ipid = self.dst_ipid()
            if self.dst_src is not None:
                ans[1].src = self.dst_src
        return ans

    def _answer(self, p, now):
        v6 = p.family == 6
        size = p.size
        for i, hop in enumerate(self.hops):
            ttl = i + 1
            if self.unreach_at and self.unreach_at[0] == ttl and hop.addr:
                return self._icmp_err(p, hop.addr, ttl, hop, now,
                                      ICMP6_UNREACH if v6 else ICMP_UNREACH,
                                      self.unreach_at[1], p.ttl - ttl + 1)
            if p.ttl <= ttl:
                hop.seen += 1
                if hop.seen in hop.drop:
                    return None
                addr = hop.addr
                if hop.addrs:
                    addr = hop.addrs[(hop.seen - 1) % len(hop.addrs)]
                if addr is None:
                    return None
                return self._icmp_err(
                    p, addr, ttl, hop, now,
                    ICMP6_TIMXCEED if v6 else ICMP_TIMXCEED, 0, 1)
            if hop.mtu is not None and size > hop.mtu:
                if hop.addr is None:
                    return None
                return self._icmp_err(
                    p, hop.addr, ttl, hop, now,
                    ICMP6_PACKET_TOO_BIG if v6 else ICMP_UNREACH,
                    0 if v6 else ICMP_UNREACH_NEEDFRAG, p.ttl - ttl,
                    nhmtu=hop.mtu)
        # reached the destination
        self.dst_seen += 1
        if p.frag is not None:
            return None     # a lone fragment waits for reassembly (60 s)
        if self.dst_mode == 'silent' or self.dst_seen in self.dst_drop:
            return None
        delay = self.rtt * (len(self.hops) + 1)
        if self.dst_mtu is not None and size > self.dst_mtu:
            return None
        r = Reply(family=p.family, src=self.dst, dst=p.src, ttl=self.dst_ttl,
                  tos=0, ipid=0x1234, rx=now + delay)
        if p.proto == IPPROTO_UDP:
            return self._icmp_err(p, self.dst, len(self.hops) + 1, None, now,
                                  ICMP6_UNREACH if v6 else ICMP_UNREACH,
                                  ICMP6_UNREACH_PORT if v6 else
                                  ICMP_UNREACH_PORT,
                                  p.ttl - len(self.hops), ttl_reply=self.dst_ttl)
        if p.proto == IPPROTO_TCP:
            r.proto = IPPROTO_TCP
            r.sport, r.dport = p.dport, p.sport
            if (p.tcp_flags & TH_SYN) and self.dst_mode == 'open':
                r.tcp_flags = TH_SYN | TH_ACK
                r.tcp_ack = (p.tcp_seq + 1) & 0xffffffff
            else:
                r.tcp_flags = TH_RST | (TH_ACK if p.tcp_flags & TH_SYN
                                        else 0)
                r.tcp_seq = p.tcp_ack
            r.size = 40 if not v6 else 60
            return delay, r
        # ICMP
        if p.icmp_type in (ICMP_ECHO, ICMP6_ECHO):
            r.proto = IPPROTO_ICMPV6 if v6 else IPPROTO_ICMP
            r.icmp_type = ICMP6_ECHOREPLY if v6 else ICMP_ECHOREPLY
            r.icmp_code = 0
            r.icmp_id, r.icmp_seq = p.icmp_id, p.icmp_seq
            r.size = size
            if p.ip_options and p.ip_options[0] == 7:
                r.rr = [p.src, self.dst]
            return delay, r
        if p.icmp_type == ICMP_TSTAMP:
            r.proto = IPPROTO_ICMP
            r.icmp_type = ICMP_TSTAMPREPLY
            r.icmp_code = 0
            r.icmp_id, r.icmp_seq = p.icmp_id, p.icmp_seq
            r.icmp_ts = (0, 1000, 1001)
            r.size = 40
            return delay, r
        return None

    def _icmp_err(self, p, addr, ttl, hop, now, itype, icode, q_ttl,
                  nhmtu=None, ttl_reply=None):
        v6 = p.family == 6
        delay = self.rtt * ttl
        r = Reply(family=p.family, src=addr, dst=p.src,
                  ttl=ttl_reply if ttl_reply is not None else
                  (hop.reply_ttl - ttl + 1 if hop else 64 - ttl + 1),
                  tos=0xc0, ipid=0x4321, rx=now + delay,
                  proto=IPPROTO_ICMPV6 if v6 else IPPROTO_ICMP,
                  icmp_type=itype, icmp_code=icode, icmp_nhmtu=nhmtu,
                  icmp_ext=hop.icmp_ext if hop else b'')
        r.size = min(p.size + (48 if v6 else 28), 1280 if v6 else 576)
        r.q_src, r.q_dst = p.src, p.dst
        r.q_ttl, r.q_tos, r.q_ipl = q_ttl, p.tos, p.size
        r.q_proto = p.proto
        r.q_ipid = p.ipid
        r.q_flowlabel = p.flowlabel
        if p.frag is not None:
            # what the decoder makes of the fragment quoted as it was sent
            _quote6(r, encode_probe(p))
            r.q_ttl = q_ttl
        elif p.proto in (IPPROTO_UDP, IPPROTO_TCP):
            r.q_sport, r.q_dport = p.sport, p.dport
            r.q_udp_sum = p.udp_sum
            r.q_tcp_seq = p.tcp_seq
        else:
            r.q_icmp_type = p.icmp_type
            r.q_icmp_id, r.q_icmp_seq = p.icmp_id, p.icmp_seq
            r.q_icmp_sum = p.icmp_sum
        return delay, r


class Neighbour:
    """A host on the link that answers neighbour discovery frames (ARP
    requests and neighbour solicitations for ``dst``) with an ARP reply or
    a neighbour advertisement from ``mac``, after ``rtt``; ``drop`` is a
    set of attempt numbers (from 1) it ignores.  Register it in a
    :class:`Network` like a Path (by its ``dst``)."""

    def __init__(self, dst, mac, rtt=0.0001, drop=()):
        self.dst = A(dst) if isinstance(dst, str) else dst
        self.mac = mac
        self.rtt = rtt
        self.drop = set(drop)
        self.seen = 0

    def answer(self, p, now):
        if p.frame is None:
            return None
        self.seen += 1
        if self.seen in self.drop:
            return None
        frame = p.frame
        if frame[12:14] == b'\x08\x06':          # ARP request
            body = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 2) + self.mac \
                + self.dst + frame[22:28] + frame[28:32]
            out = frame[6:12] + self.mac + b'\x08\x06' + body
        else:                                    # neighbour solicitation
            icmp = struct.pack('!BBHI', 136, 0, 0, 0x60000000) + self.dst \
                + b'\x02\x01' + self.mac
            ip6 = struct.pack('!IHBB', 6 << 28, len(icmp), IPPROTO_ICMPV6,
                              255) + self.dst + frame[22:38]
            out = frame[6:12] + self.mac + b'\x86\xdd' + ip6 + icmp
        return self.rtt, Reply(frame=out, link=1)


class Network:
    """Routes probes to the :class:`Path` of their destination."""

    def __init__(self, *paths):
        self.paths = {p.dst: p for p in paths}
        self.sent = []      # every probe, in order, with its send time

    def answer(self, probe, now):
        self.sent.append((now, probe))
        path = self.paths.get(probe.dst)
        if path is None:
            return None
        return path.answer(probe, now)


def drive(method, net, start=1000.0, pps=None, limit=100000, inject=()):
    """Run ``method`` to completion against ``net`` on a virtual clock.

    ``pps`` None sends each ready probe at once; otherwise probes are
    spaced 1/pps apart.  ``inject`` gives (time, Reply) pairs that arrive
    whatever the method sends (traffic a sniff sees).  Returns the
    method's result."""
    now = start
    method.start(now)
    events = []          # (time, seq, reply)
    seq = 0
    for t, r in inject:
        r.rx = t
        seq += 1
        heapq.heappush(events, (t, seq, r))
    next_slot = now
    for _ in range(limit):
        if method.done:
            return method.result
        if method.ready():
            if pps:
                if next_slot > now:
                    now = next_slot
                next_slot = now + 1.0 / pps
            # deliver replies that arrive before this send
            while events and events[0][0] <= now:
                t, _, r = heapq.heappop(events)
                method.receive(r, t)
                if method.done:
                    return method.result
            if not method.ready():
                continue
            probe = method.next_probe(now)
            probe.tx = now
            method.probe_sent(probe)
            ans = net.answer(probe, now)
            if ans is not None:
                delay, reply = ans
                reply.rx = now + delay
                seq += 1
                heapq.heappush(events, (reply.rx, seq, reply))
            continue
        t = method.timer()
        if events and (t is None or events[0][0] <= t):
            t_ev, _, r = heapq.heappop(events)
            now = max(now, t_ev)
            method.receive(r, now)
            continue
        if t is None:
            raise AssertionError('method stalled: not done, not ready, '
                                 'no timer and nothing to receive')
        now = max(now, t)
        method.handle_timer(now)
    raise AssertionError('method did not finish')


def flow_of(p):
    """What a per-flow load balancer hashes: the ports, or the ICMP
    checksum (scamper's ICMP flow id)."""
    if p.icmp_sum is not None and p.proto in (IPPROTO_ICMP, IPPROTO_ICMPV6):
        return p.icmp_sum
    return p.sport + p.dport


class Balanced:
    """Per-flow load balancing towards one destination: each probe follows
    one of ``paths`` (each a :class:`Path` to the same destination; they
    may share :class:`Hop` objects where they meet), chosen by
    ``flow(probe)`` modulo their number."""

    def __init__(self, paths, flow=flow_of):
        self.dst = paths[0].dst
        self.paths = paths
        self.flow = flow

    def answer(self, p, now):
        return self.paths[self.flow(p) % len(self.paths)].answer(p, now)


def drive_flow(method, server, start=1000.0, rtt=0.01, limit=100000):
    """Run a method that drives one TCP flow itself (tbit, sting) against
    ``server``, whose ``receive(packet bytes, now)`` gives the Replies it
    sends back (each after ``rtt``, or a (delay, Reply) pair).  Returns
    the method's result."""
    now = start
    method.start(now)
    events = []
    seq = 0
    for _ in range(limit):
        if method.done:
            return method.result
        if method.ready():
            while events and events[0][0] <= now:
                t, _, r = heapq.heappop(events)
                r.rx = t
                method.receive(r, t)
            if not method.ready():
                continue
            probe = method.next_probe(now)
            probe.tx = now
            method.probe_sent(probe)
            for r in server.receive(probe.packet, now):
                delay = rtt
                if isinstance(r, tuple):
                    delay, r = r
                seq += 1
                heapq.heappush(events, (now + delay, seq, r))
            continue
        t = method.timer()
        if events and (t is None or events[0][0] <= t):
            now, _, r = heapq.heappop(events)
            r.rx = now
            method.receive(r, now)
            continue
        if t is None:
            raise AssertionError('method stalled')
        now = max(now, t)
        method.handle_timer(now)
    raise AssertionError('method did not finish')
