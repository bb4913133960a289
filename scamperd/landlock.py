"""Landlock (Linux 5.13 and later): a process gives up file access it does
not need, for itself and what it forks, with no privilege.

The workers and the helper open no file once they run: they need to read
Python's own files (modules imported late, shared libraries loaded by
them) and nothing else, and to write nothing.  ``confine()`` leaves them
read-only access beneath those directories, no write anywhere, and (ABI 6)
no signal to a process outside their own domain.  On a kernel without
Landlock it does nothing and says so (None)."""

import ctypes
import os
import sys

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
# every file right each ABI version knows: 13 in ABI 1, REFER (2),
# TRUNCATE (3), IOCTL_DEV (5)
_FS_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1,
              5: (1 << 16) - 1}
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2

# where the libraries Python's extension modules need are found
SYSTEM_LIBS = ('/lib', '/lib64', '/usr/lib', '/usr/lib64',
               '/etc/ld.so.cache', '/usr/share/zoneinfo', '/etc/localtime')


class _RulesetAttr(ctypes.Structure):
    _fields_ = [('handled_access_fs', ctypes.c_uint64),
                ('handled_access_net', ctypes.c_uint64),
                ('scoped', ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [('allowed_access', ctypes.c_uint64),
                ('parent_fd', ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi():
    """The kernel's Landlock ABI version, 0 if it has none."""
    v = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                      ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(v, 0)


def _fs_rights(version):
    return _FS_RIGHTS[max(k for k in _FS_RIGHTS if k <= version)]


def _check(rc, what):
    if rc < 0:
        e = ctypes.get_errno()
        raise OSError(e, 'landlock %s: %s' % (what, os.strerror(e)))
    return rc


def runtime_dirs():
    """Python's installation, where our packages and their dependencies
    are, and the system's libraries."""
    from scamper_cli import readable
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix,
            *readable.runtime_paths(), *SYSTEM_LIBS}
    return sorted(d for d in dirs if os.path.exists(d))


def confine(read=None):
    """Restrict this process (and what it forks) to reading beneath
    ``read`` (default: runtime_dirs()) and writing nothing; the ABI
    version applied, or None when the kernel has no Landlock."""
    version = abi()
    if version < 1:
        return None
    handled = _fs_rights(version)
    attr = _RulesetAttr(handled, 0, SCOPE_SIGNAL if version >= 6 else 0)
    size = ctypes.sizeof(attr) if version >= 6 else 8
    rfd = _check(_libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr),
                               ctypes.c_size_t(size), ctypes.c_uint32(0)),
                 'create_ruleset')
    try:
        for path in runtime_dirs() if read is None else read:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                access = READ_FILE | EXECUTE
                if os.path.isdir(path):
                    access |= READ_DIR
                rule = _PathBeneath(access & handled, pfd)
                _check(_libc.syscall(SYS_ADD_RULE, ctypes.c_int(rfd),
                                     ctypes.c_int(RULE_PATH_BENEATH),
                                     ctypes.byref(rule), ctypes.c_uint32(0)),
                       'add_rule %s' % path)
            finally:
                os.close(pfd)
        _check(_libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(rfd),
                             ctypes.c_uint32(0)), 'restrict_self')
    finally:
        os.close(rfd)
    return version
