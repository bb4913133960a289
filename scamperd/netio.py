"""The engine's sockets: sending encoded probes and reading replies.

Every socket comes from the privileged helper.  Probes leave through raw
IPPROTO_RAW sockets (the application writes the whole IPv4 or IPv6 packet),
each send returning the kernel's software transmit timestamp when the
kernel has it at once (SO_TIMESTAMPING, from the socket's error queue):
on a fast path the reply can be in before sendto returns, so a time taken
by the application around the call is off by the path's whole RTT; replies
arrive on raw ICMP, ICMPv6, and (opened when first needed) raw TCP
and UDP sockets, each with kernel receive timestamps (SO_TIMESTAMPNS).

For tasks that ask for it (-O dl), an AF_PACKET socket on the interface
the route uses sees the frames going both ways, with the kernel's
timestamps: the probes' own frames (matched to the probes just sent, which
:meth:`NetIO.watch_tx` registers) and the replies.
"""

import errno
import socket
import struct

from scamperd.net import ethernet
from scamperd.net.packet import (decode_ipv4, decode_ipv6, decode_ipv6_packet,
                                 peek_key4, peek_key6)
from scamperd.probe import (IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP,
                            IPPROTO_UDP, Reply)

SO_TIMESTAMPNS = getattr(socket, 'SO_TIMESTAMPNS', 35)
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
IPV6_RECVHOPLIMIT = getattr(socket, 'IPV6_RECVHOPLIMIT', 51)
IPV6_HOPLIMIT = getattr(socket, 'IPV6_HOPLIMIT', 52)
IPV6_RECVPKTINFO = getattr(socket, 'IPV6_RECVPKTINFO', 49)
IPV6_PKTINFO = getattr(socket, 'IPV6_PKTINFO', 50)
IPV6_RECVTCLASS = getattr(socket, 'IPV6_RECVTCLASS', 66)
IPV6_TCLASS = getattr(socket, 'IPV6_TCLASS', 67)

SO_TIMESTAMPING = getattr(socket, 'SO_TIMESTAMPING', 37)
# software transmit stamps, numbered per socket, without the packet
TS_TX_SOFTWARE, TS_SOFTWARE, TS_OPT_ID, TS_OPT_TSONLY = 2, 16, 128, 2048
TS_FLAGS = TS_TX_SOFTWARE | TS_SOFTWARE | TS_OPT_ID | TS_OPT_TSONLY
_EXT_ERR = struct.Struct('=IBBBBII')     # sock_extended_err
SO_EE_ORIGIN_TIMESTAMPING = 4
STAMP_READS = 8           # error queue messages read per send, at most

IP_MTU_DISCOVER = getattr(socket, 'IP_MTU_DISCOVER', 10)
IPV6_MTU_DISCOVER = getattr(socket, 'IPV6_MTU_DISCOVER', 23)
IP_PMTUDISC_PROBE = 3
SO_ATTACH_FILTER = 26

_TIMESPEC = struct.Struct('@qq')
_INT = struct.Struct('@i')
CMSG_SPACE = socket.CMSG_SPACE(16) + 3 * socket.CMSG_SPACE(20)
RECV_BATCH = 256          # datagrams read per readiness event, at most
FRAME_MAX = 65535 + 64    # an IP packet and its link-layer header
WATCH_MAX = 4096          # probes awaiting their outgoing frame, at most

# the ICMP messages scamper hands a task from the datalink (tx_ip_check in
# scamper_task.c): echo request and reply, time exceeded, unreachable and
# packet too big; not timestamp replies, not parameter problems
DL_ICMP_TYPES = {4: (0, 8, 11, 3), 6: (128, 129, 3, 1, 2)}

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


class DlSocket:
    """An AF_PACKET socket on one interface, of link type ``hatype``."""
    __slots__ = ('sock', 'ifindex', 'hatype')

    def __init__(self, sock, ifindex, hatype):
        self.sock = sock
        self.ifindex = ifindex
        self.hatype = hatype

    def fileno(self):
        return self.sock.fileno()


def attach_filter(sock, prog):
    """Attach the classic BPF program ``prog`` (packed struct sock_filter
    instructions) to ``sock``; the kernel copies it."""
    import ctypes       # only datalink sockets take a filter
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = struct.pack('HP', len(prog) // 8, ctypes.addressof(buf))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)


def tx_key(pkt):
    """What identifies a probe among the packets this host sends: its
    destination, IPv4 IP-ID or IPv6 first word (flow label), and the first
    eight bytes of its transport header.  The kernel leaves these as the
    engine wrote them (it fills in an IPv4 IP-ID of zero, see
    :meth:`NetIO.watch_tx`)."""
    if pkt[0] >> 4 == 4:
        hl = (pkt[0] & 15) * 4
        return bytes(pkt[16:20]), bytes(pkt[4:6]), bytes(pkt[hl:hl + 8])
    return bytes(pkt[24:40]), bytes(pkt[0:4]), bytes(pkt[40:48])


class NetIO:
    def __init__(self, priv):
        self.priv = priv
        self._tx = {}
        self._tskey = {}      # family -> id of the next transmit stamp
        self.rx = {}          # (family, proto) -> RxSocket
        self._watched = {}    # tx_key -> Probe whose frame is awaited

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
            try:
                s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, TS_FLAGS)
                self._tskey[family] = 0
            except OSError:   # no transmit stamps: the engine's clock only
                pass
            self._tx[family] = s
        return s

    def ensure_rx(self, family, proto):
        """Open the receive sockets for replies to probes of ``proto``;
        return the new RxSockets to register (none if already open)."""
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

    def open_dl(self, ifindex):
        """A DlSocket on interface ``ifindex`` for the engine's -O dl
        tasks: IP packets only (OSError if it cannot be opened, or its link
        type is not one scamper reads)."""
        dl = self.open_tap(ifindex)
        try:
            if dl.hatype in ethernet.ETHERNET_LINKS:
                attach_filter(dl.sock, ethernet.ip_filter())
            elif dl.hatype not in ethernet.RAW_IP_LINKS:
                raise OSError(errno.EINVAL, 'unsupported datalink %d'
                              % dl.hatype)
        except OSError:
            dl.sock.close()
            raise
        return dl

    def close_dl(self, dl):
        dl.sock.close()

    def open_tap(self, ifindex):
        """A DlSocket on ``ifindex`` that keeps every frame (a task's own
        datalink, see ``tap`` in scamperd/method.py), with the kernel's
        receive timestamps."""
        s = self.priv.open_datalink(socket.if_indextoname(ifindex))
        try:
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            hatype = s.getsockname()[3]
        except OSError:
            s.close()
            raise
        return DlSocket(s, ifindex, hatype)

    def send_frame(self, dl, frame):
        """Send a whole link-layer frame on ``dl``; OSError on failure."""
        dl.sock.send(frame)

    def receive_frames(self, dl, fallback_now):
        """Every frame waiting on a tap, as Replies with ``frame``,
        ``link`` and ``rx``."""
        out = []
        for _ in range(RECV_BATCH):
            try:
                data, anc, _flags, _addr = dl.sock.recvmsg(FRAME_MAX,
                                                           CMSG_SPACE)
            except OSError:            # drained (EAGAIN), or an error
                break
            out.append(Reply(frame=data, link=dl.hatype,
                             rx=_timestamp(anc) or fallback_now()))
        return out

    def close(self):
        for s in self._tx.values():
            s.close()
        for rx in self.rx.values():
            rx.sock.close()
        self._tx.clear()
        self.rx.clear()

    # -- sending -----------------------------------------------------------

    def send(self, family, dst, data):
        """Send one packet; raises OSError on failure.  Returns the kernel's
        transmit time (float seconds) when it is already known, else None."""
        s = self._tx.get(family) or self.tx_socket(family)
        if family == 4:
            s.sendto(data, (socket.inet_ntop(socket.AF_INET, dst), 0))
        else:
            s.sendto(data, (socket.inet_ntop(socket.AF_INET6, dst), 0))
        key = self._tskey.get(family)
        if key is None:
            return None
        stamp, got = _tx_stamp(s, key)
        # each send uses an id, stamped or not; a stamp that comes late is
        # never taken for a later probe
        self._tskey[family] = max(key, got) + 1
        return stamp

    def watch_tx(self, data, probe):
        """Set ``probe.dl_tx`` when a datalink socket sees ``data`` (the
        packet just sent) leave."""
        w = self._watched
        w[tx_key(data)] = probe
        if len(w) > WATCH_MAX:          # frames that never showed up
            del w[next(iter(w))]

    # -- receiving ---------------------------------------------------------

    def receive_dl(self, dl, fallback_now):
        """Read every frame waiting on ``dl``: note the time our watched
        probes left; return the incoming packets, decoded, that scamper
        would hand a task (see DL_ICMP_TYPES)."""
        out = []
        sock = dl.sock
        watched = self._watched
        for _ in range(RECV_BATCH):
            try:
                data, anc, _flags, addr = sock.recvmsg(FRAME_MAX, CMSG_SPACE)
            except OSError:            # drained (EAGAIN), or an error
                break
            found = ethernet.ip_packet(data, addr[3])
            if found is None:
                continue
            t = _timestamp(anc) or fallback_now()
            version, pkt = found
            if addr[2] == ethernet.PACKET_OUTGOING:
                key = tx_key(pkt)
                probe = watched.pop(key, None)
                if probe is None and version == 4:
                    probe = watched.pop((key[0], b'\0\0', key[2]), None)
                if probe is not None:
                    probe.dl_tx = t
                continue
            if version == 4:
                r = decode_ipv4(pkt, t)
            else:
                r = decode_ipv6_packet(pkt, t)
            if r is not None and (not r.is_icmp or
                                  r.icmp_type in DL_ICMP_TYPES[version]):
                out.append(r)
        return out

    def receive(self, rx, fallback_now, wanted=None):
        """Read every datagram waiting on ``rx``; return decoded replies.
        With ``wanted`` (a container of demultiplexing keys), a reply whose
        key can be read at a glance and is not there is not decoded."""
        out = []
        sock = rx.sock
        v4 = rx.family == 4
        icmp6 = rx.proto == IPPROTO_ICMPV6
        for _ in range(RECV_BATCH):
            try:
                data, anc, _flags, addr = sock.recvmsg(65535, CMSG_SPACE)
            except OSError:            # drained (EAGAIN), or an error
                break
            if v4:
                if wanted is not None:
                    k = peek_key4(data)
                    if k is not None and k not in wanted:
                        continue
                r = decode_ipv4(data, _timestamp(anc) or fallback_now())
            else:
                if wanted is not None and icmp6:
                    k = peek_key6(data, lambda: _src6(addr))
                    if k is not None and k not in wanted:
                        continue
                r = _decode6(rx.proto, data, anc, addr, fallback_now)
            if r is not None:
                out.append(r)
        return out


def _decode6(proto, data, anc, addr, fallback_now):
    """A reply read from a raw IPv6 socket: the kernel strips the IPv6
    header and gives its fields as ancillary data."""
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
    try:
        src = _src6(addr)
    except (OSError, IndexError, TypeError):
        return None
    flow = (addr[2] & 0xfffff) if len(addr) > 2 else 0
    return decode_ipv6(proto, data, src, dst, hlim, tclass,
                       t if t is not None else fallback_now(), flow)


def _src6(addr):
    """The packed source address of what a raw IPv6 socket read."""
    return socket.inet_pton(socket.AF_INET6, addr[0].split('%')[0])


def _tx_stamp(sock, key):
    """(time, id) of the transmit stamp with id ``key`` (the packet just
    sent), or of the newest one with a larger id, waiting on ``sock``'s
    error queue (older ones are dropped), or (None, key).  Stamps come in
    the order of the sends: once ``key``'s is read, nothing newer waits."""
    best, best_id = None, key
    for _ in range(STAMP_READS):
        try:
            _, anc, _, _ = sock.recvmsg(0, 256, socket.MSG_ERRQUEUE)
        except OSError:            # drained (EAGAIN), or an error
            break
        t = tid = None
        for level, ctype, cdata in anc:
            if level == socket.SOL_SOCKET and ctype == SO_TIMESTAMPING:
                sec, nsec = _TIMESPEC.unpack_from(cdata)
                t = sec + nsec * 1e-9
            elif len(cdata) >= _EXT_ERR.size:
                ee = _EXT_ERR.unpack_from(cdata)
                if ee[1] == SO_EE_ORIGIN_TIMESTAMPING:
                    tid = ee[6]
        if t and tid is not None and tid >= best_id:
            best, best_id = t, tid
            if tid == key:
                break
    return best, best_id


def _timestamp(anc):
    for level, ctype, cdata in anc:
        if level == socket.SOL_SOCKET and ctype == SCM_TIMESTAMPNS:
            sec, nsec = _TIMESPEC.unpack_from(cdata)
            return sec + nsec * 1e-9
    return None
