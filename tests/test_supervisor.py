"""Which tasks the supervisor runs at once: scamper 20211212's task
signatures (scamper_task.c, scamper_sources.c), with no hold time."""

import os

from scamperd import commands
from scamperd import supervisor as supmod
from scamperd.sources import FileSource
from scamperd.supervisor import Supervisor, WorkerHandle, _keys


def supervisor(lines):
    r, w = os.pipe()
    os.close(r)
    inputs = [('-I command %d' % i, line) for i, line in enumerate(lines, 1)]
    sup = Supervisor(None, inputs, w, {'sport': 0x8000, 'workers': 1})
    return sup, WorkerHandle(None, None, 0)


def start(sup, w):
    """The next task the supervisor would start, as _dispatch does."""
    rec = sup._next_task(w)
    if rec is not None:
        rec.tries += 1
        if rec.tries == 1:
            sup.sources.started(rec.source, rec.tag)
        sup.active[rec.id] = rec
        for key in _keys(rec):
            sup.sigs[key] = rec
    return rec


def test_tasks_to_different_destinations_run_at_once():
    sup, w = supervisor(['ping 192.0.2.1', 'trace 192.0.2.2',
                         'ping 2001:db8::1', 'ping 192.0.2.3'])
    started = [start(sup, w) for _ in range(4)]
    assert [r.line for r in started] == ['ping 192.0.2.1', 'trace 192.0.2.2',
                                         'ping 2001:db8::1', 'ping 192.0.2.3']


def test_a_task_to_a_busy_destination_waits_for_it_and_no_longer():
    sup, w = supervisor(['ping -c 1 192.0.2.1', 'trace -P icmp-paris 192.0.2.1',
                         'ping 192.0.2.9'])
    first = start(sup, w)
    # the trace waits on the ping; the next task is free to go
    assert start(sup, w).line == 'ping 192.0.2.9'
    assert start(sup, w) is None
    assert [r.line for r in first.waiters] == ['trace -P icmp-paris 192.0.2.1']
    sup._release(first)
    assert start(sup, w).line == 'trace -P icmp-paris 192.0.2.1'


def test_tasks_blocked_by_one_task_come_back_last_blocked_first():
    """scamper puts each unheld command at the head of its source's list,
    so the last one blocked runs next; the others then wait on it."""
    sup, w = supervisor(['ping -c 1 192.0.2.1'] * 4)
    t1 = start(sup, w)
    assert start(sup, w) is None          # t2, t3, t4 wait on t1
    assert [r.id for r in t1.waiters] == [2, 3, 4]
    sup._release(t1)
    t4 = start(sup, w)
    assert t4.id == 4 and start(sup, w) is None
    assert [r.id for r in t4.waiters] == [3, 2]
    sup._release(t4)
    t2 = start(sup, w)
    assert t2.id == 2 and start(sup, w) is None
    sup._release(t2)
    assert start(sup, w).id == 3
    assert not sup.queue and not sup.deferred


def test_signatures_of_each_command():
    def sig(line):
        return commands.signature(commands.parse(line))
    a, b = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
    assert sig('ping 192.0.2.1') == (a,)
    assert sig('tracelb 192.0.2.1') == (a,)
    assert sig('dealias -m ally 192.0.2.1 192.0.2.2') == (a, b)
    assert sig("dealias -m mercator 192.0.2.1") == (a,)
    assert sig('neighbourdisc -i lo 192.0.2.1') == (('nd', a),)
    assert sig('sniff -S 192.0.2.1 icmp[icmpid] == 1') == ()


def test_a_dealias_blocks_on_any_of_its_destinations():
    sup, w = supervisor(['ping -c 1 192.0.2.2',
                         'dealias -m ally 192.0.2.1 192.0.2.2',
                         'ping -c 1 192.0.2.1'])
    ping = start(sup, w)
    assert start(sup, w).line == 'ping -c 1 192.0.2.1'
    assert start(sup, w) is None
    assert [r.line for r in ping.waiters] == [
        'dealias -m ally 192.0.2.1 192.0.2.2']


def test_a_sniff_never_blocks():
    sup, w = supervisor(['sniff -S 192.0.2.1 icmp[icmpid] == 1',
                         'sniff -S 192.0.2.1 icmp[icmpid] == 1',
                         'ping 192.0.2.1'])
    assert [start(sup, w).id for _ in range(3)] == [1, 2, 3]


def test_tasks_held_on_one_address_are_bounded(monkeypatch):
    """A list of one address read on while every task waited on the first
    (issue 13): reading stops at MAX_HELD waiting tasks."""
    monkeypatch.setattr(supmod, 'MAX_HELD', 5)
    sup, w = supervisor(['ping -c 1 192.0.2.1'] * 100)
    t1 = start(sup, w)
    assert start(sup, w) is None and start(sup, w) is None
    assert sup.held == 5 and len(t1.waiters) == 5 and sup.next_id == 7
    sup._release(t1)
    assert sup.held == 0 and len(sup.queue) == 5


def _forever_source(sup, tmp_path, lines):
    path = tmp_path / 'list'
    path.write_text(''.join(a + '\n' for a in lines))
    cycles = []
    sup.sources.observers.append(
        lambda e: cycles.append(e) if ' source cycle ' in e else None)
    sup.sources.daemon = True
    src = FileSource(sup.sources, 's', str(path), 'ping -c 1',
                     sup.sources.default, cycles=0)
    sup.sources.add(src)
    return src, cycles


def test_a_source_run_for_ever_does_not_race_ahead(tmp_path):
    """cycles 0 with two addresses started 5 243 cycles in 12 s: now a
    cycle starts only once every task of the one before has started."""
    sup, w = supervisor([])
    src, cycles = _forever_source(sup, tmp_path, ['192.0.2.1'] * 2)
    t1 = start(sup, w)
    for _ in range(100):
        assert start(sup, w) is None
    assert len(cycles) == 1 and sup.held == 1
    sup._release(t1)
    start(sup, w)               # the second line: cycle 1 all started
    for _ in range(100):        # cycle 2's two lines wait on it
        assert start(sup, w) is None
    assert len(cycles) == 2 and sup.held == 2


def test_source_delete_forgets_its_tasks_not_started(tmp_path):
    """After source delete a source's queued tasks still ran."""
    sup, w = supervisor([])
    src, _ = _forever_source(sup, tmp_path, ['192.0.2.1'] * 3 + ['192.0.2.2'])
    t1 = start(sup, w)
    assert start(sup, w).line == 'ping -c 1 192.0.2.2'
    assert sup.held == 2
    src.drop_pending()
    sup.sources.remove(src)
    assert sup.drop_tasks(lambda rec: rec.source is src) == 2
    assert sup.held == 0 and not t1.waiters
    assert src.outstanding == 2 and src.unstarted == 0


def test_shutdown_done_waits_for_the_cycles_a_source_has_left(tmp_path):
    """With shutdown done, a source whose next cycle waits for its tasks to
    start is not taken for finished."""
    sup, w = supervisor([])
    src, cycles = _forever_source(sup, tmp_path, ['192.0.2.1'] * 2)
    src.cycles = 2
    sup.shutdown('done')
    t1 = start(sup, w)
    assert start(sup, w) is None and not sup.input_done
    sup._release(t1)
    sup._release(start(sup, w))
    assert start(sup, w) is not None and len(cycles) == 2


def test_each_side_loads_only_what_it_runs():
    """The supervisor's modules do not load the worker's (engine, packet
    codecs, netio, landlock and ctypes, seccomp): workers are forked
    before the supervisor loads its own and each loads what it runs, in
    parallel (scamperd/pool.py), and the supervisor's memory holds none
    of it.  (Measured: the first probe a few ms sooner, PSS 0.3-0.4 MB
    less.)"""
    import subprocess
    import sys
    out = subprocess.run(
        [sys.executable, '-c', 'import sys, scamperd.supervisor, '
         'scamperd.pool; print(" ".join(sorted(sys.modules)))'],
        capture_output=True, text=True, check=True, cwd='/').stdout.split()
    worker_only = {'scamperd.engine', 'scamperd.netio', 'scamperd.worker',
                   'scamperd.net.packet', 'scamperd.landlock', 'ctypes',
                   'seccomp', 'scamperd.syscalls'}
    assert 'scamperd.supervisor' in out
    assert not worker_only & set(out)
