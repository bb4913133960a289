"""Warts tbit objects (type 11), after scamper/tbit/scamper_tbit_warts.c.

Body: parameters; ``pktc`` packets (parameters: direction, time, length,
bytes); then tagged blocks -- u16 kind (1: the test type's parameters,
2: the application's), u32 length, a parameter block -- ended by a u16 0.
"""

from scamperd.tbit.result import (APP_BGP, APP_HTTP, DATA_CLASSES, Tbit,
                                  TbitBgp, TbitBlind, TbitHttp, TbitIcw,
                                  TbitNull, TbitPkt, TbitPmtud)
from scamperd.warts import codec as C
from scamperd.warts.codec import Cursor, WartsError
from scamperd.warts.file import ref, register

OBJ_TBIT = 11
STRUCT_EOF, STRUCT_TYPE, STRUCT_APP = 0, 1, 2


def _i32(v):
    return C.u32(v & 0xffffffff)


def _opt(pairs):
    """[(field, value, encode)] -> the block of the fields whose value is
    set (scamper leaves out zeros and absent strings)."""
    return C.params_bytes([(n, enc(v)) for n, v, enc in pairs
                           if v or v == ''])


def _type_block(t, table):
    d = t.data
    if isinstance(d, TbitPmtud):
        return _opt([(1, d.mtu, C.u16), (2, d.ptb_retx, C.u8),
                     (3, d.options, C.u8), (4, d.ptbsrc, table.enc)])
    if isinstance(d, TbitNull):
        return _opt([(1, d.options, C.u16), (2, d.results, C.u16)])
    if isinstance(d, TbitIcw):
        return _opt([(1, d.start_seq, C.u32)])
    if isinstance(d, TbitBlind):
        return _opt([(1, d.off, _i32), (2, d.retx, C.u8)])
    raise TypeError('tbit data %r' % (d,))


def _app_block(a):
    if isinstance(a, TbitHttp):
        return _opt([(1, a.host, C.string), (2, a.file, C.string),
                     (3, a.type, C.u8)])
    if isinstance(a, TbitBgp):
        return _opt([(1, a.asn, C.u32)])
    raise TypeError('tbit app %r' % (a,))


def encode(t, list_id=0, cycle_id=0):
    table = C.AddrTable()
    v = C.id_params(list_id, cycle_id, t.userid)
    if t.src is not None:
        v.append((4, table.enc(t.src)))
    if t.dst is not None:
        v.append((5, table.enc(t.dst)))
    v += [(6, C.u16(t.sport)), (7, C.u16(t.dport)), (8, C.timeval(t.start)),
          (9, C.u16(t.result)), (10, C.u8(t.type)), (11, C.u8(t.app_proto)),
          (12, C.u16(t.client_mss)), (13, C.u16(t.server_mss)),
          (14, C.u8(t.syn_retx)), (15, C.u8(t.dat_retx)),
          (17, C.u32(len(t.pkts)))]
    if t.fo_cookie:
        v.append((18, C.u8(len(t.fo_cookie)) + bytes(t.fo_cookie)))
    if t.wscale:
        v.append((19, C.u8(t.wscale)))
    if t.options:
        v.append((20, C.u32(t.options)))
    if t.ttl != 255:
        v.append((21, C.u8(t.ttl)))
    out = [C.params_bytes(v)]
    for p in t.pkts:
        pv = [(1, C.u8(p.dir)), (2, C.timeval(p.tv)), (3, C.u16(len(p.data)))]
        if p.data:
            pv.append((4, bytes(p.data)))
        out.append(C.params_bytes(pv))
    if t.data is not None:
        body = _type_block(t, table)
        out.append(C.u16(STRUCT_TYPE) + C.u32(len(body)) + body)
    if t.app is not None:
        body = _app_block(t.app)
        out.append(C.u16(STRUCT_APP) + C.u32(len(body)) + body)
    out.append(C.u16(STRUCT_EOF))
    return b''.join(out)


def _cookie(cur):
    p = cur.pos
    n = cur.u8()
    if n > 16:
        raise WartsError('TCP fast open cookie of %d bytes' % n, p)
    return cur.bytes(n)


def _sized_bytes():
    size = [0]

    def length(c):
        size[0] = c.u16()
        return size[0]
    return length, lambda c: c.bytes(size[0])


def _read_type(t, cur, table):
    d = t.data
    if isinstance(d, TbitPmtud):
        v = C.params(cur, ('u16', 'u8', 'u8', lambda c: c.addr(table)))
        d.mtu, d.ptb_retx = v.get(1, 0), v.get(2, 0)
        d.options, d.ptbsrc = v.get(3, 0), v.get(4)
    elif isinstance(d, TbitNull):
        v = C.params(cur, ('u16', 'u16'))
        d.options, d.results = v.get(1, 0), v.get(2, 0)
    elif isinstance(d, TbitIcw):
        d.start_seq = C.params(cur, ('u32',)).get(1, 0)
    elif isinstance(d, TbitBlind):
        v = C.params(cur, ('u32', 'u8'))
        off = v.get(1, 0)
        d.off, d.retx = off - (1 << 32) if off >> 31 else off, v.get(2, 0)


def _read_app(t, cur):
    if t.app_proto == APP_HTTP:
        v = C.params(cur, ('string', 'string', 'u8'))
        t.app = TbitHttp(v.get(3, 0), v.get(1), v.get(2))
    elif t.app_proto == APP_BGP:
        t.app = TbitBgp(C.params(cur, ('u32',)).get(1, 0))


def decode(cur, state):
    table = []
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        lambda c: c.addr(table), lambda c: c.addr(table), 'u16', 'u16',
        'timeval', 'u16', 'u8', 'u8', 'u16', 'u16', 'u8', 'u8', 'u16',
        'u32', _cookie, 'u8', 'u32', 'u8'))
    if v.get(4) is None or v.get(5) is None:
        raise WartsError('tbit without a source or destination', at)
    t = Tbit(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0), src=v[4],
             dst=v[5], sport=v.get(6, 0), dport=v.get(7, 0),
             start=v.get(8, 0.0), result=v.get(9, 0), type=v.get(10, 0),
             app_proto=v.get(11, 0), client_mss=v.get(12, 0),
             server_mss=v.get(13, 0), syn_retx=v.get(14, 0),
             dat_retx=v.get(15, 0), fo_cookie=v.get(18, b''),
             wscale=v.get(19, 0), options=v.get(20, 0), ttl=v.get(21, 255))
    cls = DATA_CLASSES.get(t.type)
    t.data = cls() if cls else None
    for _ in range(v.get(17) or v.get(16) or 0):
        at = cur.pos
        length, data = _sized_bytes()
        pv = C.params(cur, ('u8', 'timeval', length, data))
        if not pv.get(4):
            raise WartsError('tbit packet without bytes', at)
        t.pkts.append(TbitPkt(pv.get(2, 0.0), pv.get(1, 0), pv[4]))
    while True:
        at = cur.pos
        kind = cur.u16()
        if kind == STRUCT_EOF:
            return t
        size = cur.u32()
        start = cur.take(size, 'tbit block')
        block = Cursor(cur.buf, start, start + size)
        if kind == STRUCT_TYPE:
            _read_type(t, block, table)
        elif kind == STRUCT_APP:
            _read_app(t, block)
        else:
            raise WartsError('unknown tbit block %d' % kind, at)


register(OBJ_TBIT, Tbit, decode, encode)
