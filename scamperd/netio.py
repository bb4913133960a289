"""The engine's sockets: sending encoded probes and reading replies.

Every socket comes from the privileged helper.  Probes leave through raw
IPPROTO_RAW sockets (the application writes the whole IPv4 or IPv6 packet);
replies arrive on raw ICMP, ICMPv6, and (opened when first needed) raw TCP
and UDP sockets, each with kernel receive timestamps (SO_TIMESTAMPNS).
"""

import socket
import struct

from scamperd.net.packet import decode_ipv4, decode_ipv6
from scamperd.probe import (IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP,
                            IPPROTO_UDP)

SO_TIMESTAMPNS = getattr(socket, 'SO_TIMESTAMPNS', 35)
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
IPV6_RECVHOPLIMIT = getattr(socket, 'IPV6_RECVHOPLIMIT', 51)
IPV6_HOPLIMIT = getattr(socket, 'IPV6_HOPLIMIT', 52)
IPV6_RECVPKTINFO = getattr(socket, 'IPV6_RECVPKTINFO', 49)
IPV6_PKTINFO = getattr(socket, 'IPV6_PKTINFO', 50)
IPV6_RECVTCLASS = getattr(socket, 'IPV6_RECVTCLASS', 66)
IPV6_TCLASS = getattr(socket, 'IPV6_TCLASS', 67)

IP_MTU_DISCOVER = getattr(socket, 'IP_MTU_DISCOVER', 10)
IPV6_MTU_DISCOVER = getattr(socket, 'IPV6_MTU_DISCOVER', 23)
IP_PMTUDISC_PROBE = 3

_TIMESPEC = struct.Struct('@qq')
_INT = struct.Struct('@i')
CMSG_SPACE = socket.CMSG_SPACE(16) + 3 * socket.CMSG_SPACE(20)
RECV_BATCH = 256          # datagrams read per readiness event, at most

_RX_KINDS = {
    (4, IPPROTO_ICMP): 'icmp4', (6, IPPROTO_ICMPV6): 'icmp6',
    (4, IPPROTO_TCP): 'tcp4', (6, IPPROTO_TCP): 'tcp6',
    (4, IPPROTO_UDP): 'udp4', (6, IPPROTO_UDP): 'udp6',
}


class RxSocket:
    __slots__ = ('sock', 'family', 'proto')

    def __init__(self, sock, family, proto):
        self.sock = sock
        self.family = family
        self.proto = proto

    def fileno(self):
        return self.sock.fileno()


class NetIO:
    def __init__(self, priv):
        self.priv = priv
        self._tx = {}
        self.rx = {}          # (family, proto) -> RxSocket

    # -- sockets -----------------------------------------------------------

    def tx_socket(self, family):
        s = self._tx.get(family)
        if s is None:
            s = self.priv.open_socket('raw4' if family == 4 else 'raw6')
            s.setblocking(False)
            # send probes as built, whatever path MTU the kernel has cached
            # (PMTUD measures the network, not the cache)
            if family == 4:
                s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER,
                             IP_PMTUDISC_PROBE)
            else:
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER,
                             IP_PMTUDISC_PROBE)
            self._tx[family] = s
        return s

    def ensure_rx(self, family, proto):
        """Open the receive socket for replies to probes of ``proto``;
        return a new RxSocket to register, or None if already open."""
        if proto == IPPROTO_ICMPV6:
            proto = IPPROTO_ICMP
        want = [(family, IPPROTO_ICMP if family == 4 else IPPROTO_ICMPV6)]
        if proto in (IPPROTO_TCP, IPPROTO_UDP):
            want.append((family, proto))
        new = []
        for key in want:
            if key in self.rx:
                continue
            s = self.priv.open_socket(_RX_KINDS[key])
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            if family == 6:
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
            rx = RxSocket(s, key[0], key[1])
            self.rx[key] = rx
            new.append(rx)
        return new

    def close(self):
        for s in self._tx.values():
            s.close()
        for rx in self.rx.values():
            rx.sock.close()
        self._tx.clear()
        self.rx.clear()

    # -- sending -----------------------------------------------------------

    def send(self, family, dst, data):
        """Send one packet; raises OSError on failure."""
        s = self._tx.get(family) or self.tx_socket(family)
        if family == 4:
            s.sendto(data, (socket.inet_ntop(socket.AF_INET, dst), 0))
        else:
            s.sendto(data, (socket.inet_ntop(socket.AF_INET6, dst), 0))

    # -- receiving ---------------------------------------------------------

    def receive(self, rx, fallback_now):
        """Read every datagram waiting on ``rx``; return decoded replies."""
        out = []
        sock = rx.sock
        for _ in range(RECV_BATCH):
            try:
                data, anc, _flags, addr = sock.recvmsg(65535, CMSG_SPACE)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            t = None
            hlim = tclass = 0
            dst = None
            for level, ctype, cdata in anc:
                if level == socket.SOL_SOCKET and ctype == SCM_TIMESTAMPNS:
                    sec, nsec = _TIMESPEC.unpack_from(cdata)
                    t = sec + nsec * 1e-9
                elif level == socket.IPPROTO_IPV6:
                    if ctype == IPV6_HOPLIMIT:
                        hlim = _INT.unpack_from(cdata)[0]
                    elif ctype == IPV6_TCLASS:
                        tclass = _INT.unpack_from(cdata)[0]
                    elif ctype == IPV6_PKTINFO:
                        dst = bytes(cdata[:16])
            if t is None:
                t = fallback_now()
            if rx.family == 4:
                r = decode_ipv4(data, t)
            else:
                try:
                    src = socket.inet_pton(socket.AF_INET6,
                                           addr[0].split('%')[0])
                except (OSError, IndexError, TypeError):
                    continue
                flow = (addr[2] & 0xfffff) if len(addr) > 2 else 0
                r = decode_ipv6(rx.proto, data, src, dst, hlim, tclass, t,
                                flow)
            if r is not None:
                out.append(r)
        return out
