"""The supervisor: reads the input, hands tasks to the worker pool, writes
results.

It runs unprivileged.  It reads commands from an input (addresses with a
default command, or whole commands), validates each one, and hands it to a
worker that has room, keeping at most ``window`` tasks in progress.  As in
scamper 20211212, two tasks whose signatures share a key (the destination
they probe: scamperd.commands.signature) never run at once: a task blocked
by a running one waits on it, and when that one ends its waiting tasks go
back to the front of the queue (the last blocked first, as scamper's
sources take them back), with no added wait.  Each result comes back
formatted and is written whole, by this process only, between the
cycle-start and cycle-stop records.

A worker that dies is replaced; the tasks it held are run again (up to
MAX_TRIES times, then reported on stderr), so a result is never lost and
never written twice.
"""

import collections
import os
import selectors
import signal
import socket
import sys
import time
import zlib

from scamperd import commands, output, pool
from scamperd.gcpolicy import old_gc, quiet_gc
from scamperd.sources import InputSource, Sources
from scamperd.ipc import Channel
from scamperd.method import CommandError
from scamperd.pacer import Pacer

MAX_TRIES = 3
# workers in a row that die before they are ready: the run stops (a
# broken installation or no memory, not bad luck)
MAX_START_DEATHS = 3
MAX_DEFERRED = 10000
MAX_HELD = 10000        # tasks waiting on a running one with their address
OUT_BUFFER = 1 << 18      # output bytes gathered before a write, at most


class TaskRecord:
    __slots__ = ('id', 'line', 'where', 'sig', 'tries', 'worker', 'home',
                 'source', 'tag', 'lss', 'waiters')

    def __init__(self, task_id, line, where, sig, home=None, source=None,
                 tag=None, lss=None):
        self.id = task_id
        self.line = line
        self.where = where
        # one key (a packed address: most commands) is kept as it is, not
        # in a tuple: a list's tasks are in flight by the thousand
        self.sig = sig[0] if len(sig) == 1 and type(sig[0]) is bytes \
            else sig
        self.tries = 0
        self.worker = None
        self.home = home      # index of the only worker that may run it
        self.source = source  # the Source it came from, and its tag there
        self.tag = tag
        self.lss = lss        # its doubletree local stop set's name
        self.waiters = None   # tasks blocked by this one, in order


def _keys(rec):
    """The keys of rec's signature."""
    sig = rec.sig
    return (sig,) if type(sig) is bytes else sig


class WorkerHandle:
    __slots__ = ('proc', 'chan', 'want', 'index', 'ready')

    def __init__(self, proc, chan, index):
        self.proc = proc
        self.chan = chan
        self.want = 0
        self.index = index
        self.ready = False          # it said it started


class Supervisor:
    """``inputs`` yields (where, command line) pairs; ``out_fd`` is the
    output descriptor; ``cfg`` is a dict of settings (pps, window, workers,
    format, sport, cycle); ``pacer`` the Pacer the workers in ``first``
    share, workers forked before (pool.spawn: the first ones of the
    pool)."""

    def __init__(self, priv, inputs, out_fd, cfg, err=sys.stderr,
                 signal_fd=None, pacer=None, first=()):
        self.priv = priv
        # a control socket or a controller gives tasks until told to stop
        self.serving = bool(cfg.get('listeners') or cfg.get('remote'))
        self.sources = Sources(self._write, cfg.get('format', 'text'),
                               monitorname=cfg.get('monitorname'),
                               hostname=socket.gethostname(),
                               daemon=self.serving,
                               default_name=cfg.get('outfile') or '-',
                               outcopy=cfg.get('outcopy', False),
                               written=cfg.get('written', ((), ())))
        self.sources.add(InputSource(inputs, self.sources.default))
        self.control = None
        self.out_fd = out_fd
        self.cfg = cfg
        self.err = err
        self.fmt = cfg.get('format', 'text')
        self.compress = output.compressor(self.fmt)   # -O warts.gz etc.
        self.window = cfg.get('window', 0)
        self.pacer = pacer or Pacer(cfg.get('pps', 20))
        self.fixed_pool = bool(cfg.get('workers'))
        self.nworkers = len(first) or cfg.get('workers') or \
            pool.size(self.pacer.pps)
        self.first = list(first)
        self.lss_pool = self.nworkers     # the workers lss names map to
        self.sel = selectors.DefaultSelector()
        if signal_fd is not None:       # signals passed on by the helper
            os.set_blocking(signal_fd, False)
            self.sel.register(signal_fd, selectors.EVENT_READ, ('signal', None))
        self.workers = []
        self.respawn = {}                    # worker index -> when to try
        self.start_deaths = 0   # workers in a row that died before ready
        self.failed = False     # the run cannot go on (exit status 1)
        self.queue = collections.deque()     # validated, not dispatched
        self.deferred = collections.deque()  # waiting for their worker
        self.active = {}                     # id -> TaskRecord
        self.sigs = {}                       # signature key -> its task
        self.held = 0                        # tasks in waiters lists
        self.lss_names = set()               # local stop sets in workers
        self.next_id = 1
        self._out = []                       # output not written yet
        self._out_len = 0
        self.input_done = False
        self.stopping = False
        self.errors = 0
        self.written = 0
        self.out_gone = False           # the output's reader went away
        self.stopped_by = None          # the signal that stopped the run
        self.halted = 0                 # tasks running when it came

    # -- workers -----------------------------------------------------------

    def _spawn(self, index):
        if self.first:
            proc, sup_end = self.first.pop(0)
        else:
            proc, sup_end = pool.spawn(self.priv, self.pacer, self.nworkers,
                                       self.cfg)
        w = WorkerHandle(proc, Channel(sup_end), index)
        w.want = proc.room
        self.sel.register(w.chan, selectors.EVENT_READ, ('chan', w))
        self.sel.register(proc.sentinel, selectors.EVENT_READ, ('exit', w))
        self.workers.append(w)
        return w

    def set_pps(self, pps):
        """``set pps``: the new rate, and the workers it needs (the pool
        grows, it does not shrink)."""
        self.pacer.set_pps(pps)
        n, want = self.nworkers, pool.size(pps)
        if not self.fixed_pool and want > n:
            self.nworkers = want
            for i in range(n, want):
                self._spawn(i)

    def _lost_worker(self, w):
        """A worker died: run its tasks again on a replacement."""
        self.sel.unregister(w.chan)
        self.sel.unregister(w.proc.sentinel)
        w.chan.close()
        w.proc.join(1)
        if w.proc.is_alive():
            w.proc.kill()
        code = w.proc.exitcode
        how = ('killed by %s' % signal.Signals(-code).name if code < 0
               else 'exit %d' % code) if code is not None else 'hung'
        held = self._held_by(w)
        self.err.write('scamper: worker %d (pid %d) ended (%s) with %d '
                       'tasks%s\n' % (w.index, w.proc.pid, how, len(held),
                                      ': they run again' if held else ''))
        self.err.flush()
        self.workers.remove(w)
        self.pacer.repair()
        # the local stop sets it held are gone with it
        self.lss_names = {n for n in self.lss_names
                          if self._lss_home(n) != w.index}
        for rec in sorted(held, key=lambda rec: rec.id, reverse=True):
            if rec.tries >= MAX_TRIES:
                self._fail(rec, 'worker died %d times running it' % rec.tries)
                continue
            self._release(rec)
            rec.worker = None
            self.queue.appendleft(rec)
        if not w.ready:
            self.start_deaths += 1
            if self.start_deaths >= MAX_START_DEATHS:
                self.err.write('scamper: %d workers in a row ended as they '
                               'started: stopping\n' % self.start_deaths)
                self.err.flush()
                if self.stopped_by is None:
                    self.stopped_by = 'workers ending as they start'
                self.failed = True
                self._stop()
                return
        if not self.stopping or self.active:
            self._respawn(w.index)

    def _held_by(self, w):
        """The tasks worker w holds (rare: no set per worker is kept)."""
        return [rec for rec in self.active.values() if rec.worker is w]

    def _respawn(self, index):
        """A worker for ``index`` again; when one cannot be made now (no
        descriptor, no memory), tried again each second meanwhile, its
        tasks waiting."""
        try:
            self._spawn(index)
        except OSError as e:
            if index not in self.respawn:
                self.err.write('scamper: cannot start a worker: %s; trying '
                               'again each second\n' % e)
                self.err.flush()
            self.respawn[index] = time.time() + 1.0
        else:
            self.respawn.pop(index, None)

    # -- input -------------------------------------------------------------

    def _read_one(self):
        """Validate the next command of a source into a queued task;
        False when no source has one now."""
        while True:
            got = self.sources.next()
            if got is None:
                self.input_done = self.sources.finished
                return False
            src, where, line, tag = got
            try:
                if isinstance(line, Exception):
                    raise line
                cmd = commands.parse(line)
            except CommandError as e:
                self.errors += 1
                self.err.write('scamper: %s: %s\n' % (where, e))
                self.err.flush()
                self.sources.done(src, tag, None, started=False)
                continue
            # traces that share a doubletree local stop set run in the same
            # worker, where that set lives
            lss = getattr(cmd, 'lss', None)
            home = self._lss_home(lss) if lss is not None else None
            rec = TaskRecord(self.next_id, line, where,
                             commands.signature(cmd), home, src, tag, lss)
            self.next_id += 1
            self.queue.append(rec)
            return True

    # -- dispatch ------------------------------------------------------------

    def _blocked(self, rec):
        """True when a running task shares a key of rec's signature: rec
        then waits on it."""
        sigs = self.sigs
        for key in _keys(rec):
            other = sigs.get(key)
            if other is not None:
                if other.waiters is None:
                    other.waiters = []
                other.waiters.append(rec)
                self.held += 1
                return True
        return False

    def _next_task(self, w):
        """The next task that worker w may start now, or None.  Tasks that
        belong to another worker wait in ``deferred``, in order; tasks
        blocked by a running one wait on it."""
        for _ in range(len(self.deferred)):
            rec = self.deferred.popleft()
            if rec.home != w.index:
                self.deferred.append(rec)
            elif not self._blocked(rec):
                return rec
        while True:
            if not self.queue:
                # no more read while too many wait (a list of one address)
                if self.input_done or self.stopping \
                        or self.held >= MAX_HELD or not self._read_one():
                    return None
            rec = self.queue.popleft()
            if rec.home is not None and rec.home != w.index:
                self.deferred.append(rec)
                if len(self.deferred) > MAX_DEFERRED:
                    return None
            elif not self._blocked(rec):
                return rec

    def _dispatch(self):
        if self.stopping:
            return
        for w in self.workers:
            batch = []
            while w.want > 0:
                if self.window and len(self.active) >= self.window:
                    break
                rec = self._next_task(w)
                if rec is None:
                    break           # nothing for this worker; maybe for the next
                rec.tries += 1
                if rec.tries == 1:
                    self.sources.started(rec.source, rec.tag)
                rec.worker = w
                self.active[rec.id] = rec
                for key in _keys(rec):
                    self.sigs[key] = rec
                w.want -= 1
                if rec.lss is not None:
                    self.lss_names.add(rec.lss)
                batch.append((rec.id, rec.line,
                              self.sources.task_meta(rec.source, rec.tag)))
            if batch:
                w.chan.send({'t': 'tasks', 'l': batch})

    def _release(self, rec):
        """rec no longer runs: free its signature; the tasks it blocked go
        back to the front of the queue, each in front of the one before
        (as scamper's source_command_unhold puts them back)."""
        self.active.pop(rec.id, None)
        sigs = self.sigs
        for key in _keys(rec):
            if sigs.get(key) is rec:
                del sigs[key]
        if rec.waiters:
            self.queue.extendleft(rec.waiters)
            self.held -= len(rec.waiters)
        rec.waiters = None

    def _fail(self, rec, msg, err=None):
        """Task ``rec`` could not run: said on stderr; with ``err`` (an
        errno, from its worker), its error result (and -O outcopy copy)
        goes to a source that wants one."""
        self.errors += 1
        self.err.write('scamper: %s: %s\n' % (rec.where, msg))
        self.err.flush()
        self._release(rec)
        result = None
        if err is not None and rec.source.error_results:
            from scamperd.worker import error_result    # rare: loaded then
            result = error_result(
                rec.line, self.sources.task_meta(rec.source, rec.tag),
                self.fmt, self.cfg['sport'], err)
        if result:
            self.sources.done(rec.source, rec.tag, *result)
        else:
            self.sources.done(rec.source, rec.tag, None,
                              started=rec.tries > 0)

    # -- messages from workers ------------------------------------------------

    def _on_messages(self, w):
        for msg in w.chan.receive():
            t = msg.get('t')
            if t == 'results':
                active = self.active
                for item in msg['l']:
                    rec = active.get(item[0])
                    if rec is None or rec.worker is not w:
                        continue      # a task already re-run elsewhere
                    self._release(rec)
                    # [id, result, and its -O outcopy copy if it has one]
                    self.sources.done(rec.source, rec.tag, item[1],
                                      item[2] if len(item) > 2 else None)
            elif t == 'more':
                w.want += msg['n']
            elif t == 'ready':
                w.ready = True
                self.start_deaths = 0
            elif t == 'error':
                rec = self.active.get(msg['id'])
                if rec is not None and rec.worker is w:
                    self._fail(rec, msg['msg'], msg.get('errno'))
            elif t == 'halted':
                rec = self.active.get(msg['id'])
                if rec is not None and rec.worker is w:
                    self._release(rec)
                    self.sources.done(rec.source, rec.tag, self.halted_result(
                        rec.source, rec.tag, rec.line))

    def _write(self, data):
        """Write to the default output: gathered, and written at the end
        of the loop's turn (or sooner when much is gathered)."""
        data = self.compress.compress(data)
        if data:
            self._out.append(data)
            self._out_len += len(data)
            if self._out_len >= OUT_BUFFER:
                self._flush_out()
        self.written += 1

    def _flush_out(self):
        if self._out:
            data = b''.join(self._out)
            self._out.clear()
            self._out_len = 0
            self._put(data)

    def _put(self, data):
        view = memoryview(data)
        while view and not self.out_gone:
            try:
                n = os.write(self.out_fd, view)
            except InterruptedError:
                continue
            except BrokenPipeError:
                self._output_gone()
                return
            view = view[n:]

    def _output_gone(self):
        """Nobody reads the output any more (``scamper ... | head``): as
        scamper, no message and exit 0; the rest is not written, and a run
        without a control socket stops as on SIGTERM."""
        self.out_gone = True
        if not self.serving:
            self._stop()

    # -- control socket (scamperd/control) ---------------------------------------

    def halt_task(self, pred):
        """Halt the task for which ``pred(rec)`` holds: a running one
        gives its result, and so does one not started yet, to a source
        that waits for each (see halted_result)."""
        for rec in self.active.values():
            if pred(rec):
                rec.worker.chan.send({'t': 'halt', 'id': rec.id})
                return True
        return self.drop_tasks(pred, first=True) > 0

    def halted_result(self, src, tag, line):
        """The result of task ``line`` of ``src``, halted before it
        started, formatted for ``src`` (its -O outcopy copy written to the
        default output), or None: made only for a source that waits for
        each result (error_results), to which scamper gives one too (stop
        reason halted, nothing sent)."""
        if not src.error_results:
            return None
        from scamperd.worker import error_result
        result = error_result(line, self.sources.task_meta(src, tag),
                              self.fmt, self.cfg['sport'])
        if not result:
            return None
        if len(result) > 1:
            self.sources.default.write(result[1])
        return result[0]

    def drop_tasks(self, pred, first=False):
        """Forget the tasks not started yet for which ``pred(rec)`` holds
        (only the first one when ``first``: a halt, which gives its
        halted result); how many were."""
        n = 0
        for q, held in self._waiting():
            keep = []
            for rec in q:
                if (n == 0 or not first) and pred(rec):
                    n += 1
                    self.held -= held
                    self.sources.done(
                        rec.source, rec.tag, first and self.halted_result(
                            rec.source, rec.tag, rec.line) or None,
                        started=rec.tries > 0)
                else:
                    keep.append(rec)
            if len(keep) != len(q):
                q.clear()
                q.extend(keep)
        return n

    def _waiting(self):
        """Every list of tasks not started yet, and 1 for the lists of
        held tasks."""
        yield self.queue, 0
        yield self.deferred, 0
        for rec in list(self.active.values()):
            if rec.waiters:
                yield rec.waiters, 1

    def _lss_home(self, name):
        return zlib.crc32(name.encode()) % self.lss_pool

    def lss_clear(self, name):
        """``lss-clear``: empty the named doubletree local stop set in the
        worker that holds it; False when no trace made it."""
        if name not in self.lss_names:
            return False
        for w in self.workers:
            if w.index == self._lss_home(name):
                w.chan.send({'t': 'lss-clear', 'name': name})
        return True

    def shutdown(self, how):
        """``shutdown done|flush|now|cancel`` from a control client."""
        if how == 'cancel':
            self.sources.closing = False
            return
        self.sources.closing = True
        if how in ('flush', 'now'):
            self.sources.drop_pending()
            self.drop_tasks(lambda rec: True)
        if how == 'now':
            self._stop()

    # -- main loop -------------------------------------------------------------

    def _signal(self, signum, frame):
        """SIGTERM or SIGINT (or SIGTERM/SIGHUP the helper passed on)."""
        if self.stopped_by is None:
            try:
                self.stopped_by = signal.Signals(signum).name
            except ValueError:
                self.stopped_by = 'signal %d' % signum
        self._stop()

    def _stop(self):
        """Halt every running task (each still gives its result), start
        nothing more, and end the run."""
        if not self.stopping:
            self.halted = len(self.active)
        self.stopping = True
        for w in self.workers:
            for rec in self._held_by(w):
                w.chan.send({'t': 'halt', 'id': rec.id})

    def _passed_signal(self, fd):
        try:
            data = os.read(fd, 64)
        except BlockingIOError:
            return
        if not data:                    # the helper is gone
            self.sel.unregister(fd)
            if self.stopped_by is None:
                self.stopped_by = 'the privileged helper going away'
            self._stop()
            return
        self._signal(data[0], None)

    def _stop_status(self, status):
        """The exit status, and a word on stderr, when a signal cut the
        run short: a daemon stops as asked (0); a run whose input was not
        all done says so and exits 1."""
        if self.stopped_by is None:
            return status
        left = not self.input_done or self.queue or self.deferred
        if self.serving:
            self.err.write('scamper: stopped by %s (%d tasks halted)\n'
                           % (self.stopped_by, self.halted))
        elif self.halted or left:
            self.err.write('scamper: stopped by %s: %d tasks halted '
                           'part-way%s\n' % (
                               self.stopped_by, self.halted,
                               ', the rest of the input not run'
                               if left else ''))
            status = 1
        self.err.flush()
        return 1 if self.failed else status

    def run(self):
        try:
            return self._run()
        finally:
            self._close_outputs()

    def _close_outputs(self):
        """Everything gathered written, compressed streams ended, and
        every outfile closed: on every way out of run()."""
        self._flush_out()
        if self.compress is not None:
            self._put(self.compress.flush())
            self.compress = None
        for out in list(self.sources.outfiles.values()):
            if out is not self.sources.default:
                try:
                    out.close()
                except OSError as e:
                    self.err.write('scamper: closing outfile %s: %s\n'
                                   % (out.path, e))

    def _run(self):
        signal.signal(signal.SIGINT, self._signal)
        signal.signal(signal.SIGTERM, self._signal)
        cycle = self.cfg.get('cycle')
        if cycle is not None:
            self.sources.default.cycle_start(cycle)
        for i in range(self.nworkers):
            self._spawn(i)
        # the first tasks are read while the workers start
        while len(self.queue) < 2 * len(self.workers) and self._read_one():
            pass
        if self.serving:
            from scamperd.control.server import Control
            self.control = Control(self, self.cfg.get('listeners', []),
                                   self.cfg.get('data_ids', False))
        gc_due = quiet_gc()
        while True:
            gc_due = old_gc(gc_due)
            now = time.time()
            if self.control is not None:
                self.control.tick(now)
            for index, when in list(self.respawn.items()):
                if now >= when:
                    self._respawn(index)
            self._dispatch()
            self._flush_out()
            for w in self.workers:
                if w.chan.pending:
                    w.chan.flush()
            if not self.active and (self.stopping or (
                    self.input_done and not self.queue
                    and not self.deferred)):
                break
            timeout = 0.05 if self.deferred else 1.0
            for key, _ in self.sel.select(timeout):
                kind, w = key.data
                if kind == 'signal':
                    self._passed_signal(key.fileobj)
                    continue
                if kind == 'control':
                    w()
                    continue
                if w not in self.workers:
                    continue
                if kind == 'chan':
                    self._on_messages(w)
                    if w.chan.closed:
                        self._lost_worker(w)
                else:
                    self._on_messages(w)
                    self._lost_worker(w)
        for w in self.workers:
            w.chan.send({'t': 'stop'})
            w.chan.flush()
        for w in self.workers:
            w.proc.join(5)
            if w.proc.is_alive():
                w.proc.kill()
        if cycle is not None:
            cycle.stop = time.time()
            self.sources.default.cycle_stop(cycle)
        if self.control is not None:
            self.control.close()
        return self._stop_status(
            1 if self.errors and not self.written else 0)

