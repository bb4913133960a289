"""The control socket inside the supervisor: listeners and connections.

Runs in the supervisor's single-threaded loop: every socket is
non-blocking and registered in the supervisor's selector with a handler.
Nothing one client does can hold up another, or take the memory or the
descriptors the service needs:
- a line longer than MAX_LINE closes the connection;
- a client that does not read what is sent to it is not read from (and,
  attached, has no more of its tasks started) once PAUSE_WBUF bytes wait
  for it; one that lets MAX_WBUF pile up anyway (observe events) is
  closed, and so is the one holding most when all together hold
  TOTAL_WBUF;
- connections are at most MAX_CONNS, and fewer when the descriptor limit
  would leave less than RESERVE_FDS for the service's own needs (workers,
  outfiles, sources); at the limit, a new client takes the place of the
  connection idle longest (nothing received for IDLE_EVICT seconds, not
  attached, not observing), else it is closed; when accept() finds no
  descriptor anyway, listening pauses for ACCEPT_BACKOFF seconds instead
  of spinning."""

import errno
import os
import resource
import selectors
import socket
import time

from scamperd import commands, safeopen
from scamperd.control import attach, interactive
from scamperd.control.protocol import LineReader, LineTooLong
from scamperd.method import CommandError

MAX_WBUF = 16 << 20
PAUSE_WBUF = 1 << 20
TOTAL_WBUF = 128 << 20
MAX_CONNS = 1024
RESERVE_FDS = 64
ACCEPT_BACKOFF = 1.0
IDLE_EVICT = 10.0


def max_conns():
    """MAX_CONNS, or fewer so that RESERVE_FDS descriptors stay free."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNS
    return max(1, min(MAX_CONNS, soft - RESERVE_FDS - 32))


def _nameserver():
    try:
        with open('/etc/resolv.conf') as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] == 'nameserver':
                    return w[1]
    except OSError:
        pass
    return None


class Conn:
    def __init__(self, ctl, sock, peer, ids=False):
        self.ctl = ctl
        self.sock = sock
        self.peer = peer
        self.ids = ids            # attach results as DATA len id-N
        self.reader = LineReader()
        self.wbuf = bytearray()
        self.attached = None
        self.last = time.monotonic()   # when it last sent something
        self.eof = False          # it sent all it will
        self.registered = True    # in the selector (Control registers it)
        self.closing = False      # close once wbuf is empty
        self.closed = False
        sock.setblocking(False)

    def send(self, data):
        if self.closed or not data:
            return
        self.wbuf += data
        self.ctl.wbuf_total += len(data)
        if len(self.wbuf) > MAX_WBUF:
            self.drop()
            return
        if self.ctl.wbuf_total > TOTAL_WBUF:
            self.ctl.shed()
            if self.closed:
                return
        self.flush()

    @property
    def congested(self):
        """Too much waits for the client: read nothing more from it."""
        return len(self.wbuf) > PAUSE_WBUF

    def lines(self, lines):
        self.send(''.join(l + '\n' for l in lines).encode())

    def close_when_sent(self):
        self.closing = True
        self.flush()

    def flush(self):
        while self.wbuf and not self.closed:
            try:
                n = self.sock.send(self.wbuf)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.drop()
                return
            del self.wbuf[:n]
            self.ctl.wbuf_total -= n
        if self.closed:
            return
        if self.closing and not self.wbuf:
            self.drop()
            return
        events = selectors.EVENT_WRITE if self.wbuf else 0
        if not self.congested and not self.eof:
            events |= selectors.EVENT_READ
        sel = self.ctl.sel
        if events and self.registered:
            sel.modify(self.sock, events, ('control', self.event))
        elif events:
            sel.register(self.sock, events, ('control', self.event))
        elif self.registered:
            # after EOF, waiting for results: nothing to wait on now
            sel.unregister(self.sock)
        self.registered = bool(events)

    def event(self):
        self.flush()
        if self.closed or self.eof:
            return
        while not self.congested:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:             # reset: nobody to give results to
                self.drop()
                return
            if not data:
                self._eof()
                return
            self.last = time.monotonic()
            try:
                lines = self.reader.feed(data)
            except LineTooLong:
                self.send(b'ERR line too long\n')
                self.close_when_sent()
                return
            for line in lines:
                if self.closing or self.closed:
                    return
                self.line(line)

    def _eof(self):
        """The client sent all it will (it may still read: a half-close).
        Its commands are answered and an attached client gets every
        result of the tasks it gave, as after ``done``; then it is
        closed."""
        self.ctl.unobserve(self)
        a = self.attached
        if a is not None and not a.ending:
            a.ending = True
            self.ctl.sup.sources._reap(a)
        if a is None or self.closed:
            self.close_when_sent()
            return
        # nothing more to read: wait to write, or for results
        self.eof = True
        self.flush()

    def line(self, text):
        if self.attached is not None:
            self.attached.line(text)
            self.ctl.sup.sources._reap(self.attached)
            return
        try:
            self.lines(interactive.handle(self.ctl, self, text))
        except interactive.Close:
            self.close_when_sent()

    def drop(self):
        """Close now; an attached source's unstarted tasks are dropped and
        its running ones halted."""
        if self.closed:
            return
        self.closed = True
        self.ctl.wbuf_total -= len(self.wbuf)
        self.wbuf.clear()
        if self.registered:
            self.ctl.sel.unregister(self.sock)
        self.sock.close()
        self.ctl.conns.discard(self)
        self.ctl.unobserve(self)
        a = self.attached
        if a is not None:
            a.gone = True
            a.drop_pending()
            for tid in list(a.running):
                self.ctl.halt(a, tid)
            self.ctl.sup.sources._reap(a)


class Control:
    """The daemon as the interactive commands see it, and the owner of
    the listeners and connections."""

    def __init__(self, sup, listeners, data_ids=True):
        """``data_ids``: attach connections get ``DATA len id-N`` (False:
        scamper 20211212's ``DATA len``, ``-O attach-2021``)."""
        self.sup = sup
        self.sel = sup.sel
        self.listeners = listeners
        self.data_ids = data_ids
        self.conns = set()
        self.observers = {}
        self.pid = os.getpid()
        self.command = sup.cfg.get('command', 'trace')
        self.monitorname = sup.cfg.get('monitorname')
        self.nameserver = sup.cfg.get('nameserver') or _nameserver()
        self.n_accepted = 0
        self.wbuf_total = 0
        self.max_conns = max_conns()
        self.paused_until = None        # accept() found no descriptor
        for ls in listeners:
            ls.setblocking(False)
            self._listen(ls)
        # the controllers we dial (sc_remoted): -R's, and those `remote
        # add` adds; by (name in lower case, port), in the order added
        self.remotes = {}
        r = sup.cfg.get('remote')
        if r:
            self.add_remote(r['host'], r['port'], r.get('tls'))

    def add_remote(self, host, port, tls):
        """Dial the controller at host:port (``tls``: an ssl.SSLContext,
        used for a controller named by a host name, or None)."""
        from scamperd.control.remote import Remote
        self.remotes[host.lower(), port] = Remote(self, host, port, tls,
                                                  say=self._say)

    def delete_remote(self, key):
        """`remote delete`: hang up on that controller for good; the
        tasks its clients asked for end as a lost connection's do."""
        self.remotes.pop(key).delete()

    def _say(self, line):
        self.err.write('scamper: %s\n' % line)
        self.err.flush()

    # -- sockets ----------------------------------------------------------------

    def _listen(self, ls):
        self.sel.register(ls, selectors.EVENT_READ,
                          ('control', lambda ls=ls: self._accept(ls)))

    def tick(self, now):
        """Called each turn of the loop: listening again after a pause;
        the controller's timers."""
        for r in list(self.remotes.values()):
            r.tick(now)
        if self.paused_until is not None and now >= self.paused_until:
            self.paused_until = None
            for ls in self.listeners:
                self._listen(ls)

    def shed(self):
        """All connections together hold too much: close the one that
        holds most (a client that reads nothing)."""
        worst = max(self.conns, key=lambda c: len(c.wbuf), default=None)
        if worst is not None:
            worst.drop()

    def _evict_idle(self):
        """Close the plain connection idle longest, if one has been idle
        IDLE_EVICT seconds; False when none has."""
        limit = time.monotonic() - IDLE_EVICT
        idle = [c for c in self.conns if c.last < limit and not c.wbuf
                and c.attached is None and c not in self.observers]
        if not idle:
            return False
        min(idle, key=lambda c: c.last).drop()
        return True

    def _accept(self, ls):
        while True:
            try:
                sock, addr = ls.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS,
                               errno.ENOMEM):
                    # the connection stays queued; listening pauses
                    # rather than being woken for it at once, for ever
                    self.paused_until = time.time() + ACCEPT_BACKOFF
                    for other in self.listeners:
                        self.sel.unregister(other)
                return
            if self.sup.sources.closing or (
                    len(self.conns) >= self.max_conns
                    and not self._evict_idle()):
                sock.close()
                continue
            self.n_accepted += 1
            if ls.family == socket.AF_UNIX:
                peer = '%s:%d' % (ls.getsockname(), self.n_accepted)
            else:
                peer = '%s:%d' % addr[:2]
            c = Conn(self, sock, peer, self.data_ids)
            self.conns.add(c)
            self.sel.register(sock, selectors.EVENT_READ,
                              ('control', c.event))

    def close(self, timeout=5.0):
        """At exit: stop listening, give clients ``timeout`` seconds to
        take what is queued for them, then close everything."""
        for ls in self.listeners:
            if self.paused_until is None:
                self.sel.unregister(ls)
            if ls.family == socket.AF_UNIX:
                try:        # root removes it too, where root may
                    os.unlink(ls.getsockname())
                except OSError:
                    pass
            ls.close()
        for r in self.remotes.values():
            r.close()
        end = time.time() + timeout
        for c in list(self.conns):
            c.closing = True
        while self.conns and time.time() < end:
            for c in list(self.conns):
                c.flush()
            if self.conns:
                time.sleep(0.01)
        for c in list(self.conns):
            c.drop()

    # -- what interactive commands use ---------------------------------------------

    @property
    def sources(self):
        return self.sup.sources

    @property
    def err(self):
        return self.sup.err

    @property
    def pps(self):
        return self.sup.pacer.pps

    def set_pps(self, n):
        self.sup.set_pps(n)

    @property
    def window(self):
        return self.sup.window

    @window.setter
    def window(self, n):
        self.sup.window = n

    def window_active(self):
        return len(self.sup.active)

    def running_tasks(self):
        return list(self.sup.active.values())

    def check_command(self, command):
        try:
            commands.check_default(command)
        except CommandError:
            return False
        return True

    def set_command(self, command):
        if not self.check_command(command):
            return False
        self.command = command
        return True

    @staticmethod
    def open_outfile(path, append):
        """A client's outfile, opened as the service user: a regular file
        only (a FIFO would block the service, a device is no place for
        results); read and written when appended to."""
        flags = os.O_CREAT | (os.O_RDWR | os.O_APPEND if append
                              else os.O_WRONLY | os.O_TRUNC)
        return safeopen.open_file(path, flags, follow=True)

    def lss_clear(self, name):
        return self.sup.lss_clear(name)

    def shutdown(self, how):
        self.sup.shutdown(how)

    def observe(self, conn):
        if conn not in self.observers:
            obs = self.observers[conn] = lambda line: conn.lines([line])
            self.sources.observers.append(obs)

    def unobserve(self, conn):
        obs = self.observers.pop(conn, None)
        if obs is not None:
            self.sources.observers.remove(obs)

    def attach(self, conn, text):
        p = attach.parse_params(text)
        if isinstance(p, str):
            return [p]
        a = attach.Attach(p, conn.peer, conn.send, conn.close_when_sent,
                          monitor=self.monitorname,
                          hostname=socket.gethostname(), ids=conn.ids,
                          congested=lambda: conn.congested)
        self.hook(a)
        conn.attached = a
        self.unobserve(conn)
        a.start()
        self.sources.add(a)
        return []

    def forget_source(self, src):
        self.sup.drop_tasks(lambda rec: rec.source is src)

    def hook(self, a):
        """Let attached source ``a`` halt its tasks and make the result
        of one halted before it was taken."""
        a.halter = lambda tid: self.halt(a, tid)
        a.halted_result = lambda tid, line: self.sup.halted_result(a, tid,
                                                                   line)

    def halt(self, src, tid):
        """Halt task ``tid`` of attached source ``src`` wherever it is."""
        return self.sup.halt_task(lambda rec: rec.source is src
                                  and rec.tag == tid)
