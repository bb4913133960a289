"""Lines and parameters of scamper's control protocol.

Commands are lines ending in LF (a CR before it is dropped); replies are
lines ending in LF.  Parameters (attach, source add, outfile open) are
``name value`` pairs separated by spaces, a value with spaces enclosed in
double quotes; single quotes are ordinary characters, as in scamper."""

MAX_LINE = 65536


class LineTooLong(Exception):
    pass


class LineReader:
    """Bytes in, whole lines out; a line longer than ``limit`` raises
    LineTooLong (the connection is then closed)."""

    def __init__(self, limit=MAX_LINE):
        self.limit = limit
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        lines = []
        start = 0
        while True:
            nl = self.buf.find(b'\n', start)
            if nl < 0:
                break
            if nl - start > self.limit:
                raise LineTooLong()
            line = bytes(self.buf[start:nl])
            if line.endswith(b'\r'):
                line = line[:-1]
            lines.append(line.decode('utf-8', 'replace'))
            start = nl + 1
        del self.buf[:start]
        if len(self.buf) > self.limit:
            raise LineTooLong()
        return lines


def words(text):
    """Split on spaces; a double-quoted word may hold spaces.  Returns
    None when a quote is not closed."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == ' ':
            i += 1
            continue
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return None
            out.append(text[i + 1:end])
            i = end + 1
        else:
            end = text.find(' ', i)
            end = n if end < 0 else end
            out.append(text[i:end])
            i = end
    return out


def params(text, allowed):
    """``name value`` pairs into a dict keyed by lower-case name, as
    scamper's param_handler takes them (names in any case): the first
    name not in ``allowed``, given twice, or left without a value is
    returned as the error: (dict, None) or (None, bad name)."""
    ws = words(text)
    if ws is None:
        return None, text
    return pairs(ws, allowed)


def pairs(ws, allowed):
    """params() of words already split."""
    got = {}
    for i in range(0, len(ws), 2):
        name = ws[i].lower()
        if name not in allowed or name in got or i + 1 >= len(ws):
            return None, ws[i]
        got[name] = ws[i + 1]
    return got, None


def quote(value):
    """How scamper shows a string in INFO and EVENT lines."""
    return "'%s'" % value
