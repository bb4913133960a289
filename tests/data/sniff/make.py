"""Make this directory's golden files: Debian's scamper 20211212 sniffs
in src of a 'line' lab while iputils ping sends echo requests with the
ICMP id it waits for (replies from dst; time exceeded from r1, quoting
the request), over IPv4 and IPv6, and once with nothing to capture (it
stops at its time limit).  synthetic.warts is written by our encoder
(odd packet lengths, a packet that is neither IPv4 nor IPv6, an unknown
stop reason) so that Debian's sc_wartsdump checks those lines too.  Each NAME.warts is kept with what
sc_warts2json, sc_warts2text and sc_wartsdump print for it (in UTC).

    python3 tests/data/sniff/make.py     (as root, from the repo)
"""

import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402
from scamperd.listcycle import Cycle, ScamperList  # noqa: E402
from scamperd.sniff.result import Sniff, SniffPkt  # noqa: E402
from scamperd.warts.api import WartsWriter  # noqa: E402
from scamperd.warts.cycle import CycleStop  # noqa: E402

ENV = dict(os.environ, TZ='UTC')
ICMPID = 4660


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([tool, str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def sniff(lab, name, cmd, pings):
    sn = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'),
                           '/usr/bin/scamper', '-O', 'warts', '-o',
                           str(HERE / f'{name}.warts'), '-I', cmd])
    time.sleep(1)
    for argv in pings:
        lab.run(['ping', '-c', '2', '-i', '0.2', '-e', str(ICMPID), *argv],
                capture_output=True)
    if sn.wait(timeout=30) != 0:
        raise SystemExit(f'scamper failed for {name}')
    convert(name)


def synthetic():
    lst = ScamperList(id=5, name='sniffs', monitor='lab')
    cycle = Cycle(lst, id=2, start=1700000000, hostname='lab')
    t0 = 1700000000.25
    sn = Sniff(list=lst, cycle=cycle, userid=4294967295,
               src=bytes((192, 0, 2, 1)), start=t0, finish=t0 + 2.5,
               stop_reason=9, limit_pktc=100, limit_time=60, icmpid=65535,
               pkts=[SniffPkt(t0 + 0.000001, bytes(range(0x45, 0x45 + 33))),
                     SniffPkt(t0 + 1.5, b'\x01'),
                     SniffPkt(t0 + 2, bytes(range(0x60, 0x60 + 47)))])
    with open(HERE / 'synthetic.warts', 'wb') as f:
        w = WartsWriter(f)
        for obj in (lst, cycle, sn, CycleStop(cycle, 1700000003)):
            w.write(obj)
        w.close()
    convert('synthetic')


def main():
    synthetic()
    with Lab('line') as lab:
        sniff(lab, 'v4', f'sniff -c 4 -G 5 -U 3 -S {lab.src4} '
              f'icmp[icmpid] == {ICMPID}',
              [[lab.target4], ['-t', '1', lab.target4]])
        sniff(lab, 'v6', f'sniff -c 4 -G 5 -S {lab.src6} '
              f'icmp[icmpid] == {ICMPID}',
              [['-6', lab.target6], ['-6', '-t', '1', lab.target6]])
        sniff(lab, 'timeout', f'sniff -c 4 -G 1 -S {lab.src4} '
              f'icmp[icmpid] == {ICMPID + 1}', [[lab.target4]])


if __name__ == '__main__':
    main()
