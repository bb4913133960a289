"""Opening a file someone else named, without being tricked: never
blocking on a FIFO, refusing what is not a regular file (or, where
allowed, a character device such as /dev/null), and, for root, never
through a symbolic link (whoever can write the directory could plant one
pointing at a file of root's)."""

import errno
import os
import stat


def open_file(path, flags, follow=False, devices=False, mode=0o644):
    """os.open(path, flags) checked as above: OSError (filename set, a
    strerror a user understands) when refused."""
    flags |= os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    if not follow:
        flags |= os.O_NOFOLLOW
    if '\0' in path:       # os.open raises ValueError: refused the same way
        raise OSError(errno.EINVAL, 'a NUL in the path', path)
    try:
        fd = os.open(path, flags, mode)
    except OSError as e:
        if e.errno == errno.ELOOP and not follow:
            raise OSError(errno.ELOOP, 'a symbolic link: name the file '
                          'itself', path) from None
        if e.errno == errno.ENXIO:         # a FIFO nobody reads
            raise OSError(errno.EINVAL, 'not a regular file', path) from None
        raise
    st_mode = os.fstat(fd).st_mode
    if not (stat.S_ISREG(st_mode) or (devices and stat.S_ISCHR(st_mode))):
        os.close(fd)
        raise OSError(errno.EINVAL, 'not a regular file', path)
    os.set_blocking(fd, True)
    return fd
