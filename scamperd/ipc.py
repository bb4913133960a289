"""Length-prefixed msgpack messages between the supervisor and a worker.

Each message is a 4-byte big-endian length and a msgpack map, on a
non-blocking AF_UNIX stream socket.  Reads and writes are buffered so that
neither side ever blocks on the other; what is sent leaves with the next
flush(), which each side calls once per turn of its loop (one write for
all that the turn gathered).
"""

import struct

import msgpack

_LEN = struct.Struct('!I')
MAX_MSG = 64 * 1024 * 1024


class Channel:
    def __init__(self, sock):
        self.sock = sock
        sock.setblocking(False)
        self._rbuf = bytearray()
        self._wbuf = bytearray()
        self.closed = False

    def fileno(self):
        return self.sock.fileno()

    def send(self, obj):
        """Queue a message; it leaves with the next flush()."""
        data = msgpack.packb(obj, use_bin_type=True)
        self._wbuf += _LEN.pack(len(data))
        self._wbuf += data

    def flush(self):
        """Write what the socket takes now; True when nothing is left."""
        while self._wbuf:
            try:
                n = self.sock.send(self._wbuf)
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:
                self.closed = True
                self._wbuf.clear()
                return True
            del self._wbuf[:n]
        return True

    @property
    def pending(self):
        return bool(self._wbuf)

    def receive(self):
        """Read what is available; return the list of whole messages.
        Sets ``closed`` at end of stream."""
        while True:
            try:
                chunk = self.sock.recv(1 << 20)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            self._rbuf += chunk
        out = []
        buf = self._rbuf
        pos = 0
        while len(buf) - pos >= 4:
            (n,) = _LEN.unpack_from(buf, pos)
            if n > MAX_MSG:
                self.closed = True
                break
            if len(buf) - pos - 4 < n:
                break
            out.append(msgpack.unpackb(bytes(buf[pos + 4:pos + 4 + n]),
                                       raw=False))
            pos += 4 + n
        del buf[:pos]
        return out

    def close(self):
        self.closed = True
        self.sock.close()
