"""Alias resolution against routers that share one IP-ID counter across
their interfaces (tests/ipidrouter.py, behind a TUN device in the line
lab's r3), our scamper beside Debian's with the same commands: the same
aliases found, none wrongly.

The routers (198.19.0.0/24 and 2001:db8:ee::/64, routed from src through
r1 and r2 to r3; 198.19.0.N is also 2001:db8:ee::N):
"""

import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile

import pytest

from ours import ours_json

ROUTERS = (
    ('198.19.0.1', '198.19.0.6', '198.19.0.9', '198.19.0.14'),
    ('198.19.0.2', '198.19.0.5', '198.19.0.13'),
    ('198.19.0.10', '198.19.0.17'),
    ('198.19.0.18',),
    ('198.19.0.21',),
)
__doc__ += '\n'.join('    ' + ' '.join(r) for r in ROUTERS) + '\n'
NET = '198.19.0.0/24'
NET6 = '2001:db8:ee::/64'
TUN = 'ipidr0'
ADDRS = [a for r in ROUTERS for a in r]
ROUTER_OF = {a: i for i, r in enumerate(ROUTERS) for a in r}
PAIRS = list(itertools.combinations(ADDRS, 2))
TRUE = {frozenset(p) for p in PAIRS if ROUTER_OF[p[0]] == ROUTER_OF[p[1]]}


def v6(a):
    return '2001:db8:ee::%s' % a.rsplit('.', 1)[1]


@pytest.fixture(scope='module')
def shared_ipid(lab_line):
    """The emulated routers running in r3, and routes to them."""
    prog = os.path.join(os.path.dirname(__file__), 'ipidrouter.py')
    proc = subprocess.Popen(
        ['ip', 'netns', 'exec', lab_line.ns('r3'), sys.executable, prog, TUN,
         *(' '.join(r + tuple(v6(a) for a in r)) for r in ROUTERS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    routes = []
    try:
        line = proc.stdout.readline()
        assert line == 'ready\n', (line, proc.stderr.read())
        lab_line.run(['ip', 'link', 'set', TUN, 'up'], node='r3', check=True)
        for net in (NET, NET6):
            lab_line.run(['ip', 'route', 'add', net, 'dev', TUN], node='r3',
                         check=True)
        for node, nxt in (('src', 'r1'), ('r1', 'r2'), ('r2', 'r3')):
            iface = lab_line.ifaces[nxt][node]
            for net, gw in ((NET, iface.addr4.ip), (NET6, iface.addr6.ip)):
                lab_line.run(['ip', 'route', 'add', net, 'via', str(gw)],
                             node=node, check=True)
                routes.append((node, net))
        lab_line.ipid_routers = proc
        yield lab_line
    finally:
        for node, net in routes:
            lab_line.run(['ip', 'route', 'del', net], node=node)
        proc.terminate()
        proc.communicate(timeout=10)


def _run_both(lab, real_scamper, cmds):
    """Run the commands (one file, -O cmdfile) with Debian's scamper and
    ours; their dealias results, keyed by command."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        path = os.path.join(tmp, 'cmds')
        with open(path, 'w') as f:
            f.write(''.join(c + '\n' for c in cmds))
        os.chmod(path, 0o644)
        args = ('-p', '500', '-O', 'cmdfile', '-f', path)
        # the routers afresh for each (ipidrouter.py): counters apart, no
        # path MTU learned from the run before
        lab.ipid_routers.send_signal(signal.SIGUSR1)
        theirs = real_scamper.results(lab, *args, timeout=600)
        lab.ipid_routers.send_signal(signal.SIGUSR1)
        mine = [o for o in ours_json(lab, *args, timeout=600)
                if o['type'] == 'dealias']
    return theirs, mine


def _key(d):
    """The addresses a dealias result is about."""
    return frozenset(pd['dst'] for pd in d['probedefs'])


def _found(results):
    return {_key(d) for d in results if d['result'] == 'aliases'}


PROBES = ('icmp-echo', 'udp', 'tcp-ack -d 80')
# no address in two of these pairs
DISJOINT = [('198.19.0.1', '198.19.0.6'), ('198.19.0.14', '198.19.0.9'),
            ('198.19.0.2', '198.19.0.5'), ('198.19.0.10', '198.19.0.17'),
            ('198.19.0.13', '198.19.0.21')]


def _ally(lab, real_scamper, probe, pairs):
    cmds = ["dealias -m ally -W 100 -w 1 -p '-P %s' %s %s"
            % (probe, a, b) for a, b in pairs]
    theirs, mine = _run_both(lab, real_scamper, cmds)
    assert len(theirs) == len(mine) == len(cmds)
    want = {frozenset(p) for p in pairs} & TRUE
    assert _found(theirs) == want
    assert _found(mine) == want
    assert all(d['result'] == 'not-aliases' for d in mine
               if _key(d) not in want)


@pytest.mark.parametrize('probe', PROBES)
def test_ally_pairs_apart(shared_ipid, real_scamper, probe):
    """ally on pairs that share no address, all at once."""
    _ally(shared_ipid, real_scamper, probe, DISJOINT)


@pytest.mark.parametrize('probe', PROBES)
def test_ally_recall_every_pair(shared_ipid, real_scamper, probe):
    """ally on every pair of addresses at once: every alias pair found,
    as by Debian's scamper.  (Tasks that probe one address must not run
    together, or the second takes the first's replies, the same ICMP id or
    ports: with a supervisor that kept apart only tasks with the same first
    address, 2 to 4 of the 10 alias pairs were found.)"""
    _ally(shared_ipid, real_scamper, probe,
          PAIRS if probe == 'icmp-echo' else sorted(TRUE, key=sorted) +
          PAIRS[-8:])


def test_ally_too_big_trick(shared_ipid, real_scamper):
    """IPv6 ally with -M: each router fragments its echo replies once told
    of a smaller MTU, its fragment ids from its one counter."""
    cmds = ["dealias -m ally -W 100 -w 1 "
            "-p '-P icmp-echo -s 1400 -M 1280' %s %s" % (v6(a), v6(b))
            for a, b in DISJOINT]
    theirs, mine = _run_both(shared_ipid, real_scamper, cmds)
    want = {frozenset((v6(a), v6(b))) for a, b in DISJOINT
            if frozenset((a, b)) in TRUE}
    assert _found(theirs) == want
    assert _found(mine) == want
    assert sorted(d['result'] for d in mine) == sorted(
        d['result'] for d in theirs)


def _radargun_aliases(d):
    """The pairs whose replies, merged in the order sent, count up by at
    most 200 a step (a shared counter)."""
    seq = {}
    for p in d['probes']:
        dst = d['probedefs'][p['probedef_id']]['dst']
        for r in p['replies'][:1]:
            seq.setdefault(dst, []).append((p['tx']['sec'], p['tx']['usec'],
                                            r['ipid']))
    out = set()
    for a, b in itertools.combinations(sorted(seq), 2):
        ids = [i for *_, i in sorted(seq[a] + seq[b])]
        if all(0 < (y - x) % 0x10000 <= 200 for x, y in zip(ids, ids[1:])):
            out.add(frozenset((a, b)))
    return out


def test_radargun(shared_ipid, real_scamper):
    cmd = "dealias -m radargun -W 20 -q 5 -p '-P icmp-echo' " + \
        ' '.join(ADDRS)
    theirs, mine = _run_both(shared_ipid, real_scamper, [cmd])
    assert len(mine[0]['probes']) == len(theirs[0]['probes']) == 5 * len(
        ADDRS)
    assert _radargun_aliases(theirs[0]) == TRUE
    assert _radargun_aliases(mine[0]) == TRUE


def test_prefixscan_and_bump(shared_ipid, real_scamper):
    """prefixscan and bump, all at once (no address probed by two)."""
    cmds = [
        "dealias -m prefixscan -W 100 -p '-P icmp-echo' 198.19.0.1 "
        "198.19.0.5/30",
        "dealias -m prefixscan -W 100 -p '-P icmp-echo' 198.19.0.18 "
        "198.19.0.9/30",
        "dealias -m bump -W 300 -p '-P icmp-echo -i 198.19.0.2' "
        "-p '-P icmp-echo -i 198.19.0.13'",
        "dealias -m bump -W 300 -p '-P icmp-echo -i 198.19.0.17' "
        "-p '-P icmp-echo -i 198.19.0.21'",
    ]
    theirs, mine = _run_both(shared_ipid, real_scamper, cmds)

    def summary(results):
        return sorted((d['method'], d['probedefs'][0]['dst'], d['result'],
                       d.get('ab')) for d in results)
    assert summary(mine) == summary(theirs)
    assert summary(mine) == [
        ('bump', '198.19.0.17', 'not-aliases', None),
        ('bump', '198.19.0.2', 'aliases', None),
        ('prefixscan', '198.19.0.1', 'aliases', '198.19.0.6/30'),
        ('prefixscan', '198.19.0.18', 'none', None),
    ]
