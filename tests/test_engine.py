"""The engine (scamperd/engine.py) with a fake network under it: pacing,
demultiplexing, and containment of a failing method."""

import errno
import socket
import time

from scamperd.engine import Engine
from scamperd.method import Context
from scamperd.pacer import Pacer
from scamperd.ping import cmd as ping_cmd
from scamperd.trace import cmd as trace_cmd
from simnet import A, Hop, Network, Path


class FakeIO:
    """Answers each probe at once from a simulated network; a socketpair
    tells the engine's selector that replies are waiting."""

    def __init__(self, net):
        self.net = net
        self.sent = []
        self.pending = []
        self.r, self.w = socket.socketpair()
        self.r.setblocking(False)
        self.registered = False

    def ensure_rx(self, family, proto):
        if self.registered:
            return []
        self.registered = True
        return [self.r]

    def send(self, family, dst, data):
        probe = self.current
        self.sent.append((time.time(), probe))
        ans = self.net.answer(probe, time.time())
        if ans is not None:
            self.pending.append(ans[1])
            self.w.send(b'x')

    def receive(self, rx, clock, wanted=None):
        try:
            self.r.recv(4096)
        except BlockingIOError:
            pass
        out, self.pending = self.pending, []
        for r in out:
            r.rx = clock()
        return out


def make_engine(io, pps=1000):
    done = []
    eng = Engine(io, Pacer(pps), lambda tid, m, err: done.append(
        (tid, m, err)))
    import scamperd.engine as E
    real = E.encode_probe

    def encode(p):
        io.current = p
        return real(p)
    E.encode_probe = encode
    return eng, done, lambda: setattr(E, 'encode_probe', real)


def run(eng, done, n, limit=10.0):
    end = time.time() + limit
    while len(done) < n and time.time() < end:
        eng.turn(0.05)
    assert len(done) == n


SRC = A('192.0.2.1')


def test_two_tasks_finish_and_replies_reach_their_own_task():
    net = Network(Path('203.0.113.1', [Hop('198.51.100.1')]),
                  Path('203.0.113.2', [Hop('198.51.100.1')]))
    io = FakeIO(net)
    eng, done, undo = make_engine(io)
    try:
        for i, dst in enumerate(('203.0.113.1', '203.0.113.2')):
            cmd = ping_cmd.parse(['-c', '2', '-i', '0.1', dst])
            eng.add(i, cmd.create(Context(SRC, 0x8000 + i)))
        run(eng, done, 2)
    finally:
        undo()
    for tid, m, err in done:
        assert err is None
        assert m.result.ping_sent == 2
        assert all(len(r) == 1 for r in m.result.replies)
    # both tasks' keys are freed at once (no hold time)
    assert not eng.keys


def test_send_slots_come_from_the_pacer():
    """On a virtual clock: ready probes go one per 1/pps slot, in turn
    across tasks, never before their slot."""
    net = Network(*[Path('203.0.113.%d' % (10 + i), [], dst_mode='silent')
                    for i in range(4)])
    io = FakeIO(net)
    eng, done, undo = make_engine(io, pps=100)
    clock = [1000.0]
    eng.clock = lambda: clock[0]
    try:
        for i in range(4):
            c = ping_cmd.parse(['-c', '3', '-i', '0.1', '203.0.113.%d'
                                % (10 + i)])
            eng.add(i, c.create(Context(SRC, 0x9000 + i)), now=clock[0])
        sent_at = []
        for step in range(40):            # 40 ms in 1 ms steps
            clock[0] = 1000.0 + step * 0.001
            before = len(io.sent)
            eng._run_timers(clock[0])
            eng._send(clock[0])
            sent_at += [clock[0]] * (len(io.sent) - before)
    finally:
        undo()
    # four tasks have a probe ready at once; 100 pps spreads them 10 ms apart
    assert [round(t - 1000.0, 3) for t in sent_at] == [0.0, 0.01, 0.02, 0.03]
    assert [p.dst for _, p in io.sent] == [A('203.0.113.%d' % (10 + i))
                                           for i in range(4)]


def test_a_task_started_from_the_send_loop_reads_the_clock_after_starting():
    """The engine starts a new task when it has a slot no task needs
    (``feed``); making the task may take a while (a datalink to open,
    modules to load): its probe's time is the clock's after that, not the
    time the send loop began (a neighbourdisc's waits came out 15 ms short
    when it was)."""
    net = Network(Path('203.0.113.10', [], dst_mode='silent'))
    io = FakeIO(net)
    clock = [1000.0]
    seen = []

    class Timed:
        def __init__(self, m):
            self.m = m

        def __getattr__(self, name):
            return getattr(self.m, name)

        def next_probe(self, now):
            seen.append(now)
            return self.m.next_probe(now)

    def feed():
        if seen or eng.tasks:
            return False
        clock[0] += 0.015                  # a slow start
        c = ping_cmd.parse(['-c', '1', '203.0.113.10'])
        eng.add(1, Timed(c.create(Context(SRC, 0x9000))))
        return True

    eng, done, undo = make_engine(io)
    eng.clock = lambda: clock[0]
    eng.feed = feed
    try:
        eng._send(clock[0])
    finally:
        undo()
    assert seen == [1000.015]


class Broken:
    done = False
    result = None

    def start(self, now):
        pass

    def ready(self):
        return True

    def timer(self):
        return None

    def next_probe(self, now):
        raise RuntimeError('boom')


def test_a_failing_method_ends_its_task_not_the_engine():
    net = Network(Path('203.0.113.1', [Hop('198.51.100.1')]))
    io = FakeIO(net)
    eng, done, undo = make_engine(io)
    try:
        eng.add(1, Broken())
        cmd = ping_cmd.parse(['-c', '1', '203.0.113.1'])
        eng.add(2, cmd.create(Context(SRC, 0x8000)))
        run(eng, done, 2)
    finally:
        undo()
    errs = {tid: err for tid, _, err in done}
    assert 'RuntimeError: boom' in errs[1]
    assert errs[2] is None


def test_the_method_hears_of_each_probe_sent_once_its_time_is_known():
    """probe_sent(probe) after every send that worked, with tx set; not
    for one that failed (send_error instead)."""
    net = Network(Path('203.0.113.1', [Hop('198.51.100.1')]))
    io = FakeIO(net)
    told = []

    class Told:
        def __init__(self, m):
            self.m = m

        def __getattr__(self, name):
            return getattr(self.m, name)

        def probe_sent(self, probe):
            told.append((probe, probe.tx))
            self.m.probe_sent(probe)

        def send_error(self, probe, err, now):
            told.append(('error', err))
            self.m.send_error(probe, err, now)

    eng, done, undo = make_engine(io)
    try:
        cmd = ping_cmd.parse(['-c', '2', '-i', '0.1', '203.0.113.1'])
        eng.add(1, Told(cmd.create(Context(SRC, 0x8000))))
        run(eng, done, 1)
        io.send = lambda family, dst, data: (_ for _ in ()).throw(
            OSError(errno.ENETUNREACH, 'unreachable'))
        eng.add(2, Told(cmd.create(Context(SRC, 0x8001))))
        run(eng, done, 2)
    finally:
        undo()
    assert [p for p, _ in told[:2]] == [p for _, p in io.sent]
    assert all(tx == p.tx != 0.0 for p, tx in told[:2])
    assert told[2:] == [('error', errno.ENETUNREACH)]


def test_a_task_that_ended_wakes_nobody_and_keeps_nothing():
    """A ping with -o 1 ends at its reply, long before the timeout its
    timer entry was set for: the entry no longer sets the loop's sleep
    (it woke for nothing at that time), and the ended task no longer holds
    its method (and result) for as long as the entry stays in the heap."""
    net = Network(Path('203.0.113.1', [Hop('198.51.100.1')]))
    io = FakeIO(net)
    eng, done, undo = make_engine(io)
    try:
        cmd = ping_cmd.parse(['-c', '1', '-o', '1', '-W', '5',
                              '203.0.113.1'])
        eng.add(1, cmd.create(Context(SRC, 0x8000)))
        run(eng, done, 1)
    finally:
        undo()
    assert done[0][1].result.stop_reason == 1           # completed
    (entry,) = eng.timers                  # the 5 s timeout, never due
    assert entry[2].method is None
    assert eng.wait_time(time.time(), 10.0) == 10.0
    assert not eng.timers
