"""What scamper's start-up loads on the way to its first probe: main, the
command's parser and method, and the worker's modules, and not the
modules left out of that path on purpose (each cost up to a millisecond
or two before the first probe: re, random, getopt with gettext,
ipaddress, importlib's package with warnings) nor those only other runs
need (the firewall with -F; the supervisor's sources)."""

import os
import subprocess
import sys

import pytest

import scamperd

LEFT_OUT = ('re', 'random', 'getopt', 'gettext', 'ipaddress', 'importlib',
            'warnings', 'scamper_priv.firewall', 'scamperd.sources',
            'scamperd.supervisor')
# where the package is installed: the commands put it on sys.path, and
# run Python with -IS (packaging/launchers.sh)
SITE = os.path.dirname(os.path.dirname(scamperd.__file__))


@pytest.mark.parametrize('command', ['ping -c 1 -W 1', 'trace'])
def test_start_up_path_leaves_out(command):
    code = '''
import sys
sys.path.append(%r)
from scamper_cli import main, options
o = options.parse(['-c', %r, '-O', 'warts', '-o', '/dev/null',
                   '-i', '192.0.2.1'])
main.validate(o)
from scamper_cli import readable
readable.check('nobody')
from scamperd import commands, landlock, pacer, pool, syscalls, worker
commands.preload(o.command, o.format)
commands.parse(o.command + ' 192.0.2.2').create
print(' '.join(sorted(sys.modules)))
''' % (SITE, command)
    p = subprocess.run([sys.executable, '-IS', '-c', code], capture_output=True,
                       text=True, check=True)
    loaded = set(p.stdout.split())
    assert 'scamperd.worker' in loaded and 'scamperd.engine' in loaded
    assert loaded.isdisjoint(LEFT_OUT), loaded & set(LEFT_OUT)
