"""Make this directory's files: traces, pings, an MDA trace and alias
resolutions written by a build of newer scamper (github:alistairking/
scamper, 2026; not part of this repository), run in our labs, with that
build's sc_warts2json output beside each (NAME.json2026, TZ=UTC).  They show
that our reader takes files of scamper 2026 for the types older scamper
also writes (tests/test_warts_scamper2026.py).

    SCAMPER_NEW=/path/to/scamper-build python3 tests/data/scamper2026/make.py
"""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402

NEW = pathlib.Path(os.environ['SCAMPER_NEW'])
ENV = dict(os.environ, TZ='UTC')
# name: (lab, scamper options, command)
CASES = {
    'trace-udp-paris': ('line', [], 'trace 203.0.113.10'),
    'trace-icmp-paris': ('line', [], 'trace -P icmp-paris -q 1 203.0.113.10'),
    'trace-tcp': ('line', ['-M', 'mon', '-l', 'lst', '-L', '3', '-C', '4'],
                  'trace -P tcp -d 80 203.0.113.11'),
    'trace-v6': ('line', [], 'trace -P udp 2001:db8:203::10'),
    'trace-pmtud': ('mtu', [], 'trace -M 203.0.113.10'),
    'ping-icmp': ('line', [], 'ping -c 3 -i 0.1 203.0.113.10'),
    'ping-udp-v6': ('line', [], 'ping -c 2 -i 0.1 -P udp 2001:db8:203::10'),
    'ping-tcp-syn': ('line', [], 'ping -c 2 -i 0.1 -P tcp-syn -d 80 '
                                 '203.0.113.10'),
    'ping-rr': ('line', [], 'ping -c 1 -R 203.0.113.10'),
    'tracelb': ('ecmp', [], 'tracelb 203.0.113.10'),
    'dealias-ally': ('line', [], "dealias -m ally -W 100 -p '-P udp' "
                                 "198.18.2.2 198.18.3.1"),
    'dealias-mercator': ('line', [], 'dealias -m mercator 198.18.2.2'),
}


def main():
    labs = {}
    try:
        for name, (topo, opts, cmd) in CASES.items():
            if topo not in labs:
                labs[topo] = Lab(topo).__enter__()
            out = HERE / f'{name}.warts'
            labs[topo].run([str(NEW / 'scamper' / 'scamper'), *opts, '-O',
                            'warts', '-o', str(out), '-I', cmd], check=True)
            tool = NEW / 'utils' / 'sc_warts2json' / 'sc_warts2json'
            (HERE / f'{name}.json2026').write_bytes(subprocess.run(
                [str(tool), str(out)], capture_output=True, check=True,
                env=ENV).stdout)
    finally:
        for lab in labs.values():
            lab.__exit__(None, None, None)


if __name__ == '__main__':
    main()
