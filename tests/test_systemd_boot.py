"""systemd/scamperd.service started by a real systemd.

This machine's own systemd is booted as PID 1 of a container
(systemd-nspawn --boot) on a throwaway overlay of the root file system,
so the container holds what packaging/install.sh installed: the venv, the
`scamper` user and group, /etc/scamperd.conf and the unit.  The container
has its own network namespace with nothing but loopback: every
measurement here is to 127.0.0.1.  The container is powered off (killed
if it will not go) even when a test fails; its mounts live in a private
mount namespace and go with it.

Needs root, systemd, systemd-nspawn (systemd-container), unshare and
nsenter (util-linux) and Debian's scamper (sc_attach, sc_warts2json):
without them the tests fail, they do not skip."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from scamper_cli.scamperd import read_config

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT = '/usr/local/lib/systemd/system/scamperd.service'
# the venv running these tests (/opt/scamper-py, or a second one made with
# SCAMPER_VENV=... packaging/install.sh): the container runs its commands,
# under this checkout's unit
VENV = os.path.join(sys.prefix, 'bin') + '/'
CLIENT = 'sc-client'                   # a member of group scamper
CAP_NET_ADMIN, CAP_NET_RAW = 12, 13

# In a private mount namespace: mount / (just the root file system, not
# what is mounted on it) on the container directory, and give nspawn a
# /run of its own (it leaves its locks there, and will not clean up its
# propagation directory on a disk); then boot.
BOOT = r'''
set -e
mount --bind / "$1"
mount -t tmpfs tmpfs /run
exec systemd-nspawn --quiet --boot --private-network --volatile=overlay \
    --register=no --keep-unit --link-journal=no -M "$2" -D "$1"
'''


class Machine:
    def __init__(self, pid1):
        self.pid1 = pid1
        self.conf = None               # its /etc/scamperd.conf

    def run(self, *cmd, user=None, check=True, timeout=30, input=None):
        """Run a command in the container, as root or as ``user``."""
        if user is not None:
            cmd = ('runuser', '-u', user, '--') + cmd
        p = subprocess.run(('nsenter', '-t', str(self.pid1), '-a') + cmd,
                           capture_output=True, text=True, timeout=timeout,
                           input=input)
        if check:
            assert p.returncode == 0, (cmd, p.stdout, p.stderr,
                                       self.journal())
        return p

    def journal(self):
        return subprocess.run(
            ('nsenter', '-t', str(self.pid1), '-a', 'journalctl', '-o',
             'cat', '--no-pager', '-u', 'scamperd'),
            capture_output=True, text=True, timeout=30).stdout

    def show(self, *props):
        out = self.run('systemctl', 'show', 'scamperd',
                       *('-p' + p for p in props)).stdout
        return dict(line.split('=', 1) for line in out.splitlines())

    def status(self, pid):
        """The fields of /proc/PID/status, as seen in the container."""
        out = self.run('cat', '/proc/%d/status' % pid).stdout
        return dict((k, v.strip()) for k, v in
                    (line.split(':', 1) for line in out.splitlines()))

    def service_pids(self):
        cg = self.run('systemctl', 'show', 'scamperd', '-p', 'ControlGroup',
                      '--value').stdout.strip()
        if not cg:
            return []
        # cgroup v1 (named systemd hierarchy) or v2
        procs = self.run('sh', '-c', 'cat /sys/fs/cgroup/systemd%s/%s || '
                         'cat /sys/fs/cgroup%s/%s'
                         % (cg, 'cgroup.procs', cg, 'cgroup.procs'),
                         check=False).stdout
        return sorted(int(p) for p in procs.split())

    def ctl(self, *args, **kw):
        return self.run(VENV + 'scamperctl', '-U', self.conf['socket'],
                        *args, user=CLIENT, **kw)


def _init_of(nspawn):
    """The container's PID 1 (a child of nspawn running systemd), or None."""
    pid = nspawn.pid
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            kids = [int(p) for p in f.read().split()]
        for kid in kids:
            with open('/proc/%d/comm' % kid) as f:
                if f.read().strip() == 'systemd':
                    return kid
    except FileNotFoundError:
        pass
    return None


def _boot_failed(log, msg):
    with open(log) as f:
        pytest.fail('%s\n%s' % (msg, f.read()[-3000:]), pytrace=False)


@pytest.fixture(scope='module')
def machine():
    for tool in ('systemd-nspawn', 'unshare', 'nsenter', 'sc_attach',
                 'sc_warts2json'):
        assert shutil.which(tool), '%s missing: run packaging/install.sh' \
            % tool
    assert os.path.exists(UNIT), 'run packaging/install.sh'
    with open(os.path.join(HERE, 'systemd', 'scamperd.service')) as f:
        unit = f.read()
    assert 'ExecStart=/opt/scamper-py/bin/scamperd\n' in unit
    unit = unit.replace('/opt/scamper-py/bin/', VENV)
    with open(os.path.join(HERE, 'packaging', 'scamperd.conf')) as f:
        conf = f.read()
    root = tempfile.mkdtemp(prefix='sc-boot-')
    log = root + '.log'
    name = 'sc-boot-%d' % os.getpid()
    with open(log, 'w') as out:
        nspawn = subprocess.Popen(
            ['unshare', '--mount', '--propagation', 'private',
             'sh', '-c', BOOT, 'sh', root, name],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    pid1 = None
    try:
        end = time.time() + 30
        while pid1 is None:
            if nspawn.poll() is not None or time.time() > end:
                _boot_failed(log, 'the container did not start')
            pid1 = _init_of(nspawn)
            time.sleep(0.05)
        m = Machine(pid1)
        state = None
        while state not in ('running', 'degraded'):
            if nspawn.poll() is not None or time.time() > end:
                _boot_failed(log, 'systemd did not come up: %s' % state)
            state = m.run('systemctl', 'is-system-running', '--wait',
                          check=False).stdout.strip()
            time.sleep(0.1)
        # this checkout's unit, running this venv's scamperd, and settings,
        # in place of those install.sh put in /usr/local/lib and /etc
        m.run('sh', '-c', 'cat > /etc/systemd/system/scamperd.service',
              input=unit)
        m.run('sh', '-c', 'cat > /etc/scamperd.conf', input=conf)
        m.run('systemctl', 'daemon-reload')
        m.conf = read_config(m.run('cat', '/etc/scamperd.conf').stdout)
        # an operator lets a user use scamperd by adding it to the group
        m.run('useradd', '--groups', m.conf['group'], CLIENT)
        yield m
    finally:
        nspawn.send_signal(signal.SIGTERM)    # nspawn: power off
        try:
            nspawn.wait(20)
        except subprocess.TimeoutExpired:
            if pid1 is not None:               # ends its PID namespace
                os.kill(pid1, signal.SIGKILL)
            nspawn.wait(10)
        os.rmdir(root)
        os.unlink(log)


def _start(m):
    # these tests start the unit more often than its start rate limit
    # (5 in 10 s) allows a crashing service; each start is on purpose
    m.run('systemctl', 'reset-failed', 'scamperd', check=False)
    m.run('systemctl', 'start', 'scamperd')
    assert m.show('ActiveState')['ActiveState'] == 'active', m.journal()
    end = time.time() + 20
    while m.run('test', '-S', m.conf['socket'], check=False).returncode:
        assert time.time() < end, m.journal()
        time.sleep(0.05)


def test_starts_with_least_privilege(machine):
    m = machine
    m.run('systemctl', 'enable', 'scamperd')
    assert m.run('systemctl', 'is-enabled', 'scamperd').stdout == 'enabled\n'
    _start(m)
    main = int(m.show('MainPID')['MainPID'])
    pids = m.service_pids()
    # the helper, the supervisor and its workers
    assert main in pids and len(pids) >= 3, pids
    gid = m.run('getent', 'group', m.conf['group']).stdout.split(':')[2]
    uid = m.run('id', '-u', m.conf['user']).stdout.strip()
    for pid in pids:
        st = m.status(pid)
        assert st['Uid'].split() == [uid] * 4, st
        if pid == main:
            # the helper: the service user too, raw sockets and nothing else
            caps = (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW)
        else:
            caps = 0
        assert st['Gid'].split() == [gid] * 4 and st['Groups'] == '', st
        for key in ('CapPrm', 'CapEff', 'CapBnd'):
            assert int(st[key], 16) == caps, (key, st)
        assert int(st['CapInh'], 16) == int(st['CapAmb'], 16) == 0, st
        assert st['NoNewPrivs'] == '1' and st['Seccomp'] == '2', st
    out = m.run('stat', '-c', '%U %G %a',
                m.conf['socket'], os.path.dirname(m.conf['socket']),
                m.conf['outdir']).stdout.split('\n')
    assert out[:3] == ['root %s 660' % m.conf['group'],
                       'root %s 750' % m.conf['group'],
                       'root %s 770' % m.conf['group']]


def _attach_2021(m, value):
    m.run('sh', '-c', 'sed -i "/^attach_2021 *=/d" /etc/scamperd.conf; '
          'echo "attach_2021 = %s" >> /etc/scamperd.conf' % value)
    m.run('systemctl', 'stop', 'scamperd')
    _start(m)


def test_group_member_measures(machine):
    m = machine
    _start(m)
    p = m.ctl('do', 'ping -c 1 127.0.0.1', 'trace -q 1 127.0.0.1')
    assert p.stdout.startswith('ping 127.0.0.1 to 127.0.0.1:'), p.stdout
    assert '1 packets transmitted, 1 packets received' in p.stdout
    assert 'traceroute from 127.0.0.1 to 127.0.0.1' in p.stdout
    # Debian's client (20211212), unchanged, once the operator set
    # attach_2021 = on; a warts file Debian's scamper reads
    m.run('sh', '-c', 'echo "ping -c 2 127.0.0.1" > /tmp/cmds; '
          'chmod 644 /tmp/cmds')
    _attach_2021(m, 'on')
    try:
        m.run('sc_attach', '-U', m.conf['socket'], '-i', '/tmp/cmds',
              '-o', '/tmp/out.warts', user=CLIENT, timeout=60)
    finally:
        _attach_2021(m, 'off')
    objs = [json.loads(line) for line in
            m.run('sc_warts2json', '/tmp/out.warts').stdout.splitlines()]
    pings = [o for o in objs if o.get('type') == 'ping']
    assert len(pings) == 1 and pings[0]['dst'] == '127.0.0.1'
    assert pings[0]['statistics']['replies'] == 2
    # outside the group: no way in
    p = m.run(VENV + 'scamperctl', '-U', m.conf['socket'], 'get', 'pps',
              user='nobody', check=False)
    assert p.returncode != 0 and 'Permission denied' in p.stderr


def test_stop_writes_results_and_cleans_up(machine):
    m = machine
    m.run('systemctl', 'stop', 'scamperd')      # a fresh default output
    _start(m)
    targets = os.path.join(m.conf['outdir'], 'targets.txt')
    m.run('sh', '-c', 'printf "127.0.0.1\\n127.0.0.2\\n127.0.0.3\\n" > %s'
          % targets)
    # the default output is the outfile named after the file, as scamper
    # names it when given -o
    default = os.path.join(m.conf['outdir'], 'scamperd.' + m.conf['format'])
    assert m.ctl('source', 'add', 'name', 'loop', 'outfile', default,
                 'file', targets, 'command', 'ping -c 1'
                 ).stdout == 'OK source added\n'
    end = time.time() + 20
    while 'name loop' in m.ctl('source', 'list').stdout:
        assert time.time() < end, m.journal()
        time.sleep(0.1)
    # how the main process ended is logged at debug level only
    seen = len(m.journal())
    m.run('systemd-analyze', 'log-level', 'debug')
    m.run('systemctl', 'stop', 'scamperd')
    m.run('systemd-analyze', 'log-level', 'info')
    log = m.journal()[seen:]
    assert m.show('ActiveState')['ActiveState'] == 'inactive', log
    assert 'Main process exited, code=exited, status=0/SUCCESS' in log, log
    assert 'SIGKILL' not in log, log
    assert m.service_pids() == []
    assert m.run('test', '-e', m.conf['socket'], check=False).returncode
    out = os.path.join(m.conf['outdir'], 'scamperd.' + m.conf['format'])
    objs = [json.loads(line) for line in
            m.run('sc_warts2json', out).stdout.splitlines()]
    assert sorted(o['dst'] for o in objs if o.get('type') == 'ping') == [
        '127.0.0.1', '127.0.0.2', '127.0.0.3']


def test_reload_restart(machine):
    m = machine
    _start(m)
    main = m.show('MainPID')['MainPID']
    # no ExecReload: systemd refuses, and scamperd runs on untouched
    p = m.run('systemctl', 'reload', 'scamperd', check=False)
    assert p.returncode != 0 and 'not applicable' in p.stderr, p.stderr
    assert m.show('MainPID', 'ActiveState') == {
        'MainPID': main, 'ActiveState': 'active'}
    m.run('systemctl', 'reset-failed', 'scamperd', check=False)
    m.run('systemctl', 'restart', 'scamperd')
    _start(m)
    again = m.show('MainPID')['MainPID']
    assert again != main
    assert m.ctl('get', 'pps').stdout == 'OK pps %s\n' % m.conf['pps']
    # Restart=on-failure: a helper killed is started again
    before = int(m.show('NRestarts')['NRestarts'])
    m.run('kill', '-KILL', again)
    end = time.time() + 20
    while True:
        s = m.show('MainPID', 'ActiveState', 'NRestarts')
        if s['ActiveState'] == 'active' and s['MainPID'] not in ('0', again):
            break
        assert time.time() < end, (s, m.journal())
        time.sleep(0.1)
    assert int(s['NRestarts']) == before + 1
    _start(m)
    assert m.ctl('get', 'pps').stdout == 'OK pps %s\n' % m.conf['pps']
