"""ICMPv6 (RFC 4443).  The header layout is ICMPv4's (type, code, checksum,
then identifier and sequence or a 32-bit field), so :func:`parse` is
shared; the checksum also covers the IPv6 pseudo header."""

import struct

from .checksum import force_bytes, inet_checksum, ones_sum
from .icmp import HDR, ICMP, parse  # noqa: F401  (same header layout)

UNREACH = 1
PACKET_TOO_BIG = 2
TIMXCEED = 3
PARAMPROB = 4
ECHO = 128
ECHOREPLY = 129

ERRORS = frozenset((UNREACH, PACKET_TOO_BIG, TIMXCEED, PARAMPROB))
# types that carry an RFC 4884 length (in 64-bit words) in byte 4
EXT_TYPES = frozenset((UNREACH, TIMXCEED))

_U32 = struct.Struct('!I')


def build(icmp_type, code, ident, seq, payload, pseudo, want_sum=None):
    """An echo request (or any id/seq message); ``pseudo`` is the IPv6
    pseudo header.  With ``want_sum`` the first two payload bytes (which
    must exist) are replaced so that the checksum is ``want_sum``."""
    hdr = HDR.pack(icmp_type, code, 0, ident, seq)
    if want_sum is None:
        s = inet_checksum(pseudo + hdr + payload)
        return hdr[:2] + s.to_bytes(2, 'big') + hdr[4:] + payload
    rest = payload[2:]
    fix = force_bytes(ones_sum(pseudo + hdr + b'\0\0' + rest), want_sum)
    return HDR.pack(icmp_type, code, want_sum, ident, seq) + fix + rest


def mtu(buf):
    """The MTU of a packet too big message (32 bits)."""
    return _U32.unpack_from(buf, 4)[0]
