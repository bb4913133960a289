"""Result objects with the names of scamper's Python module (ScamperPing,
ScamperTrace, ...), each a thin view of one of our result objects
(scamperd/<cmd>/result.py): addresses become ScamperAddr, times datetime,
durations timedelta.  ``obj.raw`` is the underlying object; attributes
not named here are looked up on it."""

import datetime
import enum
import ipaddress

from scamperd import listcycle
from scamperd.warts import file as F
from scamperd.warts.cycle import CycleStop


def _when(t):
    return None if not t else datetime.datetime.fromtimestamp(t)


def _us(v):
    return None if v is None else datetime.timedelta(microseconds=v)


def _secs(v):
    return datetime.timedelta(seconds=v)


def _addr(a):
    return None if a is None else ScamperAddr(a)


class ScamperAddr:
    """An IPv4 or IPv6 address, from text or packed bytes."""

    def __init__(self, addr):
        if isinstance(addr, ScamperAddr):
            addr = addr._ip.packed
        try:
            self._ip = ipaddress.ip_address(addr)
        except ValueError:
            raise ValueError('invalid address: %r' % (addr,)) from None

    @property
    def packed(self):
        return self._ip.packed

    def __str__(self):
        return str(self._ip)

    def __repr__(self):
        return 'ScamperAddr(%r)' % str(self._ip)

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = ScamperAddr(other)
            except ValueError:
                return False
        return isinstance(other, ScamperAddr) and self._ip == other._ip

    def __lt__(self, other):
        other = ScamperAddr(other)
        return (self._ip.version, self._ip.packed) < (other._ip.version,
                                                      other._ip.packed)

    def __hash__(self):
        return hash(self._ip)

    def is_ipv4(self):
        return self._ip.version == 4

    def is_ipv6(self):
        return self._ip.version == 6

    def is_linklocal(self):
        return self._ip.is_link_local

    def is_rfc1918(self):
        return self._ip.version == 4 and any(
            self._ip in ipaddress.ip_network(n)
            for n in ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'))

    def is_reserved(self):
        return not self._ip.is_global

    def is_unicast(self):
        return not (self._ip.is_multicast or self._ip.is_unspecified)

    def is_6to4(self):
        return self._ip.version == 6 and self._ip.sixtofour is not None


class ScamperList:
    def __init__(self, raw):
        self.raw = raw

    id = property(lambda self: self.raw.id)
    name = property(lambda self: self.raw.name)
    descr = property(lambda self: self.raw.descr)
    monitor = property(lambda self: self.raw.monitor)

    def __eq__(self, other):
        return isinstance(other, ScamperList) and vars(self.raw) == vars(
            other.raw)


class ScamperCycle:
    """A cycle start (or definition), or a cycle stop (``stop`` set)."""

    def __init__(self, raw):
        self.raw = raw      # a Cycle, or a CycleStop

    def _cycle(self):
        return self.raw.cycle if isinstance(self.raw, CycleStop) else self.raw

    id = property(lambda self: self._cycle().id)
    start = property(lambda self: _when(self._cycle().start))
    hostname = property(lambda self: self._cycle().hostname)

    @property
    def stop(self):
        return _when(self.raw.stop)


class _Result:
    """What every measurement result has."""

    def __init__(self, raw, inst=None):
        self.raw = raw
        self._inst = inst

    def __getattr__(self, name):
        if name.startswith('_') or name == 'raw':
            raise AttributeError(name)
        return getattr(self.raw, name)

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self.to_json())

    @property
    def inst(self):
        return self._inst

    @property
    def list(self):
        lst = self.raw.list
        return None if lst is None else ScamperList(lst)

    @property
    def cycle(self):
        cyc = self.raw.cycle
        return None if cyc is None else ScamperCycle(cyc)

    src = property(lambda self: _addr(getattr(self.raw, 'src', None)))
    dst = property(lambda self: _addr(getattr(self.raw, 'dst', None)))
    rtr = property(lambda self: _addr(getattr(self.raw, 'rtr', None)))
    userid = property(lambda self: self.raw.userid)
    start = property(lambda self: _when(self.raw.start))
    errmsg = property(lambda self: getattr(self.raw, 'error', None))

    STOP = None     # the stop-reason enum of the type, if it has one

    @property
    def stop_reason(self):
        return self.raw.stop_reason if self.STOP is None else \
            self.STOP(self.raw.stop_reason)

    @property
    def stop_reason_str(self):
        return self.stop_reason.name.lower()

    def to_json(self):
        return self.raw.to_json()

    def to_text(self):
        return self.raw.to_text()

    # probe protocol, from the method's name
    def is_icmp(self):
        return self.raw.method.startswith('icmp')

    def is_tcp(self):
        return self.raw.method.startswith('tcp')

    def is_udp(self):
        return self.raw.method.startswith('udp')


# -- ping ---------------------------------------------------------------------

class ScamperPingStop(enum.IntEnum):
    NoReason = 0
    Completed = 1
    Error = 2
    Halted = 3
    InProgress = 4


class ScamperPingReply:
    def __init__(self, raw, probe, ping):
        self.raw = raw
        self._probe = probe
        self._ping = ping

    def __getattr__(self, name):
        if name.startswith('_') or name == 'raw':
            raise AttributeError(name)
        return getattr(self.raw, name)

    src = property(lambda self: _addr(self.raw.addr))
    rtt = property(lambda self: _us(self.raw.rtt))
    attempt = property(lambda self: self._probe)
    reply_ipid = property(lambda self: self.raw.reply_ipid)

    @property
    def tx(self):
        t = self.raw.tx
        if t is None and self._probe < len(self._ping.probes):
            t = self._ping.probes[self._probe]
        return _when(t)

    @property
    def rx(self):
        tx = self.tx
        return None if tx is None else tx + self.rtt

    def is_from_target(self):
        return self.raw.addr == self._ping.dst

    def is_icmp(self):
        return self.raw.reply_proto in (1, 58)

    def is_tcp(self):
        return self.raw.reply_proto == 6

    def is_udp(self):
        return self.raw.reply_proto == 17

    def _icmp(self, v4, v6):
        t = self.raw.icmp_type
        return self.is_icmp() and t == (v4 if len(self.raw.addr) == 4
                                        else v6)

    def is_icmp_echo_reply(self):
        return self._icmp(0, 129)

    def is_icmp_unreach(self):
        return self._icmp(3, 1)

    def is_icmp_unreach_port(self):
        return self.is_icmp_unreach() and self.raw.icmp_code == (
            3 if len(self.raw.addr) == 4 else 4)

    def is_icmp_ttl_exp(self):
        return self._icmp(11, 3)

    def is_icmp_tsreply(self):
        return self._icmp(14, -1)

    def is_icmp_ptb(self):
        return self._icmp(-1, 2) or (self._icmp(3, -1)
                                     and self.raw.icmp_code == 4)


class ScamperPing(_Result):
    STOP = ScamperPingStop

    def __iter__(self):
        return self.replies()

    attempts = property(lambda self: self.raw.probe_count)
    probe_count = property(lambda self: self.raw.ping_sent)
    probe_size = property(lambda self: self.raw.probe_size)
    probe_ttl = property(lambda self: self.raw.probe_ttl)
    probe_tos = property(lambda self: self.raw.probe_tos)
    probe_sport = property(lambda self: self.raw.probe_sport)
    probe_dport = property(lambda self: self.raw.probe_dport)
    probe_icmp_sum = property(lambda self: self.raw.probe_icmpsum)
    probe_tcp_seq = property(lambda self: self.raw.probe_tcpseq)
    probe_tcp_ack = property(lambda self: self.raw.probe_tcpack)
    payload = property(lambda self: self.raw.probe_data or None)
    stop_count = property(lambda self: self.raw.reply_count)
    reply_pmtu = property(lambda self: self.raw.reply_pmtu)
    wait_probe = property(lambda self: _secs(self.raw.probe_wait))
    wait_timeout = property(lambda self: _secs(self.raw.probe_timeout))

    def is_icmp_time(self):
        return self.raw.method == 'icmp-time'

    def is_tcp_ack_sport(self):
        return self.raw.method == 'tcp-ack-sport'

    def reply(self, i):
        """The first reply to probe i (from 0), or None."""
        replies = self.raw.replies
        if 0 <= i < len(replies) and replies[i]:
            return ScamperPingReply(replies[i][0], i, self.raw)
        return None

    def replies(self):
        """The first reply to each probe that got one."""
        for i in range(len(self.raw.replies)):
            r = self.reply(i)
            if r is not None:
                yield r

    def _stats(self):
        from scamperd.ping import text
        return text.stats(self.raw)

    nreplies = property(lambda self: self._stats()[0])
    ndups = property(lambda self: self._stats()[1])
    nloss = property(lambda self: self.raw.ping_sent - self._stats()[0])
    nerrs = property(lambda self: 0)

    def _rtt(self, k):
        s = self._stats()
        return _us(s[k]) if s[0] else None

    min_rtt = property(lambda self: self._rtt(2))
    avg_rtt = property(lambda self: self._rtt(3))
    max_rtt = property(lambda self: self._rtt(4))
    stddev_rtt = property(lambda self: self._rtt(5))


# -- trace --------------------------------------------------------------------

class ScamperTraceStop(enum.IntEnum):
    NoReason = 0
    Completed = 1
    Unreach = 2
    Icmp = 3
    Loop = 4
    GapLimit = 5
    Error = 6
    HopLimit = 7
    GSS = 8
    Halted = 9
    InProgress = 10


_TRACE_STOPS = {s.name.lower() for s in ScamperTraceStop}


class ScamperTraceHop(ScamperPingReply):
    def __init__(self, raw):
        self.raw = raw

    attempt = property(lambda self: self.raw.probe_id)
    tx = property(lambda self: _when(self.raw.tx))
    name = property(lambda self: None)

    def is_icmp(self):
        return self.raw.icmp_type is not None

    def is_tcp(self):
        return self.raw.tcp_flags is not None

    def is_icmp_q(self):
        return self.raw.icmp_q_ttl is not None

    def is_from_target(self):
        raise AttributeError('is_from_target')


class ScamperTrace(_Result):
    STOP = ScamperTraceStop

    hop_count = property(lambda self: self.raw.hop_count)
    stop_hop = property(lambda self: self.raw.hop_count)
    probe_sport = property(lambda self: self.raw.sport)
    probe_dport = property(lambda self: self.raw.dport)
    probe_icmp_sum = property(lambda self: self.raw.icmp_sum)
    wait_timeout = property(lambda self: _secs(self.raw.wait))
    wait_probe = property(
        lambda self: datetime.timedelta(milliseconds=10 * self.raw.wait_probe))
    payload = property(lambda self: self.raw.payload or None)

    def hop(self, i):
        """The first reply at distance i + 1 (i from 0), or None."""
        if not isinstance(i, int) or not 0 <= i < 255:
            raise ValueError('invalid hop index: %r' % (i,))
        for h in self.raw.hops:
            if h.probe_ttl == i + 1:
                return ScamperTraceHop(h)
        return None

    def hops(self):
        """For each distance up to stop_hop: its first reply, or None."""
        first = {}
        for h in self.raw.hops:
            first.setdefault(h.probe_ttl, h)
        for ttl in range(1, self.stop_hop + 1):
            h = first.get(ttl)
            yield None if h is None else ScamperTraceHop(h)

    def addrs(self, reserved=True):
        return {h.src for h in self.hops() if h is not None
                and (reserved or not h.src.is_reserved())}

    def __getattr__(self, name):
        want = name[8:]
        if name.startswith('is_stop_') and want in _TRACE_STOPS:
            return lambda: self.stop_reason.name.lower() == want
        return super().__getattr__(name)


# -- the others: the underlying fields, plus the common names ----------------

class ScamperTracelb(_Result):
    pass


class ScamperDealias(_Result):
    pass


class ScamperNeighbourdisc(_Result):
    pass


class ScamperTbit(_Result):
    pass


class ScamperSting(_Result):
    pass


class ScamperSniff(_Result):
    limit_pkt_count = property(lambda self: self.raw.limit_pktc)
    limit_time = property(lambda self: _secs(self.raw.limit_time))
    icmp_id = property(lambda self: self.raw.icmpid)
    pkt_count = property(lambda self: len(self.raw.pkts))
    finish = property(lambda self: _when(self.raw.finish))

    def __iter__(self):
        return iter(self.raw.pkts)

    def pkt(self, i=0):
        return self.raw.pkts[i] if 0 <= i < len(self.raw.pkts) else None


class ScamperHost(_Result):
    pass


class ScamperHttp(_Result):
    pass


class ScamperUdpprobe(_Result):
    pass


class ScamperOwamp(_Result):
    pass


# warts object type -> the class that shows it
WRAPPERS = {
    F.OBJ_TRACE: ScamperTrace, F.OBJ_PING: ScamperPing, 8: ScamperTracelb,
    9: ScamperDealias, 10: ScamperNeighbourdisc, 11: ScamperTbit,
    12: ScamperSting, 13: ScamperSniff, 14: ScamperHost, 15: ScamperHttp,
    16: ScamperUdpprobe, 17: ScamperOwamp,
}
TYPE_OF = {cls: otype for otype, cls in WRAPPERS.items()}
TYPE_OF[ScamperList] = F.OBJ_LIST
TYPE_OF[ScamperCycle] = F.OBJ_CYCLE_START


def wrap(otype, obj, inst=None):
    """The object a reader of type ``otype`` decoded, as the module's
    class; None for records it does not show (addresses, unknown)."""
    if isinstance(obj, listcycle.ScamperList):
        return ScamperList(obj)
    if isinstance(obj, (listcycle.Cycle, CycleStop)):
        return ScamperCycle(obj)
    cls = WRAPPERS.get(otype)
    if cls is None or isinstance(obj, bytes):
        return None
    return cls(obj, inst)
