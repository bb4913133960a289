"""ICMPv4 (RFC 792): echo and timestamp requests out, replies and errors in.

A timestamp request (type 13) carries originate, receive and transmit
timestamps after the identifier and sequence number.  Here they are the
first 12 bytes of the probe's payload, laid out as on the wire (this is
also how scamper builds them): the caller fills the originate timestamp
with :func:`tstamp_data`, which keeps the encoder free of clock reads.
"""

import struct
from collections import namedtuple

from .checksum import force_bytes, inet_checksum, ones_sum

ECHOREPLY = 0
UNREACH = 3
SOURCEQUENCH = 4
REDIRECT = 5
ECHO = 8
TIMXCEED = 11
PARAMPROB = 12
TSTAMP = 13
TSTAMPREPLY = 14

UNREACH_NEEDFRAG = 4

# types that quote the datagram that caused them
ERRORS = frozenset((UNREACH, SOURCEQUENCH, REDIRECT, TIMXCEED, PARAMPROB))
# types that carry an RFC 4884 length (in 32-bit words) in byte 5
EXT_TYPES = frozenset((UNREACH, TIMXCEED, PARAMPROB))

HDR = struct.Struct('!BBHHH')
_HEAD = struct.Struct('!BBH')
_HEAD_ID = struct.Struct('!BBHH')
_TS = struct.Struct('!III')
_MTU = struct.Struct('!H')

ICMP = namedtuple('ICMP', 'type code sum id seq')


def fix_offset(icmp_type):
    """Offset into the payload of the two bytes adjusted for a requested
    checksum: after the timestamps of a timestamp request (as scamper's
    ``ping -C`` does), else the first two."""
    return 12 if icmp_type == TSTAMP else 0


def build(icmp_type, code, ident, seq, payload, want_sum=None):
    """An echo or timestamp request (any type with id/seq really).  With
    ``want_sum`` the two payload bytes at :func:`fix_offset` (which must
    exist) are replaced so that the checksum is ``want_sum``."""
    hdr = HDR.pack(icmp_type, code, 0, ident, seq)
    if want_sum is None:
        s = inet_checksum(hdr + payload)
        return hdr[:2] + s.to_bytes(2, 'big') + hdr[4:] + payload
    i = fix_offset(icmp_type)
    head, rest = payload[:i], payload[i + 2:]
    fix = force_bytes(ones_sum(hdr + head + b'\0\0' + rest), want_sum)
    return (HDR.pack(icmp_type, code, want_sum, ident, seq)
            + head + fix + rest)


def parse(buf):
    """Type, code and checksum (4 bytes needed), identifier and sequence
    (8 bytes; None if absent).  None if under 4 bytes."""
    n = len(buf)
    if n >= 8:
        return ICMP(*HDR.unpack_from(buf))
    if n >= 6:
        return ICMP(*_HEAD_ID.unpack_from(buf), None)
    if n >= 4:
        return ICMP(*_HEAD.unpack_from(buf), None, None)
    return None


def timestamps(buf):
    """(originate, receive, transmit) of a timestamp message, or None."""
    if len(buf) < 20:
        return None
    return _TS.unpack_from(buf, 8)


def nhmtu(buf):
    """Next-hop MTU of a fragmentation-needed message (RFC 1191)."""
    return _MTU.unpack_from(buf, 6)[0]


def ms_since_midnight(t):
    """An ICMP timestamp: milliseconds since midnight UT of time ``t``
    (taken to the microsecond first, as from a timeval, then truncated)."""
    return round(t * 1000000) // 1000 % 86400000


def tstamp_data(t, rest=b''):
    """Payload of a timestamp request sent at time ``t``: the originate
    timestamp, zero receive and transmit timestamps, then ``rest``."""
    return _TS.pack(ms_since_midnight(t), 0, 0) + rest
