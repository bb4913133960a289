"""Warts primitives (docs/warts-format.md §4, §5): big-endian integers,
timevals, RTTs, strings, the flag-bitmap + parameter blocks, per-object
address tables, interface names and ICMP extensions.

Reading goes through a ``Cursor`` over a memoryview that never reads past
its ``end``: running out of bytes, or meeting a malformed value, raises
``WartsError`` with the offset (relative to the cursor's buffer) where the
bad value starts.  Writing builds ``bytes`` with small functions.
"""

import struct

U16 = struct.Struct('>H')
U32 = struct.Struct('>I')
TIMEVAL = struct.Struct('>II')

# address type codes (SCAMPER_ADDR_TYPE_*) and their sizes
ADDR_SIZES = {1: 4, 2: 16, 3: 6, 4: 8}
ADDR_TYPES = {4: 1, 16: 2, 6: 3, 8: 4}


class WartsError(Exception):
    """A truncated or malformed warts file.  ``offset`` is the byte offset
    of the problem (within the file once the reader has placed it)."""

    def __init__(self, msg, offset=0):
        super().__init__(msg)
        self.msg = msg
        self.offset = offset

    def __str__(self):
        return 'offset %d: %s' % (self.offset, self.msg)


# --- reading ---------------------------------------------------------------

class Cursor:
    """A read position in ``buf`` that may not pass ``end``."""

    __slots__ = ('buf', 'pos', 'end')

    def __init__(self, buf, pos=0, end=None):
        self.buf = buf
        self.pos = pos
        self.end = len(buf) if end is None else end

    def take(self, n, what='value'):
        p = self.pos
        if n < 0 or p + n > self.end:
            raise WartsError('truncated %s' % what, p)
        self.pos = p + n
        return p

    def u8(self):
        return self.buf[self.take(1)]

    def u16(self):
        return U16.unpack_from(self.buf, self.take(2))[0]

    def u32(self):
        return U32.unpack_from(self.buf, self.take(4))[0]

    def timeval(self):
        """A timeval as float epoch seconds."""
        sec, usec = TIMEVAL.unpack_from(self.buf, self.take(8, 'timeval'))
        if usec >= 1000000:
            raise WartsError('timeval usec %d out of range' % usec,
                             self.pos - 4)
        return sec + usec / 1000000

    def rtt(self):
        """An RTT in integer microseconds."""
        return self.u32()

    def bytes(self, n):
        p = self.take(n, 'bytes')
        return bytes(self.buf[p:p + n])

    def string(self):
        p = self.pos
        for i in range(p, self.end):
            if self.buf[i] == 0:
                self.pos = i + 1
                # C strings: any bytes; those that are not UTF-8 survive
                # a round trip as surrogate escapes
                return bytes(self.buf[p:i]).decode('utf-8', 'surrogateescape')
        raise WartsError('unterminated string', p)

    def saddr(self):
        """A static address: length, type, bytes."""
        p = self.pos
        size, atype = self.u8(), self.u8()
        if ADDR_SIZES.get(atype) != size:
            raise WartsError('bad address (length %d, type %d)'
                             % (size, atype), p)
        return self.bytes(size)

    def addr(self, table):
        """A per-object address: a definition (appended to ``table``) or
        a reference to an entry of it."""
        p = self.pos
        if self.buf[self.take(1, 'address')] == 0:
            i = self.u32()
            if i >= len(table):
                raise WartsError('address reference %d past the table of %d'
                                 % (i, len(table)), p)
            return table[i]
        self.pos = p
        a = self.saddr()
        table.append(a)
        return a


def set_fields(flags):
    """The field numbers set in a list of flag bytes, ascending."""
    return [i * 7 + j + 1 for i, b in enumerate(flags) for j in range(7)
            if b & (1 << j)]


def params(cur, fields):
    """Read a flag-bitmap + parameter block.  ``fields[n-1]`` reads field
    n: a method name of Cursor ('u8', 'timeval', ...) or a function of the
    cursor.  Returns {field number: value}; fields after the last one known
    are skipped, as scamper skips them."""
    flags = [cur.u8()]
    if flags[0] == 0:
        return {}
    while flags[-1] & 0x80:
        flags.append(cur.u8())
    plen = cur.u16()
    end = cur.take(plen, 'parameters') + plen
    saved_end, cur.end = cur.end, end
    cur.pos = end - plen
    vals = {}
    for n in set_fields(flags):
        if n > len(fields):
            break
        f = fields[n - 1]
        if f is None:
            raise WartsError('field %d is not expected here' % n, cur.pos)
        vals[n] = getattr(cur, f)() if isinstance(f, str) else f(cur)
    cur.end = saved_end
    cur.pos = end
    return vals


def _bad():
    raise ValueError


# fixed-size fields a compiled block reads with one struct: format, and
# the expression that makes one value of the two numbers unpacked
FIXED = {'u8': ('B', None), 'u16': ('H', None), 'u32': ('I', None),
         'rtt': ('I', None),
         'timeval': ('II', '({a} + {b} / 1000000 if {b} < 1000000 '
                           'else _bad())'),
         'u8pair': ('BB', '({a}, {b})')}


def _method(name):
    m = getattr(Cursor, name)
    return lambda cur, ctx: m(cur)


class Params:
    """A flag-bitmap + parameter block reader compiled for one field spec,
    for the hot decoders: made once per module, it keeps per flag bitmap a
    plan that reads each run of fixed-size fields with one precompiled
    struct.  ``fields`` are as for ``params``, plus 'u8pair' (two u8) and
    'addr' (a per-object address, the table being ctx[0]); a function is
    called as f(cursor, ctx), ``ctx`` being what ``read`` was given.
    'list', 'cycle' and 'gaddr' are u32 ids resolved by the methods of
    those names of ctx[1] (the file's ReadState).  ``read`` returns a tuple indexed by field number (item 0 unused): the
    value read, or the field's entry in ``defaults`` (None when it has
    none).  A malformed block is read again by ``params``, for its exact
    error."""

    def __init__(self, fields, defaults=None):
        self.fields = fields
        self.defaults = tuple((defaults or {}).get(n)
                              for n in range(len(fields) + 1))
        self.empty = self.defaults
        self.plans = {}

    def compile(self, flags):
        """A function reading the fields of this flag bitmap:
        f(buf, pos, pend, cur, ctx) -> tuple, generated as Python source
        (as dataclasses make __init__) so that each run of fixed-size
        fields is one struct unpack into local variables."""
        env = {'_sizes': ADDR_SIZES, '_u32': U32, '_bad': _bad,
               'ValueError': ValueError}
        lines, run, fmt, out = [], [], '', {}

        def close():
            if fmt:
                name = '_s%d' % len(env)
                st = env[name] = struct.Struct('>' + fmt)
                lines.append('if pos + %d > pend: raise ValueError' % st.size)
                lines.append('%s, = %s.unpack_from(buf, pos)'
                             % (', '.join(run), name))
                lines.append('pos += %d' % st.size)
        for n in set_fields(flags):
            if n > len(self.fields):
                break
            f = self.fields[n - 1]
            if f is None:
                return None
            if f in REFS:
                fmt += 'I'
                run.append('a%d' % n)
                out[n] = 'ctx[1].%s(a%d)' % (f, n)
                continue
            if f in FIXED:
                code, comb = FIXED[f]
                fmt += code
                run.append('a%d' % n)
                if comb is None:
                    out[n] = 'a%d' % n
                else:
                    run.append('b%d' % n)
                    out[n] = comb.format(a='a%d' % n, b='b%d' % n)
                continue
            close()
            fmt, run = '', []
            if f == 'addr':       # Cursor.addr, inline
                lines += ['size = buf[pos]',
                          'if size:',
                          '    nxt = pos + 2 + size',
                          '    if nxt > pend or _sizes.get(buf[pos + 1]) '
                          '!= size: raise ValueError',
                          '    a%d = bytes(buf[pos + 2:nxt])' % n,
                          '    ctx[0].append(a%d)' % n,
                          '    pos = nxt',
                          'else:',
                          '    if pos + 5 > pend: raise ValueError',
                          '    a%d = ctx[0][_u32.unpack_from(buf, pos + 1)[0]]'
                          % n,
                          '    pos += 5']
            else:
                env['_f%d' % n] = f if callable(f) else _method(f)
                lines += ['cur.pos, cur.end = pos, pend',
                          'a%d = _f%d(cur, ctx)' % (n, n),
                          'pos = cur.pos']
            out[n] = 'a%d' % n
        close()
        for n, d in enumerate(self.defaults):
            if n not in out:
                env['_d%d' % n] = d
        src = 'def read(buf, pos, pend, cur, ctx):\n%s\n' % ''.join(
            '    %s\n' % line for line in lines + [
                'return (%s,)' % ', '.join(
                    out.get(n, '_d%d' % n)
                    for n in range(len(self.defaults)))])
        exec(src, env)
        return env['read']

    def read(self, cur, ctx=None):
        buf, p, end = cur.buf, cur.pos, cur.end
        try:
            q = p
            while buf[q] & 0x80:
                q += 1
            q += 1
            if q + 2 > end:
                raise ValueError
            if q == p + 1 and buf[p] == 0:
                cur.pos = q
                return self.empty
            flags = bytes(buf[p:q])
            plan = self.plans.get(flags, False)
            if plan is False:
                plan = self.plans[flags] = self.compile(flags)
            pos = q + 2
            pend = pos + (buf[q] << 8 | buf[q + 1])
            if plan is None or pend > end:
                raise ValueError
            vals = plan(buf, pos, pend, cur, ctx)
            cur.pos, cur.end = pend, end
            return vals
        except (WartsError, ValueError, IndexError, struct.error):
            cur.pos, cur.end = p, end
            vals = params(cur, tuple(self._slow(f, ctx) for f in self.fields))
            return tuple(vals.get(n, d) for n, d in enumerate(self.defaults))

    @staticmethod
    def _slow(f, ctx):
        """The field reader of ``params`` for field spec f."""
        if f == 'u8pair':
            return _pair
        if f in REFS:
            return lambda c: ref(c, getattr(ctx[1], f))
        if f == 'addr':
            return lambda c: c.addr(ctx[0])
        if f is None or isinstance(f, str):
            return f
        return lambda c: f(c, ctx)


REFS = ('list', 'cycle', 'gaddr')


def ref(cur, lookup):
    """A u32 id resolved by ``lookup``; an unknown id is an error at the
    id's offset."""
    p = cur.pos
    try:
        return lookup(cur.u32())
    except WartsError as e:
        e.offset = p
        raise


def _pair(cur):
    return cur.u8(), cur.u8()


def icmpext(cur):
    """ICMP extensions as scamper stores them: [(class, type, data)]."""
    p = cur.pos
    total = cur.u16()
    if total == 0:
        raise WartsError('empty ICMP extension block', p)
    end = cur.take(total, 'ICMP extensions') + total
    cur.pos = end - total
    objs = []
    while cur.pos < end:
        if end - cur.pos < 4:
            raise WartsError('truncated ICMP extension', cur.pos)
        dl = cur.u16()
        cn, ct = cur.u8(), cur.u8()
        if cur.pos + dl > end:
            raise WartsError('ICMP extension overruns its block', cur.pos)
        objs.append((cn, ct, cur.bytes(dl)))
    return objs


# --- writing ---------------------------------------------------------------

def u8(v):
    return bytes((v,))


def u16(v):
    return U16.pack(v)


def u32(v):
    return U32.pack(v)


def timeval(t):
    """Float epoch seconds -> 8 bytes."""
    sec, usec = divmod(round(t * 1000000), 1000000)
    return TIMEVAL.pack(sec, usec)


def rtt(us):
    return U32.pack(us & 0xffffffff)


def string(s):
    return s.encode('utf-8', 'surrogateescape') + b'\0'


def saddr(a):
    return bytes((len(a), ADDR_TYPES[len(a)])) + a


class AddrTable:
    """The writer's per-object address table: call ``enc`` in write
    order; the first use of an address defines it, later ones refer."""

    def __init__(self):
        self.ids = {}

    def enc(self, a):
        i = self.ids.get(a)
        if i is not None:
            return b'\0' + U32.pack(i)
        self.ids[a] = len(self.ids)
        return saddr(a)


def flags_bytes(ids):
    """The flag bitmap for the set field numbers ``ids``."""
    if not ids:
        return b'\0'
    n = (max(ids) + 6) // 7
    out = bytearray(n)
    for i in ids:
        out[(i - 1) // 7] |= 1 << ((i - 1) % 7)
    for i in range(n - 1):
        out[i] |= 0x80
    return bytes(out)


def id_params(list_id, cycle_id, userid=0):
    """Fields 1, 2 and 3 that most objects begin with: the list, cycle and
    user ids, as (field number, value) pairs for those that are set."""
    return [(n, u32(v)) for n, v in ((1, list_id), (2, cycle_id), (3, userid))
            if v]


_flags_memo = {}       # tuple of field numbers -> flags_bytes of them
FLAGS_MEMO_MAX = 4096


def params_bytes(values):
    """A parameter block from [(field number, encoded value)] in
    ascending field order."""
    if not values:
        return b'\0'
    return params_from([n for n, _ in values], [v for _, v in values])


def params_from(ids, values):
    """A parameter block from the field numbers ``ids``, in ascending
    order, and their encoded ``values`` (bytes that may hold several
    fields' values, in order)."""
    if not ids:
        return b'\0'
    key = tuple(ids)
    flags = _flags_memo.get(key)
    if flags is None:
        if len(_flags_memo) >= FLAGS_MEMO_MAX:
            _flags_memo.clear()
        flags = _flags_memo[key] = flags_bytes(key)
    data = b''.join(values)
    return flags + U16.pack(len(data)) + data


def icmpext_bytes(objs):
    data = b''.join(U16.pack(len(d)) + bytes((cn, ct)) + d
                    for cn, ct, d in objs)
    return U16.pack(len(data)) + data


def header(otype, body_len):
    return struct.pack('>HHI', 0x1205, otype, body_len)
