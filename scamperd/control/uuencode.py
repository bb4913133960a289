"""The uuencoding scamper uses for warts objects in attach mode (utils.c):
lines of at most 45 input bytes, a length character, four characters per
3-byte group (a zero 6-bit value written as a backquote), and a final
backquote line."""

LINE = 45


def _char(v):
    return 0x60 if v == 0 else 0x20 + v


def encode(data):
    """One object's bytes as the lines of one DATA block."""
    out = bytearray()
    for i in range(0, len(data), LINE):
        chunk = data[i:i + LINE]
        out.append(0x20 + len(chunk))
        padded = chunk + b'\0' * (-len(chunk) % 3)
        for j in range(0, len(padded), 3):
            v = int.from_bytes(padded[j:j + 3], 'big')
            out += bytes((_char(v >> 18), _char((v >> 12) & 63),
                          _char((v >> 6) & 63), _char(v & 63)))
        out.append(0x0a)
    out += b'`\n'
    return bytes(out)


def decode(text):
    """The bytes of a block made by encode (for tests and scamperctl)."""
    out = bytearray()
    for line in text.split(b'\n'):
        if not line or line == b'`':
            continue
        n = (line[0] - 0x20) & 63
        vals = [(c - 0x20) & 63 for c in line[1:]]
        got = bytearray()
        for j in range(0, len(vals) - 3, 4):
            v = (vals[j] << 18) | (vals[j + 1] << 12) | (vals[j + 2] << 6) \
                | vals[j + 3]
            got += v.to_bytes(3, 'big')
        out += got[:n]
    return bytes(out)
