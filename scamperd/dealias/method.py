"""The dealias method (sans-I/O), a port of scamper 20211212's
scamper_dealias_do.c: mercator, ally, radargun, prefixscan and bump.

scamper's task is always in one of three places: done, waiting until
``next_tx`` (then its method's timeout handler runs, and unless that
handler queued it elsewhere or finished it, it probes), or ready to probe.
Every probe records the probedef it used, the round (``seq``) and its
IP-ID (IPv4: 0xffff, 0xfefe, ... counting down and wrapping from 0x0101
to 0xffff); after it the method's post-probe step sets ``next_tx``.

Replies are matched as scamper matches them: ICMP errors by the quoted
destination (a probedef's target), protocol, ports or ICMP id and
sequence and, in IPv4, the quoted IP-ID (which must look like 0xabab);
echo replies by source, ICMP id and sequence; TCP answers (IPv4 only) by
source and ports.  Only probes sent in the last ten seconds are matched,
newest first.  Every matched reply is recorded, then the method's reply
handler decides.

The too-big trick (a probedef's ``-M mtu``): as scamper, the task then reads
every reply from the datalink of the route's interface (its ``tap``),
where an IPv6 reply that came in fragments shows its 32-bit fragment id,
the IP-ID IPv6 has.  A reply larger than the mtu that came whole makes the
task send the target an ICMPv6 packet too big (from the probedef's source,
hop limit 255, that mtu, quoting the reply's first 1232 bytes), so that the
target fragments what it sends us next.  ally then forgets the probes sent
so far, starts its rounds again and lets a second pass before probing;
radargun sends one for each such reply.
"""

import random

from scamperd.dealias import result as R
from scamperd.method import Method
from scamperd.net import ethernet
from scamperd.net.packet import decode_ipv4, decode_ipv6_packet
from scamperd.probe import (
    Probe, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
    ICMP_ECHO, ICMP_ECHOREPLY, ICMP_UNREACH, ICMP_TIMXCEED, ICMP6_ECHO,
    ICMP6_ECHOREPLY, ICMP6_UNREACH, ICMP6_TIMXCEED, ICMP6_PACKET_TOO_BIG)

_ERRORS4 = (ICMP_UNREACH, ICMP_TIMXCEED)
_ERRORS6 = (ICMP6_UNREACH, ICMP6_TIMXCEED, ICMP6_PACKET_TOO_BIG)
RECENT = 10.0       # seconds a probe stays matchable
PTB_QUOTE = 1280 - 40 - 8   # bytes of a reply a packet too big quotes
PTB_WAIT = 1.0      # ally's pause after sending one


# --- IP-ID sequence tests (scamper_dealias.c) ------------------------------

def _swap(v, bits):
    return int.from_bytes(v.to_bytes(bits // 8, 'big'), 'little')


def _diff(a, b, mod):
    return b - a if a <= b else mod - a + b


def _inseq(ids, fudge, bs, bits):
    mod = 1 << bits
    if bs:
        ids = [_swap(v, bits) for v in ids]
    if len(ids) == 2:
        if fudge == 0:
            return 1      # a strict test cannot tell from two samples
        a, b = ids
        return 0 if a == b or _diff(a, b, mod) > fudge else 1
    for a, b, c in zip(ids, ids[1:], ids[2:]):
        if a == b or b == c or a == c:
            return 0
        if a > b:
            b += mod
        if a > c:
            c += mod
        if a > b or b > c:
            return 0
        if fudge and (b - a > fudge or c - b > fudge):
            return 0
    return 1


def _byteorder(probes, ids, bits):
    """scamper's dealias_ipid*_bo: 1 when the IP-IDs of each probedef
    grow less byte-swapped than not (0 the opposite, 2 undecided)."""
    mod = 1 << bits
    order = sorted(range(len(probes)),
                   key=lambda i: (probes[i].probedef.id, probes[i].seq))
    rc = 2
    c, max_nobs, max_bs = 1, 0, 0
    for n, i in enumerate(order):
        if n + 1 == len(order) or \
                probes[i].probedef is not probes[order[n + 1]].probedef:
            if c >= 3:
                if max_nobs < max_bs:
                    rc = 0
                elif max_nobs > max_bs:
                    rc = 1
                if rc == 0:
                    return rc
            c, max_nobs, max_bs = 1, 0, 0
        else:
            a, b = ids[i], ids[order[n + 1]]
            u = _diff(a, b, mod)
            if u > max_nobs or max_nobs == 0:
                max_nobs = u
            u = _diff(_swap(a, bits), _swap(b, bits), mod)
            if u > max_bs or max_bs == 0:
                max_bs = u
            c += 1
    return rc


def ipid_inseq(probes, fudge, bs):
    """scamper_dealias_ipid_inseq over the first reply of each probe:
    bs 0 as sent, 1 byte-swapped, 2 either, 3 the likelier order."""
    if len(probes) < 2:
        return -1
    v4 = len(probes[0].probedef.dst) == 4
    bits = 16 if v4 else 32
    ids = [p.replies[0].ipid if v4 else p.replies[0].ipid32 for p in probes]
    if bs == 3 and fudge == 0:
        return _inseq(ids, fudge, _byteorder(probes, ids, bits), bits)
    if bs in (2, 3):
        return 1 if _inseq(ids, fudge, 0, bits) == 1 else \
            _inseq(ids, fudge, 1, bits)
    return _inseq(ids, fudge, bs, bits)


# --- reply classes (scamper_dealias.h) -------------------------------------

def _unreach_port(r):
    return (r.proto == 1 and r.icmp_type == 3 and r.icmp_code == 3) or \
        (r.proto == 58 and r.icmp_type == 1 and r.icmp_code == 4)


def _ttl_exp(r):
    return (r.proto == 1 and r.icmp_type == 11) or \
        (r.proto == 58 and r.icmp_type == 3)


def from_target(probe, r):
    """SCAMPER_DEALIAS_REPLY_FROM_TARGET: the answer the probe's method
    expects from the address probed."""
    d = probe.probedef
    if d.is_udp:
        return _unreach_port(r)
    if d.is_icmp:
        return (r.proto == 1 and r.icmp_type == 0) or \
            (r.proto == 58 and r.icmp_type == 129)
    return r.proto == 6


class _Sent:
    """A probe sent: the wire Probe, the result's DealiasProbe and the
    field that varies per probe (ICMP seq, UDP dport, TCP sport)."""
    __slots__ = ('wire', 'probe', 'match')

    def __init__(self, wire, probe, match):
        self.wire, self.probe, self.match = wire, probe, match


class DealiasMethod(Method):

    def __init__(self, cmd, ctx, rng=None):
        d = self.result = cmd.dealias
        self.rng = rng or random   # the module: reseeded in each fork
        self.v4 = cmd.family == 4
        for pd in d.probedefs:
            # the route's source, and scamper's default port / ICMP id
            pd.src = ctx.src
            if pd.is_icmp:
                pd.icmp_id = pd.icmp_id or ctx.sport
            else:
                pd.sport = pd.sport or ctx.sport
        self.defs = d.probedefs
        self.tcp_seqack = {pd.id: (self.rng.getrandbits(32),
                                   self.rng.getrandbits(32))
                           for pd in self.defs if pd.method == 2}
        self.targets = {}           # dst -> [_Sent, newest first]
        self.vary = {}              # dst -> [tcp sport, udp dport] offsets
        self.sent = []              # _Sent, in the order sent
        self.id = 255
        self.icmpseq = 0
        self.probe_i = 0            # state->probe
        self.round = 0
        self.next_tx = 0.0
        self.mode = None            # 'probe', 'wait' or None
        self.done = False
        # the too-big trick: replies from the datalink, packets too big to
        # send ((probedef, quote)), the last one sent while ally waits for
        # it to land (scamper's ptb_tx), the probedefs a PTB went for or
        # that gave an IP-ID, and the probes ally forgot
        if any(pd.mtu for pd in d.probedefs):
            self.tap = ctx.ifindex
        self.ptbq = []
        self.ptb = None
        self.tx_ptb = set()
        self.rx_ipid = set()
        self.discard = set()
        m = d.method
        self._def = getattr(self, '_%s_def' % m, self._plain_def)
        self._post = getattr(self, '_%s_post' % m)
        self._reply = getattr(self, '_%s_reply' % m)
        self._timeout = getattr(self, '_%s_timeout' % m)
        if m == 'radargun':
            self.order = list(range(len(self.defs)))
            if d.flags & R.RADARGUN_FLAG_SHUFFLE:
                self.rng.shuffle(self.order)
            self.order_i = 0
            self.next_round = 0.0
        elif m == 'bump':
            self.step = self.attempt = self.bump = 0
        elif m == 'prefixscan':
            self._prefixscan_init()

    # --- the queue ---------------------------------------------------------

    def _queue(self, now):
        if self.ptbq:
            self.mode = 'probe'
            return
        if self.ptb is not None and self.result.method == 'ally':
            if self.ptb.tx + PTB_WAIT > now:
                self.mode = 'wait'
                return
            self.ptb = None
        if self.next_tx <= now:
            self.mode = 'probe'
        else:
            self.mode = 'wait'

    def _wake(self):
        """When a waiting task next runs: after ally's pause for a packet
        too big (from when it left), else at next_tx."""
        if self.ptb is not None and self.result.method == 'ally':
            return self.ptb.tx + PTB_WAIT
        return self.next_tx

    def _finish(self, result):
        if self.done:
            return
        d = self.result
        d.result = result
        for s in self.sent:
            s.probe.tx = s.wire.tx
        self.done = True

    # --- the method contract -----------------------------------------------

    def start(self, now):
        self.mode = 'probe'

    def ready(self):
        return not self.done and self.mode == 'probe'

    def timer(self):
        if self.done or self.mode != 'wait':
            return None
        return self._wake()

    def handle_timer(self, now):
        if self.done or self.mode != 'wait' or now < self._wake():
            return
        self.mode = None
        self._timeout(now)
        if not self.done and self.mode is None:
            self.mode = 'probe'

    def halt(self, now):
        self._finish(3)

    def send_error(self, probe, err, now):
        if self.sent and self.sent[-1].wire is probe:
            self.sent.pop()
            self.result.probes.pop()
            lst = self.targets[probe.dst]
            lst.pop(0)
        self._finish(self.result.result)

    def next_probe(self, now):
        d = self.result
        if not d.probes:
            d.start = now
        if self.ptbq:
            return self._ptb_probe(now)
        pd = self._def()
        p = self._wire(pd)
        match = p.icmp_seq if pd.is_icmp else \
            p.dport if pd.method == 5 else \
            p.sport if pd.method in (4, 6) else 0
        dp = R.DealiasProbe(pd, seq=self.round, ipid=p.ipid)
        s = _Sent(p, dp, match)
        self.sent.append(s)
        self.targets.setdefault(pd.dst, []).insert(0, s)
        d.probes.append(dp)
        self._post(now)
        self.id -= 1
        if self.id == 0:
            self.id = 255
        self._queue(now)
        return p

    def _ptb_probe(self, now):
        """The packet too big at the head of the queue."""
        pd, quote = self.ptbq.pop(0)
        p = Probe(6, pd.src, pd.dst, IPPROTO_ICMPV6, ttl=255,
                  icmp_type=ICMP6_PACKET_TOO_BIG, icmp_id=pd.mtu >> 16,
                  icmp_seq=pd.mtu & 0xffff, payload=quote,
                  size=48 + len(quote))
        p.tx = now          # until the engine says when it left
        self.ptb = p
        self._queue(now)
        return p

    def _wire(self, pd):
        v4 = self.v4
        n = 2 if pd.size == 0 else pd.size - (28 if v4 else 48)
        p = Probe(4 if v4 else 6, pd.src, pd.dst, IPPROTO_UDP, ttl=pd.ttl,
                  tos=pd.tos, df=v4, payload=bytes(n),
                  size=(20 if v4 else 40) + 8 + n)
        if v4:
            p.ipid = self.id << 8 | self.id
        vary = self.vary.setdefault(pd.dst, [0, 0])
        if pd.is_udp:
            p.sport, p.dport = pd.sport, pd.dport
            if pd.method == 5:
                p.dport = (pd.dport + vary[1]) & 0xffff
                vary[1] += 1
            # scamper makes the UDP checksum count the probes
            p.udp_sum = (len(self.result.probes) + 1) & 0xffff
        elif pd.is_icmp:
            p.proto = IPPROTO_ICMP if v4 else IPPROTO_ICMPV6
            p.icmp_type = ICMP_ECHO if v4 else ICMP6_ECHO
            p.icmp_id = pd.icmp_id
            p.icmp_seq = self.icmpseq
            self.icmpseq = (self.icmpseq + 1) & 0xffff
            p.icmp_sum = pd.icmp_csum
        else:
            p.proto = IPPROTO_TCP
            p.size = (20 if v4 else 40) + 20 + n
            p.dport, p.tcp_flags = pd.dport, pd.tcp_flags
            if pd.method == 2:
                p.sport = pd.sport
                p.tcp_seq, p.tcp_ack = self.tcp_seqack[pd.id]
            else:
                p.sport = (pd.sport + vary[0]) & 0xffff
                vary[0] += 1
                p.tcp_seq = self.rng.getrandbits(32)
                p.tcp_ack = self.rng.getrandbits(32)
        return p

    # --- replies -----------------------------------------------------------

    def _recent(self, dst, now):
        return [s for s in self.targets.get(dst, ())
                if s.wire.tx + RECENT > now]

    def _find(self, r, now):
        """The _Sent that ``r`` answers, or None (scamper's
        dealias_probe_*_find)."""
        v4 = self.v4
        if r.proto == IPPROTO_TCP and r.q_proto is None:
            if not v4:
                # scamper 20211212 reads TCP answers for IPv4 only (even
                # from the datalink it reads with -M)
                return None
            for s in self._recent(r.src, now):
                d = s.probe.probedef
                if not d.is_tcp or d.dport != r.sport:
                    continue
                if (d.method == 2 and d.sport == r.dport) or \
                        (d.method != 2 and s.match == r.dport):
                    return s
            return None
        if not r.is_icmp:
            return None
        if r.is_icmp_error:
            if r.icmp_type not in (_ERRORS4 if v4 else _ERRORS6):
                return None
            if v4 and (r.q_ipid & 0xff) != (r.q_ipid >> 8):
                return None
            for s in self._recent(r.q_dst, now):
                d = s.probe.probedef
                if v4 and s.probe.ipid != r.q_ipid:
                    continue
                if r.q_proto == IPPROTO_UDP:
                    if not d.is_udp or d.sport != r.q_sport:
                        continue
                    if (d.method == 3 and d.dport == r.q_dport) or \
                            (d.method == 5 and s.match == r.q_dport):
                        return s
                elif r.q_proto in (IPPROTO_ICMP, IPPROTO_ICMPV6):
                    if r.q_icmp_type != (ICMP_ECHO if v4 else ICMP6_ECHO):
                        return None
                    if d.is_icmp and d.icmp_id == r.q_icmp_id and \
                            s.match == r.q_icmp_seq:
                        return s
                elif r.q_proto == IPPROTO_TCP:
                    if not d.is_tcp or d.dport != r.q_dport:
                        continue
                    if (d.method == 2 and d.sport == r.q_sport) or \
                            (d.method != 2 and s.match == r.q_sport):
                        return s
            return None
        if r.icmp_type == (ICMP_ECHOREPLY if v4 else ICMP6_ECHOREPLY):
            for s in self._recent(r.src, now):
                d = s.probe.probedef
                if d.is_icmp and d.icmp_id == r.icmp_id and \
                        s.match == r.icmp_seq:
                    return s
        return None

    def receive(self, r, now):
        if self.done or not self.sent:
            return
        raw = None
        if self.tap:
            # the datalink only, as scamper (its ICMP socket is ignored)
            if r.frame is None:
                return
            found = ethernet.ip_packet(r.frame, r.link)
            if found is None:
                return
            version, raw = found
            r = (decode_ipv4 if version == 4 else decode_ipv6_packet)(
                raw, r.rx)
            if r is None or r.proto is None:
                return
            raw = raw[:r.size]
        s = self._find(r, now)
        if s is None:
            return
        probe = s.probe
        src = probe.probedef.dst if r.src == probe.probedef.dst else r.src
        rep = R.DealiasReply(src=src, rx=r.rx, ttl=r.ttl or 0,
                             proto=r.proto)
        if self.v4:
            rep.ipid = r.ipid or 0
        elif r.frag:
            # IPv6 has an IP-ID only in a fragment header, which only the
            # datalink shows (with -M)
            rep.flags |= R.REPLY_FLAG_IPID32
            rep.ipid32 = r.ipid
        if r.proto == IPPROTO_TCP:
            rep.tcp_flags = r.tcp_flags or 0
        else:
            rep.icmp_type, rep.icmp_code = r.icmp_type, r.icmp_code
            rep.icmp_q_ttl = r.q_ttl or 0
        probe.replies.append(rep)
        self._reply(probe, rep, now, raw)

    def _too_big(self, probe, rep, raw):
        """Whether a reply asks for a packet too big: an IPv6 reply larger
        than its probedef's mtu that came whole."""
        mtu = probe.probedef.mtu
        return (not self.v4 and raw is not None and mtu and
                not rep.flags & R.REPLY_FLAG_IPID32 and mtu < len(raw))

    # --- the methods ----------------------------------------------------------

    def _plain_def(self):
        return self.defs[self.probe_i]

    # mercator: one UDP probe; an alias when the port unreachable comes
    # from another address
    def _mercator_post(self, now):
        self.next_tx = now + self.result.wait_timeout
        self.round += 1

    def _mercator_reply(self, probe, rep, now, raw):
        if _unreach_port(rep) and rep.src != probe.probedef.dst:
            self._finish(R.RESULT_ALIASES)
        else:
            self._finish(R.RESULT_NONE)

    def _mercator_timeout(self, now):
        if len(self.result.probes) < self.result.attempts:
            self._queue(now)
        else:
            self._finish(R.RESULT_NONE)

    # ally: alternate between the two probedefs, IP-IDs in sequence
    def _ally_post(self, now):
        d = self.result
        if len(d.probes) != d.attempts:
            self.next_tx = now + d.wait_probe / 1000
        else:
            self.next_tx = now + d.wait_timeout
        self.probe_i += 1
        if self.probe_i == 2:
            self.probe_i = 0
            self.round += 1

    def _ally_reply(self, probe, rep, now, raw):
        d = self.result
        if len(probe.replies) != 1 or not (
                from_target(probe, rep) or
                (_ttl_exp(rep) and probe.probedef.ttl != 255)):
            self._finish(R.RESULT_NONE)
            return
        if not self.v4 and not self._ally_v6(probe, rep, now, raw):
            return
        probes = d.probes
        if len(probes) < 2:
            return
        k = next((i for i, p in enumerate(probes) if p is probe), None)
        if k is None:
            return
        window = []
        if k >= 1 and len(probes[k - 1].replies) == 1:
            if k >= 2 and len(probes[k - 2].replies) == 1:
                window.append(probes[k - 2])
            window.append(probes[k - 1])
        window.append(probe)
        if k + 1 < len(probes) and len(probes[k + 1].replies) == 1:
            window.append(probes[k + 1])
            if k + 2 < len(probes) and len(probes[k + 2].replies) == 1:
                window.append(probes[k + 2])
        if len(window) < 2:
            return
        nobs = d.flags & R.ALLY_FLAG_NOBS
        if ipid_inseq(window, d.fudge, 0 if nobs else 2) == 0:
            self._finish(R.RESULT_NOTALIASES)

    def _ally_v6(self, probe, rep, now, raw):
        """scamper's dealias_ally_handlereply_v6: True when the reply may
        be classified.  One with an IP-ID may, unless it answers a
        forgotten probe or came while a packet too big is on its way; the
        first too large for its probedef's mtu sends one (once per
        probedef, and none once the probedef gave an IP-ID); any other
        reply ends the task when nothing of the trick is under way."""
        d = self.result
        pd = probe.probedef
        ptb = self.ptb is not None or bool(self.ptbq)
        discard = id(probe) in self.discard
        if rep.flags & R.REPLY_FLAG_IPID32:
            self.rx_ipid.add(pd.id)
            return not discard and not ptb
        if (self._too_big(probe, rep, raw) and pd.id not in self.tx_ptb and
                pd.id not in self.rx_ipid):
            self.discard.update(id(p) for p in d.probes)
            del d.probes[:]
            self.round = 0
            self.tx_ptb.add(pd.id)
            self.ptbq.append((pd, bytes(raw[:PTB_QUOTE])))
            self._queue(now)
            return False
        if not ptb and not discard:
            self._finish(R.RESULT_NONE)
        return False

    def _ally_timeout(self, now):
        d = self.result
        if len(d.probes) != d.attempts:
            return
        if any(len(p.replies) != 1 for p in d.probes):
            self._finish(R.RESULT_NONE)
            return
        nobs = d.flags & R.ALLY_FLAG_NOBS
        if ipid_inseq(d.probes, d.fudge, 0 if nobs else 3) == 1:
            self._finish(R.RESULT_ALIASES)
        elif self.v4 and all(r.ipid == 0 for p in d.probes
                             for r in p.replies):
            self._finish(R.RESULT_NONE)
        else:
            self._finish(R.RESULT_NOTALIASES)

    # radargun: rounds over every probedef, classified afterwards
    def _radargun_def(self):
        if not self.result.flags & R.RADARGUN_FLAG_SHUFFLE:
            return self.defs[self.probe_i]
        pd = self.defs[self.order[self.order_i]]
        self.order_i += 1
        return pd

    def _radargun_post(self, now):
        d = self.result
        if self.probe_i == 0:
            self.next_round = now + d.wait_round / 1000
        self.probe_i += 1
        if self.probe_i < len(self.defs):
            self.next_tx = now + d.wait_probe / 1000
            return
        self.probe_i = 0
        self.round += 1
        if self.round < d.attempts:
            if now >= self.next_round or \
                    int((self.next_round - now) * 1000) < d.wait_probe:
                self.next_tx = now + d.wait_probe / 1000
            else:
                self.next_tx = self.next_round
            if d.flags & R.RADARGUN_FLAG_SHUFFLE:
                self.rng.shuffle(self.order)
                self.order_i = 0
        else:
            self.next_tx = now + d.wait_timeout

    def _radargun_reply(self, probe, rep, now, raw):
        if self._too_big(probe, rep, raw):
            self.ptbq.append((probe.probedef, bytes(raw[:PTB_QUOTE])))
            self._queue(now)

    def _radargun_timeout(self, now):
        if self.round != self.result.attempts:
            self._queue(now)
        else:
            self._finish(R.RESULT_NONE)

    # bump: try to push one address's IP-ID counter past the other's
    def _bump_post(self, now):
        self.next_tx = now + self.result.wait_probe / 1000

    def _bump_reply(self, probe, rep, now, raw):
        if not from_target(probe, rep) or len(probe.replies) != 1:
            self._finish(R.RESULT_NONE)

    def _bump_timeout(self, now):
        d = self.result
        if self.step < 2:
            self.step += 1
        elif self.step == 2:
            last = d.probes[-3:]
            if len(last) < 3 or any(len(p.replies) != 1 for p in last):
                self._finish(R.RESULT_NONE)
                return
            if ipid_inseq(last, 0, 0) != 1:
                self._finish(R.RESULT_NOTALIASES)
                return
            if self.attempt > d.attempts:
                self._finish(R.RESULT_ALIASES)
                return
            x, y = last[1].replies[0].ipid, last[2].replies[0].ipid
            i = y - x if x < y else 0x10000 + y - x
            if i * 2 > 65535:
                self._finish(R.RESULT_NONE)
                return
            self.bump = i * 2
            if self.bump == 2:
                self.bump += 1
            if self.bump > d.bump_limit:
                self._finish(R.RESULT_NONE)
                return
            self.step += 1
        elif self.step == 3:
            if self.bump != 0:
                self.bump -= 1
                return
            self.attempt += 1
            self.step = 1
        self.probe_i = 0 if self.probe_i == 1 else 1

    # prefixscan: look for an alias of a among the addresses of prefix b,
    # the nearest first; each candidate probed in turn with a
    def _prefixscan_init(self):
        d = self.result
        pd0 = d.probedefs[0]
        self.cands = []
        for a in prefixscan_addrs(d.a, d.b, d.prefix, d.xs):
            pd = R.DealiasProbedef(**{k: getattr(pd0, k)
                                      for k in pd0.__slots__})
            pd.dst = a
            self.cands.append(pd)
        self.aaliases = []
        self.echo = {}
        self.pf_attempt = self.pf_seq = self.pf_round0 = self.pf_round = 0
        self.pf_replyc = 0

    def _prefixscan_post(self, now):
        if self.defs[self.probe_i].id == 0:
            self.pf_round0 += 1
        else:
            self.pf_round += 1
        self.pf_attempt += 1
        self.pf_replyc = 0
        self.next_tx = now + self.result.wait_probe / 1000

    def _prefixscan_next(self):
        """Add the next candidate as a probedef; True when it is already
        known to be an alias of a (the task is then finished)."""
        d = self.result
        cand = self.cands[len(self.defs) - 1]
        if cand.dst in self.aaliases:
            d.ab = cand.dst
            d.flags |= R.PREFIXSCAN_FLAG_CSA
            self._finish(R.RESULT_ALIASES)
            return True
        pd = R.DealiasProbedef(**{k: getattr(cand, k)
                                  for k in cand.__slots__})
        pd.id = len(self.defs)
        self.defs.append(pd)
        return False

    def _prefixscan_reply(self, probe, rep, now, raw):
        d = self.result
        if probe is not d.probes[-1] or len(probe.replies) != 1:
            return
        pdef = probe.probedef
        if probe.ipid == rep.ipid:
            self.echo[pdef.id] = self.echo.get(pdef.id, 0) + 1
            if self.echo[pdef.id] >= 2:
                if pdef.id == 0:
                    self._finish(4)        # ipid-echo
                else:
                    self._prefixscan_skip(now)
                return
        if self.mode == 'probe':
            return      # a late reply while waiting for our turn
        if not from_target(probe, rep):
            return
        self.pf_replyc += 1
        if pdef.is_udp and _unreach_port(rep) and rep.src != pdef.dst:
            if pdef.id == 0:
                if rep.src not in self.aaliases:
                    self.aaliases.append(rep.src)
            elif rep.src == d.a or rep.src in self.aaliases:
                d.ab = pdef.dst
                d.flags |= R.PREFIXSCAN_FLAG_CSA
                self._finish(R.RESULT_ALIASES)
                return
        self.pf_seq += 1
        seq = self.pf_seq
        self.pf_attempt = 0
        if seq < 2:
            if self.probe_i != 0:
                self.probe_i = 0
                return
            if len(self.defs) == 1 and self._prefixscan_next():
                return
            self.probe_i = len(self.defs) - 1
            self._queue(now)
            return
        # the latest replied probes, alternating between a and the candidate
        window = [None] * seq
        window[-1] = probe
        p = len(d.probes) - 2
        defid = pdef.id
        while p >= 0 and d.probes[p].probedef.id == defid:
            p -= 1
        for s in range(seq - 1, 0, -1):
            defid = len(self.defs) - 1 if window[s].probedef.id == 0 else 0
            while p >= 0:
                if not d.probes[p].replies:
                    p -= 1
                    continue
                window[s - 1] = d.probes[p]
                while p >= 0 and d.probes[p].probedef.id == defid:
                    p -= 1
                break
            if window[s - 1] is None:
                self._finish(d.result)       # scamper's error path
                return
        if d.flags & R.PREFIXSCAN_FLAG_NOBS:
            rc = ipid_inseq(window, d.fudge, 0)
        else:
            rc = ipid_inseq(window, d.fudge, 2 if seq < d.replyc else 3)
        if rc == 1:
            if seq == d.replyc:
                d.ab = self.defs[-1].dst
                self._finish(R.RESULT_ALIASES)
                return
            self.probe_i = len(self.defs) - 1 if self.probe_i == 0 else 0
            return
        self._prefixscan_skip(now)

    def _prefixscan_skip(self, now):
        """On to the next candidate, or finish when there is none."""
        d = self.result
        if len(self.defs) - 1 == len(self.cands):
            self._finish(R.RESULT_NONE)
            return
        if self._prefixscan_next():
            return
        self.pf_round = self.pf_attempt = 0
        self.probe_i = len(self.defs) - 1
        self.pf_seq = 1 if d.probes[-1].probedef.id == 0 else 0
        self._queue(now)

    def _prefixscan_timeout(self, now):
        d = self.result
        pdef = d.probes[-1].probedef
        if self.pf_replyc == 0 and self.pf_attempt >= d.attempts:
            if pdef.id == 0 or len(self.defs) - 1 >= len(self.cands):
                self._finish(R.RESULT_NONE)
                return
            if self._prefixscan_next():
                return
            self.pf_round = self.pf_seq = self.pf_attempt = 0
            self.probe_i = len(self.defs) - 1
        self.round = self.pf_round0 if self.probe_i == 0 else self.pf_round


def prefixscan_addrs(a, b, prefix, xs):
    """The addresses of b/prefix to try, in scamper's order: the rest of
    b's /30 (in an order set by b's place in it), then each larger
    enclosing prefix's other half; never a nor an excluded address."""
    x = int.from_bytes(b, 'big')
    if prefix == 31:
        order = [x ^ 1]
    else:
        first = ((1, 2, 3), (2, 0, 3), (1, 0, 3), (2, 1, 0))[x & 3]
        order = [(x & ~3) | h for h in first]
        mask = 3
        for pre in range(29, prefix - 1, -1):
            bit = 1 << (31 - pre)
            mask |= bit
            net = x & ~mask & 0xffffffff
            if x & bit:
                bit = 0
            order += [net | bit | h for h in range(1 << (31 - pre))]
    out = []
    for v in order:
        addr = v.to_bytes(4, 'big')
        if addr != a and addr not in xs:
            out.append(addr)
    return out
