"""The ping method (sans-I/O), behaving as scamper's scamper_ping_do.c.

Probe i leaves ``wait`` seconds after probe i-1 (the first at once); after
the last, the method waits ``timeout`` seconds for replies, unless ``-o``
replies have arrived first.  Replies are matched to probes as scamper
matches them: ICMP by identifier (the source port) and sequence number
(-d counting up); tcp-ack-sport by source port and udp-dport by destination
port, which count up per probe; fixed-port TCP and UDP by the IPv4 IP-ID the
answer carries (quoted, or echoed by the target) among the last five probes,
else the latest probe.  Any answer that passes is recorded, including ICMP
errors from routers on the way.

With -O dl the replies come from the datalink of the interface the route
uses (the probes carry its ``ifindex``), and as scamper's datalink path
(do_ping_handle_dl) they keep no IP options and no ICMP timestamps.
"""

import os
import struct
from _random import Random

from scamperd.method import Method
from scamperd.ping import result as R
from scamperd.probe import (
    Probe, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
    ICMP_ECHO, ICMP_ECHOREPLY, ICMP_UNREACH, ICMP_TIMXCEED, ICMP_PARAMPROB,
    ICMP_TSTAMP, ICMP_TSTAMPREPLY, ICMP_UNREACH_NEEDFRAG,
    ICMP6_ECHO, ICMP6_ECHOREPLY, ICMP6_UNREACH, ICMP6_TIMXCEED,
    ICMP6_PARAMPROB, ICMP6_PACKET_TOO_BIG, TH_SYN, TH_ACK, TH_RST)
from scamperd.ping.cmd import family_of

# the generator of IP-IDs and TCP sequence numbers: random's own, without
# the rest of the random module (1.3 ms of a worker's start-up), seeded
# afresh in every process forked
_RNG = Random()
os.register_at_fork(after_in_child=_RNG.seed)

_ERRORS4 = (ICMP_UNREACH, ICMP_TIMXCEED, ICMP_PARAMPROB)
_ERRORS6 = (ICMP6_UNREACH, ICMP6_TIMXCEED, ICMP6_PACKET_TOO_BIG,
            ICMP6_PARAMPROB)
_TCP_FLAGS = {'tcp-syn': TH_SYN, 'tcp-ack': TH_ACK, 'tcp-ack-sport': TH_ACK,
              'tcp-synack': TH_SYN | TH_ACK, 'tcp-rst': TH_RST}


def checksum(data):
    """The Internet checksum of ``data``."""
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _pseudo6(src, dst, length):
    return src + dst + struct.pack('!II', length, IPPROTO_ICMPV6)


def ip_options(cmd):
    """IPv4 option bytes for -R and -T, laid out as scamper lays them."""
    if cmd.flags & R.FLAG_V4RR:
        return bytes([7, 39, 4]) + bytes(37)
    if cmd.flags & R.FLAG_TSONLY:
        return bytes([68, 40, 5, 0]) + bytes(36)
    if cmd.flags & R.FLAG_TSANDADDR:
        return bytes([68, 36, 5, 1]) + bytes(32)
    if cmd.tsps:
        return bytes([68, 8 * len(cmd.tsps) + 4, 5, 3]) + b''.join(
            a + bytes(4) for a in cmd.tsps)
    return b''


class Plan:
    """What every ping of a command shares (a list run with -c shares one
    parsed command): made once, kept in the command's memo."""

    __slots__ = ('kind', 'v4', 'dl', 'ifindex', 'sport', 'options',
                 'payload', 'sum_off', 'fields')

    def __init__(self):
        self.fields = None      # what every result shares (_fields)


_RUNNING = (R.STOP_NONE, 0)


class Sent:
    """What a ping keeps of a probe once it has left."""

    __slots__ = ('tx', 'ipid')

    def __init__(self, tx, ipid):
        self.tx = tx
        self.ipid = ipid


class PingMethod(Method):
    # a list's pings wait for their replies by the thousand: each keeps
    # only what is its own (the rest is in its Plan)
    __slots__ = ('dst', 'cmd', 'plan', 'rng', 'src', 'tcpseq', 'tcpack',
                 'start_time', 'stop', 'got', '_result', 'done', 'sent',
                 'last', 'nreplies', 'quote', 'due', 'task_meta')

    def __init__(self, cmd, ctx, rng=None):
        # the copies of a list's command differ only in their destination
        # (commands.parse): every ping of them keeps the first one, not its
        # own copy, and reads the destination from self.dst
        self.dst = cmd.dst
        self.cmd = cmd = cmd.memo.setdefault('command', cmd)
        self.rng = rng or _RNG
        self.src = cmd.src or ctx.src
        dl = bool(cmd.flags & R.FLAG_DL)
        spoof = cmd.flags & R.FLAG_SPOOF
        key = ('plan', ctx.src if spoof else None, ctx.sport,
               ctx.ifindex if dl else 0)
        plan = cmd.memo.get(key)
        if plan is None:
            plan = cmd.memo[key] = Plan()
            plan.kind = family_of(cmd.method)
            plan.v4 = cmd.family == 4
            plan.dl = dl
            plan.ifindex = key[3]
            plan.sport = cmd.sport if cmd.sport is not None else ctx.sport
            plan.options = ip_options(cmd) if plan.v4 else b''
            payload, plan.sum_off = self._payload(cmd, plan, ctx.src)
            plan.payload = bytes(payload)
        self.plan = plan
        self.tcpseq = self.tcpack = 0
        if plan.kind == 'tcp':
            first = cmd.tcpack if cmd.tcpack is not None else \
                self.rng.getrandbits(32)
            if cmd.method in ('tcp-syn', 'tcp-rst'):
                self.tcpseq = first
            else:
                self.tcpseq, self.tcpack = self.rng.getrandbits(32), first
        self.start_time = 0.0
        self.stop = _RUNNING
        self.got = ()           # every reply, in the order they came
        self._result = None
        self.done = False
        self.sent = ()          # Probe, then Sent, objects, in order
        self.last = None        # the last packet sent (probe or PTB)
        self.nreplies = 0       # probes with a reply (TBT: fragments)
        self.quote = None       # a reply to quote in a packet too big
        self.due = False        # the inter-probe wait has passed

    @property
    def result(self):
        """The Ping so far (made when asked: a ping waiting for its replies
        holds only what it needs to go on)."""
        res = self._result
        if res is None:
            cmd, plan, n = self.cmd, self.plan, self.cmd.count
            if plan.fields is None:
                plan.fields = self._fields()
            replies = [[] for _ in range(n)]
            for rep in self.got:
                replies[rep.probe_id].append(rep)
            f = plan.fields.copy()
            f['src'] = self.src
            f['dst'] = self.dst
            f['probe_tcpseq'] = self.tcpseq
            f['probe_tcpack'] = self.tcpack
            f['probe_tsps'] = list(cmd.tsps)
            f['replies'] = replies
            f['start'] = self.start_time
            f['stop_reason'], f['stop_data'] = self.stop
            if self.done:
                sent = self.sent
                more = [None] * (n - len(sent))
                f['ping_sent'] = len(sent)
                f['probes'] = [p.tx for p in sent] + more
                f['probe_ipids'] = [p.ipid if plan.v4 else None
                                    for p in sent] + more
            else:
                f['probes'] = []
                f['probe_ipids'] = []
            res = R.Ping.of_fields(f)
            if self.done:
                self._result = res
        return res

    def _fields(self):
        """The fields of every Ping of this command (made once: see
        Ping.of_fields)."""
        cmd = self.cmd
        return vars(R.Ping(
            method=cmd.method, rtr=cmd.rtr, userid=cmd.userid,
            probe_count=cmd.count, probe_size=cmd.size,
            probe_datalen=len(cmd.data), probe_data=cmd.data,
            probe_wait=cmd.wait, probe_timeout=cmd.timeout,
            probe_ttl=cmd.ttl, probe_tos=cmd.tos,
            probe_sport=self.plan.sport, probe_dport=cmd.dport,
            probe_icmpsum=cmd.icmpsum, reply_count=cmd.reply_count,
            reply_pmtu=cmd.reply_pmtu, flags=cmd.flags))

    # --- building probes -------------------------------------------------

    @staticmethod
    def _payload(cmd, plan, realsrc):
        """The payload every probe carries, and where the -C scratch bytes
        are (or None), as scamper's ping_state_payload builds them."""
        hdr = 20 + len(plan.options) if plan.v4 else 40
        if cmd.tsps:
            # 20211212 leaves its pre-specified timestamp option out here:
            # the ICMP, UDP or TCP part is as large as without it, and the
            # packet (not probe_size) larger by the option's length
            hdr = 20
        n = cmd.size - hdr - {'icmp': 8, 'tcp': 20, 'udp': 8}[plan.kind]
        buf = bytearray()
        if cmd.method == 'icmp-time':
            n -= 12              # scamper counts the timestamps twice
            buf += bytes(12)     # originate, receive, transmit
        if (cmd.flags & R.FLAG_SPOOF and not cmd.flags & R.FLAG_NOSRC
                and cmd.method not in ('tcp-synack', 'tcp-rst')):
            buf += realsrc
        sum_off = None
        if cmd.flags & R.FLAG_ICMPSUM:
            sum_off = len(buf)
            buf += bytes(2)
        if cmd.flags & R.FLAG_PAYLOAD:
            buf += cmd.data
        elif cmd.data:
            while len(buf) < n:
                buf += cmd.data
        buf = buf[:n]
        return bytearray(buf + bytes(n - len(buf))), sum_off

    def _new_probe(self, now):
        plan = self.plan
        cmd = self.cmd
        i = len(self.sent)
        ipid = 0
        if plan.v4:
            ipid = self.rng.getrandbits(16) or 1
        p = Probe(cmd.family, self.src, self.dst, IPPROTO_ICMP, ttl=cmd.ttl,
                  tos=cmd.tos, ipid=ipid, df=plan.v4, size=cmd.size,
                  ip_options=plan.options, cookie=i, ifindex=plan.ifindex)
        payload = plan.payload
        if plan.kind == 'icmp':
            p.proto = IPPROTO_ICMP if plan.v4 else IPPROTO_ICMPV6
            p.icmp_id = plan.sport
            p.icmp_seq = (cmd.dport + i) & 0xffff
            if cmd.method == 'icmp-time':
                p.icmp_type = ICMP_TSTAMP
                p.size -= 12
                ms = (int(now) % 86400) * 1000 + int(now * 1000) % 1000
                payload = bytearray(payload)
                payload[0:4] = struct.pack('!I', ms)
            else:
                p.icmp_type = ICMP_ECHO if plan.v4 else ICMP6_ECHO
            if plan.sum_off == 0:
                p.icmp_sum = cmd.icmpsum
            elif plan.sum_off is not None:
                payload = self._fudge(p, bytearray(payload))
        elif plan.kind == 'tcp':
            p.proto = IPPROTO_TCP
            p.sport = plan.sport
            if cmd.method == 'tcp-ack-sport':
                p.sport = (plan.sport + i) & 0xffff
            p.dport = cmd.dport
            p.tcp_flags = _TCP_FLAGS[cmd.method]
            p.tcp_seq = self.tcpseq
            p.tcp_ack = self.tcpack
        else:
            p.proto = IPPROTO_UDP
            p.sport = plan.sport
            p.dport = cmd.dport
            if cmd.method == 'udp-dport':
                p.dport = (cmd.dport + i) & 0xffff
        p.payload = bytes(payload)
        return p

    def _fudge(self, p, payload):
        """Set the -C scratch bytes so the ICMP checksum is -C (when they
        do not lead the payload, so Probe.icmp_sum cannot be used)."""
        plan = self.plan
        msg = struct.pack('!BBHHH', p.icmp_type, 0, 0, p.icmp_id,
                          p.icmp_seq) + bytes(payload)
        if not plan.v4:
            msg = _pseudo6(p.src, p.dst, len(msg)) + msg
        want = ~self.cmd.icmpsum & 0xffff
        s = ~checksum(msg) & 0xffff        # ones-complement sum so far
        x = want + (~s & 0xffff)
        x = (x & 0xffff) + (x >> 16)
        payload[plan.sum_off:plan.sum_off + 2] = struct.pack('!H', x)
        return payload

    def _ptb(self):
        plan = self.plan
        """An ICMP packet too big quoting the reply in ``self.quote``."""
        cmd, r = self.cmd, self.quote
        mtu = cmd.reply_pmtu
        icmp = struct.pack('!BBHHH', r.icmp_type, 0, 0, r.icmp_id,
                           r.icmp_seq) + bytes(plan.payload)
        if plan.v4:
            icmp = icmp[:2] + struct.pack('!H', checksum(icmp)) + icmp[4:]
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, r.tos or 0, r.size,
                             r.ipid or 0, 0, r.ttl or 0, IPPROTO_ICMP, 0,
                             r.src, r.dst)
            ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
            quote = ip + icmp[:8]
            p = Probe(4, self.src, self.dst, IPPROTO_ICMP, ttl=255,
                      icmp_type=ICMP_UNREACH, icmp_code=ICMP_UNREACH_NEEDFRAG,
                      icmp_id=0, icmp_seq=mtu)
        else:
            c = checksum(_pseudo6(r.src, r.dst, len(icmp)) + icmp)
            icmp = icmp[:2] + struct.pack('!H', c) + icmp[4:]
            ip = struct.pack('!IHBB16s16s', (6 << 28) | ((r.tos or 0) << 20)
                             | (r.flowlabel or 0), len(icmp), IPPROTO_ICMPV6,
                             r.ttl or 0, r.src, r.dst)
            quote = (ip + icmp)[:min(r.size or 0, 1280 - 40 - 8)]
            p = Probe(6, self.src, self.dst, IPPROTO_ICMPV6, ttl=255,
                      icmp_type=ICMP6_PACKET_TOO_BIG, icmp_code=0,
                      icmp_id=mtu >> 16, icmp_seq=mtu & 0xffff)
        p.payload = quote
        p.size = (20 if plan.v4 else 40) + 8 + len(quote)
        p.cookie = 'ptb'
        return p

    # --- the method contract ---------------------------------------------

    def start(self, now):
        self.due = True

    def ready(self):
        return not self.done and (self.quote is not None or self.due)

    def next_probe(self, now):
        if self.quote is not None:
            p = self._ptb()
            self.quote = None
        else:
            if not self.sent:
                self.start_time = now
            p = self._new_probe(now)
            self.sent += (p,)
            self.due = False
        self.last = p
        return p

    def probe_sent(self, probe):
        # a Sent for the Probe: a list's pings keep theirs by the thousand
        kept = Sent(probe.tx, probe.ipid)
        sent = self.sent
        if sent and sent[-1] is probe:
            self.sent = sent[:-1] + (kept,)
        if self.last is probe:
            self.last = kept

    def send_error(self, probe, err, now):
        if self.sent and probe is self.sent[-1]:
            self.sent = self.sent[:-1]
        self._stop(R.STOP_ERROR, err & 0xff)

    def timer(self):
        if self.done or self.last is None or self.due:
            return None
        if len(self.sent) < self.cmd.count:
            return self.last.tx + self.cmd.wait
        return self.last.tx + self.cmd.timeout

    def handle_timer(self, now):
        t = self.timer()
        if t is None or now < t:
            return
        if len(self.sent) == self.cmd.count:
            self._stop(R.STOP_COMPLETED)
        else:
            self.due = True

    def halt(self, now):
        self._stop(R.STOP_HALTED)

    def _stop(self, reason, data=0):
        if self.done:
            return
        self.stop = (reason, data)
        self.done = True

    # --- replies -----------------------------------------------------------

    def _seq_ipid(self, ipid):
        """scamper's match_ipid: the latest of the last five probes whose
        IP-ID is ``ipid``, else the latest probe."""
        plan = self.plan
        last = len(self.sent) - 1
        if not plan.v4:
            return last
        seq = last
        while self.sent[seq].ipid != ipid:
            if seq == 0 or seq == len(self.sent) - 5:
                return last
            seq -= 1
        return seq

    def _seq_icmp(self, seq):
        return (seq - self.cmd.dport) & 0xffff

    def _match(self, r):
        plan = self.plan
        """The index of the probe ``r`` answers, or None."""
        cmd, method, kind = self.cmd, self.cmd.method, plan.kind
        fixed = method in ('tcp-syn', 'tcp-ack', 'tcp-synack', 'tcp-rst')
        if r.is_icmp and r.is_icmp_error:
            if r.icmp_type not in (_ERRORS4 if plan.v4 else _ERRORS6):
                return None
            if kind == 'icmp':
                want = ICMP_TSTAMP if method == 'icmp-time' else \
                    ICMP_ECHO if plan.v4 else ICMP6_ECHO
                if (r.q_proto not in (IPPROTO_ICMP, IPPROTO_ICMPV6)
                        or r.q_icmp_type != want or r.q_icmp_id != plan.sport):
                    return None
                return self._seq_icmp(r.q_icmp_seq)
            if kind == 'tcp':
                if r.q_proto != IPPROTO_TCP or r.q_dport != cmd.dport:
                    return None
                if fixed:
                    if r.q_sport != plan.sport:
                        return None
                    return self._seq_ipid(r.q_ipid)
                return (r.q_sport - plan.sport) & 0xffff
            if r.q_proto != IPPROTO_UDP or r.q_sport != plan.sport:
                return None
            if method == 'udp':
                if r.q_dport != cmd.dport:
                    return None
                return self._seq_ipid(r.q_ipid)
            return (r.q_dport - cmd.dport) & 0xffff
        if r.is_icmp:
            if kind != 'icmp' or r.icmp_id != plan.sport:
                return None
            want = ICMP_TSTAMPREPLY if method == 'icmp-time' else \
                ICMP_ECHOREPLY if plan.v4 else ICMP6_ECHOREPLY
            if r.icmp_type != want:
                return None
            return self._seq_icmp(r.icmp_seq)
        if r.proto == IPPROTO_TCP:
            if kind != 'tcp' or r.sport != cmd.dport:
                return None
            if fixed:
                if r.dport != plan.sport:
                    return None
                return self._seq_ipid(r.ipid)
            return (r.dport - plan.sport) & 0xffff
        if r.proto == IPPROTO_UDP and method == 'udp':
            if r.dport == plan.sport and r.sport == cmd.dport:
                return len(self.sent) - 1
        return None

    def receive(self, r, now):
        if self.done or not self.sent:
            return
        seq = self._match(r)
        if seq is None or seq >= len(self.sent):
            return
        plan = self.plan
        probe = self.sent[seq]
        cmd = self.cmd
        # the destination's own address object when it answers (kept by
        # the thousand until the ping ends)
        addr = self.dst if r.src == self.dst else r.src
        rep = R.PingReply(
            addr=addr, probe_id=seq, tx=probe.tx,
            rtt=round(r.rx * 1e6) - round(probe.tx * 1e6),
            reply_proto=r.proto, reply_size=r.size, reply_tos=r.tos)
        if r.ttl is not None:
            rep.reply_ttl = r.ttl
            rep.flags |= R.REPLY_FLAG_REPLY_TTL
        if r.proto == IPPROTO_TCP:
            rep.tcp_flags = r.tcp_flags
        elif r.is_icmp:
            rep.icmp_type, rep.icmp_code = r.icmp_type, r.icmp_code
            if (plan.v4 and r.icmp_type == ICMP_TSTAMPREPLY and r.icmp_ts
                    and not plan.dl):
                rep.tsreply = tuple(r.icmp_ts)
        if plan.v4:
            rep.reply_ipid = r.ipid
            rep.probe_ipid = probe.ipid
            rep.flags |= R.REPLY_FLAG_REPLY_IPID | R.REPLY_FLAG_PROBE_IPID
            if r.rr and not plan.dl:
                rep.v4rr = list(r.rr)
            if r.ts is not None and not plan.dl:
                rep.v4ts = list(r.ts)
        elif r.frag:
            rep.reply_ipid32 = r.ipid
            rep.flags |= R.REPLY_FLAG_REPLY_IPID

        echo = r.is_icmp and not r.is_icmp_error and \
            r.icmp_type in (ICMP_ECHOREPLY, ICMP6_ECHOREPLY)
        # -M: quote an oversized echo reply in a packet too big
        if (cmd.reply_pmtu and not r.is_icmp_error and r.is_icmp
                and r.size > cmd.reply_pmtu and self.quote is None):
            self.quote = r

        stop = False
        if not any(got.probe_id == seq for got in self.got):
            if not cmd.flags & R.FLAG_TBT:
                self.nreplies += 1
            elif self.nreplies == 0 and not echo:
                stop = True    # the too-big trick ends on anything else
            elif rep.flags & R.REPLY_FLAG_REPLY_IPID:
                self.nreplies += 1
        self.got += (rep,)
        if stop or (cmd.reply_count and self.nreplies >= cmd.reply_count):
            self._stop(R.STOP_COMPLETED)
