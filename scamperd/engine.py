"""The engine: drives sans-I/O methods with sockets, a clock and a pacer.

One engine runs in each worker process.  It keeps

* the tasks in progress, each wrapping a method (scamperd/method.py);
* a send queue of tasks whose method has a probe ready, served one probe
  per pacer slot (scamperd/pacer.py), in turn; a slot that no queued task
  needs starts a new task, which ``feed`` (the worker's) provides;
* a heap of method timers;
* the demultiplexing table: the key of every probe sent (scamperd/probe.py)
  maps to its task.  When a task ends its keys are freed at once: the
  supervisor never runs two tasks to one destination at the same time (as
  scamper), and a late reply reaches whichever task then owns its key,
  whose method tells it apart by what its probes carried, as in scamper;
* the datalink sockets of the tasks that want one (a probe with an
  ``ifindex``): one per interface, open while a task uses it.  Such a task
  gets its replies from the datalink only, the others from the raw sockets
  only, so that no reply reaches a method twice;
* the taps: a datalink socket of a task's own for a method with a ``tap``
  (scamperd/method.py), which gets every frame read there and may send
  whole frames on it.

It is written once for every method; nothing here knows what a traceroute
or a ping is.
"""

import collections
import heapq
import select
import time

from scamperd.net.packet import encode_probe
from scamperd.probe import probe_key, reply_key

# A send slot closer than this is taken at once: the kernel cannot put a
# process to sleep for less (its timer slack is 50 us).
EARLY = 0.00005
# A timer due this long or less before the next send slot waits for that
# slot, so that at high rates one wake-up serves both.
COALESCE = 0.002
# The shortest sleep.  Waking costs more CPU than anything done per probe:
# on a virtual machine a wake-up costs tens of microseconds, and the Python
# run after it two to three times what the same code costs in a loop that
# does not sleep (measured: one ping's start, probe, reply and warts
# result 21 us in a busy loop, 75 us two to a 1 ms sleep, 50 us ten to a
# 5 ms sleep).  So above 1/QUANTUM packets per second the slots that came
# during one sleep are sent together when it ends (the pacer lets slots be
# caught up), as scamper's millisecond timers do, at half its wake-ups:
# 2 ms took 7-11 % off the CPU per probe at 1 000-10 000 pps against 1 ms
# (bench/pps.py), and the longest gaps between probes on the wire are
# 2.4 ms where scamper's are 1.2 ms.  Replies keep the kernel's receive
# times, whenever read.
QUANTUM = 0.002


class Task:
    __slots__ = ('id', 'method', 'key', 'keys', 'timer_at', 'queued',
                 'done', 'error', 'dl', 'tap', 'fw')

    def __init__(self, task_id, method):
        self.id = task_id
        self.method = method
        self.key = None         # the first demultiplexing key it owned
        self.keys = None        # a list of the others, when it has more
        self.timer_at = None
        self.queued = False
        self.done = False
        self.error = None
        self.dl = 0             # ifindex of the datalink it reads, if any
        self.tap = None         # its own DlSocket, if the method has a tap
        self.fw = None          # its firewall rule's handle (tbit, sting)

    def __lt__(self, other):
        # two timer entries of one task at one time: either may go first
        return False


class Engine:
    def __init__(self, io, pacer, on_done, clock=time.time, feed=None):
        self.io = io
        self.pacer = pacer
        self.on_done = on_done      # callback(task_id, method, error or None)
        self.feed = feed            # feed(): start a task; False if none
        self.clock = clock
        self.tasks = {}
        self.sendq = collections.deque()
        self.timers = []
        self.keys = {}                  # key -> Task
        self.dl = {}                    # ifindex -> [DlSocket, tasks using it]
        self.slot = None                # claimed send slot not yet used
        # select(2) sleeps to the microsecond (epoll to the millisecond);
        # the engine watches a handful of descriptors
        self.watched = {}               # fd -> (fileobj, data)
        self.fds = []
        self.rx = []                    # the raw receive sockets
        self.rx_open = set()            # (family, proto) with sockets open

    # -- tasks -------------------------------------------------------------

    def add(self, task_id, method, now=None):
        now = self.clock() if now is None else now
        task = Task(task_id, method)
        self.tasks[task_id] = task
        try:
            if getattr(method, 'tap', 0):
                task.tap = self.io.open_tap(method.tap)
                self.register(task.tap, task)
            if getattr(method, 'firewall', None):    # (src, sport, dst, dport)
                try:
                    task.fw = self.io.priv.firewall_add(*method.firewall)
                except OSError as e:
                    method.firewall_error = str(e)
            method.start(now)
        except Exception as e:
            self._fault(task, e, now)
            return task
        self._update(task, now)
        return task

    def halt(self, task_id, now=None):
        task = self.tasks.get(task_id)
        if task is None:
            return False
        now = self.clock() if now is None else now
        try:
            task.method.halt(now)
        except Exception as e:
            self._fault(task, e, now)
            return True
        self._update(task, now)
        return True

    @property
    def busy(self):
        return bool(self.tasks)

    def _update(self, task, now):
        if task.done:
            return
        m = task.method
        try:
            if m.done:
                self._finish(task, now)
                return
            if not task.queued and m.ready():
                task.queued = True
                self.sendq.append(task)
            t = m.timer()
        except Exception as e:
            self._fault(task, e, now)
            return
        if t != task.timer_at:
            task.timer_at = t
            if t is not None:
                # equal times go by task id (the id's own int object:
                # nothing more is kept per task in flight)
                heapq.heappush(self.timers, (t, task.id, task))

    def _fault(self, task, exc, now):
        """A method raised: end its task with an error, keep the engine
        (and every other task) going."""
        task.error = '%s: %s' % (type(exc).__name__, exc)
        self._finish(task, now)

    def _finish(self, task, now):
        task.done = True
        del self.tasks[task.id]
        if task.dl:
            self._dl_release(task.dl)
        if task.tap is not None:
            self.unregister(task.tap)
            self.io.close_dl(task.tap)
            task.tap = None
        if task.fw is not None:
            try:
                self.io.priv.firewall_del(task.fw)
            except OSError:
                pass
            task.fw = None
        keys = self.keys
        if task.key is not None and keys.get(task.key) is task:
            del keys[task.key]
        for key in task.keys or ():
            if keys.get(key) is task:
                del keys[key]
        self.on_done(task.id, task.method, task.error)
        # its timer's entry may stay in the heap until its time: without
        # the method and its result
        task.method = None

    # -- one turn of the loop ------------------------------------------------

    def register(self, fileobj, data):
        """Watch ``fileobj`` for reading: ``data`` None for a raw receive
        socket, 'dl' for a datalink, a Task for its tap, anything else
        for the caller of turn()."""
        fd = fileobj.fileno()
        self.watched[fd] = (fileobj, data)
        self.fds = list(self.watched)
        if data is None:
            self.rx.append(fileobj)

    def unregister(self, fileobj):
        self.watched.pop(fileobj.fileno(), None)
        self.fds = list(self.watched)

    def wait_time(self, now, cap):
        """How long the loop may sleep before it has something to do."""
        t = cap
        slot = None
        if self.sendq:
            if self.slot is None:
                return 0.0
            slot = self.slot - now
            t = min(t, slot)
        timers = self.timers
        # the entries of tasks that ended or whose timer moved are dropped
        # when they come to the top, not slept for: a list's pings end with
        # their reply, and their timeouts would wake the loop for nothing
        # (each second, as many times as pings were sent in the second
        # before; in a list's last second, that was most of its wake-ups)
        while timers:
            t0, _, task = timers[0]
            if not task.done and task.timer_at == t0:
                break
            heapq.heappop(timers)
        if timers:
            due = timers[0][0] - now
            if slot is None or slot - due > COALESCE:
                t = min(t, due)
        return max(t, 0.0)

    def turn(self, cap=1.0, others=None):
        """Sleep until something is due, then do it.  ``others`` is called
        with (data, fileobj) of each ready descriptor registered with other
        data than the engine's own."""
        now = self.clock()
        wait = self.wait_time(now, cap)
        if wait < EARLY:
            wait = 0.0
        elif wait < QUANTUM:
            wait = QUANTUM
        try:
            ready = select.select(self.fds, (), (), wait)[0]
        except InterruptedError:
            ready = ()
        for fd in ready:
            got = self.watched.get(fd)
            if got is None:
                continue
            fileobj, data = got
            if data is None:
                self._receive(fileobj)
            elif data == 'dl':
                self._receive(fileobj, dl=True)
            elif type(data) is Task:
                self._tap(data)
            elif others is not None:
                others(data, fileobj)
        now = self.clock()
        self._run_timers(now)
        if self._send(now):
            # on a short path the replies are in before sendto returns:
            # read them now rather than after another wake-up
            for rx in self.rx:
                self._receive(rx)

    def _receive(self, rx, dl=False):
        if dl:
            replies = self.io.receive_dl(rx, self.clock)
        else:
            replies = self.io.receive(rx, self.clock, self.keys)
        if not replies:
            return
        now = self.clock()
        keys = self.keys
        for r in replies:
            k = reply_key(r)
            if k is None:
                continue
            task = keys.get(k)
            if task is None or bool(task.dl) != dl:
                continue
            try:
                task.method.receive(r, now)
            except Exception as e:
                self._fault(task, e, now)
                continue
            self._update(task, now)

    def _tap(self, task):
        frames = self.io.receive_frames(task.tap, self.clock)
        now = self.clock()
        for r in frames:
            if task.done:
                return
            try:
                task.method.receive(r, now)
            except Exception as e:
                self._fault(task, e, now)
                return
            self._update(task, now)

    def _run_timers(self, now):
        timers = self.timers
        while timers and timers[0][0] <= now:
            t, _, task = heapq.heappop(timers)
            if task.done or task.timer_at != t:
                continue
            task.timer_at = None
            try:
                task.method.handle_timer(now)
            except Exception as e:
                self._fault(task, e, now)
                continue
            self._update(task, now)

    def _send(self, now):
        """Send the probes whose slots have come; True if any was sent."""
        q = self.sendq
        feed = self.feed
        sent = False
        while True:
            if not q:
                # a slot no task needs: start the next task (which may take
                # a while: its clock is its own) if there is one
                if feed is None or not feed():
                    return sent
                now = self.clock()
                continue
            if self.slot is None:
                self.slot = self.pacer.claim(now)
            if self.slot - now >= EARLY:
                return sent
            task = q.popleft()
            task.queued = False
            m = task.method
            try:
                if task.done or not m.ready():
                    continue
                probe = m.next_probe(now)
            except Exception as e:
                self._fault(task, e, now)
                continue
            self.slot = None
            if probe.frame is not None:
                self._send_frame(task, probe, now)
                now = self.clock()
                continue
            key = probe_key(probe)
            if self.keys.get(key) is not task:
                self._own(task, key, probe)
            try:
                if probe.ifindex and not task.dl:
                    self._dl_use(task, probe.ifindex)
                data = encode_probe(probe)
                probe.tx = self.clock()
                stamp = self.io.send(probe.family, probe.dst, data)
                if stamp is not None:
                    probe.tx = stamp
                if task.dl:
                    self.io.watch_tx(data, probe)
            except OSError as e:
                try:
                    m.send_error(probe, e.errno, now)
                except Exception as e2:
                    self._fault(task, e2, now)
                    continue
            except Exception as e:      # a probe the codec cannot encode
                self._fault(task, e, now)
                continue
            else:
                try:
                    m.probe_sent(probe)
                except Exception as e:
                    self._fault(task, e, now)
                    continue
            sent = True
            self._update(task, now)
            now = self.clock()
        return sent

    def _send_frame(self, task, probe, now):
        if task.tap is None:
            self._fault(task, ValueError('a frame to send without a tap'),
                        now)
            return
        try:
            probe.tx = self.clock()
            self.io.send_frame(task.tap, probe.frame)
        except OSError as e:
            try:
                task.method.send_error(probe, e.errno, now)
            except Exception as e2:
                self._fault(task, e2, now)
                return
        else:
            try:
                task.method.probe_sent(probe)
            except Exception as e:
                self._fault(task, e, now)
                return
        self._update(task, now)

    def _dl_use(self, task, ifindex):
        """Let ``task`` read the datalink of ``ifindex`` (opened by the
        first task that wants it); OSError if it cannot be opened."""
        entry = self.dl.get(ifindex)
        if entry is None:
            sock = self.io.open_dl(ifindex)
            self.register(sock, 'dl')
            entry = self.dl[ifindex] = [sock, 0]
        entry[1] += 1
        task.dl = ifindex

    def _dl_release(self, ifindex):
        entry = self.dl[ifindex]
        entry[1] -= 1
        if entry[1] == 0:
            del self.dl[ifindex]
            self.unregister(entry[0])
            self.io.close_dl(entry[0])

    def _own(self, task, key, probe):
        if task.key is None:
            task.key = key
        elif task.keys is None:
            task.keys = [key]
        else:
            task.keys.append(key)
        self.keys[key] = task
        pk = (probe.family, probe.proto)
        if pk not in self.rx_open:
            self.rx_open.add(pk)
            for rx in self.io.ensure_rx(*pk):
                self.register(rx, None)
