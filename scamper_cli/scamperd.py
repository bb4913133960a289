"""scamperd: scamper as a service (the service manager's entry point).

Reads /etc/scamperd.conf (``key = value`` lines, ``#`` comments):

    socket = /run/scamperd/scamperd.sock   # Unix control socket
    socket_mode = 0660
    group = scamper          # the socket's group: who may use it
    user = scamper           # the unprivileged user measurements run as
    pps = 20
    window = 0
    monitorname = <host name>
    outdir = /var/lib/scamperd   # the default output (scamperd.<format>,
                                 # appended to at each start), relative
                                 # outfiles
    format = warts
    port =                   # also listen on TCP (loopback) when set
    attach_2021 = off        # on: DATA len without id-N (-O attach-2021)
    remote =                 # host:port of an sc_remoted to join (-R)
    remote_tls = on          # off: plain TCP to a host name too
    remote_cafile =          # CA certificates to check it by (-O cafile=)
    remote_certfile =        # our certificate and key, when it asks
    remote_keyfile =         #   (-O client-certfile= client-privfile=)

then runs scamper with the matching flags (``-U``, ``-p``, ``-w``, ``-M``,
``-o``, ``-O``, ``-P``, ``-R``); flags given to scamperd are passed on after them
and win.  It runs in the foreground: the service manager supervises it.
"""

import grp
import os
import pwd
import sys

from scamper_cli import main as scamper_main

DEFAULT_CONFIG = '/etc/scamperd.conf'
DEFAULT_SOCKET = '/run/scamperd/scamperd.sock'

DEFAULTS = {
    'socket': DEFAULT_SOCKET, 'socket_mode': '0660', 'group': 'scamper',
    'user': 'scamper', 'pps': '20', 'window': '0', 'monitorname': '',
    'outdir': '/var/lib/scamperd', 'format': 'warts', 'port': '',
    'attach_2021': 'off', 'remote': '', 'remote_tls': 'on',
    'remote_cafile': '', 'remote_certfile': '', 'remote_keyfile': '',
}
REMOVED = {
    'attach_ids': 'every socket sends DATA len id-N now',
    'socket_ids': 'every socket sends DATA len id-N now; attach_2021 = on '
                  'gives 20211212 clients plain DATA len',
}


class ConfigError(Exception):
    pass


def read_config(text, name=DEFAULT_CONFIG, warnings=None):
    """The settings; a setting that is no longer used is ignored with a
    message appended to ``warnings`` (so an old file still works)."""
    cfg = dict(DEFAULTS)
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition('=')
        key, value = key.strip(), value.strip()
        if key in REMOVED:
            if warnings is not None:
                warnings.append('%s:%d: %s is ignored: %s'
                                % (name, n, key, REMOVED[key]))
            continue
        if not sep or key not in DEFAULTS:
            raise ConfigError('%s:%d: unknown setting %r' % (name, n, key))
        cfg[key] = value
    try:
        cfg['socket_mode'] = int(cfg['socket_mode'], 8)
    except ValueError:
        raise ConfigError('%s: socket_mode must be octal' % name) from None
    for key in ('attach_2021', 'remote_tls'):
        if cfg[key] not in ('on', 'off'):
            raise ConfigError('%s: %s must be on or off' % (name, key))
    if bool(cfg['remote_certfile']) != bool(cfg['remote_keyfile']):
        raise ConfigError('%s: remote_certfile and remote_keyfile go '
                          'together' % name)
    return cfg


def scamper_argv(cfg, extra):
    argv = ['-U', cfg['socket'], '-p', cfg['pps'], '-w', cfg['window'],
            '-O', cfg['format']]
    if cfg['monitorname']:
        argv += ['-M', cfg['monitorname']]
    if cfg['outdir']:
        argv += ['-o', os.path.join(cfg['outdir'],
                                    'scamperd.' + cfg['format'])]
    if cfg['port']:
        argv += ['-P', cfg['port']]
    if cfg['attach_2021'] == 'on':
        argv += ['-O', 'attach-2021']
    if cfg['remote']:
        argv += ['-R', cfg['remote']]
        if cfg['remote_tls'] == 'off':
            argv += ['-O', 'notls-remote']
        for key, opt in (('remote_cafile', 'cafile'),
                         ('remote_certfile', 'client-certfile'),
                         ('remote_keyfile', 'client-privfile')):
            if cfg[key]:
                argv += ['-O', '%s=%s' % (opt, cfg[key])]
    return argv + list(extra)


USAGE = '''usage: scamperd [--config FILE] [scamper options ...]

Runs scamper as a service with the settings of FILE (default %s):
the control socket, its mode and group, the user measurements run as,
pps, window, monitor name, output directory and format.  scamper options
given here come after those and win (scamper -? lists them).
''' % DEFAULT_CONFIG


def _outdir(cfg, gid):
    """Enter the output directory (relative `outfile open` paths),
    making it as systemd does (root:group, 0770) when run by hand as
    root; an error message if that cannot be done."""
    d = cfg['outdir']
    if not os.path.isdir(d):
        if os.geteuid() != 0:
            return ('outdir %s does not exist: create it, writable by user '
                    "'%s', or set outdir in the configuration" % (d,
                                                                 cfg['user']))
        try:
            os.makedirs(d, 0o770)
            os.chown(d, 0, -1 if gid is None else gid)
            os.chmod(d, 0o770)
        except OSError as e:
            return 'cannot make outdir %s: %s' % (d, e.strerror)
    try:
        os.chdir(d)
    except OSError as e:
        return 'outdir %s: %s' % (d, e.strerror)
    return None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (['--help'], ['-h'], ['-?']):
        sys.stdout.write(USAGE)
        return 0
    path = DEFAULT_CONFIG
    if argv[:1] == ['--config'] and len(argv) > 1:
        path, argv = argv[1], argv[2:]
    try:
        warnings = []
        try:
            with open(path) as f:
                cfg = read_config(f.read(), path, warnings)
        except FileNotFoundError:
            if path != DEFAULT_CONFIG:
                raise ConfigError('%s: no such file' % path) from None
            cfg = read_config('')
        try:
            gid = grp.getgrnam(cfg['group']).gr_gid if cfg['group'] else None
        except KeyError:
            raise ConfigError("unknown group '%s'" % cfg['group']) from None
        try:
            pwd.getpwnam(cfg['user'])
        except KeyError:
            raise ConfigError("unknown user '%s'" % cfg['user']) from None
    except ConfigError as e:
        sys.stderr.write('scamperd: %s\n' % e)
        return 1
    for w in warnings:
        sys.stderr.write('scamperd: %s\n' % w)
    problem = _outdir(cfg, gid) if cfg['outdir'] else None
    if problem:
        sys.stderr.write('scamperd: %s\n' % problem)
        return 1
    os.environ['SCAMPER_USER'] = cfg['user']
    return scamper_main.main(scamper_argv(cfg, argv),
                             socket_perms=(cfg['socket_mode'], gid),
                             keep_output=True)


if __name__ == '__main__':
    sys.exit(main())
