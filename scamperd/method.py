"""The interface every measurement method implements (sans-I/O).

A method is a plain object that holds the state of one measurement.  It has
no sockets and reads no clock: the engine (scamperd/engine.py) or a test
(tests/simnet.py) drives it with the current time.

The engine's contract, for each task:

* ``start(now)`` once, when the task begins.
* While ``ready()`` is true, the task waits in the engine's send queue; when
  the pacer grants a slot the engine calls ``next_probe(now)``, encodes and
  sends the returned :class:`scamperd.probe.Probe`, sets ``probe.tx`` to
  the moment it left, and calls ``probe_sent(probe)`` (a method that
  keeps the object sees ``tx`` there too; one that keeps many may keep
  only what it needs of each instead).  If the send fails the engine
  calls ``send_error(probe, errno, now)`` instead.
* ``timer()`` is the time at which ``handle_timer(now)`` must next be
  called when nothing arrives (a timeout, or an inter-probe wait), or None.
* Every reply whose demultiplexing key matches a probe the task sent goes
  to ``receive(reply, now)``; the method decides whether it answers a probe.
* After every call the engine re-reads ``done``, ``ready()`` and ``timer()``.
* ``halt(now)`` stops the measurement early (stop reason halted).
* When ``done`` is true, ``result`` is the finished result object.

A method whose ``tap`` is an interface index (set before ``start``) gets a
datalink socket of its own on that interface: every frame read there,
either way, goes to ``receive`` as a Reply with ``frame``, ``link`` and
``rx`` (neighbour discovery, sniff), and its probes may carry a whole
``frame`` to send there.
"""


class Method:
    # no __dict__ of its own: a method that lists its fields in
    # __slots__ has none (a subclass that does not gets one as usual)
    __slots__ = ()
    done = False
    result = None
    tap = 0

    def start(self, now):
        raise NotImplementedError

    def ready(self):
        """True when the method has a probe to send now."""
        raise NotImplementedError

    def next_probe(self, now):
        raise NotImplementedError

    def probe_sent(self, probe):
        """``probe`` left at ``probe.tx``."""

    def send_error(self, probe, err, now):
        raise NotImplementedError

    def timer(self):
        raise NotImplementedError

    def handle_timer(self, now):
        raise NotImplementedError

    def receive(self, reply, now):
        raise NotImplementedError

    def halt(self, now):
        raise NotImplementedError


class Context:
    """What the engine knows that a method needs when it is created.

    ``src``: packed source address the route to the target gives (a method
    told -S uses that instead); ``sport``: the default source port / ICMP
    identifier (scamper's: (pid & 0x7fff) | 0x8000); ``lss``: the engine's
    named local stop sets (dict name -> set of packed addresses) for
    doubletree.  ``ifindex`` and ``ifmtu``, the interface the route uses
    and its MTU, are looked up the first time a method reads them (only a
    few methods need them), through ``interface()`` which returns
    (ifindex, ifmtu).
    """

    def __init__(self, src, sport, lss=None, interface=None, ifmtu=1500,
                 ifindex=0):
        self.src = src
        self.sport = sport
        self.lss = lss if lss is not None else {}
        self._interface = interface
        self._if = None if interface else (ifindex, ifmtu)

    def _lookup(self):
        if self._if is None:
            self._if = self._interface()
        return self._if

    @property
    def ifindex(self):
        return self._lookup()[0]

    @property
    def ifmtu(self):
        return self._lookup()[1]


class CommandError(ValueError):
    """A measurement command that cannot be run, with a message for the
    user that names the offending option or value."""
