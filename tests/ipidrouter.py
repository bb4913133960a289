"""Emulated routers whose interfaces share one IP-ID counter, behind a TUN
device: the alias-resolution lab (Linux itself has no shared counter).

    python3 ipidrouter.py TUNNAME 'ADDR ADDR ...' 'ADDR ...' ...

Each argument after the device name is one router: the IPv4 addresses it
answers for, all drawing their IP-IDs from that router's counter (which
starts at a random value and grows by one per packet the router sends).
It answers what dealias's probe definitions send:

* an ICMP echo request with an echo reply;
* a UDP datagram with an ICMP port unreachable quoting it;
* a TCP segment with a reset (to an ACK: sequence number its ack; to
  anything else: RST|ACK acknowledging it);

each from the address probed, TTL 64.  Packets to other addresses are
dropped.  It creates the device, prints "ready" once it exists, and runs
until killed.  It uses nothing from scamper-py (it is the test's oracle):
only the standard library.  Run it inside a lab namespace.
"""

import fcntl
import ipaddress
import os
import random
import struct
import sys

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


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
    def __init__(self, rng):
        self.ipid = rng.randrange(0x10000)

    def next_ipid(self):
        self.ipid = (self.ipid + 1) & 0xffff
        return self.ipid


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
    for group in argv[2:]:
        r = Router(rng)
        for a in group.split():
            routers[ipaddress.IPv4Address(a).packed] = r
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', argv[1].encode(),
                                           IFF_TUN | IFF_NO_PI))
    print('ready', flush=True)
    while True:
        out = answer(os.read(fd, 65535), routers)
        if out is not None:
            os.write(fd, out)


if __name__ == '__main__':
    main(sys.argv)
