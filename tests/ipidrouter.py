"""Emulated routers whose interfaces share one IP-ID counter, behind a TUN
device: the alias-resolution lab (Linux itself has no shared counter).

    python3 ipidrouter.py TUNNAME 'ADDR ADDR ...' 'ADDR ...' ...

Each argument after the device name is one router: the addresses it
answers for, all drawing their IP-IDs from that router's counter (which
grows by one per packet the router sends).  The counters start at random
values spread evenly over the 16-bit space, in each byte: two routers whose
counters happened to be close would look like one to any alias method
(ally found 198.19.0.18 and .21 to be aliases, Debian's scamper in one run
and ours in another), and so would two whose low bytes were: the methods
also try the IP-IDs byte-swapped, where a counter steps by 256 and another
counter with the same low byte falls in between (prefixscan found .10 an
alias of .18 so).  The tests are about the methods, not that luck.
It answers what dealias's probe definitions send:

* an ICMP echo request with an echo reply;
* a UDP datagram with an ICMP port unreachable quoting it;
* a TCP segment with a reset (to an ACK: sequence number its ack; to
  anything else: RST|ACK acknowledging it);

each from the address probed, TTL 64.  Over IPv6 it answers echo requests
only, and as Linux does: whole until an ICMPv6 packet too big tells it a
smaller path MTU to the sender, then in fragments whose 32-bit ids come
from the router's counter (one per fragmented packet).  SIGUSR1 starts it
afresh for the next run: it forgets the path MTUs it learned and spreads
the IPv4 counters again (each run's replies draw them apart, by the number
each router sent).  Packets to other addresses are
dropped.  It creates the device, prints "ready" once it exists, and runs
until killed.  It uses nothing from scamper-py (it is the test's oracle):
the standard library and tests/netref.py.  Run it inside a lab namespace.
"""

import fcntl
import ipaddress
import os
import random
import signal
import struct
import sys

from netref import ref_sum

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def checksum(data):
    return ~ref_sum(data) & 0xffff


def ipv4(src, dst, proto, ipid, payload):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ipid, 0,
                      64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack('!H', checksum(hdr)) + hdr[12:]
    return hdr + payload


def icmp(itype, code, rest, data):
    msg = struct.pack('!BBH', itype, code, 0) + rest + data
    return msg[:2] + struct.pack('!H', checksum(msg)) + msg[4:]


def tcp_rst(src, dst, seg):
    sport, dport, seq, ack, off_flags = struct.unpack_from('!HHIIH', seg)
    flags = off_flags & 0x3f
    if flags & 0x10:                            # ACK: RST, seq = their ack
        rseq, rack, rflags = ack, 0, 0x04
    else:                                       # SYN and others: RST|ACK
        hl = (off_flags >> 12) * 4
        n = len(seg) - hl + (1 if flags & 0x02 else 0) + \
            (1 if flags & 0x01 else 0)
        rseq, rack, rflags = 0, (seq + n) & 0xffffffff, 0x14
    out = struct.pack('!HHIIBBHHH', dport, sport, rseq, rack, 5 << 4,
                      rflags, 0, 0, 0)
    pseudo = struct.pack('!4s4sBBH', src, dst, 0, 6, len(out))
    return out[:16] + struct.pack('!H', checksum(pseudo + out)) + out[18:]


class Router:
    def __init__(self, rng, index, count):
        self.index, self.count = index, count
        self.spread(rng)
        self.ipid32 = rng.randrange(1 << 32)

    def spread(self, rng):
        step = 0x100 // self.count
        hi, lo = (self.index * step + rng.randrange(step // 4)
                  for _ in range(2))
        self.ipid = hi << 8 | lo

    def next_ipid(self):
        self.ipid = (self.ipid + 1) & 0xffff
        return self.ipid

    def next_ipid32(self):
        self.ipid32 = (self.ipid32 + 1) & 0xffffffff
        return self.ipid32


PMTU = {}       # IPv6 sender -> the path MTU a packet too big gave


def ipv6(src, dst, nh, payload):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), nh, 64, src,
                       dst) + payload


def answer6(pkt, routers):
    """The IPv6 packets answering one, as a list."""
    if len(pkt) < 48:
        return []
    plen, nh = struct.unpack_from('!HB', pkt, 4)
    src, dst = pkt[8:24], pkt[24:40]
    router = routers.get(dst)
    body = pkt[40:40 + plen]
    if router is None or nh != 58:
        return []
    if body[0] == 2 and len(body) >= 48:        # packet too big
        mtu, = struct.unpack_from('!I', body, 4)
        PMTU[body[8 + 24:8 + 40]] = max(mtu, 1280)
        return []
    if body[0] != 128:
        return []
    msg = bytes((129, 0, 0, 0)) + body[4:]
    pseudo = struct.pack('!16s16sI3xB', dst, src, len(msg), 58)
    msg = msg[:2] + struct.pack('!H', checksum(pseudo + msg)) + msg[4:]
    mtu = PMTU.get(src, 1500)
    if 40 + len(msg) <= mtu:
        return [ipv6(dst, src, 58, msg)]
    ident, step, out = router.next_ipid32(), (mtu - 48) & ~7, []
    for off in range(0, len(msg), step):
        more = off + step < len(msg)
        frag = struct.pack('!BxHI', 58, off | more, ident)
        out.append(ipv6(dst, src, 44, frag + msg[off:off + step]))
    return out


def answer(pkt, routers):
    """The reply to one packet read from the device, or None."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    hl = (pkt[0] & 0x0f) * 4
    length, = struct.unpack_from('!H', pkt, 2)
    proto, src, dst = pkt[9], pkt[12:16], pkt[16:20]
    router = routers.get(dst)
    if router is None or struct.unpack_from('!H', pkt, 6)[0] & 0x1fff:
        return None
    body = pkt[hl:length]
    if proto == 1 and len(body) >= 8 and body[0] == 8:
        reply = icmp(0, 0, body[4:8], body[8:])
        return ipv4(dst, src, 1, router.next_ipid(), reply)
    if proto == 17 and len(body) >= 8:
        quote = pkt[:min(length, 548)]
        reply = icmp(3, 3, bytes(4), quote)
        return ipv4(dst, src, 1, router.next_ipid(), reply)
    if proto == 6 and len(body) >= 20:
        if body[13] & 0x04:                     # never answer a reset
            return None
        return ipv4(dst, src, 6, router.next_ipid(), tcp_rst(dst, src, body))
    return None


def main(argv):
    if len(argv) < 3:
        sys.exit('usage: ipidrouter.py TUNNAME "ADDR ..." ["ADDR ..." ...]')
    rng = random.Random()
    routers = {}
    for i, group in enumerate(argv[2:]):
        r = Router(rng, i, len(argv) - 2)
        for a in group.split():
            routers[ipaddress.ip_address(a).packed] = r
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', argv[1].encode(),
                                           IFF_TUN | IFF_NO_PI))

    def afresh(*_):
        PMTU.clear()
        for r in set(routers.values()):
            r.spread(rng)
    signal.signal(signal.SIGUSR1, afresh)
    print('ready', flush=True)
    while True:
        pkt = os.read(fd, 65535)
        if pkt and pkt[0] >> 4 == 6:
            for out in answer6(pkt, routers):
                os.write(fd, out)
            continue
        out = answer(pkt, routers)
        if out is not None:
            os.write(fd, out)


if __name__ == '__main__':
    main(sys.argv)
