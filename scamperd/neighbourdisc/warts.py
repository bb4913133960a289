"""Warts neighbour discovery objects (type 10), after
scamper/neighbourdisc/scamper_neighbourdisc_warts.c.

Body: parameters, then each probe (parameters: tx time, reply count)
followed by its replies (parameters: rx time, MAC address).

scamper 20211212 sizes a probe's reply count as 4 bytes but writes 2: a
probe with replies declares 12 parameter bytes and holds 10, and the
object ends in two zero bytes per such probe.  No scamper reads those
files back (sc_wartsdump stops at the object); we do, and write the
corrected layout that newer scamper writes and every version reads.
"""

from scamperd.neighbourdisc.result import (Neighbourdisc, NeighbourdiscProbe,
                                           NeighbourdiscReply)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_NEIGHBOURDISC = 10

# the 2021 probe block: flags (tx, rxc), declared length 12
BUGGY_PROBE = b'\x03\x00\x0c'


def encode(nd, list_id=0, cycle_id=0):
    table = C.AddrTable()
    v = C.id_params(list_id, cycle_id, nd.userid)
    if nd.ifname is not None:
        v.append((4, C.string(nd.ifname)))
    v += [(5, C.timeval(nd.start)), (6, C.u8(nd.method)),
          (7, C.u16(nd.wait)), (8, C.u8(nd.flags)),
          (9, C.u16(nd.attempts)), (10, C.u16(nd.replyc))]
    for n, a in ((11, nd.src_ip), (12, nd.src_mac), (13, nd.dst_ip),
                 (14, nd.dst_mac)):
        if a is not None:
            v.append((n, table.enc(a)))
    if nd.probes:
        v.append((15, C.u16(len(nd.probes))))
    out = [C.params_bytes(v)]
    for p in nd.probes:
        pv = [(1, C.timeval(p.tx))]
        if p.replies:
            pv.append((2, C.u16(len(p.replies))))
        out.append(C.params_bytes(pv))
        for r in p.replies:
            out.append(C.params_bytes([(1, C.timeval(r.rx)),
                                       (2, table.enc(r.mac))]))
    return b''.join(out)


def _probe(cur):
    """(tx, reply count) of a probe, in either layout."""
    if bytes(cur.buf[cur.pos:cur.pos + 3]) == BUGGY_PROBE:
        cur.take(3)
        return cur.timeval(), cur.u16()
    v = C.params(cur, ('timeval', 'u16'))
    return v.get(1, 0.0), v.get(2, 0)


def decode(cur, state):
    table = []

    def addr(c):
        return c.addr(table)
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle),
        'u32', 'string', 'timeval', 'u8', 'u16', 'u8', 'u16', 'u16',
        addr, addr, addr, addr, 'u16'))
    if v.get(12) is None or v.get(13) is None:
        raise WartsError('neighbourdisc without a source MAC or target', at)
    nd = Neighbourdisc(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0),
                       ifname=v.get(4), start=v.get(5, 0.0),
                       method=v.get(6, 0), wait=v.get(7, 0),
                       flags=v.get(8, 0), attempts=v.get(9, 0),
                       replyc=v.get(10, 0), src_ip=v.get(11),
                       src_mac=v[12], dst_ip=v[13], dst_mac=v.get(14))
    for _ in range(v.get(15, 0)):
        tx, rxc = _probe(cur)
        p = NeighbourdiscProbe(tx)
        for _ in range(rxc):
            at = cur.pos
            rv = C.params(cur, ('timeval', addr))
            if 2 not in rv:
                raise WartsError('neighbourdisc reply without a MAC', at)
            p.replies.append(NeighbourdiscReply(rv.get(1, 0.0), rv[2]))
        nd.probes.append(p)
    return nd


register(OBJ_NEIGHBOURDISC, Neighbourdisc, decode, encode)
