"""Workers confine themselves with Landlock (issue 13, item 11): they read
Python's files, write none, open nothing else, and signal nobody outside
their domain."""

import os
import sys

import msgpack
import prctl

from scamperd import landlock


def _confined(probe):
    """Run ``probe()`` (a dict of results) in a child confined as a
    worker is; return that dict."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            prctl.set_no_new_privs(1)
            out = {'abi': landlock.confine()}
            out.update(probe())
            os.write(w, msgpack.packb(out))
        finally:
            os._exit(0)
    os.close(w)
    data = b''
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return msgpack.unpackb(data)


def _try(fn):
    try:
        fn()
        return 'ok'
    except OSError as e:
        return e.strerror


def test_a_confined_worker_reads_python_and_nothing_else(tmp_path):
    (tmp_path / 'f').write_text('x')
    os.chmod(tmp_path, 0o755)

    def probe():
        import email.mime.text    # noqa: F401 a module not loaded before
        return {
            'etc': _try(lambda: open('/etc/hostname').read()),
            'tmp': _try(lambda: open(tmp_path / 'f').read()),
            'write': _try(lambda: open(tmp_path / 'g', 'w')),
            'stdlib': _try(lambda: open(os.__file__).read()),
            'signal': _try(lambda: os.kill(os.getppid(), 0)),
        }
    got = _confined(probe)
    assert landlock.abi() >= 6 and got['abi'] == landlock.abi()
    assert got == {'abi': got['abi'], 'etc': 'Permission denied',
                   'tmp': 'Permission denied', 'write': 'Permission denied',
                   'stdlib': 'ok', 'signal': 'Operation not permitted'}


def test_runtime_dirs_hold_this_python_and_our_packages():
    import scamperd
    dirs = landlock.runtime_dirs()
    assert sys.prefix in dirs
    for f in (os.__file__, scamperd.__file__, msgpack.__file__):
        assert any(f.startswith(d + '/') for d in dirs), f


def test_a_confined_worker_runs_no_program_and_traces_nothing():
    """The workers' seccomp filter (scamperd/syscalls.py): execve and
    ptrace refused; what a worker does still works."""
    import ctypes
    import socket

    from scamperd import syscalls

    def probe():
        assert syscalls.confine() is True
        libc = ctypes.CDLL(None, use_errno=True)
        rc = libc.ptrace(16, os.getppid(), None, None)     # PTRACE_ATTACH
        return {
            'exec': _try(lambda: os.execv('/bin/true', ['true'])),
            'ptrace': (rc, ctypes.get_errno()),
            'udp': _try(lambda: socket.socket(socket.AF_INET,
                                              socket.SOCK_DGRAM).close()),
            'netlink': _try(lambda: socket.socket(
                socket.AF_NETLINK, socket.SOCK_RAW, 0).close()),
        }
    got = _confined(probe)
    assert got['exec'] == 'Operation not permitted'
    assert got['ptrace'] == [-1, 1]                     # EPERM
    assert got['udp'] == got['netlink'] == 'ok'
