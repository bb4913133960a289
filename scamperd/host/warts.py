"""Warts DNS lookup objects (type 14), after
scamper/host/scamper_host_warts.c.

Body: parameters, then each query (parameters: tx, rx, id and the three
record counts) followed by its answer, authority and additional records.
A record's data field is a u16 kind then an address, a string, or an SOA
or MX parameter block."""

from scamperd.host.result import (DATA_ADDR, DATA_MX, DATA_SOA, DATA_STR,
                                  Host, HostMX, HostQuery, HostRR, HostSOA,
                                  data_type)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_HOST = 14


def _set(pairs):
    """A parameter block of the [(field, value, encode[, always])] whose
    value is set (not 0, not None) or that are always written."""
    return C.params_bytes([(p[0], p[2](p[1])) for p in pairs
                           if p[1] or p[1] == '' or p[3:]])


def _rr_data(rr, table):
    kind = data_type(rr.klass, rr.type)
    if kind is None:
        raise ValueError('scamper keeps no data for class %d type %d'
                         % (rr.klass, rr.type))
    d = rr.data
    out = C.u16(kind)
    if kind == DATA_ADDR:
        return out + table.enc(d)
    if kind == DATA_STR:
        return out + C.string(d)
    if kind == DATA_SOA:
        # scamper tests mname for both names
        return out + C.params_bytes(
            [(n, C.string(v)) for n, v in ((1, d.mname), (2, d.rname))
             if d.mname is not None] +
            [(n, C.u32(v)) for n, v in ((3, d.serial), (4, d.refresh),
                                        (5, d.retry), (6, d.expire),
                                        (7, d.minimum)) if v])
    return out + _set([(1, d.preference, C.u16), (2, d.exchange, C.string)])


def _rr(rr, table):
    return _set([(1, rr.klass, C.u16), (2, rr.type, C.u16),
                 (3, rr.name, C.string), (4, rr.ttl, C.u32),
                 (5, rr.data, lambda _: _rr_data(rr, table))])


def encode(h, list_id=0, cycle_id=0):
    table = C.AddrTable()
    out = [_set([(1, list_id, C.u32), (2, cycle_id, C.u32),
                 (3, h.userid, C.u32), (4, h.src, table.enc),
                 (5, h.dst, table.enc), (6, h.start, C.timeval, True),
                 (7, h.flags, C.u16), (8, h.wait, C.u16), (9, h.stop, C.u8),
                 (10, h.retries, C.u8), (11, h.qtype, C.u16),
                 (12, h.qclass, C.u16), (13, h.qname, C.string),
                 (14, len(h.queries), C.u8)])]
    for q in h.queries:
        out.append(_set([(1, q.tx, C.timeval, True),
                         (2, q.rx, C.timeval, True),
                         (3, q.id, C.u16), (4, len(q.an), C.u16),
                         (5, len(q.ns), C.u16), (6, len(q.ar), C.u16)]))
        out += [_rr(rr, table) for rr in q.an + q.ns + q.ar]
    return b''.join(out)


def _soa(cur):
    at = cur.pos
    v = C.params(cur, ('string', 'string', 'u32', 'u32', 'u32', 'u32',
                       'u32'))
    if 1 not in v or 2 not in v:
        raise WartsError('SOA record without its names', at)
    return HostSOA(v[1], v[2], *(v.get(n, 0) for n in range(3, 8)))


def _mx(cur):
    at = cur.pos
    v = C.params(cur, ('u16', 'string'))
    if 2 not in v:
        raise WartsError('MX record without an exchange', at)
    return HostMX(v.get(1, 0), v[2])


def _rr_reader(table):
    def data(cur):
        at = cur.pos
        kind = cur.u16()
        if kind == DATA_ADDR:
            return kind, cur.addr(table)
        if kind == DATA_STR:
            return kind, cur.string()
        if kind == DATA_SOA:
            return kind, _soa(cur)
        if kind == DATA_MX:
            return kind, _mx(cur)
        raise WartsError('unknown record data kind %d' % kind, at)

    def read(cur):
        at = cur.pos
        v = C.params(cur, ('u16', 'u16', 'string', 'u32', data))
        rr = HostRR(v.get(3), v.get(1, 0), v.get(2, 0), v.get(4, 0))
        # scamper 20211212 writes records whose data it does not keep
        # without data, and cannot read them back; newer scamper can
        if rr.name is None or (5 in v and
                               v[5][0] != data_type(rr.klass, rr.type)):
            raise WartsError('bad DNS record', at)
        rr.data = v[5][1] if 5 in v else None
        return rr
    return read


def decode(cur, state):
    table = []

    def addr(c):
        return c.addr(table)
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        addr, addr, 'timeval', 'u16', 'u16', 'u8', 'u8', 'u16', 'u16',
        'string', 'u8'))
    if v.get(5) is None:
        raise WartsError('host lookup without a server', at)
    h = Host(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0),
             src=v.get(4), dst=v[5], start=v.get(6, 0.0), flags=v.get(7, 0),
             wait=v.get(8, 0), stop=v.get(9, 0), retries=v.get(10, 0),
             qtype=v.get(11, 0), qclass=v.get(12, 0), qname=v.get(13))
    read_rr = _rr_reader(table)
    for _ in range(v.get(14, 0)):
        qv = C.params(cur, ('timeval', 'timeval', 'u16', 'u16', 'u16',
                            'u16'))
        q = HostQuery(qv.get(1, 0.0), qv.get(2, 0.0), qv.get(3, 0))
        for section, n in ((q.an, 4), (q.ns, 5), (q.ar, 6)):
            section += [read_rr(cur) for _ in range(qv.get(n, 0))]
        h.queries.append(q)
    return h


register(OBJ_HOST, Host, decode, encode)
