"""Warts ping objects (type 7), as scamper 20211212 writes and reads them
(scamper/ping/scamper_ping_warts.c; docs/warts-format.md §8).

Body: ping parameters, u16 reply count, the replies (probes in order,
each probe's replies in arrival order).  The 2021 writer always writes a
few fields that newer scamper leaves out (the stop count; for an IPv4
ping the 32-bit reply IP-ID; for an IPv6 ping the 16-bit IP-IDs); we
write what it writes.
"""

from scamperd.ping.result import (FLAG_ICMPSUM, METHOD_NAMES, METHODS, Ping,
                                  PingReply, REPLY_FLAG_PROBE_IPID,
                                  REPLY_FLAG_REPLY_IPID, REPLY_FLAG_REPLY_TTL)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import OBJ_PING, ref, register
from scamperd.warts.file import ctx_cycle as _cycle, ctx_gaddr as _gid, \
    ctx_list as _list

ICMP_METHODS = (METHODS['icmp-echo'], METHODS['icmp-time'])


def _is_icmp(reply):
    return reply.reply_proto == (1 if len(reply.addr) == 4 else 58)


def encode_reply(ping, r, table):
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
    _gid, 'u8', 'u8', 'u16', 'u8pair', 'rtt', 'u16', 'u16', 'u16', 'u8',
    'u8', 'addr', _v4rr, _v4ts, 'u32', 'timeval', _tsreply))


def decode_reply(cur, ping, table, state):
    at = cur.pos
    v = REPLY.read(cur, (table, state))
    get = v.get
    addr = get(12) or get(1)
    if addr is None:
        raise WartsError('ping reply without an address', at)
    icmp_type, icmp_code = get(5, (None, None))
    r = PingReply(addr=addr, flags=get(2, 0), reply_ttl=get(3, 0),
                  reply_size=get(4, 0), rtt=get(6, 0),
                  probe_id=get(7, 0), reply_ipid=get(8),
                  probe_ipid=get(9),
                  reply_proto=get(10, 1 if len(ping.dst) == 4 else 58),
                  tcp_flags=get(11), v4rr=get(13), v4ts=get(14),
                  reply_ipid32=get(15), tx=get(16), tsreply=get(17),
                  icmp_type=icmp_type, icmp_code=icmp_code)
    if r.probe_id >= len(ping.replies):
        raise WartsError('reply to probe %d of %d' % (r.probe_id,
                                                      len(ping.replies)), at)
    return r


def encode(ping, list_id=0, cycle_id=0):
    """The body of a warts ping object."""
    table = C.AddrTable()
    method = METHODS[ping.method]
    wait, wait_us = divmod(round(ping.probe_wait * 1000000), 1000000)
    v = C.id_params(list_id, cycle_id)
    v += [(5, C.timeval(ping.start)), (6, C.u8(ping.stop_reason)),
          (7, C.u8(ping.stop_data))]
    if ping.probe_data:
        v += [(8, C.u16(len(ping.probe_data))), (9, bytes(ping.probe_data))]
    v += [(10, C.u16(ping.probe_count)), (11, C.u16(ping.probe_size)),
          (12, C.u8(wait)), (13, C.u8(ping.probe_ttl)),
          (14, C.u16(ping.reply_count)), (15, C.u16(ping.ping_sent))]
    if method:
        v.append((16, C.u8(method)))
    if ping.probe_sport:
        v.append((17, C.u16(ping.probe_sport)))
    if ping.probe_dport:
        v.append((18, C.u16(ping.probe_dport)))
    if ping.userid:
        v.append((19, C.u32(ping.userid)))
    if ping.src is not None:
        v.append((20, table.enc(ping.src)))
    v.append((21, table.enc(ping.dst)))
    if ping.flags & 0xff:
        v.append((22, C.u8(ping.flags & 0xff)))
    if ping.probe_tos:
        v.append((23, C.u8(ping.probe_tos)))
    if ping.probe_tsps:
        v.append((24, C.u8(len(ping.probe_tsps))
                  + b''.join(table.enc(a) for a in ping.probe_tsps)))
    if ping.probe_icmpsum and ping.flags & FLAG_ICMPSUM:
        v.append((25, C.u16(ping.probe_icmpsum)))
    if ping.reply_pmtu:
        v.append((26, C.u16(ping.reply_pmtu)))
    if int(ping.probe_timeout) != wait:
        v.append((27, C.u8(int(ping.probe_timeout))))
    if wait_us:
        v.append((28, C.u32(wait_us)))
    if ping.probe_tcpack:
        v.append((29, C.u32(ping.probe_tcpack)))
    if ping.flags & ~0xff:
        v.append((30, C.u32(ping.flags)))
    if ping.probe_tcpseq:
        v.append((31, C.u32(ping.probe_tcpseq)))
    if ping.rtr is not None:
        v.append((32, C.saddr(ping.rtr)))
    replies = [r for rs in ping.replies[:ping.ping_sent] for r in rs]
    out = [C.params_bytes(v), C.u16(len(replies))]
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
    _list, _cycle, _gid, _gid, 'timeval', 'u8', 'u8', _datalen, _data,
    'u16', 'u16', 'u8', 'u8', 'u16', 'u16', 'u8', 'u16', 'u16', 'u32',
    'addr', 'addr', 'u8', 'u8', _tsps, 'u16', 'u16', 'u8', 'u32', 'u32',
    'u32', 'u32', 'saddr'))


def decode(cur, state):
    """A Ping from the body of a warts ping object."""
    table = []
    at = cur.pos
    v = PING.read(cur, (table, state, [0]))
    src, dst = v.get(20) or v.get(3), v.get(21) or v.get(4)
    if src is None or dst is None:
        raise WartsError('ping without a source or destination', at)
    method = METHOD_NAMES.get(v.get(16, 0))
    if method is None:
        raise WartsError('unknown ping method %d' % v.get(16), at)
    wait = v.get(12, 0)
    p = Ping(list=v.get(1), cycle=v.get(2), src=src, dst=dst,
             start=v.get(5, 0.0), stop_reason=v.get(6, 0),
             stop_data=v.get(7, 0), probe_data=v.get(9, b''),
             probe_count=v.get(10, 0), probe_size=v.get(11, 0),
             probe_wait=wait + v.get(28, 0) / 1000000,
             probe_ttl=v.get(13, 0), reply_count=v.get(14, 0),
             ping_sent=v.get(15, 0), method=method,
             probe_sport=v.get(17, 0), probe_dport=v.get(18, 0),
             userid=v.get(19, 0), flags=v.get(30, v.get(22, 0)),
             probe_tos=v.get(23, 0), probe_tsps=v.get(24, []),
             probe_icmpsum=v.get(25, 0), reply_pmtu=v.get(26, 0),
             probe_timeout=v.get(27, wait), probe_tcpack=v.get(29, 0),
             probe_tcpseq=v.get(31, 0), rtr=v.get(32))
    p.probe_datalen = len(p.probe_data)
    p.replies = [[] for _ in range(p.ping_sent)]
    for _ in range(cur.u16()):
        r = decode_reply(cur, p, table, state)
        p.replies[r.probe_id].append(r)
    return p


register(OBJ_PING, Ping, decode, encode)
