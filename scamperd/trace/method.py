"""The traceroute method (sans-I/O), a port of scamper_trace_do.c (20211212).

The state machine is scamper's.  ``self.mode`` is the probing mode; each
mode has a reply handler and a timeout handler named after scamper's
(handleicmp_trace / timeout_trace, ...), dispatched by the tables at the
end of the class.  The engine-facing contract (scamperd/method.py) maps
onto scamper's task queues like this:

* scamper's probe queue      -> ``ready()`` (``self._sched == 'probe'``)
* scamper's wait queue       -> ``timer()`` returns ``self._deadline``; the
  deadline is either a reply timeout ('wait') or the -W gap ('gap')
* trace_queue()              -> ``_queue(now)``
* do_trace_handle_timeout()  -> ``handle_timer(now)``
* do_trace_handle_icmp()     -> ``receive()`` for ICMP replies
* do_trace_handle_dl()/handletp_*() -> ``receive()`` for TCP/UDP replies
* do_trace_probe()           -> ``next_probe(now)``

With -O dl the engine reads the task's replies from the datalink of the
interface the route uses (probes carry its ``ifindex``), and notes when each
probe's own frame left (``Probe.dl_tx``).  The hop flags and times follow
what scamper makes of the same records: see ``_dl_tx`` and ``_dl_icmp``.

Probe identifiers are scamper's: probe number ``id`` (from 0) is carried as
the IPv4 IP-ID id+1 always, and in the UDP destination port (udp: base+id),
the UDP checksum (udp-paris: id+1), the ICMP sequence (icmp: id) or the
IPv6 flow label (tcp, udp-paris -O const-payload: id+1).
"""

from scamperd import probe as P
from scamperd.method import Method
from scamperd.trace import result as R

TRACE = 'trace'
LASTDITCH = 'lastditch'
PMTUD_DEFAULT = 'pmtud-default'
PMTUD_SILENT_L2 = 'pmtud-silent-L2'
PMTUD_SILENT_TTL = 'pmtud-silent-TTL'
PMTUD_BADSUGG = 'pmtud-badsugg'
DTREE_FIRST = 'dtree-first'
DTREE_FWD = 'dtree-fwd'
DTREE_BACK = 'dtree-back'

# known media MTUs, used to guess the next probe size when PMTUD meets
# silence (scamper's L2 table)
L2 = [68, 296, 508, 512, 544, 552, 576, 1006, 1280, 1454, 1480, 1492, 1500,
      1514, 1536, 2002, 2048, 4352, 4464, 4470, 8166, 9000, 9192, 16110,
      17914, 65535]
L2_1454 = 9
L2_1500 = 12

# probes (k) to send to rule out a load balancer with n next hops, at 95%
# and 99% confidence; index n
CONFIDENCE_K = [
    (0, 0), (0, 0), (6, 8), (11, 15), (16, 21), (21, 28), (27, 36), (33, 43),
    (38, 51), (44, 58), (51, 66), (57, 74), (63, 82), (70, 90), (76, 98),
    (83, 106), (90, 115), (96, 123), (103, 132), (110, 140), (117, 149),
    (124, 157), (131, 166), (138, 175), (145, 183), (152, 192)]
CONFIDENCE_MAX_N = 25

DPORT_DEFAULT = 32768 + 666 + 1


# --- ICMP message kinds, for a Reply or a TraceHop --------------------------

def is_ttl_exp(v4, itype):
    return itype == (P.ICMP_TIMXCEED if v4 else P.ICMP6_TIMXCEED)


def is_unreach(v4, itype):
    return itype == (P.ICMP_UNREACH if v4 else P.ICMP6_UNREACH)


def is_ptb(v4, itype, icode):
    if v4:
        return itype == P.ICMP_UNREACH and icode == P.ICMP_UNREACH_NEEDFRAG
    return itype == P.ICMP6_PACKET_TOO_BIG


def is_echo_reply(v4, itype):
    return itype == (P.ICMP_ECHOREPLY if v4 else P.ICMP6_ECHOREPLY)


def hop_is_icmp(hop):
    return not hop.flags & (R.HOP_FLAG_TCP | R.HOP_FLAG_UDP)


class _Sent:
    """What scamper keeps of each probe sent (trace_probe_t)."""
    __slots__ = ('probe', 'id', 'ttl', 'size', 'attempt', 'mode', 'rx',
                 'timeout', 'dl_rx')

    def __init__(self, probe, pid, ttl, size, attempt, mode):
        self.probe = probe
        self.id = pid
        self.ttl = ttl
        self.size = size
        self.attempt = attempt
        self.mode = mode
        self.rx = 0
        self.timeout = False
        self.dl_rx = None         # the first datalink receive time


class _L2:
    """PMTUD search over packet sizes (pmtud_L2_state_t)."""
    def __init__(self, idx, size):
        self.idx = idx
        self.lower = -1
        self.upper = size
        self.in_ = size
        self.out = -1
        self.hop = None


class _TTL:
    """PMTUD search over TTLs for a silent hop (pmtud_TTL_state_t)."""
    def __init__(self):
        self.lower = 0
        self.upper = 0
        self.hop = None


class TraceMethod(Method):

    def __init__(self, cmd, ctx):
        self.done = False
        self.result = None
        v4 = cmd.family == 4
        self.v4 = v4
        self.type = cmd.method
        self.is_udp = cmd.method in ('udp', 'udp-paris')
        self.is_tcp = cmd.method in ('tcp', 'tcp-ack')
        self.is_icmp = cmd.method in ('icmp-echo', 'icmp-paris')
        sport = cmd.sport if cmd.sport is not None else ctx.sport
        if cmd.dport is not None:
            dport = cmd.dport
        elif cmd.method == 'icmp-paris':
            dport = ctx.sport     # the ICMP checksum scamper uses
        else:
            dport = DPORT_DEFAULT
        t = self.trace = R.Trace(
            method=cmd.method, src=cmd.src or ctx.src, dst=cmd.dst,
            sport=sport, dport=dport,
            icmp_sum=dport if cmd.method == 'icmp-paris' else 0,
            attempts=cmd.attempts, hoplimit=cmd.hoplimit,
            firsthop=cmd.firsthop, gaplimit=cmd.gaplimit,
            gapaction=cmd.gapaction, loops=cmd.loops,
            confidence=cmd.confidence, wait=cmd.wait,
            wait_probe=cmd.wait_probe, tos=cmd.tos,
            probe_size=cmd.probe_size, payload=cmd.payload,
            offset=cmd.offset, flags=cmd.flags, userid=cmd.userid,
            hop_count=cmd.firsthop - 1)
        if cmd.doubletree:
            t.dtree = R.TraceDtree(
                lss=cmd.lss, firsthop=cmd.firsthop, gss=cmd.gss,
                flags=R.DTREE_FLAG_NOBACK if cmd.dtree_noback else 0)
        self.gss = set(cmd.gss)
        # the engine's named local stop set (shared by traces), and the
        # addresses this trace added to it (state->lss)
        self.lsst = (ctx.lss.setdefault(cmd.lss, set())
                     if cmd.lss is not None else None)
        self.lss_local = set()
        self.ctx = ctx     # its interface MTU is looked up only for PMTUD
        self.dl = bool(cmd.flags & R.FLAG_DL)
        self.ifindex = ctx.ifindex if self.dl else 0

        # a fragment probe (-o) has no transport header (trace_probe_headerlen)
        self.header_size = (20 if v4 else 40) + (
            0 if cmd.offset else 20 if self.is_tcp else 8)
        self.payload_size = cmd.probe_size - self.header_size
        self.mode = DTREE_FIRST if cmd.doubletree else TRACE
        self.ttl = cmd.firsthop
        self.attempt = 0
        self.loopc = 0
        self.sent = []            # _Sent, indexed by probe id
        self.last_tx = 0.0
        self.at_ttl = {}          # ttl -> hops, by attempt (trace->hops[])
        self.conf = 1 if cmd.confidence == 99 else 0
        self.n = 2
        self.interfaces = set()
        # PMTUD state (trace_pmtud_state_t)
        self.L2 = None
        self.TTL = None
        self.last_fragmsg = None
        self.note = None          # [type, nhmtu, hop] not yet recorded

        self._sched = None
        self._deadline = None

    # --- the engine contract ---------------------------------------------

    def start(self, now):
        self.trace.start = now
        self._sched = 'probe'

    def ready(self):
        return self._sched == 'probe'

    def timer(self):
        if self._sched in ('wait', 'gap'):
            return self._deadline
        return None

    def halt(self, now):
        if self.done:
            return
        self.trace.stop_reason = R.STOP_HALTED
        self._finish()

    def send_error(self, probe, err, now):
        # scamper counts a probe only once it is sent
        self.sent.pop()
        self.attempt -= 1
        self.trace.probe_count -= 1
        self._stop(R.STOP_ERROR, err)
        self._finish()

    def handle_timer(self, now):
        """do_trace_handle_timeout, and the end of a -W gap."""
        if self.done or self._deadline is None or now < self._deadline:
            return
        self._sched, self._deadline = None, None
        last = self.sent[-1]
        if last.rx == 0:
            last.timeout = True
            # all attempts at this probe went unanswered
            if self.attempt == self._attempts():
                self.attempt = 0
                self.TIMEOUT[self.mode](self, now)
        # as scamper's wait queue does: a task not queued elsewhere by its
        # timeout handler goes to the probe queue
        if not self.done and self._sched is None:
            self._sched = 'probe'

    def receive(self, reply, now):
        if self.done or reply.family != (4 if self.v4 else 6):
            return
        if reply.is_icmp_error or (reply.is_icmp and self.is_icmp):
            self._handle_icmp(reply, now)
            if self.dl:
                self._dl_icmp(reply)
        elif reply.proto in (P.IPPROTO_TCP, P.IPPROTO_UDP):
            self._handle_tp(reply, now)

    def next_probe(self, now):
        """do_trace_probe: build the next probe for the current mode."""
        t = self.trace
        pid = len(self.sent)
        pmtud = self.mode.startswith('pmtud')
        if self.is_udp:
            proto = P.IPPROTO_UDP
        elif self.is_tcp:
            proto = P.IPPROTO_TCP
        else:
            proto = P.IPPROTO_ICMP if self.v4 else P.IPPROTO_ICMPV6
        size = self.header_size + self.payload_size
        p = P.Probe(
            4 if self.v4 else 6, t.src, t.dst, proto, ttl=self.ttl,
            tos=t.tos, ipid=pid + 1 if self.v4 else 0,
            df=self.v4 or pmtud, size=size,
            payload=b'' if pmtud else t.payload, cookie=pid,
            ifindex=self.ifindex)
        const = t.flags & R.FLAG_CONSTPAYLOAD
        if t.offset:
            # scamper's fragment probe: the fragment header says who sent
            # it (source port, probe number) and the first four payload
            # bytes repeat the probe number; the header is on top of the
            # probe size scamper records
            p.size += 8
            p.frag = (t.offset, (t.sport << 16 | pid & 0xffff) & 0xffffffff)
            p.payload = pid.to_bytes(4, 'big') + bytes(t.payload[4:])
            if self.is_icmp:
                p.icmp_id = t.sport
            else:
                p.sport = t.sport
        elif self.is_udp:
            p.sport, p.dport = t.sport, t.dport
            if self.type == 'udp':
                p.dport = (t.dport + pid) & 0xffff
            elif not const:
                p.udp_sum = pid + 1
            elif not self.v4:
                p.flowlabel = pid + 1
        elif self.is_icmp:
            p.icmp_type = P.ICMP_ECHO if self.v4 else P.ICMP6_ECHO
            p.icmp_id, p.icmp_seq = t.sport, pid & 0xffff
            if self.type == 'icmp-paris':
                p.icmp_sum = t.dport
        else:
            p.sport, p.dport = t.sport, t.dport
            p.tcp_seq = p.tcp_ack = p.tcp_win = 0
            p.tcp_flags = P.TH_SYN if self.type == 'tcp' else P.TH_ACK
            if not self.v4:
                p.flowlabel = pid + 1
        p.tx = now
        self.attempt += 1
        self.sent.append(_Sent(p, pid, self.ttl, size, self.attempt,
                               self.mode))
        t.probe_count += 1
        self.last_tx = now
        self._queue(now)
        return p

    # --- scheduling --------------------------------------------------------

    def _attempts(self):
        return self._k() if self.trace.confidence else self.trace.attempts

    def _k(self):
        return CONFIDENCE_K[self.n][self.conf]

    def _queue(self, now):
        """trace_queue: wait for the reply to the last probe, or probe now
        (after the -W gap)."""
        t = self.trace
        if self.sent and self.sent[-1].rx == 0:
            deadline = self.last_tx + t.wait
            if deadline > now:
                self._sched, self._deadline = 'wait', deadline
                return
        if t.wait_probe:
            deadline = self.last_tx + t.wait_probe / 100.0
            if deadline > now:
                self._sched, self._deadline = 'gap', deadline
                return
        self._sched, self._deadline = 'probe', None

    def _finish(self):
        self.done = True
        self._sched = 'done'
        self._deadline = None
        self.result = self.trace

    def _stop(self, reason, data=0):
        """trace_stop: the first stop reason set is kept."""
        if self.trace.stop_reason == R.STOP_NONE:
            self.trace.stop_reason = reason
            self.trace.stop_data = data

    def _hoplimit(self):
        return self.trace.hoplimit or 255

    # --- hop records -------------------------------------------------------

    def _hop(self, sent, reply, rx=None):
        """trace_hop: a hop timed from the probe's transmit time (the
        datalink's, when scamper has it) to ``rx`` or the reply's time."""
        tx = self._dl_tx(sent)
        hop = R.TraceHop(
            addr=reply.src, probe_ttl=sent.ttl, probe_id=sent.attempt,
            probe_size=sent.size, tx=tx or sent.probe.tx,
            rtt=int(round(((rx or reply.rx) - (tx or sent.probe.tx)) * 1e6)),
            reply_size=reply.size)
        if tx is not None:
            hop.flags |= R.HOP_FLAG_TS_DL_TX
        return hop

    def _dl_tx(self, sent):
        """When the datalink saw the probe leave, if scamper knows it:
        scamper sends TCP, PMTUD and IPv6 udp-paris -O const-payload probes
        on the datalink itself, whose socket does not see its own frames."""
        if (sent.probe.dl_tx is None or self.is_tcp or
                sent.mode.startswith('pmtud') or
                (self.type == 'udp-paris' and not self.v4 and
                 self.trace.flags & R.FLAG_CONSTPAYLOAD)):
            return None
        return sent.probe.dl_tx

    def _dl_icmp(self, ir):
        """What scamper does with the datalink record of an ICMP reply,
        which it reads after the reply from its ICMP socket (so not at all
        once that reply ended the trace): the first record for a probe gives
        its receive time, and the hops the probe got in trace mode take it
        (do_trace_handle_dl, dlin_trace)."""
        if self.done:
            return
        pid = self._icmp_probe_id(ir)
        if pid is None or not 0 <= pid < len(self.sent):
            return
        sent = self.sent[pid]
        if sent.dl_rx is not None:
            return
        sent.dl_rx = ir.rx
        if sent.rx == 0 or sent.mode != TRACE:
            return
        tx = self._dl_tx(sent) or sent.probe.tx
        for hop in self.at_ttl.get(sent.ttl, ()):
            if hop.probe_id == sent.attempt:
                hop.flags &= ~R.HOP_FLAG_TS_SOCK_RX
                hop.flags |= R.HOP_FLAG_TS_DL_RX
                hop.rtt = int(round((sent.dl_rx - tx) * 1e6))

    def _icmp_hop(self, sent, ir):
        """trace_icmp_hop"""
        hop = self._hop(sent, ir, sent.dl_rx)
        hop.icmp_type, hop.icmp_code = ir.icmp_type, ir.icmp_code
        if sent.dl_rx is not None:
            hop.flags |= R.HOP_FLAG_TS_DL_RX
        else:
            hop.flags |= R.HOP_FLAG_TS_SOCK_RX
        if ir.ttl is not None:
            hop.reply_ttl = ir.ttl
            hop.flags |= R.HOP_FLAG_REPLY_TTL
        if is_ptb(self.v4, ir.icmp_type, ir.icmp_code):
            hop.icmp_nhmtu = ir.icmp_nhmtu or 0
        if self.v4:
            hop.reply_ipid, hop.reply_tos = ir.ipid, ir.tos
        if ir.is_icmp_error:
            hop.icmp_q_ttl, hop.icmp_q_ipl = ir.q_ttl, ir.q_ipl
            if self.v4:
                hop.icmp_q_tos = ir.q_tos
        hop.icmp_ext = ir.icmp_ext or b''
        sent.rx += 1
        return hop

    def _tp_hop(self, sent, r):
        """trace_dl_hop: a TCP or UDP reply from the destination"""
        hop = self._hop(sent, r)
        hop.reply_ttl = r.ttl
        hop.flags |= R.HOP_FLAG_REPLY_TTL | R.HOP_FLAG_TS_DL_RX
        if self.v4:
            hop.reply_ipid, hop.reply_tos = r.ipid, r.tos
        if r.proto == P.IPPROTO_TCP:
            hop.tcp_flags = r.tcp_flags
            hop.flags |= R.HOP_FLAG_TCP
        else:
            hop.flags |= R.HOP_FLAG_UDP
        return hop

    def _hopins(self, hop):
        """trace_hopins: keep each TTL's hops ordered by attempt."""
        self.trace.hops.append(hop)
        hops = self.at_ttl.setdefault(hop.probe_ttl, [])
        i = len(hops)
        while i > 0 and hops[i - 1].probe_id > hop.probe_id:
            i -= 1
        hops.insert(i, hop)

    # --- stop conditions ---------------------------------------------------

    def _isloop(self, hop):
        """trace_isloop"""
        t = self.trace
        if hop.probe_ttl <= t.firsthop:
            return False
        for tmp in self.at_ttl.get(hop.probe_ttl, []):
            if tmp is hop:
                break
            if tmp.addr == hop.addr:
                return False     # this address was checked already
        for ttl in range(t.firsthop, t.hop_count + 1):
            if ttl == hop.probe_ttl:
                continue
            for tmp in self.at_ttl.get(ttl, []):
                if tmp.addr == hop.addr:
                    # loops between adjacent hops are allowed
                    if abs(tmp.probe_ttl - hop.probe_ttl) == 1:
                        return False
                    self.loopc += 1
                    return self.loopc >= t.loops
        return False

    def _stop_reason(self, hop):
        """trace_stop_reason: (reason, data) or None"""
        t = self.trace
        v4 = len(hop.addr) == 4
        icmp = hop_is_icmp(hop)
        if (icmp and is_unreach(v4, hop.icmp_type) and
                hop.icmp_code == (P.ICMP_UNREACH_PORT if v4
                                  else P.ICMP6_UNREACH_PORT) and
                (self.is_udp or self.is_tcp)):
            return R.STOP_COMPLETED, 0
        if icmp and is_unreach(v4, hop.icmp_type):
            return R.STOP_UNREACH, hop.icmp_code
        if icmp and is_echo_reply(v4, hop.icmp_type):
            return (R.STOP_COMPLETED, 0) if self.is_icmp else None
        if not self.v4 and hop.icmp_type == P.ICMP6_PACKET_TOO_BIG:
            return R.STOP_ICMP, hop.icmp_type
        if t.loops != 0 and self._isloop(hop):
            return R.STOP_LOOP, 0
        if (icmp and is_ttl_exp(v4, hop.icmp_type) and
                not t.flags & R.FLAG_IGNORETTLDST and hop.addr == t.dst):
            return R.STOP_COMPLETED, 0
        if self.is_tcp and hop.flags & R.HOP_FLAG_TCP:
            return R.STOP_COMPLETED, 0
        if t.dtree is not None and hop.addr in self.gss:
            t.dtree.gss_stop = hop.addr
            return R.STOP_GSS, 0
        return None

    def _check_stop(self, hops):
        """Stop on the first hop giving a reason; True if stopped."""
        for hop in hops:
            reason = self._stop_reason(hop)
            if reason is not None:
                self._stop(*reason)
                return True
        return False

    def _next_mode(self, now):
        """trace_next_mode"""
        t = self.trace
        if t.dtree is not None:
            if self.mode == DTREE_FWD:
                if (t.firsthop > 1 and
                        not t.dtree.flags & R.DTREE_FLAG_NOBACK):
                    self.mode = DTREE_BACK
                    self.ttl = t.firsthop - 1
                    self.attempt = 0
                    self._queue(now)
                else:
                    self._finish()
            elif self.mode == DTREE_BACK:
                self._finish()
            return
        if t.flags & R.FLAG_PMTUD:
            if t.stop_reason in (R.STOP_HOPLIMIT, R.STOP_GAPLIMIT,
                                 R.STOP_LOOP, R.STOP_NONE) or \
                    self.ctx.ifmtu <= self.header_size:
                self._finish()
                return
            t.pmtud = R.TracePmtud(ifmtu=self.ctx.ifmtu)
            self.attempt = 0
            self.mode = PMTUD_DEFAULT
            self.payload_size = self.ctx.ifmtu - self.header_size
            self.ttl = 255
            self._queue(now)
            return
        self._finish()

    # --- matching a reply to a probe ---------------------------------------

    def _ipid_fudge(self, ipid):
        """trace_ipid_fudge: the probe id an (altered) quoted IP-ID names"""
        n = len(self.sent)
        if not ipid:
            return None
        if ipid <= n:
            return ipid - 1
        if ipid == n + 1:
            return ipid - 2
        swapped = ((ipid & 0xff) << 8) | (ipid >> 8)
        if swapped <= n:
            return swapped - 1
        return None

    def _icmp_probe_id(self, ir):
        """The id of the probe an ICMP message answers, or None
        (the matching part of do_trace_handle_icmp)."""
        t = self.trace
        n = len(self.sent)
        v4 = self.v4
        if t.offset:
            return self._frag_probe_id(ir)
        if not ir.is_icmp_error:
            # an echo reply: only for ICMP methods (checked by receive)
            if (not is_echo_reply(v4, ir.icmp_type) or ir.src != t.dst or
                    ir.icmp_id != t.sport or ir.icmp_seq is None or
                    ir.icmp_seq >= n):
                return None
            return ir.icmp_seq
        if not (is_ttl_exp(v4, ir.icmp_type) or is_unreach(v4, ir.icmp_type)
                or is_ptb(v4, ir.icmp_type, ir.icmp_code)):
            return None
        if ir.q_dst != t.dst:
            return None
        if self.is_udp:
            if ir.q_proto != P.IPPROTO_UDP or ir.q_sport != t.sport:
                return None
            if self.type == 'udp':
                if ir.q_dport is None or not \
                        t.dport <= ir.q_dport < t.dport + n:
                    return None
                return ir.q_dport - t.dport
            if ir.q_dport != t.dport:
                return None
            csum = ir.q_udp_sum or 0
            if v4:
                if csum != 0 and csum == ir.q_ipid:
                    return csum - 1
                return self._ipid_fudge(ir.q_ipid)
            if not t.flags & R.FLAG_CONSTPAYLOAD:
                return csum - 1 if csum else None
            return ir.q_flowlabel - 1 if ir.q_flowlabel else None
        if self.is_icmp:
            proto = P.IPPROTO_ICMP if v4 else P.IPPROTO_ICMPV6
            if (ir.q_proto != proto or ir.q_icmp_id != t.sport or
                    ir.q_icmp_seq is None or ir.q_icmp_seq >= n):
                return None
            return ir.q_icmp_seq
        if (ir.q_proto != P.IPPROTO_TCP or ir.q_sport != t.sport or
                ir.q_dport != t.dport):
            return None
        if v4:
            return self._ipid_fudge(ir.q_ipid)
        return ir.q_flowlabel - 1 if ir.q_flowlabel else None

    def _frag_probe_id(self, ir):
        """The probe an ICMP error quoting one of our fragments answers:
        same offset, protocol and source port (in the fragment id), probe
        number in the first four data bytes.  Echo replies answer none."""
        t = self.trace
        if not (is_ttl_exp(False, ir.icmp_type) or
                is_unreach(False, ir.icmp_type) or
                is_ptb(False, ir.icmp_type, ir.icmp_code)):
            return None
        if (not ir.is_icmp_error or ir.q_frag_off != t.offset or
                ir.q_dst != t.dst or ir.q_ipid is None or
                ir.q_ipid >> 16 != t.sport or
                ir.q_frag_data is None or len(ir.q_frag_data) < 4):
            return None
        if self.is_udp:
            proto = P.IPPROTO_UDP
        elif self.is_tcp:
            proto = P.IPPROTO_TCP
        else:
            proto = P.IPPROTO_ICMPV6
        if ir.q_proto != proto:
            return None
        return int.from_bytes(ir.q_frag_data, 'big')

    def _handle_icmp(self, ir, now):
        pid = self._icmp_probe_id(ir)
        if pid is not None and 0 <= pid < len(self.sent):
            self.ICMP[self.mode](self, ir, self.sent[pid], now)

    def _handle_tp(self, r, now):
        """A TCP or UDP packet from the destination (do_trace_handle_dl,
        inbound direction)."""
        t = self.trace
        if not self.sent or r.src != t.dst or r.dport != t.sport:
            return
        if self.is_tcp and r.proto == P.IPPROTO_TCP and r.sport == t.dport:
            # no way to tell which probe: scamper takes the last one
            pid = len(self.sent) - 1
        elif self.is_udp and r.proto == P.IPPROTO_UDP:
            if self.type == 'udp':
                pid = (r.sport - t.dport) & 0xffff
            else:
                pid = len(self.sent) - 1
        else:
            return
        if pid >= len(self.sent):
            return
        sent = self.sent[pid]
        if sent.mode == TRACE:
            self._handletp_trace(r, sent, now)
        elif sent.mode == LASTDITCH:
            self._handletp_lastditch(r, sent, now)

    # --- replies, by mode --------------------------------------------------

    def _confidence_add(self, hop):
        if hop.addr not in self.interfaces:
            self.interfaces.add(hop.addr)
            if len(self.interfaces) > 1:
                self.n += 1

    def _handleicmp_trace(self, ir, sent, now):
        t = self.trace
        if sent.mode not in (TRACE, DTREE_FWD, DTREE_BACK):
            return
        hop = self._icmp_hop(sent, ir)
        self._hopins(hop)

        # a late reply, for a hop already done with: stop if it says so
        if hop.probe_ttl != self.ttl:
            if self._check_stop([hop]):
                self._next_mode(now)
            return

        if t.flags & R.FLAG_ALLATTEMPTS:
            if sent.attempt != self.attempt:
                return
            if self.attempt < t.attempts:
                self._queue(now)
                return
        elif t.confidence:
            self._confidence_add(hop)
            if self.n <= CONFIDENCE_MAX_N:
                if sent.attempt != self.attempt:
                    return
                if self.attempt < self._k():
                    self._queue(now)
                    return
            self.interfaces = set()
            self.n = 2

        self.attempt = 0

        if self.mode == DTREE_BACK:
            if self.ttl == 1:
                self._next_mode(now)
                return
            if self.lsst is not None and hop.addr not in self.lsst:
                self.lsst.add(hop.addr)
                self.lss_local.add(hop.addr)
            elif hop.addr not in self.lss_local:
                t.dtree.lss_stop = hop.addr
                self._next_mode(now)
                return
            self.ttl -= 1
            t.firsthop -= 1
            self._queue(now)
            return

        t.hop_count += 1
        self.ttl += 1
        if not t.confidence and not t.flags & R.FLAG_ALLATTEMPTS:
            stopped = self._check_stop([hop])
        else:
            stopped = self._check_stop(list(self.at_ttl[t.hop_count]))
        if stopped:
            self._next_mode(now)
            return
        if self._hoplimit() <= t.hop_count:
            self._stop(R.STOP_HOPLIMIT)
            self._next_mode(now)
            return
        self._queue(now)

    def _handleicmp_dtree_first(self, ir, sent, now):
        t = self.trace
        if sent.mode != DTREE_FIRST or sent.ttl > t.firsthop:
            return
        self.attempt = 0
        at_first_hop = False
        if (is_unreach(self.v4, ir.icmp_type) or
                is_ptb(self.v4, ir.icmp_type, ir.icmp_code) or
                is_echo_reply(self.v4, ir.icmp_type) or ir.src == t.dst):
            # too far: halve the starting distance, if possible
            if sent.ttl > 1:
                t.firsthop //= 2
                self.ttl = t.firsthop
                self._queue(now)
                return
            at_first_hop = True
        hop = self._icmp_hop(sent, ir)
        self._hopins(hop)
        t.hop_count = hop.probe_ttl
        if at_first_hop:
            t.firsthop = 1
            self._check_stop([hop])
            self._finish()
            return
        if hop.addr not in self.gss:
            self.ttl = hop.probe_ttl + 1
            self.mode = DTREE_FWD
            self._queue(now)
            return
        # in the global stop set: probe backwards
        t.stop_reason, t.stop_data = R.STOP_GSS, 0
        t.dtree.gss_stop = hop.addr
        if t.firsthop == 1 or t.dtree.flags & R.DTREE_FLAG_NOBACK:
            self._finish()
            return
        self.ttl = t.firsthop - 1
        self.mode = DTREE_BACK
        self._queue(now)

    def _handleicmp_lastditch(self, ir, sent, now):
        if sent.mode == TRACE:
            self._hopins(self._icmp_hop(sent, ir))
        elif sent.mode == LASTDITCH:
            self.trace.lastditch.append(self._icmp_hop(sent, ir))
            self._stop(R.STOP_GAPLIMIT)
            self._finish()

    def _handletp_trace(self, r, sent, now):
        t = self.trace
        hop = self._tp_hop(sent, r)
        self._hopins(hop)
        sent.rx += 1
        if t.flags & R.FLAG_ALLATTEMPTS:
            if sent.attempt != t.attempts:
                self._queue(now)
                return
            t.hop_count += 1
        elif t.confidence:
            self._confidence_add(hop)
            if self.n <= CONFIDENCE_MAX_N and self.attempt < self._k():
                self._queue(now)
                return
            t.hop_count += 1
        elif sent.rx == 1 and not sent.timeout:
            t.hop_count += 1
        self._stop(R.STOP_COMPLETED)
        self._finish()

    def _handletp_lastditch(self, r, sent, now):
        sent.rx += 1
        self.trace.lastditch.append(self._tp_hop(sent, r))
        self._stop(R.STOP_GAPLIMIT)
        self._finish()

    # --- PMTUD -------------------------------------------------------------

    def _pmtud_hop(self, sent, ir):
        hop = self._icmp_hop(sent, ir)
        self.trace.pmtud.probes.append(hop)
        return hop

    def _size(self):
        return self.header_size + self.payload_size

    def _L2_set_probesize(self, lower, upper):
        """pmtud_L2_set_probesize: the next size to try in (lower, upper)"""
        l2 = self.L2
        idx = l2.idx
        nxt = L2[idx + 1] if idx + 1 < len(L2) else None
        if lower == 1500 or (lower == L2[idx] and nxt is not None and
                             upper <= nxt):
            size = lower + 1
        elif lower >= L2[idx] and nxt is not None and nxt < upper:
            idx += 1
            size = L2[idx]
        elif upper == L2[idx] and idx > 0 and lower < L2[idx - 1]:
            idx -= 1
            size = L2[idx]
        else:
            size = (lower + upper) // 2
        self.attempt = 0
        self.payload_size = size - self.header_size
        l2.idx, l2.lower, l2.upper = idx, lower, upper

    def _L2_init(self):
        """pmtud_L2_init: the first size to try after silence or a useless
        packet-too-big"""
        size = self._size()
        if size > 1500:
            idx = L2_1500
        elif size > 1454:
            idx = L2_1454
        else:
            idx = len(L2) - 1
            for i in range(len(L2) - 1):
                if L2[i] < size <= L2[i + 1]:
                    idx = i
                    break
        self.L2 = _L2(idx, size)
        self.payload_size = L2[idx] - self.header_size
        self.attempt = 0

    def _TTL_set_probettl(self, lower, upper):
        """pmtud_TTL_set_probettl: False when no TTL is left to try"""
        while lower + 1 < upper:
            cur = (lower + upper) // 2
            while cur < upper and not self.at_ttl.get(cur):
                cur += 1
            if cur != upper:
                self.TTL.lower, self.TTL.upper = lower, upper
                self.ttl = cur
                self.attempt = 0
                return True
            upper = (lower + upper) // 2
        return False

    def _hop_find(self, addr):
        t = self.trace
        for ttl in range(t.firsthop, t.hop_count + 1):
            for hop in self.at_ttl.get(ttl, []):
                if hop.addr == addr:
                    return hop
        return None

    def _TTL_init(self):
        """pmtud_TTL_init: bounds of the search for the silent hop"""
        self.TTL = _TTL()
        self.payload_size = self.L2.in_ - self.header_size
        hop = self.last_fragmsg
        lower = 0
        if hop is not None:
            lower = max(0, hop.probe_ttl - (hop.icmp_q_ttl or 0))
        found = self._hop_find(self.L2.hop.addr)
        if found is not None:
            upper = found.probe_ttl
        else:
            hop = self.L2.hop
            upper = hop.probe_ttl - (hop.icmp_q_ttl or 0) + 1
        return self._TTL_set_probettl(lower, upper)

    def _L2_search_end(self):
        """pmtud_L2_search_end: record the inferred MTU; True if PMTUD is
        finished."""
        pm = self.trace.pmtud
        out, hop = self.L2.out, self.L2.hop
        self.L2 = None
        ntype, _, nhop = self.note
        self.note = None
        if self.TTL is not None:
            if self.TTL.hop is not None:
                nhop = self.TTL.hop
            elif self.TTL.lower == 0:
                pm.outmtu = out
            self.TTL = None
        pm.notes.append((ntype, out, nhop))
        if hop is not None:
            self.last_fragmsg = hop
            if not (hop_is_icmp(hop) and
                    is_ptb(self.v4, hop.icmp_type, hop.icmp_code)):
                pm.pmtu = hop.probe_size
                self._finish()
                return True
        self.payload_size = out - self.header_size
        self.mode = PMTUD_DEFAULT
        self.attempt = 0
        self.ttl = 255
        return False

    def _handleicmp_pmtud_default(self, ir, sent, now):
        pm = self.trace.pmtud
        if sent.mode != PMTUD_DEFAULT or sent.size != self._size():
            return
        hop = self._pmtud_hop(sent, ir)
        self.last_fragmsg = hop
        if is_ptb(self.v4, ir.icmp_type, ir.icmp_code):
            nhmtu = ir.icmp_nhmtu or 0
            if nhmtu == 0 or nhmtu >= sent.size:
                # no useful next-hop MTU: search for it
                self.note = [R.PMTUD_N_PTB_BAD, 0, hop]
                self.mode = PMTUD_BADSUGG
                self._L2_init()
                self._queue(now)
            elif nhmtu < self.header_size:
                pm.notes.append((R.PMTUD_N_PTB_BAD, 0, hop))
                self._finish()
            else:
                pm.notes.append((R.PMTUD_N_PTB, nhmtu, hop))
                self.attempt = 0
                self.payload_size = nhmtu - self.header_size
                self._queue(now)
        elif (is_ttl_exp(self.v4, ir.icmp_type) or
              is_unreach(self.v4, ir.icmp_type) or
              is_echo_reply(self.v4, ir.icmp_type)):
            pm.pmtu = sent.size
            self._finish()

    def _handleicmp_pmtud_silent_L2(self, ir, sent, now):
        l2 = self.L2
        if sent.size < l2.lower or l2.upper <= sent.size:
            return
        l2.hop = self._pmtud_hop(sent, ir)
        if sent.size + 1 != l2.upper:
            self._L2_set_probesize(sent.size, l2.upper)
        else:
            l2.lower = l2.out = sent.size
            if not self._TTL_init():
                self._finish()
                return
            self.mode = PMTUD_SILENT_TTL
        self._queue(now)

    def _handleicmp_pmtud_silent_TTL(self, ir, sent, now):
        if is_ttl_exp(self.v4, ir.icmp_type):
            self.TTL.hop = self._pmtud_hop(sent, ir)
            if not self._TTL_set_probettl(sent.ttl, self.TTL.upper):
                if self._L2_search_end():
                    return
            self._queue(now)
        elif (is_ptb(self.v4, ir.icmp_type, ir.icmp_code) and
              ir.icmp_nhmtu == self.L2.out):
            self._pmtud_hop(sent, ir)
            self.attempt = 0
            self.payload_size = ir.icmp_nhmtu - self.header_size
            self.ttl = 255
            self.mode = PMTUD_DEFAULT
            self.L2 = self.TTL = self.note = None
            self._queue(now)

    def _handleicmp_pmtud_badsugg(self, ir, sent, now):
        hop = self._pmtud_hop(sent, ir)
        if self.last_fragmsg.addr == ir.src:
            lower, upper = self.L2.lower, sent.size
        else:
            lower, upper = sent.size, self.L2.upper
            self.L2.hop = hop
        if lower + 1 != upper:
            self._L2_set_probesize(lower, upper)
        else:
            self.L2.lower = self.L2.out = lower
            self.L2.upper = upper
            if self._L2_search_end():
                return
        self._queue(now)

    # --- timeouts, by mode (all attempts for this probe went unanswered) ---

    def _timeout_trace(self, now):
        t = self.trace
        t.hop_count += 1
        self.ttl += 1
        self.interfaces = set()
        self.n = 2
        if t.flags & R.FLAG_ALLATTEMPTS or t.confidence:
            if self._check_stop(list(self.at_ttl.get(t.hop_count, []))):
                self._next_mode(now)
                return
        if self._hoplimit() <= t.hop_count:
            self._stop(R.STOP_HOPLIMIT)
            self._next_mode(now)
            return
        # a dead path: no reply from the last gaplimit hops
        if t.hop_count - (t.firsthop - 1) >= t.gaplimit and not any(
                self.at_ttl.get(t.hop_count - i)
                for i in range(t.gaplimit)):
            if t.gapaction == R.GAPACTION_LASTDITCH:
                self.mode = LASTDITCH
                self.ttl = 255
            else:
                self._stop(R.STOP_GAPLIMIT)
                self._next_mode(now)

    def _timeout_lastditch(self, now):
        self._stop(R.STOP_GAPLIMIT)
        self._finish()

    def _timeout_dtree_first(self, now):
        t = self.trace
        if self.ttl == 1:
            self.mode = DTREE_FWD
            self.ttl += 1
            t.hop_count += 1
            return
        self.ttl //= 2
        t.firsthop //= 2

    def _timeout_dtree_back(self, now):
        t = self.trace
        self.interfaces = set()
        if self.ttl == 1:
            self._next_mode(now)
            return
        if self.lsst is not None and (t.flags & R.FLAG_ALLATTEMPTS or
                                      t.confidence):
            if any(h.addr in self.lsst for h in self.at_ttl.get(self.ttl, [])):
                self._next_mode(now)
                return
        self.attempt = 0
        self.ttl -= 1
        t.firsthop -= 1
        self._queue(now)

    def _timeout_pmtud_default(self, now):
        self.note = [R.PMTUD_N_SILENCE, 0, None]
        self._L2_init()
        self.mode = PMTUD_SILENT_L2

    def _timeout_pmtud_silent_L2(self, now):
        l2 = self.L2
        size = self._size()
        if l2.idx == 0:
            self._finish()      # down to the minimum MTU: PMTUD failed
        elif l2.lower + 1 != size:
            self._L2_set_probesize(l2.lower, size)
        else:
            l2.out = l2.lower
            if self._TTL_init():
                self.mode = PMTUD_SILENT_TTL
            else:
                self._finish()

    def _timeout_pmtud_silent_TTL(self, now):
        if not self._TTL_set_probettl(self.TTL.lower, self.ttl):
            self._L2_search_end()

    def _timeout_pmtud_badsugg(self, now):
        lower, upper = self._size(), self.L2.upper
        self.L2.hop = None
        if lower + 1 != upper:
            self._L2_set_probesize(lower, upper)
        else:
            self.L2.lower = self.L2.out = lower
            self._L2_search_end()

    ICMP = {
        TRACE: _handleicmp_trace,
        LASTDITCH: _handleicmp_lastditch,
        PMTUD_DEFAULT: _handleicmp_pmtud_default,
        PMTUD_SILENT_L2: _handleicmp_pmtud_silent_L2,
        PMTUD_SILENT_TTL: _handleicmp_pmtud_silent_TTL,
        PMTUD_BADSUGG: _handleicmp_pmtud_badsugg,
        DTREE_FIRST: _handleicmp_dtree_first,
        DTREE_FWD: _handleicmp_trace,
        DTREE_BACK: _handleicmp_trace,
    }

    TIMEOUT = {
        TRACE: _timeout_trace,
        LASTDITCH: _timeout_lastditch,
        PMTUD_DEFAULT: _timeout_pmtud_default,
        PMTUD_SILENT_L2: _timeout_pmtud_silent_L2,
        PMTUD_SILENT_TTL: _timeout_pmtud_silent_TTL,
        PMTUD_BADSUGG: _timeout_pmtud_badsugg,
        DTREE_FIRST: _timeout_dtree_first,
        DTREE_FWD: _timeout_trace,
        DTREE_BACK: _timeout_dtree_back,
    }
