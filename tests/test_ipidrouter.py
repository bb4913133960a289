"""The alias lab's emulated routers (ipidrouter.py) must not look like
aliases by luck: their IP-ID counters start apart in each byte, and
SIGUSR1 spreads them again.  prefixscan found 198.19.0.10 an alias of
198.19.0.18 in one CI run: their counters' low bytes were the same, and
byte-swapped (which ally and prefixscan also try) one counter's replies
fell between the other's, 256 apart."""

import random
import types

from ipidrouter import Router
from scamperd.dealias.method import ipid_inseq

ROUTERS = 5         # as test_dealias_alias_lab.ROUTERS
FUDGE = 200         # dealias's default


def _interleaved(a, b, n=3):
    """The probes of an a, b, a, b ... exchange, one reply each."""
    pd = types.SimpleNamespace(dst=b'\0' * 4)
    out = []
    for _ in range(n):
        for r in (a, b):
            rep = types.SimpleNamespace(ipid=r.next_ipid())
            out.append(types.SimpleNamespace(probedef=pd, replies=[rep]))
    return out


def test_no_two_routers_are_in_sequence_either_byte_order():
    for seed in range(200):
        rng = random.Random(seed)
        routers = [Router(rng, i, ROUTERS) for i in range(ROUTERS)]
        for _ in range(2):
            for a in routers:
                for b in routers:
                    if a is not b:
                        assert ipid_inseq(_interleaved(a, b), FUDGE, 2) == 0
            for r in routers:       # SIGUSR1
                r.spread(rng)


def test_the_counters_differ_in_each_byte():
    rng = random.Random(1)
    ids = [Router(rng, i, ROUTERS).ipid for i in range(ROUTERS)]
    for byte in (lambda v: v >> 8, lambda v: v & 0xff):
        vals = sorted(byte(v) for v in ids)
        assert min(b - a for a, b in zip(vals, vals[1:])) >= 0x100 // 5 * 3 // 4
