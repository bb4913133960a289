"""scamperd/addr.py reads addresses as ipaddress.ip_address does (the
oracle here): the same accepted, the same bytes, on mutations of
addresses of both families, with scopes, embedded IPv4 and junk."""

import ipaddress
import random

import pytest

from scamperd import addr

SEEDS = ['192.0.2.1', '2001:db8::1', '::ffff:192.0.2.1', '::', '1::',
         'fe80::1%eth0', '0.0.0.0', '255.255.255.255', '1.2.3.04',
         '::1.2.3.4', '2001:db8:0:0:0:0:0:1']
ALPHABET = list('0123456789abcdefABCDEF:.%x \n') + ['\u0663']


def _oracle(text):
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return None
    return a.packed, a.version


def _ours(text):
    try:
        return addr.parse(text)
    except ValueError:
        return None


def test_reads_as_ipaddress():
    rng = random.Random(1)
    for _ in range(100000):
        s = list(rng.choice(SEEDS))
        for _ in range(rng.randint(0, 3)):
            i = rng.randint(0, len(s))
            op = rng.random()
            if op < 0.4 and s:
                s[min(i, len(s) - 1)] = rng.choice(ALPHABET)
            elif op < 0.7:
                s.insert(i, rng.choice(ALPHABET))
            elif s:
                del s[min(i, len(s) - 1)]
        text = ''.join(s)
        assert _ours(text) == _oracle(text), repr(text)


@pytest.mark.parametrize('text', ['', '1.2.3', '1.2.3.256', '1.2.3.04',
                                  'fe80::1%', '::1::', 'x'])
def test_refuses(text):
    with pytest.raises(ValueError):
        addr.parse(text)


def test_scope_is_read_and_dropped():
    assert addr.parse('fe80::1%eth0') == (addr.parse('fe80::1')[0], 6)
