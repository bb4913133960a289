"""Converting a warts file on every core, output in file order.

The main process cuts the decompressed input into batches of whole
objects (framing needs only the 8-byte headers); worker processes decode
and convert the batches (``show(type, object) -> str or None``, as
sc_warts2json and friends print each object) and send back the text,
which the main process writes in order.  Decoding an object needs the
lists, cycles and old global addresses defined before it (ReadState):
each worker keeps its own, and with each batch gets the definitions
(objects of types 1 to 5, small and few) from batches it did not see.

Errors keep the order of sequential reading: a batch that fails to
decode returns its text up to the bad object and the error; a framing
error is reported after every batch before it; nothing after the first
error is written.  Inputs of one batch or less, and machines with one
core, are converted in this process.
"""

import collections
import itertools
import os
import queue
import signal
import struct
import threading

import multiprocessing

from scamperd.warts.codec import WartsError
from scamperd.warts.file import (HEADER, OBJ_ADDR, ReadState, buffer_frames,
                                 check_header, decode_frames, open_stream,
                                 truncated)

BATCH = 1 << 21        # bytes of objects per batch
WINDOW = 2             # batches in flight per worker
OFFSET = struct.Struct('>Q')    # a batch's, or an error's, file offset


def batches(f):
    """Yield (file offset, whole objects, definitions among them) from
    decompressed stream ``f``; a framing problem is raised after the
    batch holding every whole object before it has been yielded."""
    buf = bytearray()
    off = 0           # file offset of buf[0]
    pos = 0           # end of the whole objects scanned in buf
    defs = []
    need = 0
    while True:
        try:
            chunk = f.read(max(BATCH, need))
        except (OSError, EOFError, ValueError) as e:
            raise WartsError('cannot decompress: %s' % e, off + len(buf))
        buf += chunk
        need = 0
        while pos + 8 <= len(buf):
            magic, otype, length = HEADER.unpack_from(buf, pos)
            try:
                check_header(magic, otype, off + pos)
            except WartsError:
                if pos:
                    yield off, bytes(buf[:pos]), defs
                raise
            end = pos + 8 + length
            if end > len(buf):
                need = end - len(buf)
                break
            if otype <= OBJ_ADDR:
                defs.append(bytes(buf[pos:end]))
            pos = end
            if pos >= BATCH:
                yield off, bytes(buf[:pos]), defs
                del buf[:pos]
                off, pos, defs = off + pos, 0, []
        if not chunk:
            if pos:
                yield off, bytes(buf[:pos]), defs
            if len(buf) > pos:
                if len(buf) - pos < 8:
                    raise WartsError('truncated object header', off + pos)
                otype, length = HEADER.unpack_from(buf, pos)[1:]
                raise truncated(otype, len(buf) - pos - 8, length, off + pos)
            return


def convert_batch(state, types, show, defs, blob, off):
    """(text, error or None) for one batch, ``state`` first taking the
    definitions ``defs`` (whole objects) from batches seen elsewhere."""
    parts = []
    try:
        for _ in decode_frames(buffer_frames(memoryview(defs)), (), state):
            pass
        for otype, _, obj in decode_frames(
                buffer_frames(memoryview(blob), off), types, state):
            if not isinstance(obj, bytes):     # a type not decoded
                s = show(otype, obj)
                if s is not None:
                    parts.append(s)
    except WartsError as e:
        return ''.join(parts), e
    return ''.join(parts), None


def _encode(text):
    return text.encode('utf-8', 'surrogateescape')


def _worker(conn, types, show):
    """Convert batches until an empty message: each comes as two messages
    (its offset and the definitions; the objects) and is answered with
    two (the text; the error's offset and message, empty if none).  Ctrl-C is
    the main process's to handle: it ends the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    state = ReadState()
    while True:
        try:
            head = conn.recv_bytes()
            if not head:          # the end (EOF may never come: the other
                return            # workers hold copies of the main ends)
            blob = conn.recv_bytes()
        except EOFError:
            return
        off, = OFFSET.unpack_from(head)
        text, err = convert_batch(state, types, show,
                                  memoryview(head)[OFFSET.size:], blob, off)
        try:
            conn.send_bytes(_encode(text))
            conn.send_bytes(b'' if err is None else
                            OFFSET.pack(err.offset) + _encode(err.msg))
        except OSError:           # the main process has stopped reading
            return


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def convert(f, types, show, write, workers=None):
    """Write show(type, object) of every object of binary file ``f``
    (plain or compressed) of the wanted types with ``write`` (bytes), in
    file order; returns the first WartsError, or None."""
    it = batches(open_stream(f))
    first = []
    try:
        for b in it:
            first.append(b)
            if len(first) == 2:
                break
    except WartsError as e:
        first.append(e)
    workers = cores() if workers is None else workers
    if workers < 2 or len(first) < 2 or isinstance(first[1], WartsError):
        return _inline(first, it, types, show, write)
    return _parallel(first, it, types, show, write, workers)


def _inline(first, rest, types, show, write):
    state = ReadState()
    for b in _chain(first, rest):
        if isinstance(b, WartsError):
            return b
        off, blob, _ = b
        text, err = convert_batch(state, types, show, b'', blob, off)
        write(_encode(text))
        if err is not None:
            return err
    return None


def _parallel(first, rest, types, show, write, n):
    ctx = multiprocessing.get_context('fork')
    conns, procs = [], []
    for _ in range(n):
        here, there = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(there, types, show),
                        daemon=True)
        p.start()
        there.close()
        conns.append(here)
        procs.append(p)
    order = queue.Queue()               # worker index per batch, or error
    slots = threading.Semaphore(n * WINDOW)
    stop = threading.Event()

    def feed():
        defs = collections.deque()       # definitions not yet everywhere
        base = 0                         # index of defs[0]
        seen = [0] * n                   # definitions each worker has
        k = 0
        try:
            for b in _chain(first, rest):
                if isinstance(b, WartsError):
                    raise b
                off, blob, bdefs = b
                slots.acquire()
                if stop.is_set():
                    return
                w = k % n
                total = base + len(defs)
                delta = b''.join(itertools.islice(defs, seen[w] - base,
                                                  None))
                conns[w].send_bytes(OFFSET.pack(off) + delta)
                conns[w].send_bytes(blob)
                order.put(w)
                defs.extend(bdefs)
                seen[w] = total + len(bdefs)
                while defs and base < min(seen):
                    defs.popleft()
                    base += 1
                k += 1
        except WartsError as e:
            order.put(e)
        except (OSError, ValueError) as e:     # a worker gone
            order.put(WartsError('conversion failed: %s' % e, 0))
        order.put(None)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    err = None
    try:
        while True:
            w = order.get()
            if w is None or isinstance(w, WartsError):
                err = w
                break
            try:
                text = conns[w].recv_bytes()
                write(text)
                status = conns[w].recv_bytes()
            except EOFError:
                err = WartsError('a conversion process died', 0)
                break
            slots.release()
            if status:
                err = WartsError(status[OFFSET.size:].decode(
                    'utf-8', 'surrogateescape'),
                    OFFSET.unpack_from(status)[0])
                break
    finally:
        stop.set()
        slots.release(n * WINDOW)
        if err is not None or feeder.is_alive():
            for p in procs:         # unblocks a feeder sending to them
                p.kill()
        feeder.join()
        for c in conns:
            try:
                c.send_bytes(b'')
            except OSError:
                pass
            c.close()
        for p in procs:
            p.join()
    return err


def _chain(first, rest):
    yield from first
    try:
        yield from rest
    except WartsError as e:
        yield e
