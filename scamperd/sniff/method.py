"""sniff as a method: a port of scamper 20211212's
scamper/sniff/scamper_sniff_do.c (and sniff_check in scamper_task.c).

The method sends nothing.  It reads every frame on the datalink of the
interface that has -S (its ``tap``) and keeps, with the time the kernel
read it, each IPv4 or IPv6 packet that is

* an ICMP echo reply to -S carrying the ICMP id, or
* an ICMP error to -S (IPv4 unreachable or time exceeded; IPv6
  unreachable, packet too big or time exceeded) quoting an ICMP echo
  request or reply from -S carrying the ICMP id,

until it has -c packets (stop reason limit-pktc) or -G seconds have passed
since it started (limit-time).  Where no interface has -S it ends at once
(error).  A packet is kept whole, as long as its IP header says; scamper
reads at most 128 bytes of a frame, so past that its copy of a longer
packet is not the packet's bytes (IPv6 errors quoting a 104-byte echo).
"""

from scamperd.method import Method
from scamperd.net import ethernet
from scamperd.sniff import result as R

# ICMP echo reply, echo types, and the errors whose quote scamper reads
_ECHOREPLY = {4: 0, 6: 129}
_ECHO = {4: (0, 8), 6: (128, 129)}
_ERRORS = {4: (3, 11), 6: (1, 2, 3)}
_ICMP = {4: 1, 6: 58}


def _ip(version, pkt):
    """(protocol, src, dst, header length, whole length) of an IP header,
    or None."""
    if version == 4:
        if len(pkt) < 20:
            return None
        hl = (pkt[0] & 15) * 4
        if hl < 20 or len(pkt) < hl:
            return None
        return (pkt[9], bytes(pkt[12:16]), bytes(pkt[16:20]), hl,
                (pkt[2] << 8) | pkt[3])
    if len(pkt) < 40:
        return None
    return (pkt[6], bytes(pkt[8:24]), bytes(pkt[24:40]), 40,
            40 + ((pkt[4] << 8) | pkt[5]))


def wanted(version, pkt, src, icmpid):
    """Whether scamper's sniff for ``src`` and ``icmpid`` keeps the IP
    packet ``pkt``."""
    ip = _ip(version, pkt)
    if ip is None or ip[0] != _ICMP[version] or ip[2] != src:
        return False
    if version == 4 and ((pkt[6] & 0x3f) or pkt[7]):   # a fragment
        return False
    icmp = pkt[ip[3]:]
    if len(icmp) < 8:
        return False
    if icmp[0] == _ECHOREPLY[version]:
        return (icmp[4] << 8 | icmp[5]) == icmpid
    if icmp[0] not in _ERRORS[version]:
        return False
    q = _ip(version, icmp[8:])
    if q is None or q[0] != _ICMP[version] or q[1] != src:
        return False
    qicmp = icmp[8 + q[3]:]
    return len(qicmp) >= 8 and qicmp[0] in _ECHO[version] and \
        (qicmp[4] << 8 | qicmp[5]) == icmpid


class SniffMethod(Method):
    def __init__(self, cmd, ifindex):
        self.tap = ifindex
        self.result = R.Sniff(src=cmd.src, limit_pktc=cmd.limit_pktc,
                              limit_time=cmd.limit_time, icmpid=cmd.icmpid,
                              userid=cmd.userid)
        self._timer = None

    def start(self, now):
        self.result.start = now
        if not self.tap:
            self._finish(now, R.STOP_ERROR)
            return
        self._timer = now + self.result.limit_time

    def ready(self):
        return False

    def next_probe(self, now):
        raise RuntimeError('sniff sends nothing')

    def send_error(self, probe, err, now):
        raise RuntimeError('sniff sends nothing')

    def timer(self):
        return None if self.done else self._timer

    def handle_timer(self, now):
        self._finish(now, R.STOP_LIMIT_TIME)

    def receive(self, reply, now):
        sn = self.result
        if self.done or reply.frame is None:
            return
        found = ethernet.ip_packet(reply.frame, reply.link)
        if found is None:
            return
        version, pkt = found
        if not wanted(version, pkt, sn.src, sn.icmpid):
            return
        size = _ip(version, pkt)[4]
        sn.pkts.append(R.SniffPkt(reply.rx, bytes(pkt[:size])))
        if len(sn.pkts) >= sn.limit_pktc:
            self._finish(now, R.STOP_LIMIT_PKTC)

    def halt(self, now):
        self._finish(now, R.STOP_HALTED)

    def _finish(self, now, reason):
        self.result.finish = now
        self.result.stop_reason = reason
        self.done = True
