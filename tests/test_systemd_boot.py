"""systemd/scamperd.service started by a real systemd, in a container
(tests/nspawn.py) that holds what packaging/install.sh installed: the
venv, the `scamper` user and group, /etc/scamperd.conf and the unit.
Every measurement here is to 127.0.0.1 (the container has only
loopback).

Needs, besides what tests/nspawn.py needs, Debian's scamper (sc_attach,
sc_warts2json): without them the tests fail, they do not skip."""

import json
import os
import shutil
import sys
import time

import pytest

from nspawn import CLIENT, booted
from scamper_cli.scamperd import read_config

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT = '/usr/local/lib/systemd/system/scamperd.service'
# the venv running these tests (/opt/scamper-py, or a second one made with
# SCAMPER_VENV=... packaging/install.sh): the container runs its commands,
# under this checkout's unit
VENV = os.path.join(sys.prefix, 'bin') + '/'
CAP_NET_ADMIN, CAP_NET_RAW = 12, 13


@pytest.fixture(scope='module')
def machine():
    for tool in ('sc_attach', 'sc_warts2json'):
        assert shutil.which(tool), '%s missing: run packaging/install.sh' \
            % tool
    assert os.path.exists(UNIT), 'run packaging/install.sh'
    with open(os.path.join(HERE, 'systemd', 'scamperd.service')) as f:
        unit = f.read()
    assert 'ExecStart=/opt/scamper-py/bin/scamperd\n' in unit
    unit = unit.replace('/opt/scamper-py/bin/', VENV)
    with open(os.path.join(HERE, 'packaging', 'scamperd.conf')) as f:
        conf = f.read()
    with booted() as m:
        m.scamperctl = VENV + 'scamperctl'
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
