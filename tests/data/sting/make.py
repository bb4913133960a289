"""Make this directory's golden files.

real.warts: Debian's scamper 20211212 runs sting in a 'line' lab against
a TCP listener in dst.  Without a firewall (Linux scamper 20211212 knows
only ipfw and pf) it records no packets.  synthetic.warts: written by our
encoder (made here, fixed times), with a handshake, data probes, a hole
and IPv4/IPv6 packets, so that the packet lines are checked too.  Each
file is kept with what sc_warts2json, sc_warts2text and sc_wartsdump print
for it (in UTC).

    python3 tests/data/sting/make.py     (as root, from the repo)
"""

import os
import pathlib
import struct
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402
from scamperd.listcycle import Cycle, ScamperList  # noqa: E402
from scamperd.sting.result import (PKT_FLAG_DATA, PKT_FLAG_HOLE,  # noqa: E402
                                   PKT_FLAG_RX, PKT_FLAG_TX, Sting, StingPkt)
from scamperd.warts.api import WartsWriter  # noqa: E402
from scamperd.warts.cycle import CycleStop  # noqa: E402

ENV = dict(os.environ, TZ='UTC')
SERVER = '''
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80))
s.listen(50)
while True:
    s.accept()
'''


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([tool, str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def real():
    with Lab('line') as lab:
        srv = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                sys.executable, '-c', SERVER])
        try:
            time.sleep(0.5)
            lab.run(['/usr/bin/scamper', '-O', 'warts', '-o',
                     str(HERE / 'real.warts'), '-I',
                     'sting -c 8 -m 10 -i 100 203.0.113.10'], check=True)
        finally:
            srv.kill()
            srv.wait()


def tcp4(src, dst, sport, dport, seq, ack, flags, payload=b'', ipid=1):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), ipid, 0, 64,
                     6, 0, src, dst)
    return ip + tcp


def tcp6(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq, ack, 8 << 4, flags,
                      65535, 0, 0) + bytes(12) + payload
    # a destination options header (16 bytes) before TCP
    ext = bytes((6, 1)) + bytes(14)
    ip = struct.pack('>IHBB16s16s', 6 << 28, len(ext) + len(tcp), 60, 64,
                     src, dst)
    return ip + ext + tcp


def synthetic():
    src, dst = bytes((192, 0, 2, 1)), bytes((203, 0, 113, 10))
    t0 = 1700000000.5
    cisn, sisn = 4000000000, 123456
    pkts = [(0.001, PKT_FLAG_TX, tcp4(src, dst, 4000, 80, cisn, 0, 0x02)),
            (0.002, PKT_FLAG_RX, tcp4(dst, src, 80, 4000, sisn, cisn + 1,
                                      0x12, ipid=0xbeef)),
            (0.1, PKT_FLAG_TX | PKT_FLAG_DATA,
             tcp4(src, dst, 4000, 80, cisn + 4, sisn + 1, 0x18, b'T')),
            (0.2, PKT_FLAG_TX | PKT_FLAG_DATA | PKT_FLAG_HOLE,
             tcp4(src, dst, 4000, 80, cisn + 5, sisn + 1, 0x18, b'P')),
            (0.25, PKT_FLAG_RX, tcp4(dst, src, 80, 4000, sisn + 1, cisn + 1,
                                     0xd0)),
            (2.3, PKT_FLAG_TX, tcp4(src, dst, 4000, 80, cisn + 1, sisn + 1,
                                    0x01 | 0x40 | 0x80)),
            (2.4, PKT_FLAG_RX, tcp4(dst, src, 80, 4000, sisn + 1, cisn + 2,
                                    0x04)),
            (3.0, 0, b'\x50' + bytes(40))]     # neither IPv4 nor IPv6
    lst = ScamperList(id=3, name='stings', descr='synthetic', monitor='lab')
    cycle = Cycle(lst, id=9, start=int(t0), hostname='lab')
    s4 = Sting(list=lst, cycle=cycle, userid=77, src=src, dst=dst,
               sport=4000, dport=80, count=2, mean=100, inter=2000,
               data=b'GET / HTTP/1.0\r\n\r\n', start=t0, hsrtt=0.001,
               dataackc=1, holec=1, result=1,
               pkts=[StingPkt(t0 + dt, f, d) for dt, f, d in pkts])
    a6, b6 = (bytes.fromhex('20010db8000100000000000000000001'),
              bytes.fromhex('20010db8020300000000000000000010'))
    s6 = Sting(list=lst, cycle=cycle, src=a6, dst=b6, sport=5000,
               start=t0 + 5, result=7, pkts=[
                   StingPkt(t0 + 5.01, PKT_FLAG_TX,
                            tcp6(a6, b6, 5000, 80, 1, 0, 0x02)),
                   StingPkt(t0 + 5.02, PKT_FLAG_RX,
                            tcp6(b6, a6, 80, 5000, 0xfffffff0, 2, 0x12)),
                   StingPkt(t0 + 5.03, PKT_FLAG_TX,
                            tcp6(a6, b6, 5000, 80, 2, 0xfffffff1, 0x10,
                                 b'x' * 1400)),
                   # offsets of 2**32 - 1 overflow scamper's 32-byte buffer
                   StingPkt(t0 + 5.04, PKT_FLAG_TX,
                            tcp6(a6, b6, 5000, 80, 0, 0xffffffef, 0x10,
                                 b'y' * 100))])
    with open(HERE / 'synthetic.warts', 'wb') as f:
        w = WartsWriter(f)
        for obj in (lst, cycle, s4, s6, CycleStop(cycle, int(t0) + 10)):
            w.write(obj)
        w.close()


def main():
    real()
    synthetic()
    for name in ('real', 'synthetic'):
        convert(name)


if __name__ == '__main__':
    main()
