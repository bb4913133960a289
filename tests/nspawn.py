"""This machine's own systemd booted as PID 1 of a container
(systemd-nspawn --boot) on a throwaway overlay of the root file system:
the container holds what is installed here, and whatever a test installs
or changes in it is gone when it powers off.  The container has its own
network namespace with nothing but loopback.  It is powered off (killed
if it will not go) even when a test fails; its mounts live in a private
mount namespace and go with it.

Needs root, systemd, systemd-nspawn (systemd-container), unshare and
nsenter (util-linux): without them the tests fail, they do not skip."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

CLIENT = 'sc-client'                   # a member of group scamper

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
        self.scamperctl = 'scamperctl'  # the one measured with

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
        """scamperctl (``self.scamperctl``) as CLIENT, on the socket of
        ``self.conf``."""
        return self.run(self.scamperctl, '-U', self.conf['socket'],
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


@contextlib.contextmanager
def booted():
    """A booted container, as a Machine."""
    for tool in ('systemd-nspawn', 'unshare', 'nsenter'):
        assert shutil.which(tool), '%s missing: run packaging/install.sh' \
            % tool
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
