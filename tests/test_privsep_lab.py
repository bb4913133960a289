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
    """False when /proc/PID belongs to root: the kernel's sign of a
    process that is not dumpable (its files may not be opened by its
    user)."""
    return os.stat('/proc/%d' % pid).st_uid != 0
