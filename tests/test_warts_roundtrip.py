"""Round trip: objects hypothesis makes, with every field warts carries,
written by our writer and read back by our reader, come back equal."""

import io

from hypothesis import given, settings, strategies as st

from scamperd.listcycle import Cycle, ScamperList
from scamperd.ping.result import (FLAG_ICMPSUM, METHODS as PING_METHODS,
                                  Ping, PingReply)
from scamperd.trace.result import (FLAG_ICMPCSUMDP, HOP_FLAG_TCP,
                                   HOP_FLAG_UDP, METHODS as TRACE_METHODS,
                                   Trace, TraceDtree, TraceHop, TracePmtud)
from scamperd.trace.text import hops_by_ttl
from scamperd.warts import file as F
from scamperd.warts.api import WartsWriter
from scamperd.warts.cycle import CycleStop

u8 = st.integers(0, 0xff)
u16 = st.integers(0, 0xffff)
u32 = st.integers(0, 0xffffffff)
# whole microseconds, in the range where a float keeps them exactly
times = st.builds(lambda s, us: s + us / 1000000,
                  st.integers(1, 2 ** 31 - 1), st.integers(0, 999999))
names = st.text(st.characters(blacklist_characters='\0',
                                 blacklist_categories=('Cs',)), max_size=12)


def addrs(family):
    return st.binary(min_size=family, max_size=family)


def maybe(strategy):
    return st.none() | strategy


# --- traces ------------------------------------------------------------------

@st.composite
def hops(draw, family, ttls=st.integers(1, 30)):
    flags = draw(u8)
    h = TraceHop(addr=draw(addrs(family)), probe_ttl=draw(ttls),
                 probe_id=draw(u8), probe_size=draw(u16), rtt=draw(u32),
                 reply_ttl=draw(u8), reply_tos=draw(u8),
                 reply_ipid=draw(u16), reply_size=draw(u16), flags=flags,
                 tx=draw(maybe(times)))
    if flags & HOP_FLAG_TCP:
        h.tcp_flags = draw(u8)
    if not flags & (HOP_FLAG_TCP | HOP_FLAG_UDP):
        h.icmp_type, h.icmp_code = draw(u8), draw(u8)
        t = h.icmp_type
        if (t in (3, 11)) if family == 4 else (1 <= t <= 3):
            h.icmp_q_ttl, h.icmp_q_ipl = draw(u8), draw(u16)
            if family == 4:
                h.icmp_q_tos = draw(u8)
        if (t, h.icmp_code) == (3, 4) if family == 4 else t == 2:
            h.icmp_nhmtu = draw(u16)
        body = draw(st.binary(min_size=4, max_size=24))
        if draw(st.booleans()):
            h.icmp_ext = (b'\x20\0\0\0' + (len(body) + 4).to_bytes(2, 'big')
                          + bytes((draw(u8), draw(u8))) + body)
    return h


@st.composite
def traces(draw):
    family = draw(st.sampled_from((4, 16)))
    t = Trace(method=draw(st.sampled_from(sorted(TRACE_METHODS))),
              src=draw(maybe(addrs(family))), dst=draw(addrs(family)),
              rtr=draw(maybe(addrs(family))), start=draw(times),
              flags=draw(u32), userid=draw(u32), offset=draw(u16))
    for k in ('stop_reason', 'stop_data', 'attempts', 'hoplimit', 'tos',
              'wait', 'loops', 'gaplimit', 'gapaction', 'loopaction',
              'wait_probe', 'confidence'):
        setattr(t, k, draw(u8))
    for k in ('probe_size', 'sport', 'dport', 'probe_count'):
        setattr(t, k, draw(u16))
    t.firsthop = draw(st.integers(1, 255))
    t.squeries = draw(st.integers(1, 255))
    t.icmp_sum = t.dport if t.flags & FLAG_ICMPCSUMDP else 0
    t.hops = draw(st.lists(hops(family), max_size=8))
    t.hop_count = max([draw(st.integers(0, 255))]
                      + [h.probe_ttl for h in t.hops])
    t.hops = [h for g in hops_by_ttl(t) for h in g]     # the order written
    if draw(st.booleans()):
        p = t.pmtud = TracePmtud(ifmtu=draw(u16), outmtu=draw(u16),
                                 pmtu=draw(u16))
        p.ver = draw(u8)
        p.probes = draw(st.lists(hops(family, u8.filter(bool)), max_size=3))
        p.notes = [(draw(u8), draw(u16),
                    draw(st.none() | st.sampled_from(p.probes))
                    if p.probes else None)
                   for _ in range(draw(st.integers(0, 3)))]
    t.lastditch = draw(st.lists(hops(family, u8.filter(bool)), max_size=3))
    for h in all_hops(t):
        # scamper omits a quoted length equal to the trace's probe size and
        # reads a missing one as the hop's: not a value it can keep
        if h.icmp_q_ipl == t.probe_size:
            h.icmp_q_ipl = h.probe_size
    if draw(st.booleans()):
        d = t.dtree = TraceDtree(lss=draw(maybe(names)),
                                 firsthop=draw(u8), flags=draw(u8))
        d.lss_stop = draw(maybe(addrs(family)))
        d.gss_stop = draw(maybe(addrs(family)))
    return t


def all_hops(t):
    return t.hops + t.lastditch + (t.pmtud.probes if t.pmtud else [])


def hop_fields(h):
    return {k: getattr(h, k) for k in TraceHop.__slots__} if h else None


def trace_fields(t):
    d = dict(vars(t))
    d['hops'] = [hop_fields(h) for h in t.hops]
    d['lastditch'] = [hop_fields(h) for h in t.lastditch]
    if t.pmtud is not None:
        p = t.pmtud
        d['pmtud'] = (p.ifmtu, p.outmtu, p.pmtu, p.ver,
                      [hop_fields(h) for h in p.probes],
                      [(a, b, hop_fields(h)) for a, b, h in p.notes])
    if t.dtree is not None:
        d['dtree'] = dict(vars(t.dtree))
    d.pop('payload')                # not in warts
    return d


def roundtrip(obj):
    data = F.encode_object(obj)
    (otype, off, back), = F.read_objects(io.BytesIO(data))
    assert off == 8
    return back


@settings(max_examples=300, deadline=None)
@given(traces())
def test_trace_roundtrip(t):
    back = roundtrip(t)
    assert trace_fields(back) == trace_fields(t)
    assert F.encode_object(back) == F.encode_object(t)


# --- pings -------------------------------------------------------------------

@st.composite
def replies(draw, ping, probe_id):
    family = len(ping.dst)
    icmp_method = ping.method in ('icmp-echo', 'icmp-time')
    icmp = 1 if family == 4 else 58
    flags = draw(u8)
    r = PingReply(addr=draw(addrs(family)), probe_id=probe_id, flags=flags,
                  reply_ttl=draw(u8) if flags & 1 else 0,
                  reply_size=draw(u16), rtt=draw(u32),
                  reply_proto=icmp if icmp_method else draw(
                      st.sampled_from((icmp, 6, 17)) | u8),
                  tx=draw(maybe(times)),
                  tsreply=draw(maybe(st.tuples(u32, u32, u32))))
    if r.reply_proto == icmp:
        r.icmp_type, r.icmp_code = draw(u8), draw(u8)
    if r.reply_proto == 6:
        r.tcp_flags = draw(u8)
    if family == 4:
        r.reply_ipid = draw(u16) if flags & 2 else None
        r.probe_ipid = draw(u16) if flags & 4 else None
        r.reply_ipid32 = draw(u32)
        r.v4rr = draw(maybe(st.lists(addrs(4), max_size=9)))
        if draw(st.booleans()):
            with_ips = draw(st.booleans())
            r.v4ts = [(draw(addrs(4)) if with_ips else None, draw(u32))
                      for _ in range(draw(st.integers(1, 4)))]
    else:
        r.reply_ipid, r.probe_ipid = draw(u16), draw(u16)
        r.reply_ipid32 = draw(u32) if flags & 2 else None
    return r


@st.composite
def pings(draw):
    family = draw(st.sampled_from((4, 16)))
    p = Ping(method=draw(st.sampled_from(sorted(PING_METHODS))),
             src=draw(addrs(family)), dst=draw(addrs(family)),
             rtr=draw(maybe(addrs(family))), start=draw(times),
             flags=draw(u32), userid=draw(u32),
             probe_data=draw(st.binary(max_size=20)),
             probe_wait=draw(u8) + draw(st.integers(0, 999999)) / 1000000,
             probe_timeout=draw(u8),
             probe_tsps=draw(st.lists(addrs(family), max_size=4)),
             probe_tcpseq=draw(u32), probe_tcpack=draw(u32),
             ping_sent=draw(st.integers(0, 5)))
    for k in ('stop_reason', 'stop_data', 'probe_ttl', 'probe_tos'):
        setattr(p, k, draw(u8))
    for k in ('probe_count', 'probe_size', 'reply_count', 'probe_sport',
              'probe_dport', 'reply_pmtu'):
        setattr(p, k, draw(u16))
    p.probe_datalen = len(p.probe_data)
    p.probe_icmpsum = draw(u16) if p.flags & FLAG_ICMPSUM else 0
    p.replies = [draw(st.lists(replies(p, i), max_size=2))
                 for i in range(p.ping_sent)]
    return p


def ping_fields(p):
    d = dict(vars(p))
    d['replies'] = [[{k: getattr(r, k) for k in PingReply.__slots__}
                     for r in rs] for rs in p.replies]
    return d


@settings(max_examples=300, deadline=None)
@given(pings())
def test_ping_roundtrip(p):
    back = roundtrip(p)
    assert ping_fields(back) == ping_fields(p)
    assert F.encode_object(back) == F.encode_object(p)


# --- lists and cycles --------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(u32, names, maybe(names), maybe(names), u32,
                          st.integers(0, 2 ** 31), maybe(names)),
                min_size=1, max_size=3), pings())
def test_lists_and_cycles_roundtrip(defs, ping):
    out = io.BytesIO()
    w = WartsWriter(out)
    written = []
    for lid, name, descr, monitor, cid, start, host in defs:
        lst = ScamperList(id=lid, name=name, descr=descr, monitor=monitor)
        cycle = Cycle(lst, id=cid, start=start, hostname=host)
        ping.list, ping.cycle = lst, cycle
        w.write(cycle)
        w.write(ping)
        w.write(CycleStop(cycle, start + 1))
        written.append((lst, cycle))
    w.close()
    objs = [o for _, _, o in F.read_objects(io.BytesIO(out.getvalue()))]
    assert len(objs) == 4 * len(defs)
    for i, (lst, cycle) in enumerate(written):
        rl, rc, rp, rs = objs[4 * i:4 * i + 4]
        assert vars(rl) == vars(lst)
        assert (rc.id, rc.start, rc.stop, rc.hostname) == \
            (cycle.id, cycle.start, 0, cycle.hostname)
        assert rc.list is rl and rp.list is rl and rp.cycle is rc
        assert rs.cycle is rc and rs.stop == cycle.start + 1


def test_quoted_length_as_scamper_keeps_it():
    """The writer leaves out a quoted length equal to the trace's probe
    size; the reader fills a missing one with the hop's probe size (so a
    PMTUD hop quoting the trace's size reads back as its own)."""
    t = Trace(method='udp-paris', src=bytes(4), dst=bytes([192, 0, 2, 9]),
              probe_size=44, hop_count=1)
    big = TraceHop(addr=t.dst, probe_ttl=1, probe_id=1, probe_size=1500,
                   icmp_type=3, icmp_code=4, icmp_q_ipl=1500, icmp_q_ttl=1,
                   icmp_q_tos=0, icmp_nhmtu=1400)
    odd = TraceHop(addr=t.dst, probe_ttl=1, probe_id=1, probe_size=1400,
                   icmp_type=11, icmp_code=0, icmp_q_ipl=44, icmp_q_ttl=1,
                   icmp_q_tos=0)
    t.pmtud = TracePmtud(ifmtu=1500)
    t.pmtud.probes = [big, odd]
    back = roundtrip(t).pmtud.probes
    assert [h.icmp_q_ipl for h in back] == [1500, 1400]
