"""Warts ping objects (type 7), as scamper 20211212 writes and reads them
(scamper/ping/scamper_ping_warts.c; docs/warts-format.md §8).

Body: ping parameters, u16 reply count, the replies (probes in order,
each probe's replies in arrival order).  The 2021 writer always writes a
few fields that newer scamper leaves out (the stop count; for an IPv4
ping the 32-bit reply IP-ID; for an IPv6 ping the 16-bit IP-IDs); we
write what it writes.
"""

import struct

from scamperd.ping.result import (FLAG_ICMPSUM, METHOD_NAMES, METHODS, Ping,
                                  PingReply, REPLY_FLAG_PROBE_IPID,
                                  REPLY_FLAG_REPLY_IPID, REPLY_FLAG_REPLY_TTL)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import OBJ_PING, ref, register

ICMP_METHODS = (METHODS['icmp-echo'], METHODS['icmp-time'])


def _is_icmp(reply):
    return reply.reply_proto == (1 if len(reply.addr) == 4 else 58)


# The reply of most pings: an ICMP echo or timestamp reply to an IPv4 ICMP
# ping, with the TTL and both IP-IDs and no options, written with one
# layout (fields 2-9, 12, 15 and 16) instead of field by field.
_V4_ICMP_FLAGS = (REPLY_FLAG_REPLY_TTL | REPLY_FLAG_REPLY_IPID
                  | REPLY_FLAG_PROBE_IPID)
_V4_ICMP_HEAD = C.flags_bytes((2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16))
_V4_ICMP_A = struct.Struct('>BBHBBIHHH')
_V4_ICMP_B = struct.Struct('>III')


def encode_reply(ping, r, table):
    if (r.flags == _V4_ICMP_FLAGS and r.reply_proto == 1
            and r.v4rr is None and r.v4ts is None and r.tsreply is None
            and len(r.addr) == 4 and len(ping.dst) == 4 and r.tx
            and int(r.tx) and METHODS[ping.method] in ICMP_METHODS):
        sec, usec = divmod(round(r.tx * 1000000), 1000000)
        data = (_V4_ICMP_A.pack(
            r.flags, r.reply_ttl or 0, r.reply_size or 0, r.icmp_type or 0,
            r.icmp_code or 0, (r.rtt or 0) & 0xffffffff, r.probe_id,
            r.reply_ipid or 0, r.probe_ipid or 0) + table.enc(r.addr)
            + _V4_ICMP_B.pack(r.reply_ipid32 or 0, sec, usec))
        return _V4_ICMP_HEAD + C.U16.pack(len(data)) + data
    return encode_reply_fields(ping, r, table)


def encode_reply_fields(ping, r, table):
    """A reply's parameter block, field by field (any reply)."""
    v4 = len(ping.dst) == 4
    v = []
    if r.flags:
        v.append((2, C.u8(r.flags)))
    if r.flags & REPLY_FLAG_REPLY_TTL:
        v.append((3, C.u8(r.reply_ttl or 0)))
    v.append((4, C.u16(r.reply_size or 0)))
    if _is_icmp(r):
        v.append((5, C.u8(r.icmp_type or 0) + C.u8(r.icmp_code or 0)))
    v += [(6, C.rtt(r.rtt or 0)), (7, C.u16(r.probe_id))]
    if not v4 or r.flags & REPLY_FLAG_REPLY_IPID:
        v.append((8, C.u16(r.reply_ipid or 0)))
    if not v4 or r.flags & REPLY_FLAG_PROBE_IPID:
        v.append((9, C.u16(r.probe_ipid or 0)))
    if METHODS[ping.method] not in ICMP_METHODS:
        v.append((10, C.u8(r.reply_proto or 0)))
    if r.reply_proto == 6:
        v.append((11, C.u8(r.tcp_flags or 0)))
    v.append((12, table.enc(r.addr)))
    if r.v4rr is not None:
        v.append((13, C.u8(len(r.v4rr))
                  + b''.join(table.enc(a) for a in r.v4rr)))
    if r.v4ts is not None:
        ips = [a for a, _ in r.v4ts if a is not None]
        data = C.u8(len(r.v4ts)) + C.u8(len(r.v4ts) if ips else 0)
        data += b''.join(C.u32(ts) for _, ts in r.v4ts)
        data += b''.join(table.enc(a) for a in ips)
        v.append((14, data))
    if v4 or r.flags & REPLY_FLAG_REPLY_IPID:
        v.append((15, C.u32(r.reply_ipid32 or 0)))
    if r.tx and int(r.tx):
        v.append((16, C.timeval(r.tx)))
    if r.tsreply is not None:
        v.append((17, b''.join(C.u32(x) for x in r.tsreply)))
    return C.params_bytes(v)


# readers of the fields that need the object's context: (address table,
# ReadState, [payload length])
def _v4rr(cur, ctx):
    return [cur.addr(ctx[0]) for _ in range(cur.u8())]


def _v4ts(cur, ctx):
    p = cur.pos
    tsc, ipc = cur.u8(), cur.u8()
    if ipc not in (0, tsc):
        raise WartsError('%d timestamps with %d addresses' % (tsc, ipc), p)
    tss = [cur.u32() for _ in range(tsc)]
    ips = [cur.addr(ctx[0]) for _ in range(ipc)] or [None] * tsc
    return list(zip(ips, tss))


def _tsreply(cur, ctx):
    return cur.u32(), cur.u32(), cur.u32()


REPLY = C.Params((
    'gaddr', 'u8', 'u8', 'u16', 'u8pair', 'rtt', 'u16', 'u16', 'u16', 'u8',
    'u8', 'addr', _v4rr, _v4ts, 'u32', 'timeval', _tsreply),
    dict.fromkeys((2, 3, 4, 6, 7), 0))


def decode_reply(cur, ping, table, state):
    at = cur.pos
    v = REPLY.read(cur, (table, state))
    addr = v[12] or v[1]
    if addr is None:
        raise WartsError('ping reply without an address', at)
    icmp_type, icmp_code = v[5] or (None, None)
    r = PingReply(addr=addr, flags=v[2], reply_ttl=v[3], reply_size=v[4],
                  rtt=v[6], probe_id=v[7], reply_ipid=v[8], probe_ipid=v[9],
                  reply_proto=v[10] if v[10] is not None else (
                      1 if len(ping.dst) == 4 else 58),
                  tcp_flags=v[11], v4rr=v[13], v4ts=v[14],
                  reply_ipid32=v[15], tx=v[16], tsreply=v[17],
                  icmp_type=icmp_type, icmp_code=icmp_code)
    if r.probe_id >= len(ping.replies):
        raise WartsError('reply to probe %d of %d' % (r.probe_id,
                                                      len(ping.replies)), at)
    return r


_ALWAYS_A = struct.Struct('>IIBB')       # fields 5, 6, 7
_ALWAYS_B = struct.Struct('>HHBBHH')     # fields 10 to 15
U16, U32 = C.U16.pack, C.U32.pack


def encode(ping, list_id=0, cycle_id=0):
    """The body of a warts ping object."""
    table = C.AddrTable()
    method = METHODS[ping.method]
    wait, wait_us = divmod(round(ping.probe_wait * 1000000), 1000000)
    ids, v = [], []             # field numbers, and their values
    if list_id:
        ids.append(1)
        v.append(U32(list_id))
    if cycle_id:
        ids.append(2)
        v.append(U32(cycle_id))
    sec, usec = divmod(round(ping.start * 1000000), 1000000)
    ids += (5, 6, 7)
    v.append(_ALWAYS_A.pack(sec, usec, ping.stop_reason, ping.stop_data))
    if ping.probe_data:
        ids += (8, 9)
        v.append(U16(len(ping.probe_data)) + bytes(ping.probe_data))
    ids += (10, 11, 12, 13, 14, 15)
    v.append(_ALWAYS_B.pack(ping.probe_count, ping.probe_size, wait,
                            ping.probe_ttl, ping.reply_count, ping.ping_sent))
    if method:
        ids.append(16)
        v.append(bytes((method,)))
    if ping.probe_sport:
        ids.append(17)
        v.append(U16(ping.probe_sport))
    if ping.probe_dport:
        ids.append(18)
        v.append(U16(ping.probe_dport))
    if ping.userid:
        ids.append(19)
        v.append(U32(ping.userid))
    if ping.src is not None:
        ids.append(20)
        v.append(table.enc(ping.src))
    ids.append(21)
    v.append(table.enc(ping.dst))
    flags = ping.flags
    if flags & 0xff:
        ids.append(22)
        v.append(bytes((flags & 0xff,)))
    if ping.probe_tos:
        ids.append(23)
        v.append(bytes((ping.probe_tos,)))
    if ping.probe_tsps:
        ids.append(24)
        v.append(bytes((len(ping.probe_tsps),))
                 + b''.join(table.enc(a) for a in ping.probe_tsps))
    if ping.probe_icmpsum and flags & FLAG_ICMPSUM:
        ids.append(25)
        v.append(U16(ping.probe_icmpsum))
    if ping.reply_pmtu:
        ids.append(26)
        v.append(U16(ping.reply_pmtu))
    if int(ping.probe_timeout) != wait:
        ids.append(27)
        v.append(bytes((int(ping.probe_timeout),)))
    if wait_us:
        ids.append(28)
        v.append(U32(wait_us))
    if ping.probe_tcpack:
        ids.append(29)
        v.append(U32(ping.probe_tcpack))
    if flags & ~0xff:
        ids.append(30)
        v.append(U32(flags))
    if ping.probe_tcpseq:
        ids.append(31)
        v.append(U32(ping.probe_tcpseq))
    if ping.rtr is not None:
        ids.append(32)
        v.append(C.saddr(ping.rtr))
    replies = [r for rs in ping.replies[:ping.ping_sent] for r in rs]
    out = [C.params_from(ids, v), U16(len(replies))]
    out += [encode_reply(ping, r, table) for r in replies]
    return b''.join(out)


def _tsps(cur, ctx):
    return [cur.addr(ctx[0]) for _ in range(cur.u8())]


def _datalen(cur, ctx):
    """Field 8, the length of field 9 (kept in ctx[2])."""
    ctx[2][0] = cur.u16()
    return ctx[2][0]


def _data(cur, ctx):
    return cur.bytes(ctx[2][0])


PING = C.Params((
    'list', 'cycle', 'gaddr', 'gaddr', 'timeval', 'u8', 'u8', _datalen, _data,
    'u16', 'u16', 'u8', 'u8', 'u16', 'u16', 'u8', 'u16', 'u16', 'u32',
    'addr', 'addr', 'u8', 'u8', _tsps, 'u16', 'u16', 'u8', 'u32', 'u32',
    'u32', 'u32', 'saddr'), {5: 0.0, 9: b'', **dict.fromkeys(
        (6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 22, 23, 25, 26, 28,
         29, 31), 0)})


def decode(cur, state):
    """A Ping from the body of a warts ping object."""
    table = []
    at = cur.pos
    v = PING.read(cur, (table, state, [0]))
    src, dst = v[20] or v[3], v[21] or v[4]
    if src is None or dst is None:
        raise WartsError('ping without a source or destination', at)
    method = METHOD_NAMES.get(v[16])
    if method is None:
        raise WartsError('unknown ping method %d' % v[16], at)
    wait = v[12]
    p = Ping(list=v[1], cycle=v[2], src=src, dst=dst, start=v[5],
             stop_reason=v[6], stop_data=v[7], probe_data=v[9],
             probe_count=v[10], probe_size=v[11],
             probe_wait=wait + v[28] / 1000000, probe_ttl=v[13],
             reply_count=v[14], ping_sent=v[15], method=method,
             probe_sport=v[17], probe_dport=v[18], userid=v[19],
             flags=v[22] if v[30] is None else v[30], probe_tos=v[23],
             probe_tsps=v[24] if v[24] is not None else [],
             probe_icmpsum=v[25], reply_pmtu=v[26],
             probe_timeout=wait if v[27] is None else v[27],
             probe_tcpack=v[29], probe_tcpseq=v[31], rtr=v[32])
    p.probe_datalen = len(p.probe_data)
    p.replies = [[] for _ in range(p.ping_sent)]
    for _ in range(cur.u16()):
        r = decode_reply(cur, p, table, state)
        p.replies[r.probe_id].append(r)
    return p


register(OBJ_PING, Ping, decode, encode)
