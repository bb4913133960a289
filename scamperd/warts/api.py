"""Reading and writing warts files from Python, shaped like the
``ScamperFile`` class of scamper's own Python module::

    from scamperd.warts import ScamperFile
    from scamperd.trace.result import Trace

    with ScamperFile('in.warts.gz', filter_types=[Trace]) as f:
        for trace in f:
            print(trace.to_json())

    with ScamperFile('out.warts', 'w') as out:
        out.write(trace)

Reading yields ``Trace`` and ``Ping`` objects (scamperd.trace.result,
scamperd.ping.result; ``to_json()`` / ``to_text()`` give what
sc_warts2json / sc_warts2text print), ``ScamperList`` and ``Cycle``
objects (scamperd.listcycle) for list and cycle-start records, and
``CycleStop`` for cycle-stop records.  A truncated or corrupt file raises
``WartsError`` (its ``offset`` names the byte) after every whole object
before the damage.  Compressed files are recognised when read; when
written, ``kind`` (warts, warts.gz, warts.bz2, warts.xz) is taken from the
file name unless given.

Writing a ``Trace`` or ``Ping`` first writes its list and cycle (when it
has them and they are not yet in the file); writing a ``Cycle`` writes a
cycle start, a ``CycleStop`` a cycle stop.
"""

from scamperd.listcycle import Cycle, ScamperList
from scamperd.ping.result import Ping
from scamperd.trace.result import Trace
from scamperd.warts import file as F
from scamperd.warts.cycle import (CycleStop, cycle_record, cycle_stop_record,
                                  list_record)

F.load_types()     # a reader meets every type

TYPES = {Trace: F.OBJ_TRACE, Ping: F.OBJ_PING, ScamperList: F.OBJ_LIST,
         Cycle: F.OBJ_CYCLE_START, CycleStop: F.OBJ_CYCLE_STOP}


def _otype(cls):
    """The warts type number of a result class, or None: the classes
    above, and every class a type module registered an encoder for."""
    if cls in TYPES:
        return TYPES[cls]
    enc = F.ENCODERS.get(cls)
    return enc[0] if enc else None


class WartsWriter:
    """Writes objects to a binary file object, assigning the file's list
    and cycle ids (1, 2, ...) as scamper does."""

    def __init__(self, f, kind='warts'):
        if kind not in F.KINDS:
            raise ValueError('invalid kind: %s' % kind)
        self.f = f
        self.z = F.compressor(kind)
        self.lists = {}      # id(ScamperList) -> (file id, list)
        self.cycles = {}     # id(Cycle) -> (file id, cycle)

    def _put(self, data):
        self.f.write(self.z.compress(data))

    def list_id(self, lst):
        if lst is None:
            return 0
        got = self.lists.get(id(lst))
        if got is None:
            got = self.lists[id(lst)] = (len(self.lists) + 1, lst)
            self._put(list_record(got[0], lst))
        return got[0]

    def cycle_id(self, cycle, otype=F.OBJ_CYCLE_DEF):
        if cycle is None:
            return 0
        got = self.cycles.get(id(cycle))
        if got is None:
            lid = self.list_id(cycle.list)
            got = self.cycles[id(cycle)] = (len(self.cycles) + 1, cycle)
            self._put(cycle_record(got[0], lid, cycle, otype))
        return got[0]

    def write(self, obj):
        if isinstance(obj, ScamperList):
            self.list_id(obj)
        elif isinstance(obj, Cycle):
            self.cycle_id(obj, F.OBJ_CYCLE_START)
        elif isinstance(obj, CycleStop):
            self._put(cycle_stop_record(self.cycle_id(obj.cycle), obj.stop))
        else:
            lid = self.list_id(getattr(obj, 'list', None))
            cid = self.cycle_id(getattr(obj, 'cycle', None))
            self._put(F.encode_object(obj, lid, cid))

    def close(self):
        self.f.write(self.z.flush())
        self.f.flush()


class ScamperFile:
    """A warts file opened for reading ('r') or writing ('w')."""

    def __init__(self, filename, mode='r', kind=None, filter_types=None):
        if mode not in ('r', 'w'):
            raise ValueError('invalid mode: %s' % mode)
        self._types = None
        self._filename = filename
        if mode == 'r':
            if kind is not None:
                raise ValueError('do not specify kind when opening a file '
                                 'for reading')
            self._f = open(filename, 'rb')
            self._writer = None
            self._it = None
            self._kind = 'warts'
        else:
            if kind is None:
                kind = next((k for k in F.KINDS[1:]
                             if filename.endswith(k[5:])), 'warts')
            self._f = open(filename, 'wb')
            self._writer = WartsWriter(self._f, kind)
            self._kind = kind
        self._mode = mode
        if filter_types is not None:
            self.filter_types(*filter_types)

    @property
    def filename(self):
        return self._filename

    @property
    def filetype(self):
        return 'warts'

    def filter_types(self, *types):
        """Return only objects of these classes (Trace, Ping, ScamperList,
        Cycle, CycleStop)."""
        if self._mode != 'r':
            raise ValueError('cannot add filter to non-readable files')
        if not types:
            raise ValueError('nothing to filter')
        for t in types:
            if _otype(t) is None:
                raise ValueError('invalid type')
        self._types = {_otype(t) for t in types}
        if F.OBJ_CYCLE_START in self._types:
            self._types.add(F.OBJ_CYCLE_DEF)

    def __iter__(self):
        if self._mode != 'r':
            raise ValueError('not readable')
        return self

    def __next__(self):
        if self._it is None:
            self._it = F.read_objects(self._f, self._types)
        while True:
            _, _, obj = next(self._it)
            if not isinstance(obj, bytes):   # types we cannot decode yet
                return obj

    def read(self):
        """The next object, or None at the end of the file."""
        if self._mode != 'r':
            raise RuntimeError('file not opened in read mode')
        return next(self, None)

    def write(self, obj):
        if self._mode != 'w':
            raise RuntimeError('file not opened in write mode')
        if _otype(type(obj)) is None:
            raise RuntimeError('unhandled object type')
        self._writer.write(obj)

    def is_write(self):
        return self._mode == 'w'

    def is_read(self):
        return self._mode == 'r'

    def close(self):
        if self._f is None:
            return
        if self._writer is not None:
            self._writer.close()
        self._f.close()
        self._f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
