"""The ``sniff`` command line, parsed as scamper 20211212 parses it
(scamper/sniff/scamper_sniff_do.c, scamper_do_sniff_alloc).

``sniff [-c limit-pktc] [-G limit-time] [-S ipaddr] [-U userid]
icmp[icmpid] == N``: -S (required) names the address whose interface
listens; the expression, the only one scamper supports, is the ICMP id to
capture (0..65535).  -c 1..5000 packets (default 100), -G 0..1200 seconds
(default 60).
"""

import ipaddress
import re

from scamperd.method import CommandError
from scamperd.strtol import strtol

_PARAM = set('cGSU')
_RANGES = {'c': (1, 5000), 'G': (0, 1200), 'U': (0, 2**63 - 1)}
_EXPR = 'icmp[icmpid] == '


def _err(msg):
    raise CommandError('sniff: ' + msg)


class SniffCommand:
    """A parsed sniff: ``src`` (packed; also ``dst``, the address the
    worker looks up), ``family``, ``limit_pktc``, ``limit_time`` (seconds),
    ``icmpid``, ``userid``."""

    name = 'sniff'
    sport = None

    def __init__(self):
        self.src = self.dst = None
        self.family = 4
        self.limit_pktc = 100
        self.limit_time = 60
        self.icmpid = 0
        self.userid = 0

    def sig(self):
        return ()

    def create(self, ctx):
        """The method, listening on the interface that has ``src`` (none
        if no interface has it: the sniff then ends at once with an
        error, as in scamper)."""
        from scamperd.sniff.method import SniffMethod
        return SniffMethod(self, interface_of(self.src))


def interface_of(addr):
    """The index of the interface that has the packed address ``addr``,
    or 0."""
    from pyroute2 import IPRoute
    text = str(ipaddress.ip_address(addr))
    with IPRoute() as ipr:
        for msg in ipr.get_addr():
            if msg.get_attr('IFA_ADDRESS') == text or \
                    msg.get_attr('IFA_LOCAL') == text:
                return msg['index']
    return 0


def parse(args):
    """Parse the words after ``sniff``; CommandError on any problem."""
    opts = []
    i = 0
    while i < len(args) and args[i].startswith('-'):
        word = args[i]
        if len(word) != 2 or word[1] not in _PARAM:
            _err('unknown option %s' % word)
        if i + 1 == len(args):
            _err('%s needs a parameter' % word)
        opts.append((word[1], args[i + 1]))
        i += 2
    expr = ' '.join(args[i:])
    if not expr:
        _err('no expression: icmp[icmpid] == N')
    num = expr[len(_EXPR):]
    if expr[:len(_EXPR)].lower() != _EXPR or \
            not re.fullmatch(r'[-+]?[0-9]*', num) or not num or \
            not 0 <= strtol(num) <= 65535:
        _err("%s: the expression must be 'icmp[icmpid] == N', N 0..65535"
             % expr)
    cmd = SniffCommand()
    cmd.icmpid = strtol(num)
    src = None
    for opt, v in opts:
        if opt == 'S':
            src = v
            continue
        if not re.fullmatch(r'-?[0-9]+', v):
            _err('-%s %s: not a number' % (opt, v))
        lo, hi = _RANGES[opt]
        n = strtol(v)
        if n < lo or n > hi:
            _err('-%s %s: out of range %d..%d' % (opt, v, lo, hi))
        if opt == 'c':
            cmd.limit_pktc = n
        elif opt == 'G':
            cmd.limit_time = n
        else:
            cmd.userid = n & 0xffffffff
    if src is None:
        _err('missing -S parameter')
    try:
        a = ipaddress.ip_address(src)
    except ValueError:
        _err('-S %s: not an IP address' % src)
    cmd.src = cmd.dst = a.packed
    cmd.family = a.version
    return cmd
