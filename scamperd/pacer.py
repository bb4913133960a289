"""One packets-per-second budget shared by every worker process.

The budget is a clock of send slots, 1/pps apart, kept in shared memory:
a worker with a probe to send claims the next slot and sends at that time.
A worker that woke late may send at once for a slot that has passed
(catching up), but the clock is never more than CATCHUP behind the present:
after an idle spell the first probe goes at once and the rest follow at the
regular spacing, without a burst.
"""

import multiprocessing
import multiprocessing.sharedctypes  # noqa: F401  (loaded before dropping root)
import multiprocessing.synchronize  # noqa: F401

CATCHUP = 0.010   # seconds of missed slots that may still be caught up


class Pacer:
    def __init__(self, pps, ctx=None):
        ctx = ctx or multiprocessing.get_context('fork')
        self._next = ctx.RawValue('d', 0.0)
        self._gap = ctx.RawValue('d', 1.0 / pps)
        self._lock = ctx.Lock()

    @property
    def pps(self):
        return round(1.0 / self._gap.value)

    def set_pps(self, pps):
        with self._lock:
            self._gap.value = 1.0 / pps

    def claim(self, now):
        """Reserve the next send slot and return its time."""
        with self._lock:
            t = self._next.value
            if t < now - CATCHUP:
                t = now
            self._next.value = t + self._gap.value
            return t

    def repair(self):
        """Free the lock if a worker died holding it (the critical
        section lasts microseconds, so a lock held this long is orphaned).
        Called by the supervisor after a worker died."""
        if self._lock.acquire(timeout=0.2):
            self._lock.release()
        else:
            self._lock.release()
