"""-R: remote mode, a vantage point that dials out to a controller.

``scamper -R name:port`` connects to ``sc_remoted``, which makes a Unix
socket for this vantage point on its side.  Each client that connects
there becomes a *channel* here: an attached control connection (warts
results, already attached: the client sends no ``attach``) carried over
the one TCP connection.  The protocol, described at the top of
sc_remoted.c, is the same in scamper 20211212 and 20260420:

  every message   uint32 sequence, uint32 channel, uint16 length, payload
  channel 0       control messages, whose first byte is the type:
    0 MASTER_NEW  ->  magic_len magic name_len name\\0 (-M; name_len 0 if none)
    1 MASTER_ID   <-  id_len id\\0       our name at the controller
    2 CHANNEL_NEW <-  channel           a client connected there
    3 CHANNEL_FIN <-> channel           no more from this side
    4 KEEPALIVE   <->
    5 ACK         <-> sequence
    6 MASTER_RES  ->  magic_len magic rcv_nxt snd_una snd_nxt
    7 MASTER_REJ  <-                   the controller does not know us
    8 MASTER_OK   <-  rcv_nxt          resumed

Channel data, CHANNEL_NEW and CHANNEL_FIN are numbered and acknowledged
one by one, in order; keepalives and acks carry the next number without
using it.  What we send is kept until it is acknowledged, so that after a
broken connection we resume (MASTER_RES: what we have received, what the
controller has not acknowledged) and send again only what it had not got:
nothing lost, nothing twice.  A controller that no longer knows us
(restarted, or past its zombie time) rejects the resume: our channels end
(their tasks halted), and we introduce ourselves anew.

:class:`Link` is the protocol alone, fed bytes, giving bytes and events
(tested against a scripted controller); :class:`Remote` runs it on a
socket in the supervisor's loop, with TLS when the controller is named by
a host name (never to an IP address, as scamper), keepalives after
KEEPALIVE seconds of silence, a reconnect when nothing is heard for
RX_ABORT seconds, and retries after a failure (1-2 s at first, doubling to
30-60 s, scamper's wait; a fleet coming back does not arrive at once).
"""

import collections
import errno
import functools
import ipaddress
import os
import random
import selectors
import socket
import ssl
import struct
import time

from scamperd.control import attach
from scamperd.control.protocol import LineReader, LineTooLong

HDR = struct.Struct('!IIH')
U32 = struct.Struct('!I')
(MASTER_NEW, MASTER_ID, CHANNEL_NEW, CHANNEL_FIN, KEEPALIVE, ACK,
 MASTER_RES, MASTER_REJ, MASTER_OK) = range(9)
MAX_MSG = 0xffff
KEEPALIVE_EVERY = 30.0
RX_ABORT = 60.0
RETRY_MAX = 30.0
CONNECT_TIMEOUT = 10.0
PAUSE_UNACKED = 1 << 20      # bytes not acknowledged: no task starts


class ProtocolError(Exception):
    """The controller broke the protocol: the connection is dropped (and
    resumed)."""


def _seq_lt(a, b):
    return ((a - b) & 0xffffffff) >= 0x80000000


class Link:
    """The remote protocol, without I/O.  ``start()`` on each new
    connection, ``receive(bytes)`` for what arrives (it returns events),
    ``send``/``fin``/``keepalive`` to say something; what is to be written
    gathers in ``out``."""

    def __init__(self, monitorname=None, magic=None):
        self.magic = magic if magic is not None else random.randbytes(8)
        self.monitorname = monitorname
        self.out = bytearray()
        self.reset()

    def reset(self):
        """Forget the controller: the next start introduces us anew."""
        self.alias = None            # our name there: resume when set
        self.snd_nxt = self.rcv_nxt = 0
        self.unacked = collections.deque()     # (seq, channel, payload)
        self.unacked_bytes = 0
        self.going = False
        self.buf = bytearray()

    def start(self):
        """A new connection: introduce ourselves, or resume."""
        self.going = False
        self.buf.clear()
        self.out.clear()
        if self.alias is not None:
            una = self.unacked[0][0] if self.unacked else self.snd_nxt
            body = struct.pack('!BB8sIII', MASTER_RES, 8, self.magic,
                               self.rcv_nxt, una, self.snd_nxt)
        else:
            name = (self.monitorname.encode() + b'\0'
                    if self.monitorname else b'')
            body = struct.pack('!BB8sB', MASTER_NEW, 8, self.magic,
                               len(name)) + name
        self._write(0, 0, body)

    # -- what we say ---------------------------------------------------------------

    def send(self, channel, data):
        """Data for a channel's client, in messages of at most MAX_MSG."""
        for i in range(0, len(data), MAX_MSG):
            self._numbered(channel, bytes(data[i:i + MAX_MSG]))

    def fin(self, channel):
        self._numbered(0, bytes((CHANNEL_FIN,)) + U32.pack(channel))

    def keepalive(self):
        if self.going:
            self._write(self.snd_nxt, 0, bytes((KEEPALIVE,)))

    def _numbered(self, channel, payload):
        seq = self.snd_nxt
        self.snd_nxt = (seq + 1) & 0xffffffff
        self.unacked.append((seq, channel, payload))
        self.unacked_bytes += len(payload)
        if self.going:
            self._write(seq, channel, payload)

    def _write(self, seq, channel, payload):
        self.out += HDR.pack(seq, channel, len(payload))
        self.out += payload

    # -- what we hear --------------------------------------------------------------

    def receive(self, data):
        """The events in ``data``, in order: ('id', alias), ('resumed',
        messages sent again), ('new', ch), ('data', ch, bytes), ('fin', ch),
        ('rejected',).  Raises ProtocolError."""
        self.buf += data
        events = []
        buf = self.buf
        while len(buf) >= HDR.size:
            seq, channel, n = HDR.unpack_from(buf)
            if len(buf) < HDR.size + n:
                break
            payload = bytes(buf[HDR.size:HDR.size + n])
            del buf[:HDR.size + n]
            if channel == 0:
                self._control(seq, payload, events)
            else:
                if not self.going:
                    raise ProtocolError('channel %d data before we were '
                                        'known' % channel)
                self._in_order(seq)
                events.append(('data', channel, payload))
        return events

    def _in_order(self, seq):
        if seq != self.rcv_nxt:
            raise ProtocolError('got sequence %d, expected %d'
                                % (seq, self.rcv_nxt))
        self._write(self.snd_nxt, 0, bytes((ACK,)) + U32.pack(seq))
        self.rcv_nxt = (seq + 1) & 0xffffffff

    def _control(self, seq, payload, events):
        if not payload:
            raise ProtocolError('empty control message')
        kind, body = payload[0], payload[1:]
        if not self.going:
            if seq != 0:
                raise ProtocolError('sequence %d before we were known' % seq)
            if kind == MASTER_ID:
                self.alias = _master_id(body)
                self.going = True
                events.append(('id', self.alias))
            elif kind == MASTER_OK and len(body) == 4:
                events.append(('resumed', self._resumed(U32.unpack(body)[0])))
            elif kind == MASTER_REJ:
                events.append(('rejected',))
            else:
                raise ProtocolError('control type %d before we were known'
                                    % kind)
            return
        if seq != self.rcv_nxt:
            raise ProtocolError('got sequence %d, expected %d'
                                % (seq, self.rcv_nxt))
        if kind in (CHANNEL_NEW, CHANNEL_FIN):
            if len(body) != 4:
                raise ProtocolError('channel message of %d bytes' % len(body))
            self._in_order(seq)
            events.append(('new' if kind == CHANNEL_NEW else 'fin',
                           U32.unpack(body)[0]))
        elif kind == KEEPALIVE and not body:
            pass
        elif kind == ACK and len(body) == 4:
            acked = U32.unpack(body)[0]
            if not self.unacked or self.unacked[0][0] != acked:
                raise ProtocolError('ack of %d, expected %s' % (
                    acked, self.unacked[0][0] if self.unacked else 'none'))
            self.unacked_bytes -= len(self.unacked.popleft()[2])
        else:
            raise ProtocolError('control type %d of %d bytes'
                                % (kind, len(body)))

    def _resumed(self, rcv_nxt):
        """MASTER_OK: the controller has what came before ``rcv_nxt``;
        the rest goes again."""
        q = self.unacked
        while q and _seq_lt(q[0][0], rcv_nxt):
            self.unacked_bytes -= len(q.popleft()[2])
        self.going = True
        for seq, channel, payload in q:
            self._write(seq, channel, payload)
        return len(q)


def _master_id(body):
    if not body or body[0] == 0 or len(body) - 1 < body[0]:
        raise ProtocolError('malformed master id')
    raw = body[1:1 + body[0]]
    if raw[-1] != 0 or not all(0x20 <= c < 0x7f for c in raw[:-1]):
        raise ProtocolError('master id not printable text')
    return raw[:-1].decode()


# -- in the supervisor -----------------------------------------------------------

class Channel:
    """A client of the controller's socket for us: an attached source
    (scamper names its list ALIAS_N, list id 0, cycle id 1)."""

    def __init__(self, remote, number, name):
        self.remote = remote
        self.number = number
        self.reader = LineReader()
        self.out = bytearray()
        ctl = remote.ctl
        self.attached = attach.Attach(
            {'format': 'warts'}, name, self.send, self.close,
            monitor=ctl.monitorname,
            hostname=socket.gethostname(), ids=ctl.data_ids,
            congested=remote.congested)
        ctl.hook(self.attached)

    def send(self, data):
        """Gathered, and sent as one message (or a few) when the loop
        turns: a result's OK, MORE and DATA lines cost the controller one
        message, not three."""
        if data and not self.attached.gone:
            if not self.out:
                self.remote.waiting.append(self)
            self.out += data

    def drain(self):
        if self.out:
            self.remote.link.send(self.number, self.out)
            self.out = bytearray()

    def close(self):
        """All said: the channel ends on our side."""
        self.remote.end_channel(self)

    def feed(self, data):
        try:
            lines = self.reader.feed(data)
        except LineTooLong:
            self.send(b'ERR line too long\n')
            self.fin()
            return
        a = self.attached
        for line in lines:
            a.line(line)
        self.remote.ctl.sup.sources._reap(a)

    def fin(self):
        """The client has said all it will: as ``done``."""
        a = self.attached
        if not a.ending:
            a.ending = True
            self.remote.ctl.sup.sources._reap(a)

    def drop(self):
        """The controller forgot us: its tasks end unreported."""
        a = self.attached
        a.gone = True
        self.out = bytearray()
        a.drop_pending()
        for tid in list(a.running):
            self.remote.ctl.halt(a, tid)
        self.remote.ctl.sup.sources._reap(a)


def _guarded(method):
    """A Remote's entry point from the loop: whatever goes wrong in it
    ends the connection (to be resumed), never the service."""
    @functools.wraps(method)
    def run(self, *args):
        try:
            method(self, *args)
        except Exception as e:      # noqa: BLE001 a bug: said, survived
            self._lost('internal error: %s: %s' % (type(e).__name__, e))
    return run


class Remote:
    """The connection to the controller, run in the supervisor's loop
    (``tick`` each turn)."""

    def __init__(self, ctl, host, port, tls=None, say=None):
        """``tls``: an ssl.SSLContext for a controller named by a host
        name, or None; ``say(line)``: where to report."""
        self.ctl = ctl
        self.host, self.port = host, port
        self.where = '%s:%d' % (host, port)
        self.tls = None if _is_ip(host) else tls
        self.say = say or (lambda line: None)
        self.link = Link(ctl.monitorname)
        self.channels = {}
        self.waiting = []            # channels with something to send
        self.named = 0               # channels named so far (ALIAS_N)
        self.sock = None
        self.tlsobj = None
        self.up = False              # connected (and TLS done)
        self.wbuf = bytearray()
        self.failures = 0
        self.retry_at = 0.0
        self.rx_abort = self.tx_ka = 0.0
        self.addrs = []

    # -- timers --------------------------------------------------------------------

    @_guarded
    def tick(self, now):
        if self.waiting:
            for ch in self.waiting:
                ch.drain()
            self.waiting.clear()
            self.flush()
        if self.sock is None:
            if now >= self.retry_at:
                self._connect(now)
        elif now >= self.rx_abort:
            if self.up:
                self._lost('nothing heard from %s for %d s'
                           % (self.where, RX_ABORT), soon=True)
            else:
                self._lost('cannot connect to %s: timed out' % self.where)
        elif self.up and now >= self.tx_ka:
            self.link.keepalive()
            self.flush()

    def congested(self):
        """Too much not acknowledged yet: start no more of its tasks."""
        return self.link.unacked_bytes > PAUSE_UNACKED

    # -- connecting ------------------------------------------------------------------

    def _connect(self, now):
        if not self.addrs:
            try:
                self.addrs = [ai[4] for ai in socket.getaddrinfo(
                    self.host, self.port, type=socket.SOCK_STREAM)]
            except OSError as e:
                self._failed('cannot resolve %s: %s' % (self.host, e))
                return
        addr = self.addrs.pop(0)
        sock = socket.socket(socket.AF_INET6 if ':' in addr[0]
                             else socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.up = False
        self.rx_abort = now + CONNECT_TIMEOUT
        err = sock.connect_ex(addr)
        if err not in (0, errno.EINPROGRESS):
            self._lost('cannot connect to %s: %s' % (self.where,
                                                      os.strerror(err)))
            return
        self.ctl.sel.register(sock, selectors.EVENT_WRITE,
                              ('control', self._connected))

    @_guarded
    def _connected(self):
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self._lost('cannot connect to %s: %s' % (self.where,
                                                      os.strerror(err)))
            return
        self.addrs = []
        self.ctl.sel.modify(self.sock, selectors.EVENT_READ,
                            ('control', self._event))
        now = time.time()
        self.rx_abort = now + RX_ABORT
        self.tx_ka = now + KEEPALIVE_EVERY
        if self.tls is not None:
            self.inbio, self.outbio = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.tlsobj = self.tls.wrap_bio(self.inbio, self.outbio,
                                            server_hostname=self.host)
            self._handshake()
        else:
            self._up()

    def _handshake(self):
        try:
            self.tlsobj.do_handshake()
        except ssl.SSLWantReadError:
            self._tls_out()
            self._write()
            return
        except (ssl.SSLError, ssl.CertificateError) as e:
            self._lost('TLS with %s: %s' % (self.where, e))
            return
        self._up()

    def _up(self):
        self.up = True
        self.link.start()
        self.flush()

    # -- bytes -----------------------------------------------------------------------

    def flush(self):
        """Write what the link has to say, as far as the socket takes it."""
        if self.sock is None or not self.up:
            return
        if self.link.out:
            if self.tlsobj is not None:
                self.tlsobj.write(self.link.out)
                self._tls_out()
            else:
                self.wbuf += self.link.out
            self.link.out.clear()
        self._write()

    def _tls_out(self):
        data = self.outbio.read()
        if data:
            self.wbuf += data

    def _write(self):
        while self.wbuf:
            try:
                n = self.sock.send(self.wbuf)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as e:
                self._lost('writing to %s: %s' % (self.where, e.strerror))
                return
            del self.wbuf[:n]
            self.tx_ka = time.time() + KEEPALIVE_EVERY
        events = selectors.EVENT_READ
        if self.wbuf:
            events |= selectors.EVENT_WRITE
        self.ctl.sel.modify(self.sock, events, ('control', self._event))

    @_guarded
    def _event(self):
        if self.wbuf:
            self._write()
            if self.sock is None:
                return
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self._lost('reading from %s: %s' % (self.where, e.strerror))
            return
        if not data:
            self._lost('%s closed the connection' % self.where)
            return
        self.rx_abort = time.time() + RX_ABORT
        if self.tlsobj is not None:
            self.inbio.write(data)
            if not self.up:
                self._handshake()
                return
            data = bytearray()
            try:
                while True:
                    got = self.tlsobj.read(65536)
                    if not got:
                        break
                    data += got
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                self._lost('TLS with %s: %s' % (self.where, e))
                return
        try:
            events = self.link.receive(data)
        except ProtocolError as e:
            self._lost('%s: %s' % (self.where, e))
            return
        for ev in events:
            self._on(ev)
            if self.sock is None:
                return
        self.flush()

    def _on(self, ev):
        kind = ev[0]
        if kind == 'id':
            self.failures = 0
            self.say('remote: connected to %s as %s' % (self.where, ev[1]))
        elif kind == 'new':
            if ev[1] in self.channels or \
                    len(self.channels) >= self.ctl.max_conns:
                self.link.fin(ev[1])     # refused: ended at once
                return
            name = '%s_%d' % (self.link.alias, self.named)
            self.named += 1
            ch = self.channels[ev[1]] = Channel(self, ev[1], name)
            ch.attached.start(ok=False)
            self.ctl.sources.add(ch.attached)
        elif kind == 'data':
            ch = self.channels.get(ev[1])
            if ch is not None:
                ch.feed(ev[2])
        elif kind == 'fin':
            ch = self.channels.get(ev[1])
            if ch is not None:
                ch.fin()
        elif kind == 'rejected':
            self.say('remote: %s does not know us any more: its channels '
                     'end, and we introduce ourselves anew' % self.where)
            self._forget()
            self._lost('rejected by %s' % self.where)
        elif kind == 'resumed':
            self.failures = 0
            self.say('remote: resumed with %s as %s, %d messages sent again'
                     % (self.where, self.link.alias, ev[1]))

    def end_channel(self, ch):
        if self.channels.get(ch.number) is ch:
            del self.channels[ch.number]
            ch.drain()
            self.link.fin(ch.number)
            self.flush()

    def _forget(self):
        for ch in list(self.channels.values()):
            ch.drop()
        self.channels.clear()
        self.waiting.clear()
        self.link.reset()

    # -- failures --------------------------------------------------------------------

    def _lost(self, why, soon=False):
        """The connection failed or broke: close it, and try again later
        (``soon``: at once, as scamper after a silent controller)."""
        self._close_sock()
        self.tlsobj = None
        self.up = False
        self.wbuf.clear()
        if self.link.alias is None:
            # never known: nothing to resume
            self._forget()
        if self.addrs and not soon:
            self.retry_at = 0.0          # the next address at once
            return
        self._failed(why, soon)

    def _failed(self, why, soon=False):
        self.addrs = []
        if soon:
            self.retry_at = time.time()
        else:
            wait = min(RETRY_MAX, 2.0 ** self.failures)
            self.failures += 1
            self.retry_at = time.time() + wait * (1 + random.random())
        self.say('remote: %s; trying again in %.0f s'
                 % (why, max(0.0, self.retry_at - time.time())))

    def delete(self):
        """Hang up for good: the connection closed, its channels
        dropped, never tried again."""
        self._close_sock()
        self._forget()

    def close(self):
        for ch in self.waiting:
            ch.drain()
        self.waiting.clear()
        if self.sock is not None:
            self.flush()
        self._close_sock()

    def _close_sock(self):
        if self.sock is not None:
            try:
                self.ctl.sel.unregister(self.sock)
            except (KeyError, ValueError):
                pass
            self.sock.close()
            self.sock = None



def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
