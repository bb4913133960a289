"""Warts, scamper's binary output format: reading and writing.

``ScamperFile`` (api.py) is the interface for users; ``file.read_objects``
and ``file.encode_object`` the ones for the rest of scamperd.  Each object
type registers its decoder and encoder with file.py when its module is
imported; the modules are imported here.
"""

from scamperd.warts import cycle  # noqa: F401  (registers lists, cycles)
from scamperd.trace import warts as _trace  # noqa: F401
from scamperd.ping import warts as _ping  # noqa: F401
from scamperd.neighbourdisc import warts as _neighbourdisc  # noqa: F401
from scamperd.sting import warts as _sting  # noqa: F401
from scamperd.sniff import warts as _sniff  # noqa: F401
from scamperd.tbit import warts as _tbit  # noqa: F401
from scamperd.host import warts as _host  # noqa: F401
from scamperd.udpprobe import warts as _udpprobe  # noqa: F401
from scamperd.http import warts as _http  # noqa: F401
from scamperd.owamp import warts as _owamp  # noqa: F401
from scamperd.tracelb import warts as _tracelb  # noqa: F401
from scamperd.dealias import warts as _dealias  # noqa: F401
from scamperd.warts.codec import WartsError
from scamperd.warts.api import ScamperFile

__all__ = ['ScamperFile', 'WartsError']
