"""The control socket inside the supervisor: listeners and connections.

Runs in the supervisor's single-threaded loop: every socket is
non-blocking and registered in the supervisor's selector with a handler.
Each connection has bounded buffers: a line longer than MAX_LINE, or a
client that lets more than MAX_WBUF bytes of replies pile up, loses its
connection; nothing one client does can hold up another."""

import os
import selectors
import socket
import time

from scamperd import commands, safeopen
from scamperd.control import attach, interactive
from scamperd.control.protocol import LineReader, LineTooLong
from scamperd.method import CommandError

MAX_WBUF = 64 * 1024 * 1024
MAX_CONNS = 4096


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
        self.closing = False      # close once wbuf is empty
        self.closed = False
        sock.setblocking(False)

    def send(self, data):
        if self.closed or not data:
            return
        self.wbuf += data
        if len(self.wbuf) > MAX_WBUF:
            self.drop()
            return
        self.flush()

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
        if self.closed:
            return
        if self.closing and not self.wbuf:
            self.drop()
            return
        self.ctl.sel.modify(self.sock, selectors.EVENT_READ | (
            selectors.EVENT_WRITE if self.wbuf else 0), ('control', self.event))

    def event(self):
        self.flush()
        if self.closed:
            return
        while True:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b''
            if not data:
                self.drop()
                return
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
        self.wbuf.clear()
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
        for ls in listeners:
            ls.setblocking(False)
            self.sel.register(ls, selectors.EVENT_READ,
                              ('control', lambda ls=ls: self._accept(ls)))

    # -- sockets ----------------------------------------------------------------

    def _accept(self, ls):
        while True:
            try:
                sock, addr = ls.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if len(self.conns) >= MAX_CONNS or self.sup.sources.closing:
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
            self.sel.unregister(ls)
            if ls.family == socket.AF_UNIX:
                try:        # root removes it too, where root may
                    os.unlink(ls.getsockname())
                except OSError:
                    pass
            ls.close()
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
                          hostname=socket.gethostname(), ids=conn.ids)
        a.halter = lambda tid: self.halt(a, tid)
        conn.attached = a
        self.unobserve(conn)
        a.start()
        self.sources.add(a)
        return []

    def halt(self, src, tid):
        """Halt task ``tid`` of attached source ``src`` wherever it is."""
        return self.sup.halt_task(lambda rec: rec.source is src
                                  and rec.tag == tid)
