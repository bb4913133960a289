"""The ``dealias`` command line, parsed as scamper 20211212 parses it
(scamper/dealias/scamper_dealias_do.c: scamper_do_dealias_alloc and the
dealias_alloc_* of each method).

Every option takes a parameter (the next word).  The words after the
options are the method's addresses: one for mercator, two for ally (unless
both probe definitions give -i), one or more for radargun (unless two or
more probe definitions give -i), ``A B/prefix`` for prefixscan, none for
bump.  A probe definition (-p) is itself a small option string:
``-P method -i ip -d dport -F sport -c icmp-sum -s size -t ttl -M mtu``.
Defaults, limits and the options each method refuses are scamper's.
"""

import ipaddress
import re

from scamperd.dealias import result as R
from scamperd import timeval
from scamperd.method import CommandError
from scamperd.strtol import strtol

_RANGES = {   # option -> (lo, hi)
    'd': (1, 65535), 'f': (1, 65535), 'q': (1, 500), 's': (1, 65535),
    't': (1, 255), 'w': (1, 255), 'W': (1, 65535), 'r': (1, 180000),
    'o': (3, 255), 'U': (0, 2**63 - 1)}
_STR = set('mOpx')
_TIMES = {'w': 1000000, 'W': 1000, 'r': 1000}  # times: their plain unit
_OPTIONS = ('nobs', 'shuffle', 'inseq')

NOT_YET = ()

_PD_RANGES = {'d': (1, 65535), 'F': (1, 65535), 's': (100, 65535),
              't': (1, 255), 'M': (100, 65535)}
_PD_STR = set('ciP')


def _err(msg):
    raise CommandError('dealias: ' + msg)


def _split(words, numeric, strings, what):
    """(option letter, parameter) pairs and the words after the options."""
    opts = []
    i = 0
    while i < len(words) and words[i].startswith('-'):
        word = words[i]
        if len(word) != 2 or word[1] not in numeric and word[1] not in strings:
            _err('%sunknown option %s' % (what, word))
        if i + 1 == len(words):
            _err('%s%s needs a parameter' % (what, word))
        v = words[i + 1]
        if word[1] in numeric and word[1] not in _TIMES and \
                not re.fullmatch(r'-?[0-9]+', v):
            _err('%s%s %s: not a number' % (what, word, v))
        opts.append((word[1], v))
        i += 2
    return opts, words[i:]


def _num(opt, v, ranges, what=''):
    lo, hi = ranges[opt]
    if opt in _TIMES:
        try:
            return timeval.parse(v, _TIMES[opt], _TIMES[opt], lo, hi)
        except ValueError as e:
            _err('%s-%s %s: %s' % (what, opt, v, e))
    n = strtol(v)
    if n < lo or n > hi:
        _err('%s-%s %s: out of range %d..%d' % (what, opt, v, lo, hi))
    return n


def _addr(text, what, family=None):
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        _err('%s%s: not an IP address' % (what, text))
    if family is not None and a.version != family:
        _err('%s%s: not an IPv%d address' % (what, text, family))
    return a.packed


def parse_probedef(text, sport):
    """A DealiasProbedef from a -p string (its dst None unless -i);
    ``sport`` is the default source port / ICMP id (scamper's)."""
    from scamperd.commands import split     # (commands imports us)
    what = "-p '%s': " % text
    opts, rest = _split(split(text), _PD_RANGES, _PD_STR, what)
    if rest:
        _err('%sunexpected %s' % (what, ' '.join(rest)))
    seen = {}
    for o, v in opts:
        if o in seen:
            _err('%s-%s given twice' % (what, o))
        seen[o] = v
    pd = R.DealiasProbedef(method=R.PROBE_METHODS['udp'], ttl=255)
    if 'P' in seen:
        name = seen['P'].lower()
        if name not in R.PROBE_METHODS:
            _err('%s-P %s: unknown probe method' % (what, seen['P']))
        pd.method = R.PROBE_METHODS[name]
    if 'i' in seen:
        pd.dst = _addr(seen['i'], what)
    for o, attr in (('t', 'ttl'), ('s', 'size'), ('M', 'mtu')):
        if o in seen:
            setattr(pd, attr, _num(o, seen[o], _PD_RANGES, what))
    dport = _num('d', seen['d'], _PD_RANGES, what) if 'd' in seen else 33435
    psport = _num('F', seen['F'], _PD_RANGES, what) if 'F' in seen else sport
    if pd.is_icmp:
        for o in ('F', 'd'):
            if o in seen:
                _err('%s-%s is not for icmp-echo' % (what, o))
        csum = strtol(seen.get('c', '0'))
        if not 0 <= csum <= 65535:
            _err('%s-c %s: out of range 0..65535' % (what, seen['c']))
        pd.icmp_csum, pd.icmp_id = csum, sport
    else:
        if 'c' in seen:
            _err('%s-c is only for icmp-echo' % what)
        pd.sport, pd.dport = psport, dport
        if pd.is_tcp:
            pd.tcp_flags = 0x02 if pd.method == 6 else 0x10
    if pd.size and not pd.is_icmp:
        # scamper accepts it, then cannot start the task
        _err('%s-s is only for icmp-echo' % what)
    return pd


class DealiasCommand:
    """A parsed dealias command.  ``dealias`` is the result to fill (its
    probedefs without src); ``dst`` the first probedef's destination."""

    name = 'dealias'
    src = None
    sport = None

    def __init__(self, dealias, family):
        self.dealias = dealias
        self.family = family
        self.dst = dealias.probedefs[0].dst if dealias.probedefs else \
            dealias.a

    def sig(self):
        """Every address the task may probe, as scamper's signatures name
        them (one per probe definition; prefixscan's for a and each
        candidate), so that no two tasks probing one address run at once:
        they would use the same ICMP id or ports there."""
        d = self.dealias
        out = [pd.dst for pd in d.probedefs if pd.dst is not None]
        if d.method == 'prefixscan':
            from scamperd.dealias.method import prefixscan_addrs
            out = [d.a] + prefixscan_addrs(d.a, d.b, d.prefix, d.xs)
        return tuple(dict.fromkeys(out)) or (self.dst,)

    def create(self, ctx):
        from scamperd.dealias.method import DealiasMethod
        return DealiasMethod(self, ctx)


def parse(args, sport=None):
    """Parse the words after ``dealias``.  ``sport``: the default source
    port, which scamper writes into the probedefs (None: filled in by
    :meth:`DealiasCommand.create` from the engine's)."""
    opts, addrs = _split(args, _RANGES, _STR, '')
    o = {'pds': [], 'xs': [], 'nobs': 0, 'shuffle': 0, 'inseq': 0}
    method = 'mercator'
    for opt, v in opts:
        if opt == 'm':
            if v.lower() not in ('mercator', 'ally', 'radargun',
                                 'prefixscan', 'bump'):
                _err('-m %s: unknown method' % v)
            method = v.lower()
        elif opt == 'O':
            if v.lower() not in _OPTIONS:
                _err('-O %s: expected nobs, shuffle or inseq' % v)
            o[v.lower()] = 1
        elif opt == 'p':
            o['pds'].append(v)
        elif opt == 'x':
            o['xs'].append(v)
        else:
            o[opt] = _num(opt, v, _RANGES)
    d = R.Dealias(method=method, userid=o.pop('U', 0) & 0xffffffff)
    d.wait_timeout = o.get('w', 5)
    sp = sport if sport is not None else 0
    family = _ALLOC[method](d, o, addrs, sp)
    if method in NOT_YET:
        raise CommandError('dealias -m %s is not supported yet' % method)
    return DealiasCommand(d, family)


def _refuse(o, method, *names):
    for n in names:
        if o.get(n) if n in ('pds', 'xs') else o.get(n, 0):
            flag = {'pds': '-p', 'xs': '-x', 'nobs': '-O nobs',
                    'shuffle': '-O shuffle', 'inseq': '-O inseq'}.get(
                        n, '-' + n)
            _err('%s is not valid with -m %s' % (flag, method))


def _mercator(d, o, addrs, sport):
    _refuse(o, 'mercator', 'pds', 'xs', 'W', 'f', 'nobs', 'o', 'shuffle',
            'inseq')
    if o.get('q', 0) > 3:
        _err('-q %d: mercator makes at most 3 attempts' % o['q'])
    if len(addrs) != 1:
        _err('mercator needs one address')
    d.attempts = o.get('q', 3)
    d.probedefs = [R.DealiasProbedef(
        dst=_addr(addrs[0], ''), method=R.PROBE_METHODS['udp'],
        ttl=o.get('t', 255), sport=o.get('s', sport),
        dport=o.get('d', 33435))]
    return _family(d.probedefs)


def _ally(d, o, addrs, sport):
    _refuse(o, 'ally', 'xs', 'd', 's', 't', 'o', 'shuffle')
    if len(o['pds']) > 2:
        _err('ally takes at most two probe definitions')
    if o['inseq'] and o.get('f'):
        _err('-O inseq and -f: give only one')
    d.wait_probe = o.get('W', 150)
    d.attempts = o.get('q', 5)
    d.fudge = o.get('f', 0 if o['inseq'] else 200)
    pds = [parse_probedef(s, sport) for s in o['pds']]
    if not pds:
        pds = [R.DealiasProbedef(method=3, ttl=255, sport=sport,
                                 dport=33435) for _ in range(2)]
    elif len(pds) == 1:
        if pds[0].dst is not None or not addrs:
            _err('ally: give the two addresses after the options')
        pds.append(_copy(pds[0]))
    if addrs:
        if any(p.dst is not None for p in pds):
            _err('ally: addresses given both with -i and after the options')
        if len(addrs) != 2:
            _err('ally needs two addresses')
        for p, a in zip(pds, addrs):
            p.dst = _addr(a, '')
    elif any(p.dst is None for p in pds):
        _err('ally needs two addresses')
    family = _family(pds)
    for i, p in enumerate(pds):
        p.id = i
    d.probedefs = pds
    if o['nobs'] or family == 6:
        d.flags |= R.ALLY_FLAG_NOBS
    return family


def _radargun(d, o, addrs, sport):
    _refuse(o, 'radargun', 'xs', 'd', 's', 't', 'nobs', 'o', 'inseq')
    pdc = len(o['pds'])
    d.wait_probe = o.get('W', 150)
    d.attempts = o.get('q', 30)
    d.wait_round = o.get('r', pdc * d.wait_probe)
    if o['shuffle']:
        d.flags |= R.RADARGUN_FLAG_SHUFFLE
    if pdc >= 2 and not addrs:
        pds = [parse_probedef(s, sport) for s in o['pds']]
        if any(p.dst is None for p in pds):
            _err('radargun: every probe definition needs -i')
    elif pdc < 2 and addrs:
        pd0 = parse_probedef(o['pds'][0], sport) if pdc else \
            R.DealiasProbedef(method=3, ttl=255, sport=sport, dport=33435)
        if pd0.dst is not None:
            _err('radargun: addresses given both with -i and after the '
                 'options')
        pds = []
        for a in addrs:
            p = _copy(pd0)
            p.dst = _addr(a, '')
            pds.append(p)
    else:
        _err('radargun: give addresses after the options, or two or more '
             'probe definitions with -i')
    for i, p in enumerate(pds):
        p.id = i
    d.probedefs = pds
    return _family(pds)


def _prefixscan(d, o, addrs, sport):
    _refuse(o, 'prefixscan', 'd', 's', 't', 'shuffle')
    if len(o['pds']) != 1:
        _err('prefixscan needs one probe definition')
    if o['inseq'] and o.get('f'):
        _err('-O inseq and -f: give only one')
    if len(addrs) != 2:
        _err('prefixscan needs an address and a prefix')
    d.wait_probe = o.get('W', 1000)
    d.attempts = o.get('q', 2)
    d.replyc = o.get('o', 5)
    d.fudge = o.get('f', 0 if o['inseq'] else 200)
    if o['nobs']:
        d.flags |= R.PREFIXSCAN_FLAG_NOBS
    b, slash, plen = addrs[1].partition('/')
    if not slash:
        _err('prefixscan: %s: missing /prefix' % addrs[1])
    prefix = strtol(plen)
    if prefix < 24 or prefix >= 32:
        _err('prefixscan: /%s: prefix length out of range 24..31' % plen)
    pd = parse_probedef(o['pds'][0], sport)
    if pd.dst is not None:
        _err('prefixscan: -i is not valid in the probe definition')
    d.a = _addr(addrs[0], '')
    family = 4 if len(d.a) == 4 else 6
    if family != 4:
        _err('prefixscan is IPv4 only')
    d.b = _addr(b, '', family)
    d.prefix = prefix
    pd.dst = d.a
    d.probedefs = [pd]
    d.xs = sorted(_addr(x, '-x ', family) for x in dict.fromkeys(o['xs']))
    return family


def _bump(d, o, addrs, sport):
    _refuse(o, 'bump', 'xs', 'd', 's', 't', 'o', 'shuffle')
    if len(o['pds']) != 2:
        _err('bump needs two probe definitions')
    if addrs:
        _err('bump: give the addresses with -i in the probe definitions')
    if o['inseq'] and o.get('f'):
        _err('-O inseq and -f: give only one')
    d.wait_probe = o.get('W', 1000)
    d.attempts = o.get('q', 3)
    d.bump_limit = o.get('f', 30)
    pds = [parse_probedef(s, sport) for s in o['pds']]
    for i, p in enumerate(pds):
        if p.dst is None or len(p.dst) != 4:
            _err('bump: probe definition %d needs an IPv4 -i' % i)
        p.id = i
    d.probedefs = pds
    return 4


_ALLOC = {'mercator': _mercator, 'ally': _ally, 'radargun': _radargun,
          'prefixscan': _prefixscan, 'bump': _bump}


def _copy(p):
    return R.DealiasProbedef(**{k: getattr(p, k) for k in p.__slots__})


def _family(pds):
    fams = {len(p.dst) for p in pds}
    if len(fams) != 1:
        _err('the addresses are of different families')
    return 4 if fams.pop() == 4 else 6
