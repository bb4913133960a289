"""A worker killed with SIGKILL mid-run: the run completes and every task
is reported exactly once."""

import collections
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
    # said, with which worker and why
    assert 'ended (killed by SIGKILL) with ' in err
    assert '(pid %d) ended' % workers[0] in err
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


def test_a_task_that_raises_ends_alone_with_an_error():
    """neighbourdisc -i NUL raised ValueError in a worker, which died, and
    died again for each retry until the supervisor gave up on the other
    tasks it held.  Whatever a task's start raises now ends that task with
    an error, and the worker goes on with the next one."""
    from types import SimpleNamespace

    from scamperd.worker import Worker

    class Router:
        def source(self, dst):
            raise ValueError('embedded null byte')

    sent = []
    w = Worker.__new__(Worker)
    w.backlog = collections.deque([(1, 'ping 192.0.2.1', None),
                                   (2, 'ping 192.0.2.2', None)])
    w.more = 0
    w.sup = SimpleNamespace(send=sent.append)
    w.router = Router()
    assert w._start_next() and w._start_next() and not w._start_next()
    assert sent == [{'t': 'error', 'id': n, 'msg': 'internal error starting '
                     'it: ValueError: embedded null byte'} for n in (1, 2)]
    assert w.more == 2
