"""Make the dealias golden files: run Debian's scamper 20211212 in the
line lab (src - r1 - r2 - r3 - dst; r2 is 198.18.2.2 and 198.18.3.1, dst
answers 203.0.113.0/24) and keep NAME.warts with its sc_warts2json,
sc_warts2text and sc_wartsdump conversions (see ../tracelb/capture.py).

scamper 20211212 cannot read back its own prefixscan with excluded
addresses (it writes their count byte-swapped): for those (FIX) our
reader and writer make NAME.fixed.warts, with the count as newer scamper
writes it, and Debian's converters are run on that too.

    python3 tests/data/dealias/capture.py      (as root)
"""

import importlib.util
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    'tracelb_capture', HERE.parent / 'tracelb' / 'capture.py')
_tracelb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tracelb)
main, tools = _tracelb.main, _tracelb.tools

CASES = (
    ('line', 'dealias-mercator', 'dealias -m mercator 198.18.2.2'),
    ('line', 'dealias-ally', "dealias -m ally -W 100 -p '-P udp' 198.18.2.2 198.18.3.1"),
    ('line', 'dealias-ally-icmp', "dealias -m ally -W 100 -f 1000 -O nobs -U 5 -p '-P icmp-echo' 203.0.113.10 203.0.113.11"),
    ('line', 'dealias-ally-tcp', "dealias -m ally -W 100 -q 2 -p '-P tcp-ack -d 80' 203.0.113.10 198.18.3.1"),
    ('line', 'dealias-radargun', "dealias -m radargun -W 50 -r 200 -q 2 -r 1000 -O shuffle -p '-P udp' 198.18.2.2 198.18.3.1 198.51.100.1"),
    ('line', 'dealias-radargun-icmp', "dealias -m radargun -W 50 -q 2 -p '-P icmp-echo -c 1234 -t 32' 198.18.2.2 203.0.113.10"),
    ('line', 'dealias-prefixscan', "dealias -m prefixscan -W 100 -p '-P udp' -x 198.18.3.2 198.18.2.2 198.18.3.0/30"),
    ('line', 'dealias-prefixscan-o', "dealias -m prefixscan -W 100 -o 3 -O nobs -p '-P icmp-echo' 198.18.2.2 198.18.3.0/29"),
    ('line', 'dealias-bump', "dealias -m bump -W 1000 -p '-P udp -i 198.18.2.2' -p '-P udp -i 198.18.3.1'"),
    ('line', 'dealias6-ally', "dealias -m ally -W 100 -p '-P udp' 2001:db8:2::2 2001:db8:3::1"),
    ('line', 'dealias6-mercator', 'dealias -m mercator 2001:db8:2::2'),
)

FIX = ('dealias-prefixscan',)


def fix(name):
    sys.path.insert(0, str(HERE.parents[2]))
    from scamperd.warts import ScamperFile
    from scamperd.warts.api import WartsWriter
    with ScamperFile(str(HERE / (name + '.warts'))) as f:
        objs = list(f)
    fixed = HERE / (name + '.fixed.warts')
    with open(fixed, 'wb') as out:
        w = WartsWriter(out)
        for o in objs:
            w.write(o)
        w.close()
    tools(fixed)


if __name__ == '__main__':
    main(CASES, HERE, {})
    for name in FIX:
        fix(name)
