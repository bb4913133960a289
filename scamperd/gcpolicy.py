"""When the workers and the supervisor collect garbage."""

import gc
import time

FULL_GC_EVERY = 300.0     # seconds between collections of old objects


def quiet_gc():
    """Tasks in flight are many (one per address probed in the last
    seconds) and make few reference cycles.  Never look at what was loaded
    before this point again; collect the young objects now and then, and
    the old ones only when asked (old_gc()): a collection of the older
    generations at 10 000 pps scans a million objects and stalls the
    sending for tens of milliseconds (measured: the largest gaps on the
    wire, 15-25 ms, went with it)."""
    gc.freeze()
    gc.set_threshold(50000, 1 << 30, 1 << 30)
    return time.time() + FULL_GC_EVERY


def old_gc(due):
    """Collect every generation if ``due`` (a time) has come; the next due
    time."""
    now = time.time()
    if now < due:
        return due
    gc.collect()
    return now + FULL_GC_EVERY
