#!/usr/bin/env python3
"""Packets-per-second benchmark: us against Debian's scamper, in one run.

Builds the ``line`` lab, then for each rate runs the same ping workload
(many targets in 2001:db8:203::/64, enough probes for a few seconds) with our
scamper and with /usr/bin/scamper, capturing the probes on the wire with
tcpdump in the source namespace.  Prints per rate and implementation:

  achieved/target   probes on the wire / capture span, over the rate asked
  p99gap*pps        99th percentile inter-probe gap in units of 1/pps
  onwire/sent       probes seen on the wire / probes the output says it sent
  cpu/1k            CPU seconds (user+sys, whole process tree) per 1000 probes
  rss               peak resident memory summed over the process tree (MB)
  pss               the same as proportional set size: pages shared by
                    several processes of the tree (our forked workers share
                    the interpreter and modules) counted once in all
  wall              wall-clock seconds
  rtt_med           median RTT reported (µs)
  first             time from start to the first probe on the wire (ms)

and the ratio us/scamper of cpu/1k, rss, pss and wall.  Debian's scamper takes
at most 10 000 pps: faster rates are reported as n/a for it.

Usage (root): python3 bench/pps.py [--rates 20,1000,10000,50000]
              [--seconds 4] [--workers N]
"""

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from scamper_cli.lab import Lab  # noqa: E402

OURS = [sys.executable, '-m', 'scamper_cli.main']
REAL = ['/usr/bin/scamper']
REAL_MAX_PPS = 10000
NTARGETS = 50


def workload(rate, seconds):
    """(targets, ping command) that asks for twice ``rate`` pps for about
    ``seconds``, so that the pacer is what limits the rate.

    scamper 20211212 reads ping -i fractions by their value (0.1 is the
    shortest wait it can express), so each target gives at most 10 pps:
    the demand comes from the number of targets, all IPv6 addresses that
    the lab's destination answers."""
    ntargets = max(NTARGETS, -(-2 * rate // 10))
    targets = ['2001:db8:203::1:%x' % i for i in range(ntargets)]
    count = max(1, round(rate * seconds / ntargets))
    return targets, 'ping -c %d -i 0.1' % count


def read_pcap(path):
    """Timestamps of the packets in a pcap file (tcpdump -w)."""
    out = []
    with open(path, 'rb') as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return out
        magic = struct.unpack('<I', hdr[:4])[0]
        endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
        rec = struct.Struct(endian + 'IIII')
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, frac, incl, _ = rec.unpack(h)
            f.seek(incl, 1)
            out.append(sec + frac * (1e-9 if nano else 1e-6))
    return out


def tree_mem(pid):
    """(resident, proportional) memory of pid and its descendants, in
    bytes."""
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open('/proc/%s/stat' % d) as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError):
                pass
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open('/proc/%d/statm' % p) as f:
                rss += int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
            with open('/proc/%d/smaps_rollup' % p) as f:
                for line in f:
                    if line.startswith('Pss:'):
                        pss += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            pass
    return rss, pss


def run_one(lab, argv, rate, targets, cmd, env=None):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        pcap = os.path.join(tmp, 'probes.pcap')
        out = os.path.join(tmp, 'out.json')
        iface = 'r1'          # lab interfaces are named after their peer
        cap = subprocess.Popen(
            ['ip', 'netns', 'exec', lab.ns('src'), 'tcpdump', '-q', '-n',
             '-B', '262144', '-s', '64', '-w', pcap,
             '-i', iface,
             'icmp6 and ip6[40] == 128'], stderr=subprocess.PIPE)
        _wait_listening(cap)
        e = dict(os.environ)
        e.update(env or {})
        start = time.time()
        listfile = os.path.join(tmp, 'targets.txt')
        with open(listfile, 'w') as f:
            f.write('\n'.join(targets) + '\n')
        p = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'), *argv,
                              '-O', 'json', '-o', out, '-p', str(rate),
                              '-c', cmd, '-f', listfile],
                             cwd='/', env=e, stderr=subprocess.PIPE)
        peak = [0, 0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[:] = map(max, peak, tree_mem(p.pid))
                done.wait(0.05)
        th = threading.Thread(target=sample)
        th.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.time() - start
        done.set()
        th.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode()
        time.sleep(0.3)
        cap.terminate()
        cap.wait()
        if p.returncode != 0:
            raise RuntimeError('%s failed: %s' % (argv[0], err))
        times = read_pcap(pcap)
        sent = 0
        rtts = []
        with open(out) as f:
            for line in f:
                o = json.loads(line)
                if o.get('type') == 'ping':
                    sent += o.get('ping_sent', 0)
                    rtts += [r['rtt'] for r in o.get('responses', [])]
    cpu = ru.ru_utime + ru.ru_stime
    span = times[-1] - times[0] if len(times) > 1 else 0
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0
    return {
        'achieved': (len(times) - 1) / span / rate if span else 0,
        'p99gap': p99 * rate,
        'onwire': len(times), 'sent': sent,
        'cpu1k': cpu / max(1, len(times)) * 1000,
        'rss': peak[0] / 1e6, 'pss': peak[1] / 1e6, 'wall': wall,
        'rtt_med': statistics.median(rtts) * 1000 if rtts else float('nan'),
        'first': (times[0] - start) * 1000 if times else float('nan'),
    }


def _wait_listening(cap):
    # tcpdump prints "listening on ..." once the capture runs
    line = cap.stderr.readline().decode()
    if 'listening' not in line:
        raise RuntimeError('tcpdump did not start: ' + line)


def fmt(r):
    if r is None:
        return 'n/a'
    return ('achieved/target %.3f  p99gap*pps %.2f  onwire/sent %d/%d  '
            'cpu/1k %.3fs  rss %.0fMB  pss %.0fMB  wall %.2fs  '
            'rtt_med %.0fus  first %.0fms' % (
                r['achieved'], r['p99gap'], r['onwire'], r['sent'],
                r['cpu1k'], r['rss'], r['pss'], r['wall'], r['rtt_med'],
                r['first']))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rates', default='20,1000,10000,50000')
    ap.add_argument('--seconds', type=float, default=4)
    ap.add_argument('--workers', type=int, default=0)
    a = ap.parse_args()
    env = {'SCAMPER_WORKERS': str(a.workers)} if a.workers else None
    with Lab('line') as lab:
        for rate in (int(x) for x in a.rates.split(',')):
            targets, cmd = workload(rate, a.seconds)
            us = run_one(lab, OURS, rate, targets, cmd, env)
            them = run_one(lab, REAL, rate, targets, cmd) \
                if rate <= REAL_MAX_PPS else None
            print('%6d pps  %s' % (rate, cmd))
            print('   us      %s' % fmt(us))
            print('   scamper %s' % fmt(them))
            if them:
                print('   us/scamper  cpu/1k %.2f  rss %.2f  pss %.2f  '
                      'wall %.2f  rtt_med %+.0fus' % (
                          us['cpu1k'] / them['cpu1k'] if them['cpu1k']
                          else float('nan'),
                          us['rss'] / them['rss'], us['pss'] / them['pss'],
                          us['wall'] / them['wall'],
                          us['rtt_med'] - them['rtt_med']))
            sys.stdout.flush()


if __name__ == '__main__':
    main()
