"""One packets-per-second budget shared by every worker process.

The budget is a clock of send slots, 1/pps apart, kept in memory that the
supervisor's forked workers share: a worker with a probe to send claims
the next slot and sends at that time.  A worker that woke late may send at
once for a slot that has passed (catching up), but the clock is never more
than CATCHUP behind the present: after an idle spell the first probe goes
at once and the rest follow at the regular spacing, without a burst.

The clock is two doubles in an anonymous shared mapping, guarded by a
process-shared semaphore (the one multiprocessing.Lock is made of, without
the rest of multiprocessing, which costs start-up time).
"""

import mmap
import os
import struct

from _multiprocessing import SemLock

CATCHUP = 0.010   # seconds of missed slots that may still be caught up
_CLOCK = struct.Struct('dd')      # next slot, gap between slots
_SEMAPHORE = 1


class Pacer:
    def __init__(self, pps):
        self._mem = mmap.mmap(-1, _CLOCK.size)   # MAP_SHARED, anonymous
        _CLOCK.pack_into(self._mem, 0, 0.0, 1.0 / pps)
        # named only while it is made: unlinked at once, shared by fork
        self._lock = SemLock(_SEMAPHORE, 1, 1, '/scamper-pacer-%d-%x'
                             % (os.getpid(), id(self)), True)

    @property
    def pps(self):
        return round(1.0 / _CLOCK.unpack_from(self._mem)[1])

    def set_pps(self, pps):
        with self._lock:
            t = _CLOCK.unpack_from(self._mem)[0]
            _CLOCK.pack_into(self._mem, 0, t, 1.0 / pps)

    def claim(self, now):
        """Reserve the next send slot and return its time."""
        mem = self._mem
        with self._lock:
            t, gap = _CLOCK.unpack_from(mem)
            if t < now - CATCHUP:
                t = now
            _CLOCK.pack_into(mem, 0, t + gap, gap)
            return t

    def repair(self):
        """Free the lock if a worker died holding it (the critical
        section lasts microseconds, so a lock held this long is orphaned).
        Called by the supervisor after a worker died."""
        if self._lock.acquire(True, 0.2):
            self._lock.release()
        else:
            self._lock.release()
