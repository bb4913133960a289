"""The interactive commands of scamper 20211212's control socket, each
mapped to its reply lines, word for word as scamper replies.

``handle(ctl, conn, line)`` returns the reply lines (without newlines);
``ctl`` is the daemon (server.Control, or a stand-in in tests): its
settings, its Sources, and the actions (shutdown, attach, observe) that
need the supervisor or the connection."""

from scamperd.control.protocol import params, quote, words
from scamperd.sources import FileSource, Outfile

VERSION = '20211212'
PPS_RANGE = (1, 10000)


class Close(Exception):
    """``exit``: close the connection without a reply."""


def handle(ctl, conn, line):
    verb, _, rest = line.strip(' ').partition(' ')
    rest = rest.strip(' ')
    fn = _COMMANDS.get(verb)
    if fn is None:
        return ["ERR unhandled command '%s'" % line]
    return fn(ctl, conn, rest)


def _exit(ctl, conn, rest):
    raise Close()


def _help(ctl, conn, rest):
    return ['ERR XXX: todo']


def _get(ctl, conn, rest):
    if not rest:
        return ['ERR usage: get [command | monitorname | pid | pps | '
                'version | window]']
    if rest == 'pid':
        return ['OK pid %d' % ctl.pid]
    if rest == 'pps':
        return ['OK pps %d' % ctl.pps]
    if rest == 'window':
        return ['OK window %d/%d' % (ctl.window_active(), ctl.window)]
    if rest == 'version':
        return ['OK version %s' % VERSION]
    if rest in ('command', 'monitorname', 'nameserver'):
        value = getattr(ctl, rest)
        if value is None:
            return ['OK null %s' % rest]
        return ['OK %s %s' % (rest, value)]
    return ["ERR unhandled get command '%s'" % rest]


def _int(text):
    try:
        return int(text, 10)
    except ValueError:
        return None


def _set(ctl, conn, rest):
    what, _, value = rest.partition(' ')
    value = value.strip(' ')
    if what == 'pps':
        n = _int(value)
        if n is None:
            return ['ERR set pps argument is not an integer']
        if not PPS_RANGE[0] <= n <= PPS_RANGE[1]:
            return ['ERR pps: %d out of range (%d, %d)' % ((n,) + PPS_RANGE)]
        ctl.set_pps(n)
        return ['OK pps %d' % n]
    if what == 'window':
        n = _int(value)
        if n is None or n < 0:
            return ['ERR set window argument is not an integer']
        ctl.window = n
        return ['OK window %d' % n]
    if what == 'command':
        if not ctl.set_command(value):
            return ['ERR could not set command']
        return ['OK']
    if what in ('monitorname', 'nameserver') and value:
        setattr(ctl, what, value)
        return ['OK']
    return ['ERR usage: set [command | monitorname | pps | window]']


def _shutdown(ctl, conn, rest):
    if not rest:
        return ['ERR usage: [cancel | done | flush | now]']
    if rest not in ('cancel', 'done', 'flush', 'now'):
        return ["ERR unhandled command '%s'" % rest]
    ctl.shutdown(rest)
    return [] if rest == 'now' else ['OK']


def _lss_clear(ctl, conn, rest):
    if not rest:
        return ['ERR usage: lss-clear [lss-name]']
    rest = rest.split(' ', 1)[0]        # the first word names the set
    if ctl.lss_clear(rest):
        return ['OK lss-clear %s' % rest]
    return ['ERR lss-clear %s failed' % rest]


def _observe(ctl, conn, rest):
    if rest != 'sources':
        return ['ERR usage: observe [sources]']
    ctl.observe(conn)
    return ['OK']


def _attach(ctl, conn, rest):
    return ctl.attach(conn, rest)


# -- source ---------------------------------------------------------------

SOURCE_ADD = ('name', 'descr', 'command', 'list_id', 'cycle_id', 'priority',
              'outfile', 'file', 'cycles', 'autoreload')


def _u32(text):
    n = _int(text)
    return n if n is not None and 0 <= n <= 0xffffffff else None


def _source(ctl, conn, rest):
    sub, _, arg = rest.partition(' ')
    arg = arg.strip(' ')
    srcs = ctl.sources
    if sub == 'add':
        return _source_add(ctl, arg)
    if sub == 'list':
        if arg:
            s = srcs.get(arg)
            if s is None:
                return ["ERR no source '%s'" % arg]
            shown = [s]
        else:
            shown = srcs.all
        return ['INFO ' + s.info() for s in shown] + ['OK']
    if sub == 'progress':
        # not scamper's: what scamperctl watch shows
        shown = [s for s in srcs.all if not arg or s.name == arg]
        if arg and not shown:
            return ["ERR no source '%s'" % arg]
        return ['INFO %s' % _progress(s) for s in shown] + ['OK']
    if sub == 'update':
        name, _, more = arg.partition(' ')
        s = srcs.get(name)
        if not isinstance(s, FileSource):
            return ["ERR no such source '%s'" % name]
        got, bad = params(more, ('priority', 'cycles', 'autoreload'))
        if got is None:
            return ["ERR source update param '%s' failed" % bad]
        changes = []
        for key in ('priority', 'cycles'):
            if key in got:
                n = _u32(got[key])
                if n is None:
                    return ["ERR source update param '%s' failed" % key]
                setattr(s, key, n)
                changes.append('%s %d' % (key, n))
        if 'autoreload' in got:
            if got['autoreload'] not in ('on', 'off'):
                return ["ERR source update param 'autoreload' failed"]
            s.autoreload = got['autoreload'] == 'on'
            changes.append('autoreload %s' % got['autoreload'])
        srcs.event('source update %s %s' % (quote(name), ' '.join(changes)))
        return ['OK']
    if sub == 'cycle':
        s = srcs.get(arg)
        if not isinstance(s, FileSource):
            return ["ERR no source '%s'" % arg]
        s.pos = len(s.lines or ())      # the next take starts a new cycle
        return ['OK']
    if sub == 'delete':
        s = srcs.get(arg)
        if not isinstance(s, FileSource):
            return ["ERR unknown source '%s'" % arg]
        s.drop_pending()
        srcs.remove(s)
        srcs.event('source delete %s' % quote(arg))
        return ["OK source '%s' deleted" % arg]
    return ['ERR usage: source [add | cycle | delete | list | update]']


def _progress(s):
    done, known = s.progress()
    line = 'name %s type %s' % (quote(s.name), quote(s.kind))
    if isinstance(s, FileSource):
        cycle = s.cycle or s.last_cycle
        line += ' cycle_id %d cycles %d' % (cycle.id if cycle else
                                            s.cycle_id, s.cycles)
    return line + ' done %d known %d' % (done, known)


def _source_add(ctl, arg):
    got, bad = params(arg, SOURCE_ADD)
    if got is None:
        return ["ERR source add param '%s' failed" % bad]
    for key in ('name', 'file'):
        if key not in got:
            return ["ERR required parameter '%s' missing" % key]
    srcs = ctl.sources
    if srcs.get(got['name']) is not None:
        return ["ERR source '%s' already exists" % got['name']]
    out = srcs.outfiles.get(got.get('outfile', '-'))
    if out is None:
        return ["ERR unknown outfile '%s'" % got['outfile']]
    nums = {}
    for key, default in (('list_id', 0), ('cycle_id', 1), ('priority', 1),
                         ('cycles', 1)):
        nums[key] = _u32(got[key]) if key in got else default
        if nums[key] is None:
            return ["ERR source add param '%s' failed" % key]
    reload = got.get('autoreload', 'off')
    if reload not in ('on', 'off'):
        return ["ERR source add param 'autoreload' failed"]
    command = got.get('command', ctl.command)
    if not ctl.check_command(command):
        return ["ERR source add param 'command' failed"]
    try:
        open(got['file'], 'rb').close()
    except OSError:
        return ["ERR source add param 'file' failed"]
    src = FileSource(srcs, got['name'], got['file'], command, out,
                     descr=got.get('descr'), autoreload=reload == 'on',
                     **nums)
    srcs.add(src)
    return ['OK source added']


# -- outfile ----------------------------------------------------------------

OUTFILE_USAGE = ('ERR usage: outfile open name <alias> file <path> '
                 'mode <truncate|append>')


def _outfile(ctl, conn, rest):
    sub, _, arg = rest.partition(' ')
    arg = arg.strip(' ')
    outs = ctl.sources.outfiles
    if sub == 'open':
        got, bad = params(arg, ('name', 'file', 'mode'))
        if got is None or len(got) != 3 \
                or got['mode'] not in ('truncate', 'append'):
            return [OUTFILE_USAGE]
        if got['name'] in outs:
            return ["ERR outfile '%s' already exists" % got['name']]
        try:
            fd = ctl.open_outfile(got['file'], got['mode'] == 'append')
        except OSError:
            return ["ERR could not open %s" % got['file']]
        kind = Outfile.kind_of(got['file'])
        ids = Outfile.ids_in(got['file']) \
            if got['mode'] == 'append' and kind == 'warts' else (0, 0)
        outs[got['name']] = Outfile(got['name'], got['file'], fd, fmt=kind,
                                    first_ids=ids)
        return ['OK']
    if sub == 'close':
        out = outs.get(arg)
        if out is None:
            return ["ERR unknown outfile '%s'" % arg]
        if out.refcnt > 1 or arg == '-':
            return ['ERR could not drop outfile: refcnt %d' % out.refcnt]
        out.close()
        del outs[arg]
        return ['OK']
    if sub == 'swap':
        names = words(arg) or []
        if len(names) != 2:
            return ['ERR usage: outfile swap <alias 1> <alias 2>']
        for n in names:
            if n not in outs:
                return ["ERR unknown outfile '%s'" % n]
        a, b = outs[names[0]], outs[names[1]]
        # the files change places, each with its state (warts ids)
        for attr in ('path', 'fd', '_write', '_z', 'fmt', 'n_lists',
                     'n_cycles', 'lists', 'cycles'):
            va, vb = getattr(a, attr), getattr(b, attr)
            setattr(a, attr, vb)
            setattr(b, attr, va)
        return ['OK']
    if sub == 'list':
        # newest first, as scamper keeps them
        return ["INFO %s file %s refcnt %d" % (quote(o.name), quote(o.path),
                                               o.refcnt)
                for o in reversed(list(outs.values()))] + ['OK']
    return ['ERR usage: outfile [close | list | open | swap]']


_COMMANDS = {
    'exit': _exit, 'help': _help, 'get': _get, 'set': _set,
    'shutdown': _shutdown, 'lss-clear': _lss_clear, 'observe': _observe,
    'attach': _attach, 'source': _source, 'outfile': _outfile,
}
