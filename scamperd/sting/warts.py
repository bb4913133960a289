"""Warts sting objects (type 12), after scamper/sting/scamper_sting_warts.c.

Body: parameters, then ``pktc`` packets (parameters: flags, time,
length, bytes).  Field 16 holds ``datalen`` bytes; scamper 20211212
fills it from the wrong pointer (see result.py), which we keep as read.
"""

from scamperd.sting.result import Sting, StingPkt
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_STING = 12


def encode(st, list_id=0, cycle_id=0):
    table = C.AddrTable()
    v = C.id_params(list_id, cycle_id, st.userid)
    if st.src is not None:
        v.append((4, table.enc(st.src)))
    if st.dst is not None:
        v.append((5, table.enc(st.dst)))
    v += [(6, C.u16(st.sport)), (7, C.u16(st.dport)), (8, C.u16(st.count)),
          (9, C.u16(st.mean)), (10, C.u16(st.inter)), (11, C.u8(st.dist)),
          (12, C.u8(st.synretx)), (13, C.u8(st.dataretx)),
          (14, C.u8(st.seqskip)), (15, C.u16(len(st.data)))]
    if st.data:
        v.append((16, bytes(st.data)))
    v += [(17, C.timeval(st.start)), (18, C.timeval(st.hsrtt)),
          (19, C.u16(st.dataackc)), (20, C.u16(st.holec)),
          (21, C.u32(len(st.pkts)))]
    if st.result:
        v.append((22, C.u8(st.result)))
    out = [C.params_bytes(v)]
    for p in st.pkts:
        pv = [(1, C.u8(p.flags)), (2, C.timeval(p.tv)),
              (3, C.u16(len(p.data)))]
        if p.data:
            pv.append((4, bytes(p.data)))
        out.append(C.params_bytes(pv))
    return b''.join(out)


def _sized_bytes():
    """Readers for a length field and the bytes field it sizes."""
    size = [0]

    def length(c):
        size[0] = c.u16()
        return size[0]

    def data(c):
        return c.bytes(size[0])
    return length, data


def decode(cur, state):
    table = []

    def addr(c):
        return c.addr(table)
    length, data = _sized_bytes()
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        addr, addr, 'u16', 'u16', 'u16', 'u16', 'u16', 'u8', 'u8', 'u8',
        'u8', length, data, 'timeval', 'timeval', 'u16', 'u16', 'u32', 'u8'))
    if v.get(4) is None or v.get(5) is None:
        raise WartsError('sting without a source or destination', at)
    st = Sting(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0),
               src=v[4], dst=v[5], sport=v.get(6, 0), dport=v.get(7, 0),
               count=v.get(8, 0), mean=v.get(9, 0), inter=v.get(10, 0),
               dist=v.get(11, 0), synretx=v.get(12, 0),
               dataretx=v.get(13, 0), seqskip=v.get(14, 0),
               data=v.get(16, b''), start=v.get(17, 0.0),
               hsrtt=v.get(18, 0.0), dataackc=v.get(19, 0),
               holec=v.get(20, 0), result=v.get(22, 0))
    for _ in range(v.get(21, 0)):
        at = cur.pos
        plen, pdata = _sized_bytes()
        pv = C.params(cur, ('u8', 'timeval', plen, pdata))
        if not pv.get(4):
            raise WartsError('sting packet without bytes', at)
        st.pkts.append(StingPkt(pv.get(2, 0.0), pv.get(1, 0), pv[4]))
    return st


register(OBJ_STING, Sting, decode, encode)
