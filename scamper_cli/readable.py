"""Can the unprivileged user scamper runs as (SCAMPER_USER) read the
Python it runs on?  Workers import modules after root is dropped; an
interpreter or virtualenv under a directory that user cannot enter
(pyenv under /root, a home directory of mode 0700) makes them die mid-run
with "No module named ...".  Checked at start instead, with the path
named."""

import os
import pwd
import stat
import sys


def runtime_paths():
    """The directories Python reads modules from at run time: the
    standard library, its extension modules, and where our packages and
    their dependencies are installed."""
    import scamperd
    paths = [os.path.dirname(os.__file__),
             os.path.dirname(scamperd.__file__)]
    paths += [p for p in sys.path if p.endswith('lib-dynload')]
    for mod in ('pyroute2', 'msgpack', 'prctl'):
        where = _find(mod)
        if where is not None:
            paths.append(where)
    return paths


def _find(mod):
    """The directory of package ``mod``, or the one holding module
    ``mod``, first on sys.path: found, not imported (nor importlib
    loaded), so that start-up stays quick."""
    for d in sys.path:
        d = d or os.curdir
        if os.path.isfile(os.path.join(d, mod, '__init__.py')):
            return os.path.join(d, mod)
        if os.path.isfile(os.path.join(d, mod + '.py')):
            return d
    return None


def _can(st, uid, gids, bits):
    """``bits`` is a mask of r=4, x=1 as for "other"."""
    if uid == 0:
        return True
    if st.st_uid == uid:
        mode = (st.st_mode >> 6) & 7
    elif st.st_gid in gids:
        mode = (st.st_mode >> 3) & 7
    else:
        mode = st.st_mode & 7
    return mode & bits == bits


def unreadable(user, paths):
    """The first directory on the way to one of ``paths`` that ``user``
    cannot enter (or, the last one, list), or None."""
    pw = pwd.getpwnam(user)
    gids = set(os.getgrouplist(user, pw.pw_gid))
    for path in paths:
        path = os.path.realpath(path)
        parts = path.split(os.sep)
        for i in range(1, len(parts) + 1):
            d = os.sep.join(parts[:i]) or os.sep
            try:
                st = os.stat(d)
            except OSError:
                return d
            if not stat.S_ISDIR(st.st_mode):
                continue
            need = 5 if i == len(parts) else 1
            if not _can(st, pw.pw_uid, gids, need):
                return d
    return None


def check(user):
    """An error message if ``user`` cannot read the running Python, else
    None (only root drops privileges: otherwise nothing to check)."""
    if os.geteuid() != 0:
        return None
    bad = unreadable(user, runtime_paths())
    if bad is None:
        return None
    return ("user '%s' cannot read %s, where %s runs from (%s): install "
            "scamper-py where that user can read it (packaging/install.sh "
            "uses /opt/scamper-py), or set SCAMPER_USER"
            % (user, bad, sys.executable, os.path.dirname(os.__file__)))
