"""The dealias command parser against scamper 20211212's rules
(scamper_dealias_do.c: scamper_do_dealias_alloc, dealias_alloc_*,
dealias_probedef_args)."""

import pytest

from scamperd import commands
from scamperd.dealias import result as R
from scamperd.dealias.cmd import parse, parse_probedef
from scamperd.method import CommandError


def p(line, sport=None):
    return parse(commands.split(line), sport)


def A(s):
    import ipaddress
    return ipaddress.ip_address(s).packed


def test_mercator_defaults():
    c = p('198.18.2.2')
    d = c.dealias
    assert c.name == 'dealias' and c.family == 4 and c.dst == A('198.18.2.2')
    assert (d.method, d.attempts, d.wait_timeout, d.userid) == \
        ('mercator', 3, 5, 0)
    (pd,) = d.probedefs
    assert (pd.method, pd.ttl, pd.dport, pd.sport) == (3, 255, 33435, 0)
    pd = p('-m mercator -d 53 -s 1000 -t 9 -q 2 -w 1 -U 7 2001:db8::1'
           ).dealias.probedefs[0]
    assert (pd.dport, pd.sport, pd.ttl) == (53, 1000, 9)


def test_ally_defaults_and_probedefs():
    d = p('-m ally 198.18.2.2 198.18.3.1').dealias
    assert (d.wait_probe, d.attempts, d.fudge, d.wait_timeout, d.flags) == \
        (150, 5, 200, 5, 0)
    assert [x.dst for x in d.probedefs] == [A('198.18.2.2'), A('198.18.3.1')]
    assert [x.id for x in d.probedefs] == [0, 1]
    d = p("-m ally -p '-P tcp-ack -d 80' 192.0.2.5 192.0.2.6", 999).dealias
    assert [(x.method, x.dport, x.sport, x.tcp_flags)
            for x in d.probedefs] == [(2, 80, 999, 0x10)] * 2
    d = p("-m ally -p '-P icmp-echo -i 192.0.2.5 -c 77' "
          "-p '-P udp -i 192.0.2.6'").dealias
    assert (d.probedefs[0].icmp_csum, d.probedefs[1].method) == (77, 3)
    assert p('-m ally -O inseq 192.0.2.5 192.0.2.6').dealias.fudge == 0
    # IPv6 never allows for byte-swapped IP-IDs
    assert p('-m ally 2001:db8::1 2001:db8::2').dealias.flags == \
        R.ALLY_FLAG_NOBS


def test_radargun_defaults():
    d = p('-m radargun 192.0.2.1 192.0.2.2 192.0.2.3').dealias
    assert (d.attempts, d.wait_probe, d.wait_round) == (30, 150, 0)
    assert [x.id for x in d.probedefs] == [0, 1, 2]
    # the round defaults to the count of -p options times the probe wait
    d = p("-m radargun -W 50 -p '-P icmp-echo' 192.0.2.1 192.0.2.2").dealias
    assert d.wait_round == 50
    d = p("-m radargun -O shuffle -p '-i 192.0.2.1' -p '-i 192.0.2.9'"
          ).dealias
    assert d.flags == R.RADARGUN_FLAG_SHUFFLE and len(d.probedefs) == 2
    assert d.wait_round == 300


def test_prefixscan_and_bump():
    d = p("-m prefixscan -p '-P udp' -x 198.18.3.2 -x 198.18.3.0 "
          "-x 198.18.3.2 198.18.2.2 198.18.3.0/30").dealias
    assert (d.a, d.b, d.prefix) == (A('198.18.2.2'), A('198.18.3.0'), 30)
    assert d.xs == [A('198.18.3.0'), A('198.18.3.2')]
    assert (d.wait_probe, d.attempts, d.replyc, d.fudge) == (1000, 2, 5, 200)
    assert d.probedefs[0].dst == d.a
    d = p("-m bump -p '-i 192.0.2.1' -p '-i 192.0.2.2'").dealias
    assert (d.wait_probe, d.attempts, d.bump_limit) == (1000, 3, 30)


def test_probedef_defaults_and_limits():
    pd = parse_probedef('', 1234)
    assert (pd.method, pd.ttl, pd.dport, pd.sport, pd.dst) == \
        (3, 255, 33435, 1234, None)
    pd = parse_probedef('-P ICMP-ECHO -s 100 -t 3', 1234)
    assert (pd.method, pd.size, pd.ttl, pd.icmp_id) == (1, 100, 3, 1234)
    assert parse_probedef('-P tcp-syn-sport', 5).tcp_flags == 0x02
    assert parse_probedef('-P udp-dport -d 7 -F 8', 5).dport == 7


@pytest.mark.parametrize('line', [
    '-m nope 192.0.2.1',
    '-m mercator -W 10 192.0.2.1',          # option not for mercator
    '-m mercator -q 4 192.0.2.1',           # at most 3 attempts
    '-m mercator 192.0.2.1 192.0.2.2',
    '-m mercator',
    '-m mercator -q 0 192.0.2.1',
    '-m mercator -w 256 192.0.2.1',
    '-m mercator -t x 192.0.2.1',
    '-z 1 192.0.2.1',
    '-O fast 192.0.2.1',
    '-m ally 192.0.2.1',
    '-m ally -d 80 192.0.2.1 192.0.2.2',
    '-m ally -o 3 192.0.2.1 192.0.2.2',
    '-m ally -O inseq -f 10 192.0.2.1 192.0.2.2',
    '-m ally 192.0.2.1 2001:db8::1',
    "-m ally -p '-i 192.0.2.1' 192.0.2.1 192.0.2.2",
    "-m ally -p '' -p '' -p '' 192.0.2.1 192.0.2.2",
    "-m ally -p '-P udp -c 5' 192.0.2.1 192.0.2.2",
    "-m ally -p '-P icmp-echo -d 5' 192.0.2.1 192.0.2.2",
    "-m ally -p '-P udp -s 100' 192.0.2.1 192.0.2.2",
    "-m ally -p '-P icmp-echo -s 99' 192.0.2.1 192.0.2.2",
    "-m ally -p '-t 1 -t 2' 192.0.2.1 192.0.2.2",
    "-m ally -p '-P bogus' 192.0.2.1 192.0.2.2",
    "-m ally -p '-P udp extra' 192.0.2.1 192.0.2.2",
    "-m ally -p '-M 99' 2001:db8::1 2001:db8::2",
    '-m radargun',
    '-m radargun -O nobs 192.0.2.1',
    '-m radargun -r 180001 192.0.2.1',
    "-m radargun -p '-i 192.0.2.1' -p '-P udp' ",
    "-m prefixscan 192.0.2.1 198.51.100.0/30",          # no probedef
    "-m prefixscan -p '' 192.0.2.1 198.51.100.0",
    "-m prefixscan -p '' 192.0.2.1 198.51.100.0/23",
    "-m prefixscan -p '' 192.0.2.1 198.51.100.0/32",
    "-m prefixscan -p '' -o 2 192.0.2.1 198.51.100.0/30",
    "-m prefixscan -p '-i 192.0.2.9' 192.0.2.1 198.51.100.0/30",
    "-m bump -p '-i 192.0.2.1'",
    "-m bump -p '-i 192.0.2.1' -p '-i 2001:db8::1'",
    "-m bump -p '-i 192.0.2.1' -p '-i 192.0.2.2' 192.0.2.3",
])
def test_errors(line):
    with pytest.raises(CommandError):
        p(line)


def test_registered_as_a_command():
    c = commands.parse("dealias -m ally -p '-P udp' 192.0.2.1 192.0.2.2")
    assert c.dealias.method == 'ally'
    commands.check_default('dealias -m mercator')


def test_every_address_the_task_probes():
    """sig(): what scamper's task signatures cover (every probedef's
    address; prefixscan's a and its candidates)."""
    assert p("-m ally 192.0.2.1 192.0.2.2").sig() == (A('192.0.2.1'),
                                                     A('192.0.2.2'))
    assert p("-m radargun 192.0.2.1 192.0.2.2 192.0.2.1").sig() == (
        A('192.0.2.1'), A('192.0.2.2'))
    assert p("-m prefixscan -p '' 192.0.2.1 198.51.100.5/30").sig() == tuple(
        A(a) for a in ('192.0.2.1', '198.51.100.6', '198.51.100.4',
                       '198.51.100.7'))
