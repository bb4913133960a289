"""scamper's own drivers, unchanged (Debian's sc_pinger, sc_ally,
sc_radargun, sc_speedtrap, sc_prefixscan, sc_filterpolicy, sc_erosprober,
and sc_ttlexp on what they measure), against Debian's scamper daemon and
against ours in the same lab with the same inputs: the same results,
masked for times, IP-IDs and ports.  Debian's drivers are 20211212
clients, so our daemon runs with -O attach-2021, as the README says.
sc_tbitblind drives tbit, which Debian's scamper cannot run on Linux: ours
is checked against the lab's TCP stack, as in test_tbit_lab.py.
sc_tbitpmtud skips every reserved address, and every address a lab may use
is one, so it is not run here (test_tbit_lab.py runs its tbit command).
sc_bdrmap needs an IP-to-AS map, a VP's ASN and alias resolution against
routers of other networks: not run."""

import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from ours import SCAMPER, stop_daemon, wait_for_socket, wait_listening
from test_dealias_alias_lab import ROUTERS, TRUE, shared_ipid, v6  # noqa: F401
from test_tbit_lab import web  # noqa: F401 (fixture)

V4 = ('203.0.113.10', '198.51.100.2', '192.0.2.2')
V6 = ('2001:db8:203::10', '2001:db8:2::2')
NOWHERE = '198.19.0.99'     # routed to r3's emulated routers: dropped


class Daemons:
    """Debian's scamper and ours, each on a Unix socket in src."""

    def __init__(self, lab, tmp):
        self.lab, self.tmp = lab, tmp
        self.procs = {}
        self.sockets = {}
        for who, argv in (('scamper', ['/usr/bin/scamper']),
                          ('ours', [*SCAMPER, '-O', 'attach-2021', '-F',
                                    'nft'])):
            path = os.path.join(tmp, who + '.sock')
            self.procs[who] = subprocess.Popen(
                ['ip', 'netns', 'exec', lab.ns('src'), *argv, '-U', path,
                 '-p', '500'], cwd='/', stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True)
            wait_for_socket(self.procs[who], path)
            self.sockets[who] = path

    def drive(self, who, argv, timeout=300, out='out.warts'):
        """Run the driver ``argv`` against ``who``'s daemon (its -U and
        -o added); the path of the warts it wrote."""
        d = os.path.join(self.tmp, who)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, out)
        p = self.lab.run([*argv, '-U', self.sockets[who], '-o', path],
                         node='src', capture_output=True, text=True,
                         timeout=timeout, cwd=d)
        assert p.returncode == 0, (who, argv, p.stdout, p.stderr)
        return path

    def both(self, argv, **kw):
        """Each daemon in turn, the emulated routers started afresh for
        each (ipidrouter.py: IP-ID counters apart, no path MTU learned)."""
        out = {}
        for who in self.procs:
            self.lab.ipid_routers.send_signal(signal.SIGUSR1)
            out[who] = self.drive(who, argv, **kw)
        return out

    def close(self):
        for p in self.procs.values():
            stop_daemon(p)


@pytest.fixture(scope='module')
def daemons(shared_ipid):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        d = Daemons(shared_ipid, tmp)
        try:
            yield d
        finally:
            d.close()


def write(daemons, name, lines):
    path = os.path.join(daemons.tmp, name)
    with open(path, 'w') as f:
        f.write(''.join(line + '\n' for line in lines))
    return path


def objects(path, kind):
    p = subprocess.run(['sc_warts2json', path], capture_output=True,
                       text=True, check=True)
    return [o for o in map(json.loads, p.stdout.splitlines())
            if o['type'] == kind]


def tool_output(argv):
    return subprocess.run(argv, capture_output=True, text=True,
                          check=True).stdout


def test_sc_pinger(daemons):
    addrs = write(daemons, 'pinger.txt', [*V4, *V6, NOWHERE])
    out = daemons.both(['sc_pinger', '-a', addrs, '-c', '3'])

    def summary(path):
        return sorted((o['dst'], o['ping_sent'],
                       sorted({r['from'] for r in o['responses']}),
                       len(o['responses'])) for o in objects(path, 'ping'))
    theirs, mine = summary(out['scamper']), summary(out['ours'])
    assert theirs == mine
    # sc_pinger tries an unanswered address again (three pings in all)
    assert sorted({s[0] for s in mine}) == sorted([*V4, *V6, NOWHERE])
    assert [s for s in mine if s[0] == NOWHERE][0][3] == 0


def aliases(dump):
    """The alias sets a driver's dump prints, one per line."""
    return sorted(' '.join(sorted(line.split())) for line in
                  dump.splitlines() if line.strip())


def test_sc_ally(daemons):
    lines = [' '.join(r) for r in ROUTERS if len(r) > 1] + \
        ['198.19.0.1 198.19.0.2 198.19.0.18']
    sets = write(daemons, 'ally.txt', lines)
    out = daemons.both(['sc_ally', '-a', sets, '-i', '200', '-w', '1'])
    found = {who: aliases(tool_output(['sc_ally', '-d', '1', path]))
             for who, path in out.items()}
    assert found['ours'] == found['scamper']
    pairs = {frozenset(line.split()) for line in found['ours']}
    assert pairs and pairs <= TRUE


def test_sc_radargun(daemons):
    addrs = write(daemons, 'radargun.txt',
                  [a for r in ROUTERS[:3] for a in r])
    out = daemons.both(['sc_radargun', '-a', addrs, '-r', '1', '-R', '5'])
    found = {who: aliases(tool_output(['sc_radargun', '-d', '1', path]))
             for who, path in out.items()}
    assert found['ours'] == found['scamper']
    assert found['ours']


def test_sc_speedtrap(daemons):
    addrs = write(daemons, 'speedtrap.txt',
                  [v6(a) for r in ROUTERS[:3] for a in r])
    out = daemons.both(['sc_speedtrap', '-a', addrs])
    found = {who: aliases(tool_output(['sc_speedtrap', '-d', '1', path]))
             for who, path in out.items()}
    assert found['ours'] == found['scamper']
    assert found['ours']


def test_sc_prefixscan(daemons):
    # a link a-b: is an address in b's prefix an alias of a?  198.19.0.6
    # (in 198.19.0.5's /30) is 198.19.0.1's; 198.19.0.9's /30 holds no
    # alias of 198.19.0.18
    links = write(daemons, 'links.txt', ['198.19.0.1 198.19.0.5',
                                         '198.19.0.18 198.19.0.9'])
    out = daemons.both(['sc_prefixscan', '-i', links, '-x', '29',
                        '-w', '1'])
    found = {who: tool_output(['sc_prefixscan', '-r', path, '-x', '29'])
             for who, path in out.items()}
    dbg = {who: [(o['method'], o['result'], o.get('probedefs'))
                 for o in objects(path, 'dealias')]
           for who, path in out.items()}
    assert found['ours'] == found['scamper'], dbg
    assert found['ours'] == '198.19.0.1 198.19.0.5 198.19.0.6/30\n', dbg


def test_sc_filterpolicy(daemons):
    addrs = write(daemons, 'fp.txt', ['dst %s %s' % (V4[0], V6[0])])
    out = daemons.both(['sc_filterpolicy', '-a', addrs, '-t', 'server'])
    found = {who: tool_output(['sc_filterpolicy', '-r', path])
             for who, path in out.items()}
    assert found['ours'] == found['scamper']
    assert V4[0] in found['ours']


def test_sc_erosprober(daemons):
    """A periodic prober: every address pinged each second until it is
    stopped; both daemons get the same commands and answer them all."""
    addrs = write(daemons, 'eros.txt', list(V4))
    seen, procs = {}, {}
    for who in daemons.procs:
        d = os.path.join(daemons.tmp, 'eros-' + who)
        os.makedirs(d)
        # -I 10 (its least): each address once in every 10 s
        procs[who] = d, subprocess.Popen(
            ['ip', 'netns', 'exec', daemons.lab.ns('src'), 'sc_erosprober',
             '-a', addrs, '-c', 'ping -c 1', '-I', '10', '-R', '10',
             '-o', os.path.join(d, 'eros'), '-U', daemons.sockets[who]],
            cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(13)
    for who, (d, p) in procs.items():
        p.send_signal(signal.SIGTERM)
        p.wait(30)
        files = [os.path.join(d, f) for f in os.listdir(d)
                 if '.warts' in f]
        assert files, (who, p.stderr.read())
        seen[who] = [o for f in files for o in objects(f, 'ping')]
    for who, pings in seen.items():
        assert {o['dst'] for o in pings} == set(V4), who
        assert all(o['responses'] for o in pings), who
    counts = [len(p) for p in seen.values()]
    assert min(counts) >= len(V4) and abs(counts[0] - counts[1]) <= len(V4)


def test_sc_attach_and_sc_ttlexp(daemons):
    """sc_attach sends traces to both daemons; sc_ttlexp lists the same
    routers (the sources of TTL-expired answers) from either file."""
    cmds = write(daemons, 'traces.txt', [
        'trace -P icmp-paris %s' % V4[0], 'trace -P udp-paris %s' % V6[0],
        'tracelb -P icmp-echo %s' % V4[0]])
    out = daemons.both(['sc_attach', '-i', cmds])
    found = {who: sorted(tool_output(['sc_ttlexp', path]).split())
             for who, path in out.items()}
    assert found['ours'] == found['scamper']
    # r1, r2 and r3 for each family
    assert len(found['ours']) == 6 and V4[2] in found['ours']


@pytest.fixture(scope='module')
def tbit_daemon(web):
    """Our daemon on a TCP control port (the tbit drivers have no -U),
    with a firewall: Debian's scamper cannot run tbit on Linux, so these
    drivers run against ours only and the lab's TCP stack is the truth."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        port = 31337
        p = subprocess.Popen(
            ['ip', 'netns', 'exec', web.ns('src'), *SCAMPER, '-O',
             'attach-2021', '-F', 'nft', '-P', str(port), '-p', '500'],
            cwd='/', stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        try:
            wait_listening(web, 'src', port, p)
            yield web, port, tmp
        finally:
            stop_daemon(p)


def test_sc_tbitblind(tbit_daemon):
    lab, port, tmp = tbit_daemon
    targets = os.path.join(tmp, 'blind.txt')
    with open(targets, 'w') as f:
        f.write('1,dst 200000 %s http://dst/big\n' % lab.target4)
    p = lab.run(['sc_tbitblind', '-a', targets, '-p', str(port), '-o',
                 os.path.join(tmp, 'blind'), '-O', 'noshuffle', '-w', '1'],
                node='src', capture_output=True, text=True, timeout=600,
                cwd=tmp)
    assert p.returncode == 0, (p.stdout, p.stderr)
    files = [os.path.join(tmp, f) for f in sorted(os.listdir(tmp))
             if f.startswith('blind_') and f.endswith('.warts')]
    objs = [o for path in files for o in objects(path, 'tbit')]
    results = [o['result'] for o in objs]
    # its eight tests: six blind ones (in and out of the window), icw,
    # and null with timestamps and SACK
    assert len(objs) == 8, results
    assert 'sys-error' not in results and 'none' not in results, results
    assert results.count('blind-challenge') >= 3, results
    assert 'icw-success' in results and 'null-success' in results, results
