"""The top-level command line of scamper(1).

Parsed as scamper 20211212 parses it, with GNU getopt
(``c:C:d:De:fF:iIl:L:M:n:o:O:p:P:R:U:vw:?``): ``-i``, ``-I`` and ``-f`` are
flags, and the addresses, commands or list file are all the arguments that
are not options, wherever they stand (``-i A -i B``, ``-i A -p 100 B`` and
``A -i`` are the same as ``-i A B``); ``--`` ends the options.  ``-O``
values are matched in any case.  Every error names the option and value.
"""

from scamperd import addr

VERSION = '20211212'
PPS_MAX = 50000

USAGE = """\
usage: scamper [-?Dv] [-c command] [-p pps] [-w window]
               [-M monitorname] [-l listname] [-L listid] [-C cycleid]
               [-o outfile] [-O options] [-F firewall] [-e pidfile]
               [-n nameserver] [-d debugfile]
               [-i IPs | -I cmds | -f file | -P [ip:]port | -U unix]
               [-R name:port]
"""

HELP = USAGE + """
            -? give an overview of the usage of scamper
            -c command string (default: trace)
            -C cycle id
            -d write debugging information to the specified file
            -D start as a daemon listening for commands on a port
            -e write process ID to specified file
            -f list of files provided on the command line
            -F use the system firewall to install rules as necessary
               (Linux: nft, or nft:<table>:<max rules>; tbit and sting
               need it)
            -i list of IP addresses provided on the command line
            -I list of scamper commands provided on the command line
            -l name to assign to default list
            -L list id for default list
            -M specify the canonical name of the monitor
            -n specify the DNS server the control socket's get nameserver shows
            -o specify the file to write output to
            -O specify options to use:
               text: output results in plain text for interactive use
               warts: output results in warts format for science
               warts.gz: output results in gzipped warts format
               warts.bz2: output results in bzip2 warts format
               warts.xz: output results in xz warts format
               json: output results in json format, better to use warts
               tsps: input file for ping -T tsprespec=IP[,IP...]
               cmdfile: input file specifies whole commands
               outcopy: output copy of all results collected to file
               debugfileappend: append to debugfile, rather than truncate
               attach-2021: control socket results as 'DATA len', without
                            ' id-N' (for scamper 20211212's sc_attach)
               notls: do not use TLS anywhere in scamper
               notls-remote: do not use TLS on remote control sockets
               cafile=file: use the CA certs in file for TLS peer check
               client-certfile=file: use cert in file for remote auth
               client-privfile=file: use privkey in file for remote auth
            -p number of packets per second to send (1 <= pps <= %d)
            -P [ip:]port for control socket, default to loopback
            -R name and port of remote host to receive commands from
            -U name of control socket in the file system
            -v output the version of scamper this binary is
            -w limit the window of actively probing tasks
""" % PPS_MAX

# -O choices: what we do with each
O_FORMATS = ('text', 'json', 'warts', 'warts.gz', 'warts.bz2', 'warts.xz')
O_INPUTS = ('cmdfile', 'tsps')      # what an input file holds (last wins)
O_FLAGS = ('outcopy', 'debugfileappend', 'attach-2021', 'notls',
           'notls-remote')
O_FILES = ('cafile', 'client-certfile', 'client-privfile')   # -O name=file
O_ACCEPTED = ('planetlab', 'rawtcp', 'select', 'epoll', 'noinitndc',
              'icmp-rxerr', 'rxerr-icmp')
O_REFUSED = {'kqueue': 'kqueue(2) does not exist on Linux (scamper refuses '
                       'it there too); use epoll, select or nothing'}


class UsageError(Exception):
    """A bad command line: message names the option and value."""


class Options:
    def __init__(self):
        self.command = 'trace'
        self.pps = 20
        self.window = 0
        self.monitorname = None
        self.nameserver = None    # -n: what the control socket's get shows
        self.listname = 'default'
        self.listid = 0
        self.cycleid = 0          # scamper's default list has cycle 0
        self.outfile = None
        self.firewall = None
        self.debugfile = None
        self.pidfile = None
        self.format = 'text'
        self.flags = set()
        self.intype = None        # -O cmdfile / -O tsps: the file's lines
        self.mode = None          # 'i', 'I', 'f', or 'P'/'U' (control socket)
        self.control_tcp = None   # (ip, port) of -P
        self.control_unix = None  # path of -U
        self.remote = None        # (name, port) of -R
        self.tls_files = {}       # -O cafile= client-certfile= ...
        self.daemon = False       # -D
        self.addresses = []
        self.commands = []
        self.files = []
        self.help = False
        self.version = False


def _uint(opt, value, lo, hi):
    try:
        v = int(value, 10)
    except ValueError:
        v = None
    if v is None or v < lo or v > hi:
        raise UsageError('invalid %s value \'%s\': must be an integer '
                         'from %d to %d' % (opt, value, lo, hi))
    return v


def _control_port(value):
    """-P [ip:]port: loopback only (the control socket has no
    authentication)."""
    host, sep, port = value.rpartition(':')
    if not sep:
        host = '127.0.0.1'
    host = host.strip('[]')
    import ipaddress        # -P only
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise UsageError("-P: invalid address '%s'" % host) from None
    if not ip.is_loopback:
        raise UsageError("-P %s: the control socket listens on loopback "
                         "addresses only (it has no authentication)" % value)
    return str(ip), _uint('-P', port, 1, 65535)


def _remote(value):
    """-R name:port (an IPv6 address in brackets)."""
    host, sep, port = value.rpartition(':')
    host = host.strip('[]') if host.startswith('[') else host
    if not sep or not host:
        raise UsageError("-R '%s': expected name:port" % value)
    return host, _uint('-R', port, 1, 65535)


def _mode(o, want):
    if o.mode is not None and o.mode != want:
        raise UsageError('-%s cannot be combined with -%s' % (want, o.mode))
    o.mode = want


OPTSTRING = 'c:C:d:De:fF:iIl:L:M:n:o:O:p:P:R:U:vw:?'


def gnu_getopt(argv, optstring=OPTSTRING):
    """(options, arguments) as Python's getopt.gnu_getopt gives them, for
    short options only (its module costs a millisecond of start-up, in
    gettext): options as ('-x', value or ''), the arguments being every
    word that is not an option or an option's value, in order."""
    takes = {c: optstring[i + 1:i + 2] == ':'
             for i, c in enumerate(optstring) if c != ':'}
    opts, rest = [], []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == '--':
            rest.extend(argv[i:])
            break
        if word.startswith('--'):
            raise UsageError('option %s not recognized'
                             % word.split('=', 1)[0])
        if word[:1] != '-' or word == '-':
            rest.append(word)
            continue
        for j in range(1, len(word)):
            c = word[j]
            if c not in takes:
                raise UsageError('option -%s not recognized' % c)
            if not takes[c]:
                opts.append(('-' + c, ''))
                continue
            val = word[j + 1:]
            if not val:
                if i == len(argv):
                    raise UsageError('option -%s requires argument' % c)
                val = argv[i]
                i += 1
            opts.append(('-' + c, val))
            break
    return opts, rest


def parse(argv):
    """Parse ``argv`` (without the program name) into Options."""
    o = Options()
    opts, rest = gnu_getopt(argv)
    for opt, val in opts:
        if opt == '-c':
            if not val.strip():
                raise UsageError('invalid -c value: empty command')
            o.command = val
        elif opt == '-C':
            o.cycleid = _uint('-C', val, 0, 0xffffffff)
        elif opt == '-d':
            o.debugfile = val
        elif opt == '-e':
            o.pidfile = val
        elif opt == '-f':
            _mode(o, 'f')
        elif opt == '-F':
            from scamper_priv.firewall import parse_spec as parse_firewall
            try:
                o.firewall = parse_firewall(val)
            except ValueError as e:
                raise UsageError(str(e)) from None
        elif opt == '-i':
            _mode(o, 'i')
        elif opt == '-I':
            _mode(o, 'I')
        elif opt == '-l':
            o.listname = val
        elif opt == '-L':
            o.listid = _uint('-L', val, 0, 0xffffffff)
        elif opt == '-M':
            o.monitorname = val
        elif opt == '-n':
            o.nameserver = val
        elif opt == '-R':
            o.remote = _remote(val)
        elif opt == '-o':
            o.outfile = val
        elif opt == '-O':
            low = val.lower()
            if low in O_FORMATS:
                o.format = low
            elif low in O_INPUTS:
                o.intype = low
            elif low in O_FLAGS:
                o.flags.add(low)
            elif low.partition('=')[0] in O_FILES and '=' in val:
                name, _, path = val.partition('=')
                if not path:
                    raise UsageError('-O %s: no file given' % val)
                o.tls_files[name.lower()] = path
            elif low in O_ACCEPTED:
                pass
            elif low in O_REFUSED:
                raise UsageError('-O %s: %s' % (val, O_REFUSED[low]))
            else:
                raise UsageError("invalid -O value '%s'" % val)
        elif opt == '-p':
            o.pps = _uint('-p', val, 1, PPS_MAX)
        elif opt == '-P':
            o.control_tcp = _control_port(val)
        elif opt == '-U':
            if not val:
                raise UsageError('-U: empty path')
            o.control_unix = val
        elif opt == '-D':
            o.daemon = True
        elif opt == '-v':
            o.version = True
        elif opt == '-w':
            o.window = _uint('-w', val, 0, 0xffffffff)
        elif opt == '-?':
            o.help = True
    if o.help or o.version:
        return o
    if ('client-certfile' in o.tls_files) != ('client-privfile' in
                                              o.tls_files):
        raise UsageError('-O client-certfile= and -O client-privfile= go '
                         'together')
    if o.control_tcp or o.control_unix or o.remote:
        if o.mode is not None or rest:
            raise UsageError('-P, -U and -R cannot be combined with an '
                             'input (-i, -I, -f or a list file)')
        o.mode = 'control'
        return o
    if o.daemon:
        raise UsageError('-D needs a control socket: -P, -U or -R')
    if o.mode == 'i':
        if not rest:
            raise UsageError('-i: no addresses given')
        for a in rest:
            try:
                addr.parse(a)
            except ValueError:
                raise UsageError("-i: invalid address '%s'" % a) from None
        o.addresses = rest
    elif o.mode == 'I':
        if not rest:
            raise UsageError('-I: no commands given')
        o.commands = rest
    else:
        # -f, or files named without an option, as scamper accepts them
        if not rest:
            raise UsageError('nothing to do: give -i addresses, -I commands'
                             ' or a list file')
        o.mode = 'f'
        o.files = rest
    if o.intype is not None and o.mode != 'f':
        raise UsageError('-O %s needs an input file' % o.intype)
    return o
