"""The IPv4 header (RFC 791)."""

import struct
from collections import namedtuple

from .checksum import inet_checksum

HDR = struct.Struct('!BBHHHBBH4s4s')
_PSEUDO = struct.Struct('!4s4sBBH')

IP_DF = 0x4000
IP_MF = 0x2000
IP_OFFMASK = 0x1fff

IPv4 = namedtuple('IPv4', 'hl tos length ipid df mf offset ttl proto sum '
                  'src dst options')


def build(src, dst, proto, ttl, tos, ipid, df, payload_len, options=b''):
    """A header with its checksum.  ``options`` are padded with zero (end
    of option list) to a multiple of 4; more than 40 bytes is an error."""
    if len(options) & 3:
        options = bytes(options) + bytes(4 - (len(options) & 3))
    hl = 20 + len(options)
    if hl > 60:
        raise ValueError('IPv4 options longer than 40 bytes')
    hdr = HDR.pack(0x40 | hl >> 2, tos, hl + payload_len, ipid,
                   IP_DF if df else 0, ttl, proto, 0, src, dst) + options
    s = inet_checksum(hdr)
    return hdr[:10] + s.to_bytes(2, 'big') + hdr[12:]


def parse(buf):
    """The header at the start of ``buf``, or None if ``buf`` does not hold
    a whole IPv4 header (options included).  ``length`` is the total
    length field as it is, not checked against ``len(buf)``."""
    if len(buf) < 20:
        return None
    (vhl, tos, length, ipid, off, ttl, proto, s, src,
     dst) = HDR.unpack_from(buf)
    hl = (vhl & 0xf) << 2
    if vhl >> 4 != 4 or hl < 20 or hl > len(buf):
        return None
    return IPv4(hl, tos, length, ipid, bool(off & IP_DF), bool(off & IP_MF),
                off & IP_OFFMASK, ttl, proto, s, src, dst,
                bytes(buf[20:hl]))


def pseudo_header(src, dst, proto, length):
    """The pseudo header that UDP and TCP checksums cover."""
    return _PSEUDO.pack(src, dst, 0, proto, length)
