"""Warts udpprobe objects (type 16), after newer scamper's
scamper/udpprobe/scamper_udpprobe_warts.c (20211212 has no udpprobe).

Body: parameters (which carry the first probe's source port and reply
count; its time is the start time), the first probe's replies, the
parameters of each further probe, then their replies in order.  A reply
is rx time, length, bytes and the receiving interface's name (an ifname
field, docs/warts-format.md §5.3).  Addresses are static (no table);
waits are u32 microseconds."""

from scamperd.udpprobe.result import Udpprobe, UdpprobeProbe, UdpprobeReply
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_UDPPROBE = 16
IFNAME_IDS = 254


def _us(t):
    return C.u32(round(t * 1000000) & 0xffffffff)


class IfnameWriter:
    """First use of a name: its id (1..254; 0 once they run out) and the
    name; later uses of a name with an id: the id alone."""

    def __init__(self):
        self.ids = {}

    def enc(self, name):
        i = self.ids.get(name)
        if i is not None:
            return C.u8(i)
        if len(self.ids) < IFNAME_IDS:
            i = self.ids[name] = len(self.ids) + 1
        return C.u8(i or 0) + C.string(name)


def ifname_reader(table):
    def read(cur):
        p = cur.pos
        i = cur.u8()
        if i and i - 1 < len(table):
            return table[i - 1]
        if i and i - 1 != len(table):
            raise WartsError('ifname id %d past the table of %d'
                             % (i, len(table)), p)
        name = cur.string()
        if i:
            table.append(name)
        return name
    return read


def _reply(r, ifnames):
    v = []
    if r.rx:
        v.append((1, C.timeval(r.rx)))
    if r.data:
        v += [(2, C.u16(len(r.data))), (3, bytes(r.data))]
    if r.ifname is not None:
        v.append((4, ifnames.enc(r.ifname)))
    return C.params_bytes(v)


def encode(up, list_id=0, cycle_id=0):
    ifnames = IfnameWriter()
    p0 = up.probes[0] if up.probes else None
    v = C.id_params(list_id, cycle_id, up.userid)
    if up.src is not None:
        v.append((4, C.saddr(up.src)))
    if up.dst is not None:
        v.append((5, C.saddr(up.dst)))
    if p0 is not None:
        v.append((6, C.u16(p0.sport)))
    for n, val, enc in ((7, up.dport, C.u16), (8, up.start, C.timeval),
                        (9, up.wait_timeout, _us), (10, up.flags, C.u8),
                        (11, up.stop, C.u8)):
        if val:
            v.append((n, enc(val)))
    if up.data:
        v += [(12, C.u16(len(up.data))), (13, bytes(up.data))]
    if p0 is not None and p0.replies:
        v.append((14, C.u8(len(p0.replies))))
    if up.probe_count != 1:
        v.append((15, C.u8(up.probe_count)))
    if len(up.probes) != 1:
        v.append((16, C.u8(len(up.probes))))
    for n, val, enc in ((17, up.stop_count, C.u8), (18, up.sport, C.u16),
                        (19, up.wait_probe, _us)):
        if val:
            v.append((n, enc(val)))
    if up.errmsg is not None:
        v.append((20, C.string(up.errmsg)))
    out = [C.params_bytes(v)]
    if p0 is not None:
        out += [_reply(r, ifnames) for r in p0.replies]
    for p in up.probes[1:]:
        pv = [(1, C.timeval(p.tx)), (2, C.u16(p.sport))]
        if p.replies:
            pv.append((3, C.u8(len(p.replies))))
        out.append(C.params_bytes(pv))
    for p in up.probes[1:]:
        out += [_reply(r, ifnames) for r in p.replies]
    return b''.join(out)


def _sized():
    size = [0]

    def length(c):
        size[0] = c.u16()
        return size[0]
    return length, lambda c: c.bytes(size[0])


def _us_read(cur):
    return cur.u32() / 1000000


def decode(cur, state):
    table = []
    read_ifname = ifname_reader(table)

    def reply(c):
        length, data = _sized()
        rv = C.params(c, ('timeval', length, data, read_ifname))
        return UdpprobeReply(rv.get(1, 0.0), rv.get(3, b''), rv.get(4))
    length, data = _sized()
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        'saddr', 'saddr', 'u16', 'u16', 'timeval', _us_read, 'u8', 'u8',
        length, data, 'u8', 'u8', 'u8', 'u8', 'u16', _us_read, 'string'))
    if v.get(5) is None:
        raise WartsError('udpprobe without a destination', at)
    up = Udpprobe(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0),
                  src=v.get(4), dst=v[5], dport=v.get(7, 0),
                  start=v.get(8, 0.0), wait_timeout=v.get(9, 0.0),
                  flags=v.get(10, 0), stop=v.get(11, 0),
                  data=v.get(13, b''), probe_count=v.get(15, 1),
                  stop_count=v.get(17, 0), sport=v.get(18, 0),
                  wait_probe=v.get(19, 0.0), errmsg=v.get(20))
    sent = v.get(16, 1)
    if sent:
        p0 = UdpprobeProbe(up.start, v.get(6, 0))
        p0.replies = [reply(cur) for _ in range(v.get(14, 0))]
        up.probes.append(p0)
    counts = []
    for _ in range(sent - 1):
        pv = C.params(cur, ('timeval', 'u16', 'u8'))
        up.probes.append(UdpprobeProbe(pv.get(1, 0.0), pv.get(2, 0)))
        counts.append(pv.get(3, 0))
    for p, n in zip(up.probes[1:], counts):
        p.replies = [reply(cur) for _ in range(n)]
    return up


register(OBJ_UDPPROBE, Udpprobe, decode, encode)
