"""The interactive commands of scamper 20211212's control socket, each
mapped to its reply lines, word for word as scamper replies.

``handle(ctl, conn, line)`` returns the reply lines (without newlines);
``ctl`` is the daemon (server.Control, or a stand-in in tests): its
settings, its Sources, and the actions (shutdown, attach, observe) that
need the supervisor or the connection."""

import os

from scamperd.control.protocol import pairs, params, quote, words
from scamperd.strtol import DIGITS, strtol, strtol_errno
from scamperd.sources import FileSource, Outfile
from scamperd.warts.codec import WartsError

VERSION = '20211212'
PPS_RANGE = (1, 10000)


class Close(Exception):
    """``exit``: close the connection without a reply."""


def handle(ctl, conn, line):
    verb, _, rest = line.strip(' ').partition(' ')
    rest = rest.strip(' ')
    fn = _COMMANDS.get(verb.lower())
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


SET_RANGES = {'pps': PPS_RANGE, 'window': (0, 65535)}


def _set_number(ctl, what, value):
    """set pps / set window as 20211212's set_long: its first word, a
    sign and digits (C's strtol then reads it, 0x and all), in range."""
    if not value:
        return ['ERR set %s requires argument' % what]
    word = value.split(' ', 1)[0]
    if not (word[:1] in '+-' or word[:1] in DIGITS) or \
            not all(c in '0123456789' for c in word[1:]):
        return ['ERR set %s argument is not an integer' % what]
    n, erange = strtol_errno(word)
    if erange:
        return ['ERR could not convert %s to long: Numerical result out '
                'of range' % word]
    lo, hi = SET_RANGES[what]
    if not lo <= n <= hi:
        n32 = (n + (1 << 31)) % (1 << 32) - (1 << 31)     # printed as %d
        return ['ERR %s: %d out of range (%d, %d)' % (what, n32, lo, hi)]
    if what == 'pps':
        ctl.set_pps(n)
    else:
        ctl.window = n
    return ['OK %s %d' % (what, n)]


def _set(ctl, conn, rest):
    """As 20211212 answers: the setting named in any case, an unknown one
    named back; a monitorname set to nothing is unset.  (Unlike scamper,
    a default command that cannot run is refused.)"""
    if not rest:
        return ['ERR usage: set [command | monitorname | pps | window]']
    what, _, value = rest.partition(' ')
    value = value.strip(' ')
    key = what.lower()
    if key in SET_RANGES:
        return _set_number(ctl, key, value)
    if key == 'command':
        if not value or not ctl.set_command(value):
            return ['ERR could not set command']
        return ['OK']
    if key == 'monitorname':
        ctl.monitorname = value or None
        return ['OK']
    if key == 'nameserver':
        if not value:
            return ['ERR could not set nameserver']
        ctl.nameserver = value
        return ['OK']
    return ["ERR unhandled set command '%s'" % what]


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
SWITCH = {'on': True, 'off': False}


def _one_word(rest):
    """The single parameter of source cycle / delete / list: (word, None)
    or (None, what went wrong)."""
    ws = words(rest)
    if ws is None or len(ws) > 1:
        return None, 'params_get failed'
    return (ws[0], None) if ws else (None, 'missing')


def _source(ctl, conn, rest):
    sub, _, arg = rest.partition(' ')
    sub = sub.lower()
    arg = arg.strip(' ')
    srcs = ctl.sources
    if not sub:
        return ['ERR usage: source [add | cycle | delete | list | update]']
    if sub == 'add':
        return _source_add(ctl, arg)
    if sub == 'list':
        if arg:
            name, _ = _one_word(arg)
            s = srcs.get(name)
            if s is None:
                if name is None:
                    return ['ERR source check params_get failed']
                return ["ERR no source '%s'" % name]
            shown = [s]
        else:
            shown = sorted(srcs.all, key=lambda s: _by_name(s.name),
                           reverse=True)
        return ['INFO ' + s.info() for s in shown] + ['OK']
    if sub == 'progress':
        # not scamper's: what scamperctl watch shows
        shown = [s for s in srcs.all if not arg or s.name == arg]
        if arg and not shown:
            return ["ERR no source '%s'" % arg]
        return ['INFO %s' % _progress(s) for s in shown] + ['OK']
    if sub == 'tasks':
        # not scamper's: the tasks running now, for scamperctl watch
        return ['INFO id %d source %s command %s' % (
            rec.id, quote(rec.source.name if rec.source else '-'),
            quote(rec.line)) for rec in sorted(
                ctl.running_tasks(), key=lambda r: r.id)] + ['OK']
    if sub == 'update':
        return _source_update(srcs, arg)
    if sub in ('cycle', 'delete'):
        name, bad = _one_word(arg)
        if name is None:
            if bad == 'missing':
                return ['ERR missing required parameter for source ' + sub]
            return ['ERR source %s params_get failed' % sub]
        s = srcs.get(name)
        if not isinstance(s, FileSource):
            return ["ERR no source '%s'" % name if sub == 'cycle' else
                    "ERR unknown source '%s'" % name]
        if sub == 'cycle':
            s.next_cycle()      # the next take starts a new cycle
            return ['OK']
        s.drop_pending()
        srcs.remove(s)
        ctl.forget_source(s)    # its tasks not started yet go at once
        srcs.event('source delete %s' % quote(name))
        return ["OK source '%s' deleted" % name]
    return ["ERR unhandled command '%s'" % sub]


def _source_update(srcs, arg):
    ws = words(arg) if arg else []
    if ws is None:
        return ['ERR source update params_get failed']
    if not ws:
        return ['ERR missing name parameter']
    name = ws[0]
    s = srcs.get(name)
    if s is None:
        return ["ERR no such source '%s'" % name]
    got, bad = pairs(ws[1:], ('priority', 'cycles', 'autoreload'))
    if got is None:
        return ["ERR source update param '%s' failed" % bad]
    if not isinstance(s, FileSource):
        if 'autoreload' in got or 'cycles' in got:
            return ["ERR can't specify autoreload/cycles on %s source"
                    % s.kind]
    elif got.get('autoreload', 'on').lower() not in SWITCH:
        return ['ERR autoreload <on|off>']
    elif 'cycles' in got and strtol(got['cycles']) < 0:
        return ['ERR cycles <number gte 0>']
    if 'priority' in got and strtol(got['priority']) < 0:
        return ['ERR priority <number gte 0>']
    changes = []
    for key in ('priority', 'cycles'):
        if key in got:
            n = strtol(got[key]) & 0xffffffff
            setattr(s, key, n)
            changes.append('%s %d' % (key, n))
    if 'autoreload' in got:
        s.autoreload = SWITCH[got['autoreload'].lower()]
        changes.append('autoreload %s' % got['autoreload'].lower())
    srcs.event('source update %s %s' % (quote(name), ' '.join(changes)))
    return ['OK']


def _progress(s):
    done, known = s.progress()
    line = 'name %s type %s' % (quote(s.name), quote(s.kind))
    if isinstance(s, FileSource):
        cycle = s.cycle or s.last_cycle
        line += ' cycle_id %d cycles %d' % (cycle.id if cycle else
                                            s.cycle_id, s.cycles)
    return line + ' done %d known %d' % (done, known)


def _source_add(ctl, arg):
    """As 20211212: each check in its order, numbers as strtol reads them
    (list and cycle ids and priority up to 2^31-1, cycles from 0: 0 is
    for ever); the command is not checked until its tasks run."""
    if words(arg) is None:
        return ['ERR source add params_get failed']
    got, bad = params(arg, SOURCE_ADD)
    if got is None:
        return ["ERR source add param '%s' failed" % bad]
    srcs = ctl.sources
    if 'name' not in got:
        return ["ERR required parameter 'name' missing"]
    if srcs.get(got['name']) is not None:
        return ["ERR source '%s' already exists" % got['name']]
    for key in ('file', 'outfile'):
        if key not in got:
            return ["ERR required parameter '%s' missing" % key]
    out = _find_outfile(srcs, got['outfile'])
    if out is None:
        return ["ERR unknown outfile '%s'" % got['outfile']]
    nums = {}
    for key, default, top in (('list_id', 0, 0x7fffffff),
                              ('cycle_id', 1, 0x7fffffff),
                              ('priority', 1, 0x7fffffff)):
        nums[key] = strtol(got[key]) if key in got else default
        if not 0 <= nums[key] <= top:
            return ['ERR %s <number gte 0>' % key]
    reload = got.get('autoreload', 'off').lower()
    if reload not in SWITCH:
        return ['ERR autoreload <on|off>']
    nums['cycles'] = strtol(got['cycles']) if 'cycles' in got else 1
    if nums['cycles'] < 0:
        return ['ERR cycle <number gte 0>']
    command = got.get('command', ctl.command)
    if not ctl.check_command(command):
        return ["ERR source add param 'command' failed"]
    try:
        FileSource.open(got['file']).close()
    except OSError:
        return ['ERR could not alloc source']
    src = FileSource(srcs, got['name'], got['file'], command, out,
                     descr=got.get('descr'), autoreload=SWITCH[reload],
                     err=ctl.err, **nums)
    srcs.add(src)
    return ['OK source added']


# -- outfile ----------------------------------------------------------------
#
# Names are matched in any case; ``outfile list`` shows them in reverse
# case-blind order (scamper keeps them in a tree that way), attached
# clients' outputs among them.  A reference count is what 20211212 shows:
# 1 for the outfile itself, and 1 for each source writing to it and each
# of that source's cycles not yet finished.

OUTFILE_USAGE = ('ERR usage: outfile open name <alias> file <path> '
                 'mode <truncate|append>')


def _find_outfile(srcs, name):
    key = name.lower()
    for n, out in srcs.outfiles.items():
        if n.lower() == key:
            return out
    return None


def _refcnt(srcs, out):
    n = 1
    for s in srcs.all:
        if getattr(s, 'out', None) is out:
            # a file source not yet started is about to start its first
            # cycle (scamper starts it when the source is added)
            started = isinstance(s, FileSource) and s.started
            n += 1 + (len(s.open_cycles) if started else 1)
    return n


def _by_name(name):
    """Reverse order of scamper's trees of outfiles and sources
    (strcasecmp)."""
    return name.encode().lower()


def _outfile_open(ctl, arg):
    if words(arg) is None:
        return ['ERR params_get failed']
    got, bad = params(arg, ('name', 'file', 'mode'))
    if got is None:
        return ["ERR param '%s' failed" % bad]
    if len(got) != 3:
        return [OUTFILE_USAGE]
    mode = got['mode'].lower()
    if mode not in ('truncate', 'append'):
        return ['ERR mode must be truncate or append']
    if _find_outfile(ctl.sources, got['name']) is not None:
        return ['ERR could not add outfile']
    path = got['file']
    kind = Outfile.kind_of(path)
    try:
        fd = ctl.open_outfile(path, mode == 'append')
    except OSError:
        return ['ERR could not add outfile']
    written = ((), ())
    if mode == 'append' and os.fstat(fd).st_size > 0:
        # scamper reads the file to go on from it; it cannot go on from
        # a damaged or compressed one, nor we compress after it
        try:
            with os.fdopen(os.dup(fd), 'rb') as f:
                written = Outfile.written(f)
            if kind != 'warts':
                raise WartsError('compressed')
        except (OSError, WartsError):
            os.close(fd)
            return ['ERR could not add outfile']
    ctl.sources.outfiles[got['name']] = Outfile(
        got['name'], path, fd, fmt=kind, written=written)
    return ['OK']


def _discard(data):
    pass


def _outfile_socket(ctl, conn, arg):
    """outfile socket name <alias> type <type>: results of the sources
    using the alias are written on this connection (20211212 takes at most
    4 words, and any type: one it cannot write gets nothing)."""
    ws = words(arg)
    if ws is None or len(ws) > 4:
        return ['ERR outfile socket params_get failed']
    got, bad = pairs(ws, ('name', 'type'))
    if got is None:
        return ["ERR outfile socket param '%s' failed" % bad]
    if len(got) != 2:
        return ['ERR usage outfile socket name <alias> type <type>']
    name = got['name']
    if _find_outfile(ctl.sources, name) is not None:
        return ["ERR outfile '%s' already exists" % name]
    if conn is None:
        return ['ERR could not turn socket into outfile']
    kind = got['type'].lower()
    if kind in ('warts', 'json', 'text'):
        out = Outfile(name, '(null)', write=conn.send, fmt=kind)
    else:
        out = Outfile(name, '(null)', write=_discard, fmt='text')
    ctl.sources.outfiles[name] = out
    return ['OK']


def _outfile(ctl, conn, rest):
    sub, _, arg = rest.partition(' ')
    sub = sub.lower()
    arg = arg.strip(' ')
    srcs = ctl.sources
    outs = srcs.outfiles
    if not sub:
        return ['ERR usage: outfile [close | list | open | swap]']
    if sub == 'open':
        return _outfile_open(ctl, arg)
    if sub == 'socket':
        return _outfile_socket(ctl, conn, arg)
    if sub == 'close':
        if not arg:
            return ['ERR usage: outfile close <alias>']
        name = arg.split(' ', 1)[0]
        out = _find_outfile(srcs, name)
        if out is None:
            return ["ERR unknown outfile '%s'" % name]
        n = _refcnt(srcs, out)
        if n > 1:
            return ['ERR could not drop outfile: refcnt %d' % n]
        if out is not srcs.default:
            out.close()             # the default output stays usable
        del outs[out.name]
        return ['OK']
    if sub == 'swap':
        names = words(arg)
        if names is None or len(names) > 2:
            return ['ERR params_get failed']
        if len(names) != 2:
            return ['ERR usage outfile swap <alias 1> <alias 2>']
        a, b = (_find_outfile(srcs, n) for n in names)
        if a is None or b is None:
            # 20211212 names the missing one with a null pointer
            return ["ERR unknown outfile '(null)'"]
        # the files change places, each with its state (warts ids)
        for attr in ('path', 'fd', '_write', '_z', 'error', 'fmt',
                     'n_lists', 'n_cycles', 'lists', 'cycles'):
            va, vb = getattr(a, attr), getattr(b, attr)
            setattr(a, attr, vb)
            setattr(b, attr, va)
        return ['OK']
    if sub == 'list':
        rows = [(o.name, o.path, _refcnt(srcs, o)) for o in outs.values()]
        rows += [(s.name, '(null)', 3) for s in srcs.all
                 if s.kind == 'control']
        rows.sort(key=lambda r: _by_name(r[0]), reverse=True)
        return ["INFO %s file %s refcnt %d" % (quote(n), quote(p), c)
                for n, p, c in rows] + ['OK']
    return ["ERR unhandled outfile command '%s'" % sub]


def _remote(ctl, conn, rest):
    """remote add server <name:port> [ssl on|off], remote delete
    <name:port>, remote list: the controllers (sc_remoted) scamper dials,
    -R's among them."""
    if not rest:
        return ['ERR usage: remote [add]']
    sub, _, arg = rest.partition(' ')
    arg = arg.strip(' ')
    sub = sub.lower()
    if sub == 'list':
        return ['INFO %s:%d%s' % (r.host, r.port, '' if r.link.alias is None
                                  else ' alias %s' % r.link.alias)
                for r in ctl.remotes.values()] + ['OK']
    if sub == 'add':
        ws = words(arg)
        if ws is None or len(ws) > 4:
            return ['ERR remote add params_get failed']
        got, bad = pairs(ws, ('server', 'ssl'))
        if got is None:
            return ["ERR remote add param '%s' failed" % bad]
        if 'server' not in got:
            return ['ERR usage remote add server <name>']
        where = _addrport(got['server'])
        if where is None:
            return ['ERR invalid server, expect <name>:<port>']
        if (where[0].lower(), where[1]) in ctl.remotes:
            return ['ERR %s:%d already exists' % where]
        tls = True
        if 'ssl' in got:
            if got['ssl'].lower() not in ('on', 'off'):
                return ['ERR ssl <on|off>']
            tls = got['ssl'].lower() == 'on'
        try:
            ctx = _tls_context() if tls else None
            ctl.add_remote(where[0], where[1], ctx)
        except (OSError, ValueError):
            return ['ERR could not add remote']
        return ['OK']
    if sub == 'delete':
        if not ctl.remotes:
            return ['ERR no remote connections']
        ws = words(arg)
        if ws is None or len(ws) > 1:
            return ['ERR remote delete params_get failed']
        if not ws:
            return ['ERR missing required parameter for remote delete']
        where = _addrport(ws[0])
        if where is None:
            return ['ERR invalid server']
        key = (where[0].lower(), where[1])
        if key not in ctl.remotes:
            return ['ERR %s:%d not found' % where]
        ctl.delete_remote(key)
        return ['OK']
    # scamper's own words for it
    return ["ERR unhandled outfile command '%s'" % rest]


def _addrport(text):
    """(name, port) of name:port or [address]:port, as scamper's
    string_addrport reads it; None if it is not one."""
    if text.startswith('['):
        name, sep, port = text[1:].partition(']:')
    else:
        name, sep, port = text.partition(':')
    if not sep or not name or not DIGITS.issuperset(port) or \
            not 1 <= int(port or 0) <= 65535:
        return None
    return name, int(port)


def _tls_context():
    """TLS as scamper uses it towards a controller (`ssl on`, the
    default): the system's trusted authorities; used for one named by a
    host name (scamperd/control/remote.py)."""
    import ssl
    return ssl.create_default_context()


_COMMANDS = {
    'exit': _exit, 'help': _help, 'get': _get, 'set': _set,
    'shutdown': _shutdown, 'lss-clear': _lss_clear, 'observe': _observe,
    'attach': _attach, 'source': _source, 'outfile': _outfile,
    'remote': _remote,
}
