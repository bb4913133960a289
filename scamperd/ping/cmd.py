"""The ``ping`` command line, parsed as scamper 20211212 parses it.

Options are the words before the target address.  As in scamper, an
option's parameter is the next word (``-c 5``, never ``-c5``), options that
take no parameter may be strung together (``-RR``), and numbers are read as
C's ``strtol(s, NULL, 0)`` reads them: ``-c 010`` is 8, and the fraction in
``-i 0.05`` is the number 05 scaled up to 500000 microseconds.  Ranges and
defaults are scamper's (scamper/ping/scamper_ping_do.c).
"""


from scamperd import addr, timeval
from scamperd.strtol import is_decimal, is_dotted, is_hex, strtol
from scamperd.method import CommandError
from scamperd.ping import result as R

# options that take a parameter; -R is the only one that takes none
_PARAM = set('ABcCdFimMoOpPrsSTUWz')

_METHODS = ('icmp-echo', 'icmp-time', 'tcp-syn', 'tcp-ack', 'tcp-ack-sport',
            'udp', 'udp-dport', 'tcp-synack', 'tcp-rst')
_OPTIONS = {'spoof': R.FLAG_SPOOF, 'dl': R.FLAG_DL, 'tbt': R.FLAG_TBT,
            'nosrc': R.FLAG_NOSRC}


def family_of(method):
    if method.startswith('icmp'):
        return 'icmp'
    return 'tcp' if method.startswith('tcp') else 'udp'


class PingCommand:
    """A parsed ping command.  ``sport`` is -F (None: the engine's default);
    ``dport`` is -d or the method's default; ``wait_us`` is -i in
    microseconds; ``data`` the -B payload or -p pattern bytes; ``flags``
    scamper's SCAMPER_PING_FLAG_* bits.  With ``-O spoof``, ``src`` is the
    spoofed -S address, and the Context given to :meth:`create` must carry
    the real source (the route look-up's), which probes embed."""

    name = 'ping'

    def __init__(self):
        self.dst = None
        self.family = 4
        self.src = None
        self.rtr = None
        self.method = 'icmp-echo'
        self.count = 4
        self.wait_us = 1000000
        self.timeout = 1
        self.ttl = 64
        self.tos = 0
        self.size = 0
        self.sport = None
        self.dport = 0
        self.icmpsum = 0
        self.tcpack = None        # -A
        self.reply_count = 0
        self.reply_pmtu = 0
        self.data = b''
        self.tsps = []
        self.userid = 0
        self.flags = 0
        self.memo = {}      # what methods derive from it (shared by copies)

    @property
    def wait(self):
        return self.wait_us / 1e6

    def ip_options_len(self):
        """Bytes of IPv4 options the probes carry (scamper's reckoning)."""
        if self.flags & (R.FLAG_V4RR | R.FLAG_TSONLY):
            return 40
        if self.flags & R.FLAG_TSANDADDR:
            return 36
        if self.tsps:
            return 8 * len(self.tsps) + 4
        return 0

    def create(self, ctx):
        from scamperd.ping.method import PingMethod
        return PingMethod(self, ctx)


def _err(opt, value, why):
    raise CommandError('ping: -%s %s: %s' % (opt, value, why))


def _num(opt, value, lo, hi):
    """A NUM parameter: scamper accepts only [-]digits, read by strtoll."""
    if not is_decimal(value):
        _err(opt, value, 'not a number')
    v = strtol(value)
    if v < lo or v > hi:
        _err(opt, value, 'out of range %d..%d' % (lo, hi))
    return v


def _wait(value):
    """-i: whole seconds 0..20, optionally a fraction, at least 1 ms."""
    s_str, dot, us_str = value.partition('.')
    s = strtol(s_str)
    if s < 0 or s > 20:
        _err('i', value, 'seconds out of range 0..20')
    us = strtol(us_str) if dot else 0
    if us < 0 or us >= 1000000:
        _err('i', value, 'bad fraction')
    # scamper scales the fraction by its value, not by its digit count
    for limit, mul in ((10, 100000), (100, 10000), (1000, 1000),
                       (10000, 100), (100000, 10)):
        if us < limit:
            us *= mul
            break
    total = s * 1000000 + us
    if total < 1000:
        _err('i', value, 'must be at least 0.001 seconds')
    return total


def _has_unit(value):
    """``value`` is digits and dots, then s, ms or us."""
    for unit in ('ms', 'us', 's'):
        if value.endswith(unit):
            return is_dotted(value[:-len(unit)])
    return False


def _time(opt, value, step, lo, hi):
    """A time option as scamper 2026 reads it (scamperd/timeval.py), in
    multiples of ``step`` microseconds, within lo..hi of them; a plain
    number is in seconds."""
    try:
        return timeval.parse(value, 1000000, step, lo, hi)
    except ValueError as e:
        _err(opt, value, str(e))


def _hex(opt, value, maxchars, even):
    if not is_hex(value):
        _err(opt, value, 'not a hexadecimal string')
    if len(value) > maxchars:
        _err(opt, value, 'too long')
    if len(value) % 2:
        if even:
            _err(opt, value, 'odd number of hex digits')
        value = '0' + value
    return bytes.fromhex(value)


def _addr(opt, value, family=None):
    try:
        packed, version = addr.parse(value)
    except ValueError:
        _err(opt, value, 'not an IP address')
    if family is not None and version != family:
        _err(opt, value, 'not an IPv%d address' % family)
    return packed


def _tsopt(cmd, value):
    low = value.lower()
    if low == 'tsonly':
        cmd.flags |= R.FLAG_TSONLY
    elif low == 'tsandaddr':
        cmd.flags |= R.FLAG_TSANDADDR
    elif low.startswith('tsprespec='):
        ips = value[len('tsprespec='):].split(',')
        if len(ips) > 4:
            _err('T', value, 'at most 4 prespecified addresses')
        for ip in ips:
            if not is_dotted(ip):
                _err('T', value, 'bad address %r' % ip)
            cmd.tsps.append(_addr('T', ip, 4))
    else:
        _err('T', value, 'expected tsprespec=IP[,IP...], tsonly or '
             'tsandaddr')


def _split(args):
    """Pair each option letter with its parameter (None for -R); return
    (options, target)."""
    opts = []
    i = 0
    while i < len(args) and args[i].startswith('-'):
        word = args[i]
        i += 1
        if len(word) < 2 or word[1] == '-':
            raise CommandError('ping: unknown option %s' % word)
        for j, c in enumerate(word[1:]):
            if c == 'R':
                opts.append(('R', None))
            elif c in _PARAM:
                if j != len(word) - 2 or i >= len(args):
                    raise CommandError('ping: -%s needs a parameter' % c)
                opts.append((c, args[i]))
                i += 1
            else:
                raise CommandError('ping: unknown option -%s' % c)
    if i == len(args):
        raise CommandError('ping: no target address')
    if i != len(args) - 1:
        raise CommandError('ping: unexpected words after %s' % args[i])
    return opts, args[i]


def parse(args):
    """Parse the words after ``ping``; raise CommandError on any problem."""
    opts, target = _split(args)
    cmd = PingCommand()
    src = rtr = tsopt = pattern = payload = None
    dport = -1
    timeout = None
    for opt, v in opts:
        if opt == 'A':
            cmd.tcpack = _num('A', v, 0, 0xffffffff)
        elif opt == 'B':
            payload = _hex('B', v, 2000, True)
        elif opt == 'c':
            cmd.count = _num('c', v, 1, 65535)
        elif opt == 'C':
            cmd.icmpsum = strtol(v)
            if not 0 <= cmd.icmpsum <= 65535:
                _err('C', v, 'out of range 0..65535')
            cmd.flags |= R.FLAG_ICMPSUM
        elif opt == 'd':
            dport = _num('d', v, 0, 65535)
        elif opt == 'F':
            cmd.sport = _num('F', v, 0, 65535)
        elif opt == 'i':
            # with a unit, as scamper 2026 reads it; else as 20211212
            cmd.wait_us = _time('i', v, 1, 1000, 20000000) \
                if _has_unit(v) else _wait(v)
        elif opt == 'm':
            cmd.ttl = _num('m', v, 1, 255)
        elif opt == 'M':
            cmd.reply_pmtu = _num('M', v, 0, 65535)
            cmd.flags |= R.FLAG_DL
        elif opt == 'o':
            cmd.reply_count = _num('o', v, 0, 65535)
        elif opt == 'O':
            if v.lower() not in _OPTIONS:
                _err('O', v, 'expected dl, spoof, tbt or nosrc')
            cmd.flags |= _OPTIONS[v.lower()]
        elif opt == 'p':
            pattern = _hex('p', v, 31, False)
        elif opt == 'P':
            if v.lower() not in _METHODS:
                _err('P', v, 'unknown method')
            cmd.method = v.lower()
        elif opt == 'r':
            if rtr is not None:
                _err('r', v, 'given twice')
            rtr = v
        elif opt == 'R':
            cmd.flags |= R.FLAG_V4RR
        elif opt == 's':
            cmd.size = _num('s', v, 0, 65535)
        elif opt == 'S':
            if src is not None:
                _err('S', v, 'given twice')
            src = v
        elif opt == 'T':
            if tsopt is not None:
                _err('T', v, 'given twice')
            tsopt = v
        elif opt == 'U':
            # scamper keeps the low 32 bits of any non-negative value
            cmd.userid = _num('U', v, 0, 2**63 - 1) & 0xffffffff
        elif opt == 'W':
            # whole seconds: 20211212's warts keeps no fraction of them
            timeout = _time('W', v, 1000000, 1, 255)
        elif opt == 'z':
            cmd.tos = _num('z', v, 0, 255)

    try:
        cmd.dst, cmd.family = addr.parse(target)
    except ValueError:
        raise CommandError('ping: %s: not an IP address' % target)
    v4 = cmd.family == 4

    if pattern is not None and payload is not None:
        raise CommandError('ping: -p %s and -B %s: give only one' %
                           (pattern.hex(), payload.hex()))
    if payload is not None:
        cmd.data = payload
        cmd.flags |= R.FLAG_PAYLOAD
    elif pattern is not None:
        cmd.data = pattern

    if not v4:
        if cmd.flags & R.FLAG_V4RR:
            raise CommandError('ping: -R: record route is IPv4 only')
        if tsopt is not None:
            _err('T', tsopt, 'IP timestamps are IPv4 only')
        if cmd.method == 'icmp-time':
            _err('P', 'icmp-time', 'ICMP timestamps are IPv4 only')
    if tsopt is not None:
        if cmd.flags & R.FLAG_V4RR:
            _err('T', tsopt, 'cannot be combined with -R')
        _tsopt(cmd, tsopt)

    kind = family_of(cmd.method)
    cmps = 20 + cmd.ip_options_len() if v4 else 40
    if (cmd.flags & R.FLAG_SPOOF and not cmd.flags & R.FLAG_NOSRC
            and cmd.method not in ('tcp-synack', 'tcp-rst')):
        cmps += 4 if v4 else 16
    cmps += {'icmp': 8, 'tcp': 20, 'udp': 8}[kind] + len(payload or b'')
    if kind == 'icmp':
        if cmd.flags & R.FLAG_ICMPSUM:
            cmps += 2
        if cmd.method == 'icmp-time':
            cmps += 12
    if cmd.size == 0:
        cmd.size = cmps
        if payload is None:
            cmd.size += {'icmp': 44 if cmd.method == 'icmp-time' else 56,
                         'tcp': 0, 'udp': 12}[kind]
    if cmd.size < cmps:
        _err('s', cmd.size, 'smaller than the minimum %d' % cmps)
    if cmd.method == 'icmp-time' and cmd.size < cmps + 12:
        # the 12 timestamp bytes are carried in the payload
        _err('s', cmd.size, 'no room for the timestamps (minimum %d)'
             % (cmps + 12))

    if cmd.flags & R.FLAG_TBT:
        if v4:
            _err('O', 'tbt', 'the too-big trick is IPv6 only')
        if cmd.reply_pmtu == 0 or cmd.size <= cmd.reply_pmtu:
            _err('O', 'tbt', 'needs -M, and -s larger than it')
    if cmd.flags & R.FLAG_ICMPSUM and kind != 'icmp':
        _err('C', cmd.icmpsum, 'only for ICMP methods')
    if src is not None:
        cmd.src = _addr('S', src, cmd.family)
    if rtr is not None:
        cmd.rtr = _addr('r', rtr, cmd.family)

    if dport == -1:
        dport = 0 if kind == 'icmp' else 33435
    cmd.dport = dport
    if timeout is None:
        timeout = max(1, cmd.wait_us // 1000000)
    cmd.timeout = timeout
    return cmd
