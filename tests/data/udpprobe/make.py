"""Make this directory's golden files.  udpprobe is newer than Debian's
scamper 20211212, so these come from a build of newer scamper
(github:alistairking/scamper, 2026; not part of this repository): its
scamper probes a UDP echo server (two replies per probe) in the dst of a
'line' lab, and its sc_warts2json / sc_wartsdump give NAME.json and
NAME.dump (in UTC; 20211212's converters cannot read the type).

    SCAMPER_NEW=/path/to/scamper-build python3 tests/data/udpprobe/make.py
"""

import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402

NEW = pathlib.Path(os.environ['SCAMPER_NEW'])
ENV = dict(os.environ, TZ='UTC')
ECHO = '''
import select, socket
socks = []
for fam, addr in ((socket.AF_INET, "203.0.113.10"),
                  (socket.AF_INET6, "2001:db8:203::10")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 7))
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        d, peer = s.recvfrom(2000)
        s.sendto(b"echo:" + d, peer)
        s.sendto(b"again", peer)
'''
PAYLOAD = bytes(range(30)).hex()
CASES = {
    'echo': ([], 'udpprobe -d 7 -p 68656c6c6f 203.0.113.10'),
    'multi': ([], f'udpprobe -d 7 -c 3 -o 3 -W 0.5 -U 9 -p {PAYLOAD} '
                  '203.0.113.10'),
    'none': ([], 'udpprobe -d 9 -p 00 -w 0.5 203.0.113.10'),
    'exitfirst': ([], 'udpprobe -d 7 -c 2 -O exitfirst -p 01 203.0.113.10'),
    'v6': ([], 'udpprobe -d 7 -p 0a0b 2001:db8:203::10'),
    'monitor': (['-M', 'mon"1', '-l', 'mylist', '-L', '5', '-C', '7'],
                'udpprobe -d 7 -p 02 203.0.113.10'),
}


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_wartsdump', 'dump')):
        out = subprocess.run([str(NEW / 'utils' / tool / tool),
                              str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def main():
    with Lab('line') as lab:
        srv = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                sys.executable, '-c', ECHO])
        try:
            time.sleep(0.7)
            for name, (opts, cmd) in CASES.items():
                lab.run([str(NEW / 'scamper' / 'scamper'), *opts, '-O',
                         'warts', '-o', str(HERE / f'{name}.warts'), '-I',
                         cmd], check=True)
                convert(name)
        finally:
            srv.kill()
            srv.wait()


if __name__ == '__main__':
    main()
