"""Make the tracelb golden files: run Debian's scamper 20211212 in the
ecmp lab and keep NAME.warts with its sc_warts2json (NAME.json),
sc_warts2text (NAME.txt) and sc_wartsdump (NAME.dump) conversions.

    python3 tests/data/tracelb/capture.py      (as root; TZ is set to UTC)
"""

import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]))
from scamper_cli.lab import Lab  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent
CASES = (
    ('ecmp', 'tracelb-udp-dport', 'tracelb -P udp-dport 203.0.113.10'),
    ('ecmp', 'tracelb-icmp-echo', 'tracelb -P icmp-echo -c 99 203.0.113.10'),
    ('ecmp', 'tracelb-udp-sport', 'tracelb -P udp-sport -U 7 203.0.113.10'),
    ('ecmp', 'tracelb-tcp-sport', 'tracelb -P tcp-sport -d 80 203.0.113.10'),
    ('ecmp', 'tracelb-tcp-ack-sport', 'tracelb -P tcp-ack-sport -d 80 203.0.113.10'),
    ('ecmp', 'tracelb6-udp-dport', 'tracelb -P udp-dport 2001:db8:203::10'),
    ('line', 'tracelb-line', 'tracelb -P icmp-echo -f 2 203.0.113.10'),
    # dst drops what is sent to .20: the last link has no far end
    ('ecmp', 'tracelb-silent', 'tracelb -P udp-dport -w 1 -q 1 -g 2 203.0.113.20'),
)
SETUP = {   # topology -> (node, argv) run once the lab is up
    'ecmp': [('dst', ['nft', 'add table ip t; add chain ip t in { type filter '
                      'hook input priority 0; }; add rule ip t in ip daddr '
                      '203.0.113.20 drop'])],
}


def capture(lab, name, cmd, out=OUT):
    w = out / (name + '.warts')
    lab.run(['/usr/bin/scamper', '-O', 'warts', '-o', str(w), '-p', '200',
             '-I', cmd], check=True)
    tools(w)


def tools(w):
    """NAME.json, NAME.txt, NAME.dump beside the warts file NAME.warts."""
    env = dict(os.environ, TZ='UTC')
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        with open(w.with_suffix('.' + ext), 'wb') as f:
            subprocess.run(['/usr/bin/' + tool, str(w)], stdout=f, env=env,
                           check=True)


def main(cases=CASES, out=OUT, setup=SETUP):
    for topo in dict.fromkeys(t for t, _, _ in cases):
        with Lab(topo) as lab:
            for node, argv in setup.get(topo, ()):
                lab.run(argv, node=node, check=True)
            for t, name, cmd in cases:
                if t == topo:
                    capture(lab, name, cmd, out)


if __name__ == '__main__':
    main()
