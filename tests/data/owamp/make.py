"""Make this directory's golden files.  owamp is newer than Debian's
scamper 20211212, so these come from a build of newer scamper
(github:alistairking/scamper, 2026; not part of this repository).  Debian
has no OWAMP server, so SERVER below, a small one of our own (the
unauthenticated mode of RFC 4656 as scamper speaks it), runs in the dst of
a 'line' lab, and that build's scamper measures against it: sending (the
server loses one test packet and reports another twice), receiving (the
server sends one packet twice and skips one), IPv6, options, a server
without the unauthenticated mode, one that refuses, none at all.  What a
lab cannot give (every field filled, unknown codes, strings longer than
scamper's JSON buffers: v4, v6, error, odd) synth.c, our own program in
this directory, writes with that build's libscamperfile.  Its
sc_warts2json, sc_warts2text and sc_wartsdump give NAME.json, NAME.txt and
NAME.dump (in UTC; 20211212's converters cannot read the type).

    SCAMPER_NEW=/path/to/scamper-build python3 tests/data/owamp/make.py
"""

import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402

NEW = pathlib.Path(os.environ['SCAMPER_NEW'])
ENV = dict(os.environ, TZ='UTC')
SERVER = '''
import socket, struct, sys, time

EPOCH = 2208988800
MODE = sys.argv[1]          # normal, nomode, reject


def stamp(t):
    sec = int(t)
    return struct.pack('>II', sec + EPOCH, int((t - sec) * 2 ** 32))


def unstamp(b):
    sec, frac = struct.unpack('>II', b)
    return sec - EPOCH + frac / 2 ** 32


def recv(c, n):
    buf = b''
    while len(buf) < n:
        d = c.recv(n - len(buf))
        if not d:
            raise EOFError
        buf += d
    return buf


def receive(c, req, attempts, fam, addr):
    """scamper sends: record the test packets, then report them."""
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    if fam == socket.AF_INET:
        u.setsockopt(socket.IPPROTO_IP, 12, 1)            # IP_RECVTTL
    else:
        u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    c.sendall(struct.pack('>BBH', 0, 0, u.getsockname()[1]) + b'S' * 16 +
              bytes(28))
    recv(c, 32)                                     # Start-Sessions
    c.sendall(bytes(32))                            # Start-Ack
    records = []
    u.settimeout(3)
    for _ in range(attempts):
        try:
            data, anc, _, _ = u.recvmsg(2000, 64)
        except socket.timeout:
            break
        now = time.time()
        ttl = int.from_bytes(anc[0][2][:4], sys.byteorder) if anc else 0
        seq, = struct.unpack('>I', data[:4])
        if seq == 2:                                # lost
            continue
        rec = data[:4] + data[12:14] + struct.pack('>H', 0x8002) + \\
            data[4:12] + stamp(now) + bytes((ttl,))
        records.append(rec)
        if seq == 1:                                # duplicated
            records.append(rec[:16] + stamp(now + 0.0001) + bytes((ttl,)))
    c.sendall(bytes((3, 0, 0, 0)) + bytes(28))      # Stop-Sessions, none
    recv(c, 112)                                    # Stop + Fetch-Session
    body = b''.join(records)
    body += bytes(-len(body) % 16) + bytes(16)
    c.sendall(struct.pack('>BBHIII', 0, 1, 0, attempts, 0, len(records)) +
              bytes(16) + req + bytes(16) + body)


def send(c, req, attempts, fam, addr, peer):
    """scamper receives: send it the test packets, one twice, one not."""
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    c.sendall(struct.pack('>BBH', 0, 0, u.getsockname()[1]) + b'S' * 16 +
              bytes(28))
    recv(c, 32)
    c.sendall(bytes(32))
    start = unstamp(req[68:76])
    time.sleep(max(0, start - time.time()))
    for seq in (0, 1, 1, 2):
        u.sendto(struct.pack('>I', seq) + stamp(time.time()) +
                 struct.pack('>H', 0x0001) + bytes(16), peer)
        time.sleep(0.05)
    time.sleep(0.3)
    # Stop-Sessions: one session, sequence number 3 skipped (the ranges
    # where scamper reads them, after 8 more bytes)
    desc = b'S' * 16 + struct.pack('>II', 4, 1) + bytes(8) + \\
        struct.pack('>II', 3, 4)
    desc += bytes(-len(desc) % 16)
    c.sendall(struct.pack('>BBHI', 3, 0, 0, 1) + bytes(8) + desc + bytes(16))
    time.sleep(0.5)


def serve(c):
    c.sendall(bytes(12) + struct.pack('>I', 0 if MODE == 'nomode' else 1) +
              bytes(32) + struct.pack('>I', 1024) + bytes(12))
    recv(c, 164)                                    # Set-Up-Response
    c.sendall(bytes(15) + bytes((MODE == 'reject',)) + bytes(32))
    req = recv(c, 112)
    schedc, attempts = struct.unpack('>II', req[4:12])
    req += recv(c, 16 * schedc + 16)
    fam, n = (socket.AF_INET, 4) if req[1] == 4 else (socket.AF_INET6, 16)
    sender = socket.inet_ntop(fam, req[16:16 + n])
    receiver = socket.inet_ntop(fam, req[32:32 + n])
    if req[3] == 1:                                 # we receive
        receive(c, req, attempts, fam, receiver)
    else:
        sport, rport = struct.unpack('>HH', req[12:16])
        send(c, req, attempts, fam, sender, (receiver, rport))


socks = []
for fam, addr in ((socket.AF_INET, '203.0.113.10'),
                  (socket.AF_INET6, '2001:db8:203::10')):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 861))
    s.listen()
    socks.append(s)
import select
while True:
    for s in select.select(socks, [], [])[0]:
        c, _ = s.accept()
        try:
            serve(c)
        except EOFError:
            pass
        c.close()
'''
V4, V6 = '203.0.113.10', '2001:db8:203::10'
# name: (server mode, scamper options, owamp command)
LAB = {
    'tx': ('normal', [], f'owamp -c 5 -i 0.1 {V4}'),
    'tx6': ('normal', [], f'owamp -c 3 -i 0.05 {V6}'),
    'options': ('normal', ['-M', 'mon"1', '-l', 'mylist', '-L', '5',
                           '-C', '7'],
                'owamp -c 4 -i 0.05,0.1e -D 10 -m 64 -s 100 -U 9 -w 3 '
                f'-O zero -@ {{startat}} {V4}'),
    'rx': ('normal', [], f'owamp -d rx -c 5 -i 0.05 {V4}'),
    'nomode': ('nomode', [], f'owamp {V4}'),
    'reject': ('reject', [], f'owamp {V6}'),
    'noconn': ('normal', [], 'owamp 2001:db8:203::11'),
}
SYNTH = ('v4', 'v6', 'error', 'odd')


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([str(NEW / 'utils' / tool / tool),
                              str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def lab_cases():
    with Lab('line') as lab:
        for name, (mode, opts, cmd) in LAB.items():
            srv = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                    sys.executable, '-c', SERVER, mode])
            try:
                time.sleep(0.7)
                cmd = cmd.format(startat=int(time.time()) + 2)
                lab.run([str(NEW / 'scamper' / 'scamper'), *opts, '-O',
                         'warts', '-o', str(HERE / f'{name}.warts'), '-I',
                         cmd], check=True)
                convert(name)
            finally:
                srv.kill()
                srv.wait()


def synth_cases():
    with tempfile.TemporaryDirectory() as tmp:
        prog = f'{tmp}/synth'
        subprocess.run(['cc', '-DBUILDING_LIBSCAMPERFILE', f'-I{NEW}',
                        f'-I{NEW}/scamper', '-o', prog, str(HERE / 'synth.c'),
                        str(NEW / 'lib/libscamperfile/.libs/libscamperfile.a'),
                        '-lz', '-lbz2', '-llzma', '-lm'], check=True)
        for name in SYNTH:
            subprocess.run([prog, str(HERE / f'{name}.warts'), name],
                           check=True)
            convert(name)


if __name__ == '__main__':
    lab_cases()
    synth_cases()
