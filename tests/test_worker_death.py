"""A worker killed with SIGKILL mid-run: the run completes and every task
is reported exactly once."""

import json
import os
import signal
import time

from ours import popen_ours, proc_tree


def test_sigkill_a_worker_mid_run(lab_line):
    targets = ['203.0.113.%d' % i for i in range(20, 28)]
    p = popen_ours(lab_line, '-O', 'json', '-p', '100',
                   '-c', 'ping -c 4 -i 0.25', '-i', *targets,
                   env={'SCAMPER_WORKERS': '2'},
                   stdout=-1, stderr=-1, text=True)
    try:
        time.sleep(1.0)
        tree = proc_tree(p.pid)
        supervisor = [q for q in tree if q != p.pid and
                      _ppid(q) == p.pid][0]
        workers = [q for q in tree if _ppid(q) == supervisor]
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    objs = [json.loads(line) for line in out.splitlines()]
    assert objs[0]['type'] == 'cycle-start'
    assert objs[-1]['type'] == 'cycle-stop'
    pings = [o for o in objs if o['type'] == 'ping']
    assert sorted(o['dst'] for o in pings) == sorted(targets)
    for o in pings:
        assert o['ping_sent'] == 4


def _ppid(pid):
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[1])
