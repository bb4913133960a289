"""IPv4 options: record route (RFC 791) and timestamp (RFC 791/781).

The builders lay the options out as scamper does for ``ping -R`` and
``ping -T``; :func:`parse` reads them back from a header, following the
pointer fields as scamper's ipopt_parse does.
"""

import struct

EOL = 0
NOP = 1
RR = 7
TS = 68

TS_ONLY = 0         # flags: timestamps only
TS_ADDR = 1         # each router records its address and a timestamp
TS_PRESPEC = 3      # the listed addresses record timestamps

_U32 = struct.Struct('!I')


def record_route():
    """Room for nine addresses: the whole 40 bytes of option space."""
    return bytes((RR, 39, 4)) + bytes(37)


def ts_only():
    return bytes((TS, 40, 5, TS_ONLY)) + bytes(36)


def ts_and_addr():
    return bytes((TS, 36, 5, TS_ADDR)) + bytes(32)


def ts_prespec(addrs):
    """Timestamps from up to four given (packed IPv4) addresses."""
    if not 1 <= len(addrs) <= 4:
        raise ValueError('between 1 and 4 prespecified addresses')
    return (bytes((TS, len(addrs) * 8 + 4, 5, TS_PRESPEC))
            + b''.join(bytes(a) + bytes(4) for a in addrs))


def parse(opts):
    """(rr, ts) from raw option bytes: ``rr`` the list of recorded
    addresses, ``ts`` a list of (address or None, timestamp); each is None
    when its option is absent and may be empty when present.  Parsing stops
    at the end-of-list option or at an option that does not fit."""
    rr = ts = None
    n = len(opts)
    off = 0
    while off < n:
        t = opts[off]
        if t == EOL:
            break
        if t == NOP:
            off += 1
            continue
        if off + 1 >= n:
            break
        ol = opts[off + 1]
        if ol < 2 or off + ol > n:
            break
        if t == RR and ol >= 3:
            rr = _record_route(opts, off, ol)
        elif t == TS and ol >= 4:
            ts = _timestamps(opts, off, ol)
        off += ol
    return rr, ts


def _record_route(opts, off, ol):
    p = opts[off + 2]
    if p < 4 or p & 3:
        return []
    count = min(p // 4 - 1, (ol - 3) // 4)
    start = off + 3
    return [bytes(opts[start + 4 * i:start + 4 * i + 4])
            for i in range(count)]


def _timestamps(opts, off, ol):
    p = opts[off + 2]
    flags = opts[off + 3] & 0xf
    if p == 1:                  # RFC 781: the option is full
        length = ol - 4
    elif p >= 5 and p - 1 <= ol:
        length = p - 5
    else:
        return []
    start = off + 4
    if flags == TS_ONLY:
        if length % 4:
            return []
        return [(None, _U32.unpack_from(opts, start + 4 * i)[0])
                for i in range(length // 4)]
    if flags in (TS_ADDR, TS_PRESPEC):
        if length % 8:
            return []
        return [(bytes(opts[start + 8 * i:start + 8 * i + 4]),
                 _U32.unpack_from(opts, start + 8 * i + 4)[0])
                for i in range(length // 8)]
    return []
