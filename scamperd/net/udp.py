"""The UDP header (RFC 768)."""

import struct
from collections import namedtuple

from .checksum import force_bytes, inet_checksum, ones_sum

HDR = struct.Struct('!HHHH')
_PORTS = struct.Struct('!HH')

UDP = namedtuple('UDP', 'sport dport length sum')


def build(sport, dport, payload, pseudo, want_sum=None):
    """Header and payload.  ``pseudo`` is the IPv4 or IPv6 pseudo header.
    With ``want_sum``, the first two payload bytes (there must be two) are
    replaced so that the checksum is ``want_sum`` (UDP-paris); a checksum of
    0 cannot go on the wire, so asking for 0 gives 0xffff, which is what a
    computed 0 is sent as anyway."""
    length = 8 + len(payload)
    hdr = HDR.pack(sport, dport, length, 0)
    if want_sum is None:
        s = inet_checksum(pseudo + hdr + payload) or 0xffff
        return HDR.pack(sport, dport, length, s) + payload
    rest = payload[2:]
    fix = force_bytes(ones_sum(pseudo + hdr + b'\0\0' + rest), want_sum)
    return HDR.pack(sport, dport, length, want_sum or 0xffff) + fix + rest


def parse(buf):
    """As much of a UDP header as ``buf`` holds: the ports need 4 bytes,
    the length and checksum 8 (None when absent).  None if under 4."""
    if len(buf) >= 8:
        return UDP(*HDR.unpack_from(buf))
    if len(buf) >= 4:
        return UDP(*_PORTS.unpack_from(buf), None, None)
    return None
