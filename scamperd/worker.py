"""A worker process: an engine fed with tasks by the supervisor.

Messages from the supervisor (scamperd/ipc.py):
  {"t": "tasks", "l": [[N, "trace ... ADDR", meta], ...]}   tasks to run
  {"t": "halt", "id": N}                            stop task N early
  {"t": "lss-clear", "name": S}     empty doubletree local stop set S
  {"t": "stop"}                                     finish and exit
Messages to the supervisor, gathered for up to REPORT_EVERY seconds (or
until REPORT_RESULTS results or half a backlog of room are waiting, or the
backlog is empty and it has room it has not said):
  {"t": "more", "n": K}                  room for K more tasks
  {"t": "results", "l": [[N, bytes(, copy)], ...]}   finished tasks,
                                formatted (and the -O outcopy copy)
  {"t": "error", "id": N, "msg": text, "errno": E}
                 a task that could not run (the supervisor makes its error
                 result, with errno E, for a source that wants one)
  {"t": "halted", "id": N}          a task halted before it started
  {"t": "ready"}        it started (once, first: the supervisor stops a
                        run whose workers keep dying before they say it)

``meta`` is None or what output.format_result needs (format, warts ids).
A worker keeps a backlog of tasks that have not started yet (``backlog``
of them, from the supervisor's settings: enough for some milliseconds at
the rate asked), and the engine starts the next one whenever it has a send
slot that no running task needs, so that starting a task costs no round
trip to the supervisor.  The supervisor fills that backlog without being
asked as the worker starts (the first tasks wait in the channel while it
loads its modules); "more" says the room made since.
"""

import collections
import errno
import time

from scamper_priv.client import PrivClient
from scamperd import commands, output
from scamperd.engine import Engine
from scamperd.gcpolicy import old_gc, quiet_gc
from scamperd.ipc import Channel
from scamperd.method import CommandError, Context
from scamperd.netio import NetIO
from scamperd.route import Router, RouteError

REPORT_EVERY = 0.01
REPORT_RESULTS = 64


class Worker:
    def __init__(self, sup_sock, priv_sock, pacer, cfg):
        self.sup = Channel(sup_sock)
        self.priv = PrivClient(priv_sock)
        self.cfg = cfg
        self.io = NetIO(self.priv)
        self.router = Router()
        self.engine = Engine(self.io, pacer, self._done, feed=self._start_next)
        self.engine.register(self.sup, 'sup')
        self.backlog = collections.deque()
        self.lss = {}
        self.stopping = False
        self.fmt = cfg.get('format', 'text')
        self.sport = cfg['sport']
        self.backlog_max = cfg.get('backlog', 2)
        self.more = 0             # room to say: the first is known
        self.results = []
        self.since = None         # when what is waiting to be sent began

    def run(self):
        eng = self.engine
        sup = self.sup
        sup.send({'t': 'ready'})
        sup.flush()
        gc_due = quiet_gc()
        while not (self.stopping and not eng.busy and not self.backlog):
            gc_due = old_gc(gc_due)
            if sup.closed:
                break
            cap = 1.0
            if self.results or self.more or sup.pending:
                now = time.time()
                if self.since is None:
                    self.since = now
                if self._report_due(now):
                    self._report()
                else:
                    cap = self.since + REPORT_EVERY - now
            eng.turn(cap, self._control)
        self._report()
        self.io.close()
        self.router.close()

    def _report_due(self, now):
        """True when what is gathered goes now.  With no task left to
        start, room goes at once; once said (more is 0: nothing new to
        ask for, as in the last second of a list) the results wait for
        REPORT_EVERY like any others."""
        return (now - self.since >= REPORT_EVERY
                or len(self.results) >= REPORT_RESULTS
                or 2 * self.more >= self.backlog_max
                or (self.more > 0 and not self.backlog))

    def _report(self):
        """Send what has been gathered, in one write."""
        self.since = None
        sup = self.sup
        if self.results:
            sup.send({'t': 'results', 'l': self.results})
            self.results = []
        if self.more:
            sup.send({'t': 'more', 'n': self.more})
            self.more = 0
        if sup.pending:
            sup.flush()

    def _control(self, data, fileobj):
        for msg in self.sup.receive():
            t = msg.get('t')
            if t == 'tasks':
                self.backlog.extend(msg['l'])
            elif t == 'halt':
                tid = msg['id']
                if not self.engine.halt(tid):
                    for i, task in enumerate(self.backlog):
                        if task[0] == tid:
                            del self.backlog[i]
                            self.more += 1
                            self.sup.send({'t': 'halted', 'id': tid})
                            break
            elif t == 'lss-clear':
                # emptied in place: running traces share the set
                self.lss.get(msg['name'], set()).clear()
            elif t == 'stop':
                self.stopping = True

    def _start_next(self):
        """Start the next task of the backlog; False if there is none."""
        if not self.backlog:
            return False
        tid, line, meta = self.backlog.popleft()
        self.more += 1
        try:
            cmd = commands.parse(line)
            # ctx.src is the address the route gives (a method told -S uses
            # that instead, and embeds this one when spoofing)
            try:
                src = self.router.source(cmd.dst)
            except RouteError:
                if cmd.src is None:
                    raise
                src = cmd.src
            dst = cmd.dst
            ctx = Context(src, self.sport, lss=self.lss,
                          interface=lambda: self.router.interface(dst))
            method = cmd.create(ctx)
        except (CommandError, RouteError, OSError) as e:
            self._failed(tid, str(e), getattr(e, 'errno', None)
                         or errno.ENETUNREACH)
            return True
        except Exception as e:      # noqa: BLE001 a bug: this task only
            self._failed(tid, 'internal error starting it: %s: %s'
                         % (type(e).__name__, e))
            return True
        method.task_meta = meta
        self.engine.add(tid, method)
        return True

    def _done(self, tid, method, error=None):
        if error is not None:
            self._failed(tid, 'internal error: %s' % error)
            return
        meta = method.task_meta
        if not meta:
            self.results.append((tid, output.format_result(method.result,
                                                           self.fmt)))
        else:
            self.results.append((tid, *format_for(method.result, meta,
                                                  self.fmt)))

    def _failed(self, tid, msg, err=errno.EIO):
        """Task ``tid`` could not run (``msg`` says why; ``err``, the
        errno its error result carries: see error_result)."""
        self.sup.send({'t': 'error', 'id': tid, 'msg': msg, 'errno': err})


def format_for(result, meta, fmt):
    """The result formatted for its source (``meta``: see
    Source.task_meta; ``fmt`` the default format), and its -O outcopy copy
    when it has one."""
    if not meta:
        return (output.format_result(result, fmt),)
    out = output.format_result(result, meta.get('fmt', fmt), meta)
    if 'copy' in meta:          # -O outcopy: for the default output too
        return out, output.format_result(result, meta['copy']['fmt'],
                                         meta['copy'])
    return (out,)


def error_result(line, meta, fmt, sport, err=None):
    """The result of task ``line`` that could not run, formatted as
    format_for does, or None when none can be made: the one scamper writes
    for a task whose first probe cannot be sent (errno ``err``: trace and
    ping stop with reason error), or with ``err`` None for a task halted
    before it started (stop reason halted, nothing sent), made from a
    fresh copy of the command, so that a client waiting for it gets one.
    Made by the supervisor, for a source that wants it
    (Source.error_results), and only then."""
    try:
        cmd = commands.parse(line)
        src = cmd.src or bytes(4 if cmd.family == 4 else 16)
        method = cmd.create(Context(src, sport, lss={},
                                    interface=lambda: (0, 1500)))
        now = time.time()
        method.start(now)
        if err is not None and not method.done and method.ready():
            method.send_error(method.next_probe(now), err, now)
        if not method.done:
            method.halt(now)
        if method.done:
            return format_for(method.result, meta, fmt)
    except Exception:       # noqa: BLE001 no result then, only the reason
        pass
    return None


def worker_main(sup_sock, priv_sock, pacer, cfg):
    """Entry point of a worker process (scamperd/pool.py)."""
    w = Worker(sup_sock, priv_sock, pacer, cfg)
    w.run()

