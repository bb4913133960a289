"""The base of per-reply records (trace hops, ping replies)."""


class ReplyRecord:
    """Fields are the subclass's ``__slots__``: set by keyword, None when
    not given, except those in ``DEFAULTS``."""

    __slots__ = ()
    DEFAULTS = {}

    def __init_subclass__(cls, **kw):
        """Give the subclass an __init__ made for its fields (as dataclasses
        do): keyword arguments, one store per field, no loop."""
        super().__init_subclass__(**kw)
        init = {**dict.fromkeys(cls.__slots__), **cls.DEFAULTS}
        src = 'def __init__(self, *, %s):\n%s\n' % (
            ', '.join('%s=_d[%r]' % (k, k) for k in init),
            '\n'.join('    self.%s = %s' % (k, k) for k in init) or '    pass')
        ns = {'_d': init}
        exec(src, ns)
        cls.__init__ = ns['__init__']

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)

    @property
    def is_icmp(self):
        return self.icmp_type is not None

    @property
    def is_tcp(self):
        return self.tcp_flags is not None

    def __repr__(self):
        return '%s(%s)' % (type(self).__name__, ', '.join(
            '%s=%r' % (k, getattr(self, k)) for k in self.__slots__
            if getattr(self, k) is not None))
