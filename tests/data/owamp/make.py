"""Make this directory's golden files.  owamp is newer than Debian's
scamper 20211212, and Debian has no OWAMP server to measure against, so
synth.c (our own program, in this directory) writes the objects with the
libscamperfile of a build of newer scamper (github:alistairking/scamper,
2026; not part of this repository), filling every field somewhere: IPv4
and IPv6, lost, duplicated and unsent packets, scamper's defaults, error
messages, unknown codes and strings longer than scamper's JSON buffers.
That build's sc_warts2json, sc_warts2text and sc_wartsdump give
NAME.json, NAME.txt and NAME.dump (in UTC; 20211212's converters cannot
read the type).

    SCAMPER_NEW=/path/to/scamper-build python3 tests/data/owamp/make.py
"""

import os
import pathlib
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
NEW = pathlib.Path(os.environ['SCAMPER_NEW'])
ENV = dict(os.environ, TZ='UTC')
CASES = ('v4', 'v6', 'error', 'odd')


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([str(NEW / 'utils' / tool / tool),
                              str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        prog = f'{tmp}/synth'
        subprocess.run(['cc', '-DBUILDING_LIBSCAMPERFILE', f'-I{NEW}',
                        f'-I{NEW}/scamper', '-o', prog, str(HERE / 'synth.c'),
                        str(NEW / 'lib/libscamperfile/.libs/libscamperfile.a'),
                        '-lz', '-lbz2', '-llzma', '-lm'], check=True)
        for name in CASES:
            subprocess.run([prog, str(HERE / f'{name}.warts'), name],
                           check=True)
            convert(name)


if __name__ == '__main__':
    main()
