"""Warts http objects (type 15), after newer scamper's
scamper/http/scamper_http_warts.c (20211212 has no http).

Body: the parameters (addresses static; the destination port left out
when it is the default of the type, http 80 or https 443; the request's
extra headers as a count and strings; hs-rtt u32 microseconds), then one
parameter block per buffer of the exchange (direction << 7 | type, time,
length, bytes), then attributes too long for a parameter, each a type
byte, a u32 length and the bytes: 1 the ECH config list, 2 the ECH retry
config (others are skipped, as scamper skips them)."""

from scamperd.http.result import DEFAULT_PORTS, Http, HttpBuf
from scamperd.udpprobe.warts import _sized
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_HTTP = 15
ATTR_ECH_CONFIG_LIST, ATTR_ECH_RETRY_CONFIG = 1, 2


def _buf(b):
    v = []
    if b.dir or b.type:
        v.append((1, C.u8(b.dir << 7 | b.type)))
    if b.tv:
        v.append((2, C.timeval(b.tv)))
    if b.data:
        v += [(3, C.u16(len(b.data))), (4, bytes(b.data))]
    return C.params_bytes(v)


def _us(t):
    return C.rtt(round(t * 1000000))


def _headers_bytes(headers):
    return C.u8(len(headers)) + b''.join(C.string(h) for h in headers)


def encode(http, list_id=0, cycle_id=0):
    v = C.id_params(list_id, cycle_id, http.userid)
    for n, a in ((4, http.src), (5, http.dst)):
        if a is not None:
            v.append((n, C.saddr(a)))
    if http.sport:
        v.append((6, C.u16(http.sport)))
    if DEFAULT_PORTS.get(http.type) != http.dport:
        v.append((7, C.u16(http.dport)))
    # numbers are left out when zero, strings when there are none
    for n, val, enc in (
            (8, http.start, C.timeval), (9, http.stop, C.u8),
            (10, http.type, C.u8), (11, http.host, C.string),
            (12, http.file, C.string), (13, http.headers, _headers_bytes),
            (14, len(http.bufs), C.u32), (15, http.hsrtt, _us),
            (16, http.flags, C.u32), (17, http.maxtime, C.timeval),
            (18, http.errmsg, C.string), (19, http.ech_status, C.u8),
            (20, http.ech_outer_sni, C.string)):
        if isinstance(val, str) or val:
            v.append((n, enc(val)))
    out = [C.params_bytes(v)] + [_buf(b) for b in http.bufs]
    for t, data in ((ATTR_ECH_CONFIG_LIST, http.ech_config_list),
                    (ATTR_ECH_RETRY_CONFIG, http.ech_retry_config)):
        if data:
            out.append(C.u8(t) + C.u32(len(data)) + bytes(data))
    return b''.join(out)


def _headers(cur):
    return [cur.string() for _ in range(cur.u8())]


def _buf_type(cur):
    b = cur.u8()
    return b >> 7, b & 0x7f


def _read_buf(cur):
    length, data = _sized()
    v = C.params(cur, (_buf_type, 'timeval', length, data))
    d, t = v.get(1, (0, 0))
    return HttpBuf(d, t, v.get(2, 0.0), v.get(4, b''))


def decode(cur, state):
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle), 'u32',
        'saddr', 'saddr', 'u16', 'u16', 'timeval', 'u8', 'u8', 'string',
        'string', _headers, 'u32', lambda c: c.rtt() / 1000000, 'u32',
        'timeval', 'string', 'u8', 'string'))
    if v.get(5) is None:
        raise WartsError('http without a destination', at)
    http = Http(list=v.get(1), cycle=v.get(2), userid=v.get(3, 0),
                src=v.get(4), dst=v[5], sport=v.get(6, 0),
                start=v.get(8, 0.0), stop=v.get(9, 0), type=v.get(10, 0),
                host=v.get(11), file=v.get(12), headers=v.get(13, []),
                hsrtt=v.get(15, 0.0), flags=v.get(16, 0),
                maxtime=v.get(17, 0.0), errmsg=v.get(18),
                ech_status=v.get(19, 0), ech_outer_sni=v.get(20))
    http.dport = v.get(7, DEFAULT_PORTS.get(http.type))
    if http.dport is None:
        raise WartsError('http of type %d without a port' % http.type, at)
    http.bufs = [_read_buf(cur) for _ in range(v.get(14, 0))]
    while cur.end - cur.pos >= 5:
        t, n = cur.u8(), cur.u32()
        data = cur.bytes(n)
        if t == ATTR_ECH_CONFIG_LIST:
            http.ech_config_list = data
        elif t == ATTR_ECH_RETRY_CONFIG:
            http.ech_retry_config = data
    return http


register(OBJ_HTTP, Http, decode, encode)
