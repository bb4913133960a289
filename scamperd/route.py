"""Source address and interface look-ups for a destination.

The source address comes from the kernel's routing decision for a
connected UDP socket (no packet is sent), one socket per address family
connected again for each task: cheap enough for every task.  The
outgoing interface and its MTU, which only some methods need (trace -M,
datalink options), come from a netlink route query through pyroute2, which
is imported the first time it is needed (it takes longer to load than the
rest of scamper).  Neither needs privilege.
"""

import socket


class RouteError(OSError):
    pass


def _text(dst):
    family = socket.AF_INET if len(dst) == 4 else socket.AF_INET6
    return family, socket.inet_ntop(family, dst)


class Router:
    def __init__(self):
        self._ipr = None
        self._mtu = {}
        self._udp = {}          # family -> the UDP socket connected to ask
        # source address text -> its packed form: one object for all the
        # tasks that use it (a list's pings keep theirs by the thousand)
        self._packed = {}

    def source(self, dst):
        """The packed source address the kernel would use towards dst."""
        family, text = _text(dst)
        s = self._udp.get(family)
        if s is None:
            s = self._udp[family] = socket.socket(family, socket.SOCK_DGRAM)
        try:
            s.connect((text, 33434))
            src = s.getsockname()[0]
        except OSError as e:
            raise RouteError('no route to %s: %s'
                             % (text, e.strerror or e)) from None
        packed = self._packed.get(src)
        if packed is None:
            if len(self._packed) >= 256:
                self._packed.clear()
            packed = self._packed[src] = socket.inet_pton(
                family, src.split('%')[0])
        return packed

    def interface(self, dst):
        """(ifindex, ifmtu) of the interface the route to dst uses."""
        family, text = _text(dst)
        try:
            msgs = self._nl().route('get', dst=text, family=family)
        except Exception as e:      # NetlinkError: no route, unreachable
            raise RouteError('no route to %s: %s' % (text, e)) from None
        oif = msgs[0].get_attr('RTA_OIF') if msgs else None
        if not oif:
            raise RouteError('no interface for %s' % text)
        return oif, self.ifmtu(oif)

    def _nl(self):
        if self._ipr is None:
            from pyroute2 import IPRoute
            self._ipr = IPRoute()
        return self._ipr

    def ifmtu(self, ifindex):
        mtu = self._mtu.get(ifindex)
        if mtu is None:
            mtu = 1500
            try:
                links = self._nl().link('get', index=ifindex)
                if links:
                    mtu = links[0].get_attr('IFLA_MTU') or 1500
            except Exception:
                pass
            self._mtu[ifindex] = mtu
        return mtu

    def close(self):
        for s in self._udp.values():
            s.close()
        self._udp.clear()
        if self._ipr is not None:
            self._ipr.close()
            self._ipr = None
