"""Warts object framing: a streaming reader and a writer.

A warts file is a sequence of objects, each an 8-byte header (magic
0x1205, type, body length) and a body.  The reader holds one object in
memory at a time; it yields ``(type, offset of the body, object)`` and
raises ``WartsError`` naming the byte offset of the first problem, after
every whole object before it.  Compressed files (gzip, bzip2, xz) are
recognised by their magic numbers.

Object types are decoded by the functions registered with ``register``:
lists and cycles here (cycle.py), traces and pings in their own packages;
adding a type is one module that calls ``register``.
"""

import io
import os
import struct
import zlib

from scamperd.commands import load_module
from scamperd.warts.codec import (ADDR_SIZES, Cursor, WartsError,  # noqa: F401
                                  header, ref)  # ref: for the type modules

MAGIC = 0x1205
HEADER = struct.Struct('>HHI')

OBJ_LIST = 1
OBJ_CYCLE_START = 2
OBJ_CYCLE_DEF = 3
OBJ_CYCLE_STOP = 4
OBJ_ADDR = 5
OBJ_TRACE = 6
OBJ_PING = 7

KINDS = ('warts', 'warts.gz', 'warts.bz2', 'warts.xz')

DECODERS = {}     # type -> decode(cursor, ReadState) -> object
ENCODERS = {}     # class -> (type, encode(obj, list_id, cycle_id) -> body)

CHUNK = 1 << 20
# the largest object read (decompressed, a declared length is all a
# corrupt or hostile file needs to ask for more); scamper writes none
# near it
MAX_OBJECT = 256 << 20


# the module that registers each object type's codec when imported
TYPE_MODULES = {
    OBJ_LIST: 'scamperd.warts.cycle', OBJ_CYCLE_START: 'scamperd.warts.cycle',
    OBJ_CYCLE_DEF: 'scamperd.warts.cycle',
    OBJ_CYCLE_STOP: 'scamperd.warts.cycle', OBJ_TRACE: 'scamperd.trace.warts',
    OBJ_PING: 'scamperd.ping.warts', 8: 'scamperd.tracelb.warts',
    9: 'scamperd.dealias.warts', 10: 'scamperd.neighbourdisc.warts',
    11: 'scamperd.tbit.warts', 12: 'scamperd.sting.warts',
    13: 'scamperd.sniff.warts', 14: 'scamperd.host.warts',
    15: 'scamperd.http.warts', 16: 'scamperd.udpprobe.warts',
    17: 'scamperd.owamp.warts',
}


def load_types():
    """Import the codec of every object type."""
    for name in set(TYPE_MODULES.values()):
        load_module(name)


def _decoder(otype):
    dec = DECODERS.get(otype)
    if dec is None and otype in TYPE_MODULES:
        load_module(TYPE_MODULES[otype])
        dec = DECODERS.get(otype)
    return dec


def register(otype, cls=None, decode=None, encode=None):
    if decode is not None:
        DECODERS[otype] = decode
    if encode is not None:
        ENCODERS[cls] = (otype, encode)


def frame(otype, body):
    """A whole object: header and body."""
    return header(otype, len(body)) + body


class ReadState:
    """What earlier objects of a file define for later ones: lists and
    cycles by their file-assigned ids, and old global addresses."""

    def __init__(self):
        self.lists = {}
        self.cycles = {}
        self.addrs = []

    def list(self, i):
        if i == 0:
            return None
        try:
            return self.lists[i]
        except KeyError:
            raise WartsError('unknown list id %d' % i) from None

    def cycle(self, i):
        if i == 0:
            return None
        c = self.cycles.get(i)
        if c is None:
            raise WartsError('unknown or stopped cycle id %d' % i)
        return c

    def gaddr(self, i):
        """An address of the old global table (1 = the first; 0 = none)."""
        if i == 0:
            return None
        if i > len(self.addrs):
            raise WartsError('unknown global address id %d' % i)
        return self.addrs[i - 1]


def decode_addr(cur, state):
    """The old type-5 address object: id modulo 255, type, address."""
    idmod = cur.u8()
    if idmod != (len(state.addrs) + 1) % 255:
        raise WartsError('address id %d out of sequence' % idmod, 0)
    atype = cur.u8()
    size = ADDR_SIZES.get(atype)
    if size is None:
        raise WartsError('bad address type %d' % atype, 1)
    a = cur.bytes(size)
    state.addrs.append(a)
    return a


DECODERS[OBJ_ADDR] = decode_addr


# --- reading ---------------------------------------------------------------

def open_stream(f):
    """A binary file object -> one that reads the decompressed bytes."""
    if not hasattr(f, 'peek'):
        f = io.BufferedReader(f)
    head = f.peek(6)[:6]
    if head[:2] == b'\x1f\x8b':
        import gzip
        return gzip.GzipFile(fileobj=f, mode='rb')
    if head[:3] == b'BZh':
        import bz2
        return bz2.BZ2File(f, 'rb')
    if head == b'\xfd7zXZ\x00':
        import lzma
        return lzma.LZMAFile(f, 'rb')
    return f


def _decompress_errors():
    # the compression modules load when a file is read, not at start-up
    import lzma
    return OSError, EOFError, lzma.LZMAError, zlib.error


def _read_exact(f, n):
    """Up to n bytes, read in chunks so that a bogus length in a corrupt
    file costs no more memory than the data really there."""
    parts = []
    while n > 0:
        b = f.read(min(n, CHUNK))
        if not b:
            break
        parts.append(b)
        n -= len(b)
    return b''.join(parts)


def frames(f, off=0):
    """Yield (type, body offset, body bytes) for each object of the
    decompressed stream ``f``, whose first byte is at file offset ``off``;
    a framing problem raises WartsError after every whole object before
    it."""
    errors = _decompress_errors()
    while True:
        try:
            head = _read_exact(f, 8)
        except errors as e:
            raise WartsError('cannot decompress: %s' % e, off) from None
        if not head:
            return
        if len(head) < 8:
            raise WartsError('truncated object header', off)
        magic, otype, length = HEADER.unpack(head)
        check_header(magic, otype, off)
        body_off = off + 8
        try:
            body = _read_exact(f, min(length, MAX_OBJECT + 1))
        except errors as e:
            raise WartsError('cannot decompress: %s' % e, body_off) from None
        if len(body) < length and len(body) <= MAX_OBJECT:
            raise truncated(otype, len(body), length, off)
        if length > MAX_OBJECT:
            raise WartsError('object of %d bytes (type %d): more than the '
                             '%d a reader here holds' % (length, otype,
                                                         MAX_OBJECT), off)
        off = body_off + length
        yield otype, body_off, body


MAX_SKIMMED = 1 << 20      # bytes in one object skim() reads


def skim(f, types):
    """frames() over a plain warts file ``f`` that can seek, reading the
    bodies of objects of ``types`` only (at most MAX_SKIMMED bytes each)
    and seeking over the rest: a file is checked whole in time and memory
    that do not grow with the lengths its objects declare."""
    size = os.fstat(f.fileno()).st_size
    off = f.seek(0)
    while off < size:
        head = f.read(8)
        if len(head) < 8:
            raise WartsError('truncated object header', off)
        magic, otype, length = HEADER.unpack(head)
        check_header(magic, otype, off)
        body_off = off + 8
        if body_off + length > size:
            raise truncated(otype, size - body_off, length, off)
        if otype in types:
            if length > MAX_SKIMMED:
                raise WartsError('object of %d bytes (type %d) is too '
                                 'large' % (length, otype), off)
            yield otype, body_off, f.read(length)
        else:
            f.seek(length, io.SEEK_CUR)
        off = body_off + length


def check_header(magic, otype, off):
    if magic != MAGIC:
        raise WartsError('bad magic 0x%04x' % magic, off)
    if otype == 0:
        raise WartsError('object type 0', off + 2)


def truncated(otype, have, length, off):
    return WartsError('truncated object (type %d, %d of %d bytes)'
                      % (otype, have, length), off)


def buffer_frames(buf, off=0):
    """frames() over whole objects already in memory (``buf``, a
    memoryview, starting at file offset ``off``): bodies are views."""
    pos, end = 0, len(buf)
    while pos < end:
        otype, length = HEADER.unpack_from(buf, pos)[1:]
        yield otype, off + pos + 8, buf[pos + 8:pos + 8 + length]
        pos += 8 + length


def decode_frames(frames, types=None, state=None):
    """Decode frames (as frames() yields them) with ``state`` (a
    ReadState, new when not given): yields (type, body offset, object);
    objects of unknown types, and of types not in ``types`` (when given),
    come as raw body bytes / are skipped; lists, cycles and addresses are
    always decoded, for the objects that refer to them."""
    if state is None:
        state = ReadState()
    for otype, body_off, body in frames:
        dec = _decoder(otype)
        wanted = types is None or otype in types
        if dec is None or not (wanted or otype <= OBJ_ADDR):
            if wanted:
                yield otype, body_off, bytes(body)
            continue
        cur = Cursor(body if isinstance(body, memoryview)
                     else memoryview(body))
        try:
            obj = dec(cur, state)
        except WartsError as e:
            e.offset += body_off
            raise
        except (ValueError, KeyError, IndexError) as e:
            raise WartsError('bad object (type %d): %s' % (otype, e),
                             body_off) from None
        if wanted:
            yield otype, body_off, obj


def read_objects(f, types=None):
    """Yield (type, body offset, object) for each object of binary file
    ``f`` (plain or compressed), as decode_frames does."""
    return decode_frames(frames(open_stream(f)), types)


# --- writing ---------------------------------------------------------------

class Identity:
    def compress(self, data):
        return data

    def flush(self):
        return b''


def compressor(kind):
    """A compress()/flush() object for an output kind (warts, warts.gz,
    warts.bz2, warts.xz): the whole stream is compressed as one."""
    if kind == 'warts.gz':
        return zlib.compressobj(wbits=31)
    if kind == 'warts.bz2':
        import bz2
        return bz2.BZ2Compressor()
    if kind == 'warts.xz':
        import lzma
        return lzma.LZMACompressor()
    return Identity()


def encode_object(obj, list_id=0, cycle_id=0):
    """The whole warts object (header included) for a result."""
    got = ENCODERS.get(type(obj))
    if got is None:
        # a result class of scamperd/<command>/result.py: its codec is
        # that package's warts module
        pkg = type(obj).__module__.rpartition('.')[0]
        try:
            load_module(pkg + '.warts')
        except ImportError:
            pass
        got = ENCODERS.get(type(obj))
        if got is None:
            raise TypeError('no warts encoder for %s' % type(obj).__name__)
    otype, enc = got
    return frame(otype, enc(obj, list_id, cycle_id))
