"""ScamperFile: read and write warts files with the module's classes
(ScamperPing, ScamperTrace, ...), on our warts reader and writer."""

from scamper_ctrl import objects as O
from scamperd.warts import api
from scamperd.warts import file as F


class ScamperFile:
    """A warts file opened for reading ('r') or writing ('w'); ``kind``
    (warts, warts.gz, warts.bz2, warts.xz) for writing, from the file name
    when not given."""

    def __init__(self, filename, mode='r', kind=None, filter_types=None):
        if mode not in ('r', 'w'):
            raise ValueError('invalid mode: %s' % mode)
        self._filename = filename
        self._mode = mode
        self._types = None
        self._it = None
        if mode == 'r':
            if kind is not None:
                raise ValueError('do not specify kind when opening a file '
                                 'for reading')
            self._f = open(filename, 'rb')
            self._writer = None
        else:
            if kind is None:
                kind = next((k for k in F.KINDS[1:]
                             if filename.endswith(k[5:])), 'warts')
            self._f = open(filename, 'wb')
            self._writer = api.WartsWriter(self._f, kind)
        if filter_types is not None:
            self.filter_types(*filter_types)

    filename = property(lambda self: self._filename)
    filetype = property(lambda self: 'warts')

    def filter_types(self, *types):
        """Return only objects of these classes (ScamperPing, ...)."""
        if self._mode != 'r':
            raise ValueError('cannot add filter to non-readable files')
        if not types:
            raise ValueError('nothing to filter')
        try:
            self._types = {O.TYPE_OF[t] for t in types}
        except KeyError:
            raise ValueError('invalid type') from None
        if F.OBJ_CYCLE_START in self._types:
            self._types |= {F.OBJ_CYCLE_DEF, F.OBJ_CYCLE_STOP}

    def __iter__(self):
        if self._mode != 'r':
            raise ValueError('not readable')
        return self

    def __next__(self):
        if self._it is None:
            self._it = F.read_objects(self._f, self._types)
        while True:
            otype, _, obj = next(self._it)
            obj = O.wrap(otype, obj)
            if obj is not None:
                return obj

    def read(self):
        """The next object, or None at the end of the file."""
        if self._mode != 'r':
            raise RuntimeError('file not opened in read mode')
        return next(self, None)

    def write(self, obj):
        if self._mode != 'w':
            raise RuntimeError('file not opened in write mode')
        if type(obj) not in O.TYPE_OF:
            raise RuntimeError('unhandled object type')
        if isinstance(obj, (O.ScamperList, O.ScamperCycle)):
            return      # written with the results that refer to them
        self._writer.write(obj.raw)

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
