"""The base of per-reply records (trace hops, ping replies)."""


class ReplyRecord:
    """Fields are the subclass's ``__slots__``: set by keyword, None when
    not given, except those in ``DEFAULTS``."""

    __slots__ = ()
    DEFAULTS = {}

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, None)
        for k, v in self.DEFAULTS.items():
            setattr(self, k, v)
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
