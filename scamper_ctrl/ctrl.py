"""ScamperCtrl: drive scamper instances through their control sockets,
with the interface of scamper's Python module, in plain Python.

Each ScamperInst is one attached connection (``attach``, warts format):
every ``do_*`` sends one measurement command; the daemon answers
``OK id-N`` (or ``ERR reason``) and later sends the result as ``DATA len
id-N`` followed by the uuencoded warts object, which is decoded with our
warts reader and returned as a ScamperPing, ScamperTrace, ...  A daemon
that sends plain ``DATA len`` (scamper 20211212, or ours with ``-O
attach-2021``) cannot tell which task a result belongs to: the results
still come from ``poll()``, but tasks never end (``responses()`` waits
for its timeout, ``sync=True`` for ever), as with libscamperctrl."""

import binascii
import collections
import datetime
import os
import selectors
import socket
import stat
import struct
import time

from scamper_ctrl import commands as C
from scamper_ctrl.objects import ScamperCycle, ScamperList, wrap
from scamperd.warts import api as _api   # noqa: F401  (loads every type)
from scamperd.warts import file as F

HEADER = struct.Struct('>HHI')


class ScamperInstError(Exception):
    def __init__(self, message, inst):
        super().__init__(message)
        self.inst = inst


class ScamperTask:
    """A measurement sent to an instance; ``halt()`` stops it."""

    def __init__(self, inst, cmd):
        self._inst = inst
        self.cmd = cmd
        self.id = None            # the daemon's id, once it said OK id-N
        self._halt = False

    def __str__(self):
        return self.cmd

    def __repr__(self):
        return '<ScamperTask id-%s %s>' % (self.id, self.cmd)

    def __lt__(self, other):
        return (self.id or 0) < (other.id or 0)

    def halt(self):
        if self.id is None:
            self._halt = True     # sent when the daemon gives the id
        elif not self._inst._eof:
            self._inst._send('halt %d' % self.id, ('halt', self))


class ScamperInst:
    """One scamper instance (one control connection)."""

    def __init__(self, ctrl, sock, name):
        self._ctrl = ctrl
        self._sock = sock
        self._name = name
        self._rbuf = bytearray()
        self._need = None         # (n bytes, task id, inprog) of a DATA
        self._warts = bytearray()
        self._state = F.ReadState()
        self._replies = collections.deque()   # what each OK/ERR answers
        self._byid = {}
        self._tasks = set()
        self._queued = 0
        self._resultc = 0
        self._done = False
        self._eof = False

    def __str__(self):
        return self._name

    def __repr__(self):
        return '<ScamperInst %s>' % self._name

    def __lt__(self, other):
        return self._name < other._name

    name = property(lambda self: self._name)
    shortname = property(lambda self: self._name)
    taskc = property(lambda self: len(self._tasks))
    resultc = property(lambda self: self._resultc)
    # what a remote vantage point would describe: nothing for local ones
    tags = asn4 = ipv4 = asn6 = ipv6 = loc = iata = cc = st = place = \
        property(lambda self: None)

    def done(self):
        """No more measurements: the daemon finishes those it has, sends
        them and closes the connection."""
        if not self._done and not self._eof:
            self._done = True
            self._send('done', ('done', None))

    def is_done(self):
        return self._done

    def is_eof(self):
        return self._eof

    # -- the connection -------------------------------------------------

    def _send(self, line, expect):
        if self._eof:
            raise RuntimeError('ScamperInst %s has signalled EOF' % self._name)
        self._replies.append(expect)
        try:
            self._sock.sendall(line.encode() + b'\n')
        except OSError as e:
            self._ctrl._exceptions.append(ScamperInstError(
                'could not send to %s: %s' % (self._name, e), self))
            self._close()

    def _readable(self):
        try:
            data = self._sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self._ctrl._exceptions.append(ScamperInstError(
                'got fatal from %s: %s' % (self._name, e), self))
            data = b''
        if not data:
            self._close()
            return
        self._rbuf += data
        self._parse()

    def _parse(self):
        buf = self._rbuf
        while True:
            if self._need is not None:
                n, tid, inprog = self._need
                if len(buf) < n:
                    return
                block = bytes(buf[:n])
                del buf[:n]
                self._need = None
                self._data(block, tid, inprog)
                continue
            nl = buf.find(b'\n')
            if nl < 0:
                return
            line = buf[:nl].decode('utf-8', 'replace').rstrip('\r')
            del buf[:nl + 1]
            self._line(line)

    def _line(self, line):
        ctrl = self._ctrl
        if line == 'MORE':
            if ctrl.morecb is not None:
                try:
                    ctrl.morecb(ctrl, self, ctrl.param)
                except Exception as e:
                    ctrl._exceptions.append(e)
            return
        if line.startswith('DATA '):
            words = line.split()
            try:
                n = int(words[1])
                tid = int(words[2][3:]) if len(words) > 2 and \
                    words[2].startswith('id-') else None
            except (IndexError, ValueError):
                ctrl._exceptions.append(ScamperInstError(
                    'could not parse %s from %s' % (line, self._name), self))
                self._close()
                return
            self._need = (n, tid, 'inprog' in words[3:])
            return
        if line == 'OK' or line.startswith(('OK ', 'ERR')):
            kind, task = self._replies.popleft() if self._replies else \
                (None, None)
            if kind == 'cmd':
                if line.startswith('OK id-'):
                    task.id = int(line[6:])
                    self._byid[task.id] = task
                    if task._halt:
                        task.halt()
                else:
                    self._task_over(task)
                    ctrl._exceptions.append(ScamperInstError(
                        'got err from %s: %s' % (self._name, line[4:]), self))
            elif line.startswith('ERR'):
                ctrl._exceptions.append(ScamperInstError(
                    'got err from %s: %s' % (self._name, line[4:]), self))
            return
        ctrl._exceptions.append(ScamperInstError(
            'unexpected line from %s: %s' % (self._name, line), self))

    def _data(self, block, tid, inprog):
        try:
            self._warts += b''.join(binascii.a2b_uu(l)
                                    for l in block.splitlines())
        except binascii.Error as e:
            self._ctrl._exceptions.append(ScamperInstError(
                'bad DATA from %s: %s' % (self._name, e), self))
            return
        w = self._warts
        while len(w) >= 8:
            _, otype, length = HEADER.unpack_from(w)
            if len(w) < 8 + length:
                return
            body = bytes(w[8:8 + length])
            del w[:8 + length]
            try:
                got = list(F.decode_frames([(otype, 0, body)], None,
                                           self._state))
            except F.WartsError as e:
                self._ctrl._exceptions.append(ScamperInstError(
                    'bad warts from %s: %s' % (self._name, e), self))
                continue
            for otype, _, obj in got:
                obj = wrap(otype, obj, self)
                if obj is not None:
                    self._ctrl._result(self, obj, None if inprog else
                                       self._byid.pop(tid, None))

    def _task_over(self, task):
        self._tasks.discard(task)
        self._ctrl._tasks.discard(task)
        if task.id is not None:
            self._byid.pop(task.id, None)

    def _close(self):
        if self._eof:
            return
        self._eof = True
        ctrl = self._ctrl
        try:
            ctrl._sel.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        self._sock.close()
        for task in list(self._tasks):
            self._task_over(task)
        ctrl._insts.discard(self)
        if ctrl.eofcb is not None and self._queued == 0:
            try:
                ctrl.eofcb(ctrl, self, ctrl.param)
            except Exception as e:
                ctrl._exceptions.append(e)


def _deadline(timeout, until):
    if timeout is not None and until is not None:
        raise ValueError('cannot provide both timeout and until parameters')
    if timeout is not None:
        if isinstance(timeout, datetime.timedelta):
            timeout = timeout.total_seconds()
        return time.monotonic() + timeout
    if until is not None:
        if not isinstance(until, datetime.datetime):
            raise TypeError('until is not a datetime')
        return time.monotonic() + (until - datetime.datetime.now()
                                   ).total_seconds()
    return None


class ScamperCtrl:
    """A set of scamper instances, their tasks and their results."""

    def __init__(self, meta=False, morecb=None, eofcb=None, param=None,
                 unix=None, remote=None, remote_dir=None, mux=None,
                 outfile=None):
        from scamper_ctrl.file import ScamperFile
        if outfile is not None:
            if not isinstance(outfile, ScamperFile):
                raise ValueError('outfile not ScamperFile')
            if not outfile.is_write():
                raise RuntimeError('outfile not opened in write mode')
        if mux is not None:
            raise RuntimeError('mux is not supported by scamper_ctrl')
        self.meta = meta
        self.morecb = morecb
        self.eofcb = eofcb
        self.param = param
        self.outfile = outfile
        self._sel = selectors.DefaultSelector()
        self._insts = set()
        self._tasks = set()
        self._objs = collections.deque()
        self._exceptions = collections.deque()
        self._sync = None         # the task a sync call waits for
        self._syncdata = None
        if unix is not None:
            self.add_unix(unix)
        if remote is not None:
            self.add_remote(remote)
        if remote_dir is not None:
            self.add_remote_dir(remote_dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    # -- instances ------------------------------------------------------

    def _add(self, family, where, name):
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect(where)
        except OSError as e:
            s.close()
            raise RuntimeError('could not connect to %s: %s'
                               % (name, e.strerror or e)) from None
        inst = ScamperInst(self, s, name)
        inst._send('attach', ('attach', None))
        s.setblocking(False)
        self._sel.register(s, selectors.EVENT_READ, inst)
        self._insts.add(inst)
        return inst

    def add_unix(self, path):
        """An instance listening on Unix socket ``path`` (scamper -U)."""
        return self._add(socket.AF_UNIX, path, path)

    def add_inet(self, port, addr=None):
        """An instance listening on TCP ``addr:port`` (scamper -P);
        loopback when no addr."""
        addr = addr or '127.0.0.1'
        fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
        return self._add(fam, (addr, port), '%s:%d' % (addr, port))

    def add_remote(self, path):
        """A remote instance behind sc_remoted's Unix socket ``path``."""
        return self._add(socket.AF_UNIX, path, os.path.basename(path))

    def add_remote_dir(self, path):
        for name in sorted(os.listdir(path)):
            p = os.path.join(path, name)
            if stat.S_ISSOCK(os.stat(p).st_mode):
                try:
                    self.add_remote(p)
                except RuntimeError:
                    continue

    def add_mux(self, path):
        raise RuntimeError('mux is not supported by scamper_ctrl')

    def add_vps(self, vps):
        raise RuntimeError('mux is not supported by scamper_ctrl')

    def vps(self):
        return []

    def remove(self, inst):
        if not isinstance(inst, ScamperInst):
            raise TypeError('inst is not a ScamperInst')
        if inst not in self._insts:
            raise ValueError('instance not in this ctrl')
        eofcb, self.eofcb = self.eofcb, None
        try:
            inst._close()
        finally:
            self.eofcb = eofcb

    def instances(self):
        return list(self._insts)

    @property
    def instc(self):
        return len(self._insts)

    @property
    def taskc(self):
        return len(self._tasks)

    def done(self):
        """Signal done on every instance."""
        for inst in list(self._insts):
            inst.done()

    def is_done(self):
        """True when every instance has closed and every result was
        taken."""
        return not self._objs and not self._insts

    def exceptions(self):
        while self._exceptions:
            yield self._exceptions.popleft()

    # -- results --------------------------------------------------------

    def _result(self, inst, obj, task):
        if task is not None:
            inst._task_over(task)
        inst._resultc += 1
        if self.outfile is not None:
            try:
                self.outfile.write(obj)
            except Exception:
                pass
        if task is not None and task is self._sync:
            self._syncdata = obj
        else:
            self._objs.append((inst, obj))
            inst._queued += 1

    def _wait(self, deadline):
        """Read what the instances sent, waiting until ``deadline``
        (monotonic; None: until something comes)."""
        timeout = None if deadline is None else \
            max(0.0, deadline - time.monotonic())
        if not self._insts:
            if timeout:
                time.sleep(timeout)
            return
        for key, _ in self._sel.select(timeout):
            key.data._readable()

    def _next(self):
        """The next queued object the caller wants, or None."""
        while self._objs:
            inst, obj = self._objs.popleft()
            inst._queued -= 1
            if inst._eof and inst._queued == 0 and self.eofcb is not None:
                try:
                    self.eofcb(self, inst, self.param)
                except Exception as e:
                    self._exceptions.append(e)
            if self.meta or not isinstance(obj, (ScamperList, ScamperCycle)):
                return obj
        return None

    def responses(self, timeout=None, until=None):
        """Every result, until no task is outstanding (or the time is
        up)."""
        deadline = _deadline(timeout, until)
        while True:
            obj = self._next()
            while obj is not None:
                yield obj
                obj = self._next()
            if not self._tasks:
                return
            if deadline is not None and time.monotonic() >= deadline:
                return
            self._wait(deadline)

    def poll(self, timeout=None, until=None):
        """The next result, or None if the time is up or every instance
        has finished; raises exceptions the instances reported."""
        deadline = _deadline(timeout, until)
        while True:
            if self._exceptions:
                raise self._exceptions.popleft()
            obj = self._next()
            if obj is not None:
                return obj
            if self.is_done():
                return None
            if deadline is not None and time.monotonic() >= deadline:
                return None
            self._wait(deadline)

    # -- measurements ---------------------------------------------------

    def _getinst(self, inst, sync, listallowed=True):
        if isinstance(inst, (list, set)):
            if not listallowed:
                raise RuntimeError('list of ScamperInst not allowed here')
            if sync:
                raise RuntimeError('cannot run synchronous measurements '
                                   'with list')
            out = set()
            for i in inst:
                if not isinstance(i, ScamperInst):
                    raise TypeError('inst list contains non ScamperInst')
                if not i._eof:
                    out.add(i)
            if not out:
                raise RuntimeError('no usable ScamperInst')
            return out
        if inst is None:
            if not self._insts:
                raise RuntimeError('no connected ScamperInst')
            if len(self._insts) != 1:
                raise RuntimeError('specify a ScamperInst')
            inst = next(iter(self._insts))
        elif not isinstance(inst, ScamperInst):
            raise TypeError('inst not ScamperInst type')
        if inst._eof:
            raise RuntimeError('ScamperInst %s has signalled EOF' % inst.name)
        if inst._done:
            raise RuntimeError('ScamperInst %s is done' % inst.name)
        return inst

    def _do(self, cmd, inst, sync, listallowed=True):
        inst = self._getinst(inst, sync, listallowed)
        if isinstance(inst, set):
            return [self._do(cmd, i, False) for i in sorted(inst)]
        task = ScamperTask(inst, cmd)
        inst._tasks.add(task)
        self._tasks.add(task)
        inst._send(cmd, ('cmd', task))
        if not sync:
            return task
        self._sync, self._syncdata = task, None
        try:
            while self._syncdata is None:
                if self._exceptions:
                    raise self._exceptions.popleft()
                if task not in self._tasks:
                    raise RuntimeError('%s: no result' % cmd)
                self._wait(None)
            return self._syncdata
        finally:
            self._sync, self._syncdata = None, None


def _method(name, build):
    def do(self, *args, userid=None, inst=None, sync=False, **kw):
        return self._do(build(*args, userid=userid, **kw), inst, sync,
                        listallowed=name not in C.SINGLE)
    do.__name__ = 'do_' + name
    do.__doc__ = build.__doc__
    return do


for _name, _build in C.BUILDERS.items():
    setattr(ScamperCtrl, 'do_' + _name, _method(_name, _build))
