"""sniff's command line, as scamper 20211212 parses it."""

import pytest

from scamperd.method import CommandError
from scamperd.sniff.cmd import parse


def test_defaults():
    c = parse('-S 192.0.2.1 icmp[icmpid] == 4660'.split())
    assert (c.src, c.dst, c.family) == (bytes((192, 0, 2, 1)),) * 2 + (4,)
    assert (c.limit_pktc, c.limit_time, c.icmpid, c.userid) == (
        100, 60, 4660, 0)


def test_options():
    c = parse('-c 4 -G 5 -U 3 -S 2001:db8:1::1 ICMP[ICMPID] == 0'.split())
    assert c.family == 6
    assert (c.limit_pktc, c.limit_time, c.icmpid, c.userid) == (4, 5, 0, 3)
    assert parse('-G 0 -c 5000 -S 192.0.2.1 icmp[icmpid] == 65535'
                 .split()).icmpid == 65535


@pytest.mark.parametrize('line, why', [
    ('icmp[icmpid] == 1', 'missing -S'),
    ('-S 192.0.2.1', 'no expression'),
    ('-S 192.0.2.1 icmp[icmpid] == 65536', 'expression'),
    ('-S 192.0.2.1 icmp[icmpid] == -1', 'expression'),
    ('-S 192.0.2.1 icmp[icmpid] == x', 'expression'),
    ('-S 192.0.2.1 icmp[icmpid] == 1 2', 'expression'),
    ('-S 192.0.2.1 icmp[icmpid] ==', 'expression'),
    ('-S 192.0.2.1 tcp port 80', 'expression'),
    ('-S 192.0.2.1 -c 0 icmp[icmpid] == 1', 'out of range 1..5000'),
    ('-S 192.0.2.1 -c 5001 icmp[icmpid] == 1', 'out of range'),
    ('-S 192.0.2.1 -G 1201 icmp[icmpid] == 1', 'out of range 0..1200'),
    ('-S 192.0.2.1 -U -1 icmp[icmpid] == 1', 'out of range'),
    ('-S 192.0.2.1 -G x icmp[icmpid] == 1', 'not a number'),
    ('-S foo icmp[icmpid] == 1', 'not an IP address'),
    ('-x 1 -S 192.0.2.1 icmp[icmpid] == 1', 'unknown option'),
    ('-S', 'needs a parameter'),
])
def test_errors(line, why):
    with pytest.raises(CommandError, match=why):
        parse(line.split())
