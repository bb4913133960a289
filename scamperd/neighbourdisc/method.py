"""Neighbour discovery as a method: a port of scamper 20211212's
scamper/neighbourdisc/scamper_neighbourdisc_do.c.

Each attempt is one frame sent on the interface's datalink (the method's
``tap``): an ARP request (broadcast, "who-has ADDR tell SRC") for IPv4, a
neighbour solicitation to the solicited-node multicast address for IPv6.
After each frame the method waits -w milliseconds; then it stops if it has
an answer (unless -Q), has sent -q attempts, or has -o probes answered
(-o non-zero); otherwise it sends the next attempt.  With -F it stops at
the first answer.  An answer is an ARP reply whose sender is ADDR (its
sender MAC the answer) or a neighbour advertisement for target ADDR (the
MAC of its target link-layer address option); every answer is kept with
the latest attempt.
"""

import struct

from scamperd.method import Method
from scamperd.neighbourdisc import result as R
from scamperd.net.checksum import inet_checksum
from scamperd.probe import IPPROTO_ICMPV6, Probe

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86dd
ARPHRD_ETHER = 1
ND_NEIGHBOR_SOLICIT = 135
ND_NEIGHBOR_ADVERT = 136


def arp_request(src_mac, src_ip, dst_ip):
    """scamper's 42-byte ARP request frame."""
    return (b'\xff' * 6 + src_mac + struct.pack('!HHHBBH', ETH_P_ARP, 1,
                                                ETH_P_IP, 6, 4, 1)
            + src_mac + src_ip + bytes(6) + dst_ip)


def solicitation(src_mac, src_ip, dst_ip):
    """scamper's 86-byte neighbour solicitation frame (source link-layer
    address option, hop limit 255)."""
    mdst = b'\xff\x02' + bytes(9) + b'\x01\xff' + dst_ip[13:16]
    body = dst_ip + b'\x01\x01' + src_mac
    icmp = struct.pack('!BBHI', ND_NEIGHBOR_SOLICIT, 0, 0, 0) + body
    pseudo = src_ip + mdst + struct.pack('!II', len(icmp), IPPROTO_ICMPV6)
    csum = inet_checksum(pseudo + icmp) or 0xffff
    icmp = icmp[:2] + struct.pack('!H', csum) + icmp[4:]
    ip6 = struct.pack('!IHBB', 6 << 28, len(icmp), IPPROTO_ICMPV6, 255)
    return (b'\x33\x33\xff' + dst_ip[13:16] + src_mac
            + struct.pack('!H', ETH_P_IPV6) + ip6 + src_ip + mdst + icmp)


def arp_answer(frame, dst_ip):
    """The sender MAC of an ARP reply from ``dst_ip``, or None."""
    if len(frame) < 22 or frame[12:14] != b'\x08\x06':
        return None
    hrd, pro, hln, pln, op = struct.unpack_from('!HHBBH', frame, 14)
    if hln != 6 or pln != 4 or len(frame) < 22 + 20:
        return None
    if op != 2 or hrd != ARPHRD_ETHER or pro != ETH_P_IP:
        return None
    if frame[28:32] != dst_ip:
        return None
    return bytes(frame[22:28])


def advert_answer(frame, dst_ip):
    """The target link-layer address of a neighbour advertisement for
    ``dst_ip`` (carried straight in IPv6, as scamper reads it), or None."""
    if len(frame) < 14 + 40 + 24 or frame[12:14] != b'\x86\xdd':
        return None
    ip6 = frame[14:54]
    if ip6[0] >> 4 != 6 or ip6[6] != IPPROTO_ICMPV6:
        return None
    plen = (ip6[4] << 8) | ip6[5]
    icmp = frame[54:54 + plen]
    if len(icmp) < 24 or icmp[0] != ND_NEIGHBOR_ADVERT:
        return None
    if icmp[8:24] != dst_ip:
        return None
    opts = icmp[24:]
    off = 0
    while off + 8 <= len(opts):
        if opts[off] == 2 and opts[off + 1] == 1:
            return bytes(opts[off + 2:off + 8])
        if opts[off + 1] == 0:
            return None
        off += opts[off + 1] * 8
    return None


class NeighbourdiscMethod(Method):
    def __init__(self, cmd, src, ifindex, mac):
        self.tap = ifindex
        arp = cmd.family == 4
        self.result = R.Neighbourdisc(
            ifname=cmd.ifname, method=R.METHOD_ARP if arp
            else R.METHOD_ND_NSOL, flags=cmd.flags, wait=cmd.wait,
            attempts=cmd.attempts, replyc=cmd.replyc, src_ip=src,
            src_mac=mac, dst_ip=cmd.dst)
        build = arp_request if arp else solicitation
        self.frame = build(mac, src, cmd.dst) if ifindex else None
        self.answer = arp_answer if arp else advert_answer
        self.family = cmd.family
        self.replyc = 0           # probes answered
        self.sent = []            # the Probes, for their transmit times
        self._ready = False
        self._timer = None

    def start(self, now):
        if not self.tap:        # no Ethernet interface: nothing to send
            self.result.start = now
            self.done = True
            return
        self._ready = True

    def ready(self):
        return self._ready and not self.done

    def next_probe(self, now):
        nd = self.result
        if not self.sent:
            nd.start = now
        self._ready = False
        p = Probe(self.family, nd.src_ip, nd.dst_ip, IPPROTO_ICMPV6
                  if self.family == 6 else 0, frame=self.frame)
        p.tx = now
        self.sent.append(p)
        nd.probes.append(R.NeighbourdiscProbe(tx=now))
        self._timer = now + nd.wait / 1000.0
        return p

    def send_error(self, probe, err, now):
        # scamper records a probe only once its frame is sent
        self.sent.pop()
        self.result.probes.pop()
        self._finish()

    def timer(self):
        return None if self.done else self._timer

    def handle_timer(self, now):
        self._timer = None
        nd = self.result
        if (not nd.flags & R.FLAG_ALLATTEMPTS and nd.dst_mac is not None) \
                or len(nd.probes) == nd.attempts \
                or (nd.replyc != 0 and self.replyc >= nd.replyc):
            self._finish()
        else:
            self._ready = True

    def receive(self, reply, now):
        nd = self.result
        if reply.frame is None or not nd.probes or \
                reply.link != ARPHRD_ETHER:
            return
        mac = self.answer(reply.frame, nd.dst_ip)
        if mac is None:
            return
        probe = nd.probes[-1]
        probe.replies.append(R.NeighbourdiscReply(rx=reply.rx, mac=mac))
        if nd.dst_mac is None:
            nd.dst_mac = mac
        if len(probe.replies) == 1:
            self.replyc += 1
            if nd.flags & R.FLAG_FIRSTRESPONSE:
                self._finish()

    def halt(self, now):
        self._finish()

    def _finish(self):
        for rec, p in zip(self.result.probes, self.sent):
            rec.tx = p.tx
        self.done = True
