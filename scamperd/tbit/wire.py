"""The packets tbit sends and reads: IPv4/IPv6 + TCP with options.

tbit builds its packets whole (they go out as they are, see ``packet`` in
scamperd/probe.py) because it needs what the engine's probe codec does not
have: TCP options (MSS, window scale, SACK, timestamps, fast open), data,
and the ECN bits.  The TCP options are laid out as scamper 20211212's
scamper_tcp4.c / scamper_tcp6.c lay them out: on a SYN MSS, window scale,
SACK permitted, fast open (or its experimental form); then timestamps
padded with NOPs; then SACK blocks; then NOPs to a multiple of four.
"""

import struct

from scamperd.net import ipv4, ipv6
from scamperd.net.checksum import inet_checksum

TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK, TH_URG, TH_ECE, TH_CWR = \
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
IPPROTO_TCP = 6
_TCP = struct.Struct('!HHIIBBHHH')


class Segment:
    """What to send: the TCP fields, the options wanted, the data."""

    def __init__(self, seq=0, ack=0, flags=TH_ACK, win=65535, data=b'',
                 mss=0, wscale=0, sackp=False, fo=None, fo_exp=None,
                 ts=None, sack=()):
        self.seq = seq
        self.ack = ack
        self.flags = flags
        self.win = win
        self.data = data
        self.mss = mss
        self.wscale = wscale
        self.sackp = sackp
        self.fo = fo              # cookie bytes (b'' asks for one), or None
        self.fo_exp = fo_exp
        self.ts = ts              # (tsval, tsecr) or None
        self.sack = sack          # [(left, right), ...]


def tcp_options(s):
    opts = b''
    if s.flags & TH_SYN:
        if s.mss:
            opts += struct.pack('!BBH', 2, 4, s.mss)
        if s.wscale:
            opts += bytes((3, 3, s.wscale))
        if s.sackp:
            opts += b'\x04\x02'
        if s.fo is not None:
            opts += bytes((34, 2 + len(s.fo))) + s.fo
        if s.fo_exp is not None:
            opts += bytes((254, 4 + len(s.fo_exp), 0xf9, 0x89)) + s.fo_exp
    if s.ts is not None:
        opts += struct.pack('!BBII', 8, 10, s.ts[0] & 0xffffffff,
                            s.ts[1] & 0xffffffff)
        while len(opts) % 4:
            opts += b'\x01'
    if s.sack:
        opts += bytes((5, 2 + 8 * len(s.sack)))
        for left, right in s.sack:
            opts += struct.pack('!II', left & 0xffffffff, right & 0xffffffff)
    while len(opts) % 4:
        opts += b'\x01'
    return opts


def build(src, dst, sport, dport, s, ttl=255, tos=0, ipid=0, df=True,
          ip_options=b''):
    """The bytes of an IP packet carrying segment ``s``."""
    opts = tcp_options(s)
    hl = 20 + len(opts)
    hdr = _TCP.pack(sport, dport, s.seq & 0xffffffff, s.ack & 0xffffffff,
                    (hl >> 2) << 4, s.flags, s.win, 0, 0) + opts
    seg = hdr + bytes(s.data)
    if len(src) == 4:
        pseudo = ipv4.pseudo_header(src, dst, IPPROTO_TCP, len(seg))
    else:
        pseudo = ipv6.pseudo_header(src, dst, IPPROTO_TCP, len(seg))
    c = inet_checksum(pseudo + seg) or 0xffff
    seg = seg[:16] + c.to_bytes(2, 'big') + seg[18:]
    if len(src) == 4:
        return ipv4.build(src, dst, IPPROTO_TCP, ttl, tos, ipid, df,
                          len(seg), ip_options) + seg
    return ipv6.build(src, dst, IPPROTO_TCP, ttl, tos, 0, len(seg)) + seg


def build_ptb(src, dst, mtu, quote, ttl=255, ipid=0):
    """An ICMP packet too big (IPv4: unreachable, fragmentation needed)
    for ``mtu`` quoting ``quote``, from ``src`` to ``dst``."""
    from scamperd.net import icmp, icmp6
    quote = bytes(quote)
    if len(src) == 4:
        m = icmp.build(3, 4, 0, mtu & 0xffff, quote)
        return ipv4.build(src, dst, 1, ttl, 0, ipid, True, len(m)) + m
    pseudo = ipv6.pseudo_header(src, dst, 58, 8 + len(quote))
    m = icmp6.build(2, 0, mtu >> 16, mtu & 0xffff, quote, pseudo)
    return ipv6.build(src, dst, 58, ttl, 0, 0, len(m)) + m


class Packet:
    """A received IP packet, read as scamper's datalink code reads one
    (scamper_dl_rec_t): IP fields, and for TCP the header, the options
    scamper notes and the data."""

    proto = None
    sport = dport = seq = ack = flags = win = None
    mss = 0
    wscale = None
    sackp = False
    ts = None
    sack = ()
    fo = None
    fo_exp = None
    data = b''
    frag = False        # a fragment: off, mf and body say which
    reass = False       # reassembled from fragments (see tbit/reass.py)
    off = 0
    mf = False
    ipid = 0
    icmp = None          # (type, code, mtu, quoted bytes) of an ICMP error

    def __init__(self, version, raw):
        self.version = version
        self.raw = raw


def parse(version, pkt):
    """A Packet from the bytes of an IP packet (trailing link padding
    allowed), or None if it is not one."""
    pkt = bytes(pkt)
    if version == 4:
        if len(pkt) < 20:
            return None
        hl = (pkt[0] & 15) * 4
        total = (pkt[2] << 8) | pkt[3]
        if hl < 20 or total < hl or len(pkt) < total:
            return None
        p = Packet(4, pkt[:total])
        p.src, p.dst, p.proto = pkt[12:16], pkt[16:20], pkt[9]
        p.tos, p.ttl = pkt[1], pkt[8]
        p.ipid = (pkt[4] << 8) | pkt[5]
        p.df = bool(pkt[6] & 0x40)
        p.off = (((pkt[6] & 0x1f) << 8) | pkt[7]) * 8
        p.mf = bool(pkt[6] & 0x20)
        p.frag = p.mf or p.off != 0
        p.hl = hl
        body = pkt[hl:total]
    elif version == 6:
        if len(pkt) < 40:
            return None
        total = 40 + ((pkt[4] << 8) | pkt[5])
        if len(pkt) < total:
            return None
        p = Packet(6, pkt[:total])
        p.src, p.dst, p.proto = pkt[8:24], pkt[24:40], pkt[6]
        p.tos = ((pkt[0] & 0xf) << 4) | (pkt[1] >> 4)
        p.ttl = pkt[7]
        p.df = True
        u = ipv6.upper(pkt[:total], pkt[6], 40)
        p.proto = u.nh
        p.frag = u.frag_id is not None
        if u.frag_id is not None:
            p.ipid = u.frag_id
            p.off, p.mf = u.frag_offset * 8, u.more
        p.hl = u.offset
        body = pkt[u.offset:total]
    else:
        return None
    if p.frag:
        # a fragment: its bytes kept for reassembly; only the first one
        # carries the transport header (read, as scamper's datalink does)
        p.body = body
        if p.off:
            return p
    if p.proto == IPPROTO_TCP:
        read_tcp(p, body)
    elif p.proto in (1, 58) and len(body) >= 8:
        t, c = body[0], body[1]
        big = (version == 4 and t == 3 and c == 4) or \
            (version == 6 and t == 2)
        mtu = 0
        if big:
            mtu = ((body[6] << 8) | body[7]) if version == 4 else \
                struct.unpack_from('!I', body, 4)[0]
        p.icmp = (t, c, mtu, body[8:])
    return p


def read_tcp(p, body):
    if len(body) < 20:
        p.proto = None
        return
    (p.sport, p.dport, p.seq, p.ack, off, p.flags, p.win, _sum,
     _urp) = _TCP.unpack_from(body)
    hl = (off >> 4) * 4
    if hl < 20 or hl > len(body):
        p.proto = None
        return
    p.data = body[hl:]
    opts = body[20:hl]
    i = 0
    sack = []
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2 or \
                i + opts[i + 1] > len(opts):
            break
        ln = opts[i + 1]
        v = opts[i + 2:i + ln]
        if kind == 2 and ln == 4:
            p.mss = struct.unpack('!H', v)[0]
        elif kind == 3 and ln == 3:
            p.wscale = v[0]
        elif kind == 4 and ln == 2:
            p.sackp = True
        elif kind == 5 and (ln - 2) % 8 == 0:
            for j in range(0, ln - 2, 8):
                sack.append(struct.unpack_from('!II', v, j))
        elif kind == 8 and ln == 10:
            p.ts = struct.unpack('!II', v)
        elif kind == 34:
            p.fo = bytes(v)
        elif kind == 254 and ln >= 4 and v[:2] == b'\xf9\x89':
            p.fo_exp = bytes(v[2:])
        i += ln
    p.sack = tuple(sack)
