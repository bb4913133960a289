#!/usr/bin/env python3
"""Hostile control clients: us against Debian's scamper, in one run, each
a daemon (-U) in the line lab.  Per hostile pattern, while it goes on:

  answer_ms   time a fresh client waits for `get pps` (worst of 5)
  cpu%        CPU of the daemon's process tree over 3 s
  pss         proportional set size of the tree (MB)
  alive       whether the daemon still runs afterwards

Patterns:
  idle      1 100 connections that send nothing (more than the default
            1 024-descriptor limit, which both daemons run under here),
            measured after they have been idle 11 s
  unread    30 clients that send `get version` as fast as they can and
            read nothing
  attach    one attached client that sends 20 000 long (60 KB) commands
            without waiting for MORE

Usage (root): python3 bench/hostile.py [--only us|scamper]
"""

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from scamper_cli.lab import Lab  # noqa: E402
from pps import tree_mem  # noqa: E402

OURS = [sys.executable, '-m', 'scamper_cli.main']
IDLE_EVICT = 11     # a connection idle 10 s gives its place to a new one
REAL = ['/usr/bin/scamper']


def cpu(pid):
    """CPU seconds of pid and its descendants."""
    total = 0.0
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(d) == pid or _descends(int(d), pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf(
                'SC_CLK_TCK')
    return total


def _descends(p, root):
    for _ in range(10):
        try:
            with open('/proc/%d/stat' % p) as f:
                p = int(f.read().rsplit(')', 1)[1].split()[1])
        except OSError:
            return False
        if p == root:
            return True
        if p <= 1:
            return False
    return False


def answer_ms(path, tries=5):
    worst = 0.0
    for _ in range(tries):
        t0 = time.monotonic()
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(10)
                s.connect(path)
                s.sendall(b'get pps\n')
                if not s.recv(100).startswith(b'OK'):
                    return float('inf')
        except OSError:
            return float('inf')
        worst = max(worst, time.monotonic() - t0)
        time.sleep(0.1)
    return worst * 1000


def hostile(pattern, path):
    """Start the pattern; the sockets it holds."""
    socks = []
    if pattern == 'idle':
        for _ in range(1100):
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(path)
            except OSError:
                s.close()
                continue
            socks.append(s)
    elif pattern == 'unread':
        chunk = b'get version\n' * 5000
        for _ in range(30):
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.setblocking(False)
            socks.append(s)
        end = time.time() + 5
        while time.time() < end:
            for s in socks:
                try:
                    s.send(chunk)
                except OSError:
                    pass
    elif pattern == 'attach':
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.setblocking(False)
        s.send(b'attach\n')
        line = b'tbit -t null -u http://x/%s 192.0.2.1\n' % (b'a' * 60000)
        for _ in range(20000):
            try:
                s.send(line)
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                break
        socks.append(s)
    return socks


def run(lab, who, argv, pattern):
    tmp = tempfile.mkdtemp(prefix='sc-hostile-')
    os.chmod(tmp, 0o777)
    path = os.path.join(tmp, 'sock')
    p = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'), *argv,
                          '-U', path, '-p', '100'], cwd='/',
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=lambda: resource.setrlimit(
                             resource.RLIMIT_NOFILE, (1024, 1024)))
    while not os.path.exists(path):
        time.sleep(0.05)
    time.sleep(0.5)
    socks = hostile(pattern, path)
    if pattern == 'idle':
        time.sleep(IDLE_EVICT)      # idle long enough to make room
    c0, t0 = cpu(p.pid), time.time()
    time.sleep(3)
    load = (cpu(p.pid) - c0) / (time.time() - t0) * 100
    ms = answer_ms(path)
    pss = tree_mem(p.pid) / 1e6
    for s in socks:
        s.close()
    time.sleep(0.5)
    alive = p.poll() is None and answer_ms(path, 1) < float('inf')
    p.terminate()
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    print('%-8s %-8s %10.1f %6.0f %8.1f %6s' % (
        pattern, who, ms, load, pss, 'yes' if alive else 'NO'), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--only', choices=('us', 'scamper'))
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 8192), hard))
    print('%-8s %-8s %10s %6s %8s %6s' % ('pattern', 'who', 'answer_ms',
                                          'cpu%', 'pss_MB', 'alive'))
    with Lab('line') as lab:
        for pattern in ('idle', 'unread', 'attach'):
            for who, argv in (('us', OURS), ('scamper', REAL)):
                if args.only in (None, who):
                    run(lab, who, argv, pattern)


if __name__ == '__main__':
    main()
