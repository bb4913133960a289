"""ScamperFile: read and write warts files with the module's classes
(ScamperPing, ScamperTrace, ...): our warts ScamperFile
(scamperd/warts/api.py), its objects shown as scamper_ctrl's."""

from scamper_ctrl import objects as O
from scamperd.warts import api
from scamperd.warts import file as F


class ScamperFile(api.ScamperFile):
    """A warts file opened for reading ('r') or writing ('w'); ``kind``
    (warts, warts.gz, warts.bz2, warts.xz) for writing, from the file name
    when not given."""

    def filter_types(self, *types):
        """Return only objects of these classes (ScamperPing, ...)."""
        if self._mode != 'r':
            raise ValueError('cannot add filter to non-readable files')
        if not types:
            raise ValueError('nothing to filter')
        try:
            self._types = {O.TYPE_OF[t] for t in types}
        except (KeyError, TypeError):
            raise ValueError('invalid type') from None
        if F.OBJ_CYCLE_START in self._types:
            self._types |= {F.OBJ_CYCLE_DEF, F.OBJ_CYCLE_STOP}

    def __next__(self):
        if self._it is None:
            self._it = F.read_objects(self._f, self._types)
        while True:
            otype, _, obj = next(self._it)
            obj = O.wrap(otype, obj)
            if obj is not None:
                return obj

    def write(self, obj):
        if self._mode != 'w':
            raise RuntimeError('file not opened in write mode')
        if type(obj) not in O.TYPE_OF:
            raise RuntimeError('unhandled object type')
        if not isinstance(obj, (O.ScamperList, O.ScamperCycle)):
            # lists and cycles go with the results that refer to them
            super().write(obj.raw)
