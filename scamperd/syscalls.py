"""A seccomp filter for the workers (libseccomp's Python binding, Debian's
python3-seccomp): system calls a worker never makes, refused with EPERM.
A worker runs no program, traces or reads no other process, loads no BPF
program, kernel module or key, mounts nothing and enters no namespace.
Without the binding it does nothing and says so (None)."""

import errno

DENIED = ('execve', 'execveat', 'ptrace', 'process_vm_readv',
          'process_vm_writev', 'bpf', 'perf_event_open', 'keyctl',
          'add_key', 'request_key', 'userfaultfd', 'io_uring_setup',
          'kexec_load', 'kexec_file_load', 'init_module', 'finit_module',
          'mount', 'umount2', 'pivot_root', 'chroot', 'setns', 'unshare',
          'personality')


def confine():
    """Load the filter into this process (and what it forks): True, or
    None without libseccomp's binding."""
    try:
        import seccomp
    except ImportError:
        return None
    f = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED:
        f.add_rule(seccomp.ERRNO(errno.EPERM), name)
    f.load()
    return True
