"""neighbourdisc's command line, as scamper 20211212 parses it."""

import pytest

from scamperd.method import CommandError
from scamperd.neighbourdisc import result as R
from scamperd.neighbourdisc.cmd import parse


def test_defaults_arp():
    c = parse(['-i', 'eth0', '192.0.2.2'])
    assert (c.ifname, c.family, c.dst, c.src) == (
        'eth0', 4, bytes((192, 0, 2, 2)), None)
    assert (c.flags, c.attempts, c.replyc, c.wait) == (0, 1, 0, 1000)


def test_options_nsol():
    c = parse(['-i', 'r1', '-q', '3', '-w', '100', '-Q', '-S',
               '2001:db8::1', '2001:db8::2'])
    assert c.family == 6 and c.flags == R.FLAG_ALLATTEMPTS
    assert (c.attempts, c.wait) == (3, 100)
    assert c.src == bytes.fromhex('20010db8' + '0' * 22 + '01')


def test_first_response():
    c = parse(['-F', '-o', '1', '-q', '3', '-i', 'r1', '192.0.2.2'])
    assert c.flags == R.FLAG_FIRSTRESPONSE and c.replyc == 1


@pytest.mark.parametrize('words, why', [
    (['192.0.2.2'], '-i interface is required'),
    (['-i', 'r1'], 'no address'),
    (['-i', 'r1', '192.0.2.2', 'x'], 'unexpected words'),
    (['-i', 'r1', 'foo'], 'not an IP address'),
    # a NUL made workers die until other clients' tasks were given up
    (['-i', '\0', '192.0.2.2'], "x00': not an interface name"),
    (['-i', 'a b', '192.0.2.2'], 'not an interface name'),
    (['-i', '..', '192.0.2.2'], 'not an interface name'),
    (['-i', 'x' * 16, '192.0.2.2'], 'not an interface name'),
    (['-i', 'r1:0', '192.0.2.2'], 'not an interface name'),
    (['-i', 'r1', '-q', '0', '192.0.2.2'], 'out of range 1..65535'),
    (['-i', 'r1', '-q', '65536', '192.0.2.2'], 'out of range'),
    (['-i', 'r1', '-o', '-1', '192.0.2.2'], 'out of range 0..65535'),
    (['-i', 'r1', '-w', '99', '192.0.2.2'], 'out of range 100..65535'),
    (['-i', 'r1', '-w', 'x', '192.0.2.2'], 'not a number'),
    (['-i', 'r1', '-x', '192.0.2.2'], 'unknown option -x'),
    (['-i', 'r1', '-S', '192.0.2.1', '192.0.2.2'], 'IPv6'),
    (['-i', 'r1', '-S', '192.0.2.1', '2001:db8::2'], 'not an IPv6'),
    (['-i', 'r1', '-S', '2001:db8::1', '-S', '2001:db8::1', '2001:db8::2'],
     'given twice'),
    (['-i', 'r1', '-F', '-Q', '192.0.2.2'], '-F'),
    (['-i', 'r1', '-F', '-o', '2', '192.0.2.2'], '-F'),
    (['-i', 'r1', '-Q', '-q', '3', '-o', '2', '192.0.2.2'], '-Q'),
    (['-i', 'r1', '-w'], 'needs a parameter'),
])
def test_errors(words, why):
    with pytest.raises(CommandError, match=why):
        parse(words)


def test_all_attempts_with_enough_replies():
    c = parse(['-i', 'r1', '-Q', '-q', '3', '-o', '3', '192.0.2.2'])
    assert c.replyc == 3
