"""The control socket as the root process sets it up (-P, -U, -D).

The listening sockets are made here, by root, before privileges are
dropped: the unprivileged supervisor inherits them and only accepts.  So
``-U`` may name a path in a directory only root can write (/run/scamper),
the socket file belongs to root and keeps its mode (umask, or the mode
scamperd sets), and it is removed by root when scamper exits."""

import os
import socket
import stat

BACKLOG = 256


def _unix(path, mode):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        # a socket left by a scamper that did not exit cleanly may go;
        # anything else, or a socket someone listens on, may not
        if not stat.S_ISSOCK(st.st_mode):
            raise OSError('%s exists and is not a socket' % path)
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
        except ConnectionRefusedError:
            os.unlink(path)
        else:
            raise OSError('%s: another process listens there' % path)
        finally:
            probe.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # made with its mode (nothing is changed through the path afterwards,
    # where a symbolic link may have replaced it)
    old = os.umask(0o777 & ~mode) if mode is not None else None
    try:
        s.bind(path)
    except OSError:
        s.close()
        raise
    finally:
        if old is not None:
            os.umask(old)
    return s


_made = []       # Unix socket paths made here, removed by unlink()


def listen(o, mode=None, group=None):
    """Listening sockets for -P and -U, as descriptors (the supervisor
    makes socket objects of them again).  ``mode`` and ``group`` set the
    Unix socket's permissions (scamperd)."""
    socks = []
    paths = [o.control_unix] if o.control_unix is not None else []
    try:
        if o.control_tcp is not None:
            ip, port = o.control_tcp
            fam = socket.AF_INET6 if ':' in ip else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            socks.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((ip, port))
        for path in paths:
            s = _unix(path, mode)
            socks.append(s)
            _made.append(path)
            if group is not None:
                os.chown(path, -1, group, follow_symlinks=False)
        for s in socks:
            s.listen(BACKLOG)
            s.set_inheritable(False)
    except OSError:
        unlink(o)               # ours: they were bound
        for s in socks:
            s.close()
        raise
    return [s.detach() for s in socks]


def close(o, fds):
    """Undo listen(): the descriptors closed, the Unix sockets removed."""
    for fd in fds:
        os.close(fd)
    unlink(o)


def unlink(o):
    while _made:
        try:
            os.unlink(_made.pop())
        except OSError:
            pass


JOURNAL = '/run/systemd/journal/stdout'


def daemonize(debug_fd=None):
    """-D: leave the terminal and the parent, as a daemon does.  What
    scamper writes on stderr (errors, a crash's reason) then goes to the
    -d file, or else to the journal where there is one."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    os.chdir('/')
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    if debug_fd is not None:
        os.dup2(debug_fd, 2)
        return
    log = _journal_stream('scamper')
    if log is not None:
        os.dup2(log.fileno(), 2)
        log.close()


def _journal_stream(ident):
    """A stream into the journal, as systemd gives a service's stderr
    (its stream protocol: a header of seven lines), or None."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(JOURNAL)
        # identifier, unit, priority (3: error), level prefix, and no
        # copy to syslog, kmsg or the console
        s.sendall(('%s\n\n3\n0\n0\n0\n0\n' % ident).encode())
        s.shutdown(socket.SHUT_RD)
    except OSError:
        s.close()
        return None
    return s
