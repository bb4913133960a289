"""Source address and interface look-ups for a destination (netlink).

Asks the kernel which route a probe to ``dst`` would take, as the probe
itself would: the preferred source address, the outgoing interface and its
MTU.  Needs no privilege.
"""

import socket

from pyroute2 import IPRoute


class RouteError(OSError):
    pass


class Router:
    def __init__(self):
        self._ipr = None
        self._mtu = {}

    def _nl(self):
        if self._ipr is None:
            self._ipr = IPRoute()
        return self._ipr

    def lookup(self, dst):
        """Return (src, ifindex, ifmtu) for packed address ``dst``."""
        family = socket.AF_INET if len(dst) == 4 else socket.AF_INET6
        text = socket.inet_ntop(family, dst)
        try:
            msgs = self._nl().route('get', dst=text, family=family)
        except Exception as e:      # NetlinkError: no route, unreachable
            raise RouteError('no route to %s: %s' % (text, e)) from None
        if not msgs:
            raise RouteError('no route to %s' % text)
        m = msgs[0]
        src = m.get_attr('RTA_PREFSRC')
        oif = m.get_attr('RTA_OIF') or 0
        if src is None:
            raise RouteError('no source address for %s' % text)
        return socket.inet_pton(family, src), oif, self.ifmtu(oif)

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
        if self._ipr is not None:
            self._ipr.close()
            self._ipr = None
