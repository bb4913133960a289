"""Make this directory's golden files: Debian's scamper 20211212 runs
neighbour discovery on the src link of a 'line' lab; each NAME.warts is
kept with what sc_warts2json, sc_warts2text and sc_wartsdump print for it
(in UTC).  scamper 20211212 writes probes with replies in a layout that
no scamper reads back (see scamperd/neighbourdisc/warts.py); for those
files our writer's corrected copy is kept as NAME.fixed.warts, and the
converters' outputs are those of that copy.

    python3 tests/data/neighbourdisc/make.py     (as root, from the repo)
"""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402
from scamperd.warts import ScamperFile  # noqa: E402
from scamperd.warts.api import WartsWriter  # noqa: E402

CASES = {
    'arp': 'neighbourdisc -i r1 192.0.2.2',
    'arp-all': 'neighbourdisc -i r1 -q 2 -w 100 -Q 192.0.2.2',
    'arp-first': 'neighbourdisc -i r1 -q 3 -w 100 -F -o 1 192.0.2.2',
    'arp-none': 'neighbourdisc -i r1 -q 2 -w 100 192.0.2.99',
    'nsol': 'neighbourdisc -i r1 2001:db8:1::2',
}
ENV = dict(os.environ, TZ='UTC')


def convert(src, name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([tool, str(src)], capture_output=True,
                             check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def main():
    with Lab('line') as lab:
        for name, cmd in CASES.items():
            path = HERE / f'{name}.warts'
            lab.run(['/usr/bin/scamper', '-O', 'warts', '-o', str(path),
                     '-I', cmd], check=True)
            fixed = HERE / f'{name}.fixed.warts'
            with ScamperFile(str(path)) as r, open(fixed, 'wb') as f:
                w = WartsWriter(f)
                for obj in r:
                    w.write(obj)
                w.close()
            if fixed.read_bytes() == path.read_bytes():
                fixed.unlink()
                convert(path, name)
            else:
                convert(fixed, name)


if __name__ == '__main__':
    main()
