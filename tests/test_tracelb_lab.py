"""tracelb in the lab: our scamper against Debian's, in the same namespaces.

The ecmp lab's r1 balances flows over r2a and r2b (r3 answers from the
interface each path reaches it on), so the MDA finds the two paths.  Which
flow takes which path is the kernel's hash of the flow: of the source port
too, which both scampers take from their process id.  Each run therefore
gets the same process id, in a PID namespace of its own, and so the same
flows; with IPv6 the kernel would also hash the flow label it makes up for
Debian scamper's UDP socket (and not for our raw packets), so the source
node makes none.  Then both must give the same result, probe for probe:
the JSON equal once times and IP ids are masked, the text equal to the
letter.
"""

import json
import subprocess

import pytest

from ours import SCAMPER
from scamper_cli.lab import TOPOLOGIES, Lab, Link, Topology

MASK = ('start', 'tx', 'rx', 'rtt', 'ipid')
REAL = '/usr/bin/scamper'
SILENT = '203.0.113.20'      # dst drops what is sent there


def masked(o):
    if isinstance(o, dict):
        return {k: 'X' if k in MASK else masked(v) for k, v in o.items()}
    if isinstance(o, list):
        return [masked(v) for v in o]
    return o


def run(lab, argv, pid):
    """Run argv in lab's src node as process ``pid`` of a new PID
    namespace; return its stdout."""
    p = lab.run(['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c',
                 'echo %d > /proc/sys/kernel/ns_last_pid && "$@"'
                 % (pid - 1), 'sh', *argv],
                capture_output=True, text=True, timeout=120, cwd='/')
    assert p.returncode == 0, p.stderr
    return p.stdout


def both(lab, fmt, cmd):
    """(ours, Debian's) output of ``scamper -O fmt -I cmd``.  Our main
    process forks the worker that measures, so it starts one id lower
    than Debian's scamper, which measures itself."""
    args = ['-O', fmt, '-p', '200', '-I', cmd]
    return run(lab, [*SCAMPER, *args], 999), run(lab, [REAL, *args], 1000)


def tracelb(out):
    objs = [json.loads(line) for line in out.splitlines()]
    found = [o for o in objs if o['type'] == 'tracelb']
    assert len(found) == 1, objs
    return found[0]


@pytest.fixture(scope='module')
def ecmp(lab_ecmp):
    lab_ecmp.run(['nft', 'add table ip tracelbtest; add chain ip tracelbtest '
                  'in { type filter hook input priority 0; }; add rule ip '
                  'tracelbtest in ip daddr %s drop' % SILENT],
                 node='dst', check=True)
    old = lab_ecmp.run(['sysctl', '-n', 'net.ipv6.auto_flowlabels'],
                       capture_output=True, text=True, check=True).stdout
    lab_ecmp.run(['sysctl', '-qw', 'net.ipv6.auto_flowlabels=0'], check=True)
    try:
        yield lab_ecmp
    finally:
        lab_ecmp.run(['sysctl', '-qw', 'net.ipv6.auto_flowlabels=%s'
                      % old.strip()], check=True)
        lab_ecmp.run(['nft', 'delete table ip tracelbtest'], node='dst',
                     check=True)


def test_same_process_id_same_port(ecmp):
    """The harness gives both scampers the same default source port."""
    mine, theirs = both(ecmp, 'json', 'tracelb -q 1 -w 1 -Q 50 %s' % SILENT)
    assert tracelb(mine)['sport'] == tracelb(theirs)['sport']


@pytest.mark.parametrize('cmd', (
    'tracelb 203.0.113.10',
    'tracelb -P icmp-echo -c 99 203.0.113.10',
    'tracelb -P udp-sport -U 7 203.0.113.10',
    'tracelb -P tcp-sport -d 80 203.0.113.10',
    'tracelb -P tcp-ack-sport -d 80 203.0.113.10',
    'tracelb 2001:db8:203::10',
    'tracelb -P icmp-echo 2001:db8:203::10',
    'tracelb -P udp-sport 2001:db8:203::10',
    'tracelb -f 2 -W 15 -c 99 203.0.113.10',
    # no answer past r3: the link ends in a gap of -g hops
    'tracelb -P udp-dport -w 1 -q 1 -g 2 %s' % SILENT,
))
def test_same_json_as_scamper(ecmp, cmd):
    mine, theirs = both(ecmp, 'json', cmd)
    assert masked(tracelb(mine)) == masked(tracelb(theirs))


def test_same_text_as_scamper(ecmp):
    mine, theirs = both(ecmp, 'text', 'tracelb -P udp-sport 203.0.113.10')
    assert mine == theirs
    assert '192.0.2.2 -> (198.18.2.2, 198.18.3.2) -> ' \
        '(198.18.4.2, 198.18.5.2) -> 203.0.113.10' in mine


def test_line_from_a_later_hop(lab_line):
    mine, theirs = both(lab_line, 'json',
                        'tracelb -P icmp-echo -f 2 203.0.113.10')
    assert masked(tracelb(mine)) == masked(tracelb(theirs))
    mine, theirs = both(lab_line, 'text',
                        'tracelb -P icmp-echo -f 2 203.0.113.10')
    assert mine == theirs


DIAMOND = Topology(
    'src - r1 - r2 - {r3a, r3b} - r4 - {r5a, r5b} - r6 - dst, r2 and r4 '
    'hash flows on L4', (
        Link('src', 'r1'), Link('r1', 'r2'), Link('r2', 'r3a'),
        Link('r2', 'r3b'), Link('r3a', 'r4'), Link('r3b', 'r4'),
        Link('r4', 'r5a'), Link('r4', 'r5b'), Link('r5a', 'r6'),
        Link('r5b', 'r6'), Link('r6', 'dst')),
    multipath=('r2', 'r4'))


@pytest.fixture(scope='module')
def diamond():
    """Two balancers in a row, past the first hop: the MDA proper (hop
    probes, the per-packet check, new branches, flow ids brought forward
    through the first diamond to probe the second)."""
    TOPOLOGIES['diamond'] = DIAMOND
    try:
        lab = Lab('diamond').up()
    finally:
        del TOPOLOGIES['diamond']
    try:
        lab.run(['sysctl', '-qw', 'net.ipv6.auto_flowlabels=0'], check=True)
        yield lab
    finally:
        lab.down()


@pytest.mark.parametrize('cmd', (
    'tracelb 203.0.113.10',
    'tracelb -P icmp-echo 203.0.113.10',
    'tracelb -P tcp-sport -d 80 203.0.113.10',
    'tracelb 2001:db8:203::10',
))
def test_two_diamonds_as_scamper(diamond, cmd):
    mine, theirs = both(diamond, 'json', cmd)
    assert masked(tracelb(mine)) == masked(tracelb(theirs))


def test_warts_as_scamper_json(ecmp, tmp_path):
    """Our -O warts, read by Debian's sc_warts2json, is scamper's JSON."""
    path = tmp_path / 'out.warts'
    cmd = 'tracelb -P udp-sport 2001:db8:203::10'
    run(ecmp, [*SCAMPER, '-O', 'warts', '-o', str(path), '-p', '200', '-I',
               cmd], 999)
    theirs = run(ecmp, [REAL, '-O', 'json', '-p', '200', '-I', cmd], 1000)
    mine = subprocess.run(['/usr/bin/sc_warts2json', str(path)],
                          capture_output=True, text=True, check=True).stdout
    assert masked(tracelb(mine)) == masked(tracelb(theirs))
