"""Opening the files scamper's command line names, before root hands them
to the unprivileged side.

Root opens a path only as its final name: never through a symbolic link
(someone who can write the directory could plant one pointing at a file
of root's), never anything but a regular file or a character device
(/dev/null, a terminal), and never blocking on a FIFO.  A regular file
is truncated only after those checks.

scamperd's output (``open_kept``) is opened as the service user and is
never truncated: a service restarted, or restarted after a crash, goes on
after the results already collected (warts ids continued), and a file it
cannot go on from is kept under a new name."""

import errno
import os
import pwd
import stat
import time

from scamperd.safeopen import open_file


def open_out(path, append=False):
    """A descriptor to write ``path``: truncated unless ``append``."""
    fd = open_file(path, os.O_WRONLY | os.O_CREAT
                   | (os.O_APPEND if append else 0), devices=True)
    if not append and stat.S_ISREG(os.fstat(fd).st_mode):
        os.ftruncate(fd, 0)
    return fd


class _As:
    """Root's effective user and groups changed to ``pw``'s while in the
    block, so that a file is opened with that user's rights only."""

    def __init__(self, pw):
        self.pw = pw

    def __enter__(self):
        if os.geteuid() != 0:
            self.saved = None
            return
        self.saved = os.getgroups()
        os.setgroups(os.getgrouplist(self.pw.pw_name, self.pw.pw_gid))
        os.setegid(self.pw.pw_gid)
        os.seteuid(self.pw.pw_uid)

    def __exit__(self, *exc):
        if self.saved is not None:
            os.seteuid(0)
            os.setegid(0)
            os.setgroups(self.saved)


def _aside(path, kind):
    """A free name for keeping the file at ``path``: its name with the
    time inserted before the output kind's extension
    (scamperd.warts.gz -> scamperd.20261204-035100.warts.gz)."""
    ext = '.' + kind
    stem = path[:-len(ext)] if path.endswith(ext) else path
    stamp = time.strftime('%Y%m%d-%H%M%S')
    for n in range(1000):
        name = '%s.%s%s%s' % (stem, stamp, '' if n == 0 else '-%d' % n,
                              ext if path.endswith(ext) else '')
        if not os.path.lexists(name):
            return name
    raise OSError(errno.EEXIST, 'no free name to keep it under', path)


def _lstat(path):
    try:
        return os.lstat(path)
    except OSError:
        return None


def open_kept(path, fmt, user):
    """scamperd's output: (descriptor, what it holds as Outfile.written
    wants it, a message or None), opened as ``user`` for appending.  Text
    and JSON are appended to; plain warts too, its list and cycle ids
    continued; a compressed or damaged file, which cannot be gone on from
    (scamper reads one compressed stream per file), is renamed with the
    time in its name and a new one started."""
    # scamperd's only: scamper's start-up does not load them
    from scamperd.sources import Outfile
    from scamperd.warts.file import WartsError
    pw = pwd.getpwnam(user)
    note = None
    with _As(pw):
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND
        try:
            fd = open_file(path, flags)
        except PermissionError:
            st = _lstat(path)
            if not (st and stat.S_ISREG(st.st_mode) and st.st_uid == 0):
                raise
            # root's, from a scamperd that wrote its output as root
            kept = _aside(path, fmt)
            os.rename(path, kept)
            note = '%s kept as %s: it is root\'s' % (path, kept)
            fd = open_file(path, flags | os.O_EXCL)
        written = ((), ())
        if os.fstat(fd).st_size > 0 and fmt != 'text' and fmt != 'json':
            why = 'it is compressed'
            if fmt == 'warts':
                try:
                    with os.fdopen(os.dup(fd), 'rb') as f:
                        written = Outfile.written(f)
                    why = None
                except WartsError as e:
                    why = 'it is not whole warts (%s)' % e
            if why is not None:
                os.close(fd)
                kept = _aside(path, fmt)
                os.rename(path, kept)
                note = '%s kept as %s: %s' % (path, kept, why)
                fd = open_file(path, flags | os.O_EXCL)
                written = ((), ())
    return fd, written, note
