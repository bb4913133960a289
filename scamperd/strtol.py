"""C's strtol(text, NULL, 0), which scamper reads numbers with, on a
64-bit system: leading white space, a sign, 0x for hex and 0 for octal,
then digits up to the first other character (none: 0); a value beyond a
long saturates at LONG_MAX or LONG_MIN, so that any number of digits
costs no more than a few.  And the checks of the characters a number may
have that scamper makes before it reads one.

Scanned by hand, not with re: the command parsers use these, and loading
re is a millisecond or two of a worker's start-up."""

LONG_MAX = (1 << 63) - 1

SPACE = frozenset(' \t\n\v\f\r')
DIGITS = frozenset('0123456789')
OCTAL = frozenset('01234567')
HEX = frozenset('0123456789abcdefABCDEF')
DOTTED = frozenset('0123456789.')


def strtol(text):
    return strtol_errno(text)[0]


def _span(text, i, chars):
    """The index of the first character at or after i not in chars."""
    n = len(text)
    while i < n and text[i] in chars:
        i += 1
    return i


def strtol_errno(text):
    """(strtol(text), True when C's strtol would set ERANGE)."""
    i = _span(text, 0, SPACE)
    sign = text[i:i + 1]
    if sign in ('+', '-'):
        i += 1
    if text[i:i + 2] in ('0x', '0X') and text[i + 2:i + 3] in HEX:
        digits, base = text[i + 2:_span(text, i + 2, HEX)].lstrip('0'), 16
    elif text[i:i + 1] == '0':
        digits, base = text[i + 1:_span(text, i + 1, OCTAL)].lstrip('0'), 8
    elif text[i:i + 1] in DIGITS:
        digits, base = text[i:_span(text, i, DIGITS)], 10
    else:
        return 0, False
    # 22 octal digits already pass LONG_MAX: no longer string is read
    v = LONG_MAX + 2 if len(digits) > 22 else int(digits or '0', base)
    if sign == '-':
        return max(-v, -LONG_MAX - 1), -v < -LONG_MAX - 1
    return min(v, LONG_MAX), v > LONG_MAX


def is_decimal(text):
    """``text`` is [-]digits (scamper's NUM parameters)."""
    digits = text[1:] if text[:1] == '-' else text
    return bool(digits) and DIGITS.issuperset(digits)


def is_hex(text):
    """``text`` is one or more hexadecimal digits."""
    return bool(text) and HEX.issuperset(text)


def is_dotted(text):
    """``text`` is one or more digits and dots."""
    return bool(text) and DOTTED.issuperset(text)
