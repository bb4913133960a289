"""The IPv6 header (RFC 8200) and the extension headers a reply may carry."""

import struct
from collections import namedtuple

HDR = struct.Struct('!IHBB16s16s')
_PSEUDO = struct.Struct('!16s16sI3xB')
_FRAG = struct.Struct('!BxHI')

NH_HOPOPTS = 0
NH_ROUTING = 43
NH_FRAGMENT = 44
NH_DSTOPTS = 60

IPv6 = namedtuple('IPv6', 'tclass flowlabel plen nh hlim src dst')

# Where the upper-layer header starts after the extension headers:
# ``offset`` into the buffer, ``nh`` its protocol, and from a fragment
# header ``frag_offset`` (in 8-byte units) / ``frag_id`` / ``more``.
Upper = namedtuple('Upper', 'nh offset frag_offset frag_id more')


def build(src, dst, nh, hlim, tclass, flowlabel, plen):
    return HDR.pack(0x60000000 | (tclass & 0xff) << 20 | flowlabel & 0xfffff,
                    plen, nh, hlim, src, dst)


def fragment(nh, offset, ident, more=False):
    """A fragment header: ``offset`` in 8-byte units."""
    return _FRAG.pack(nh, (offset & 0x1fff) << 3 | bool(more), ident)


def parse(buf):
    """The fixed header at the start of ``buf``, or None."""
    if len(buf) < 40:
        return None
    vtf, plen, nh, hlim, src, dst = HDR.unpack_from(buf)
    if vtf >> 28 != 6:
        return None
    return IPv6((vtf >> 20) & 0xff, vtf & 0xfffff, plen, nh, hlim, src, dst)


def upper(buf, nh, offset):
    """Skip hop-by-hop, routing, destination options and fragment headers
    starting at ``offset``.  Stops at the first other header, at a
    non-first fragment (nothing follows that can be parsed), or where the
    buffer ends inside an extension header."""
    frag_offset, frag_id, more = 0, None, False
    n = len(buf)
    while nh in (NH_HOPOPTS, NH_ROUTING, NH_DSTOPTS, NH_FRAGMENT):
        if offset + 8 > n:
            break
        if nh == NH_FRAGMENT:
            nxt, offlg, frag_id = _FRAG.unpack_from(buf, offset)
            frag_offset, more = offlg >> 3, bool(offlg & 1)
            nh, offset = nxt, offset + 8
            if frag_offset:
                break
        else:
            nh, offset = buf[offset], offset + ((buf[offset + 1] + 1) << 3)
    return Upper(nh, offset, frag_offset, frag_id, more)


def pseudo_header(src, dst, nh, length):
    """The pseudo header that UDP, TCP and ICMPv6 checksums cover."""
    return _PSEUDO.pack(src, dst, length, nh)
