"""The TCP header (RFC 9293), without options."""

import struct
from collections import namedtuple

from .checksum import inet_checksum

HDR = struct.Struct('!HHIIBBHHH')
_PORTS = struct.Struct('!HH')
_PORTS_SEQ = struct.Struct('!HHI')

TCP = namedtuple('TCP', 'sport dport seq ack off flags win sum')


def build(sport, dport, seq, ack, flags, win, payload, pseudo):
    """A 20-byte header (data offset 5) with payload and checksum."""
    hdr = HDR.pack(sport, dport, seq, ack, 5 << 4, flags, win, 0, 0)
    s = inet_checksum(pseudo + hdr + payload)
    return hdr[:16] + s.to_bytes(2, 'big') + hdr[18:] + payload


def parse(buf):
    """As much of a TCP header as ``buf`` holds (an ICMP error may quote
    only 8 bytes): ports need 4 bytes, seq 8, the rest 20.  ``off`` is the
    header length in bytes.  None if under 4."""
    n = len(buf)
    if n >= 20:
        sport, dport, seq, ack, off, flags, win, s, _ = HDR.unpack_from(buf)
        return TCP(sport, dport, seq, ack, (off >> 4) << 2, flags, win, s)
    if n >= 8:
        return TCP(*_PORTS_SEQ.unpack_from(buf), None, None, None, None, None)
    if n >= 4:
        return TCP(*_PORTS.unpack_from(buf), None, None, None, None, None,
                   None)
    return None
