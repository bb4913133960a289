"""The ``scamper`` command.

Runs as root only long enough to check its command line and open the files
it names; then the privileged helper (scamper_priv) forks the unprivileged
supervisor and its worker pool (scamperd), and keeps nothing but the right
to open raw sockets on their behalf.
"""

import os
import socket
import sys
import time

from scamper_cli import control as ctlmod
from scamper_cli import options as optmod
from scamper_cli.openfile import open_kept, open_out
from scamper_cli import readable
from scamper_priv import helper
from scamper_priv.client import PrivClient
from scamperd import commands, listcycle, pool
from scamperd.method import CommandError
from scamperd.strtol import is_decimal, is_dotted

EXIT_USAGE = 255
MAX_LINE = 8192           # bytes in one line of an input file


def _die(msg):
    sys.stderr.write('scamper: %s\n' % msg)
    sys.stderr.write('usage: see scamper -? for the options\n')
    return EXIT_USAGE


def _file_lines(f, name, make):
    """(where, command) for each line of an opened input file, the command
    made by ``make(line)``; a line that cannot be used comes as (where,
    CommandError)."""
    n = 0
    with f:
        while True:
            raw = f.readline(MAX_LINE + 1)
            if not raw:
                break
            n += 1
            where = '%s:%d' % (name, n)
            if len(raw) > MAX_LINE:
                while raw and not raw.endswith(b'\n'):   # skip the rest
                    raw = f.readline(MAX_LINE)
                yield where, CommandError('line longer than %d bytes'
                                          % MAX_LINE)
                continue
            try:
                line = raw.decode('utf-8').rstrip('\r\n')
            except UnicodeDecodeError:
                yield where, CommandError('line is not text')
                continue
            if line.strip()[:1] in ('', '#'):
                continue
            try:
                yield where, make(line)
            except CommandError as e:
                yield where, e


def tsps_command(line):
    """The ping of one line of a -O tsps file, as scamper makes it: the
    destination, then up to four addresses asked to timestamp it
    (``ping -T tsprespec=...``), each one space apart.  scamper's -c is not
    used; a line it would skip is an error here."""
    words = line.split(' ')
    if len(words) > 5 or not all(is_dotted(w) for w in words):
        raise CommandError('not a tsps line (an IPv4 destination and up to '
                           'four IPv4 addresses to timestamp it, one space '
                           'apart)')
    dst, *stamps = words
    if stamps:
        return 'ping -T tsprespec=%s %s' % (','.join(stamps), dst)
    return 'ping %s' % dst


def build_inputs(o, files):
    if o.mode == 'control':
        return []
    if o.mode == 'i':
        return [('-i %s' % a, '%s %s' % (o.command, a)) for a in o.addresses]
    if o.mode == 'I':
        return [('-I command %d' % (i + 1), c)
                for i, c in enumerate(o.commands)]
    if o.intype == 'tsps':
        make = tsps_command
    elif o.intype == 'cmdfile':
        make = str.strip
    else:
        def make(line):
            return '%s %s' % (o.command, line.strip())

    def gen():
        for name, f in files:
            yield from _file_lines(f, name, make)
    return gen()


def run_reporting(fn, who):
    """fn(), and if it raises, its reason and where on stderr (which -D
    points at the -d file or the journal), and status 1: a crash is never
    a bare message, nor lost."""
    try:
        return fn()
    except Exception as e:      # noqa: BLE001 reported whole, then exit
        import traceback
        sys.stderr.write('scamper: %s stopped on an internal error: %s: %s\n'
                         % (who, type(e).__name__, e))
        sys.stderr.write(''.join(traceback.format_exc()))
        sys.stderr.flush()
        return 1


def validate(o):
    """Check the default command and every command given on the command
    line before anything starts."""
    commands.check_default(o.command)
    if o.mode == 'i':
        for a in o.addresses:
            commands.parse('%s %s' % (o.command, a))
    elif o.mode == 'I':
        for c in o.commands:
            try:
                commands.parse(c)
            except CommandError as e:
                raise CommandError('-I "%s": %s' % (c, e)) from None


def _remote(o):
    """-R: where to connect, and the TLS context for a controller named
    by a host name (its files read here, as the user who ran scamper)."""
    if o.remote is None:
        return None
    import ssl
    host, port = o.remote
    tls = None
    if not ({'notls', 'notls-remote'} & o.flags):
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)   # checks the name
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        if 'cafile' in o.tls_files:
            tls.load_verify_locations(cafile=o.tls_files['cafile'])
        else:
            tls.load_default_certs()
        if 'client-certfile' in o.tls_files:
            tls.load_cert_chain(o.tls_files['client-certfile'],
                                o.tls_files['client-privfile'])
    return {'host': host, 'port': port, 'tls': tls}


def main(argv=None, socket_perms=(None, None), keep_output=False):
    """``socket_perms``: (mode, gid) of the -U socket; ``keep_output``:
    the -o file is appended to as the service user (scamperd: see
    openfile.open_kept)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        o = optmod.parse(argv)
    except optmod.UsageError as e:
        return _die(str(e))
    if o.help:
        sys.stdout.write(optmod.HELP)
        return 0
    if o.version:
        sys.stdout.write('scamper version %s\n' % optmod.VERSION)
        return 0
    try:
        validate(o)
    except CommandError as e:
        if o.mode == 'I':
            return _die(str(e))
        return _die('-c "%s": %s' % (o.command, e))

    if o.format.startswith('warts') and not o.outfile and os.isatty(1):
        return _die('not going to dump %s to a tty, sorry' % o.format)

    user = os.environ.get('SCAMPER_USER', 'nobody')
    try:
        problem = readable.check(user)
    except KeyError:
        problem = "unknown user '%s' (set SCAMPER_USER)" % user
    if problem:
        sys.stderr.write('scamper: %s\n' % problem)
        return 1

    # the first workers' channels to the helper are made with the
    # supervisor's (helper.run): a worker starts without a round trip
    nworkers = os.environ.get('SCAMPER_WORKERS', '0')
    if not (is_decimal(nworkers) and 0 <= int(nworkers) <= 256):
        sys.stderr.write('scamper: SCAMPER_WORKERS: expected a number of '
                         'workers up to 256 (0: as the rate needs)\n')
        return 1
    nworkers = int(nworkers) or None
    nfirst = nworkers or pool.size(o.pps)

    # -R's TLS files, then the control socket: a run that cannot start
    # truncates nothing
    try:
        remote = _remote(o)
    except OSError as e:            # ssl.SSLError is one
        sys.stderr.write('scamper: -R: %s\n' % e)
        return 1
    try:
        listeners = ctlmod.listen(o, *socket_perms)
    except OSError as e:
        sys.stderr.write('scamper: control socket: %s\n' % e)
        return 1
    # files are opened here, as the user who ran scamper
    written = ((), ())
    try:
        out_fd = 1
        if o.outfile and keep_output:
            out_fd, written, note = open_kept(o.outfile, o.format, user)
            if note:
                sys.stderr.write('scamper: %s\n' % note)
        elif o.outfile:
            out_fd = open_out(o.outfile)
        # '-' is stdin, as for scamper's list files
        files = [(p, sys.stdin.buffer if p == '-' else open(p, 'rb'))
                 for p in o.files]
        debug_fd = open_out(o.debugfile, 'debugfileappend' in o.flags) \
            if o.debugfile else None
        pid_fd = open_out(o.pidfile) if o.pidfile else None
    except OSError as e:
        sys.stderr.write('scamper: could not open %s: %s\n'
                         % (e.filename, e.strerror))
        ctlmod.close(o, listeners)
        return 1
    if o.daemon:
        ctlmod.daemonize(debug_fd)

    inputs = build_inputs(o, files)
    now = time.time()
    cycle = listcycle.Cycle(
        id=o.cycleid,
        list=listcycle.ScamperList(id=o.listid, name=o.listname,
                                   descr='default', monitor=o.monitorname),
        start=now, hostname=socket.gethostname())

    def child(priv_sock, signal_fd, spares):
        pid = os.getpid()
        if debug_fd is not None:
            os.write(debug_fd, b'%s scamper started, pid %d\n'
                     % (time.strftime('[%H:%M:%S]').encode(), pid))
        cfg = {
            'pps': o.pps, 'window': o.window, 'format': o.format,
            'sport': (pid & 0x7fff) | 0x8000,
            'workers': nworkers,
            'cycle': None if listeners or remote else cycle,
            'remote': remote,
            'listeners': [socket.socket(fileno=fd) for fd in listeners],
            'command': o.command, 'outfile': o.outfile,
            'outcopy': 'outcopy' in o.flags, 'written': written,
            'monitorname': o.monitorname,
            'data_ids': 'attach-2021' not in o.flags,
            'nameserver': o.nameserver,
        }
        # the workers first: each loads what it runs while the supervisor
        # loads what it runs (scamperd/pool.py); the helper, which stays
        # for the whole run, loads neither
        from scamperd.pacer import Pacer
        priv = PrivClient(priv_sock)
        pacer = Pacer(o.pps)
        first = [pool.spawn(priv, pacer, nfirst, cfg, ch) for ch in spares]
        # the pid file says the daemon is up: written once its workers are
        if pid_fd is not None:
            os.write(pid_fd, b'%d\n' % pid)
            os.close(pid_fd)
        from scamperd.supervisor import Supervisor
        sup = Supervisor(priv, inputs, out_fd, cfg, signal_fd=signal_fd,
                         pacer=pacer, first=first)
        return run_reporting(sup.run, 'the supervisor')

    try:
        return helper.run(child, user=user, keep_fds=listeners,
                          firewall=o.firewall, spare=nfirst)
    except (helper.PrivError, KeyError) as e:
        if isinstance(e, KeyError):
            e = "unknown user '%s' (set SCAMPER_USER)" % user
        sys.stderr.write('scamper: %s\n' % e)
        return 1
    finally:
        ctlmod.unlink(o)


if __name__ == '__main__':
    sys.exit(main())
