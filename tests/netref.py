"""Reference implementations for the net tests, written the slow obvious
way so that they check the fast codecs independently."""

import ipaddress


def A(s):
    return ipaddress.ip_address(s).packed


def ref_sum(data):
    """Ones' complement sum, one 16-bit word at a time (RFC 1071)."""
    data = bytes(data)
    if len(data) % 2:
        data += b'\0'
    s = 0
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
        s = (s & 0xffff) + (s >> 16)
    return s


def verifies(data):
    """Whether a message with its checksum field filled in verifies."""
    return ref_sum(data) == 0xffff


def pseudo4(src, dst, proto, length):
    return src + dst + bytes((0, proto)) + length.to_bytes(2, 'big')


def pseudo6(src, dst, nh, length):
    return src + dst + length.to_bytes(4, 'big') + bytes((0, 0, 0, nh))
