"""Parse the options of a ``tracelb`` command, as scamper 20211212 does.

Defaults, ranges and the checks between options follow
scamper_do_tracelb_alloc() and tracelb_arg_param_validate() in
scamper_tracelb_do.c; the option syntax is scamper_options_parse()'s (see
scamperd/trace/cmd.py).  Every option takes a value.  As in scamper
20211212, ``-s sport`` is checked but not used: the source port (or ICMP
id) is always the default one.
"""

from scamperd.method import CommandError
from scamperd.strtol import strtol
from scamperd.trace.cmd import parse_addr, split_options, time_option
from scamperd.tracelb.result import METHODS

ATTEMPTS = (1, 2, 5)          # (min, default, max)
PORT = (1, 32768 + 666 + 1, 65535)
FIRSTHOP = (1, 1, 254)
GAPLIMIT = (1, 3, 5)
PROBECMAX = (50, 3000, 65535)
TOS = (0, 0, 255)
WAITPROBE = (15, 25, 200)     # centiseconds
WAITTIMEOUT = (1, 5, 10)      # seconds

# option letter -> (takes a value, value is numeric)
OPTIONS = {c: (True, c not in 'OPrwW') for c in 'cdfgOPqQrstUwW'}


class TracelbCommand:
    name = 'tracelb'

    def __init__(self):
        self.method = 'udp-dport'
        self.confidence = 95
        self.sport = None            # the engine's default (-s is ignored)
        self.dport = PORT[1]
        self.firsthop = FIRSTHOP[1]
        self.gaplimit = GAPLIMIT[1]
        self.attempts = ATTEMPTS[1]
        self.probec_max = PROBECMAX[1]
        self.tos = TOS[1]
        self.userid = 0
        self.wait_timeout = WAITTIMEOUT[1]
        self.wait_probe = WAITPROBE[1]
        self.src = None
        self.dst = None
        self.family = None
        self.probe_size = 0

    @property
    def tcp(self):
        return self.method.startswith('tcp')

    def create(self, ctx):
        from scamperd.tracelb.method import TracelbMethod
        return TracelbMethod(self, ctx)


def _num(opt, value, bounds, what):
    lo, _, hi = bounds
    v = strtol(value)
    if v < lo or v > hi:
        raise CommandError('tracelb: invalid -%s %s %r: must be %d..%d'
                           % (opt, what, value, lo, hi))
    return v


def parse(args):
    """Parse the words after ``tracelb`` (options, then the target)."""
    opts, rest = split_options(list(args), OPTIONS)
    if not rest:
        raise CommandError('tracelb: no target address')
    if len(rest) > 1:
        raise CommandError('tracelb: unexpected %r after the target'
                           % ' '.join(rest[1:]))
    cmd = TracelbCommand()
    for c, v in opts:
        if c == 'c':
            cmd.confidence = strtol(v)
            if cmd.confidence not in (95, 99):
                raise CommandError('tracelb: invalid -c confidence %r: must '
                                   'be 95 or 99' % v)
        elif c == 'd':
            cmd.dport = _num(c, v, PORT, 'dport')
        elif c == 'f':
            cmd.firsthop = _num(c, v, FIRSTHOP, 'firsthop')
        elif c == 'g':
            cmd.gaplimit = _num(c, v, GAPLIMIT, 'gaplimit')
        elif c == 'O':
            if v.lower() != 'ptr':
                raise CommandError('tracelb: invalid -O option %r: must be '
                                   'ptr' % v)
            raise CommandError('tracelb: -O ptr: reverse DNS look-ups are '
                               'not supported')
        elif c == 'P':
            if v.lower() not in METHODS:
                raise CommandError('tracelb: invalid -P method %r: must be '
                                   'one of %s' % (v, ', '.join(METHODS)))
            cmd.method = v.lower()
        elif c == 'q':
            cmd.attempts = _num(c, v, ATTEMPTS, 'attempts')
        elif c == 'Q':
            cmd.probec_max = _num(c, v, PROBECMAX, 'maxprobec')
        elif c == 'r':
            raise CommandError('tracelb: -r rtraddr is not supported')
        elif c == 's':
            _num(c, v, PORT, 'sport')
        elif c == 't':
            cmd.tos = _num(c, v, TOS, 'tos')
        elif c == 'U':
            u = strtol(v)
            if u < 0:
                raise CommandError('tracelb: invalid -U userid %r' % v)
            cmd.userid = u & 0xffffffff
        elif c == 'w':
            cmd.wait_timeout = time_option(c, v, WAITTIMEOUT, 'wait-timeout',
                                           1000000, 'tracelb: ')
        elif c == 'W':
            cmd.wait_probe = time_option(c, v, WAITPROBE, 'wait-probe', 10000,
                                         'tracelb: ')

    cmd.dst = parse_addr(rest[0], 'target')
    cmd.family = 4 if len(cmd.dst) == 4 else 6
    if cmd.family == 6 and cmd.tcp:
        raise CommandError('tracelb: -P %s is IPv4 only' % cmd.method)
    if cmd.family == 4:
        cmd.probe_size = 40 if cmd.tcp else 44
    else:
        cmd.probe_size = 60
    return cmd
