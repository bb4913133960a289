"""tbit as a sans-I/O method (scamperd/tbit/method.py) against a small
simulated TCP server, and its command line (scamperd/tbit/cmd.py)."""

import pytest

from scamperd.method import CommandError, Context
from scamperd.tbit import cmd as C
from scamperd.tbit import result as R
from scamperd.tbit import wire
from scamperd.tbit.method import TbitMethod, TcpQueue, inrange, seqoff
from scamperd.probe import Reply
from simnet import A, drive_flow as drive

SRC, DST = A('192.0.2.1'), A('203.0.113.10')
SRC6, DST6 = A('2001:db8::1'), A('2001:db8:ff::10')
ETH = b'\x02' * 12 + b'\x08\x00'
ETH6 = b'\x02' * 12 + b'\x86\xdd'
F = wire


class Server:
    """A TCP server on port 80 that answers any request with ``size``
    bytes in ``mss``-byte segments, ``icw`` segments at first, one more per
    ack, then FIN.  ``ecn``: negotiates ECN and echoes CE with ECE until
    CWR; ``sack``: SACK permitted, and SACK blocks on duplicate acks;
    ``rto``: a timeout after which the first unacknowledged segment is
    sent again."""

    def __init__(self, ecn=False, sack=False, size=3000, mss=1000, icw=10,
                 rto=1.0, dst=DST, src=SRC, retx=False):
        self.ecn, self.sack, self.size, self.mss = ecn, sack, size, mss
        self.icw, self.rto, self.retx = icw, rto, retx
        self.dst, self.src = dst, src
        self.isn = 5000
        self.ecn_on = False
        self.ece = False
        self.peer = None
        self.rcv_nxt = None
        self.snd_una = self.snd_nxt = self.isn + 1
        self.started = False
        self.fin_sent = False
        self.ooo = []
        self.request = b''

    def pkt(self, seg):
        data = wire.build(self.dst, self.src, 80, self.peer, seg, ttl=64)
        return Reply(frame=(ETH if len(self.dst) == 4 else ETH6) + data,
                     link=1)

    def seg(self, **kw):
        s = wire.Segment(seq=self.snd_nxt, ack=self.rcv_nxt, **kw)
        if self.ece:
            s.flags |= F.TH_ECE
        return s

    def receive(self, raw, now):
        """The packets this server sends for packet ``raw`` from the
        client: list of Replies."""
        p = wire.parse(raw[0] >> 4, raw)
        out = []
        if p.flags & F.TH_SYN:
            self.peer = p.sport
            self.rcv_nxt = (p.seq + 1) & 0xffffffff
            s = wire.Segment(seq=self.isn, ack=self.rcv_nxt,
                             flags=F.TH_SYN | F.TH_ACK, mss=self.mss,
                             sackp=self.sack and p.sackp)
            if self.ecn and p.flags & (F.TH_ECE | F.TH_CWR) == \
                    F.TH_ECE | F.TH_CWR:
                s.flags |= F.TH_ECE
                self.ecn_on = True
            return [self.pkt(s)]
        if self.ecn_on:
            if p.tos & 3 == 3:
                self.ece = True
            if p.flags & F.TH_CWR:
                self.ece = False
        acked = p.flags & F.TH_ACK and seqoff(self.snd_una, p.ack) > 0
        if acked:
            self.snd_una = p.ack
        if p.data:
            if p.seq == self.rcv_nxt:
                self.rcv_nxt = (self.rcv_nxt + len(p.data)) & 0xffffffff
                self.request += bytes(p.data)
                if not self.started and self.request.endswith(b'\r\n\r\n'):
                    self.started = True
                    first = self.snd_nxt
                    out += self.send_data(self.icw)
                    if self.retx:       # the first segment, after RTOs
                        keep, self.snd_nxt = self.snd_nxt, first
                        again = self.pkt(self.seg(data=b'x' * self.mss))
                        self.snd_nxt = keep
                        out += [(self.rto, again), (3 * self.rto, again)]
                    return out
            else:
                self.ooo.append((p.seq, p.seq + len(p.data)))
            blocks = tuple(self.ooo[::-1][:3]) if self.sack else ()
            return [self.pkt(self.seg(sack=blocks))]
        if self.started and acked:
            out += self.send_data(1)
        if p.flags & F.TH_FIN and p.seq == self.rcv_nxt:
            self.rcv_nxt = (self.rcv_nxt + 1) & 0xffffffff
            out.append(self.pkt(self.seg()))
        return out

    def send_data(self, n):
        out = []
        end = self.isn + 1 + self.size
        for _ in range(n):
            if self.snd_nxt >= end:
                if not self.fin_sent:
                    out.append(self.pkt(self.seg(flags=F.TH_ACK | F.TH_FIN)))
                    self.fin_sent = True
                    self.snd_nxt += 1
                break
            ln = min(self.mss, end - self.snd_nxt)
            out.append(self.pkt(self.seg(data=b'x' * ln)))
            self.snd_nxt += ln
        return out


def method(line, src=SRC):
    c = C.parse(line.split())
    return TbitMethod(c, Context(src, 0x8123, ifindex=2))


def names(t):
    return R.RESULT_NAMES[t.result]


def test_null_reads_the_page_and_closes():
    m = method('-t null -u http://www.example.com/x 203.0.113.10')
    assert m.firewall == (SRC, 0x8123, DST, 80) and m.tap == 2
    t = drive(m, Server(size=2500))
    assert names(t) == 'null-success'
    tx = [wire.parse(4, p.data) for p in t.pkts if p.dir == R.PKT_DIR_TX]
    assert tx[0].flags == F.TH_SYN
    req = [p for p in tx if p.data][0]
    assert req.data.startswith(b'GET /x HTTP/1.0\r\nHost: www.example.com')
    assert tx[-1].flags & F.TH_FIN or any(p.flags & F.TH_FIN for p in tx)
    assert all(p.tv for p in t.pkts)
    assert t.server_mss == 1000 and t.sport == 0x8123


def test_null_ipv6():
    m = method('-t null 2001:db8:ff::10', src=SRC6)
    t = drive(m, Server(dst=DST6, src=SRC6))
    assert names(t) == 'null-success'
    assert t.pkts[0].data[0] >> 4 == 6


def test_ecn_success_and_incapable():
    t = drive(method('-t ecn 203.0.113.10'), Server(ecn=True))
    assert names(t) == 'ecn-success'
    tx = [wire.parse(4, p.data) for p in t.pkts if p.dir == R.PKT_DIR_TX]
    assert tx[0].flags == F.TH_SYN | F.TH_ECE | F.TH_CWR
    assert [p for p in tx if p.data][0].tos & 3 == 3      # CE on the data
    t = drive(method('-t ecn 203.0.113.10'), Server(ecn=False))
    assert names(t) == 'ecn-incapable'


def test_sack_rcvr_incapable_and_success():
    t = drive(method('-t sack-rcvr 203.0.113.10'), Server(sack=False))
    assert names(t) == 'sack-incapable'
    t = drive(method('-t sack-rcvr 203.0.113.10'), Server(sack=True))
    assert names(t) == 'sack-rcvr-success'


def test_icw_counts_the_first_flight():
    t = drive(method('-t icw 203.0.113.10'),
              Server(size=20000, icw=4, rto=1.0, retx=True))
    assert names(t) == 'icw-success'
    assert t.data.start_seq == 1
    rx = [p for p in t.pkts if p.dir == R.PKT_DIR_RX]
    # SYN-ACK, four segments, two retransmissions, then more
    assert len([p for p in rx[1:7] if wire.parse(4, p.data).data]) == 6


def test_no_answer_is_noconn_after_three_syns():
    class Silent(Server):
        def receive(self, raw, now):
            return []
    t = drive(method('-t null 203.0.113.10'), Silent())
    assert names(t) == 'tcp-noconn'
    assert len(t.pkts) == 3


def test_without_firewall_sys_error():
    m = method('-t null 203.0.113.10')
    m.firewall_error = 'no firewall: scamper was started without -F'
    m.start(1.0)
    assert m.done and names(m.result) == 'sys-error'


def test_halt():
    m = method('-t null 203.0.113.10')
    m.start(1.0)
    m.halt(2.0)
    assert m.done and names(m.result) == 'halted'


def test_bgp_open():
    m = method('-p bgp -b 65001 203.0.113.10')
    assert m.result.dport == 179 and m.result.app.asn == 65001
    m.start(1.0)
    assert m._app_rx(b'') == 29
    assert bytes(m.segments[0]) == b'\xff' * 16 + bytes.fromhex(
        '001d' '01' '04' 'fde9' '00b4' '00003039' '00')
    assert m._app_rx(b'') == 0          # one request only


@pytest.mark.parametrize('line,msg', [
    ('-t bogus 192.0.2.1', "invalid -t value 'bogus'"),

    ('-p smtp 192.0.2.1', "invalid -p value"),
    ('-w 15 192.0.2.1', 'out of range 0..14'),
    ('-q 5 192.0.2.1', 'out of range 1..4'),
    ('-T 0 192.0.2.1', 'out of range 1..255'),
    ('-f abc 192.0.2.1', "invalid -f value"),
    ('-u ftp://x/ 192.0.2.1', "expected http://"),
    ('-u http://a_b/ 192.0.2.1', "invalid host"),
    ('-O bogus 192.0.2.1', "invalid -O value"),
    ('-S 2001:db8::1 192.0.2.1', 'not the family'),
    ('-t null', 'no target address'),
    ('192.0.2.300', "invalid address"),
])
def test_cmd_refuses(line, msg):
    with pytest.raises(CommandError) as e:
        C.parse(line.split())
    assert msg in str(e.value)


def test_cmd_defaults_and_url():
    c = C.parse(['192.0.2.1'])
    t = c.result
    assert t.type == R.TYPE_NULL and t.dport == 80 and t.app.file == '/'
    assert t.app.host is None and t.syn_retx == 3 and t.ttl == 255
    c = C.parse('-u http://h.example:8080/a/b -m 1400 -w 3 -O sack '
                '-O tcpts -s 4000 192.0.2.1'.split())
    t = c.result
    assert (t.dport, t.app.host, t.app.file) == (8080, 'h.example', '/a/b')
    assert (t.client_mss, t.wscale, c.sport) == (1400, 3, 4000)
    assert t.options == C.OPTION_SACK | C.OPTION_TCPTS
    assert C.parse('-t sack-rcvr 192.0.2.1'.split()).result.dat_retx == 1
    t = C.parse('-u https://h.example 192.0.2.1'.split()).result
    assert (t.dport, t.app.type, t.app.host, t.app.file) == \
        (443, R.HTTP_TYPE_HTTPS, 'h.example', '/')


def test_sequence_helpers():
    assert seqoff(0xfffffff0, 0x10) == 0x20
    assert seqoff(0x10, 0xfffffff0) == -0x20
    assert inrange(100, 100, 10) and not inrange(100, 90, 5)
    q = TcpQueue(100)
    q.add(120, 0, b'x' * 10)
    q.add(140, 0, b'x' * 10)
    q.add(100, 0, b'x' * 10)
    assert q.seg() == (100, 10)
    assert q.sack(3)[0] == (100, 110)
    q.pop()
    assert q.sack(3) == [(120, 130), (140, 150)]
    assert q.tail() == 150


def test_segment_options_round_trip():
    s = wire.Segment(seq=1, flags=F.TH_SYN, mss=1460, wscale=7, sackp=True,
                     ts=(5, 0), fo=b'')
    p = wire.parse(4, wire.build(SRC, DST, 1, 2, s))
    assert (p.mss, p.wscale, p.sackp, p.ts, p.fo) == \
        (1460, 7, True, (5, 0), b'')
    s = wire.Segment(seq=1, ack=2, sack=((10, 20), (30, 40)), data=b'hi')
    p = wire.parse(6, wire.build(SRC6, DST6, 1, 2, s))
    assert p.sack == ((10, 20), (30, 40)) and p.data == b'hi'
