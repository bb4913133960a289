"""Packets seen on a lab interface, by tcpdump, for comparing what our
scamper puts on the wire with what Debian's scamper does.

    with Capture(lab, 'r1', 'src', 'ip6[6] == 44') as cap:
        ...run something in the lab...
    cap.packets      # the IP packets (Ethernet header removed), in order
"""

import os
import re
import struct
import subprocess
import tempfile

_GLOBAL = struct.Struct('<IHHiIII')
_RECORD = struct.Struct('<IIII')
LINKTYPE_ETHERNET = 1


def read_pcap(path):
    """The frames of a little-endian microsecond pcap file."""
    with open(path, 'rb') as f:
        data = f.read()
    magic, _, _, _, _, _, link = _GLOBAL.unpack_from(data)
    assert magic == 0xa1b2c3d4 and link == LINKTYPE_ETHERNET, (magic, link)
    off, frames = _GLOBAL.size, []
    while off + _RECORD.size <= len(data):
        _, _, incl, _ = _RECORD.unpack_from(data, off)
        off += _RECORD.size
        frames.append(data[off:off + incl])
        off += incl
    return frames


class Capture:
    """tcpdump on ``iface`` of lab node ``node`` while the block runs."""

    def __init__(self, lab, node, iface, bpf):
        # --immediate-mode: without it packets wait in a ring block that
        # is handed over only when full or after a second, and a SIGTERM
        # before then leaves them out of the file.  Its ring has one slot
        # of the snap length per packet: 2 MB by default, with a 256 KB
        # snap length 8 slots, and a burst that came while tcpdump waited
        # for a core was dropped (a tbit's 1 000-byte segments, 56-63 of
        # 413 with both cores busy).  64 KB slots, 64 MB: 1 024 packets.
        self.argv = ['tcpdump', '-i', iface, '--immediate-mode', '-U', '-n',
                     '-s', '65535', '-B', '65536', bpf]
        self.lab, self.node = lab, node
        self.packets = []

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(self.tmp.name, 'cap.pcap')
        os.chmod(self.tmp.name, 0o777)     # tcpdump may drop to its user
        self.path = path
        self.proc = subprocess.Popen(
            ['ip', 'netns', 'exec', self.lab.ns(self.node), *self.argv[:-1],
             '-w', path, self.argv[-1]],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # tcpdump says "listening on" once its socket is open
        line = self.proc.stderr.readline()
        assert 'listening' in line, line
        return self

    def __exit__(self, *exc):
        # a packet sent just before is written by then: immediate mode
        # hands each one over, -U flushes it, SIGTERM lets the file finish
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=10)
        try:
            self.packets = [f[14:] for f in read_pcap(self.path)]
        finally:
            self.tmp.cleanup()
        # a capture that lost packets (tcpdump not scheduled while its
        # ring filled) proves nothing: say so rather than a diff
        dropped = re.search(r'(\d+) packets? dropped by kernel', err)
        assert exc[0] is not None or not dropped or \
            dropped.group(1) == '0', 'tcpdump: ' + err
        return False
