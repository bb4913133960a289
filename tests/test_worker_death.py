"""A worker killed with SIGKILL mid-run: the run completes and every task
is reported exactly once."""

import collections
import errno
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
    class Router:
        def source(self, dst):
            raise ValueError('embedded null byte')

    w, sent = _worker(Router(), [(1, 'ping 192.0.2.1', None),
                                 (2, 'ping 192.0.2.2', None)])
    assert w._start_next() and w._start_next() and not w._start_next()
    assert [(m['id'], m['msg']) for m in sent] == [
        (n, 'internal error starting it: ValueError: embedded null byte')
        for n in (1, 2)]
    assert w.more == 2


def _worker(router, backlog, fmt='json'):
    """A worker with no engine or sockets: what it sends the supervisor
    is appended to the list returned with it."""
    from types import SimpleNamespace

    from scamperd.worker import Worker
    sent = []
    w = Worker.__new__(Worker)
    w.backlog = collections.deque(backlog)
    w.more, w.fmt, w.sport, w.lss, w.results = 0, fmt, 0x8123, {}, []
    w.sup = SimpleNamespace(send=sent.append)
    w.router = router
    return w, sent


class NoRoute:
    def source(self, dst):
        from scamperd.route import RouteError
        raise RouteError('no route to it: Network is unreachable')


def test_a_task_that_cannot_start_gives_an_error_result():
    """A task that fails after its attach client got OK (the route went
    away in between) ends as scamper ends one whose first probe cannot be
    sent: a trace with stop reason error and the errno, a ping that sent
    nothing, a tbit whose result is sys-error; the reason is said too.
    The worker reports the reason and the errno; the result is made where
    it is wanted (error_result, in the supervisor)."""
    from scamperd.worker import error_result
    lines = ['trace -P icmp-paris 192.0.2.1', 'ping -c 3 2001:db8::1',
             'tbit -t null 192.0.2.1', 'dealias -m ally 192.0.2.1 192.0.2.2']
    w, sent = _worker(NoRoute(), [(i + 1, line, None)
                                  for i, line in enumerate(lines)])
    while w._start_next():
        pass
    assert sent == [{'t': 'error', 'id': n, 'errno': errno.ENETUNREACH,
                     'msg': 'no route to it: Network is unreachable'}
                    for n in (1, 2, 3, 4)]
    trace, ping, tbit = (json.loads(error_result(
        line, None, 'json', 0x8123, errno.ENETUNREACH)[0])
        for line in lines[:3])
    assert (trace['stop_reason'], trace['stop_data'], trace['hop_count'],
            trace['src']) == ('ERROR', errno.ENETUNREACH, 0, '0.0.0.0')
    assert (ping['dst'], ping['ping_sent']) == ('2001:db8::1', 0)
    assert tbit['result'] == 'sys-error'
    # in the format its source asked for
    assert error_result(lines[3], {'fmt': 'text'}, 'json', 0x8123,
                        errno.ENETUNREACH) == (b'192.0.2.1 192.0.2.2 none\n',)


def test_a_task_whose_method_raises_gives_an_error_result():
    """A method that raised in the engine (a bug, or the helper refusing a
    socket it needs): the worker says why, with EIO; its task's result is
    made from a fresh copy of the command, ended as above."""
    from scamperd.method import Context
    from scamperd import commands
    from scamperd.worker import error_result
    w, sent = _worker(None, [])
    line = 'ping -c 1 192.0.2.1'
    m = commands.parse(line).create(Context(b'\xc0\x00\x02\x09', 1))
    m.task_meta = None
    w._done(7, m, error='OSError: [Errno 1] Operation not permitted')
    assert sent == [{'t': 'error', 'id': 7, 'errno': errno.EIO,
                     'msg': 'internal error: OSError: [Errno 1] Operation '
                     'not permitted'}]
    ping = json.loads(error_result(line, None, 'json', 1, errno.EIO)[0])
    assert (ping['dst'], ping['ping_sent']) == ('192.0.2.1', 0)


def test_a_command_that_cannot_be_made_gives_only_the_reason():
    """No result can be made for neighbourdisc on an interface that went
    away: the reason alone."""
    from types import SimpleNamespace

    from scamperd.worker import error_result
    line = 'neighbourdisc -i nosuch0 2001:db8::2'
    w, sent = _worker(SimpleNamespace(source=lambda dst: bytes(16)),
                      [(1, line, None)])
    w._start_next()
    assert sent == [{'t': 'error', 'id': 1, 'errno': errno.ENETUNREACH,
                     'msg': 'neighbourdisc: -i nosuch0: no interface with '
                     'this name'}]
    assert error_result(line, None, 'warts', 1, errno.ENETUNREACH) is None


def test_the_supervisor_passes_error_results_to_attach_clients_only():
    """scamper 20211212 wrote nothing for a task it could not start: a
    list's output stays so; an attach client, which waits for a result,
    gets the error result (made only for it)."""
    from types import SimpleNamespace

    from scamperd.supervisor import Supervisor
    done = []
    sup = Supervisor.__new__(Supervisor)
    sup.errors = 0
    sup.err = open(os.devnull, 'w')
    sup.fmt, sup.cfg = 'json', {'sport': 0x8123}
    sup._release = lambda rec: None
    sup.sources = SimpleNamespace(done=lambda *a, **k: done.append(a),
                                  task_meta=lambda src, tag: {'fmt': 'text'})
    for wants in (True, False):
        rec = SimpleNamespace(where='x', tries=1, tag=None,
                              line='dealias -m ally 192.0.2.1 192.0.2.2',
                              source=SimpleNamespace(error_results=wants))
        sup._fail(rec, 'no route', errno.ENETUNREACH)
    sup.err.close()
    assert [a[2] for a in done] == [b'192.0.2.1 192.0.2.2 none\n', None]
    assert sup.errors == 2


def test_a_task_halted_before_it_started_gives_a_halted_result():
    """An attach client's ``halt N`` can reach the worker while task N
    waits in its backlog (or the supervisor's queue): as scamper, which
    made the task when it said OK, the client still gets N's result
    (stop reason halted, nothing sent), made by the supervisor; a source
    that waits for no result gets none.  The client in
    test_pypi_module_transcript_replays waited for ever for one."""
    from types import SimpleNamespace

    from scamperd.supervisor import Supervisor
    from scamperd.worker import error_result
    ping = json.loads(error_result('ping -c 3 192.0.2.1', None, 'json',
                                   1)[0])
    assert (ping['ping_sent'], ping['start']) == (0, {'sec': 0, 'usec': 0})
    trace = json.loads(error_result('trace 192.0.2.1', None, 'json', 1)[0])
    assert (trace['stop_reason'], trace['hop_count']) == ('HALTED', 0)

    done, copies = [], []
    sup = Supervisor.__new__(Supervisor)
    sup.fmt, sup.cfg = 'json', {'sport': 0x8123}
    sup._release = lambda rec: None
    sup.sources = SimpleNamespace(
        done=lambda *a, **k: done.append(a),
        default=SimpleNamespace(write=copies.append),
        task_meta=lambda src, tag: {'fmt': 'text', 'copy': {'fmt': 'json'}})
    w = SimpleNamespace()
    for wants in (True, False):
        rec = SimpleNamespace(id=5, worker=w, tag=5, line='dealias -m ally '
                              '192.0.2.1 192.0.2.2',
                              source=SimpleNamespace(error_results=wants))
        sup.active = {5: rec}
        w.chan = SimpleNamespace(receive=lambda: [{'t': 'halted', 'id': 5}])
        sup._on_messages(w)
    # scamper's text names only the results none, aliases, not-aliases
    assert [a[2] for a in done] == [b'192.0.2.1 192.0.2.2 3\n', None]
    assert len(copies) == 1 and json.loads(copies[0])['result'] == 'halted'
    # one still in the supervisor's queue
    done.clear()
    sup.active, sup.deferred, sup.held = {}, [], 0
    sup.queue = collections.deque([rec])
    rec.source.error_results, rec.tries = True, 0
    assert sup.halt_task(lambda r: r.tag == 5)
    assert [a[2] for a in done] == [b'192.0.2.1 192.0.2.2 3\n']
    assert not sup.queue


def test_results_wait_for_their_time_once_the_backlog_is_empty():
    """With its backlog empty (a list's last second) a worker sent what
    it had on every turn of its loop, and so woke the supervisor a
    thousand times a second, each time with a result or two: room is
    said at once when there is room to say, results wait REPORT_EVERY."""
    from scamperd.worker import REPORT_EVERY, REPORT_RESULTS
    w, _ = _worker(None, [])
    w.backlog_max, w.since, w.results = 100, 0.0, [(1, b'r')]
    assert not w._report_due(REPORT_EVERY / 2)
    assert w._report_due(REPORT_EVERY)
    w.more = 1                                  # room not said yet
    assert w._report_due(0.0)
    w.more, w.backlog = 0, collections.deque([(2, 'ping 192.0.2.1', None)])
    w.results = [(1, b'r')] * REPORT_RESULTS
    assert w._report_due(0.0)
    w.results, w.more = [], 50                  # half the backlog's room
    assert w._report_due(0.0)


def test_workers_that_die_as_they_start_stop_the_run(lab_line):
    """Workers that could not start (here: an installation whose worker
    module fails to import) were started again and again, and the run
    never ended.  Three in a row that die before they say they are ready
    stop it, saying so, with exit status 1; a list run and a daemon
    alike."""
    import shutil
    import subprocess
    import sys
    import tempfile

    import scamper_cli
    import scamper_priv
    import scamperd
    top = tempfile.mkdtemp(prefix='sc-broken-')
    try:
        os.chmod(top, 0o755)
        for pkg in (scamper_cli, scamper_priv, scamperd):
            src = os.path.dirname(pkg.__file__)
            shutil.copytree(src, os.path.join(top, os.path.basename(src)),
                            ignore=shutil.ignore_patterns('__pycache__'))
        with open(os.path.join(top, 'scamperd', 'worker.py'), 'w') as f:
            f.write('raise ImportError("a broken installation")\n')
        site = os.path.dirname(os.path.dirname(scamperd.__file__))
        code = ('import sys; sys.path[:0] = [%r]; sys.path.append(%r); '
                'from scamper_cli.main import main; sys.exit(main())'
                % (top, site))
        for args in (['-c', 'ping -c 1', '-i', '203.0.113.20'],
                     ['-U', os.path.join(top, 'ctl')]):
            p = subprocess.run(
                ['ip', 'netns', 'exec', lab_line.ns('src'), sys.executable,
                 '-IS', '-c', code, *args], capture_output=True, text=True,
                timeout=60, cwd='/')
            assert p.returncode == 1, p.stderr
            assert p.stderr.count(
                'ImportError: a broken installation') == 3, p.stderr
            assert 'scamper: 3 workers in a row ended as they started: ' \
                'stopping\n' in p.stderr
    finally:
        shutil.rmtree(top, ignore_errors=True)
