#!/usr/bin/env python3
"""Rate benchmark: us against Debian's scamper, in one run, in the line lab.

Two kinds of workload, each run with our scamper and /usr/bin/scamper:

**list** (what most scamper users run): one ``ping -c 1 -W 1`` per address
of a ``-f`` list, ``-O warts -o FILE``, at each rate; the list holds
rate x seconds addresses of 198.19.0.0/16 (or 2001:db8:203::/64 with
``--family 6``), all answered by the lab's destination.  The probes are
captured on the wire at the first router (kernel timestamps).  Per rate and
implementation:

  achieved/target   probes on the wire / capture span, over the rate asked
  onwire/list       probes on the wire / addresses in the list
  results/replies   ping objects in the warts file / those with a reply
  p99gap*pps        99th percentile inter-probe gap in units of 1/pps
  cpu/1k            CPU seconds (user+sys, whole process tree) per 1000 probes
  pss               peak proportional set size of the process tree (MB):
                    pages shared by several processes counted once
  wall              wall-clock seconds
  rtt_med           median RTT reported (us)
  first             time from start to the first probe on the wire (ms)

and the ratios us/scamper.  Debian's scamper takes at most 10 000 pps:
faster rates are n/a for it.

**same** (tasks to one address): wall-clock seconds of workloads whose
tasks share a destination, as scamper serialises them, and the time an
attach client waits for a trace to an address it pinged just before.

**million**: the list workload on a 1 000 000-line list (IPv6) at 10 000
pps, stopped with SIGTERM after ``--seconds``: the time to the first probe
and the PSS of the process tree 2 s after the start (when as many pings
are in flight as there will ever be: each waits 1 s) and at the end (it
must not grow with the list).

Usage (root): python3 bench/pps.py [--workload list,same,million]
              [--rates 1000,2000,5000,10000,20000] [--seconds 3]
              [--family 4|6] [--workers N] [--only us|scamper]
"""

import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from scamper_cli.lab import Lab  # noqa: E402


def _ours():
    """Our ``scamper`` command as users run it: the one beside this
    Python when it is a venv's (to compare installs), else the one on
    PATH (packaging/install.sh puts it in /usr/local/bin).  Not
    ``python -m scamper_cli.main``: runpy's imports cost ~2 ms of the
    time to the first probe, and a Python without our package (pyenv's
    python3) cannot run it at all."""
    beside = os.path.join(os.path.dirname(sys.executable), 'scamper')
    if os.path.exists(beside):
        return [beside]
    found = shutil.which('scamper')
    if found is None:
        sys.exit('bench: no scamper command (run packaging/install.sh)')
    return [found]


OURS = _ours()
REAL = ['/usr/bin/scamper']
REAL_MAX_PPS = 10000
BENCH4 = '198.19.0.0/16'      # answered by dst, for lists of up to 65 536


def add_anyip4(lab):
    """Make dst answer every address of BENCH4 (routes on the way)."""
    for node in lab.nodes:
        if node == 'dst':
            argv = ['ip', 'route', 'add', 'local', BENCH4, 'dev', 'lo']
        else:
            peer = 'dst' if node == 'r3' else None
            for p in lab.ifaces[node]:
                if lab._dist[p]['dst'] < lab._dist[node]['dst']:
                    peer = p
            via = str(lab.ifaces[peer][node].addr4.ip)
            argv = ['ip', 'route', 'add', BENCH4, 'via', via, 'dev', peer]
        subprocess.run(['ip', 'netns', 'exec', lab.ns(node), *argv],
                       check=True)


def targets(n, family):
    if family == 6:
        return ['2001:db8:203::%x:%x' % (i >> 16, i & 0xffff)
                for i in range(1, n + 1)]
    if n > 65536:
        raise SystemExit('--family 4 lists hold at most 65 536 addresses')
    return ['198.19.%d.%d' % (i >> 8, i & 0xff) for i in range(n)]


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
    """Proportional set size of pid and its descendants, in bytes."""
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open('/proc/%s/stat' % d) as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError):
                pass
    pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open('/proc/%d/smaps_rollup' % p) as f:
                for line in f:
                    if line.startswith('Pss:'):
                        pss += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            pass
    return pss


def run_measured(lab, argv, env=None):
    """Run argv in src; (wall, cpu seconds of the tree, peak PSS bytes,
    start time)."""
    e = dict(os.environ)
    e.update(env or {})
    start = time.time()
    p = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'), *argv],
                         cwd='/', env=e, stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_mem(p.pid))
            done.wait(0.05)
    th = threading.Thread(target=sample)
    th.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.time() - start
    done.set()
    th.join()
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError('%s failed: %s' % (argv[0], err))
    return wall, ru.ru_utime + ru.ru_stime, peak[0], start


def count_results(path):
    from scamperd.warts import ScamperFile
    n = replied = 0
    rtts = []
    with ScamperFile(path) as f:
        for obj in f:
            if type(obj).__name__ == 'Ping':
                n += 1
                got = [r for rs in obj.replies for r in rs]
                if got:
                    replied += 1
                    rtts.append(got[0].rtt)
    return n, replied, rtts


def run_list(lab, argv, rate, addrs, family, env=None):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        pcap = os.path.join(tmp, 'probes.pcap')
        out = os.path.join(tmp, 'out.warts')
        listfile = os.path.join(tmp, 'targets.txt')
        with open(listfile, 'w') as f:
            f.write('\n'.join(addrs) + '\n')
        filt = ('icmp[icmptype] == icmp-echo' if family == 4 else
                'icmp6 and ip6[40] == 128')
        cap = subprocess.Popen(
            ['ip', 'netns', 'exec', lab.ns('r1'), 'tcpdump', '-q', '-n',
             '-B', '65536', '-s', '64', '-w', pcap, '-i', 'src', filt],
            stderr=subprocess.PIPE)
        line = cap.stderr.readline().decode()
        if 'listening' not in line:
            raise RuntimeError('tcpdump did not start: ' + line)
        wall, cpu, pss, start = run_measured(
            lab, [*argv, '-O', 'warts', '-o', out, '-p', str(rate),
                  '-c', 'ping -c 1 -W 1', '-f', listfile], env)
        time.sleep(0.3)
        cap.terminate()
        cap.wait()
        times = read_pcap(pcap)
        nres, replied, rtts = count_results(out)
    span = times[-1] - times[0] if len(times) > 1 else 0
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    return {
        'achieved': (len(times) - 1) / span / rate if span else 0,
        'p99gap': gaps[int(0.99 * (len(gaps) - 1))] * rate if gaps else 0,
        'onwire': len(times), 'list': len(addrs), 'results': nres,
        'replied': replied, 'cpu1k': cpu / max(1, len(times)) * 1000,
        'pss': pss / 1e6, 'wall': wall,
        'rtt_med': statistics.median(rtts) if rtts else float('nan'),
        'first': (times[0] - start) * 1000 if times else float('nan'),
    }


def fmt_list(r):
    if r is None:
        return 'n/a'
    return ('achieved/target %.3f  onwire/list %d/%d  results/replies %d/%d'
            '  p99gap*pps %.1f  cpu/1k %.3fs  pss %.0fMB  wall %.2fs  '
            'rtt_med %.0fus  first %.0fms' % (
                r['achieved'], r['onwire'], r['list'], r['results'],
                r['replied'], r['p99gap'], r['cpu1k'], r['pss'], r['wall'],
                r['rtt_med'], r['first']))


def bench_list(lab, rates, seconds, family, env, only):
    for rate in rates:
        addrs = targets(int(rate * seconds), family)
        us = run_list(lab, OURS, rate, addrs, family, env) \
            if only != 'scamper' else None
        them = run_list(lab, REAL, rate, addrs, family) \
            if rate <= REAL_MAX_PPS and only != 'us' else None
        print('%6d pps  list of %d, ping -c 1 -W 1, warts' % (rate,
                                                              len(addrs)))
        print('   us      %s' % fmt_list(us))
        print('   scamper %s' % fmt_list(them))
        if us and them:
            print('   us/scamper  cpu/1k %.2f  pss %.2f  wall %.2f' % (
                us['cpu1k'] / them['cpu1k'], us['pss'] / them['pss'],
                us['wall'] / them['wall']))
        sys.stdout.flush()


# -- tasks to the same address ---------------------------------------------

T4, T6 = '203.0.113.10', '2001:db8:203::10'
TRACE_METHODS = ('udp', 'icmp', 'udp-paris', 'icmp-paris', 'tcp', 'tcp-ack')
SAME = [
    ('12 traces: 6 methods x 2 addresses',
     [['-I', 'trace -P %s %s' % (m, a)] for a in (T4, T6)
      for m in TRACE_METHODS]),
    ('two ping -c 1 -W 1 to one address',
     [['-I', 'ping -c 1 -W 1 ' + T4]] * 2),
    ('ping -c 1, trace -P udp, trace -P icmp-paris to one address',
     [['-I', 'ping -c 1 ' + T4], ['-I', 'trace -P udp ' + T4],
      ['-I', 'trace -P icmp-paris ' + T4]]),
]


def same_list(tmp):
    """A 60-line list holding 20 addresses 3 times."""
    path = os.path.join(tmp, 'same.txt')
    with open(path, 'w') as f:
        f.write(''.join('203.0.113.%d\n' % (20 + i % 20) for i in range(60)))
    return ['-c', 'ping -c 1 -W 1', '-f', path]


def attach_wait(lab, argv, tmp):
    """Seconds an attach client waits for ``trace`` to an address whose
    ``ping`` result it has just received."""
    sock = os.path.join(tmp, 'ctl.sock')
    if os.path.exists(sock):        # left by the run before (scamper dies
        os.unlink(sock)             # on SIGTERM): it would not bind
    p = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'), *argv,
                          '-U', sock], cwd='/', stderr=subprocess.DEVNULL)
    try:
        c = socket.socket(socket.AF_UNIX)
        for _ in range(100):        # bound before it listens: refused
            try:
                c.connect(sock)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
        else:
            raise RuntimeError('%s: nobody listens on %s' % (argv[0], sock))
        f = c.makefile('rb')

        def until(kind):
            while True:
                line = f.readline()
                if not line or line.startswith(b'ERR'):
                    raise RuntimeError('control socket: %r' % line)
                if line.startswith(b'DATA '):
                    if kind in f.read(int(line.split()[1])):
                        return
        c.sendall(b'attach format json\n')
        until(b'"cycle-start"')
        c.sendall(b'ping -c 1 %s\n' % T4.encode())
        until(b'"ping"')
        t0 = time.time()
        c.sendall(b'trace %s\n' % T4.encode())
        until(b'"trace"')
        wait = time.time() - t0
        c.sendall(b'done\n')
        c.close()
        return wait
    finally:
        p.terminate()
        p.wait()


def bench_same(lab, only):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        rows = [(name, [w for a in args for w in a]) for name, args in SAME]
        rows.append(('a 60-line list holding 20 addresses 3 times',
                     same_list(tmp)))
        for name, args in rows:
            got = {}
            for who, argv in (('us', OURS), ('scamper', REAL)):
                if only and only != who:
                    continue
                out = os.path.join(tmp, 'out.warts')
                got[who] = run_measured(
                    lab, [*argv, '-p', '1000', '-O', 'warts', '-o', out,
                          *args])[0]
            print('%-62s %s' % (name, '  '.join(
                '%s %.2fs' % kv for kv in got.items())))
            sys.stdout.flush()
        got = {}
        for who, argv in (('us', OURS), ('scamper', REAL)):
            if not only or only == who:
                got[who] = attach_wait(lab, argv, tmp)
        print('%-62s %s' % ('attach: trace to an address pinged just before',
                            '  '.join('%s %.3fs' % kv for kv in got.items())))


def bench_million(lab, seconds, env, only):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        listfile = os.path.join(tmp, 'million.txt')
        with open(listfile, 'w') as f:
            f.write('\n'.join(targets(1000000, 6)) + '\n')
        for who, argv in (('us', OURS), ('scamper', REAL)):
            if only and only != who:
                continue
            out = os.path.join(tmp, 'out.warts')
            pcap = os.path.join(tmp, 'first.pcap')
            cap = subprocess.Popen(
                ['ip', 'netns', 'exec', lab.ns('r1'), 'tcpdump', '-q', '-n',
                 '-c', '1', '-w', pcap, '-i', 'src',
                 'icmp6 and ip6[40] == 128'], stderr=subprocess.PIPE)
            if 'listening' not in cap.stderr.readline().decode():
                raise RuntimeError('tcpdump did not start')
            e = dict(os.environ)
            e.update(env or {})
            start = time.time()
            p = subprocess.Popen(
                ['ip', 'netns', 'exec', lab.ns('src'), *argv, '-p', '10000',
                 '-O', 'warts', '-o', out, '-c', 'ping -c 1 -W 1',
                 '-f', listfile], cwd='/', env=e, stderr=subprocess.DEVNULL)
            samples = []
            while time.time() - start < seconds:
                time.sleep(0.25)
                samples.append((time.time() - start, tree_mem(p.pid)))
            p.terminate()
            p.wait()
            cap.wait(timeout=5)
            first = (read_pcap(pcap) or [float('nan')])[0] - start
            at2 = min(samples, key=lambda s: abs(s[0] - 2.0))[1]
            print('million   %-8s first probe %.0fms  pss at 2s %.0fMB  '
                  'at %.0fs %.0fMB  peak %.0fMB' % (
                      who, first * 1000, at2 / 1e6, samples[-1][0],
                      samples[-1][1] / 1e6,
                      max(s for _, s in samples) / 1e6))
            sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--workload', default='list,same,million')
    ap.add_argument('--rates', default='1000,2000,5000,10000,20000')
    ap.add_argument('--seconds', type=float, default=3)
    ap.add_argument('--family', type=int, default=4, choices=(4, 6))
    ap.add_argument('--workers', type=int, default=0)
    ap.add_argument('--only', choices=('us', 'scamper'))
    a = ap.parse_args()
    env = {'SCAMPER_WORKERS': str(a.workers)} if a.workers else None
    with Lab('line') as lab:
        add_anyip4(lab)
        for w in a.workload.split(','):
            if w == 'list':
                bench_list(lab, [int(x) for x in a.rates.split(',')],
                           a.seconds, a.family, env, a.only)
            elif w == 'same':
                bench_same(lab, a.only)
            elif w == 'million':
                bench_million(lab, max(a.seconds, 6), env, a.only)
            else:
                raise SystemExit('unknown workload %r' % w)


if __name__ == '__main__':
    main()
