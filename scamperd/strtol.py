"""C's strtol(text, NULL, 0), which scamper reads numbers with, on a
64-bit system: leading white space, a sign, 0x for hex and 0 for octal,
then digits up to the first other character (none: 0); a value beyond a
long saturates at LONG_MAX or LONG_MIN, so that any number of digits
costs no more than a few."""

import re

LONG_MAX = (1 << 63) - 1

_NUMBER = re.compile(r'[ \t\n\v\f\r]*([+-]?)'
                     r'(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)')


def strtol(text):
    return strtol_errno(text)[0]


def strtol_errno(text):
    """(strtol(text), True when C's strtol would set ERANGE)."""
    m = _NUMBER.match(text)
    if m is None:
        return 0, False
    sign, digits = m.groups()
    if digits[:2] in ('0x', '0X'):
        digits, base = digits[2:].lstrip('0'), 16
    elif digits[0] == '0':
        digits, base = digits.lstrip('0'), 8
    else:
        base = 10
    # 22 octal digits already pass LONG_MAX: no longer string is read
    v = LONG_MAX + 2 if len(digits) > 22 else int(digits or '0', base)
    if sign == '-':
        return max(-v, -LONG_MAX - 1), -v < -LONG_MAX - 1
    return min(v, LONG_MAX), v > LONG_MAX
