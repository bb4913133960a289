"""Sources of tasks and where their results go.

Every task comes from a source: the command line's input, a file a
control client added (``source add``: read for a number of cycles,
optionally re-read each cycle), or an attached control connection.
Sources are mixed by priority: a source of priority 2 gets twice the tasks
of one of priority 1 while both have some ready.  A source's results go
to its outfile (or, when attached, back over its connection).
"""

import os
import time

from scamperd import listcycle, output
from scamperd.warts import cycle as warts_cycle
from scamperd.warts import file as warts_file


APPEND_TYPES = {warts_file.OBJ_LIST, warts_file.OBJ_CYCLE_START,
                warts_file.OBJ_CYCLE_DEF, warts_file.OBJ_CYCLE_STOP}


def _q(s):
    return "'%s'" % s


class Outfile:
    """A named output (``outfile open``), or the default output.

    ``fmt`` is what it holds: the global format for '-'; warts for an
    opened one (scamper 20211212 writes warts there whatever -O says),
    compressed when its name ends in .warts.gz, .warts.bz2 or .warts.xz
    (the names scamper 2026 compresses).  In warts, the file numbers its
    lists and cycles itself, from 1, as scamper does: ``ids(cycle)`` gives
    the (list, cycle) ids the file's objects of that cycle refer to.  As
    scamper's writer, it takes lists and cycles equal in content for the
    same one; ``written`` (see ``written()``) is what a file appended to
    already holds: its lists and unstopped cycles are used again, and new
    ones are numbered after all of its own."""

    def __init__(self, name, path, fd=None, write=None, fmt='warts',
                 written=((), ())):
        self.name = name
        self.path = path
        self.fd = fd
        self.refcnt = 1
        self.fmt = fmt
        self._write = write
        self._z = None
        if write is None and fmt in output.WARTS:
            self._z = output.compressor(fmt)
        lists, cycles = written
        self.n_lists, self.n_cycles = len(lists), len(cycles)
        self.lists = {}            # list_key -> file id
        self.cycles = {}           # cycle_key -> file id
        for fid, lst in enumerate(lists, 1):
            self.lists.setdefault(warts_cycle.list_key(lst), fid)
        for fid, cycle in enumerate(cycles, 1):
            if cycle is not None:
                self.cycles.setdefault(warts_cycle.cycle_key(cycle), fid)

    @staticmethod
    def kind_of(path):
        for kind in output.WARTS[1:]:
            if path.endswith('.' + kind):
                return kind
        return 'warts'

    @staticmethod
    def written(f):
        """What appended records may refer to in the warts file ``f``, as
        scamper's writer reads a file it opens for appending: its lists
        and its cycles, in file id order (1, 2, ...), a stopped cycle as
        None.  WartsError when ``f`` is damaged or not plain warts."""
        head = f.read(2)
        if head and head != warts_file.MAGIC.to_bytes(2, 'big'):
            raise warts_file.WartsError('not a plain warts file', 0)
        lists, cycles = [], []
        for otype, _, obj in warts_file.decode_frames(
                warts_file.skim(f, APPEND_TYPES), APPEND_TYPES):
            if otype == warts_file.OBJ_LIST:
                lists.append(obj)
            elif otype == warts_file.OBJ_CYCLE_STOP:
                cycles[cycles.index(obj.cycle)] = None
            else:
                cycles.append(obj)
        return lists, cycles

    def write(self, data):
        if self._write is not None:
            return self._write(data)
        if self._z is not None:
            data = self._z.compress(data)
        self._put(data)

    def _put(self, data):
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.fd, view):]
            except InterruptedError:
                continue

    def ids(self, cycle):
        return (self.lists[warts_cycle.list_key(cycle.list)],
                self.cycles[warts_cycle.cycle_key(cycle)])

    def cycle_start(self, cycle):
        if self.fmt not in output.WARTS:
            self.write(output.cycle_start(cycle, self.fmt))
            return
        if warts_cycle.cycle_key(cycle) in self.cycles:
            return                     # an unstopped cycle of the file
        self._new_cycle(cycle, warts_file.OBJ_CYCLE_START)

    def declare(self, cycle):
        """In warts, the ids of a result of a cycle this file did not start
        (-O outcopy's copies): as scamper's writer, the first one is
        preceded by its list (if new) and a cycle definition record."""
        if warts_cycle.cycle_key(cycle) not in self.cycles:
            self._new_cycle(cycle, warts_file.OBJ_CYCLE_DEF)
        return self.ids(cycle)

    def _new_cycle(self, cycle, otype):
        data = b''
        lkey = warts_cycle.list_key(cycle.list)
        lid = self.lists.get(lkey)
        if lid is None:
            self.n_lists += 1
            lid = self.lists[lkey] = self.n_lists
            data += warts_cycle.list_record(lid, cycle.list)
        self.n_cycles += 1
        cid = self.cycles[warts_cycle.cycle_key(cycle)] = self.n_cycles
        self.write(data + warts_cycle.cycle_record(cid, lid, cycle, otype))

    def cycle_stop(self, cycle):
        if self.fmt not in output.WARTS:
            self.write(output.cycle_stop(cycle, self.fmt))
            return
        self.write(warts_cycle.cycle_stop_record(
            self.cycles.pop(warts_cycle.cycle_key(cycle)), cycle.stop))

    def close(self):
        if self.fd is not None:
            if self._z is not None:
                self._put(self._z.flush())
            os.close(self.fd)
            self.fd = None


class Source:
    """Base: ``take()`` gives (where, command line, tag) or None when
    nothing is ready; ``done(tag, data)`` gets each task's formatted
    result (None when it failed or was halted before starting)."""

    kind = None
    fmt = None          # per-task output format, None: the global one

    def __init__(self, name, priority=1):
        self.name = name
        self.priority = priority
        self.issued = 0
        self.outstanding = 0

    def task_meta(self, tag):
        """What the worker needs to format the result of task ``tag``
        (scamperd/output.py): its format, and in warts the file ids of its
        list and cycle."""
        return {} if self.fmt is None else {'fmt': self.fmt}

    def cycle_of(self, tag):
        """The cycle task ``tag`` belongs to."""
        return None

    def ready(self):
        return False

    def exhausted(self):
        """True when no command will ever come from this source."""
        return True

    def take(self):
        raise NotImplementedError

    def done(self, tag, data):
        raise NotImplementedError

    def drop_pending(self):
        """Forget commands not handed out yet (shutdown flush)."""

    def info(self):
        return 'name %s priority %d type %s' % (_q(self.name), self.priority,
                                                _q(self.kind))

    def progress(self):
        """(tasks done, tasks known) of the cycle being run."""
        return self.issued - self.outstanding, self.issued


class InputSource(Source):
    """The command line's -i/-I/-f input, results to the default output."""

    kind = 'input'

    def __init__(self, inputs, out):
        super().__init__('default')
        self.inputs = iter(inputs)
        self.out = out
        self._next = None
        self._end = False

    def _peek(self):
        if self._next is None and not self._end:
            try:
                self._next = next(self.inputs)
            except StopIteration:
                self._end = True
        return self._next

    def ready(self):
        return self._peek() is not None

    def exhausted(self):
        return self._peek() is None

    def take(self):
        got = self._peek()
        self._next = None
        return got[0], got[1], None

    def done(self, tag, data):
        if data:
            self.out.write(data)

    def drop_pending(self):
        self._next = None
        self._end = True


class FileSource(Source):
    """A managed source (``source add``): the addresses in a file, each
    run with the source's command, ``cycles`` times (0: forever), the file
    re-read at each cycle when ``autoreload`` is on."""

    kind = 'file'

    def __init__(self, sources, name, path, command, out, priority=1,
                 descr=None, list_id=0, cycle_id=1, cycles=1,
                 autoreload=False):
        super().__init__(name, priority)
        self.sources = sources
        self.path = path
        self.command = command
        self.out = out
        self.descr = descr
        self.list_id = list_id
        self.cycle_id = cycle_id
        self.cycles = cycles
        self.autoreload = autoreload
        self.list = listcycle.ScamperList(id=list_id, name=name, descr=descr,
                                          monitor=sources.monitorname)
        self.lines = None
        self.pos = 0
        self.cycle = None          # the cycle being read
        self.last_cycle = None     # the one before it
        self.open_cycles = {}      # cycle -> tasks not finished
        self.started = False
        self.stopped = False

    def _load(self):
        with open(self.path, 'rb') as f:
            raw = f.read()
        lines = []
        for n, line in enumerate(raw.decode('utf-8', 'replace')
                                 .splitlines(), 1):
            line = line.strip()
            if line and not line.startswith('#'):
                lines.append(('%s:%d' % (self.path, n), line))
        self.lines = lines

    def _new_cycle(self):
        """Start the next cycle; False when none is left."""
        if self.stopped or (self.started and self.cycles == 0
                            and self._finite):
            return False
        if not self.started:
            self._finite = self.cycles != 0
            self.started = True
        else:
            self.cycle_id += 1
        if self._finite:
            self.cycles -= 1
        if self.lines is None or self.autoreload:
            self._load()
        self.pos = 0
        self.cycle = listcycle.Cycle(self.list, id=self.cycle_id,
                                     start=time.time(),
                                     hostname=self.sources.hostname)
        self.open_cycles[self.cycle] = 0
        self.out.cycle_start(self.cycle)
        self.sources.event('source cycle %s id %d' % (_q(self.name),
                                                      self.cycle_id))
        return True

    def _advance(self):
        while self.cycle is None or self.pos >= len(self.lines):
            prev, self.cycle = self.cycle, None
            if prev is not None:
                self.last_cycle = prev
                self._maybe_close(prev)
            if not self._new_cycle():
                return False
            if not self.lines and self.cycles == 0 and not self._finite:
                self.stopped = True        # an empty file, forever: stop
        return True

    def ready(self):
        return self._advance()

    def exhausted(self):
        return not self._advance()

    def take(self):
        where, addr = self.lines[self.pos]
        self.pos += 1
        self.open_cycles[self.cycle] += 1
        return where, '%s %s' % (self.command, addr), self.cycle

    def cycle_of(self, cycle):
        return cycle

    def task_meta(self, cycle):
        meta = {'fmt': self.out.fmt}
        if self.out.fmt in output.WARTS:
            meta['warts'] = self.out.ids(cycle)
        return meta

    def done(self, cycle, data):
        if data:
            self.out.write(data)
        self.open_cycles[cycle] -= 1
        self._maybe_close(cycle)

    def _maybe_close(self, cycle):
        if cycle is not self.cycle and self.open_cycles.get(cycle) == 0:
            del self.open_cycles[cycle]
            cycle.stop = time.time()
            self.out.cycle_stop(cycle)

    def progress(self):
        cycle = self.cycle or self.last_cycle
        if cycle is None or self.lines is None:
            return 0, 0
        if cycle is self.cycle:
            return self.pos - self.open_cycles[cycle], len(self.lines)
        left = self.open_cycles.get(cycle, 0)
        return len(self.lines) - left, len(self.lines)

    def drop_pending(self):
        self.stopped = True
        if self.cycle is not None:
            self.pos = len(self.lines)

    def info(self, cycles=None):
        s = 'name %s' % _q(self.name)
        if self.descr is not None:
            s += ' descr %s' % _q(self.descr)
        s += ' list_id %d cycle_id %d priority %d outfile %s type %s' % (
            self.list_id, self.cycle_id, self.priority, _q(self.out.name),
            _q(self.kind))
        s += ' file %s cycles %d autoreload %s' % (
            _q(self.path), self.cycles if cycles is None else cycles,
            'on' if self.autoreload else 'off')
        return s


class Sources:
    """Every source and outfile, the mix between sources, and the
    observers of source events (``observe sources``)."""

    def __init__(self, default_write, fmt, monitorname=None, hostname=None,
                 daemon=False, default_name='-', outcopy=False,
                 written=((), ())):
        self.fmt = fmt
        self.outcopy = outcopy      # -O outcopy: all results to the default
        self.monitorname = monitorname
        self.hostname = hostname
        self.daemon = daemon        # a control socket may add sources
        self.closing = False        # shutdown done: no new work
        self.all = []
        # the default output: named '-', or as scamper after the -o file
        self.default = Outfile(default_name, default_name,
                               write=default_write, fmt=fmt,
                               written=written)
        self.outfiles = {default_name: self.default}
        self.observers = []         # callables taking an EVENT line

    def event(self, text):
        line = 'EVENT %d %s' % (int(time.time()), text)
        for obs in list(self.observers):
            obs(line)

    def get(self, name):
        for s in self.all:
            if s.name == name:
                return s
        return None

    def add(self, src, announce=True):
        self.all.append(src)
        if isinstance(src, FileSource):
            src.out.refcnt += 1
            if announce:
                self.event('source add ' + src.info())

    def remove(self, src):
        if src in self.all:
            self.all.remove(src)
            if isinstance(src, FileSource):
                src.out.refcnt -= 1

    def next(self):
        """(source, where, line, tag) for the next task, or None."""
        best = None
        for s in list(self.all):
            if s.ready():
                if best is None or s.issued * best.priority \
                        < best.issued * s.priority:
                    best = s
            else:
                self._reap(s)
        if best is None:
            return None
        best.issued += 1
        best.outstanding += 1
        where, line, tag = best.take()
        return best, where, line, tag

    def task_meta(self, src, tag):
        """src.task_meta(tag), and with -O outcopy, for a task whose results
        go elsewhere, how to format its copy for the default output."""
        meta = src.task_meta(tag)
        if self.outcopy and getattr(src, 'out', None) is not self.default:
            copy = meta['copy'] = {'fmt': self.default.fmt}
            if self.default.fmt in output.WARTS:
                copy['warts'] = self.default.declare(src.cycle_of(tag))
        return meta

    def done(self, src, tag, data, copy=None):
        """A task of ``src`` ended: ``data`` its result formatted for its
        source, ``copy`` for the default output (-O outcopy)."""
        src.outstanding -= 1
        src.done(tag, data)
        if copy:
            self.default.write(copy)
        self._reap(src)

    def _reap(self, s):
        if s.outstanding == 0 and s.exhausted() and s in self.all:
            self.remove(s)
            if isinstance(s, FileSource):
                self.event('source finish %s' % _q(s.name))
            closed = getattr(s, 'finished', None)
            if closed is not None:
                closed()

    def drop_pending(self):
        for s in list(self.all):
            s.drop_pending()
            self._reap(s)

    @property
    def finished(self):
        """No source will give another task."""
        if self.daemon and not self.closing:
            return False
        return not any(s.ready() for s in self.all)
