"""Reading the IP and TCP headers of a recorded tbit packet the way
scamper's tbit output code does (scamper_tbit_{json,text}.c and
sc_wartsdump), quirks included."""

import struct

EXT_HEADERS = (0, 60, 43)        # hop-by-hop, destination, routing
FRAGMENT = 44
TCP, ICMP, ICMP6 = 6, 1, 58


def u16(d, i):
    return struct.unpack_from('>H', d, i)[0]


def u32(d, i):
    return struct.unpack_from('>I', d, i)[0]


def padded(data):
    """A packet's bytes with zeros after them: scamper's parsers trust the
    headers' lengths and read on past a short packet; we read zeros."""
    return bytes(data) + bytes(320)


def isn_offset(isn, seq):
    return (seq - isn) & 0xffffffff


class IPInfo:
    """The IP header fields the outputs print; ``hl`` covers IPv6
    extension headers; ``ipid`` is the IPv4 id or the IPv6 fragment id
    (None for an unfragmented IPv6 packet)."""

    def __init__(self, d, checked=True):
        self.v = d[0] >> 4
        self.frag = self.mf = self.off = 0
        self.ipid = None
        if self.v == 4:
            self.hl = (d[0] & 0xf) * 4
            self.len = u16(d, 2)
            self.proto, self.ecn, self.ttl = d[9], d[1] & 3, d[8]
            self.mf = 1 if d[6] & 0x20 else 0
            self.off = (u16(d, 6) & 0x1fff) * 8
            self.frag = 1 if self.mf or self.off else 0
            self.ipid = u16(d, 4)
            return
        hl, proto = 40, d[6]
        self.len = (u16(d, 4) + 40) & 0xffff
        self.ecn, self.ttl = (d[1] & 0x30) >> 4, d[7]
        while True:
            if proto in EXT_HEADERS:
                # the JSON code walks without the bounds checks
                if checked and (d[hl + 1] == 0 or
                                255 - hl <= d[hl + 1] * 8 + 8):
                    break
                proto, hl = d[hl], (hl + d[hl + 1] * 8 + 8) & 0xff
            elif proto == FRAGMENT:
                if checked and 255 - hl <= 8:
                    break
                self.mf = d[hl + 3] & 1
                self.off = u16(d, hl + 2) & 0xfff8
                self.ipid = u32(d, hl + 4)
                proto, hl, self.frag = d[hl], (hl + 8) & 0xff, 1
            else:
                break
        self.hl, self.proto = hl, proto


def ip_info(d, checked=True):
    """IPInfo for an IPv4 or IPv6 packet, else None."""
    return IPInfo(d, checked) if d and d[0] >> 4 in (4, 6) else None


class TCPInfo:
    def __init__(self, d, hl):
        self.seq, self.ack = u32(d, hl + 4), u32(d, hl + 8)
        self.win = u16(d, hl + 14)
        self.flags = d[hl + 13]
        self.hl = (d[hl + 12] >> 4) * 4
        self.opts = d[hl:hl + self.hl]


def tcp_options(tcp):
    """(kind, option bytes) as the outputs walk them: stops at EOL
    (yielded as (0, b'')) or a bad length; NOPs come as (1, b'')."""
    i = 20
    while i < tcp.hl:
        o = tcp.opts[i:]
        if o[0] == 0:
            yield 0, b''
            return
        if o[0] == 1:
            yield 1, b''
            i += 1
            continue
        if o[1] == 0 or i + o[1] > tcp.hl:
            return
        yield o[0], o[:o[1]]
        i += o[1]


def sack_blocks(opt, isn):
    """The (left, right) edges of a SACK option relative to isn."""
    n = (opt[1] - 2) // 8
    return [((u32(opt, 2 + 8 * k) - isn) & 0xffffffff,
             (u32(opt, 6 + 8 * k) - isn) & 0xffffffff) for k in range(n)]


def is_sack(kind, opt):
    return kind == 5 and len(opt) in (10, 18, 26, 34)


def flag_str(flags):
    """SYN, SYN/ACK, FIN or RST, then /ECE and /CWR."""
    s = ''
    if flags & 0x02:
        s = 'SYN/ACK' if flags & 0x10 else 'SYN'
    elif flags & 0x01:
        s = 'FIN'
    elif flags & 0x04:
        s = 'RST'
    if flags & 0x40:
        s += ('/' if s else '') + 'ECE'
    if flags & 0x80:
        s += ('/' if s else '') + 'CWR'
    return s


def ptb_str(d, ip):
    """The PTB part of a text or dump line, or ''."""
    h = ip.hl
    if ip.proto == ICMP and d[h] == 3 and d[h + 1] == 4:
        return '%-13s %4d  mtu = %d' % ('PTB', ip.len, u16(d, h + 6))
    if ip.proto == ICMP6 and d[h] == 2:
        mtu = u32(d, h + 4)
        return '%-13s %4d  mtu = %d' % ('PTB', ip.len,
                                         mtu - (1 << 32) if mtu >> 31 else mtu)
    return ''


def since(t, start):
    """(sec, usec) from start to t, as timeval_diff_tv gives them."""
    return divmod(round(t * 1000000) - round(start * 1000000), 1000000)


def seq_in_range(rcv_nxt, seq, length):
    """scamper_tbit_data_inrange."""
    def leq(a, b):
        return ((a - b) & 0xffffffff) == 0 or ((a - b) & 0xffffffff) >> 31

    def lt(a, b):
        return ((a - b) & 0xffffffff) >> 31 == 1
    end = (seq + length - 1) & 0xffffffff
    top = (rcv_nxt + 65535) & 0xffffffff
    return ((leq(rcv_nxt, seq) and lt(seq, top)) or
            (leq(rcv_nxt, end) and lt(end, top)))


def pkt_iph(d):
    """scamper_tbit_pkt_iph: (protocol, header length, IP length), or None
    for what it refuses (not IP, bad extension headers, IPv6 fragments
    other than the first of one)."""
    if not d or d[0] >> 4 not in (4, 6):
        return None
    if d[0] >> 4 == 4:
        return d[9], (d[0] & 0xf) * 4, u16(d, 2)
    hl, proto = 40, d[6]
    while True:
        if proto in EXT_HEADERS:
            if d[hl + 1] == 0 or 255 - hl <= d[hl + 1] * 8 + 8:
                return None
            proto, hl = d[hl], hl + d[hl + 1] * 8 + 8
        elif proto == FRAGMENT:
            if 255 - hl <= 8 or u16(d, hl + 2) & 0xfff8 or d[hl + 3] & 1:
                return None
            proto, hl = d[hl], hl + 8
        else:
            return proto, hl, (u16(d, 4) + 40) & 0xffff


def icw_size(t, success, rx):
    """scamper_tbit_icw_size: the bytes the server sent in its initial
    window, seen when it retransmits the first segment; None if unknown."""
    if t.result != success or not t.pkts:
        return None
    i = next((k for k in range(1, len(t.pkts)) if t.pkts[k].dir == rx), None)
    if i is None:
        return None
    d = padded(t.pkts[i].data)
    iph = pkt_iph(d)
    if iph is None or iph[0] != TCP or d[iph[1] + 13] & 0x12 != 0x12:
        return None
    start = (u32(d, iph[1] + 4) + t.data.start_seq) & 0xffffffff
    edges, firsts = [], 0
    for p in t.pkts[i + 1:]:
        if p.dir != rx:
            continue
        d = padded(p.data)
        iph = pkt_iph(d)
        if iph is None or iph[0] != TCP:
            return None
        proto, hl, iplen = iph
        tcp = TCPInfo(d, hl)
        datalen = (iplen - hl - tcp.hl) & 0xffff
        if (datalen == 0 and not tcp.flags & 0x01) or \
                not seq_in_range(start, tcp.seq, datalen):
            continue
        if tcp.seq == start:
            firsts += 1
            if firsts == 2:
                return max(((e - start) & 0xffffffff for e in edges),
                           default=0)
        edges.append((tcp.seq + datalen) & 0xffffffff)
    return None
