"""The shared packets-per-second budget (scamperd/pacer.py)."""

from scamperd.pacer import CATCHUP, Pacer


def test_slots_are_evenly_spaced():
    p = Pacer(1000)
    t0 = 100.0
    slots = [p.claim(t0) for _ in range(5)]
    assert slots[0] == t0
    gaps = [b - a for a, b in zip(slots, slots[1:])]
    assert all(abs(g - 0.001) < 1e-9 for g in gaps)


def test_late_wakeup_catches_up_but_idle_does_not_burst():
    p = Pacer(1000)
    assert p.claim(100.0) == 100.0
    # woke 5 ms late: the missed slots may still be used (catch up)
    assert p.claim(100.005) == 100.001
    # idle for a second: the clock restarts at now, no backlog of slots
    t = p.claim(101.0)
    assert t == 101.0
    assert p.claim(101.0) == 101.0 + 0.001
    assert CATCHUP < 1.0


def test_set_pps_changes_the_spacing_and_repair_frees_a_stuck_lock():
    p = Pacer(10)
    p.claim(5.0)
    p.set_pps(100)
    assert abs(p.claim(5.0) - 5.1) < 1e-9
    assert abs(p.claim(5.0) - 5.11) < 1e-9
    assert p.pps == 100
    p._lock.acquire()          # a worker died inside claim()
    p.repair()
    assert p.claim(6.0) == 6.0


def test_forked_workers_share_the_clock():
    import os
    p = Pacer(1000)
    assert p.claim(200.0) == 200.0
    pid = os.fork()
    if pid == 0:                    # a worker takes the next two slots
        p.claim(200.0)
        p.claim(200.0)
        os._exit(0)
    os.waitpid(pid, 0)
    assert abs(p.claim(200.0) - 200.003) < 1e-9
