"""Warts owamp objects (type 17), after newer scamper's
scamper/owamp/scamper_owamp_warts.c (20211212 has no owamp).

Body: the parameters (addresses static; hs-rtt u32 microseconds; the
destination port, wait timeout, schedule length, attempts, packet size
and TTL left out when they are scamper's defaults, 861, 2s, 1, 10, 42 and
255), one parameter block per schedule element, then per test packet its
parameter block followed by those of its arrivals."""

from scamperd.owamp.result import (DEFAULTS, Owamp, OwampRx, OwampSched,
                                   OwampTx)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_OWAMP = 17


def _block(values):
    """A parameter block of the (field, value, encoder) that are set."""
    return C.params_bytes([(n, enc(v)) for n, v, enc in values if v])


def _rx(rx):
    return _block(((1, rx.stamp, C.timeval), (2, rx.errest, C.u16),
                   (3, rx.flags, C.u8), (4, rx.dscp, C.u8),
                   (5, rx.ttl, C.u8)))


def _tx(tx):
    return _block(((1, tx.sched, C.timeval), (2, tx.stamp, C.timeval),
                   (3, tx.seq, C.u32), (4, tx.errest, C.u16),
                   (5, tx.flags, C.u8), (6, len(tx.rxs), C.u8))) + \
        b''.join(_rx(rx) for rx in tx.rxs)


def _us(t):
    return C.rtt(round(t * 1000000))


def encode(ow, list_id=0, cycle_id=0):
    v = C.id_params(list_id, cycle_id, ow.userid)
    d = DEFAULTS
    # (field, value, encoder, the value that is left out)
    for n, val, enc, omit in (
            (4, ow.src, C.saddr, None), (5, ow.dst, C.saddr, None),
            (6, ow.dport, C.u16, d['dport']), (7, ow.flags, C.u16, 0),
            (8, ow.start, C.timeval, 0), (9, ow.startat, C.timeval, 0),
            (10, ow.wait_timeout, C.timeval, d['wait_timeout']),
            (11, len(ow.scheds), C.u32, 1),
            (12, ow.attempts, C.u32, d['attempts']),
            (13, ow.pktsize, C.u16, d['pktsize']), (14, ow.dir, C.u8, 0),
            (15, ow.dscp, C.u8, 0), (16, ow.ttl, C.u8, d['ttl']),
            (17, ow.hsrtt, _us, 0), (18, ow.result, C.u8, 0),
            (19, ow.errmsg, C.string, None), (20, ow.udp_sport, C.u16, 0),
            (21, ow.udp_dport, C.u16, 0), (22, len(ow.txs), C.u32, 0)):
        if val != omit:
            v.append((n, enc(val)))
    return b''.join([C.params_bytes(v)] +
                    [_block(((1, s.tv, C.timeval), (2, s.type, C.u8)))
                     for s in ow.scheds] + [_tx(tx) for tx in ow.txs])


def _read_rx(cur):
    v = C.params(cur, ('timeval', 'u16', 'u8', 'u8', 'u8'))
    return OwampRx(v.get(1, 0.0), v.get(2, 0), v.get(3, 0), v.get(4, 0),
                   v.get(5, 0))


def _read_tx(cur):
    v = C.params(cur, ('timeval', 'timeval', 'u32', 'u16', 'u8', 'u8'))
    return OwampTx(v.get(1, 0.0), v.get(2, 0.0), v.get(3, 0), v.get(4, 0),
                   v.get(5, 0), [_read_rx(cur) for _ in range(v.get(6, 0))])


def _read_sched(cur):
    v = C.params(cur, ('timeval', 'u8'))
    return OwampSched(v.get(1, 0.0), v.get(2, 0))


def decode(cur, state):
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        'saddr', 'saddr', 'u16', 'u16', 'timeval', 'timeval', 'timeval',
        'u32', 'u32', 'u16', 'u8', 'u8', 'u8', lambda c: c.rtt() / 1000000,
        'u8', 'string', 'u16', 'u16', 'u32'))
    if v.get(5) is None:
        raise WartsError('owamp without a destination', at)
    d = DEFAULTS
    ow = Owamp(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0),
               src=v.get(4), dst=v[5], dport=v.get(6, d['dport']),
               flags=v.get(7, 0), start=v.get(8, 0.0),
               startat=v.get(9, 0.0),
               wait_timeout=v.get(10, d['wait_timeout']),
               attempts=v.get(12, d['attempts']),
               pktsize=v.get(13, d['pktsize']), dir=v.get(14, 0),
               dscp=v.get(15, 0), ttl=v.get(16, d['ttl']),
               hsrtt=v.get(17, 0.0), result=v.get(18, 0),
               errmsg=v.get(19), udp_sport=v.get(20, 0),
               udp_dport=v.get(21, 0))
    ow.scheds = [_read_sched(cur) for _ in range(v.get(11, 1))]
    ow.txs = [_read_tx(cur) for _ in range(v.get(22, 0))]
    return ow


register(OBJ_OWAMP, Owamp, decode, encode)
