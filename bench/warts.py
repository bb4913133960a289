#!/usr/bin/env python3
"""Warts to JSON speed: ``scamper-warts json`` against Debian's
sc_warts2json, in one run, on the same file of at least 100 MB.

The file is built once and cached (default /var/tmp/scamper-warts-bench/):

1. seed/N.warts: real measurements by Debian's scamper in the ``line`` lab
   (scamper_cli.lab): traces (UDP, UDP-paris, ICMP-paris, TCP) to 150
   IPv4 and 50 IPv6 targets behind the lab's destination, and pings
   (ICMP echo and UDP, 3 probes each) to 100 IPv4 and 50 IPv6 targets.
2. bench.warts: those results written over and over by our warts writer,
   each round as a new cycle (cycle id 1, 2, ...; its start, then every
   seed result carrying that cycle, then its stop), until the file holds
   at least --mb megabytes.

Then each converter reads it once, writing to a file; the two outputs
must be identical.  Prints the MB/s of each and ours/theirs.  sc_warts2json
runs on one core; scamper-warts on every core of this machine (the number
is printed).

Usage (root, for the lab): python3 bench/warts.py [--dir DIR] [--mb 100]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from scamper_cli.lab import Lab  # noqa: E402
from scamperd.listcycle import Cycle, ScamperList  # noqa: E402
from scamperd.warts import ScamperFile, parallel  # noqa: E402
from scamperd.warts.api import WartsWriter  # noqa: E402
from scamperd.warts.cycle import CycleStop  # noqa: E402

OURS = [sys.executable, '-m', 'scamper_cli.warts', 'json']
REAL = ['/usr/bin/sc_warts2json']

TARGETS4 = ['203.0.113.%d' % i for i in range(1, 151)]
TARGETS6 = ['2001:db8:203::%x' % i for i in range(1, 51)]
RUNS = [('trace -P udp', TARGETS4[:50] + TARGETS6[:20]),
        ('trace -P udp-paris', TARGETS4[50:100] + TARGETS6[20:35]),
        ('trace -P icmp-paris', TARGETS4[100:] + TARGETS6[35:]),
        ('trace -P tcp -d 80', TARGETS4[:30]),
        ('ping -c 3 -i 0.1', TARGETS4[:100] + TARGETS6),
        ('ping -c 3 -i 0.1 -P udp', TARGETS4[100:])]


def measure(seed):
    """seed/N.warts: Debian's scamper in the line lab, a file per run."""
    os.makedirs(seed, exist_ok=True)
    with Lab('line') as lab, tempfile.TemporaryDirectory() as tmp:
        for n, (cmd, targets) in enumerate(RUNS):
            listf = os.path.join(tmp, 'targets')
            with open(listf, 'w') as f:
                f.write('\n'.join(targets) + '\n')
            print('seed: %s to %d targets' % (cmd, len(targets)),
                  file=sys.stderr)
            lab.run(['/usr/bin/scamper', '-O', 'warts', '-o',
                     os.path.join(seed, '%d.warts' % n), '-p', '2000',
                     '-c', cmd, '-f', listf], check=True, timeout=600)
    open(os.path.join(seed, 'done'), 'w').close()


def build(seed, path, mb):
    """bench.warts: the seed's results over and over, a cycle per round."""
    results = []
    for n in range(len(RUNS)):
        with ScamperFile(os.path.join(seed, '%d.warts' % n)) as f:
            results += [o for o in f if hasattr(o, 'to_text')]
    lst = ScamperList(id=1, name='bench', descr='scamper-warts bench')
    start = int(min(r.start for r in results))
    rounds = 0
    with open(path + '.tmp', 'wb') as out:
        w = WartsWriter(out)
        while out.tell() < mb * 1000000:
            rounds += 1
            cycle = Cycle(lst, id=rounds, start=start + rounds * 60,
                          hostname='bench')
            w.write(cycle)
            for r in results:
                r.list, r.cycle = lst, cycle
                w.write(r)
            w.write(CycleStop(cycle, start + rounds * 60 + 59))
        w.close()
    os.rename(path + '.tmp', path)
    print('built %s: %d results x %d cycles' % (path, len(results), rounds),
          file=sys.stderr)


def timed(argv, src, dst):
    with open(dst, 'wb') as out:
        t = time.perf_counter()
        subprocess.run(argv + [src], stdout=out, check=True)
        return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dir', default='/var/tmp/scamper-warts-bench')
    p.add_argument('--mb', type=int, default=100)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    seed = os.path.join(args.dir, 'seed')
    path = os.path.join(args.dir, 'bench-%d.warts' % args.mb)
    if not os.path.exists(os.path.join(seed, 'done')):
        measure(seed)
    if not os.path.exists(path):
        build(seed, path, args.mb)
    size = os.path.getsize(path) / 1e6
    ours_out = os.path.join(args.dir, 'ours.json')
    real_out = os.path.join(args.dir, 'real.json')
    try:
        real = timed(REAL, path, real_out)
        ours = timed(OURS, path, ours_out)
        same = subprocess.run(['cmp', '-s', ours_out, real_out]).returncode
    finally:
        for f in (ours_out, real_out):
            if os.path.exists(f):
                os.unlink(f)
    print('file           %.1f MB (%s)' % (size, path))
    print('cores          %d' % parallel.cores())
    print('sc_warts2json  %6.2f s  %7.1f MB/s' % (real, size / real))
    print('scamper-warts  %6.2f s  %7.1f MB/s' % (ours, size / ours))
    print('ours/theirs    %.2f (speed)' % (real / ours))
    print('outputs        %s' % ('identical' if same == 0 else 'DIFFER'))
    return 0 if same == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
