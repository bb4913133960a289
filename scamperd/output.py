"""Formatting finished results for the output file.

Workers format their own results (so that the work is spread over the
pool); the supervisor only writes the bytes, whole and in one piece, plus
the cycle records around them.
"""

from scamperd import listcycle
from scamperd.dealias import json as dealias_json
from scamperd.dealias import text as dealias_text
from scamperd.dealias.result import Dealias
from scamperd.neighbourdisc.result import Neighbourdisc
from scamperd.ping import json as ping_json
from scamperd.ping import text as ping_text
from scamperd.ping.result import Ping
from scamperd.sniff.result import Sniff
from scamperd.sting import text as sting_text
from scamperd.sting.result import Sting
from scamperd.tbit import json as tbit_json
from scamperd.tbit import text as tbit_text
from scamperd.tbit.result import Tbit
from scamperd.trace import json as trace_json
from scamperd.trace import text as trace_text
from scamperd.trace.result import Trace
from scamperd.tracelb import json as tracelb_json
from scamperd.tracelb import text as tracelb_text
from scamperd.tracelb.result import Tracelb
from scamperd.warts import cycle as warts_cycle
from scamperd.warts import file as warts_file

WARTS = warts_file.KINDS
FORMATS = ('text', 'json') + WARTS

_CODECS = {
    Trace: {'text': trace_text.format, 'json': trace_json.format},
    Ping: {'text': ping_text.format, 'json': ping_json.format},
    Tracelb: {'text': tracelb_text.format, 'json': tracelb_json.format},
    Dealias: {'text': dealias_text.format, 'json': dealias_json.format},
    Tbit: {'text': tbit_text.format, 'json': tbit_json.format},
    Sting: {'text': sting_text.format, 'json': None},
}

# what scamper 20211212 writes only in warts (its text and JSON print nothing)
_WARTS_ONLY = (Neighbourdisc, Sniff)


def format_result(result, fmt, meta=None):
    """The bytes to write for one result in output format ``fmt``.  In
    warts, ``meta['warts']`` gives the (list, cycle) ids the output file
    assigned; by default those of its first list and cycle, (1, 1)."""
    if fmt in WARTS:
        list_id, cycle_id = (meta or {}).get('warts', (1, 1))
        return warts_file.encode_object(result, list_id, cycle_id)
    if type(result) in _WARTS_ONLY:
        return b''
    codec = _CODECS[type(result)][fmt]
    if codec is None:                # sting in JSON: nothing, as 20211212
        return b''
    s = codec(result)
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
