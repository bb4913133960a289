"""Formatting finished results for the output file.

Workers format their own results (so that the work is spread over the
pool); the supervisor only writes the bytes, whole and in one piece, plus
the cycle records around them.  A result of scamperd/<command>/result.py
is printed by that package's text.py or json.py (imported when first
needed), or written by warts/file.py.
"""


from scamperd import listcycle
from scamperd.commands import load_module
from scamperd.warts import cycle as warts_cycle
from scamperd.warts import file as warts_file

WARTS = warts_file.KINDS
FORMATS = ('text', 'json') + WARTS

# what scamper 20211212 prints nothing for, in text or JSON: results it
# writes only in warts, and sting's JSON
_SILENT = {'scamperd.neighbourdisc.result': ('text', 'json'),
           'scamperd.sniff.result': ('text', 'json'),
           'scamperd.sting.result': ('json',)}
_printers = {}      # (result class, 'text' or 'json') -> format function


def _printer(cls, fmt):
    f = _printers.get((cls, fmt))
    if f is None:
        pkg = cls.__module__.rpartition('.')[0]
        f = _printers[cls, fmt] = load_module(
            '%s.%s' % (pkg, fmt)).format
    return f


def format_result(result, fmt, meta=None):
    """The bytes to write for one result in output format ``fmt``.  In
    warts, ``meta['warts']`` gives the (list, cycle) ids the output file
    assigned; by default those of its first list and cycle, (1, 1)."""
    if fmt in WARTS:
        list_id, cycle_id = (meta or {}).get('warts', (1, 1))
        return warts_file.encode_object(result, list_id, cycle_id)
    cls = type(result)
    if fmt in _SILENT.get(cls.__module__, ()):
        return b''
    s = _printer(cls, fmt)(result)
    if fmt == 'json':
        s += '\n'
    return _bytes(s)


def cycle_start(cycle, fmt):
    """In warts: the list and the cycle-start records, as the first (id 1)
    of the output file."""
    if fmt == 'json':
        return _bytes(listcycle.cycle_start_json(cycle) + '\n')
    if fmt in WARTS:
        return (warts_cycle.list_record(1, cycle.list)
                + warts_cycle.cycle_record(1, 1, cycle))
    return b''


def cycle_stop(cycle, fmt):
    if fmt == 'json':
        return _bytes(listcycle.cycle_stop_json(cycle) + '\n')
    if fmt in WARTS:
        return warts_cycle.cycle_stop_record(1, cycle.stop)
    return b''


def compressor(fmt):
    """compress()/flush() for the whole output stream (warts.gz, .bz2,
    .xz; nothing else is compressed)."""
    return warts_file.compressor(fmt)


def _bytes(s):
    # names from the command line or a warts file may carry bytes that are
    # not UTF-8 (surrogate escapes): they go out as they came in
    return s.encode('utf-8', 'surrogateescape')
