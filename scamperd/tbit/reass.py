"""Reassembly of the fragments of a TCP packet, as tbit does it (scamper
20211212's tbit_reassemble): fragments are kept by IP id (the fragment
header's id in IPv6) and ordered by offset; once the last one is in and
the offsets leave no gap, the packet's bytes are put back together and
read again as one TCP packet marked ``reass``.

Bounded (scamper's is not): at most MAX_PACKETS packets and MAX_BYTES of
fragment data are held; past that the oldest packet's fragments go."""

from scamperd.tbit import wire

MAX_PACKETS = 64
MAX_BYTES = 1 << 20


class Fragments:

    def __init__(self):
        self._held = {}         # ip id -> {offset: fragment Packet}
        self._bytes = 0

    def add(self, p):
        """Hold the fragment ``p`` (a wire.Packet with ``frag`` set, of
        TCP, with data); return the reassembled wire.Packet when ``p``
        completes one, else None."""
        frags = self._held.get(p.ipid)
        if frags is None:
            while self._held and (len(self._held) >= MAX_PACKETS or
                                  self._bytes + len(p.body) > MAX_BYTES):
                self._drop(next(iter(self._held)))
            frags = self._held[p.ipid] = {}
        if p.off in frags:
            return None
        frags[p.off] = p
        self._bytes += len(p.body)
        last = [f for f in frags.values() if not f.mf]
        if not last or len(frags) < 2:
            return None
        order = sorted(frags)
        if order[0] != 0 or any(
                a + len(frags[a].body) != b for a, b in zip(order, order[1:])):
            return None
        self._drop(p.ipid)
        data = b''.join(frags[o].body for o in order)
        whole = wire.Packet(p.version, p.raw[:p.hl] + data)
        for name in ('src', 'dst', 'proto', 'tos', 'ttl', 'ipid', 'df', 'hl'):
            setattr(whole, name, getattr(p, name))
        whole.reass = True
        wire.read_tcp(whole, data)
        return whole if whole.proto == wire.IPPROTO_TCP else None

    def _drop(self, ipid):
        for f in self._held.pop(ipid).values():
            self._bytes -= len(f.body)
