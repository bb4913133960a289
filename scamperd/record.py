"""The base of per-reply records (trace hops, ping replies)."""


class ReplyRecord:
    """Fields are the subclass's ``__slots__``: set by keyword, None when
    not given, except those in ``DEFAULTS``."""

    __slots__ = ()
    DEFAULTS = {}

    _INIT = {}

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        # every field's initial value, so that __init__ sets each once
        cls._INIT = {**dict.fromkeys(cls.__slots__), **cls.DEFAULTS}

    def __init__(self, **kw):
        for k, v in (self._INIT | kw).items():
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
