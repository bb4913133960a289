"""The Internet checksum (RFC 1071) and the paris trick of forcing it.

The ones' complement sum of 16-bit big-endian words equals the whole buffer,
read as one big integer, modulo 0xffff (because 0x10000 = 1 mod 0xffff), so
:func:`ones_sum` is a single ``int.from_bytes`` and a modulo, done in C: about
0.3 us for a 60-byte header, 2.7 us for 1500 bytes, where a Python loop over
the words takes 2.7 us and 65 us.

Sums are kept in the folded range 1..0xffff (0 only for all-zero data), so
they can be added with :func:`ones_add` and complemented into a checksum.
"""


def ones_sum(data):
    """Folded ones' complement sum of ``data`` (bytes-like, any length)."""
    if len(data) & 1:
        data = bytes(data) + b'\0'
    n = int.from_bytes(data, 'big')
    s = n % 0xffff
    if s == 0 and n:
        return 0xffff
    return s


def ones_add(a, b):
    """Ones' complement addition of two folded 16-bit sums."""
    s = a + b
    return (s & 0xffff) + (s >> 16)


def inet_checksum(data):
    """The checksum to put in a header whose checksum field is zero."""
    return ~ones_sum(data) & 0xffff


def force_bytes(partial, want):
    """The two bytes to write into a zeroed, 16-bit aligned word of a
    message so that its checksum becomes ``want``.

    ``partial`` is :func:`ones_sum` of the whole checksummed region (pseudo
    header included) with the checksum field and those two bytes zero.  The
    computed checksum is then ``want``, except that 0xffff cannot come out of
    the computation: asking for it yields a computed 0, and the caller
    writes 0xffff in the field, which verifies equally (0 and 0xffff are the
    two ones' complement zeros).  For UDP, where 0 on the wire means "no
    checksum", the caller writes 0xffff when asked for 0 (RFC 768).
    """
    word = ones_add(~want & 0xffff, ~partial & 0xffff)
    return word.to_bytes(2, 'big')
