"""Transmit timestamps from the kernel (SO_TIMESTAMPING on the raw send
sockets): in the lab, each send returns a stamp taken while sendto ran,
numbered so that one probe's stamp is never taken for another's, and a
ping's RTTs are the kernel's receive time minus that stamp."""

import sys

from ours import only, ours_json

# NetIO on a raw socket made here (as the helper makes it), in the lab's
# src: five ICMP echoes to the lab's target; prints, per send, whether
# the stamp lies between the times taken around the send call
SCRIPT = r'''
import socket, struct, sys, time
from scamperd import netio
from scamperd.net.packet import encode_probe
from scamperd.probe import IPPROTO_ICMP, Probe

class Priv:
    def open_socket(self, kind):
        assert kind == 'raw4'
        return socket.socket(socket.AF_INET, socket.SOCK_RAW,
                             socket.IPPROTO_RAW)

io = netio.NetIO(Priv())
src, dst = socket.inet_aton('192.0.2.1'), socket.inet_aton(sys.argv[1])
for seq in range(5):
    p = Probe(4, src, dst, IPPROTO_ICMP, icmp_type=8, icmp_id=0x4242,
              icmp_seq=seq, ttl=64, size=84)
    data = encode_probe(p)
    t0 = time.time()
    stamp = io.send(4, dst, data)
    t1 = time.time()
    print(stamp is not None and t0 <= stamp <= t1, io._tskey[4])
# a stamp left on the queue (as one that came late) is not taken for the
# next send: its id is below the next one's
io._tskey[4] += 1
print(io.send(4, dst, encode_probe(p)) is None)
'''


def test_each_send_returns_its_own_kernel_stamp(lab_line):
    p = lab_line.run([sys.executable, '-c', SCRIPT, lab_line.target4],
                     capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split('\n') == [
        'True %d' % n for n in range(1, 6)] + ['True', '']


def test_ping_rtts_are_kernel_rx_minus_kernel_tx(lab_line):
    """With transmit stamps, pings over IPv4 and IPv6 still give every
    reply, positive RTTs, and tx + rtt = rx (the kernel's receive time)."""
    for target in (lab_line.target4, lab_line.target6):
        ping = only(ours_json(lab_line, '-c', 'ping -c 5 -i 0.1',
                              '-i', target), 'ping')
        rtts = [r['rtt'] for r in ping['responses']]
        assert len(rtts) == 5 and all(0 < r < 50 for r in rtts), rtts
        for r in ping['responses']:
            tx = r['tx']['sec'] * 1000000 + r['tx']['usec']
            rx = r['rx']['sec'] * 1000000 + r['rx']['usec']
            assert rx - tx == round(r['rtt'] * 1000)
