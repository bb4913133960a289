"""scamperd: its configuration file, and the service run in a lab."""

import gzip
import json
import os
import pwd
import socket
import stat
import subprocess
import sys
import time

import pytest

from ours import (control_session, scamperd_cmd, scamperd_config,
                  start_scamperd, stop_daemon)
from scamper_cli.scamperd import ConfigError, read_config, scamper_argv


def test_config_defaults_and_flags():
    cfg = read_config('# comment\npps = 100\nmonitorname = vp1 # here\n'
                      'port = 31337\n')
    assert cfg['socket_mode'] == 0o660 and cfg['group'] == 'scamper'
    assert scamper_argv(cfg, ['-w', '9']) == [
        '-U', '/run/scamperd/scamperd.sock', '-p', '100', '-w', '0',
        '-O', 'warts', '-M', 'vp1', '-o', '/var/lib/scamperd/scamperd.warts',
        '-P', '31337', '-w', '9']
    cfg = read_config('attach_2021 = on\n')
    assert scamper_argv(cfg, [])[-2:] == ['-O', 'attach-2021']
    cfg = read_config('remote = ctl.example:31337\nremote_tls = off\n'
                      'remote_cafile = /c.pem\n')
    assert scamper_argv(cfg, [])[-6:] == [
        '-R', 'ctl.example:31337', '-O', 'notls-remote', '-O',
        'cafile=/c.pem']
    cfg = read_config('remote = ctl:1\nremote_certfile = a\n'
                      'remote_keyfile = b\n')
    assert scamper_argv(cfg, [])[-6:] == [
        '-R', 'ctl:1', '-O', 'client-certfile=a', '-O', 'client-privfile=b']


@pytest.mark.parametrize('text,err', [
    ('bogus = 1', "unknown setting 'bogus'"),
    ('pps 1', "unknown setting 'pps 1'"),
    ('socket_mode = 66x', 'socket_mode must be octal'),
    ('attach_2021 = yes', 'attach_2021 must be on or off'),
    ('remote_tls = 1', 'remote_tls must be on or off'),
    ('remote_keyfile = k', 'remote_certfile and remote_keyfile go together'),
])
def test_config_errors(text, err):
    with pytest.raises(ConfigError) as e:
        read_config(text)
    assert err in str(e.value)


def test_removed_settings_are_ignored_with_a_warning():
    warnings = []
    cfg = read_config('pps = 5\nsocket_ids = /x\nattach_ids = off\n',
                      'f.conf', warnings)
    assert cfg['pps'] == '5' and 'socket_ids' not in cfg
    assert warnings == [
        'f.conf:2: socket_ids is ignored: every socket sends DATA len id-N '
        'now; attach_2021 = on gives 20211212 clients plain DATA len',
        'f.conf:3: attach_ids is ignored: every socket sends DATA len id-N '
        'now']


def test_example_config_is_valid():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(here, 'packaging', 'scamperd.conf')) as f:
        assert read_config(f.read())['user'] == 'scamper'


def test_scamperd_service_in_the_lab(lab_line):
    nobody = pwd.getpwnam('nobody')
    p, tmp, sock = start_scamperd(lab_line, 'pps = 500\nformat = json\n'
                                            'monitorname = vp1\n')
    try:
        st = os.stat(sock)
        assert stat.S_IMODE(st.st_mode) == 0o660
        assert (st.st_uid, st.st_gid) == (0, nobody.pw_gid)
        # results as DATA len id-N (scamper 2023+, libscamperctrl)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock)
            items = control_session(s, [
                'attach format json', 'ping -c 1 %s' % lab_line.target4,
                'done'])
        ping = [i for i in items if i[0] == 'data'
                and b'"type":"ping"' in i[2]]
        assert len(ping) == 1
        assert ping[0][1] == 'DATA %d id-1' % len(ping[0][2])

        def ctl(*args):
            return subprocess.run([sys.executable, '-m',
                                   'scamper_cli.scamperctl', '-U', sock,
                                   *args], capture_output=True, text=True,
                                  timeout=30, cwd='/')
        assert ctl('get', 'monitorname').stdout == 'OK monitorname vp1\n'
        assert ctl('get', 'pps').stdout == 'OK pps 500\n'
        # a relative outfile lands in outdir, written by the service user
        assert ctl('outfile', 'open', 'name', 'o1', 'file', 'o1.json',
                   'mode', 'truncate').stdout == 'OK\n'
        assert os.stat(os.path.join(tmp, 'o1.json')).st_uid == nobody.pw_uid
        assert ctl('shutdown', 'done').stdout == 'OK\n'
        assert p.wait(20) == 0
        assert not os.path.exists(sock)
        assert os.path.exists(os.path.join(tmp, 'scamperd.json'))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_systemd_unit_verifies():
    """The unit as systemd would load it (tests/test_systemd_boot.py
    starts it under a real systemd): systemd-analyze verify finds
    nothing wrong, its ExecStart is the installed console script, and it
    stays hardened."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    unit = os.path.join(here, 'systemd', 'scamperd.service')
    with open(unit) as f:
        start = [l.split('=', 1)[1].split()[0] for l in f
                 if l.startswith('ExecStart=')]
    assert start == ['/opt/scamper-py/bin/scamperd']
    assert os.access(start[0], os.X_OK)
    p = subprocess.run(['systemd-analyze', 'verify', unit],
                       capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stderr) == (0, ''), p.stderr
    p = subprocess.run(['systemd-analyze', 'security', '--offline=yes', unit],
                       capture_output=True, text=True, timeout=60)
    level = float(p.stdout.rsplit('Overall exposure level for '
                                  'scamperd.service: ', 1)[1].split()[0])
    assert level <= 2.6, p.stdout


# -- issue 13, items 1-3: the service never destroys results ------------------

def _ctl(sock, *args):
    p = subprocess.run([sys.executable, '-m', 'scamper_cli.scamperctl',
                        '-U', sock, *args], capture_output=True, text=True,
                       timeout=30, cwd='/')
    return p.stdout


def _wait_done(sock, name, n, timeout=60):
    """Until source ``name`` has finished ``n`` tasks, or finished (a
    finished source is gone, as in scamper)."""
    end = time.time() + timeout
    while time.time() < end:
        out = _ctl(sock, 'source', 'progress', name)
        if out == "ERR no source '%s'\n" % name:
            return
        done = [int(l.split(' done ')[1].split()[0])
                for l in out.splitlines() if ' done ' in l]
        if done and done[0] >= n:
            return
        time.sleep(0.1)
    raise AssertionError('source %s: %s' % (name, out))


def _list(tmp, name, addrs):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(''.join(a + '\n' for a in addrs))
    return path


def _pings(path):
    """The pings of a warts file, read by Debian's sc_warts2json (which
    fails on ids that do not go on)."""
    p = subprocess.run(['sc_warts2json', path], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == '', p.stderr
    objs = [json.loads(l) for l in p.stdout.splitlines()]
    return [o for o in objs if o['type'] == 'ping'], objs


def test_scamperd_restart_keeps_results(lab_line):
    """Each scamperd start truncated the results already collected; now
    it goes on after them, warts ids continued, and a start refused for a
    bad setting opens nothing."""
    def one_ping_then_stop(tmp=None):
        p, tmp, sock = start_scamperd(lab_line, 'pps = 100\n', tmp=tmp)
        try:
            lst = _list(tmp, 'l1', [lab_line.target4])
            assert _ctl(sock, 'source', 'add', 'name', 's1', 'file', lst,
                        'command', 'ping -c 1', 'outfile',
                        os.path.join(tmp, 'scamperd.warts')) == \
                'OK source added\n'
            _wait_done(sock, 's1', 1)
        finally:
            stop_daemon(p)
        return tmp

    tmp = one_ping_then_stop()
    out = os.path.join(tmp, 'scamperd.warts')
    first = open(out, 'rb').read()
    assert len(_pings(out)[0]) == 1
    # refused starts: nothing of the file is lost
    for bad in ('user = nosuchuser\n', 'bogus = 1\n'):
        _, _, conf = scamperd_config(bad, tmp)
        r = subprocess.run(scamperd_cmd(lab_line, conf), capture_output=True,
                           text=True, timeout=60, cwd='/')
        assert r.returncode == 1 and r.stderr.startswith('scamperd: '), \
            r.stderr
        assert open(out, 'rb').read() == first
    one_ping_then_stop(tmp)
    assert open(out, 'rb').read().startswith(first)
    pings, objs = _pings(out)
    assert len(pings) == 2
    cycles = [o for o in objs if o['type'] == 'cycle-start']
    assert len(cycles) == 2


def test_scamperd_refuses_a_planted_output_symlink(lab_line):
    """A member of the service's group who planted scamperd.warts ->
    a root file made root truncate it and write warts into it."""
    tmp, sock, conf = scamperd_config('')
    secret = os.path.join(tmp, 'secret')
    with open(secret, 'w') as f:
        f.write('root data\n')
    os.chmod(secret, 0o600)
    os.symlink(secret, os.path.join(tmp, 'scamperd.warts'))
    r = subprocess.run(scamperd_cmd(lab_line, conf), capture_output=True,
                       text=True, timeout=60, cwd='/')
    assert r.returncode == 1
    assert r.stderr == ('scamper: could not open %s/scamperd.warts: a '
                        'symbolic link: name the file itself\n' % tmp)
    assert open(secret).read() == 'root data\n'
    assert not os.path.exists(sock)


@pytest.mark.parametrize('how', ['shutdown done', 'SIGTERM'])
def test_compressed_outfiles_closed_at_exit(lab_line, how):
    """A .warts.gz outfile opened over the control socket held 10 bytes
    and no result after shutdown done or SIGTERM."""
    p, tmp, sock = start_scamperd(lab_line, 'pps = 20\n')
    try:
        assert _ctl(sock, 'outfile', 'open', 'name', 'o1', 'file',
                    'o1.warts.gz', 'mode', 'truncate') == 'OK\n'
        n = 3 if how == 'SIGTERM' else 1
        # one address: its pings (-i 1) run one after the other, so the
        # source is still running at SIGTERM
        lst = _list(tmp, 'l1', [lab_line.target4] * (40 if n == 3 else 1))
        assert _ctl(sock, 'source', 'add', 'name', 's1', 'file', lst,
                    'command', 'ping -c 2 -i 1', 'outfile',
                    'o1') == 'OK source added\n'
        _wait_done(sock, 's1', n)
        if how == 'SIGTERM':
            assert "ERR no source" not in _ctl(sock, 'source', 'list', 's1')
            stop_daemon(p)
        else:
            assert _ctl(sock, 'shutdown', 'done') == 'OK\n'
        assert p.wait(30) == 0
    finally:
        stop_daemon(p)
    with gzip.open(os.path.join(tmp, 'o1.warts.gz')) as f:
        data = f.read()
    path = os.path.join(tmp, 'o1.warts')
    with open(path, 'wb') as f:
        f.write(data)
    assert len(_pings(path)[0]) >= n
