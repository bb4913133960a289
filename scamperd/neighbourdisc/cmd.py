"""The ``neighbourdisc`` command line, parsed as scamper 20211212 parses it
(scamper/neighbourdisc/scamper_neighbourdisc_do.c,
scamper_do_neighbourdisc_alloc).

``neighbourdisc [-FQ] [-i if] [-o replyc] [-q attempts] [-S srcaddr]
[-w wait] ADDR``: ARP for an IPv4 address, a neighbour solicitation for an
IPv6 one, on interface -i (required).  -S (IPv6 only) is the source
address of the solicitation.  -F (only the first reply) refuses -Q and
-o above 1; -Q (send every attempt) refuses -o below -q.
"""

import fcntl
import ipaddress
import re
import socket
import struct

from scamperd.method import CommandError
from scamperd.neighbourdisc import result as R
from scamperd.strtol import strtol

_PARAM = set('ioqSw')
_FLAGS = {'F': R.FLAG_FIRSTRESPONSE, 'Q': R.FLAG_ALLATTEMPTS}
_RANGES = {'q': (1, 65535), 'o': (0, 65535), 'w': (100, 65535)}

SIOCGIFHWADDR = 0x8927
ARPHRD_ETHER = 1


def _err(msg):
    raise CommandError('neighbourdisc: ' + msg)


class NeighbourdiscCommand:
    """A parsed command: ``ifname``, ``dst`` (packed), ``family``, ``src``
    (-S, packed, or None), ``flags``, ``attempts``, ``replyc``, ``wait``
    (milliseconds)."""

    name = 'neighbourdisc'
    sport = None

    def __init__(self):
        self.ifname = None
        self.dst = None
        self.family = 4
        self.src = None
        self.flags = 0
        self.attempts = 1
        self.replyc = 0
        self.wait = 1000

    def sig(self):
        return (('nd', self.dst),)

    def check(self):
        """CommandError if the interface does not exist (now)."""
        try:
            socket.if_nametoindex(self.ifname)
        except OSError as e:
            _err('-i %s: %s' % (self.ifname, e.strerror or e))

    def create(self, ctx):
        """The method, on the interface's datalink; CommandError if there is
        no such interface (scamper writes a neighbourdisc without a source
        there, which its own reader refuses).  As scamper, on an interface
        that is not Ethernet it sends nothing and its result has no
        probes."""
        from scamperd.neighbourdisc.method import NeighbourdiscMethod
        try:
            ifindex = socket.if_nametoindex(self.ifname)
            hatype, mac = interface_mac(self.ifname)
        except OSError as e:
            _err('-i %s: %s' % (self.ifname, e.strerror or e))
        if hatype != ARPHRD_ETHER:
            ifindex = 0
        return NeighbourdiscMethod(self, self.src or ctx.src, ifindex, mac)


def valid_ifname(name):
    """A name Linux could give an interface (dev_valid_name): 1 to 15
    bytes, not . or .., without /, : or white space (or a NUL, which no
    system call takes)."""
    return (0 < len(name.encode('utf-8', 'surrogateescape')) < 16
            and name not in ('.', '..')
            and not any(c in '/:\0' or c.isspace() for c in name))


def interface_mac(ifname):
    """(ARPHRD type, 6-byte MAC address) of an interface."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        ifr = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR,
                          struct.pack('256s', ifname.encode()[:15]))
    finally:
        s.close()
    hatype = struct.unpack_from('H', ifr, 16)[0]
    return hatype, bytes(ifr[18:24])


def _split(args):
    """(option, parameter or None) pairs and the words after them."""
    opts = []
    i = 0
    while i < len(args) and args[i].startswith('-'):
        word = args[i]
        i += 1
        if len(word) < 2 or word[1] == '-':
            _err('unknown option %s' % word)
        for j, c in enumerate(word[1:]):
            if c in _FLAGS:
                opts.append((c, None))
            elif c in _PARAM:
                if j != len(word) - 2 or i >= len(args):
                    _err('-%s needs a parameter' % c)
                opts.append((c, args[i]))
                i += 1
            else:
                _err('unknown option -%s' % c)
    return opts, args[i:]


def _num(opt, value):
    if not re.fullmatch(r'-?[0-9]+', value):
        _err('-%s %s: not a number' % (opt, value))
    lo, hi = _RANGES[opt]
    v = strtol(value)
    if v < lo or v > hi:
        _err('-%s %s: out of range %d..%d' % (opt, value, lo, hi))
    return v


def parse(args):
    """Parse the words after ``neighbourdisc``; CommandError on any
    problem."""
    opts, rest = _split(args)
    cmd = NeighbourdiscCommand()
    src = None
    for opt, v in opts:
        if opt in _FLAGS:
            cmd.flags |= _FLAGS[opt]
        elif opt == 'i':
            cmd.ifname = v
        elif opt == 'S':
            if src is not None:
                _err('-S given twice')
            src = v
        elif opt == 'q':
            cmd.attempts = _num('q', v)
        elif opt == 'o':
            cmd.replyc = _num('o', v)
        elif opt == 'w':
            cmd.wait = _num('w', v)
    if not rest:
        _err('no address to resolve')
    if len(rest) > 1:
        _err('unexpected words after %s' % rest[0])
    if cmd.ifname is None:
        _err('-i interface is required')
    if not valid_ifname(cmd.ifname):
        _err('-i %r: not an interface name' % cmd.ifname)
    try:
        dst = ipaddress.ip_address(rest[0])
    except ValueError:
        _err('%s: not an IP address' % rest[0])
    cmd.dst = dst.packed
    cmd.family = dst.version
    if src is not None:
        if cmd.family != 6:
            _err('-S is for IPv6 neighbour solicitation only')
        try:
            cmd.src = ipaddress.IPv6Address(src).packed
        except ValueError:
            _err('-S %s: not an IPv6 address' % src)
    if cmd.flags & R.FLAG_FIRSTRESPONSE and (
            cmd.replyc > 1 or cmd.flags & R.FLAG_ALLATTEMPTS):
        _err('-F wants the first reply only: not with -Q or -o above 1')
    if cmd.flags & R.FLAG_ALLATTEMPTS and 0 < cmd.replyc < cmd.attempts:
        _err('-Q sends every attempt: -o must be 0 or at least -q')
    return cmd
