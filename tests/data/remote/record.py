"""Record a remote-mode session of scamper 20260420's sc_remoted, which CI
cannot build, for tests/test_remote_replay.py to replay.

In the line lab, scamper 20260420's sc_remoted (with its multiplexed socket,
-M) runs in dst behind a recording proxy; one vantage point (scamper -R,
-M vp-src) in src joins it; scamper 20260420's Python module (ScamperCtrl
(mux=...)) lists the vantage points and runs ``ping -c 2`` and ``trace``
on it, then ``done``.  Every protocol message, each way, is written to
the output as one JSON line {"from": "vp"|"ctl", "seq", "ch", "hex"}.

    python3 tests/data/remote/record.py SCAMPER26_PREFIX PYTHON_WITH_MODULE \\
        VP_ARGV0 OUT.jsonl

SCAMPER26_PREFIX: where scamper 20260420 is installed (bin/sc_remoted);
PYTHON_WITH_MODULE: a Python that imports its ``scamper`` module; VP_ARGV0:
the vantage point's scamper (theirs, or ours: scamper-py's).
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402

PROXY = r'''
import json, selectors, socket, struct, sys
listen, backend, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
h, p = listen.rsplit(':', 1)
ls = socket.create_server((h, int(p)))
out = open(log, 'w')
sel = selectors.DefaultSelector()
sel.register(ls, selectors.EVENT_READ)
peer, bufs, names = {}, {}, {}
while True:
    for k, _ in sel.select():
        s = k.fileobj
        if s is ls:
            c, _ = ls.accept()
            b = socket.create_connection(('127.0.0.1', backend))
            peer[c], peer[b] = b, c
            names[c], names[b] = 'vp', 'ctl'
            bufs[c] = bufs[b] = b''
            sel.register(c, selectors.EVENT_READ)
            sel.register(b, selectors.EVENT_READ)
            continue
        try:
            d = s.recv(65536)
        except OSError:
            d = b''
        if not d:
            for x in (s, peer[s]):
                sel.unregister(x)
                x.close()
            peer.pop(peer.pop(s))
            continue
        peer[s].sendall(d)
        bufs[s] += d
        while len(bufs[s]) >= 10:
            seq, ch, n = struct.unpack_from('!IIH', bufs[s])
            if len(bufs[s]) < 10 + n:
                break
            pl, bufs[s] = bufs[s][10:10 + n], bufs[s][10 + n:]
            out.write(json.dumps({'from': names[s], 'seq': seq, 'ch': ch,
                                  'hex': pl.hex()}) + '\n')
            out.flush()
'''

SCRIPT = r'''
import sys, time
from scamper import ScamperCtrl
ctrl = ScamperCtrl(mux=sys.argv[1])
(vp,) = ctrl.vps()
(inst,) = ctrl.add_vps([vp])
ctrl.do_ping(sys.argv[2], inst=inst, attempts=2)
ctrl.do_trace(sys.argv[2], inst=inst)
got = sorted(type(o).__name__ for o in ctrl.responses(timeout=30))
assert got == ['ScamperPing', 'ScamperTrace'], got
ctrl.done()
end = time.time() + 10
while not ctrl.is_done() and time.time() < end:
    ctrl.poll(timeout=1)
print(str(vp), got, ctrl.is_done())
'''


def main():
    prefix, python, vp_argv0, out = sys.argv[1:5]
    d = tempfile.mkdtemp()
    os.chmod(d, 0o755)
    log = os.path.join(d, 'rec.jsonl')
    with Lab('line') as lab:
        procs = []
        try:
            procs.append(subprocess.Popen(
                ['ip', 'netns', 'exec', lab.ns('dst'),
                 os.path.join(prefix, 'bin', 'sc_remoted'), '-P',
                 '127.0.0.1:50400', '-U', d, '-M', os.path.join(d, 'mux')]))
            time.sleep(0.5)
            procs.append(subprocess.Popen(
                ['ip', 'netns', 'exec', lab.ns('dst'), sys.executable, '-c',
                 PROXY, '198.51.100.2:50401', '50400', log]))
            time.sleep(0.5)
            procs.append(subprocess.Popen(
                ['ip', 'netns', 'exec', lab.ns('src'), vp_argv0, '-M',
                 'vp-src', '-R', '198.51.100.2:50401']))
            time.sleep(3)
            p = subprocess.run([python, '-c', SCRIPT, os.path.join(d, 'mux'),
                                lab.target4], capture_output=True, text=True,
                               timeout=120)
            print(p.stdout, p.stderr)
            assert p.returncode == 0
            time.sleep(1)
        finally:
            for p in reversed(procs):
                p.terminate()
                p.wait()
    with open(log) as f, open(out, 'w') as g:
        for line in f:
            r = json.loads(line)
            g.write(json.dumps(r, sort_keys=True) + '\n')
    shutil.rmtree(d)


if __name__ == '__main__':
    main()
