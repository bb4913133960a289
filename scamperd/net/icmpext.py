"""ICMP extensions (RFC 4884) and the MPLS label stack object (RFC 4950).

An ICMP error may append an extension structure after the quoted datagram:
a 4-byte header (version 2 in the top nibble, reserved, checksum) and then
objects (length, class number, class type, data).  :func:`locate` finds it
in an ICMP message; :func:`parse` splits it into objects.
"""

import struct
from collections import namedtuple

from .checksum import ones_sum

_OBJ = struct.Struct('!HBB')
_LSE = struct.Struct('!I')

CLASS_MPLS = 1          # class number of the MPLS label stack, type 1
CLASS_INTERFACE = 2     # RFC 5837 interface information

Object = namedtuple('Object', 'cn ct data')
Label = namedtuple('Label', 'label exp s ttl')


def valid(ext):
    """Whether ``ext`` looks like an extension structure: version 2 (some
    routers put it in the low nibble; scamper accepts that too) and a
    checksum that is either zero (not computed) or correct."""
    if len(ext) < 4:
        return False
    if ext[0] & 0xf0 != 0x20 and ext[0] != 0x02:
        return False
    return (ext[2] == 0 and ext[3] == 0) or ones_sum(ext) == 0xffff


def locate(msg, length_unit, heuristic=True):
    """The extension structure of the ICMP error message ``msg`` (header
    included), or b''.

    ``length_unit`` is 4 for ICMPv4 (the RFC 4884 length of the quote is
    byte 5, in 32-bit words) and 8 for ICMPv6 (byte 4, in 64-bit words), or
    0 for a message type without a length field.  When the field is zero or
    does not point at a valid structure, and ``heuristic`` is set, the
    structure is looked for after a 128-byte quote when the message holds
    more than 4 bytes beyond it: that is the rule scamper applies (it
    predates RFC 4884 and ignores the length field)."""
    n = len(msg)
    if length_unit and n >= 8:
        quote = msg[5 if length_unit == 4 else 4] * length_unit
        if quote and 8 + quote + 4 <= n:
            ext = bytes(msg[8 + quote:])
            if valid(ext):
                return ext
    if heuristic and n - 8 > 128 + 4:
        ext = bytes(msg[8 + 128:])
        if valid(ext):
            return ext
    return b''


def parse(ext):
    """The objects of an extension structure, in order.  An object whose
    length is under 4 or runs past the end stops the walk.

    (scamper 20211212's scamper_icmpext_parse keeps an object only when it
    reaches the end of the structure, so it drops every object of a
    multi-object extension; here each well-formed object is kept.)"""
    objs = []
    off = 4
    n = len(ext)
    while off + 4 <= n:
        length, cn, ct = _OBJ.unpack_from(ext, off)
        if length < 4 or off + length > n:
            break
        objs.append(Object(cn, ct, bytes(ext[off + 4:off + length])))
        off += length
    return objs


def mpls_labels(data):
    """The label stack entries of an MPLS object's data."""
    out = []
    for i in range(0, len(data) - 3, 4):
        v = _LSE.unpack_from(data, i)[0]
        out.append(Label(v >> 12, (v >> 9) & 7, (v >> 8) & 1, v & 0xff))
    return out


def build_mpls(labels):
    """An extension structure holding one MPLS label stack object, given
    (label, exp, s, ttl) tuples; with its checksum.  For tests and
    simulations."""
    data = b''.join(_LSE.pack(l << 12 | e << 9 | s << 8 | t)
                    for l, e, s, t in labels)
    body = _OBJ.pack(4 + len(data), CLASS_MPLS, 1) + data
    s = ~ones_sum(b'\x20\0\0\0' + body) & 0xffff
    return b'\x20\0' + s.to_bytes(2, 'big') + body
