"""Sources of tasks and where their results go.

Every task comes from a source: the command line's input, a file a
control client added (``source add``: read for a number of cycles,
optionally re-read each cycle), or an attached control connection.
Sources are mixed by priority: a source of priority 2 gets twice the tasks
of one of priority 1 while both have some ready.  A source's results go
to its outfile (or, when attached, back over its connection).
"""

import os
import sys
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
        self.error = None          # the write error that stopped it
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
        if self.fd is None:
            return          # closed (outfile close) while a task still ran
        if self._z is not None:
            data = self._z.compress(data)
        self._put(data)

    def _put(self, data):
        view = memoryview(data)
        while view and self.error is None:
            try:
                view = view[os.write(self.fd, view):]
            except InterruptedError:
                continue
            except OSError as e:
                # a full disk or a failing device: said once, and the
                # service goes on (its other outputs are not affected)
                self.error = e
                sys.stderr.write('scamper: outfile %s (%s): %s: results for '
                                 'it are lost from now on\n'
                                 % (self.name, self.path, e.strerror))
                sys.stderr.flush()

    def ids(self, cycle):
        """The (list, cycle) ids of ``cycle`` in this file.  For a cycle
        the file did not start (-O outcopy's copies, or a running source's
        file after `outfile swap`), as scamper's writer, the first result
        is preceded by its list (if new) and a cycle definition record."""
        key = warts_cycle.cycle_key(cycle)
        if key not in self.cycles:
            self._new_cycle(cycle, warts_file.OBJ_CYCLE_DEF)
        return (self.lists[warts_cycle.list_key(cycle.list)],
                self.cycles[key])

    def cycle_start(self, cycle):
        if self.fmt not in output.WARTS:
            self.write(output.cycle_start(cycle, self.fmt))
            return
        if warts_cycle.cycle_key(cycle) in self.cycles:
            return                     # an unstopped cycle of the file
        self._new_cycle(cycle, warts_file.OBJ_CYCLE_START)

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
        cid = self.cycles.pop(warts_cycle.cycle_key(cycle), None)
        if cid is not None:     # none: not in this file (outfile swap)
            self.write(warts_cycle.cycle_stop_record(cid, cycle.stop))

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
    # a task that could not run still gives its result (stop reason
    # error, as scamper 2026 ends one), for a client that waits for it;
    # scamper 20211212 wrote nothing for it, as the other sources do
    error_results = False

    def __init__(self, name, priority=1):
        self.name = name
        self.priority = priority
        self.issued = 0
        self.outstanding = 0

    def task_meta(self, tag):
        """What the worker needs to format the result of task ``tag``
        (scamperd/output.py): its format, and in warts the file ids of its
        list and cycle; None when it needs nothing."""
        return None if self.fmt is None else {'fmt': self.fmt}

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

    def started_task(self, tag):
        """Task ``tag`` started (or ended before it could)."""

    def waiting(self):
        """True when not ready only until tasks it gave start."""
        return False


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


def _count_lines(f, max_line):
    """The address lines (neither blank nor a # comment) of file ``f``
    from its start, which it is left at: read in large blocks, each line
    looked at only in a block that has blanks, comments or carriage
    returns (so a line longer than ``max_line``, skipped when read, may be
    counted in a block without those)."""
    n = 0
    carry = b''
    skip = False                    # in a line too long to count
    f.seek(0)
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        data = carry + chunk
        if skip:
            nl = data.find(b'\n')
            if nl < 0:
                carry = b''
                continue
            data, skip = data[nl + 1:], False
        cut = data.rfind(b'\n') + 1
        whole, carry = data[:cut], data[cut:]
        if len(carry) > max_line:
            carry, skip = b'', True
        if any(c in whole for c in (b'#', b'\n\n', b'\r', b' ', b'\t')) \
                or whole[:1] == b'\n':
            n += sum(1 for line in whole.split(b'\n')
                     if line.strip() and not line.strip().startswith(b'#')
                     and len(line) < max_line)
        else:
            n += whole.count(b'\n')
    tail = carry.strip()
    if tail and not tail.startswith(b'#'):
        n += 1
    f.seek(0)
    return n


class FileSource(Source):
    """A managed source (``source add``): the addresses in a file, each
    run with the source's command, ``cycles`` times (0: forever), the file
    re-opened at each cycle when ``autoreload`` is on, else read again
    from its start.

    The file is read as a stream, a line at a time (at most MAX_LINE
    bytes; a longer one is skipped), so its size costs no memory.  A new
    cycle starts only once every task of the one before has started (as
    the supervisor says through ``started``): a short list run for ever
    cannot race ahead of its tasks, nor pile them up waiting."""

    kind = 'file'
    MAX_LINE = 8192

    def __init__(self, sources, name, path, command, out, priority=1,
                 descr=None, list_id=0, cycle_id=1, cycles=1,
                 autoreload=False, err=None):
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
        self.err = err
        self.list = listcycle.ScamperList(id=list_id, name=name, descr=descr,
                                          monitor=sources.monitorname)
        self.f = None
        self.lineno = 0            # lines of the file read in this cycle
        self.pos = 0               # tasks taken in this cycle
        self.known = None          # the cycle's tasks, once all are read
        self.total = None          # and as counted when it started
        self._line = None          # the next task's (where, address)
        self.unstarted = 0         # tasks taken, not started yet
        self.cycle = None          # the cycle being read
        self.last_cycle = None     # the one before it
        self.last_pos = 0          # and its tasks
        self.open_cycles = {}      # cycle -> tasks not finished
        self.started = False
        self.stopped = False

    @staticmethod
    def open(path):
        """The file of a source: a regular file only (/dev/zero or a FIFO
        would fill or freeze the service), never blocking."""
        from scamperd import safeopen
        return os.fdopen(safeopen.open_file(path, os.O_RDONLY, follow=True),
                         'rb')

    def _rewind(self):
        """The file from its start for a new cycle; False (the source
        ends, the reason on stderr) when it cannot be read."""
        try:
            if self.f is None or self.autoreload:
                f = self.open(self.path)
                if self.f is not None:
                    self.f.close()
                self.f = f
            else:
                self.f.seek(0)
        except OSError as e:
            self._complain('cannot read %s: %s' % (self.path, e.strerror))
            return False
        self.lineno = self.pos = 0
        self.known = None
        self._line = None
        try:
            self.total = _count_lines(self.f, self.MAX_LINE)
        except OSError:
            self.total = None
        return True

    def _complain(self, msg):
        if self.err is not None:
            self.err.write('scamper: source %s: %s\n' % (self.name, msg))
            self.err.flush()

    def _peek(self):
        """The next task's (where, address) in this cycle, or None."""
        while self._line is None and self.known is None:
            try:
                raw = self.f.readline(self.MAX_LINE + 1)
            except OSError as e:
                self._complain('reading %s: %s' % (self.path, e.strerror))
                raw = b''
            if not raw:
                self.known = self.pos
                break
            self.lineno += 1
            if len(raw) > self.MAX_LINE and not raw.endswith(b'\n'):
                while raw and not raw.endswith(b'\n'):
                    raw = self.f.readline(self.MAX_LINE)
                self._complain('%s:%d: line longer than %d bytes' % (
                    self.path, self.lineno, self.MAX_LINE))
                continue
            line = raw.decode('utf-8', 'replace').strip()
            if line and not line.startswith('#'):
                self._line = ('%s:%d' % (self.path, self.lineno), line)
        return self._line

    def _new_cycle(self):
        """Start the next cycle; False when none is left."""
        if self.stopped or (self.started and self.cycles == 0
                            and self._finite):
            return False
        if not self._rewind():
            self.stopped = True
            return False
        if not self.started:
            self._finite = self.cycles != 0
            self.started = True
        else:
            self.cycle_id += 1
        if self._finite:
            self.cycles -= 1
        self.cycle = listcycle.Cycle(self.list, id=self.cycle_id,
                                     start=time.time(),
                                     hostname=self.sources.hostname)
        self.open_cycles[self.cycle] = 0
        self.out.cycle_start(self.cycle)
        self.sources.event('source cycle %s id %d' % (_q(self.name),
                                                      self.cycle_id))
        return True

    def _advance(self):
        while self.cycle is None or self._peek() is None:
            prev, self.cycle = self.cycle, None
            if prev is not None:
                self.last_cycle, self.last_pos = prev, self.pos
                self._maybe_close(prev)
            if self.unstarted or not self._new_cycle():
                return False
            if self._peek() is None and self.cycles == 0 \
                    and not self._finite:
                self.stopped = True        # an empty file, forever: stop
        return True

    def ready(self):
        return self._advance()

    def exhausted(self):
        # with every task started, only the end of the cycles stops it
        return not self._advance() and not self.unstarted

    def take(self):
        where, addr = self._peek()
        self._line = None
        self.pos += 1
        self.unstarted += 1
        self.open_cycles[self.cycle] += 1
        return where, '%s %s' % (self.command, addr), self.cycle

    def started_task(self, cycle):
        self.unstarted -= 1

    def waiting(self):
        return self.unstarted > 0 and not self.stopped and not (
            self._finite and self.cycles == 0)

    def next_cycle(self):
        """``source cycle``: the rest of this cycle's file is skipped."""
        if self.cycle is not None:
            self._line = None
            self.known = self.pos

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
        """(done, known) in the cycle being run; known is the file's
        address lines counted when the cycle started (at least those read
        since)."""
        cycle = self.cycle or self.last_cycle
        if cycle is None:
            return 0, 0
        left = self.open_cycles.get(cycle, 0)
        if cycle is self.cycle:
            known = self.known
            if known is None:
                known = max(self.pos + (self._line is not None),
                            self.total or 0)
            return self.pos - left, known
        return self.last_pos - left, self.last_pos

    def drop_pending(self):
        self.stopped = True
        self._line = None
        if self.cycle is not None:
            self.known = self.pos

    def close(self):
        if self.f is not None:
            self.f.close()
            self.f = None

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
                src.close()

    def started(self, src, tag):
        """A task of ``src`` started, or ended without starting."""
        src.started_task(tag)

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
            if meta is None:
                meta = {}
            copy = meta['copy'] = {'fmt': self.default.fmt}
            if self.default.fmt in output.WARTS:
                copy['warts'] = self.default.ids(src.cycle_of(tag))
        return meta

    def done(self, src, tag, data, copy=None, started=True):
        """A task of ``src`` ended: ``data`` its result formatted for its
        source, ``copy`` for the default output (-O outcopy); ``started``
        False when it ended before it started."""
        if not started:
            src.started_task(tag)
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
        return not any(s.ready() or s.waiting() for s in self.all)
