"""Times on command lines as scamper 2026 reads them (its utils.c
timeval_fromstr), so that its clients' `-w 2.0s` and `-W 0.5s` work here:
digits, an optional fraction, and an optional unit, `s`, `ms` or `us`; a
number without a unit is in the option's own unit, so scamper 20211212's
plain numbers mean what they meant.  A fraction may have only as many
digits as the unit leaves microseconds for (`1.5ms` yes, `1.0005ms` no)."""

from scamperd.strtol import DIGITS

_SUFFIX = {'s': 1000000, 'ms': 1000, 'us': 1}
_NAMES = {1000000: 's', 1000: 'ms', 1: 'us'}


def fromstr(text, unit):
    """Microseconds in ``text``, a number of ``unit`` microseconds (a power
    of ten up to 1 000 000) unless it names its unit; None if malformed."""
    i = 0
    while i < len(text) and text[i] in DIGITS:
        i += 1
    whole, frac, rest = text[:i], None, text[i:]
    if rest[:1] == '.':
        j = 1
        while j < len(rest) and rest[j] in DIGITS:
            j += 1
        frac, rest = rest[1:j], rest[j:]
    # more digits than 18 would pass any bound: not a time
    if not 0 < len(whole) <= 18 or frac == '' or \
            (rest and rest not in _SUFFIX):
        return None
    suffix = rest
    if suffix:
        unit = _SUFFIX[suffix]
    us = int(whole) * unit
    if frac and frac.strip('0'):
        places = len(str(unit)) - 1         # fraction digits the unit allows
        if len(frac) > places:
            return None
        us += int(frac) * 10 ** (places - len(frac))
    return us


def parse(text, unit, step, lo, hi):
    """``text`` (see fromstr) in multiples of ``step`` microseconds, within
    lo..hi of them; ValueError says what is wrong."""
    us = fromstr(text, unit)
    if us is None:
        raise ValueError('not a time')
    if us % step:
        raise ValueError('granularity is %s' % show(step))
    n = us // step
    if not lo <= n <= hi:
        raise ValueError('must be within %s - %s' % (show(lo * step),
                                                     show(hi * step)))
    return n


def show(us):
    """``us`` microseconds in the largest unit that keeps it whole."""
    for unit in (1000000, 1000, 1):
        if us % unit == 0:
            return '%d%s' % (us // unit, _NAMES[unit])
