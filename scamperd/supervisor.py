"""The supervisor: reads the input, hands tasks to the worker pool, writes
results.

It runs unprivileged.  It reads commands from an input (addresses with a
default command, or whole commands), validates each one, and hands it to a
worker that has room, keeping at most ``window`` tasks in progress and never
two tasks at once (or within the hold time) that would share probe
identifiers.  Each result comes back formatted and is written whole, by this
process only, between the cycle-start and cycle-stop records.

A worker that dies is replaced; the tasks it held are run again (up to
MAX_TRIES times, then reported on stderr), so a result is never lost and
never written twice.
"""

import collections
import multiprocessing
import multiprocessing.connection  # noqa: F401  (loaded before dropping root)
import multiprocessing.popen_fork  # noqa: F401
import os
import selectors
import signal
import socket
import sys
import time
import zlib

import prctl

from scamperd import commands, output
from scamperd.control.server import Control
from scamperd.sources import InputSource, Sources
from scamperd.ipc import Channel
from scamperd.method import CommandError
from scamperd.pacer import Pacer
from scamperd.worker import worker_main

MAX_TRIES = 3
MAX_DEFERRED = 10000


class TaskRecord:
    __slots__ = ('id', 'line', 'where', 'sig', 'tries', 'worker', 'home',
                 'source', 'tag', 'lss')

    def __init__(self, task_id, line, where, sig, home=None, source=None,
                 tag=None, lss=None):
        self.id = task_id
        self.line = line
        self.where = where
        self.sig = sig
        self.tries = 0
        self.worker = None
        self.home = home      # index of the only worker that may run it
        self.source = source  # the Source it came from, and its tag there
        self.tag = tag
        self.lss = lss        # its doubletree local stop set's name


class WorkerHandle:
    __slots__ = ('proc', 'chan', 'want', 'tasks', 'index')

    def __init__(self, proc, chan, index):
        self.proc = proc
        self.chan = chan
        self.want = 0
        self.tasks = set()
        self.index = index


class Supervisor:
    """``inputs`` yields (where, command line) pairs; ``out_fd`` is the
    output descriptor; ``cfg`` is a dict of settings (pps, window, workers,
    format, holdtime, sport, cycle)."""

    def __init__(self, priv, inputs, out_fd, cfg, err=sys.stderr,
                 signal_fd=None):
        self.priv = priv
        self.sources = Sources(self._write, cfg.get('format', 'text'),
                               monitorname=cfg.get('monitorname'),
                               hostname=socket.gethostname(),
                               daemon=bool(cfg.get('listeners')),
                               default_name=cfg.get('outfile') or '-',
                               outcopy=cfg.get('outcopy', False))
        self.sources.add(InputSource(inputs, self.sources.default))
        self.control = None
        self.out_fd = out_fd
        self.cfg = cfg
        self.err = err
        self.fmt = cfg.get('format', 'text')
        self.compress = output.compressor(self.fmt)   # -O warts.gz etc.
        self.window = cfg.get('window', 0)
        self.holdtime = cfg.get('holdtime', 5.0)
        self.nworkers = max(1, cfg.get('workers') or os.cpu_count() or 1)
        self.pacer = Pacer(cfg.get('pps', 20))
        self.mp = multiprocessing.get_context('fork')
        self.sel = selectors.DefaultSelector()
        if signal_fd is not None:       # signals passed on by the helper
            os.set_blocking(signal_fd, False)
            self.sel.register(signal_fd, selectors.EVENT_READ, ('signal', None))
        self.workers = []
        self.queue = collections.deque()     # validated, not dispatched
        self.deferred = collections.deque()  # waiting for a signature
        self.active = {}                     # id -> TaskRecord
        self.sigs = {}                       # sig -> active count
        self.held = {}                       # sig -> expiry
        self._held_q = collections.deque()   # (expiry, sig), oldest first
        self.lss_names = set()               # local stop sets in workers
        self.next_id = 1
        self.input_done = False
        self.stopping = False
        self.errors = 0
        self.written = 0
        self.out_gone = False           # the output's reader went away

    # -- workers -----------------------------------------------------------

    def _spawn(self, index):
        sup_end, worker_end = socket.socketpair(socket.AF_UNIX,
                                                socket.SOCK_STREAM)
        priv_chan = self.priv.new_channel()
        wcfg = {'format': self.fmt, 'holdtime': self.holdtime,
                'sport': self.cfg['sport']}
        proc = self.mp.Process(target=_worker_entry,
                               args=(worker_end, priv_chan, self.pacer, wcfg,
                                     sup_end),
                               name='scamper-worker-%d' % index, daemon=True)
        proc.start()
        worker_end.close()
        priv_chan.close()
        w = WorkerHandle(proc, Channel(sup_end), index)
        self.sel.register(w.chan, selectors.EVENT_READ, ('chan', w))
        self.sel.register(proc.sentinel, selectors.EVENT_READ, ('exit', w))
        self.workers.append(w)
        return w

    def _lost_worker(self, w):
        """A worker died: run its tasks again on a replacement."""
        self.sel.unregister(w.chan)
        self.sel.unregister(w.proc.sentinel)
        w.chan.close()
        w.proc.join(1)
        self.workers.remove(w)
        self.pacer.repair()
        # the local stop sets it held are gone with it
        self.lss_names = {n for n in self.lss_names
                          if self._lss_home(n) != w.index}
        for tid in sorted(w.tasks, reverse=True):
            rec = self.active.get(tid)
            if rec is None:
                continue
            if rec.tries >= MAX_TRIES:
                self._fail(rec, 'worker died %d times running it' % rec.tries)
                continue
            # its identifiers are held as if it had finished: replies to
            # the dead worker's probes must not reach the new run
            self._release(rec)
            rec.worker = None
            self.queue.appendleft(rec)
        if not self.stopping or self.active:
            self._spawn(w.index)

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
                self.sources.done(src, tag, None)
                continue
            sport = cmd.sport if cmd.sport is not None else self.cfg['sport']
            # traces that share a doubletree local stop set run in the same
            # worker, where that set lives
            lss = getattr(cmd, 'lss', None)
            home = self._lss_home(lss) if lss is not None else None
            rec = TaskRecord(self.next_id, line, where, (cmd.dst, sport),
                             home, src, tag, lss)
            self.next_id += 1
            self.queue.append(rec)
            return True

    # -- dispatch ------------------------------------------------------------

    def _may_start(self, rec, w, now):
        if rec.home is not None and rec.home != w.index:
            return False
        sig = rec.sig
        if self.sigs.get(sig):
            return False
        exp = self.held.get(sig)
        if exp is not None:
            if exp > now:
                return False
            del self.held[sig]
        return True

    def _next_task(self, w, now):
        """The next task that worker w may start now, or None.  Tasks that
        may not start yet (their identifiers are in use or held, or they
        belong to another worker) wait in ``deferred``, in order."""
        for _ in range(len(self.deferred)):
            rec = self.deferred.popleft()
            if self._may_start(rec, w, now):
                return rec
            self.deferred.append(rec)
        while True:
            if not self.queue:
                if self.input_done or self.stopping or not self._read_one():
                    return None
            rec = self.queue.popleft()
            if self._may_start(rec, w, now):
                return rec
            self.deferred.append(rec)
            if len(self.deferred) > MAX_DEFERRED:
                return None

    def _dispatch(self):
        if self.stopping:
            return
        now = time.time()
        for w in self.workers:
            while w.want > 0:
                if self.window and len(self.active) >= self.window:
                    return
                rec = self._next_task(w, now)
                if rec is None:
                    break           # nothing for this worker; maybe for the next
                rec.tries += 1
                rec.worker = w
                self.active[rec.id] = rec
                self.sigs[rec.sig] = self.sigs.get(rec.sig, 0) + 1
                w.tasks.add(rec.id)
                w.want -= 1
                if rec.lss is not None:
                    self.lss_names.add(rec.lss)
                msg = {'t': 'task', 'id': rec.id, 'cmd': rec.line}
                msg.update(self.sources.task_meta(rec.source, rec.tag))
                w.chan.send(msg)

    def _expire_held(self, now):
        q = self._held_q
        while q and q[0][0] <= now:
            expiry, sig = q.popleft()
            if self.held.get(sig) == expiry:
                del self.held[sig]

    def _release(self, rec):
        self.active.pop(rec.id, None)
        n = self.sigs.get(rec.sig, 0) - 1
        if n > 0:
            self.sigs[rec.sig] = n
        else:
            self.sigs.pop(rec.sig, None)
            expiry = time.time() + self.holdtime
            self.held[rec.sig] = expiry
            self._held_q.append((expiry, rec.sig))
        if rec.worker is not None:
            rec.worker.tasks.discard(rec.id)

    def _fail(self, rec, msg):
        self.errors += 1
        self.err.write('scamper: %s: %s\n' % (rec.where, msg))
        self.err.flush()
        self._release(rec)
        self.sources.done(rec.source, rec.tag, None)

    # -- messages from workers ------------------------------------------------

    def _on_messages(self, w):
        for msg in w.chan.receive():
            t = msg.get('t')
            if t == 'more':
                w.want += 1
            elif t == 'result':
                rec = self.active.get(msg['id'])
                if rec is None or rec.worker is not w:
                    continue      # a task already re-run elsewhere
                self._release(rec)
                self.sources.done(rec.source, rec.tag, msg['out'],
                                  msg.get('copy'))
            elif t == 'error':
                rec = self.active.get(msg['id'])
                if rec is not None and rec.worker is w:
                    self._fail(rec, msg['msg'])
            elif t == 'halted':
                rec = self.active.get(msg['id'])
                if rec is not None and rec.worker is w:
                    self._release(rec)
                    self.sources.done(rec.source, rec.tag, None)

    def _write(self, data):
        self._put(self.compress.compress(data))
        self.written += 1

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
        if not self.cfg.get('listeners'):
            self._signal(signal.SIGTERM, None)

    # -- control socket (scamperd/control) ---------------------------------------

    def halt_task(self, pred):
        """Halt the task for which ``pred(rec)`` holds: a running one
        still gives its result, a queued one is forgotten."""
        for rec in self.active.values():
            if pred(rec):
                rec.worker.chan.send({'t': 'halt', 'id': rec.id})
                return True
        for q in (self.queue, self.deferred):
            for rec in q:
                if pred(rec):
                    q.remove(rec)
                    self.sources.done(rec.source, rec.tag, None)
                    return True
        return False

    def _lss_home(self, name):
        return zlib.crc32(name.encode()) % self.nworkers

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
            for q in (self.queue, self.deferred):
                while q:
                    rec = q.popleft()
                    self.sources.done(rec.source, rec.tag, None)
        if how == 'now':
            self._signal(signal.SIGTERM, None)

    # -- main loop -------------------------------------------------------------

    def _signal(self, signum, frame):
        self.stopping = True
        for w in self.workers:
            for tid in list(w.tasks):
                w.chan.send({'t': 'halt', 'id': tid})

    def _passed_signal(self, fd):
        try:
            data = os.read(fd, 64)
        except BlockingIOError:
            return
        if not data:                    # the helper is gone
            self.sel.unregister(fd)
        if data or not self.stopping:
            self._signal(signal.SIGTERM, None)

    def run(self):
        signal.signal(signal.SIGINT, self._signal)
        signal.signal(signal.SIGTERM, self._signal)
        cycle = self.cfg.get('cycle')
        if cycle is not None:
            self.sources.default.cycle_start(cycle)
        for i in range(self.nworkers):
            self._spawn(i)
        if self.cfg.get('listeners'):
            self.control = Control(self, self.cfg['listeners'],
                                   self.cfg.get('data_ids', False))
        while True:
            self._dispatch()
            if not self.active and (self.stopping or (
                    self.input_done and not self.queue
                    and not self.deferred)):
                break
            self._expire_held(time.time())
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
                if w.chan.pending:
                    w.chan.flush()
        for w in self.workers:
            w.chan.send({'t': 'stop'})
        for w in self.workers:
            w.proc.join(5)
            if w.proc.is_alive():
                w.proc.kill()
        if cycle is not None:
            cycle.stop = time.time()
            self.sources.default.cycle_stop(cycle)
        self._put(self.compress.flush())
        if self.control is not None:
            self.control.close()
        return 1 if self.errors and not self.written else 0


def _worker_entry(worker_end, priv_chan, pacer, cfg, sup_end):
    sup_end.close()
    prctl.set_pdeathsig(signal.SIGTERM)
    worker_main(worker_end, priv_chan, pacer, cfg)
