"""What tbit and sting share as methods: one TCP flow they drive
themselves from a port no socket owns.

Both declare, before ``start``, a ``firewall`` rule for their 5-tuple
(the engine asks the privileged helper for it and sets ``firewall_error``
when it cannot) and a ``tap`` on the route's interface, whose frames give
them the packets as they were on the wire.  They send packets they built
whole (``packet`` in scamperd/probe.py) and keep scamper's task queues: a
task waits to send a probe ('probe'), waits for its timeout ('wait'), or is
done.
"""

from scamperd.method import Method
from scamperd.net import ethernet
from scamperd.probe import Probe, IPPROTO_TCP
from scamperd.tbit import wire


class FlowMethod(Method):
    firewall_error = None

    def __init__(self, result, cmd, ctx):
        self.result = result
        result.src = cmd.src or ctx.src
        result.sport = cmd.sport or ctx.sport
        self.tap = ctx.ifindex
        self.firewall = (result.src, result.sport, result.dst, result.dport)
        self._q = 'probe'           # scamper's queue: probe, wait, done
        self._deadline = None
        self._sent = []             # (recorded packet, Probe): tv once sent

    def ready(self):
        return self._q == 'probe' and not self.done

    def timer(self):
        return self._deadline if self._q == 'wait' and not self.done \
            else None

    def _stamp(self):
        """Give the packets sent so far the time the engine sent them."""
        for rec, probe in self._sent:
            if probe.tx:
                rec.tv = probe.tx
        self._sent = [(r, p) for r, p in self._sent if not p.tx]

    def _probe(self, data, rec):
        """The Probe that sends ``data`` (an IP packet of this flow), whose
        record ``rec`` gets the time it left."""
        r = self.result
        probe = Probe(4 if len(r.dst) == 4 else 6, r.src, r.dst,
                      IPPROTO_TCP, sport=r.sport, dport=r.dport, packet=data)
        self._sent.append((rec, probe))
        return probe

    def _packet(self, reply):
        """The wire.Packet a tap frame carries from the destination to us,
        or None."""
        if self.done or reply.frame is None:
            return None
        found = ethernet.ip_packet(reply.frame, reply.link)
        if found is None:
            return None
        p = wire.parse(*found)
        r = self.result
        if p is None or p.src != r.dst or p.dst != r.src:
            return None
        p.rx = reply.rx
        return p

    def _ours(self, p):
        """Whether ``p`` is TCP of this flow."""
        r = self.result
        return p.proto == IPPROTO_TCP and p.sport == r.dport and \
            p.dport == r.sport
