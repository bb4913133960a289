"""tbit as a method: a port of scamper 20211212's
scamper/tbit/scamper_tbit_do.c state machine (and the TCP receive queue of
scamper_tbit.c), sans I/O.

The method talks TCP itself from a port no socket owns: it declares a
firewall rule and a tap (scamperd/tbit/flow.py, shared with sting) and
builds its packets whole (scamperd/tbit/wire.py).  Without -F the test
ends at once with sys-error, as scamper's ends when it gets no firewall
entry.

Implemented: every type of the manual page, with the http and bgp
applications, IPv4 and IPv6; fragments are recorded and reassembled
(scamperd/tbit/reass.py), as scamper's are.
"""

import os
import random

from scamperd.net import ipopts
from scamperd.tbit import result as R
from scamperd.tbit import wire
from scamperd.tbit.reass import Fragments
from scamperd.tbit.cmd import (NULL_FO, NULL_FO_EXP, NULL_IPQS_SYN,
                               NULL_IPRR_SYN, NULL_IPTS_SYN, OPTION_SACK,
                               OPTION_TCPTS)
from scamperd.tbit.flow import FlowMethod
from scamperd.tbit.wire import (TH_ACK, TH_CWR, TH_ECE, TH_FIN, TH_RST,
                                TH_SYN)

TIMEOUT_DEFAULT = 10.0
TIMEOUT_LONG = 70.0
TIMEOUT_SACK = 2.0
TIMEOUT_BLINDDATA = 2.0

# modes (scamper's MODE_*)
SYN, FIN, DATA, PMTUD, BLACKHOLE, ZEROWIN, MOREDATA, BLIND, DONE = \
    'syn', 'fin', 'data', 'pmtud', 'blackhole', 'zerowin', 'moredata', \
    'blind', 'done'

# state flags
F_FIN_SEEN, F_FIN_ACKED, F_SEEN_DATA, F_NODF, F_RST_SEEN, F_NOMOREDATA = \
    0x01, 0x02, 0x04, 0x10, 0x20, 0x40
F_NORESET, F_TCPTS, F_SACK = 0x1000, 0x2000, 0x4000
ECN_ECT, ECN_CE_SET, ECN_CE_SENT, ECN_CWR_SET, ECN_CWR_SENT, ECN_ECE_SEEN = \
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20
SACKR_INCAPABLE, SACKR_SHIFTED, SACKR_BADOPT = 0x01, 0x02, 0x04
BLIND_CHALLENGE, BLIND_ACCEPTED, BLIND_SILENCE, BLIND_RST, BLIND_FIN = \
    0x01, 0x02, 0x04, 0x08, 0x10

RES = {v: k for k, v in R.RESULT_NAMES.items()}
# results after which scamper ends at once instead of closing the
# connection with a FIN (tbit_result)
_ABRUPT = {RES[n] for n in (
    'none', 'tcp-noconn', 'tcp-noconn-rst', 'tcp-error', 'tcp-rst',
    'tcp-badopt', 'tcp-fin', 'tcp-zerowin', 'sys-error', 'aborted',
    'halted', 'pmtud-noack', 'pmtud-fail', 'sack-incapable',
    'sack-rcvr-success', 'sack-rcvr-shifted', 'sack-rcvr-timeout',
    'sack-rcvr-nosack', 'blind-rst', 'blind-accepted')}

HTTP_UA = ('Mozilla/5.0 (X11; U; FreeBSD i386; en-US; rv:1.9.1.2) '
           'Gecko/20090806 Firefox/3.5.2')


def add(a, b):
    """a + b in the 32-bit sequence space."""
    return (a + b) & 0xffffffff


def seqoff(rcv_nxt, seq):
    """scamper_tbit_data_seqoff: seq - rcv_nxt as a signed 32-bit value."""
    d = (seq - rcv_nxt) & 0xffffffff
    return d - (1 << 32) if d & 0x80000000 else d


def _lt(a, b):
    return seqoff(b, a) < 0


def _leq(a, b):
    return seqoff(b, a) <= 0


def inrange(rcv_nxt, seq, length):
    """scamper_tbit_data_inrange."""
    end = add(seq, length - 1)
    top = add(rcv_nxt, 65535)
    return (_leq(rcv_nxt, seq) and _lt(seq, top)) or \
        (_leq(rcv_nxt, end) and _lt(end, top))


class TcpQueue:
    """scamper_tbit_tcpq: received segments ordered by their offset from
    ``seq``, then length."""

    def __init__(self, isn):
        self.seq = isn
        self.q = []           # [off, seq, flags, data]

    def add(self, seq, flags, data):
        e = [seqoff(self.seq, seq), seq, flags, bytes(data)]
        i = len(self.q)
        while i > 0 and (self.q[i - 1][0], len(self.q[i - 1][3])) > \
                (e[0], len(e[3])):
            i -= 1
        self.q.insert(i, e)

    def seg(self):
        if not self.q:
            return None
        return self.q[0][1], len(self.q[0][3])

    def pop(self):
        e = self.q.pop(0)
        off = seqoff(self.seq, e[1])
        if off < 0 and off + len(e[3]) <= 0:
            return e
        n = len(e[3]) + off
        for x in self.q:
            x[0] -= n
        self.seq = add(self.seq, n)
        return e

    def tail(self):
        rng = 0
        for e in self.q:
            u = seqoff(self.seq, add(e[1], len(e[3])))
            if u > rng:
                rng = u
        return add(self.seq, rng)

    def sack(self, count):
        if not self.q or not self.q[0][3]:
            return []
        left = self.q[0][1]
        right = add(left, len(self.q[0][3]))
        out = []
        for e in self.q[1:]:
            if len(out) >= count:
                break
            if not e[3]:
                continue
            off = seqoff(right, e[1])
            if off <= 0:
                if len(e[3]) > -off:
                    right = add(right, len(e[3]) + off)
                continue
            out.append((left, right))
            left, right = e[1], add(e[1], len(e[3]))
        if len(out) < count:
            out.append((left, right))
        return out


class _Tp:
    """A packet queued to send (scamper's tbit_probe_t)."""

    __slots__ = ('ptb', 'wait', 'len', 'flags', 'seq', 'ack', 'sack')

    def __init__(self, seq, ack, ptb=False):
        self.ptb = ptb
        self.wait = 0.0
        self.len = 0
        self.flags = TH_ACK
        self.seq = seq
        self.ack = ack
        self.sack = []


class TbitMethod(FlowMethod):
    def __init__(self, cmd, ctx, rand=None):
        rnd = rand or random.Random(os.urandom(8))
        super().__init__(cmd.result, cmd, ctx)
        t = self.result
        self.mode = SYN
        self.attempt = 0
        self.flags = F_NORESET if t.type == R.TYPE_SACK_RCVR else 0
        self.timeout = 0.0
        self.ipid = rnd.randrange(65536)
        self.tx = []                  # _Tp to send
        self.frags = Fragments()
        self.segments = []            # bytearrays of our data to send
        self.sa_seq = 0
        self.snd_nxt = rnd.randrange(65536)
        self.rcv_nxt = 0
        self.rxq = None
        self.ts_recent = 0
        self.ts_lastack = 0
        self.ecn = 0
        self.sackr_rx = [0] * 7
        self.sackr_x = 0
        self.sackr_flags = 0
        self.sackr_timeout = 0
        self.icw_seq = 0
        self.icw_tail = 0
        self.icw_count = 0
        self.icw_flagseq = False
        self.blind_flags = 0
        self.blind_c = 0
        self.blind_sent = 0
        self.blind_ignored = 0
        self.blind_step = 0
        self.blind_part1 = self.blind_part2 = self.blind_part3 = 0
        self.blind_ack = 0
        self.ptb_data = b''
        self.ptb_c = 0
        # the quick-start option's nonce (30 bits) and TTL, for -O ipqs-syn
        self.qs_nonce = rnd.getrandbits(30)
        self.qs_ttl = rnd.randrange(256)
        self._tls = None              # https: the ssl.SSLObject

    # -- the engine's contract -------------------------------------------

    def start(self, now):
        self.result.start = now
        if self.firewall_error is not None:
            self._handleerror()
            return
        if self.result.fo_cookie and self._app_rx(b'') <= 0:
            self._handleerror()

    def handle_timer(self, now):
        self._stamp()
        self._q = None
        {SYN: self._timeout_syn, FIN: self._timeout_fin,
         DATA: self._timeout_data, ZEROWIN: self._classify,
         MOREDATA: self._classify,
         BLIND: self._timeout_blind, PMTUD: self._classify,
         BLACKHOLE: self._classify}.get(self.mode, lambda: None)()
        if self._q is None:
            self._q = 'probe'
        self._check_done()

    def send_error(self, probe, err, now):
        self._stamp()
        self._handleerror()

    def halt(self, now):
        self._stamp()
        self._result(RES['halted'])
        self._check_done()

    def next_probe(self, now):
        self._stamp()
        t = self.result
        if self.tx and self.tx[0].ptb:
            return self._tx_ptb(self.tx.pop(0), now)
        pkt = None
        while pkt is None:
            tp = self.tx.pop(0) if self.tx else None
            wait = tp.wait if tp is not None else TIMEOUT_DEFAULT
            # scamper skips a queued data packet when its data is gone
            pkt = self._tx_tcp(tp, now)
        ipid = 0
        if len(t.dst) == 4:
            ipid = self.ipid
            self.ipid = (self.ipid + 1) & 0xffff
        seg, tos, ip_options = pkt
        data = wire.build(t.src, t.dst, t.sport, t.dport, seg, ttl=t.ttl,
                          tos=tos, ipid=ipid, ip_options=ip_options)
        probe = self._record_tx(data, now)
        if wait > 0:
            self.timeout = now + wait
        self._queue()
        self._check_done()
        return probe

    def _record_tx(self, data, now):
        rec = R.TbitPkt(tv=now, dir=R.PKT_DIR_TX, data=data)
        self.result.pkts.append(rec)
        return self._probe(data, rec)

    def _tx_ptb(self, tp, now):
        """tbit_tx_ptb: a packet too big for -M quoting the large packet,
        from -P or our address."""
        t = self.result
        pm = t.data
        ipid = 0
        if len(t.dst) == 4:
            ipid = self.ipid
            self.ipid = (self.ipid + 1) & 0xffff
        src = pm.ptbsrc or t.src
        data = wire.build_ptb(src, t.dst, pm.mtu, self.ptb_data, ttl=t.ttl,
                              ipid=ipid)
        # the probe is named by the test's flow (the engine's key for it)
        probe = self._record_tx(data, now)
        self.attempt += 1
        self.ptb_c += 1
        self._queue()
        return probe

    def receive(self, reply, now):
        self._stamp()
        p = self._packet(reply)
        if p is None:
            return
        t = self.result
        if p.frag:
            # every fragment is recorded; the packet goes on once whole
            t.pkts.append(R.TbitPkt(tv=reply.rx, dir=R.PKT_DIR_RX,
                                    data=p.raw))
            frag = p
            p = self._reassemble(p)
            if p is None:
                return
            p.rx = frag.rx
        if not self._ours(p):
            return
        if not p.frag and not p.reass:
            t.pkts.append(R.TbitPkt(tv=reply.rx, dir=R.PKT_DIR_RX,
                                    data=p.raw))
        func = {SYN: self._dl_syn, FIN: self._dl_fin, DATA: self._dl_data,
                ZEROWIN: self._dl_zerowin, MOREDATA: self._dl_moredata,
                BLIND: self._dl_data, PMTUD: self._dl_pmtud,
                BLACKHOLE: self._dl_blackhole}.get(self.mode)
        if func is None:
            return
        if self.mode != SYN:
            if p.flags & TH_RST:
                if self.mode == BLIND and self._blind_check_rst(p):
                    self.blind_flags |= BLIND_RST
                self.flags |= F_RST_SEEN
                self._classify()
                self._check_done()
                return
            if not p.flags & TH_ACK:
                return
        if self.flags & F_TCPTS and p.ts is not None and \
                _leq(p.seq, self.ts_lastack) and \
                _lt(self.ts_lastack, add(p.seq, len(p.data))):
            self.ts_recent = p.ts[0]
        func(p)
        self._check_done()

    # -- scamper's task queues -------------------------------------------

    def _queue(self):
        """tbit_queue."""
        if self.tx:
            self._q = 'probe'
        elif self.mode == DONE:
            self._q = 'done'
        else:
            self._q = 'wait'
            self._deadline = self.timeout

    def _queue_probe(self):
        self._q = 'probe'

    def _queue_done(self):
        self._q = 'done'

    def _check_done(self):
        if self._q == 'done' and not self.done:
            self._stamp()
            self.done = True

    def _tp(self):
        tp = _Tp(self.snd_nxt, self.rcv_nxt)
        self.tx.append(tp)
        return tp

    # -- results -----------------------------------------------------------

    def _result(self, result):
        """tbit_result: note the result, then close the connection (or
        stop at once for the results that call for it)."""
        t = self.result
        d = result in _ABRUPT or bool(self.flags & F_RST_SEEN)
        if t.result == RES['none']:
            t.result = result
        if not d:
            if self.mode != SYN:
                self.mode = FIN
                self._queue_probe()
        else:
            self.mode = DONE
            self._queue_done()

    def _handleerror(self):
        self.result.result = RES['sys-error']
        self.mode = DONE
        self._queue_done()
        self._check_done()

    def _tcpclosed(self):
        return self.flags & F_FIN_SEEN and self.flags & F_FIN_ACKED

    def _classify(self):
        t = self.result
        f = self.flags
        if t.result != RES['none']:
            if f & F_RST_SEEN:
                self.mode = DONE
                self._queue_done()
            return
        if t.type == R.TYPE_PMTUD:
            pm = t.data
            bh = pm.options & R.PMTUD_OPTION_BLACKHOLE
            v6 = len(t.dst) == 16
            if f & F_RST_SEEN:
                self._result(RES['pmtud-fail'] if self.ptb_c >= 2
                             else RES['tcp-rst'])
            elif self.mode == ZEROWIN:
                self._result(RES['tcp-zerowin'])
            elif not f & F_SEEN_DATA:
                self._result(RES['pmtud-nodata'])
            elif self.ptb_c == 0 and v6 and not bh and pm.mtu < 1280:
                self._result(RES['none'])
            elif self.ptb_c > 0:
                self._result(RES['pmtud-fail'])
            elif not v6 and f & F_NODF:
                self._result(RES['pmtud-nodf'])
            elif self.mode == BLACKHOLE:
                self._result(RES['pmtud-fail'])
            else:
                self._result(RES['pmtud-toosmall'])
        elif t.type == R.TYPE_ECN:
            if self.ecn & ECN_ECE_SEEN:
                self._result(RES['ecn-success'])
            elif f & F_RST_SEEN:
                self._result(RES['tcp-rst'])
            elif self.mode == ZEROWIN:
                self._result(RES['tcp-zerowin'])
            elif self.ecn & ECN_CE_SENT:
                self._result(RES['ecn-noece'])
            elif not f & F_SEEN_DATA:
                self._result(RES['ecn-nodata'])
        elif t.type == R.TYPE_NULL:
            if f & F_RST_SEEN:
                self._result(RES['tcp-rst'])
            elif self.mode == ZEROWIN:
                self._result(RES['tcp-zerowin'])
            elif not f & F_SEEN_DATA:
                self._result(RES['null-nodata'])
            else:
                self._result(RES['null-success'])
        elif t.type == R.TYPE_SACK_RCVR:
            if self.sackr_flags & SACKR_INCAPABLE:
                self._result(RES['sack-incapable'])
            elif self.sackr_flags & SACKR_SHIFTED:
                self._result(RES['sack-rcvr-shifted'])
            elif f & F_RST_SEEN:
                self._result(RES['tcp-rst'])
            elif self.mode == ZEROWIN:
                self._result(RES['tcp-zerowin'])
            elif f & F_FIN_SEEN:
                self._result(RES['tcp-fin'])
            elif self.sackr_rx[0] > 3:
                self._result(RES['sack-rcvr-nosack'])
            elif self.sackr_flags & SACKR_BADOPT:
                self._result(RES['tcp-badopt'])
            elif self.sackr_timeout > 2:
                self._result(RES['sack-rcvr-timeout'])
            else:
                self._result(RES['sack-rcvr-success'])
        elif t.type == R.TYPE_ICW:
            if f & F_RST_SEEN:
                self._result(RES['tcp-rst'])
            elif f & F_FIN_SEEN:
                self._result(RES['tcp-fin'])
            else:
                self._result(RES['none'])
        elif t.type in (R.TYPE_BLIND_DATA, R.TYPE_BLIND_FIN):
            b = self.blind_flags
            if b & BLIND_ACCEPTED:
                self._result(RES['blind-accepted'])
            elif b & BLIND_CHALLENGE:
                self._result(RES['blind-challenge'])
            elif b & BLIND_SILENCE:
                self._result(RES['blind-ignored'])
            elif b & BLIND_RST:
                self._result(RES['blind-rst'])
            elif f & F_RST_SEEN:
                self._result(RES['tcp-rst'])
            elif f & F_FIN_SEEN:
                self._result(RES['tcp-fin'])
            else:
                self._result(RES['none'])
        elif t.type in (R.TYPE_BLIND_RST, R.TYPE_BLIND_SYN):
            b = self.blind_flags
            fin = b & BLIND_FIN or f & F_FIN_SEEN
            if t.type == R.TYPE_BLIND_SYN and b & BLIND_RST:
                self._result(RES['blind-rst'])
            elif b & BLIND_CHALLENGE:
                self._result(RES['blind-challenge'])
            elif self.blind_c >= t.data.retx:
                self._result(RES['blind-ignored'])
            elif fin:
                self._result(RES['tcp-fin'])
            elif f & F_RST_SEEN:
                self._result(RES['tcp-rst'])
            elif t.type == R.TYPE_BLIND_RST and self.blind_c == 1 and \
                    self.blind_ignored == 0:
                self._result(RES['blind-accepted'])
            else:
                self._result(RES['none'])
        else:
            self._result(RES['none'])

    # -- the application -------------------------------------------------

    def _app_rx(self, data):
        """tbit_app_rx: the application reads ``data``; returns the length
        of what it queued to send (0 if nothing)."""
        if self.flags & F_NOMOREDATA:
            return 0
        t = self.result
        https = t.app_proto == R.APP_HTTP and \
            t.app.type == R.HTTP_TYPE_HTTPS
        if self.mode == SYN:
            if https:
                return self._tls_start()
            req = self._request()
        elif https and data and self._tls is not None:
            return self._tls_rx(data)
        else:
            return 0
        self.flags |= F_NOMOREDATA
        return self._queue_data(req)

    def _queue_data(self, data):
        if data:
            self.segments.append(bytearray(data))
        return len(data)

    def _request(self):
        """The application's request: an HTTP/1.0 GET or a BGP OPEN."""
        t = self.result
        if t.app_proto == R.APP_BGP:
            return b'\xff' * 16 + (29).to_bytes(2, 'big') + bytes((1, 4)) + \
                (t.app.asn or 1).to_bytes(2, 'big') + \
                (180).to_bytes(2, 'big') + (12345).to_bytes(4, 'big') + b'\0'
        h = t.app
        req = 'GET %s HTTP/1.0\r\n' % h.file
        if h.host is not None:
            req += 'Host: %s\r\n' % h.host
        req += ('Connection: Keep-Alive\r\nAccept: */*\r\n'
                'User-Agent: %s\r\n\r\n' % HTTP_UA)
        return req.encode()[:511]

    # https (tbit_ssl_*): TLS over our own TCP, through memory BIOs; the
    # server's certificate is not checked, as scamper does not

    def _tls_start(self):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self._tls_in, self._tls_out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._tls = ctx.wrap_bio(self._tls_in, self._tls_out,
                                 server_hostname=self.result.app.host)
        self._tls_established = False
        try:
            self._tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        return self._queue_data(self._tls_out.read())

    def _tls_rx(self, data):
        import ssl
        self._tls_in.write(bytes(data))
        try:
            if not self._tls_established:
                self._tls.do_handshake()
                self._tls_established = True
                self.flags |= F_NOMOREDATA
                self._tls.write(self._request())
            else:
                while self._tls.read(4096):
                    pass
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            pass
        except ssl.SSLError:
            self._tls = None
        return self._queue_data(self._tls_out.read()) \
            if self._tls is not None else 0

    # -- sending (tbit_tx_tcp) -------------------------------------------

    def _tsval(self, now):
        return int((now - self.result.start) * 1000)

    def _tx_tcp(self, tp, now):
        t = self.result
        s = wire.Segment(seq=self.snd_nxt, win=65535)
        tos = 0
        ip_options = b''
        if self.mode == SYN:
            s.flags = TH_SYN
            s.mss = t.client_mss
            s.wscale = t.wscale
            if t.options & OPTION_TCPTS:
                s.ts = (self._tsval(now), 0)
            if t.options & OPTION_SACK:
                s.sackp = True
            if t.type == R.TYPE_ECN:
                s.flags |= TH_ECE | TH_CWR
            elif t.type == R.TYPE_SACK_RCVR:
                s.sackp = True
            elif t.type == R.TYPE_NULL:
                n = t.data
                if n.options & (NULL_FO | NULL_FO_EXP):
                    cookie = bytes(t.fo_cookie)
                    if n.options & NULL_FO:
                        s.fo = cookie
                    else:
                        s.fo_exp = cookie
                    if cookie and self.segments:
                        s.data = bytes(self.segments[0])
                if n.options & NULL_IPTS_SYN:
                    ip_options = ipopts.ts_only()
                elif n.options & NULL_IPRR_SYN:
                    ip_options = ipopts.record_route()
                elif n.options & NULL_IPQS_SYN:
                    # function 0 (request), rate 2
                    ip_options = bytes((25, 8, 0x02, self.qs_ttl)) + \
                        (self.qs_nonce << 2).to_bytes(4, 'big')
            self.attempt += 1
            return s, tos, ip_options
        if tp is not None:
            if tp.len > 0:
                if not self.segments:
                    return None
                off = seqoff(self.snd_nxt, tp.seq)
                s.data = bytes(self.segments[0][off:off + tp.len])
                self.attempt += 1
            elif t.type == R.TYPE_BLIND_FIN and self.mode == BLIND and \
                    self.blind_step == 1 and tp.flags & TH_FIN:
                self.attempt += 1
            s.seq, s.ack, s.flags = tp.seq, tp.ack, tp.flags
            s.sack = tp.sack
        else:
            s.ack = self.rcv_nxt
            s.flags = TH_ACK
            if self.mode == FIN:
                s.flags |= TH_FIN
        if self.flags & F_TCPTS:
            s.ts = (self._tsval(now), self.ts_recent)
            self.ts_lastack = s.ack
        if t.type == R.TYPE_ECN and not s.flags & TH_FIN and s.data:
            if self.ecn & ECN_CE_SET:
                tos = 0x03
            elif self.ecn & ECN_ECT:
                tos = 0x01
            if self.ecn & ECN_CWR_SET:
                s.flags |= TH_CWR
        return s, tos, ip_options

    # -- receiving ---------------------------------------------------------

    def _timeout_syn(self):
        if self.attempt >= self.result.syn_retx:
            self._result(RES['tcp-noconn'])

    def _dl_syn(self, p):
        t = self.result
        if (p.flags & (TH_SYN | TH_ACK)) != (TH_SYN | TH_ACK) or \
                not _lt(self.snd_nxt, p.ack):
            self._result(RES['tcp-noconn-rst'] if p.flags & TH_RST
                         else RES['tcp-noconn'])
            return
        self.snd_nxt = add(self.snd_nxt, 1)
        self.sa_seq = p.seq
        self.rcv_nxt = add(p.seq, 1)
        ab = (p.ack - self.snd_nxt) & 0xffffffff
        if ab > 0:                    # fast open: they acked our data
            seg = self.segments[0] if self.segments else None
            if seg is None or ab > len(seg):
                self._result(RES['tcp-noconn'])
                return
            if ab == len(seg):
                self.segments.pop(0)
            else:
                del seg[:ab]
            self.snd_nxt = add(self.snd_nxt, ab)
        if t.options & OPTION_TCPTS and p.ts is not None:
            self.flags |= F_TCPTS
            self.ts_recent = p.ts[0]
        if t.type == R.TYPE_ECN:
            e = p.flags & (TH_ECE | TH_CWR)
            if e != TH_ECE:
                self._result(RES['ecn-incapable'] if e == 0
                             else RES['ecn-badsynack'])
            else:
                self.ecn |= ECN_ECT | ECN_CE_SET
        elif t.type == R.TYPE_SACK_RCVR:
            if not p.sackp:
                self.sackr_flags |= SACKR_INCAPABLE
        elif t.type == R.TYPE_NULL:
            n = t.data
            if t.options & OPTION_TCPTS and p.ts is not None:
                n.results |= 0x01
            if t.options & OPTION_SACK and p.sackp:
                n.results |= 0x02
                self.flags |= F_SACK
            fo = (n.options & NULL_FO and p.fo is not None and p.fo) or \
                (n.options & NULL_FO_EXP and p.fo_exp is not None
                 and p.fo_exp)
            if fo and not t.fo_cookie:      # (the cookie stays in the
                n.results |= R.NULL_RESULT_FO   # SYN-ACK, as in scamper)
        t.server_mss = p.mss
        if t.fo_cookie:
            rc = 0
            if p.data:
                rc = self._app_rx(p.data)
                self.rcv_nxt = add(self.rcv_nxt, len(p.data))
        else:
            rc = self._app_rx(b'')
        tp = self._tp()
        mode = DATA
        if rc > 0:
            if p.win == 0:
                tp.wait = TIMEOUT_DEFAULT
                self.mode = ZEROWIN
                self._queue()
                return
            tp = self._tp()
            tp.len = rc
            if t.type == R.TYPE_SACK_RCVR:
                tp.len = 1
                tp.wait = TIMEOUT_SACK
            elif t.type in (R.TYPE_BLIND_DATA, R.TYPE_BLIND_FIN):
                self.blind_part1 = rc // 3
                if t.type == R.TYPE_BLIND_DATA:
                    self.blind_part2 = self.blind_part1
                    self.blind_part3 = rc - 2 * self.blind_part1
                else:
                    self.blind_part2 = rc - self.blind_part1
                    self.blind_ack = add(self.snd_nxt, rc)
                tp.len = self.blind_part1
                tp.wait = TIMEOUT_BLINDDATA
            else:
                tp.wait = TIMEOUT_DEFAULT
            if t.type in R.BLIND_TYPES:
                mode = BLIND
            self.attempt = 0
        self.mode = mode
        self._queue()

    def _rxq(self, p):
        if self.rxq is None:
            self.rxq = TcpQueue(self.rcv_nxt)
        self.rxq.add(p.seq, p.flags, p.data)

    def _dl_fin(self, p):
        self.timeout = p.rx + TIMEOUT_LONG
        self._fin_acked(p)
        if self.flags & F_FIN_SEEN and p.seq == self.rcv_nxt:
            if self._closed():
                self._queue()
            return
        if not p.data and not p.flags & TH_FIN:
            return
        tp = self._tp()
        if inrange(self.rcv_nxt, p.seq, len(p.data)):
            self._rxq(p)
            for _seq, _dlen, gap in self._in_order():
                if gap > 0:
                    break
                _, fin = self._take(gap)
                if fin:
                    self.flags |= F_FIN_SEEN
                    self.rcv_nxt = add(self.rcv_nxt, 1)
                if not self.flags & F_FIN_ACKED:
                    tp.flags |= TH_FIN
                if self._closed():
                    break
        tp.ack = self.rcv_nxt
        if self.mode != DONE and self.flags & F_SACK and self.rxq:
            tp.sack = self.rxq.sack(3 if self.flags & F_TCPTS else 4)
        self._queue()

    def _in_order(self):
        """scamper's walk of the receive queue: the segment at its head as
        (seq, length, gap), gap > 0 when bytes before it are missing;
        segments out of the window are dropped on the way."""
        while self.rxq is not None:
            s = self.rxq.seg()
            if s is None:
                return
            if not inrange(self.rcv_nxt, *s):
                self.rxq.pop()
                continue
            yield s[0], s[1], seqoff(self.rcv_nxt, s[0])

    def _take(self, gap):
        """Pop the head segment, of which -gap bytes came before; rcv_nxt
        passes the new ones.  Returns (new data, whether it had a FIN)."""
        e = self.rxq.pop()
        new = e[3][-gap:]
        self.rcv_nxt = add(self.rcv_nxt, len(new))
        return new, bool(e[2] & TH_FIN)

    def _their_fin(self, tp):
        """Their FIN is in order: acknowledge it with ``tp``."""
        tp.ack = add(tp.ack, 1)
        self.rcv_nxt = add(self.rcv_nxt, 1)
        self.flags |= F_FIN_SEEN

    def _fin_acked(self, p):
        if p.ack == add(self.snd_nxt, 1) and not self.flags & F_FIN_ACKED:
            self.flags |= F_FIN_ACKED
            self.snd_nxt = add(self.snd_nxt, 1)

    def _closed(self):
        """Both FINs seen and acknowledged: classify (if not yet) and end."""
        if not self._tcpclosed():
            return False
        if self.result.result == RES['none']:
            self._classify()
        self.mode = DONE
        return True

    def _timeout_fin(self):
        if self.result.result == RES['none']:
            self._classify()
        self.mode = DONE
        self._queue()

    def _dl_data(self, p):
        t = self.result
        if t.type == R.TYPE_BLIND_SYN and \
                p.flags & (TH_SYN | TH_ACK) == TH_SYN | TH_ACK and \
                p.seq != self.sa_seq:
            self._result(RES['blind-synnew'])
            return
        if not self.flags & F_NORESET:
            long = TIMEOUT_BLINDDATA if self.mode == BLIND and t.type in (
                R.TYPE_BLIND_DATA, R.TYPE_BLIND_FIN) else TIMEOUT_LONG
            self.timeout = p.rx + long
        if not inrange(self.rcv_nxt, p.seq, len(p.data)):
            return
        if _lt(self.snd_nxt, p.ack):
            if not self.segments:
                return
            seg = self.segments[0]
            ab = (p.ack - self.snd_nxt) & 0xffffffff
            if ab >= len(seg):
                ab = len(seg)
                self.segments.pop(0)
            else:
                del seg[:ab]
            self.snd_nxt = add(self.snd_nxt, ab)
        {R.TYPE_ECN: self._data_ecn, R.TYPE_NULL: self._data_null,
         R.TYPE_SACK_RCVR: self._data_sack_rcvr,
         R.TYPE_ICW: self._data_icw, R.TYPE_PMTUD: self._data_pmtud,
         R.TYPE_BLIND_RST: self._data_blindrst,
         R.TYPE_BLIND_SYN: self._data_blindrst,
         R.TYPE_BLIND_DATA: self._data_blinddata,
         R.TYPE_BLIND_FIN: self._data_blindfin}[t.type](p)
        self._queue()

    def _timeout_data(self):
        t = self.result
        if self.segments:
            if self.attempt >= t.dat_retx:
                if t.type == R.TYPE_SACK_RCVR:
                    self.sackr_timeout += 1
                    self._sack_rcvr_next()
                elif t.type == R.TYPE_PMTUD:
                    self._result(RES['pmtud-nodata'])
                else:
                    self._timeout_data_generic()
                return
            tp = self._tp()
            tp.len = len(self.segments[0])
            tp.wait = TIMEOUT_DEFAULT
            self._queue()
        else:
            self._classify()
            if t.result != RES['none'] and self.mode != FIN:
                self.mode = FIN
                self._queue_probe()

    def _timeout_data_generic(self):
        self._classify()
        if self.mode != FIN:
            self.mode = FIN
            self._queue_probe()

    def _data_ecn(self, p):
        if p.flags & TH_ECE:
            if not self.ecn & ECN_ECE_SEEN:
                self.ecn |= ECN_ECE_SEEN
                if not self.ecn & ECN_CWR_SET:
                    self.ecn |= ECN_CWR_SET
        elif self.ecn & ECN_CWR_SET:
            self.ecn &= ~ECN_CWR_SET
            self.ecn |= ECN_CWR_SENT
        if p.seq != self.rcv_nxt:
            self._tp()
            return
        if self.ecn & ECN_CE_SET:
            self.ecn &= ~ECN_CE_SET
            self.ecn |= ECN_CE_SENT
        fin = bool(p.flags & TH_FIN)
        if p.data:
            self.flags |= F_SEEN_DATA
            self.rcv_nxt = add(self.rcv_nxt, len(p.data))
        if p.data or fin:
            tp = self._ack_app(p.data)
            if fin or not self.ecn & ECN_ECT:
                tp.flags |= TH_FIN
                self.mode = FIN
                if fin:
                    self._their_fin(tp)

    def _data_null(self, p):
        tx_fin = bool(self.flags & F_NOMOREDATA) and not self.segments
        if not p.data and not p.flags & TH_FIN:
            if tx_fin and self.flags & F_SEEN_DATA:
                tp = self._tp()
                tp.flags |= TH_FIN
                self.mode = FIN
            return
        if not inrange(self.rcv_nxt, p.seq, len(p.data)):
            return
        self._rxq(p)
        for _seq, dlen, gap in self._in_order():
            if dlen > 0:
                self.flags |= F_SEEN_DATA
            if gap > 0:
                tp = self._tp()
                if tx_fin:
                    tp.flags |= TH_FIN
                    self.mode = FIN
                return
            data, fin = self._take(gap)
            tp = self._ack_app(data)
            if tx_fin or fin:
                tp.flags |= TH_FIN
                self.mode = FIN
                if fin:
                    self._their_fin(tp)
                    break

    def _ack_app(self, data):
        """Pass ``data`` to the application; queue the ACK for it, with the
        application's next request if it has one."""
        rc = self._app_rx(data)
        tp = self._tp()
        if rc > 0:
            tp.len = rc
            tp.wait = TIMEOUT_DEFAULT
            self.attempt = 0
        return tp

    def _sack_rcvr_next(self):
        if self.sackr_x == 6:
            self._classify()
            return
        tp = self._tp()
        tp.len = 1
        tp.seq = add(tp.seq, 1 + self.sackr_x * 2)
        tp.wait = TIMEOUT_SACK
        self.attempt = 0
        self.sackr_x += 1
        self._queue()

    def _data_sack_rcvr(self, p):
        if p.seq != self.rcv_nxt:
            return
        if p.flags & TH_FIN:
            self.flags |= F_FIN_SEEN
            self._classify()
            return
        x = -1
        if not p.sack:
            x = 0
        else:
            edge = (p.sack[0][1] - self.snd_nxt) & 0xffffffff
            if edge & 1 == 0 and edge != 0 and edge // 2 <= self.sackr_x:
                x = edge // 2
            edge = (p.sack[0][0] - self.snd_nxt) & 0xffffffff
            if edge == 0 or edge // 2 > self.sackr_x:
                self.sackr_flags |= SACKR_SHIFTED
        if x != -1:
            self.sackr_rx[x] += 1
            if self.sackr_rx[x] > 1 and x == 0 and \
                    not self.sackr_flags & SACKR_INCAPABLE:
                return
        self._sack_rcvr_next()

    def _data_icw(self, p):
        t = self.result
        fin = False
        if p.flags & TH_FIN:
            self.flags |= F_FIN_SEEN
            fin = True
        if not inrange(self.rcv_nxt, p.seq, len(p.data)):
            return
        if p.data or fin:
            self._rxq(p)
        if self.flags & F_NOMOREDATA:
            if not self.icw_flagseq:
                t.data.start_seq = seqoff(self.sa_seq, self.rcv_nxt)
                self.icw_flagseq = True
                self.icw_seq = self.rcv_nxt
            if p.seq == self.icw_seq and p.data:
                self.icw_count += 1
            if self.icw_count < 2:
                if not fin:
                    return
                self._result(RES['icw-tooshort'])
                self.mode = FIN
            else:
                self.icw_tail = self.rxq.tail()
                self.mode = MOREDATA
        for _seq, _dlen, gap in self._in_order():
            if gap > 0:
                tp = self._tp()
                if self.mode == MOREDATA:
                    tp.flags |= TH_FIN
                break
            data, fin = self._take(gap)
            tp = self._tp()
            tp.len = self._app_rx(data)
            if self.mode == MOREDATA:
                tp.flags |= TH_FIN
            if fin:
                self._their_fin(tp)
                break

    def _blind_check_rst(self, p):
        t = self.result
        if t.type in (R.TYPE_BLIND_DATA, R.TYPE_BLIND_FIN):
            return p.seq == add(self.rcv_nxt, t.data.off)
        return t.type == R.TYPE_BLIND_SYN and \
            p.ack == add(self.snd_nxt, t.data.off + 1)

    def _flush(self, stop=None):
        """tp_flush: drop the queued packets before ``stop``."""
        while self.tx and self.tx[0] is not stop:
            self.tx.pop(0)

    def _data_blindrst(self, p):
        """dl_data_blindrst: a blind RST (or SYN) in the window for each
        of the first data packets; the stack answers a challenge ACK
        (RFC 5961), ignores it, or resets."""
        t = self.result
        if not (self.flags & F_NOMOREDATA and self.mode == BLIND):
            if not self.flags & F_NOMOREDATA or self.mode == DATA:
                self._data_null(p)
            return
        self.rxq = None
        if not p.data and not p.flags & TH_FIN:
            if self.blind_c > 0 and p.ack == self.snd_nxt:
                self.blind_flags |= BLIND_CHALLENGE
            return
        if p.seq != self.rcv_nxt:
            self._tp()
            return
        if p.flags & TH_FIN:
            self.blind_flags |= BLIND_FIN
        if p.data:
            self.flags |= F_SEEN_DATA
        if self.blind_sent == 1 and p.data:
            self.rcv_nxt = add(self.rcv_nxt, len(p.data))
            self._app_rx(p.data)
        tp = self._tp()
        if p.flags & TH_FIN and not p.data:
            tp.flags |= TH_FIN
            self._their_fin(tp)
            self.mode = FIN
            return
        if self.blind_sent == 0:
            tp.flags = TH_RST if t.type == R.TYPE_BLIND_RST else TH_SYN
            tp.seq = add(tp.seq, t.data.off)
            self.blind_sent = 1
            self.blind_c += 1
        else:
            self.blind_sent = 0
            self.blind_ignored += 1
            if self.blind_c >= t.data.retx:
                self.mode = DATA
            else:
                self._flush(tp)
            if p.flags & TH_FIN:
                tp.flags |= TH_FIN
                self._their_fin(tp)
                self.mode = FIN
        tp.wait = TIMEOUT_LONG
        self.attempt = 0

    def _data_pmtud(self, p):
        """dl_data_pmtud: read until a packet larger than -M arrives, then
        send a PTB for it (or, -O blackhole, stop acknowledging)."""
        t = self.result
        pm = t.data
        if p.seq != self.rcv_nxt:
            self._tp()
            return
        v4 = p.version == 4
        bh = pm.options & R.PMTUD_OPTION_BLACKHOLE
        size = len(p.raw)
        frag = p.frag
        if not p.data or p.reass:
            skip = True
        elif v4 and not p.df:
            skip = True
        elif (v4 or pm.mtu >= 1280) and size <= pm.mtu:
            skip = True
        elif not v4 and not bh and pm.mtu < 1280 and frag and size <= 1280:
            skip = True
        elif not v4 and bh and size <= pm.mtu:
            skip = True
        else:
            skip = False
        if p.data:
            self.flags |= F_SEEN_DATA
        if skip:
            if p.data:
                self.rcv_nxt = add(self.rcv_nxt, len(p.data))
                if v4 and not p.df and size > pm.mtu:
                    self.flags |= F_NODF
            if p.data or p.flags & TH_FIN:
                tp = self._ack_app(p.data)
                if p.flags & TH_FIN:
                    tp.flags |= TH_FIN
                    self._their_fin(tp)
                    self.mode = FIN
            return
        if bh:
            self.mode = BLACKHOLE
            return
        self.mode = PMTUD
        if v4:
            n = ((p.raw[0] & 0xf) * 4) + 8
        elif size >= 1280 - 40 - 8:
            n = 1280 - 40 - 8
        else:
            n = size
        self.ptb_data = p.raw[:n]
        self.tx.append(_Tp(0, 0, ptb=True))
        self.attempt = 0

    def _reassemble(self, p):
        """tbit_reassemble: the packet the fragment ``p`` completes, or
        None.  In pmtud a fragment larger than the MTU being tested was
        not, in theory, received: it is not held, and the first such
        fragment goes on as it is, to be answered with a PTB."""
        if not p.body or p.proto != wire.IPPROTO_TCP:
            return None
        t = self.result
        if t.type == R.TYPE_PMTUD:
            v4 = p.version == 4
            mtu = t.data.mtu if v4 or t.data.mtu > 1280 else 1280
            if (not v4 or p.df) and len(p.raw) > mtu:
                return p if p.off == 0 and p.sport is not None else None
        return self.frags.add(p)

    def _dl_pmtud(self, p):
        t = self.result
        pm = t.data
        mtu = 0 if len(t.dst) == 16 and pm.mtu < 1280 else pm.mtu
        fits = self._pmtud_fits(p, mtu, p.reass)
        if fits is None:
            return
        if fits:
            self._result(RES['pmtud-cleardf'] if p.version == 4 and
                         not p.df else RES['pmtud-success'])
            self._ack_in_order(p)
            self._queue()
            return
        if pm.ptb_retx and self.attempt >= pm.ptb_retx:
            self._result(RES['pmtud-fail'])
            return
        self.tx.append(_Tp(0, 0, ptb=True))
        self._queue()

    def _dl_blackhole(self, p):
        fits = self._pmtud_fits(p, self.result.data.mtu)
        if fits is None:
            return
        if fits:
            if self._ack_in_order(p):
                self._result(RES['pmtud-success'])
            self.timeout = p.rx + TIMEOUT_LONG
        self._queue()

    def _pmtud_fits(self, p, mtu, reass=False):
        """How dl_pmtud and dl_blackhole read a packet: None if it is out
        of order (acknowledged, unless too large for ``mtu``), else whether
        it fits ``mtu`` (0: whether it came in fragments); a reassembled
        packet fits if ``reass``."""
        if p.seq != self.rcv_nxt:
            if len(p.raw) <= mtu:
                self._tp()
                self._queue()
            return None
        if mtu:
            return reass or len(p.raw) <= mtu or (p.version == 4 and
                                                   not p.df)
        return p.frag or p.reass

    def _ack_in_order(self, p):
        """Take the in-order packet ``p`` and queue its ACK; True if it
        had their FIN."""
        self.rcv_nxt = add(self.rcv_nxt, len(p.data))
        tp = self._tp()
        if p.flags & TH_FIN:
            tp.flags |= TH_FIN
            self._their_fin(tp)
            return True
        return False

    def _timeout_blind(self):
        t = self.result
        if t.type == R.TYPE_BLIND_DATA:
            self._timeout_blinddata()
        elif t.type == R.TYPE_BLIND_FIN:
            self._timeout_blindfin()
        else:
            self._classify()

    def _data_blinddata(self, p):
        """dl_data_blinddata: the request in three parts; the third first
        with an ACK off by -o (step 1, as long as -q allows), then the
        second (step 2) and the third again (step 3)."""
        t = self.result
        if self.mode == DATA:
            self._data_null(p)
            return
        if self.mode != BLIND:
            return
        if p.data or not self.segments:
            if self.blind_step == 2 and not self.segments:
                self.blind_flags |= BLIND_ACCEPTED
            self.mode = DATA
            self._flush()
            self._data_null(p)
            return
        if p.seq != self.rcv_nxt:
            return
        if p.flags & TH_FIN:
            self._result(RES['tcp-fin'])
            return
        seg = self.segments[0]
        if self.blind_step == 0:
            if len(seg) != self.blind_part2 + self.blind_part3:
                return
            self.blind_step = 1
            self.attempt = 0
            tp = self._tp()
            tp.seq = add(tp.seq, self.blind_part2)
            tp.len = self.blind_part3
            tp.ack = add(tp.ack, t.data.off)
            tp.wait = TIMEOUT_BLINDDATA
        elif self.blind_step == 1:
            self.blind_flags |= BLIND_CHALLENGE
            if self.attempt >= t.data.retx:
                self.blind_step = 2
                self.attempt = 0
        elif self.blind_step == 2:
            if len(seg) != self.blind_part3:
                return
            self.blind_step = 3
            self.attempt = 0
            self._flush()
            tp = self._tp()
            tp.len = len(seg)
            tp.wait = TIMEOUT_BLINDDATA

    def _data_blindfin(self, p):
        """dl_data_blindfin: the first part of the request, then a FIN
        with an ACK off by -o leaving a hole (step 1), then the hole filled
        (step 2); the server's ACK says whether it took the FIN (step 3)."""
        t = self.result
        if self.mode == DATA:
            self._data_null(p)
            return
        if self.mode != BLIND:
            return
        if not self.segments and self.blind_step == 2 and \
                p.seq != self.rcv_nxt:
            if p.ack == self.blind_ack:
                self.blind_step = 3
            elif p.ack == add(self.blind_ack, 1) and \
                    not self.flags & F_FIN_ACKED:
                self._blind_fin_accepted()
            return
        if p.seq != self.rcv_nxt:
            return
        seg = self.segments[0] if self.segments else None
        if self.blind_step == 0:
            if seg is None or len(seg) != self.blind_part2:
                return
            self.blind_step = 1
            self.attempt = 0
            tp = self._tp()
            tp.seq = add(tp.seq, self.blind_part2)
            tp.ack = add(tp.ack, t.data.off)
            tp.flags |= TH_FIN
            tp.wait = TIMEOUT_BLINDDATA
        elif self.blind_step == 1:
            if not p.data and not p.flags & TH_FIN:
                self.blind_flags |= BLIND_CHALLENGE
            if self.attempt >= t.data.retx:
                self.blind_step = 2
                self.attempt = 0
        elif self.blind_step in (2, 3):
            if _lt(p.ack, self.blind_ack):
                return
            self.blind_step = 3
            if _lt(add(self.blind_ack, 1), p.ack):
                self._handleerror()
                return
            if p.data:
                self._app_rx(p.data)
                self.rcv_nxt = add(self.rcv_nxt, len(p.data))
                self._tp()
            if p.ack == add(self.blind_ack, 1) and \
                    not self.flags & F_FIN_ACKED:
                self._blind_fin_accepted()

    def _blind_fin_accepted(self):
        self.blind_flags |= BLIND_ACCEPTED
        self.flags |= F_FIN_ACKED
        self.snd_nxt = add(self.snd_nxt, 1)
        self.mode = FIN
        self._flush()

    def _timeout_blinddata(self):
        t = self.result
        seg = self.segments[0] if self.segments else b''
        if self.blind_step in (0, 3):
            if self.attempt >= t.data.retx:
                self._result(RES['none'])
                return
            tp = self._tp()
            tp.len = self.blind_part1 if self.blind_step == 0 else len(seg)
            tp.wait = TIMEOUT_BLINDDATA
            self._queue()
            return
        tp = self._blind_retry(seg)
        tp.len = self.blind_part3 if self.blind_step == 1 \
            else self.blind_part2
        self._queue()

    def _blind_retry(self, seg):
        """timeout_blinddata and timeout_blindfin in steps 1 and 2: send
        again; after -q tries, note silence if no challenge ACK came in
        step 1, and go to the next step.  Step 1's packet has the ACK off
        by -o, after the second part."""
        t = self.result
        tp = self._tp()
        tp.len = len(seg)
        tp.wait = TIMEOUT_BLINDDATA
        if self.attempt >= t.data.retx:
            if self.blind_step == 1 and \
                    not self.blind_flags & BLIND_CHALLENGE:
                self.blind_flags |= BLIND_SILENCE
            self.attempt = 0
            self.blind_step += 1
        if self.blind_step == 1:
            tp.ack = add(tp.ack, t.data.off)
            tp.seq = add(tp.seq, self.blind_part2)
        return tp

    def _timeout_blindfin(self):
        t = self.result
        seg = self.segments[0] if self.segments else b''
        if self.blind_step == 0:
            if self.attempt >= t.data.retx:
                self._result(RES['none'])
                return
            tp = self._tp()
            tp.len = self.blind_part1
            tp.wait = TIMEOUT_BLINDDATA
        elif self.blind_step == 3:
            self._flush()
            self.flags &= ~F_NORESET
            self.mode = DATA
        else:
            tp = self._blind_retry(seg)
            if self.blind_step == 1:
                tp.len = 0
                tp.flags |= TH_FIN
            else:
                tp.len = self.blind_part2
                self.flags |= F_NORESET
        self._queue()

    def _dl_zerowin(self, p):
        t = self.result
        if p.win == 0:
            return
        seg = self.segments[0]
        tp = self._tp()
        if t.type == R.TYPE_SACK_RCVR:
            tp.len = 1
            tp.wait = TIMEOUT_SACK
            self.mode = DATA
        elif t.type in (R.TYPE_BLIND_DATA, R.TYPE_BLIND_FIN):
            tp.len = self.blind_part1
            tp.wait = TIMEOUT_BLINDDATA
            self.mode = BLIND
        else:
            tp.len = len(seg)
            tp.wait = TIMEOUT_DEFAULT
            self.mode = BLIND if t.type in R.BLIND_TYPES else DATA
        self.attempt = 0
        self._queue()

    def _dl_moredata(self, p):
        self._fin_acked(p)
        if not p.data and not p.flags & TH_FIN:
            return
        if not inrange(self.rcv_nxt, p.seq, len(p.data)):
            return
        self._rxq(p)
        for seq, dlen, gap in self._in_order():
            if dlen > 0:
                if seqoff(self.icw_tail, add(seq, dlen)) >= 0:
                    self.mode = FIN
                    self._result(RES['icw-success'])
            elif seqoff(self.icw_tail, seq) == 0:
                self.mode = FIN
                self._result(RES['icw-tooshort'])
            if gap > 0:
                tp = self._tp()
                if not self.flags & F_FIN_ACKED:
                    tp.flags |= TH_FIN
                break
            data, fin = self._take(gap)
            self._app_rx(data)
            tp = self._tp()
            if not self.flags & F_FIN_ACKED:
                tp.flags |= TH_FIN
            if fin:
                self._their_fin(tp)
                break
        self._closed()
        self._queue()
