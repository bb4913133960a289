"""A worker process: an engine fed with tasks by the supervisor.

Messages from the supervisor (scamperd/ipc.py):
  {"t": "task", "id": N, "cmd": "trace ... ADDR"}   a task to run
  {"t": "halt", "id": N}                            stop task N early
  {"t": "pps", "pps": P}                            (informational)
  {"t": "lss-clear", "name": S}     empty doubletree local stop set S
  {"t": "stop"}                                     finish and exit
Messages to the supervisor:
  {"t": "more"}                      room for one more task
  {"t": "result", "id": N, "out": bytes}   a finished task, formatted
  {"t": "error", "id": N, "msg": text}     a task that could not run

A worker keeps a small backlog of tasks that have not started yet, and
starts one whenever the pacer could send a probe that no running task
needs, so that starting a task costs no round trip to the supervisor.
"""

import collections
import signal

from scamper_priv.client import PrivClient
from scamperd import commands, output
from scamperd.engine import Engine
from scamperd.ipc import Channel
from scamperd.method import CommandError, Context
from scamperd.netio import NetIO
from scamperd.route import Router, RouteError

BACKLOG = 2


class Worker:
    def __init__(self, sup_sock, priv_sock, pacer, cfg):
        self.sup = Channel(sup_sock)
        self.priv = PrivClient(priv_sock)
        self.cfg = cfg
        self.io = NetIO(self.priv)
        self.router = Router()
        self.engine = Engine(self.io, pacer, self._done,
                             holdtime=cfg.get('holdtime', 5.0))
        self.engine.register(self.sup, 'sup')
        self.backlog = collections.deque()
        self.lss = {}
        self.stopping = False
        self.fmt = cfg.get('format', 'text')
        self.sport = cfg['sport']

    def run(self):
        for _ in range(BACKLOG):
            self.sup.send({'t': 'more'})
        eng = self.engine
        while not (self.stopping and not eng.busy and not self.backlog):
            if self.sup.closed:
                break
            if self.backlog and not eng.sendq:
                self._start_next()
            eng.turn(1.0, self._control)
            if self.sup.pending:
                self.sup.flush()
        self.sup.flush()
        self.io.close()
        self.router.close()

    def _control(self, data, fileobj):
        for msg in self.sup.receive():
            t = msg.get('t')
            if t == 'task':
                self.backlog.append(msg)
            elif t == 'halt':
                tid = msg['id']
                if not self.engine.halt(tid):
                    for i, m in enumerate(self.backlog):
                        if m['id'] == tid:
                            del self.backlog[i]
                            self.sup.send({'t': 'halted', 'id': tid})
                            break
            elif t == 'pps':
                pass
            elif t == 'lss-clear':
                # emptied in place: running traces share the set
                self.lss.get(msg['name'], set()).clear()
            elif t == 'stop':
                self.stopping = True

    def _start_next(self):
        msg = self.backlog.popleft()
        self.sup.send({'t': 'more'})
        tid = msg['id']
        try:
            cmd = commands.parse(msg['cmd'])
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
            self.sup.send({'t': 'error', 'id': tid, 'msg': str(e)})
            return
        method.task_meta = msg
        self.engine.add(tid, method)

    def _done(self, tid, method, error=None):
        if error is not None:
            self.sup.send({'t': 'error', 'id': tid,
                           'msg': 'internal error: %s' % error})
            return
        result = method.result
        meta = getattr(method, 'task_meta', {})
        out = output.format_result(result, meta.get('fmt', self.fmt), meta)
        msg = {'t': 'result', 'id': tid, 'out': out}
        if 'copy' in meta:          # -O outcopy: for the default output too
            msg['copy'] = output.format_result(result, meta['copy']['fmt'],
                                               meta['copy'])
        self.sup.send(msg)


def worker_main(sup_sock, priv_sock, pacer, cfg):
    """Entry point of a worker process (forked by the supervisor)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    Worker(sup_sock, priv_sock, pacer, cfg).run()
