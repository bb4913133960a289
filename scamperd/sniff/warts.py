"""Warts sniff objects (type 13), after scamper/sniff/scamper_sniff_warts.c.

Body: parameters, then ``pktc`` packets (parameters: time, length,
bytes)."""

from scamperd.sniff.result import Sniff, SniffPkt
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_SNIFF = 13


def encode(sn, list_id=0, cycle_id=0):
    table = C.AddrTable()
    v = C.id_params(list_id, cycle_id, sn.userid)
    if sn.src is not None:
        v.append((4, table.enc(sn.src)))
    v += [(5, C.timeval(sn.start)), (6, C.timeval(sn.finish)),
          (7, C.u8(sn.stop_reason)), (8, C.u32(sn.limit_pktc)),
          (9, C.u16(sn.limit_time)), (10, C.u32(len(sn.pkts))),
          (11, C.u16(sn.icmpid))]
    out = [C.params_bytes(v)]
    for p in sn.pkts:
        pv = [(1, C.timeval(p.tv)), (2, C.u16(len(p.data)))]
        if p.data:
            pv.append((3, bytes(p.data)))
        out.append(C.params_bytes(pv))
    return b''.join(out)


def decode(cur, state):
    table = []
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        lambda c: c.addr(table), 'timeval', 'timeval', 'u8', 'u32', 'u16',
        'u32', 'u16'))
    if v.get(4) is None:
        raise WartsError('sniff without a source', at)
    sn = Sniff(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0), src=v[4],
               start=v.get(5, 0.0), finish=v.get(6, 0.0),
               stop_reason=v.get(7, 0), limit_pktc=v.get(8, 0),
               limit_time=v.get(9, 0), icmpid=v.get(11, 0))
    for _ in range(v.get(10, 0)):
        at = cur.pos
        size = [0]

        def length(c):
            size[0] = c.u16()
            return size[0]
        pv = C.params(cur, ('timeval', length, lambda c: c.bytes(size[0])))
        if not pv.get(3):
            raise WartsError('sniff packet without bytes', at)
        sn.pkts.append(SniffPkt(pv.get(1, 0.0), pv[3]))
    return sn


register(OBJ_SNIFF, Sniff, decode, encode)
