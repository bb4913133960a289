"""tbit reassembles a server's fragmented packets (scamperd/tbit/reass.py,
as scamper's tbit_reassemble): every fragment is recorded, the packet is
read once whole; pmtud's IPv6 technique (-M below 1280: the server answers
our PTB by sending fragments of at most 1280 bytes) concludes with
pmtud-success; what reassembly holds is bounded."""

import struct

from test_tbit_method import ETH, ETH6, SRC6, DST6, Server, method, names

from scamperd.net import ipv4, ipv6
from scamperd.net.checksum import inet_checksum
from scamperd.probe import Reply
from scamperd.tbit import reass, wire
from scamperd.tbit import result as R
from simnet import drive_flow as drive


def fragments4(pkt, size):
    """IPv4 fragments of at most ``size`` bytes of ``pkt``, DF clear."""
    hl = (pkt[0] & 15) * 4
    body, step = pkt[hl:], (size - hl) // 8 * 8
    ident = struct.unpack_from('!H', pkt, 4)[0]
    out = []
    for off in range(0, len(body), step):
        part = body[off:off + step]
        more = off + step < len(body)
        h = bytearray(ipv4.build(pkt[12:16], pkt[16:20], pkt[9], pkt[8], 0,
                                 ident, False, len(part)))
        struct.pack_into('!H', h, 6, (0x2000 if more else 0) | off // 8)
        h[10:12] = b'\0\0'
        h[10:12] = inet_checksum(bytes(h)).to_bytes(2, 'big')
        out.append(bytes(h) + part)
    return out


def fragments6(pkt, size, ident):
    """IPv6 fragments (a fragment header in each) of at most ``size``."""
    body, step = pkt[40:], (size - 48) // 8 * 8
    out = []
    for off in range(0, len(body), step):
        part = body[off:off + step]
        more = off + step < len(body)
        fh = ipv6.fragment(pkt[6], off // 8, ident, more)
        out.append(ipv6.build(pkt[8:24], pkt[24:40], 44, pkt[7], 0, 0,
                              8 + len(part)) + fh + part)
    return out


class FragServer(Server):
    """A Server whose data packets leave in fragments: IPv4 ones of at
    most ``frag4`` bytes (a router fragmenting for a small link), or IPv6
    ones of at most 1280 once our PTB said less than 1280 (RFC 2460's
    fragment header); on a PTB it sends again what is not acknowledged."""

    def __init__(self, frag4=0, **kw):
        super().__init__(**kw)
        self.frag4, self.frag6 = frag4, False
        self.ident = 7

    def receive(self, raw, now):
        p = wire.parse(raw[0] >> 4, raw)
        if p.icmp is not None:
            self.frag6 = p.version == 6 and p.icmp[2] < 1280
            self.snd_nxt = self.snd_una
            return self.split(self.send_data(self.icw))
        return self.split(super().receive(raw, now))

    def split(self, replies):
        out = []
        for r in replies:
            data = r.frame[14:]
            if len(data) > 1280 and self.frag6:
                self.ident += 1
                parts = fragments6(data, 1280, self.ident)
            elif self.frag4 and len(data) > self.frag4 and data[0] >> 4 == 4:
                parts = fragments4(data, self.frag4)
            else:
                out.append(r)
                continue
            head = r.frame[:14]
            # the last fragment first: reassembly takes any order
            out += [Reply(frame=head + f, link=1) for f in parts[::-1]]
        return out


def test_ipv4_fragments_are_reassembled_and_acknowledged():
    m = method('-t null -u http://www.example.com/x 203.0.113.10')
    t = drive(m, FragServer(frag4=576, size=3000, mss=1400))
    assert names(t) == 'null-success'
    rx = [wire.parse(4, p.data) for p in t.pkts if p.dir == R.PKT_DIR_RX]
    assert sum(p.frag for p in rx) >= 6
    # the whole page was acknowledged: the last ack covers it
    tx = [wire.parse(4, p.data) for p in t.pkts if p.dir == R.PKT_DIR_TX]
    assert max((p.ack - 5001) & 0xffffffff for p in tx) >= 3000


def test_pmtud_ipv6_below_1280_succeeds_with_fragments():
    m = method('-t pmtud -M 1000 -m 1440 -u http://x/ 2001:db8:ff::10',
               src=SRC6)
    server = FragServer(dst=DST6, src=SRC6, mss=1440, size=6000)
    t = drive(m, server)
    assert names(t) == 'pmtud-success'
    pkts = [(p.dir, wire.parse(6, p.data)) for p in t.pkts]
    ptbs = [p for d, p in pkts if d == R.PKT_DIR_TX and p.icmp]
    assert len(ptbs) == 1 and ptbs[0].icmp[2] == 1000
    assert any(p.frag for d, p in pkts if d == R.PKT_DIR_RX)


def test_pmtud_ipv4_first_fragment_too_big_gets_the_ptb():
    """A fragment larger than the MTU tested was not, in theory, received:
    the first one is answered with a PTB, as scamper does."""
    m = method('-t pmtud -M 1280 -m 1460 -u http://x/ 203.0.113.10')

    class DF(FragServer):
        def split(self, replies):
            out = []
            for r in super().split(replies):
                d = bytearray(r.frame)
                d[14 + 6] |= 0x40           # DF on each fragment
                out.append(Reply(frame=bytes(d), link=1))
            return out
    t = drive(m, DF(frag4=1400, mss=1460, size=6000))
    tx = [wire.parse(4, p.data) for p in t.pkts if p.dir == R.PKT_DIR_TX]
    assert any(p.icmp for p in tx)


def frag(off, body, mf, ipid=1):
    p = wire.Packet(4, b'\x45' + bytes(19) + body)
    p.proto, p.ipid, p.off, p.mf, p.body, p.hl = 6, ipid, off, mf, body, 20
    p.src = p.dst = bytes(4)
    p.tos = p.ttl = 0
    p.df = False
    return p


SEG = wire.build(bytes(4), bytes(4), 80, 1234,
                 wire.Segment(seq=10, ack=20, flags=wire.TH_ACK,
                              data=b'y' * 40))[20:]


def test_fragments_any_order_duplicates_and_gaps():
    f = reass.Fragments()
    assert f.add(frag(32, SEG[32:], False)) is None
    assert f.add(frag(32, SEG[32:], False)) is None       # duplicate
    assert f.add(frag(16, SEG[16:24], True)) is None      # a gap: 24..32
    whole = f.add(frag(0, SEG[:16], True))
    assert whole is None
    whole = f.add(frag(24, SEG[24:32], True))
    assert whole.reass and whole.seq == 10 and whole.data == b'y' * 40
    assert f._held == {} and f._bytes == 0


def test_what_reassembly_holds_is_bounded():
    f = reass.Fragments()
    for i in range(10 * reass.MAX_PACKETS):
        f.add(frag(0, SEG[:16], True, ipid=i))
    assert len(f._held) == reass.MAX_PACKETS
    big = bytes(60000)
    for i in range(100):
        f.add(frag(0, big, True, ipid=100000 + i))
    assert f._bytes <= reass.MAX_BYTES
