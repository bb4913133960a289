"""scamperd/strtol.py: C's strtol, scanned by hand, against the regular
expression it was read with before (the oracle here), on random text."""

import random
import re

from scamperd.strtol import (LONG_MAX, is_decimal, is_dotted, is_hex,
                             strtol_errno)

_NUMBER = re.compile(r'[ \t\n\v\f\r]*([+-]?)'
                     r'(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)')


def _by_re(text):
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
    v = LONG_MAX + 2 if len(digits) > 22 else int(digits or '0', base)
    if sign == '-':
        return max(-v, -LONG_MAX - 1), -v < -LONG_MAX - 1
    return min(v, LONG_MAX), v > LONG_MAX


def _texts(alphabet, n, seed):
    rng = random.Random(seed)
    for k in range(n):
        yield ''.join(rng.choice(alphabet) for _ in range(
            rng.randint(0, 30 if k % 10 == 0 else 6)))


def test_strtol_as_the_regular_expression_reads():
    for text in _texts(' \t\n\v+-0123456789xXabfgAF8\u0663.', 50000, 1):
        assert strtol_errno(text) == _by_re(text), repr(text)


def test_strtol_saturates_and_says_erange():
    assert strtol_errno('9' * 40) == (LONG_MAX, True)
    assert strtol_errno('-' + '7' * 40) == (-LONG_MAX - 1, True)
    assert strtol_errno('  0x1fz') == (31, False)
    assert strtol_errno('0x') == (0, False)
    assert strtol_errno('-012') == (-10, False)


def test_character_checks():
    for text in _texts('-0123456789abcdefABCDEFgx.\u0663 ', 20000, 2):
        assert is_decimal(text) == bool(re.fullmatch(r'-?[0-9]+', text))
        assert is_hex(text) == bool(re.fullmatch(r'[0-9a-fA-F]+', text))
        assert is_dotted(text) == bool(re.fullmatch(r'[0-9.]+', text))
