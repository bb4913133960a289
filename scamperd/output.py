"""Formatting finished results for the output file.

Workers format their own results (so that the work is spread over the
pool); the supervisor only writes the bytes, whole and in one piece, plus
the cycle records around them.
"""

from scamperd import listcycle
from scamperd.ping import json as ping_json
from scamperd.ping import text as ping_text
from scamperd.ping.result import Ping
from scamperd.trace import json as trace_json
from scamperd.trace import text as trace_text
from scamperd.trace.result import Trace

FORMATS = ('text', 'json')

_CODECS = {
    Trace: {'text': trace_text.format, 'json': trace_json.format},
    Ping: {'text': ping_text.format, 'json': ping_json.format},
}


def format_result(result, fmt, meta=None):
    """The bytes to write for one result in output format ``fmt``."""
    s = _CODECS[type(result)][fmt](result)
    if fmt == 'json':
        s += '\n'
    return s.encode()


def cycle_start(cycle, fmt):
    if fmt == 'json':
        return (listcycle.cycle_start_json(cycle) + '\n').encode()
    return b''


def cycle_stop(cycle, fmt):
    if fmt == 'json':
        return (listcycle.cycle_stop_json(cycle) + '\n').encode()
    return b''
