"""The ping command parser against scamper 20211212's rules (checked with
Debian's /usr/bin/scamper in a pair of network namespaces)."""

import pytest

from scamperd.method import CommandError
from scamperd.ping import result as R
from scamperd.ping.cmd import parse
from scamperd.strtol import strtol as strtoll

V4, V6 = '192.0.2.9', '2001:db8::9'


@pytest.mark.parametrize('method,dst,size,dport', [
    ('icmp-echo', V4, 84, 0), ('icmp-echo', V6, 104, 0),
    ('icmp-time', V4, 84, 0),
    ('tcp-syn', V4, 40, 33435), ('tcp-syn', V6, 60, 33435),
    ('tcp-ack', V4, 40, 33435), ('tcp-ack-sport', V6, 60, 33435),
    ('udp', V4, 40, 33435), ('udp-dport', V6, 60, 33435),
])
def test_defaults_per_method(method, dst, size, dport):
    c = parse(['-P', method, dst])
    assert (c.method, c.size, c.dport) == (method, size, dport)
    assert (c.count, c.wait_us, c.timeout, c.ttl, c.tos) == \
        (4, 1000000, 1, 64, 0)
    assert c.sport is None and c.src is None and c.reply_count == 0
    assert c.family == (4 if dst == V4 else 6)
    assert c.name == 'ping'


def test_target_packed():
    assert parse([V4]).dst == bytes([192, 0, 2, 9])
    assert parse([V6]).dst[:4] == bytes([0x20, 0x01, 0x0d, 0xb8])


def test_numbers_are_read_like_strtoll():
    assert parse(['-c', '010', V4]).count == 8        # octal
    assert parse(['-d', '08', V4]).dport == 0         # stops at the 8
    assert strtoll('0x1f') == 31 and strtoll('12abc') == 12
    assert strtoll('abc') == 0 and strtoll('-7') == -7


@pytest.mark.parametrize('text,us', [
    ('1', 1000000), ('20', 20000000), ('0.5', 500000), ('.5', 500000),
    ('1.25', 1250000), ('0.05', 500000), ('0.001', 100000),
    ('0.123456', 123456), ('1abc', 1000000),
])
def test_wait_like_scamper(text, us):
    # scamper scales the fraction by its value: 0.05 is half a second
    assert parse(['-i', text, V4]).wait_us == us


def test_timeout_defaults_to_whole_wait():
    assert parse(['-i', '3', V4]).timeout == 3
    assert parse(['-i', '0.5', V4]).timeout == 1
    assert parse(['-i', '3', '-W', '2', V4]).timeout == 2


def test_sizes_grow_with_options():
    assert parse(['-C', '5', V4]).size == 86
    assert parse(['-R', V4]).size == 124
    assert parse(['-T', 'tsonly', V4]).size == 124
    assert parse(['-T', 'tsandaddr', V4]).size == 120
    assert parse(['-O', 'spoof', '-S', '192.0.2.77', V4]).size == 88
    assert parse(['-O', 'spoof', '-S', '2001:db8::77', V6]).size == 120
    assert parse(['-s', '85', V4]).size == 85
    c = parse(['-B', '0102', V4])
    assert (c.size, c.data, c.flags) == (30, b'\x01\x02', R.FLAG_PAYLOAD)
    assert parse(['-B', '0102', '-P', 'udp', V4]).size == 30


def test_tsprespec():
    c = parse(['-T', 'tsprespec=192.0.2.2,192.0.2.1', V4])
    assert c.size == 104
    assert c.tsps == [bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1])]


def test_pattern():
    assert parse(['-p', '123', V4]).data == b'\x01\x23'
    c = parse(['-p', '0123456789abcdef0123456789abcde', V4])
    assert c.data == bytes.fromhex('00123456789abcdef0123456789abcde')
    assert c.flags & R.FLAG_PAYLOAD == 0


def test_flags_and_misc():
    c = parse(['-RR', '-O', 'dl', '-U', '7', '-z', '255', '-m', '3',
               '-o', '2', '-F', '5000', '-d', '7', '-S', '192.0.2.1',
               '-r', '192.0.2.254', V4])
    assert c.flags == R.FLAG_V4RR | R.FLAG_DL
    assert (c.userid, c.tos, c.ttl, c.reply_count, c.sport, c.dport) == \
        (7, 255, 3, 2, 5000, 7)
    assert c.src == bytes([192, 0, 2, 1]) and c.rtr == bytes([192, 0, 2, 254])
    assert parse(['-M', '1280', V6]).flags == R.FLAG_DL
    c = parse(['-O', 'tbt', '-M', '1280', '-s', '1400', V6])
    assert c.flags == R.FLAG_DL | R.FLAG_TBT and c.reply_pmtu == 1280
    assert parse(['-U', '4294967296', V4]).userid == 0   # scamper's uint32
    assert parse(['-C', '0x1234', V4]).icmpsum == 0x1234
    c = parse(['-P', 'tcp-syn', '-A', '99', V4])
    assert c.tcpack == 99


@pytest.mark.parametrize('args,needle', [
    ([], 'no target'),
    (['-c', '1'], 'no target'),
    (['-c'], '-c needs'),
    (['-c5', V4], '-c needs'),
    (['-x', V4], 'unknown option -x'),
    (['--count', '1', V4], 'unknown option'),
    (['-', V4], 'unknown option'),
    ([V4, V6], 'unexpected words'),
    (['example.com'], 'not an IP address'),
    (['-c', '0', V4], '-c 0'), (['-c', '65536', V4], '-c 65536'),
    (['-c', 'x', V4], '-c x'), (['-c', '1x', V4], '-c 1x'),
    (['-i', '0', V4], '-i 0'), (['-i', '21', V4], '-i 21'),
    (['-i', '0.0009', V4], '-i 0.0009'), (['-i', '0.08', V4], '-i 0.08'),
    (['-i', 'abc', V4], '-i abc'), (['-i', '-1', V4], '-i -1'),
    (['-W', '0', V4], '-W 0'), (['-W', '256', V4], '-W 256'),
    (['-m', '0', V4], '-m 0'), (['-m', '256', V4], '-m 256'),
    (['-z', '256', V4], '-z 256'), (['-z', '-1', V4], '-z -1'),
    (['-d', '65536', V4], '-d 65536'), (['-F', '-1', V4], '-F -1'),
    (['-o', '65536', V4], '-o 65536'), (['-M', '70000', V6], '-M 70000'),
    (['-s', '65536', V4], '-s 65536'), (['-s', '10', V4], '-s 10'),
    (['-s', '39', '-P', 'tcp-syn', V4], '-s 39'),
    (['-s', '51', '-P', 'icmp-time', V4], '-s 51'),
    (['-B', '0102', '-s', '20', V6], '-s 20'),
    (['-U', '-1', V4], '-U -1'),
    (['-C', '65536', V4], '-C 65536'), (['-C', '-1', V4], '-C -1'),
    (['-C', '5', '-P', 'udp', V4], '-C 5'),
    (['-A', '4294967296', '-P', 'tcp-ack', V4], '-A 4294967296'),
    (['-B', '012', V4], '-B 012'), (['-B', 'zz', V4], '-B zz'),
    (['-B', '00' * 1001, V4], 'too long'),
    (['-p', 'xyz', V4], '-p xyz'), (['-p', '0' * 32, V4], 'too long'),
    (['-p', '01', '-B', '02', V4], 'give only one'),
    (['-P', 'icmp-bogus', V4], '-P icmp-bogus'),
    (['-O', 'bogus', V4], '-O bogus'),
    (['-O', 'tbt', '-M', '1280', '-s', '1400', V4], '-O tbt'),
    (['-O', 'tbt', V6], '-O tbt'),
    (['-O', 'tbt', '-M', '1280', '-s', '1280', V6], '-O tbt'),
    (['-S', '2001:db8::1', V4], '-S 2001:db8::1'),
    (['-S', 'host', V4], '-S host'),
    (['-S', '192.0.2.1', '-S', '192.0.2.2', V4], '-S 192.0.2.2'),
    (['-r', '192.0.2.1', '-r', '192.0.2.2', V4], '-r 192.0.2.2'),
    (['-r', '2001:db8::1', V4], '-r 2001:db8::1'),
    (['-T', 'tsbogus', V4], '-T tsbogus'),
    (['-T', 'tsonly', '-T', 'tsonly', V4], 'given twice'),
    (['-T', 'tsonly', '-R', V4], 'with -R'),
    (['-T', 'tsprespec=', V4], '-T tsprespec='),
    (['-T', 'tsprespec=1.2.3.4,1.2.3.5,1.2.3.6,1.2.3.7,1.2.3.8', V4],
     'at most 4'),
    (['-T', 'tsprespec=2001:db8::1', V4], '-T tsprespec='),
    # options that cannot apply to IPv6
    (['-R', V6], 'record route is IPv4 only'),
    (['-T', 'tsonly', V6], 'IPv4 only'),
    (['-P', 'icmp-time', V6], 'IPv4 only'),
])
def test_errors(args, needle):
    with pytest.raises(CommandError) as e:
        parse(args)
    assert needle in str(e.value)
