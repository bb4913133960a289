"""tracelb options, as scamper 20211212's scamper_do_tracelb_alloc()
reads them: defaults, ranges, and the errors for bad values."""

import pytest

from scamperd.method import CommandError
from scamperd.tracelb.cmd import parse


def test_defaults():
    c = parse(['192.0.2.1'])
    assert (c.method, c.confidence, c.dport, c.firsthop, c.gaplimit,
            c.attempts, c.probec_max, c.tos, c.userid, c.wait_timeout,
            c.wait_probe, c.sport) == ('udp-dport', 95, 33435, 1, 3, 2,
                                       3000, 0, 0, 5, 25, None)
    assert c.dst == bytes([192, 0, 2, 1]) and c.family == 4
    assert c.probe_size == 44


def test_probe_sizes():
    assert parse(['-P', 'tcp-sport', '192.0.2.1']).probe_size == 40
    assert parse(['-P', 'tcp-ack-sport', '192.0.2.1']).probe_size == 40
    assert parse(['-P', 'icmp-echo', '192.0.2.1']).probe_size == 44
    assert parse(['2001:db8::1']).probe_size == 60
    assert parse(['-P', 'icmp-echo', '2001:db8::1']).probe_size == 60


def test_every_option():
    c = parse('-c 99 -d 80 -f 3 -g 5 -P UDP-Sport -q 5 -Q 50 -s 1234 '
              '-t 16 -U 7 -w 10 -W 200 192.0.2.1'.split())
    assert (c.confidence, c.dport, c.firsthop, c.gaplimit, c.method,
            c.attempts, c.probec_max, c.tos, c.userid,
            c.wait_timeout, c.wait_probe) == (
        99, 80, 3, 5, 'udp-sport', 5, 50, 16, 7, 10, 200)
    # scamper 20211212 checks -s but never uses it
    assert c.sport is None


@pytest.mark.parametrize('words', (
    '-c 90', '-d 0', '-d 65536', '-f 0', '-f 255', '-g 0', '-g 6',
    '-P udp', '-q 0', '-q 6', '-Q 49', '-Q 65536', '-s 0', '-t 256',
    '-U -1', '-w 0', '-w 11', '-W 14', '-W 201', '-O foo', '-x 1',
    '-c', '-d abc'))
def test_bad_values(words):
    with pytest.raises(CommandError):
        parse(words.split() + ['192.0.2.1'])


def test_bad_targets():
    for words in ([], ['foo'], ['192.0.2.1', '192.0.2.2'],
                  ['-P', 'tcp-sport', '2001:db8::1'],
                  ['-P', 'tcp-ack-sport', '2001:db8::1']):
        with pytest.raises(CommandError):
            parse(words)


def test_unsupported_options_say_so():
    with pytest.raises(CommandError, match='ptr'):
        parse(['-O', 'ptr', '192.0.2.1'])
    with pytest.raises(CommandError, match='rtraddr'):
        parse(['-r', '192.0.2.9', '192.0.2.1'])
