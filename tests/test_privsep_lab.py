"""Privilege separation for real: during a measurement in the lab, no
process has uid 0, and only the helper has a capability (raw sockets)."""

import os
import time

from ours import popen_ours, proc_status, proc_tree

NET_ADMIN_RAW = (1 << 12) | (1 << 13)


def test_only_the_helper_is_privileged(lab_line):
    p = popen_ours(lab_line, '-c', 'ping -c 20 -i 0.1', '-i',
                   lab_line.target4, lab_line.target6,
                   env={'SCAMPER_WORKERS': '2'})
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            tree = proc_tree(p.pid)
            if len(tree) >= 4:      # helper, supervisor, two workers
                break
            time.sleep(0.05)
        statuses = {pid: proc_status(pid) for pid in tree}
        dumpable = {pid: _dumpable(pid) for pid in tree}
    finally:
        p.wait(30)
    assert p.returncode == 0
    assert len(statuses) >= 4, statuses
    helper = statuses.pop(p.pid)
    # it kept uid 0 (and read /etc/shadow); now the service user's, with
    # raw sockets only, and not dumpable (no ptrace, no /proc/PID/fd)
    assert helper['Uid'] == ['65534'] * 4
    assert helper['Gid'][0] != '0' and helper['Groups'] == []
    assert int(helper['CapEff'][0], 16) == NET_ADMIN_RAW
    assert int(helper['CapPrm'][0], 16) == NET_ADMIN_RAW
    assert int(helper['CapBnd'][0], 16) == NET_ADMIN_RAW
    assert int(helper['CapInh'][0], 16) == 0
    assert helper['NoNewPrivs'] == ['1']
    assert dumpable[p.pid] is False
    for pid, st in statuses.items():
        assert st['Uid'] == ['65534'] * 4, (pid, st['Name'])
        assert st['Gid'][0] != '0'
        for cap in ('CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb'):
            assert int(st[cap][0], 16) == 0, (pid, cap)
        assert st['NoNewPrivs'] == ['1']


def _dumpable(pid):
    """False when the files of /proc/PID belong to root although the
    process does not: the kernel's sign of a process that is not
    dumpable (its user may not open them)."""
    return os.stat('/proc/%d/fd' % pid).st_uid != 0


def test_workers_hold_no_listening_socket_nor_other_channels(lab_line):
    """What a worker inherits: its two channels and stdio; never the
    control socket the supervisor listens on (ss names every process that
    holds it), nor another worker's channel."""
    import subprocess
    import tempfile
    from ours import stop_daemon, wait_for_socket
    tmp = tempfile.mkdtemp(prefix='sc-privsep-')
    os.chmod(tmp, 0o777)
    sock = os.path.join(tmp, 's')
    p = popen_ours(lab_line, '-U', sock, env={'SCAMPER_WORKERS': '2'},
                   stderr=subprocess.PIPE, text=True)
    try:
        wait_for_socket(p, sock)
        time.sleep(0.5)
        tree = proc_tree(p.pid)
        supervisor = [q for q in tree if q != p.pid
                      and proc_status(q)['PPid'] == [str(p.pid)]][0]
        workers = [q for q in tree if q not in (p.pid, supervisor)]
        assert len(workers) == 2
        holders = lab_line.run(['ss', '-xlpnH', 'src', sock], node='src',
                               capture_output=True, text=True).stdout
        assert 'pid=%d,' % supervisor in holders, holders
        for w in workers:
            assert 'pid=%d,' % w not in holders, holders
            fds = [os.readlink('/proc/%d/fd/%s' % (w, fd))
                   for fd in os.listdir('/proc/%d/fd' % w)]
            sockets = [f for f in fds if f.startswith('socket:')]
            # its channel to the supervisor, its helper channel, and what
            # it opened itself (the helper's raw sockets, route look-ups,
            # its selector)
            assert len(set(sockets)) == len(sockets)
        shared = set()
        for w in workers:
            mine = {os.readlink('/proc/%d/fd/%s' % (w, fd))
                    for fd in os.listdir('/proc/%d/fd' % w)}
            mine = {f for f in mine if f.startswith('socket:')}
            assert not (mine & shared), 'a socket two workers hold'
            shared |= mine
    finally:
        stop_daemon(p)
