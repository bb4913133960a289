"""Make this directory's golden files.

lab-*.warts: Debian's scamper 20211212 runs tbit tests in an 'mtu' lab
against a small HTTP server in dst.  Linux scamper 20211212 has no
firewall to keep the kernel from resetting its connections, so each
test ends at once ("sys-error") without packets: these check the
parameters, the per-type and application blocks.  synthetic.warts is
written by our encoder (fixed times) with packets exercising what the
outputs parse: TCP options, SACK blocks, ISNs, fragments, PTBs, ECN, an
ICW estimate, a fast open cookie.  Each file is kept with what
sc_warts2json, sc_warts2text and sc_wartsdump print for it (in UTC).

    python3 tests/data/tbit/make.py     (as root, from the repo)
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
from scamperd.tbit import result as R  # noqa: E402
from scamperd.warts.api import WartsWriter  # noqa: E402
from scamperd.warts.cycle import CycleStop  # noqa: E402

ENV = dict(os.environ, TZ='UTC')
SERVER = '''
import http.server, socketserver
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"x" * 5000)
socketserver.TCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("", 80), H).serve_forever()
'''
URL = 'http://203.0.113.10/index.html'
LAB = {
    'null': f'tbit -t null -U 5 -u {URL} 203.0.113.10',
    'null-opts': f'tbit -t null -O tcpts -O sack -O fo -w 7 -T 33 -m 1300 '
                 f'-u {URL} 203.0.113.10',
    'pmtud': f'tbit -t pmtud -M 1280 -O blackhole -P 198.18.2.1 -u {URL} '
             '203.0.113.10',
    'ecn': f'tbit -t ecn -s 40000 -d 80 -u {URL} 203.0.113.10',
    'icw': f'tbit -t icw -u {URL} 2001:db8:203::10',
    'sack-rcvr': f'tbit -t sack-rcvr -u {URL} 203.0.113.10',
    'blind-rst': f'tbit -t blind-rst -o -5 -q 2 -u {URL} 203.0.113.10',
    'blind-data': f'tbit -t blind-data -o 3 -u {URL} 203.0.113.10',
    'bgp': 'tbit -t null -p bgp -b 65001 203.0.113.10',
    'cookie': f'tbit -t null -O fo -f 0011223344556677 -u {URL} 203.0.113.10',
}


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([tool, str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def lab_files():
    with Lab('mtu') as lab:
        srv = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                sys.executable, '-c', SERVER])
        try:
            time.sleep(0.7)
            for name, cmd in LAB.items():
                lab.run(['/usr/bin/scamper', '-O', 'warts', '-o',
                         str(HERE / f'lab-{name}.warts'), '-I', cmd],
                        check=True)
                convert(f'lab-{name}')
        finally:
            srv.kill()
            srv.wait()


def ip4(src, dst, payload, proto=6, ipid=1, frag=0x4000, tos=0, ttl=64):
    return struct.pack('>BBHHHBBH4s4s', 0x45, tos, 20 + len(payload), ipid,
                       frag, ttl, proto, 0, src, dst) + payload


def ip6(src, dst, payload, nxt=6, ext=b'', tc=0):
    first = (6 << 28) | (tc << 20)
    return struct.pack('>IHBB16s16s', first, len(ext) + len(payload),
                       nxt, 64, src, dst) + ext + payload


def tcp(sport, dport, seq, ack, flags, opts=b'', data=b'', win=65535):
    opts += b'\0' * (-len(opts) % 4)
    seq, ack = seq & 0xffffffff, ack & 0xffffffff
    return struct.pack('>HHIIBBHHH', sport, dport, seq, ack,
                       (5 + len(opts) // 4) << 4, flags, win, 0, 0) \
        + opts + data


SYN, FIN, RST, PSH, ACK, ECE, CWR = 2, 1, 4, 8, 16, 64, 128
A4, B4 = bytes((192, 0, 2, 1)), bytes((203, 0, 113, 10))
A6 = bytes.fromhex('20010db8000100000000000000000001')
B6 = bytes.fromhex('20010db8020300000000000000000010')


def sack(*edges):
    return bytes((5, 2 + 4 * len(edges))) + b''.join(
        struct.pack('>I', e & 0xffffffff) for e in edges)


def null_test(lst, cycle, t0):
    c, s = 1000, 4294967000          # server ISN wraps past 2**32
    fo = bytes((34, 10)) + bytes(range(8))
    pkts = [
        (0.001, 1, ip4(A4, B4, tcp(4000, 80, c, 0, SYN, b'\x02\x04\x05\xb4'
                                   b'\x01\x03\x03\x07\x04\x02\x08\x0a'
                                   + struct.pack('>II', 7, 0) + b'\x22\x02'
                                   + b'\xfe\x04\xf9\x89'))),
        (0.002, 2, ip4(B4, A4, tcp(80, 4000, s, c + 1, SYN | ACK | ECE,
                                   b'\x02\x04\x05\x78' + fo
                                   + b'\xfe\x08\xf9\x89\xaa\xbb\xcc\xdd'
                                   + b'\x00'), ipid=0xbeef, tos=2)),
        (0.003, 1, ip4(A4, B4, tcp(4000, 80, c + 1, s + 1, ACK | PSH,
                                   data=b'GET / HTTP/1.0\r\n\r\n'), tos=3)),
        (0.050, 2, ip4(B4, A4, tcp(80, 4000, s + 1, c + 19, ACK,
                                   data=b'y' * 100), ipid=0x10, frag=0)),
        (0.051, 1, ip4(A4, B4, tcp(4000, 80, c + 19, s + 1, ACK,
                                   b'\x01\x01' + sack(s + 201, s + 301,
                                                      s + 401, s + 501)))),
        (0.060, 2, ip4(B4, A4, tcp(80, 4000, 0, c + 19, RST | CWR))),
        (0.070, 2, ip4(B4, A4, tcp(80, 4000, s + 1, c + 19, FIN | ACK))),
        (0.080, 2, b'\x10' + bytes(30)),
        (1.234567, 1, ip4(A4, B4, tcp(4000, 80, c + 19, s + 1, ACK,
                                      data=b'q' * 12), ipid=77, frag=0x2000)),
        (1.3, 1, ip4(A4, B4, b'\0' * 12, ipid=77, frag=0x0002)),
    ]
    return R.Tbit(list=lst, cycle=cycle, userid=3000000000, src=A4, dst=B4,
                  sport=4000, dport=80, start=t0, result=40,
                  type=R.TYPE_NULL, data=R.TbitNull(0x7f, 0x0f),
                  app_proto=R.APP_HTTP, app=R.TbitHttp(1, 'example.org',
                                                       '/a b'),
                  options=0x7, client_mss=1460, server_mss=1400,
                  fo_cookie=bytes(range(16)), wscale=7, ttl=33, syn_retx=2,
                  dat_retx=3,
                  pkts=[R.TbitPkt(t0 + dt, d, b) for dt, d, b in pkts])


def icw_test(lst, cycle, t0):
    c, s = 5, 100

    def rx(dt, seq, n, flags=ACK):
        return (dt, 2, ip6(B6, A6, tcp(80, 4000, seq, c + 1, flags,
                                       data=b'z' * n)))
    frag = bytes((6, 0)) + struct.pack('>HI', 0, 0x12345678)
    pkts = [(0.001, 1, ip6(A6, B6, tcp(4000, 80, c, 0, SYN), tc=1)),
            (0.002, 2, ip6(B6, A6, tcp(80, 4000, s, c + 1, SYN | ACK))),
            (0.003, 1, ip6(A6, B6, tcp(4000, 80, c + 1, s + 1, ACK,
                                       data=b'GET')), ),
            rx(0.01, s + 1, 1000), rx(0.011, s + 1001, 1000),
            rx(0.012, s + 2001, 500), rx(0.5, s + 1, 1000),
            (0.6, 2, ip6(B6, A6, bytes((2, 0, 0, 0)) + struct.pack(
                '>I', 1280) + bytes(40), nxt=58)),
            (0.7, 2, ip6(B6, A6, tcp(80, 4000, s + 1, c + 4, ACK),
                         nxt=44, ext=frag)),
            (0.8, 2, ip6(B6, A6, b'\0' * 16, nxt=44,
                         ext=bytes((6, 0)) + struct.pack('>HI', 0x50 | 1,
                                                         9)))]
    return R.Tbit(list=lst, cycle=cycle, src=A6, dst=B6, sport=4000,
                  dport=80, start=t0 + 2, result=R.RESULT_ICW_SUCCESS,
                  type=R.TYPE_ICW, data=R.TbitIcw(1), app_proto=R.APP_HTTP,
                  app=R.TbitHttp(0, None, '/'), client_mss=1220,
                  pkts=[R.TbitPkt(t0 + 2 + dt, d, b) for dt, d, b in pkts])


def pmtud_test(lst, cycle, t0):
    ptb = bytes((3, 4, 0, 0, 0, 0)) + struct.pack('>H', 1280) + bytes(28)
    pkts = [(0.001, 1, ip4(A4, B4, tcp(4000, 80, 9, 0, SYN))),
            (0.002, 1, ip4(A4, B4, ptb, proto=1))]
    return R.Tbit(list=lst, cycle=cycle, src=A4, dst=B4, start=t0 + 4,
                  result=25, type=R.TYPE_PMTUD,
                  data=R.TbitPmtud(1280, 4, 1, bytes((198, 18, 2, 1))),
                  app_proto=R.APP_BGP, app=R.TbitBgp(65001),
                  pkts=[R.TbitPkt(t0 + 4 + dt, d, b) for dt, d, b in pkts])


def blind_test(lst, cycle, t0):
    return R.Tbit(list=lst, cycle=cycle, src=A4, dst=B4, start=t0 + 5,
                  result=99, type=R.TYPE_BLIND_FIN,
                  data=R.TbitBlind(-70000, 3), app_proto=9, ttl=0,
                  options=0x10004)


def synthetic():
    lst = ScamperList(id=8, name='tbits', descr='synthetic', monitor='lab')
    t0 = 1700000000.5
    cycle = Cycle(lst, id=4, start=int(t0), hostname='lab')
    objs = [lst, cycle] + [f(lst, cycle, t0) for f in (
        null_test, icw_test, pmtud_test, blind_test)]
    with open(HERE / 'synthetic.warts', 'wb') as f:
        w = WartsWriter(f)
        for obj in objs + [CycleStop(cycle, int(t0) + 9)]:
            w.write(obj)
        w.close()
    convert('synthetic')


def main():
    synthetic()
    if sys.argv[1:] != ['--synthetic']:
        lab_files()


if __name__ == '__main__':
    main()
