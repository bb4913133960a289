"""IP addresses in text, read as Python's ipaddress.ip_address reads them
(a command's addresses, -i's): by the C library's inet_pton, which agrees
with it on every address but an IPv6 one with a scope (``fe80::1%eth0``),
left to ipaddress.  The ipaddress module costs a millisecond to load on
the way to scamper's first probe; inet_pton costs nothing."""

from socket import AF_INET, AF_INET6, inet_pton


def parse(text):
    """(packed address, 4 or 6) of ``text``; ValueError if it is none."""
    try:
        if ':' in text:
            return inet_pton(AF_INET6, text), 6
        return inet_pton(AF_INET, text), 4
    except (OSError, ValueError):
        if '%' not in text:
            raise ValueError('%r is not an IP address' % text) from None
    import ipaddress
    a = ipaddress.ip_address(text)
    return a.packed, a.version
