"""The ``sting`` command line, parsed as scamper 20211212 parses it
(scamper/sting/scamper_sting_do.c: scamper_do_sting_alloc and
sting_arg_param_validate).

``sting [-c count] [-d dport] [-f distribution] [-h request] [-H hole]
[-i inter] [-m mean] [-s sport] [-U userid] dst``: -c 2..65535 (48),
-d 0..65535 (80), -f 1..3 (3, uniform; recorded, not applied, as in
20211212), -H 1..255 (3), -i 1..10000 ms (2000), -m 1..1000 ms (100).
20211212 refuses every -h; so do we.
"""

import ipaddress
import re

from scamperd.method import CommandError
from scamperd.strtol import strtol
from scamperd.sting import result as R

_RANGES = {'c': (2, 65535), 'd': (0, 65535), 's': (0, 65535),
           'f': (1, 3), 'H': (1, 255), 'i': (1, 10000), 'm': (1, 1000),
           'U': (0, 0xffffffff)}
_PARAM = set(_RANGES) | {'h'}

# sting-0.7's request, with CR LF (scamper's defaultrequest)
REQUEST = (b'GET / HTTP/1.0\r\n'
           b'Accept: text/plain\r\n'
           b'Accept: */*\r\n'
           b'User-Agent: Mozilla/4.0 (compatible; MSIE 5.0; Windows NT; '
           b'DigExt; Sting)\r\n'
           b'\r\n')


def _err(msg):
    raise CommandError('sting: ' + msg)


class StingCommand:
    name = 'sting'

    def __init__(self):
        self.dst = None
        self.family = 4
        self.src = None
        self.sport = None
        self.result = None

    def create(self, ctx):
        from scamperd.sting.method import StingMethod
        return StingMethod(self, ctx)


def parse(args):
    """Parse the words after ``sting``; CommandError on any problem."""
    opts = []
    i = 0
    while i < len(args) and args[i].startswith('-') and len(args[i]) > 1:
        c = args[i][1]
        if c not in _PARAM:
            _err('unknown option %s' % args[i])
        if len(args[i]) > 2:
            opts.append((c, args[i][2:]))
            i += 1
        elif i + 1 < len(args):
            opts.append((c, args[i + 1]))
            i += 2
        else:
            _err('-%s needs a parameter' % c)
    if i == len(args):
        _err('no target address')
    if i != len(args) - 1:
        _err('unexpected words after %s' % args[i])
    st = R.Sting()
    cmd = StingCommand()
    for c, v in opts:
        if c == 'h':
            _err('-h: scamper 20211212 accepts no request')
        if not re.fullmatch(r'\s*[+-]?[0-9]+', v):
            _err("invalid -%s value '%s'" % (c, v))
        n = strtol(v)
        lo, hi = _RANGES[c]
        if not lo <= n <= hi:
            _err("invalid -%s value '%s': out of range %d..%d"
                 % (c, v, lo, hi))
        if c == 'c':
            st.count = n
        elif c == 'd':
            st.dport = n
        elif c == 's':
            cmd.sport = n or None
        elif c == 'f':
            st.dist = n
        elif c == 'H':
            st.seqskip = n
        elif c == 'i':
            st.inter = n
        elif c == 'm':
            st.mean = n
        elif c == 'U':
            st.userid = n
    try:
        dst = ipaddress.ip_address(args[i])
    except ValueError:
        _err("invalid address '%s'" % args[i])
    st.dst = cmd.dst = dst.packed
    cmd.family = dst.version
    n = st.seqskip + st.count
    st.data = (REQUEST + bytes(max(0, n - len(REQUEST))))[:n]
    cmd.result = st
    return cmd
