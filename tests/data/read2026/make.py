"""Make this directory's files: tbit and sting measurements written by OUR
scamper in a 'line' lab (a web server in dst, as tests/test_tbit_lab.py
runs it, our scamper with -F nft), each kept with what scamper 2026's
sc_warts2json and sc_wartsdump print for it (NAME.json2026,
NAME.dump2026, TZ=UTC).  They show that scamper 2026's tools read our
tbit and sting warts (tests/test_warts_read_by_2026.py); CI cannot build
scamper 2026, so its output is kept here.

    SCAMPER_NEW=/path/to/scamper-2026-build python3 tests/data/read2026/make.py
    (as root, from the repo, with our package installed)
"""

import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
sys.path.insert(0, str(HERE.parents[1]))

from scamper_cli.lab import Lab  # noqa: E402
from test_tbit_lab import PAGE, SERVER  # noqa: E402

NEW = pathlib.Path(os.environ['SCAMPER_NEW'])
ENV = dict(os.environ, TZ='UTC')
TOOLS = {'json2026': NEW / 'utils' / 'sc_warts2json' / 'sc_warts2json',
         'dump2026': NEW / 'utils' / 'sc_wartsdump' / 'sc_wartsdump'}
# a smaller page than the lab tests' keeps these files small (it is still
# larger than the initial window icw measures)
SMALL = SERVER.replace("b'x' * %d" % PAGE, "b'x' * 40000")
V4, V6 = '203.0.113.10', '2001:db8:203::10'
# name: (command, target, dst sysctls)
CASES = {
    'tbit-null': ('tbit -t null -u http://dst/big', V4, {}),
    'tbit-null-v6': ('tbit -t null -u http://dst/big', V6, {}),
    'tbit-ecn': ('tbit -t ecn -u http://dst/big', V4,
                 {'net.ipv4.tcp_ecn': 1}),
    'tbit-sack-rcvr': ('tbit -t sack-rcvr -u http://dst/big', V4,
                       {'net.ipv4.tcp_sack': 1}),
    'tbit-icw': ('tbit -t icw -u http://dst/big', V4, {}),
    'tbit-pmtud': ('tbit -t pmtud -M 1280 -m 1460 -u http://dst/big', V4,
                   {}),
    'tbit-pmtud-v6': ('tbit -t pmtud -M 1280 -m 1440 -u http://dst/big',
                      V6, {}),
    'tbit-blind-rst': ('tbit -t blind-rst -u http://dst/big', V4, {}),
    'tbit-blind-data': ('tbit -t blind-data -u http://dst/big', V4, {}),
    'sting': ('sting -c 20 -m 20 -i 500', V4, {}),
}


def run(lab, argv, **kw):
    return lab.run(argv, node='dst', check=True, capture_output=True,
                   text=True, **kw)


def main():
    with Lab('line') as lab:
        server = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                   'python3', '-c', SMALL])
        try:
            time.sleep(1)
            for name, (cmd, target, sysctls) in CASES.items():
                old = {k: run(lab, ['sysctl', '-n', k]).stdout.strip()
                       for k in sysctls}
                for k, v in sysctls.items():
                    run(lab, ['sysctl', '-q', '-w', '%s=%s' % (k, v)])
                for fam in ('-4', '-6'):
                    run(lab, ['ip', fam, 'route', 'flush', 'cache'])
                out = HERE / f'{name}.warts'
                out.unlink(missing_ok=True)
                lab.run([sys.executable, '-m', 'scamper_cli.main', '-F',
                         'nft', '-p', '2000', '-O', 'warts', '-o', str(out),
                         '-I', f'{cmd} {target}'], check=True, cwd='/')
                for k, v in old.items():
                    run(lab, ['sysctl', '-q', '-w', '%s=%s' % (k, v)])
                for ext, tool in TOOLS.items():
                    p = subprocess.run([str(tool), str(out)], env=ENV,
                                       capture_output=True, check=True)
                    assert not p.stderr, (name, ext, p.stderr)
                    (HERE / f'{name}.{ext}').write_bytes(p.stdout)
        finally:
            server.terminate()
            server.wait()


if __name__ == '__main__':
    main()
