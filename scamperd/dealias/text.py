"""Text output of an alias resolution, as scamper 20211212 prints it
(sc_warts2text; scamper/dealias/scamper_dealias_text.c): one line for
ally, nothing for the other methods."""

from scamperd.dealias.result import RESULT_NAMES
from scamperd.trace.text import addr_str


def result_str(result):
    if result < len(RESULT_NAMES):
        return RESULT_NAMES[result]
    return '%d' % result


def prefixhosts(a, b):
    """scamper_addr_prefixhosts: the longest prefix a and b share, made
    shorter until neither is that prefix's network or broadcast address
    (IPv4; -1 otherwise)."""
    if len(a) != 4 or len(b) != 4:
        return -1
    x, y = int.from_bytes(a, 'big'), int.from_bytes(b, 'big')
    i = 32
    while i > 0 and (x ^ y) >> (32 - i):
        i -= 1
    if i >= 31:
        return i
    while i > 0:
        host = (1 << (32 - i)) - 1
        if any(v & host in (0, host) for v in (x, y)):
            i -= 1
            continue
        break
    return i


def format(d):
    if d.method != 'ally':
        return ''
    if d.result == 1:
        r = 'aliases'
    elif d.result == 2:
        r = 'not aliases'
    elif d.result == 0:
        r = 'none'
    else:
        r = '%d' % d.result
    return '%s %s %s\n' % (addr_str(d.probedefs[0].dst),
                           addr_str(d.probedefs[1].dst), r)
