"""Warts alias resolution objects (type 9), as scamper 20211212 writes
and reads them (scamper/dealias/scamper_dealias_warts.c;
docs/warts-format.md §10).

Body: parameters, the method's parameters followed by its probe
definitions, then the probes, each followed by its replies.  Addresses
share one table per object, filled in write order.  Newer scamper's
midarest and midardisc methods (which 20211212 cannot read) are read and
written as newer scamper does.

scamper 20211212 writes the count of prefixscan's excluded addresses
byte-swapped (it swaps before a function that swaps again), so that it
cannot read such a file back; we read both that and the correct count,
and write the correct one, as newer scamper does.
"""

from scamperd.dealias.result import (METHOD_NAMES, METHODS, Dealias,
                                     DealiasProbe, DealiasProbedef,
                                     DealiasReply)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_DEALIAS = 9


# --- writing ---------------------------------------------------------------

def encode_probedef(d, table):
    v = []
    if d.id:
        v.append((3, C.u32(d.id)))
    v += [(4, C.u8(d.method)), (5, C.u8(d.ttl))]
    if d.tos:
        v.append((6, C.u8(d.tos)))
    if d.is_udp or d.is_tcp:
        v.append((7, C.u16(d.sport) + C.u16(d.dport)))
    if d.is_tcp:
        v.append((8, C.u8(d.tcp_flags)))
    if d.is_icmp:
        v.append((9, C.u16(d.icmp_id)))
    v += [(10, table.enc(d.dst)), (11, table.enc(d.src))]
    if d.size:
        v.append((12, C.u16(d.size)))
    if d.mtu:
        v.append((13, C.u16(d.mtu)))
    if d.is_icmp and d.icmp_csum:
        v.append((14, C.u16(d.icmp_csum)))
    return C.params_bytes(v)


def method_params(d, table):
    m = d.method
    if m == 'mercator':
        return [(1, C.u8(d.attempts)), (2, C.u8(d.wait_timeout))]
    if m == 'ally':
        v = [(1, C.u16(d.wait_probe)), (2, C.u8(d.wait_timeout)),
             (3, C.u8(d.attempts))]
        if d.fudge:
            v.append((4, C.u16(d.fudge)))
        if d.flags:
            v.append((5, C.u8(d.flags)))
        return v
    if m == 'radargun':
        v = [(1, C.u32(len(d.probedefs))), (2, C.u16(d.attempts)),
             (3, C.u16(d.wait_probe)), (4, C.u32(d.wait_round)),
             (5, C.u8(d.wait_timeout))]
        if d.flags:
            v.append((6, C.u8(d.flags)))
        return v
    if m == 'prefixscan':
        v = [(n, table.enc(a)) for n, a in ((1, d.a), (2, d.b), (3, d.ab))
             if a is not None]
        if d.xs:
            v.append((4, C.u16(len(d.xs))
                      + b''.join(table.enc(a) for a in d.xs)))
        v += [(5, C.u8(d.prefix)), (6, C.u8(d.attempts)),
              (7, C.u16(d.fudge)), (8, C.u16(d.wait_probe)),
              (9, C.u8(d.wait_timeout))]
        if d.probedefs:
            v.append((10, C.u16(len(d.probedefs))))
        if d.flags:
            v.append((11, C.u8(d.flags)))
        if d.replyc != 5:
            v.append((12, C.u8(d.replyc)))
        return v
    if m == 'midarest':
        return [(1, C.u16(len(d.probedefs))), (2, C.u8(d.rounds)),
                (3, C.rtt(d.wait_probe)), (4, C.rtt(d.wait_round)),
                (5, C.rtt(d.wait_timeout))]
    if m == 'midardisc':
        v = [(1, C.u32(len(d.probedefs))), (2, C.rtt(d.wait_timeout))]
        if d.schedule:
            v.append((3, C.u32(len(d.schedule)) + b''.join(
                C.timeval(t) + C.u32(b) + C.u32(e) for t, b, e in d.schedule)))
        if d.startat is not None:
            v.append((4, C.timeval(d.startat)))
        return v
    return [(1, C.u16(d.wait_probe)), (2, C.u16(d.bump_limit)),
            (3, C.u8(d.attempts))]


def encode_reply(r, table):
    v = [(2, C.timeval(r.rx))]
    v4 = len(r.src) == 4
    if v4 and r.ipid:
        v.append((3, C.u16(r.ipid)))
    v.append((4, C.u8(r.ttl)))
    if r.is_icmp:
        v += [(5, C.u8(r.icmp_type) + C.u8(r.icmp_code)),
              (6, C.u8(r.icmp_q_ttl))]
        if r.icmp_ext:
            v.append((7, C.icmpext_bytes(r.icmp_ext)))
    else:
        v.append((8, C.u8(r.proto)))
    if r.proto == 6:
        v.append((9, C.u8(r.tcp_flags)))
    v.append((10, table.enc(r.src)))
    if not v4 and r.ipid32:
        v.append((11, C.u32(r.ipid32)))
    if r.flags:
        v.append((12, C.u8(r.flags)))
    if r.size:
        v.append((13, C.u16(r.size)))
    return C.params_bytes(v)


def encode_probe(p, table):
    v = []
    if p.probedef.id:
        v.append((1, C.u32(p.probedef.id)))
    v.append((2, C.timeval(p.tx)))
    if p.replies:
        v.append((3, C.u16(len(p.replies))))
    if len(p.probedef.dst) == 4:
        v.append((4, C.u16(p.ipid)))
    if p.seq:
        v.append((5, C.u32(p.seq)))
    return C.params_bytes(v) + b''.join(encode_reply(r, table)
                                        for r in p.replies)


def encode(d, list_id=0, cycle_id=0):
    """The body of a warts dealias object."""
    table = C.AddrTable()
    v = [(1, C.u32(list_id)), (2, C.u32(cycle_id)), (3, C.timeval(d.start)),
         (4, C.u8(METHODS[d.method]))]
    if d.result:
        v.append((5, C.u8(d.result)))
    if d.probes:
        v.append((6, C.u32(len(d.probes))))
    if d.userid:
        v.append((7, C.u32(d.userid)))
    if d.error is not None:
        v.append((8, C.string(d.error)))
    out = [C.params_bytes(v), C.params_bytes(method_params(d, table))]
    out += [encode_probedef(pd, table) for pd in d.probedefs]
    out += [encode_probe(p, table) for p in d.probes]
    return b''.join(out)


# --- reading ---------------------------------------------------------------

def decode_probedef(cur, table, state):
    at = cur.pos

    def gid(c):
        return ref(c, state.gaddr)

    def addr(c):
        return c.addr(table)
    v = C.params(cur, (gid, gid, 'u32', 'u8', 'u8', 'u8', lambda c: c.bytes(4),
                       'u8', 'u16', addr, addr, 'u16', 'u16', 'u16'))
    d = DealiasProbedef(dst=v.get(10) or v.get(1), src=v.get(11) or v.get(2),
                        id=v.get(3, 0), method=v.get(4, 0), ttl=v.get(5, 0),
                        tos=v.get(6, 0), size=v.get(12, 0), mtu=v.get(13, 0))
    if d.dst is None or d.src is None:
        raise WartsError('dealias probedef without an address', at)
    four = v.get(7, bytes(4))
    if d.is_icmp:
        d.icmp_id = v.get(9, 0)
        d.icmp_csum = (int.from_bytes(four[2:], 'big') if 7 in v
                       else v.get(14, 0))
    elif d.is_tcp or d.is_udp:
        d.sport = int.from_bytes(four[:2], 'big')
        d.dport = int.from_bytes(four[2:], 'big')
        d.tcp_flags = v.get(8, 0) if d.is_tcp else 0
    else:
        raise WartsError('unknown dealias probe method %d' % d.method, at)
    return d


def _xs(table):
    """Prefixscan's excluded addresses; a count that overruns the block
    is tried byte-swapped, as scamper 20211212 wrote it."""
    def read(cur):
        p, n, size = cur.pos, cur.u16(), len(table)
        try:
            return [cur.addr(table) for _ in range(n)]
        except WartsError:
            swapped = (n >> 8) | (n & 0xff) << 8
            if swapped == n:
                raise
            del table[size:]
            cur.pos = p + 2
            return [cur.addr(table) for _ in range(swapped)]
    return read


def decode_method(d, cur, table):
    """The method's parameters into d; returns the number of probedefs."""
    m = d.method
    at = cur.pos
    if m == 'mercator':
        v = C.params(cur, ('u8', 'u8'))
        d.attempts, d.wait_timeout = v.get(1, 0), v.get(2, 0)
        return 1
    if m == 'ally':
        v = C.params(cur, ('u16', 'u8', 'u8', 'u16', 'u8'))
        d.wait_probe, d.wait_timeout = v.get(1, 0), v.get(2, 0)
        d.attempts, d.fudge, d.flags = v.get(3, 0), v.get(4, 0), v.get(5, 0)
        return 2
    if m == 'radargun':
        v = C.params(cur, ('u32', 'u16', 'u16', 'u32', 'u8', 'u8'))
        d.attempts, d.wait_probe = v.get(2, 0), v.get(3, 0)
        d.wait_round, d.wait_timeout = v.get(4, 0), v.get(5, 0)
        d.flags = v.get(6, 0)
        if not v.get(1):
            raise WartsError('radargun without probedefs', at)
        return v[1]
    if m == 'prefixscan':
        def addr(c):
            return c.addr(table)
        v = C.params(cur, (addr, addr, addr, _xs(table), 'u8', 'u8', 'u16',
                           'u16', 'u8', 'u16', 'u8', 'u8'))
        d.a, d.b, d.ab, d.xs = v.get(1), v.get(2), v.get(3), v.get(4, [])
        if d.a is None or d.b is None:
            raise WartsError('prefixscan without its addresses', at)
        d.prefix, d.attempts, d.fudge = v.get(5, 0), v.get(6, 0), v.get(7, 0)
        d.wait_probe, d.wait_timeout = v.get(8, 0), v.get(9, 0)
        d.flags, d.replyc = v.get(11, 0), v.get(12, 5)
        return v.get(10, 0)
    if m == 'midarest':
        v = C.params(cur, ('u16', 'u8', 'rtt', 'rtt', 'rtt'))
        d.rounds, d.wait_probe = v.get(2, 0), v.get(3, 0)
        d.wait_round, d.wait_timeout = v.get(4, 0), v.get(5, 0)
    elif m == 'midardisc':
        v = C.params(cur, ('u32', 'rtt', _schedule, 'timeval'))
        d.wait_timeout, d.schedule = v.get(2, 0), v.get(3, [])
        d.startat = v.get(4)
    else:
        v = C.params(cur, ('u16', 'u16', 'u8'))
        d.wait_probe, d.bump_limit, d.attempts = (v.get(1, 0), v.get(2, 0),
                                                  v.get(3, 0))
        return 2
    if not v.get(1):
        raise WartsError('%s without probedefs' % m, at)
    return v[1]


def _schedule(cur):
    return [(cur.timeval(), cur.u32(), cur.u32()) for _ in range(cur.u32())]


def decode_reply(cur, table, state):
    at = cur.pos
    v = C.params(cur, (lambda c: ref(c, state.gaddr), 'timeval', 'u16', 'u8',
                       lambda c: (c.u8(), c.u8()), 'u8', C.icmpext, 'u8',
                       'u8', lambda c: c.addr(table), 'u32', 'u8', 'u16'))
    src = v.get(10) or v.get(1)
    if src is None:
        raise WartsError('dealias reply without a source', at)
    r = DealiasReply(src=src, rx=v.get(2, 0.0), ipid=v.get(3, 0),
                     ttl=v.get(4, 0), icmp_q_ttl=v.get(6, 0),
                     icmp_ext=v.get(7, ()), tcp_flags=v.get(9, 0),
                     ipid32=v.get(11, 0), flags=v.get(12, 0),
                     size=v.get(13, 0))
    r.icmp_type, r.icmp_code = v.get(5, (0, 0))
    r.proto = v.get(8, 1 if len(src) == 4 else 58)
    return r


def decode_probe(cur, defs, table, state):
    at = cur.pos
    v = C.params(cur, ('u32', 'timeval', 'u16', 'u16', 'u32'))
    i = v.get(1, 0)
    if i >= len(defs):
        raise WartsError('probe of probedef %d of %d' % (i, len(defs)), at)
    return DealiasProbe(defs[i], seq=v.get(5, 0), tx=v.get(2, 0.0),
                        ipid=v.get(4, 0),
                        replies=[decode_reply(cur, table, state)
                                 for _ in range(v.get(3, 0))])


def decode(cur, state):
    """A Dealias from the body of a warts dealias object."""
    table = []
    at = cur.pos
    v = C.params(cur, (lambda c: ref(c, state.list),
                       lambda c: ref(c, state.cycle), 'timeval', 'u8', 'u8',
                       'u32', 'u32', 'string'))
    method = METHOD_NAMES.get(v.get(4, 0))
    if method is None:
        raise WartsError('unknown dealias method %d' % v.get(4, 0), at)
    d = Dealias(list=v.get(1), cycle=v.get(2), start=v.get(3, 0.0),
                method=method, result=v.get(5, 0), userid=v.get(7, 0),
                error=v.get(8))
    n = decode_method(d, cur, table)
    d.probedefs = [decode_probedef(cur, table, state) for _ in range(n)]
    d.probes = [decode_probe(cur, d.probedefs, table, state)
                for _ in range(v.get(6, 0))]
    return d


register(OBJ_DEALIAS, Dealias, decode, encode)
