"""Warts traceroute objects (type 6), as scamper 20211212 writes and reads
them (scamper/trace/scamper_trace_warts.c; docs/warts-format.md §7).

Body: trace parameters, u16 hop record count, the hop records (replies
ordered by probe TTL), attribute blocks (PMTUD, last-ditch, doubletree),
and a u16 0.  Addresses share one table per object, filled in write order.
"""

from scamperd.trace.json import icmp_objects
from scamperd.trace.result import (FLAG_ICMPCSUMDP, HOP_FLAG_TCP,
                                   HOP_FLAG_UDP, METHOD_NAMES, METHODS,
                                   Trace, TraceDtree, TraceHop, TracePmtud)
from scamperd.trace.text import hops_by_ttl
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import OBJ_TRACE, ref, register

ATTR_PMTUD = 1
ATTR_LASTDITCH = 2
ATTR_DTREE = 3


# --- hops ------------------------------------------------------------------

def _hop_is_icmp(hop):
    return not hop.flags & (HOP_FLAG_TCP | HOP_FLAG_UDP)


def _hop_quotes(hop):
    """SCAMPER_TRACE_HOP_IS_ICMP_Q: an ICMP error quoting the probe."""
    if not _hop_is_icmp(hop) or hop.icmp_type is None:
        return False
    if len(hop.addr) == 4:
        return hop.icmp_type in (3, 11)
    return 1 <= hop.icmp_type <= 3


def _hop_is_ptb(hop):
    if not _hop_is_icmp(hop) or hop.icmp_type is None:
        return False
    if len(hop.addr) == 4:
        return hop.icmp_type == 3 and hop.icmp_code == 4
    return hop.icmp_type == 2


def encode_hop(trace, hop, table):
    v = [(2, C.u8(hop.probe_ttl)), (3, C.u8(hop.reply_ttl or 0)),
         (4, C.u8(hop.flags)), (5, C.u8((hop.probe_id - 1) & 0xff)),
         (6, C.rtt(hop.rtt or 0))]
    icmp = _hop_is_icmp(hop)
    if icmp:
        v.append((7, C.u8(hop.icmp_type or 0) + C.u8(hop.icmp_code or 0)))
    v += [(8, C.u16(hop.probe_size or 0)), (9, C.u16(hop.reply_size or 0))]
    if hop.reply_ipid:
        v.append((10, C.u16(hop.reply_ipid)))
    v.append((11, C.u8(hop.reply_tos or 0)))
    if _hop_is_ptb(hop):
        v.append((12, C.u16(hop.icmp_nhmtu or 0)))
    quotes = _hop_quotes(hop)
    # sic: scamper leaves the quoted length out when it equals the trace's
    # probe size, but reads a missing one as the hop's probe size
    if quotes and (hop.icmp_q_ipl or 0) != trace.probe_size:
        v.append((13, C.u16(hop.icmp_q_ipl or 0)))
    if quotes and hop.icmp_q_ttl != 1:
        v.append((14, C.u8(hop.icmp_q_ttl or 0)))
    if hop.flags & HOP_FLAG_TCP:
        v.append((15, C.u8(hop.tcp_flags or 0)))
    if quotes and len(hop.addr) == 4:
        v.append((16, C.u8(hop.icmp_q_tos or 0)))
    objs = icmp_objects(hop.icmp_ext or b'')
    if objs:
        v.append((17, C.icmpext_bytes(objs)))
    v.append((18, table.enc(hop.addr)))
    if hop.tx and int(hop.tx):
        v.append((19, C.timeval(hop.tx)))
    return C.params_bytes(v)


def icmpext_raw(objs):
    """ICMP extension objects -> the RFC 4884 bytes our model keeps."""
    return b'\x20\0\0\0' + b''.join(
        C.u16(len(d) + 4) + bytes((cn, ct)) + d for cn, ct, d in objs)


# readers of the fields that need the object's context: (address table,
# ReadState)
def _icmpext(cur, ctx):
    return C.icmpext(cur)


HOP = C.Params((
    'gaddr', 'u8', 'u8', 'u8', 'u8', 'rtt', 'u8pair', 'u16', 'u16', 'u16',
    'u8', 'u16', 'u16', 'u8', 'u8', 'u8', _icmpext, 'addr', 'timeval',
    'string'), dict.fromkeys((3, 4, 5, 6, 8, 9, 10, 11), 0))


def decode_hop(cur, table, state):
    start = cur.pos
    v = HOP.read(cur, (table, state))
    addr = v[18] or v[1]
    if addr is None:
        raise WartsError('hop record without an address', start)
    if not v[2]:
        raise WartsError('hop record without a probe TTL', start)
    icmp_type, icmp_code = v[7] or (None, None)
    hop = TraceHop(addr=addr, probe_ttl=v[2], reply_ttl=v[3], flags=v[4],
                   probe_id=(v[5] + 1) & 0xff, rtt=v[6], probe_size=v[8],
                   reply_size=v[9], reply_ipid=v[10], reply_tos=v[11],
                   tx=v[19], icmp_type=icmp_type, icmp_code=icmp_code,
                   icmp_nhmtu=v[12], icmp_q_ipl=v[13], icmp_q_ttl=v[14],
                   icmp_q_tos=v[16], tcp_flags=v[15])
    if v[17] is not None:
        hop.icmp_ext = icmpext_raw(v[17])
    if icmp_type is not None and _hop_quotes(hop):
        if hop.icmp_q_ttl is None:
            hop.icmp_q_ttl = 1
        if hop.icmp_q_ipl is None:
            hop.icmp_q_ipl = hop.probe_size
    return hop


def decode_hops(cur, table, state):
    return [decode_hop(cur, table, state) for _ in range(cur.u16())]


# --- attribute blocks ------------------------------------------------------

def encode_pmtud(trace, p, table):
    v = []
    if p.ifmtu:
        v.append((1, C.u16(p.ifmtu)))
    if p.pmtu:
        v.append((2, C.u16(p.pmtu)))
    if p.outmtu:
        v.append((3, C.u16(p.outmtu)))
    v.append((4, C.u8(p.ver)))
    if p.notes:
        v.append((5, C.u8(len(p.notes))))
    out = C.params_bytes(v) + C.u16(len(p.probes))
    out += b''.join(encode_hop(trace, h, table) for h in p.probes)
    for ntype, nhmtu, hop in p.notes:
        nv = []
        if ntype:
            nv.append((1, C.u8(ntype)))
        if nhmtu:
            nv.append((2, C.u16(nhmtu)))
        if hop is not None:
            idx = next(i for i, h in enumerate(p.probes) if h is hop)
            nv.append((3, C.u16(idx)))
        out += C.params_bytes(nv)
    return out


def decode_pmtud(cur, table, state):
    v = C.params(cur, ('u16', 'u16', 'u16', 'u8', 'u8'))
    p = TracePmtud(ifmtu=v.get(1, 0), outmtu=v.get(3, 0), pmtu=v.get(2, 0))
    p.ver = v.get(4, 1)
    p.probes = decode_hops(cur, table, state)
    for _ in range(v.get(5, 0)):
        at = cur.pos
        n = C.params(cur, ('u8', 'u16', 'u16'))
        hop = None
        if 3 in n:
            if n[3] >= len(p.probes):
                raise WartsError('PMTUD note refers to hop %d of %d'
                                 % (n[3], len(p.probes)), at)
            hop = p.probes[n[3]]
        p.notes.append((n.get(1, 0), n.get(2, 0), hop))
    return p


def encode_dtree(d, table):
    v = [(3, C.u8(d.firsthop))]
    if d.lss_stop is not None:
        v.append((4, table.enc(d.lss_stop)))
    if d.gss_stop is not None:
        v.append((5, table.enc(d.gss_stop)))
    if d.lss is not None:
        v.append((6, C.string(d.lss)))
    if d.flags:
        v.append((7, C.u8(d.flags)))
    return C.params_bytes(v)


def decode_dtree(cur, table, state):
    def gid(c):
        return ref(c, state.gaddr)

    def addr(c):
        return c.addr(table)
    v = C.params(cur, (gid, gid, 'u8', addr, addr, 'string', 'u8'))
    d = TraceDtree(lss=v.get(6), firsthop=v.get(3, 0), flags=v.get(7, 0))
    d.lss_stop = v.get(4) or v.get(1)
    d.gss_stop = v.get(5) or v.get(2)
    return d


def _attr(atype, data):
    if len(data) > 0xfff:
        raise ValueError('trace attribute block of %d bytes' % len(data))
    return C.u16(atype << 12 | len(data)) + data


# --- the trace ---------------------------------------------------------------

def encode(trace, list_id=0, cycle_id=0):
    """The body of a warts trace object."""
    table = C.AddrTable()
    v = [(1, C.u32(list_id)), (2, C.u32(cycle_id)),
         (5, C.timeval(trace.start)), (6, C.u8(trace.stop_reason)),
         (7, C.u8(trace.stop_data))]
    if trace.flags & 0xff:
        v.append((8, C.u8(trace.flags & 0xff)))
    v += [(9, C.u8(trace.attempts)), (10, C.u8(trace.hoplimit)),
          (11, C.u8(METHODS[trace.method])), (12, C.u16(trace.probe_size)),
          (13, C.u16(trace.sport)), (14, C.u16(trace.dport)),
          (15, C.u8(trace.firsthop)), (16, C.u8(trace.tos)),
          (17, C.u8(trace.wait)), (18, C.u8(trace.loops)),
          (19, C.u16(trace.hop_count)), (20, C.u8(trace.gaplimit)),
          (21, C.u8(trace.gapaction)), (22, C.u8(trace.loopaction)),
          (23, C.u16(trace.probe_count)), (24, C.u8(trace.wait_probe)),
          (25, C.u8(trace.confidence))]
    if trace.src is not None:
        v.append((26, table.enc(trace.src)))
    v.append((27, table.enc(trace.dst)))
    if trace.userid:
        v.append((28, C.u32(trace.userid)))
    if trace.offset:
        v.append((29, C.u16(trace.offset)))
    if trace.rtr is not None:
        v.append((30, C.saddr(trace.rtr)))
    if trace.squeries >= 2:
        v.append((31, C.u8(trace.squeries)))
    if trace.flags & ~0xff:
        v.append((32, C.u32(trace.flags)))
    hops = [h for group in hops_by_ttl(trace) for h in group]
    out = [C.params_bytes(v), C.u16(len(hops))]
    out += [encode_hop(trace, h, table) for h in hops]
    if trace.pmtud is not None:
        out.append(_attr(ATTR_PMTUD, encode_pmtud(trace, trace.pmtud, table)))
    if trace.lastditch:
        ld = b'\0' + C.u16(len(trace.lastditch)) + b''.join(
            encode_hop(trace, h, table) for h in trace.lastditch)
        out.append(_attr(ATTR_LASTDITCH, ld))
    if trace.dtree is not None:
        out.append(_attr(ATTR_DTREE, encode_dtree(trace.dtree, table)))
    out.append(C.u16(0))
    return b''.join(out)


TRACE = C.Params((
    'list', 'cycle', 'gaddr', 'gaddr', 'timeval', 'u8', 'u8', 'u8', 'u8', 'u8',
    'u8', 'u16', 'u16', 'u16', 'u8', 'u8', 'u8', 'u8', 'u16', 'u8', 'u8',
    'u8', 'u16', 'u8', 'u8', 'addr', 'addr', 'u32', 'u16', 'saddr', 'u8',
    'u32'), {5: 0.0, **dict.fromkeys(
        (6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 22, 23,
         24, 25, 28, 29), 0)})


def decode(cur, state):
    """A Trace from the body of a warts trace object."""
    table = []
    at = cur.pos
    v = TRACE.read(cur, (table, state))
    dst = v[27] or v[4]
    if dst is None:
        raise WartsError('trace without a destination', at)
    method = METHOD_NAMES.get(v[11])
    if method is None:
        raise WartsError('unknown trace method %d' % v[11], at)
    t = Trace(list=v[1], cycle=v[2], src=v[26] or v[3], dst=dst,
              start=v[5], stop_reason=v[6], stop_data=v[7],
              flags=v[8] if v[32] is None else v[32], attempts=v[9],
              hoplimit=v[10], method=method, probe_size=v[12], sport=v[13],
              dport=v[14], firsthop=v[15] or 1, tos=v[16], wait=v[17],
              loops=v[18], hop_count=v[19], gaplimit=v[20],
              gapaction=v[21], loopaction=v[22], probe_count=v[23],
              wait_probe=v[24], confidence=v[25], userid=v[28],
              offset=v[29], rtr=v[30], squeries=max(v[31] or 1, 1))
    if t.flags & FLAG_ICMPCSUMDP:
        t.icmp_sum = t.dport
    at = cur.pos
    t.hops = decode_hops(cur, table, state)
    max_ttl = max((h.probe_ttl for h in t.hops), default=0)
    if t.hop_count == 0:
        t.hop_count = max_ttl
    elif t.hop_count < max_ttl or t.hop_count > 255:
        raise WartsError('hop count %d with replies to TTL %d'
                         % (t.hop_count, max_ttl), at)
    while True:
        at = cur.pos
        hdr = cur.u16()
        if hdr == 0:
            break
        atype, alen = hdr >> 12, hdr & 0xfff
        end = cur.pos + alen
        if atype == ATTR_PMTUD:
            t.pmtud = decode_pmtud(cur, table, state)
        elif atype == ATTR_LASTDITCH:
            C.params(cur, ())
            t.lastditch = decode_hops(cur, table, state)
        elif atype == ATTR_DTREE:
            t.dtree = decode_dtree(cur, table, state)
        if end > cur.end:
            raise WartsError('attribute block overruns the trace', at)
        cur.pos = end
    return t


register(OBJ_TRACE, Trace, decode, encode)
