#!/usr/bin/env python3
"""Fleet benchmark: N vantage points under one sc_remoted, ours against
Debian's scamper, in one run, in the line lab.

Debian's sc_remoted runs in dst; N vantage points (``scamper -R``) run in
src, r1, r2 and r3 in turn (several to a namespace past four), each at
``--pps``.  A list of ``--addresses`` addresses (198.19.0.0/16, all
answered by dst) is split evenly over them, and each part is measured with
one ``ping -c 1`` per address by Debian's sc_attach through the
controller's socket for that vantage point, all at once (``-O impatient``:
the commands sent at once, not one per MORE, so that the rate, not the
round trips through the controller, sets the pace).  Per fleet size
and implementation:

  results/s   ping results received by all clients / wall time (from the
              clients' start to the last result)
  replied     results with a reply / results
  ctl_cpu     CPU seconds of sc_remoted during the run
  ctl_cpu/1k  the same per 1 000 results
  vp_cpu/1k   CPU seconds of all the vantage points' process trees per
              1 000 results
  vp_pss      PSS of all the vantage points' process trees at the end (MB)

and the ratios us/scamper.  Our vantage points run with -O attach-2021
(Debian's sc_attach reads only plain DATA len) and SCAMPER_WORKERS=1
(--workers) so that 16 of them fit on a small machine.

Usage (root): python3 bench/fleet.py [--fleet 1,4,16] [--addresses 4000]
              [--pps 1000] [--workers 1] [--only us|scamper]
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from scamper_cli.lab import Lab  # noqa: E402
from pps import add_anyip4, targets, tree_mem  # noqa: E402
from hostile import cpu  # noqa: E402

OURS = [sys.executable, '-m', 'scamper_cli.main', '-O', 'attach-2021']
REAL = ['/usr/bin/scamper']
CONTROLLER = '198.51.100.2'
PORT = 50100
NODES = ('src', 'r1', 'r2', 'r3')


def wait_sockets(d, n, procs, timeout=60):
    end = time.time() + timeout
    while len(glob.glob(os.path.join(d, '*'))) < n:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError('a vantage point ended: %s'
                                   % p.stderr.read())
        if time.time() > end:
            raise RuntimeError('%d of %d vantage points joined'
                               % (len(glob.glob(os.path.join(d, '*'))), n))
        time.sleep(0.1)
    return sorted(glob.glob(os.path.join(d, '*')))


def run_fleet(lab, argv, n, addrs, pps, env):
    d = tempfile.mkdtemp(prefix='fleet-')
    ctl = subprocess.Popen(
        ['ip', 'netns', 'exec', lab.ns('dst'), 'sc_remoted', '-P',
         '%s:%d' % (CONTROLLER, PORT), '-U', d],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    e = dict(os.environ)
    e.update(env)
    vps = [subprocess.Popen(
        ['ip', 'netns', 'exec', lab.ns(NODES[i % len(NODES)]), *argv,
         '-p', str(pps), '-M', 'vp%d' % i, '-R', '%s:%d' % (CONTROLLER,
                                                            PORT)],
        cwd='/', env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True) for i in range(n)]
    tmp = tempfile.mkdtemp(prefix='fleet-io-')
    try:
        socks = wait_sockets(d, n, vps)
        parts = [addrs[i::n] for i in range(n)]
        files = []
        for i, part in enumerate(parts):
            path = os.path.join(tmp, 'in%d' % i)
            with open(path, 'w') as f:
                f.write(''.join(a + '\n' for a in part))
            files.append(path)
        ctl_cpu0 = cpu(ctl.pid)
        vp_cpu0 = sum(cpu(p.pid) for p in vps)
        start = time.time()
        clients = [subprocess.Popen(
            ['sc_attach', '-O', 'impatient', '-R', sock, '-c', 'ping -c 1',
             '-i', files[i],
             '-o', os.path.join(tmp, 'out%d.warts' % i)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for i, sock in enumerate(socks)]
        for c in clients:
            if c.wait(600) != 0:
                raise RuntimeError('sc_attach: %s' % c.stderr.read())
        wall = time.time() - start
        ctl_cpu = cpu(ctl.pid) - ctl_cpu0
        vp_cpu = sum(cpu(p.pid) for p in vps) - vp_cpu0
        pss = sum(tree_mem(p.pid) for p in vps)
        results = replied = 0
        for i in range(n):
            js = subprocess.run(
                ['sc_warts2json', os.path.join(tmp, 'out%d.warts' % i)],
                capture_output=True, text=True, check=True).stdout
            for line in js.splitlines():
                o = json.loads(line)
                if o['type'] == 'ping':
                    results += 1
                    replied += bool(o['responses'])
    finally:
        for p in vps:
            p.terminate()
        for p in vps:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        ctl.kill()
        ctl.wait()
        subprocess.run(['rm', '-rf', d, tmp])
    k = max(results, 1) / 1000
    return {'results/s': results / wall, 'replied': replied / max(results, 1),
            'results': results, 'ctl_cpu': ctl_cpu, 'ctl_cpu/1k': ctl_cpu / k,
            'vp_cpu/1k': vp_cpu / k, 'vp_pss': pss / 1e6, 'wall': wall}


COLS = ('results/s', 'replied', 'ctl_cpu', 'ctl_cpu/1k', 'vp_cpu/1k',
        'vp_pss')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--fleet', default='1,4,16')
    ap.add_argument('--addresses', type=int, default=4000)
    ap.add_argument('--pps', type=int, default=1000)
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--only', choices=('us', 'scamper'))
    a = ap.parse_args()
    addrs = targets(a.addresses, 4)
    env = {'SCAMPER_WORKERS': str(a.workers)}
    print('%d addresses, ping -c 1, %d pps per vantage point'
          % (a.addresses, a.pps))
    print('%-4s %-8s' % ('N', 'who') + ''.join('%12s' % c for c in COLS))
    with Lab('line') as lab:
        add_anyip4(lab)
        for n in [int(x) for x in a.fleet.split(',')]:
            got = {}
            for who, argv in (('us', OURS), ('scamper', REAL)):
                if a.only and a.only != who:
                    continue
                got[who] = r = run_fleet(lab, argv, n, addrs, a.pps, env)
                print('%-4d %-8s' % (n, who) + ''.join(
                    '%12.3f' % r[c] for c in COLS), flush=True)
            if len(got) == 2:
                print('%-4d %-8s' % (n, 'ratio') + ''.join(
                    '%12.2f' % (got['us'][c] / got['scamper'][c]
                                if got['scamper'][c] else float('nan'))
                    for c in COLS), flush=True)


if __name__ == '__main__':
    main()
