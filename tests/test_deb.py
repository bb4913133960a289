"""The Debian package: packaging/build-deb.sh builds scamper-py_*_all.deb
(lintian: no error, no warning); installed with dpkg into a booted
container (tests/nspawn.py) cleared of what packaging/install.sh put
there, it creates the scamper user, installs /etc/scamperd.conf as a
conffile, diverts Debian's /usr/bin/scamper, and enables and starts
scamperd, through which a member of group scamper measures; removed, it
stops the service and gives Debian's scamper its name back; purged, it
leaves no settings.

Needs, besides what tests/nspawn.py needs, what packaging/install.sh
installs for building (debhelper, dh-python, lintian) and Debian's
python3-pyroute2, python3-prctl and python3-msgpack, and Debian's scamper
(to be diverted): without them the tests fail, they do not skip."""

import os
import shutil
import subprocess
import tempfile

import pytest

from nspawn import CLIENT, booted
from scamper_cli.scamperd import read_config

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='module')
def deb():
    # on the root file system, which the container sees
    d = tempfile.mkdtemp(prefix='sc-deb-', dir='/var/tmp')
    try:
        p = subprocess.run(['sh', os.path.join(HERE, 'packaging',
                                               'build-deb.sh'), d],
                           capture_output=True, text=True, timeout=900)
        assert p.returncode == 0, p.stdout + p.stderr
        (path,) = [os.path.join(d, f) for f in os.listdir(d)]
        os.chmod(d, 0o755)
        yield path
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_package_contents(deb):
    files = subprocess.run(['dpkg-deb', '-c', deb], capture_output=True,
                           text=True, check=True).stdout
    for path in ('./usr/bin/scamper', './usr/bin/scamperd',
                 './usr/bin/scamperctl', './usr/bin/scamper-warts',
                 './usr/bin/scamper-lab', './etc/scamperd.conf',
                 './lib/systemd/system/scamperd.service',
                 './usr/share/man/man1/scamper.1.gz',
                 './usr/share/man/man8/scamperd.8.gz',
                 './usr/share/man/man1/scamperctl.1.gz',
                 './usr/share/man/man1/scamper-warts.1.gz',
                 './usr/share/man/man8/scamper-lab.8.gz',
                 './usr/share/man/man5/scamperd.conf.5.gz',
                 './usr/lib/python3/dist-packages/scamperd/supervisor.py'):
        assert ' ' + path + '\n' in files, path
    assert '/tests/' not in files
    info = subprocess.run(['dpkg-deb', '-f', deb, 'Depends'],
                          capture_output=True, text=True,
                          check=True).stdout
    for dep in ('python3-pyroute2', 'python3-prctl', 'python3-msgpack'):
        assert dep in info, info
    # the commands start Python isolated, without site
    # (packaging/launchers.sh); the install test below runs them
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['dpkg-deb', '-x', deb, tmp], check=True)
        for cmd in ('scamper', 'scamperd', 'scamperctl', 'scamper-warts',
                    'scamper-lab'):
            with open(os.path.join(tmp, 'usr/bin', cmd)) as f:
                assert f.read().startswith(
                    '#!/usr/bin/python3 -IS\nimport sys\n'
                    "sys.path.append('/usr/lib/python3/dist-packages')\n"), cmd


def _usage(m, scamper):
    p = m.run(scamper, '-?', check=False)
    return p.stdout + p.stderr


def test_install_measure_remove(deb):
    assert shutil.which('sc_attach'), 'Debian scamper missing: run ' \
        'packaging/install.sh'
    with booted() as m:
        # a machine without packaging/install.sh's venv service (nor a
        # container image's policy-rc.d, which keeps package scripts from
        # starting services)
        m.run('sh', '-c', 'rm -f /usr/local/bin/scamper* '
              '/usr/local/lib/systemd/system/scamperd.service '
              '/etc/scamperd.conf /usr/sbin/policy-rc.d; '
              'systemctl daemon-reload; userdel scamper; groupdel scamper; '
              'true')
        m.run('dpkg', '-i', deb, timeout=120)
        # Debian's scamper kept under another name
        assert m.run('dpkg-divert', '--list', '/usr/bin/scamper').stdout \
            .startswith('diversion of /usr/bin/scamper to '
                        '/usr/bin/scamper.debian by scamper-py')
        assert 'attach-2021' in _usage(m, 'scamper')
        assert 'usage: scamper' in _usage(m, '/usr/bin/scamper.debian')
        assert 'attach-2021' not in _usage(m, '/usr/bin/scamper.debian')
        assert m.run('dpkg-query', '-W', '-f', '${Conffiles}',
                     'scamper-py').stdout.split()[0] == '/etc/scamperd.conf'
        m.run('getent', 'passwd', 'scamper')
        assert m.run('systemctl', 'is-enabled', 'scamperd').stdout == \
            'enabled\n'
        assert m.run('systemctl', 'is-active', 'scamperd').stdout == \
            'active\n', m.journal()
        assert m.show('ExecStart')['ExecStart'].startswith(
            '{ path=/usr/bin/scamperd ')
        m.conf = read_config(m.run('cat', '/etc/scamperd.conf').stdout)
        m.scamperctl = '/usr/bin/scamperctl'
        m.run('useradd', '--groups', 'scamper', CLIENT)
        m.run('sh', '-c', 'until test -S %s; do sleep 0.1; done'
              % m.conf['socket'], timeout=20)
        p = m.ctl('do', 'ping -c 1 127.0.0.1', timeout=60)
        assert '1 packets transmitted, 1 packets received' in p.stdout, \
            p.stdout + m.journal()
        m.run('man', '-w', 'scamperd.conf')

        m.run('dpkg', '-r', 'scamper-py', timeout=120)
        assert m.run('systemctl', 'is-active', 'scamperd',
                     check=False).stdout != 'active\n'
        assert m.run('dpkg-divert', '--list', '/usr/bin/scamper').stdout \
            == ''
        assert 'attach-2021' not in _usage(m, '/usr/bin/scamper')
        m.run('test', '-f', '/etc/scamperd.conf')     # kept until purge
        m.run('dpkg', '--purge', 'scamper-py', timeout=120)
        assert m.run('test', '-e', '/etc/scamperd.conf',
                     check=False).returncode == 1
