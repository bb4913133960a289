"""Parse the options of a ``trace`` command, as scamper 20211212 does.

The defaults, the valid range of each value and the cross-checks between
options follow scamper_do_trace_alloc() and trace_arg_param_validate() in
scamper_trace_do.c.  Option syntax follows scamper_options_parse(): options
without a value may be grouped (``-MQT``); an option that takes a value must
end its group and its value is the next word; numeric values are an
optional ``-`` followed by digits, read as C's strtol(.., 0) reads them (so
``010`` is eight and ``-d 0x50`` is eighty).
"""


from scamperd import addr, timeval
from scamperd.strtol import HEX, is_decimal, strtol
from scamperd.method import CommandError
from scamperd.trace import result as R

ATTEMPTS = (1, 2, 20)        # (min, default, max)
DPORT = (1, 32768 + 666 + 1, 65535)
FIRSTHOP = (1, 1, 255)
GAPLIMIT = (1, 5, 255)
GAPACTION = (1, 1, 2)
HOPLIMIT = (0, 0, 255)
LOOPS = (0, 1, 255)
OFFSET = (0, 0, 8190)
SPORT = (1, None, 65535)
TOS = (0, 0, 255)
WAIT = (1, 5, 10)
WAITPROBE = (0, 0, 200)      # 10s of milliseconds

METHODS = {'udp': 'udp', 'tcp': 'tcp', 'icmp': 'icmp-echo',
           'icmp-paris': 'icmp-paris', 'udp-paris': 'udp-paris',
           'tcp-ack': 'tcp-ack'}

# option letter -> (takes a value, value is numeric)
OPTIONS = {
    'c': (True, True), 'd': (True, False), 'f': (True, True),
    'g': (True, True), 'G': (True, True), 'l': (True, True),
    'm': (True, True), 'M': (False, False), 'o': (True, True),
    'O': (True, False), 'p': (True, False), 'P': (True, False),
    'q': (True, True), 'Q': (False, False), 's': (True, True),
    'S': (True, False), 't': (True, True), 'T': (False, False),
    'U': (True, True), 'w': (True, False), 'W': (True, False),
    'z': (True, False), 'Z': (True, False),
}


def split_options(args, options):
    """Split ``args`` into [(letter, value or None)] and the words left,
    with scamper_options_parse()'s rules.  Raises CommandError."""
    out = []
    i = 0
    while i < len(args) and args[i].startswith('-'):
        word = args[i]
        i += 1
        if word.startswith('--') or word == '-':
            raise CommandError('unknown option %s' % word)
        for j, c in enumerate(word[1:], 1):
            if c not in options:
                raise CommandError('unknown option -%s' % c)
            takes_value, numeric = options[c]
            if not takes_value:
                out.append((c, None))
                continue
            if j != len(word) - 1 or i >= len(args):
                raise CommandError('option -%s needs a value' % c)
            value = args[i]
            i += 1
            if numeric and not is_decimal(value):
                raise CommandError('option -%s: %r is not a number'
                                   % (c, value))
            out.append((c, value))
    return out, args[i:]


def parse_addr(text, what, family=None):
    try:
        packed, version = addr.parse(text)
    except ValueError:
        raise CommandError('%s %r is not an IPv4 or IPv6 address'
                           % (what, text)) from None
    if family is not None and version != family:
        raise CommandError('%s %s is not an IPv%d address like the target'
                           % (what, text, family))
    return packed


class TraceCommand:
    name = 'trace'

    def __init__(self):
        self.method = 'udp-paris'
        self.attempts = ATTEMPTS[1]
        self.firsthop = FIRSTHOP[1]
        self.gaplimit = GAPLIMIT[1]
        self.gapaction = GAPACTION[1]
        self.hoplimit = HOPLIMIT[1]
        self.loops = LOOPS[1]
        self.offset = OFFSET[1]
        self.tos = TOS[1]
        self.wait = WAIT[1]
        self.wait_probe = WAITPROBE[1]
        self.confidence = 0
        self.userid = 0
        self.sport = None        # -s, else the engine's default
        self.dport = None        # -d, else DPORT default (icmp-paris: sport)
        self.payload = b''
        self.flags = 0
        self.gss = []            # -z addresses, packed, sorted
        self.lss = None          # -Z name
        self.dtree_noback = False
        self.src = None
        self.dst = None
        self.family = None
        self.probe_size = 0

    @property
    def doubletree(self):
        return bool(self.gss) or self.lss is not None

    def create(self, ctx):
        from scamperd.trace.method import TraceMethod
        return TraceMethod(self, ctx)


def _num(opt, value, bounds, what):
    lo, _, hi = bounds
    v = strtol(value)
    if v < lo or v > hi:
        raise CommandError('invalid -%s %s %r: must be %d..%d'
                           % (opt, what, value, lo, hi))
    return v


def time_option(opt, value, bounds, what, unit, prefix=''):
    """A time option (scamperd/timeval.py) in ``unit`` microseconds, within
    ``bounds`` of them."""
    lo, _, hi = bounds
    try:
        return timeval.parse(value, unit, unit, lo, hi)
    except ValueError as e:
        raise CommandError('%sinvalid -%s %s %r: %s' % (prefix, opt, what,
                                                       value, e))


def parse(args):
    """Parse the words after ``trace`` (options, then the target)."""
    opts, rest = split_options(list(args), OPTIONS)
    if not rest:
        raise CommandError('trace: no target address')
    if len(rest) > 1:
        raise CommandError('trace: unexpected %r after the target'
                           % ' '.join(rest[1:]))
    cmd = TraceCommand()
    src = None
    gss = []
    for c, v in opts:
        if c == 'c':
            cmd.confidence = strtol(v)
            if cmd.confidence not in (95, 99):
                raise CommandError('invalid -c confidence %r: must be 95 or 99'
                                   % v)
        elif c == 'd':
            cmd.dport = _num(c, v, DPORT, 'dport')
        elif c == 'f':
            cmd.firsthop = _num(c, v, FIRSTHOP, 'firsthop')
        elif c == 'g':
            cmd.gaplimit = _num(c, v, GAPLIMIT, 'gaplimit')
        elif c == 'G':
            cmd.gapaction = _num(c, v, GAPACTION, 'gapaction')
        elif c == 'l':
            cmd.loops = _num(c, v, LOOPS, 'loops')
        elif c == 'm':
            cmd.hoplimit = _num(c, v, HOPLIMIT, 'maxttl')
        elif c == 'M':
            cmd.flags |= R.FLAG_PMTUD
        elif c == 'o':
            cmd.offset = _num(c, v, OFFSET, 'offset')
        elif c == 'O':
            o = v.lower()
            if o == 'dl':
                cmd.flags |= R.FLAG_DL
            elif o == 'const-payload':
                cmd.flags |= R.FLAG_CONSTPAYLOAD
            elif o == 'dtree-noback':
                cmd.dtree_noback = True
            else:
                raise CommandError('invalid -O option %r: must be dl, '
                                   'const-payload or dtree-noback' % v)
        elif c == 'p':
            if len(v) % 2 or not HEX.issuperset(v):
                raise CommandError('invalid -p payload %r: must be an even '
                                   'number of hex digits' % v)
            cmd.payload = bytes.fromhex(v)
        elif c == 'P':
            if v.lower() not in METHODS:
                raise CommandError('invalid -P method %r: must be one of '
                                   'UDP, ICMP, UDP-paris, ICMP-paris, TCP, '
                                   'TCP-ACK' % v)
            cmd.method = METHODS[v.lower()]
        elif c == 'q':
            cmd.attempts = _num(c, v, ATTEMPTS, 'attempts')
        elif c == 'Q':
            cmd.flags |= R.FLAG_ALLATTEMPTS
        elif c == 's':
            cmd.sport = _num(c, v, SPORT, 'sport')
        elif c == 'S':
            if src is not None:
                raise CommandError('-S srcaddr given twice')
            src = v
        elif c == 't':
            cmd.tos = _num(c, v, TOS, 'tos')
        elif c == 'T':
            cmd.flags |= R.FLAG_IGNORETTLDST
        elif c == 'U':
            u = strtol(v)
            if u < 0:
                raise CommandError('invalid -U userid %r' % v)
            cmd.userid = u & 0xffffffff
        elif c == 'w':
            cmd.wait = time_option(c, v, WAIT, 'wait', 1000000)
        elif c == 'W':
            cmd.wait_probe = time_option(c, v, WAITPROBE, 'wait-probe',
                                         10000)
        elif c == 'z':
            gss.append(v)
        elif c == 'Z':
            cmd.lss = v

    # the cross-checks of scamper_do_trace_alloc(), in its order
    pmtud = cmd.flags & R.FLAG_PMTUD
    if cmd.hoplimit != 0 and cmd.firsthop > cmd.hoplimit:
        raise CommandError('-f firsthop %d is beyond -m maxttl %d'
                           % (cmd.firsthop, cmd.hoplimit))
    if pmtud and (cmd.firsthop > 1 or gss or cmd.lss is not None):
        raise CommandError('-M cannot be used with -f, -z or -Z')
    if cmd.confidence and cmd.flags & R.FLAG_ALLATTEMPTS:
        raise CommandError('-c confidence cannot be used with -Q')
    if pmtud and cmd.method not in ('udp', 'udp-paris'):
        raise CommandError('-M needs a UDP method, not -P %s' % cmd.method)

    cmd.dst = parse_addr(rest[0], 'target')
    cmd.family = 4 if len(cmd.dst) == 4 else 6
    tcp = cmd.method in ('tcp', 'tcp-ack')
    if tcp and cmd.payload:
        raise CommandError('-p payload cannot be used with -P %s'
                           % cmd.method)
    if cmd.offset and cmd.family == 4:
        raise CommandError('-o offset %d is only valid for IPv6 targets'
                           % cmd.offset)

    if cmd.family == 4:
        if tcp:
            cmd.probe_size = 40
        elif not cmd.payload:
            cmd.probe_size = 44
        else:
            cmd.probe_size = 20 + 8 + len(cmd.payload)
    else:
        if cmd.offset:
            cmd.probe_size = 40 + 8 + 4 + len(cmd.payload)
        elif not cmd.payload or tcp:
            cmd.probe_size = 60
        else:
            cmd.probe_size = 40 + 8 + len(cmd.payload)

    if src is not None:
        cmd.src = parse_addr(src, '-S srcaddr', cmd.family)
    if cmd.method == 'icmp-paris':
        cmd.flags |= R.FLAG_ICMPCSUMDP
    if gss or cmd.lss is not None:
        cmd.flags |= R.FLAG_DOUBLETREE
    cmd.gss = sorted({parse_addr(a, '-z gss-entry', cmd.family)
                      for a in gss})
    return cmd
