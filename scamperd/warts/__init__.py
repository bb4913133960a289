"""Warts, scamper's binary output format: reading and writing.

``ScamperFile`` (api.py) is the interface for users; ``file.read_objects``
and ``file.encode_object`` the ones for the rest of scamperd.  Each object
type registers its decoder and encoder with file.py when its module is
imported: file.py imports a type's module when it first meets the type
(and api.py all of them), so that a daemon writing pings loads no other.
"""

from scamperd.warts.codec import WartsError

__all__ = ['ScamperFile', 'WartsError']


def __getattr__(name):
    # the reader's API loads every type; the daemon writes results without
    if name == 'ScamperFile':
        from scamperd.warts.api import ScamperFile
        return ScamperFile
    raise AttributeError("module 'scamperd.warts' has no attribute %r" % name)
