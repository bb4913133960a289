"""Attach mode: a control connection that is a source of tasks.

The client sends measurement commands; each accepted one gets ``OK id-N``
(N counting from 1 on this connection) and its result comes back as a
``DATA len id-N`` block, as scamper 2023 and later send it (``DATA len
id-N inprog`` would mark a partial result streamed by a task still
running: scamper 2026 does that for ``ping -y`` and ``trace -y``, which we
do not run).  ``MORE`` tells the client there is room for another command.
scamper 20211212's sc_attach rejects anything after the length, so the
listener can be told to send plain ``DATA len`` (``-O attach-2021``); a
client that uses an attach parameter only newer scamper knows still gets
the id form then."""

import collections
import time

from scamperd import commands, listcycle
from scamperd.control import uuencode
from scamperd.control.protocol import params
from scamperd.method import CommandError
from scamperd.route import Router
from scamperd.sources import Source
from scamperd.warts import cycle as warts_cycle

# commands a client may send ahead of MORE (scamper's clients send one
# per MORE): more gets ERR, not memory
MAX_PENDING = 10000
MAX_PENDING_BYTES = 4 << 20

PARAMS_2021 = ('format', 'priority')
PARAMS_NEW = ('list_id', 'cycle_id', 'descr', 'monitor', 'name')
FORMATS = ('warts', 'json')

_router = None      # source address look-ups, made when first needed


def _check(text):
    """Parse a command and check that it can start (CommandError)."""
    global _router
    cmd = commands.parse(text)
    if _router is None:
        _router = Router()
    commands.check_runnable(cmd, _router)


def parse_params(text):
    """The attach parameters as a dict, or an ``ERR`` line."""
    got, bad = params(text, PARAMS_2021 + PARAMS_NEW)
    if got is None:
        return "ERR command attach param '%s' failed" % bad
    if got.setdefault('format', 'warts') not in FORMATS:
        return 'ERR format must be warts or json'
    for key, lo, hi in (('priority', 1, 100000), ('list_id', 0, 0xffffffff),
                        ('cycle_id', 0, 0xffffffff)):
        if key in got:
            try:
                got[key] = int(got[key], 10)
            except ValueError:
                got[key] = -1
            if not lo <= got[key] <= hi:
                return 'ERR invalid %s' % key
    return got


def frame(payload, task_id=None, inprog=False):
    """A DATA block: header line and payload."""
    if task_id is None:
        return b'DATA %d\n' % len(payload) + payload
    return b'DATA %d id-%d%s\n' % (len(payload), task_id,
                                   b' inprog' if inprog else b'') + payload


def _halt_id(arg):
    """The task id ``halt ARG`` names, or its error line, as scamper reads
    it: a number is a sign or a digit then digits (else usage), from 1 to
    2^32 - 1 (else invalid)."""
    if not (arg[0] in '+-0123456789'
            and all('0' <= c <= '9' for c in arg[1:])):
        return b'ERR usage: halt [id]\n'
    try:
        tid = int(arg)
    except ValueError:              # a sign alone
        tid = 0
    if not 0 < tid <= 0xffffffff:
        return b'ERR halt number invalid\n'
    return tid


class Attach(Source):
    """One attached connection.  ``send(bytes)`` writes to the client,
    ``close()`` closes it once everything sent has gone."""

    kind = 'control'
    error_results = True

    def __init__(self, p, peer, send, close, monitor=None, hostname=None,
                 ids=True, congested=lambda: False):
        super().__init__(p.get('name', peer), p.get('priority', 1))
        self.fmt = p['format']
        self.send = send
        self.close = close
        self.congested = congested    # no task starts while it says so
        self.ids = ids or any(k in p for k in PARAMS_NEW)
        self.list = listcycle.ScamperList(
            id=p.get('list_id', 0), name=self.name, descr=p.get('descr'),
            monitor=p.get('monitor', monitor))
        self.cycle = listcycle.Cycle(self.list, id=p.get('cycle_id', 1),
                                     start=time.time(), hostname=hostname)
        self.next_id = 1
        self.pending = collections.deque()    # (task id, line), not taken
        self.pending_bytes = 0
        self.running = set()                  # task ids taken, not done
        self.more = False                     # a MORE not used yet
        self.ending = False                   # done received / gone
        self.gone = False

    def start(self, ok=True):
        """What is sent on attach: ``OK`` (not on a remote channel, which
        is attached from the start), ``MORE``, the list and the
        cycle-start."""
        if ok:
            self.send(b'OK\n')
        self._more()
        self._object(self.list, 'list')
        self._object(self.cycle, 'cycle-start')

    def _more(self):
        if not self.more and not self.ending and not self.pending:
            self.more = True
            self.send(b'MORE\n')

    def _object(self, obj, kind, task_id=None):
        self.send(data(obj, kind, self.fmt, task_id if self.ids else None))

    def line(self, text):
        """A line from the client in attach mode."""
        if self.ending:
            return
        verb, _, arg = text.strip(' ').partition(' ')
        verb = verb.lower()         # scamper compares without case
        if verb == 'done' and not arg:
            self.send(b'OK\n')
            self.ending = True
            return
        if verb == 'halt' and arg:
            self._halt(arg.strip(' '))
            self._more()            # a halted pending task frees room
            return
        try:
            if len(self.pending) >= MAX_PENDING or \
                    self.pending_bytes + len(text) > MAX_PENDING_BYTES:
                raise CommandError('%d commands wait already (send one when '
                                   'MORE comes)' % len(self.pending))
            _check(text)
        except CommandError as e:
            # scamper 2026 gives the reason, 20211212 did not
            self.send(b'ERR command not accepted: %s\n' % str(e).encode()
                      if self.ids else b'ERR command not accepted\n')
            self.more = False       # the MORE it used is free again
            self._more()
            return
        tid = self.next_id
        self.next_id += 1
        line = text.strip()
        self.pending.append((tid, line))
        self.pending_bytes += len(line)
        self.more = False
        self.send(b'OK id-%d\n' % tid)

    def _halt(self, arg):
        """``halt ID``: as scamper, a task halted before it started gives
        its result too (stop reason halted, nothing sent), after the
        OK."""
        tid = _halt_id(arg)
        if isinstance(tid, bytes):
            self.send(tid)
            return
        for i, (t, text) in enumerate(self.pending):
            if t == tid:
                del self.pending[i]
                self.pending_bytes -= len(text)
                self.send(b'OK halted %d\n' % tid)
                result = self.halted_result(tid, text)
                if result:
                    self._object(result, 'result', tid)
                return
        if tid in self.running and self.halter(tid):
            self.send(b'OK halted %d\n' % tid)
        else:
            self.send(b'ERR no task id-%d\n' % tid)

    # set by the server: halter(tid) halts a task taken, halted_result(tid,
    # line) makes the result of one that was not
    halter = staticmethod(lambda tid: False)
    halted_result = staticmethod(lambda tid, line: None)

    # -- Source ---------------------------------------------------------------

    def ready(self):
        return bool(self.pending) and not self.congested()

    def waiting(self):
        return bool(self.pending)

    def exhausted(self):
        return (self.ending or self.gone) and not self.pending

    def take(self):
        tid, text = self.pending.popleft()
        self.pending_bytes -= len(text)
        self.running.add(tid)
        self._more()
        return '%s id-%d' % (self.name, tid), text, tid

    def cycle_of(self, tid):
        return self.cycle

    def done(self, tid, data_):
        self.running.discard(tid)
        if data_ and not self.gone:
            self._object(data_, 'result', tid)

    def drop_pending(self):
        self.pending.clear()
        self.pending_bytes = 0

    def progress(self):
        return self.issued - self.outstanding, self.issued + len(self.pending)

    def finished(self):
        """Called once nothing is left: the cycle-stop, then close."""
        if not self.gone:
            self.cycle.stop = time.time()
            self._object(self.cycle, 'cycle-stop')
            self.close()

    def info(self):
        return 'name %s list_id %d cycle_id %d priority %d type %s' % (
            "'%s'" % self.name, self.list.id, self.cycle.id, self.priority,
            "'control'")


def data(obj, kind, fmt, task_id=None):
    """The DATA block for a list, cycle-start/stop or a result (already
    formatted by the worker: a json line or a warts object)."""
    if fmt == 'json':
        if kind == 'list':
            return b''                      # json has no list record
        if kind == 'cycle-start':
            payload = (listcycle.cycle_start_json(obj) + '\n').encode()
        elif kind == 'cycle-stop':
            payload = (listcycle.cycle_stop_json(obj) + '\n').encode()
        else:
            payload = obj
        return frame(payload, task_id)
    # warts: the connection is one warts file: its list and cycle have
    # file ids 1 (results are encoded so by the worker)
    if kind == 'list':
        obj = warts_cycle.list_record(1, obj)
    elif kind == 'cycle-start':
        obj = warts_cycle.cycle_record(1, 1, obj)
    elif kind == 'cycle-stop':
        obj = warts_cycle.cycle_stop_record(1, obj.stop)
    return frame(uuencode.encode(obj), task_id)
