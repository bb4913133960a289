"""scamperctl: talk to a running scamper or scamperd over its control
socket.

    scamperctl do "trace -P icmp-paris 192.0.2.1" ...   run, print results
    scamperctl do --json - < commands.txt               (one per line)
    scamperctl get pps | set pps 100 | source list | outfile list
    scamperctl shutdown done
    scamperctl watch                                    sources, tasks
    scamperctl source --help                            a command's syntax

It uses the Unix socket (default: scamperd's) or, with -P, TCP.
``do`` attaches (in warts, decoded here) and sends one command per MORE,
as sc_attach does."""

import argparse
import io
import json
import socket
import sys
import time

from scamper_cli.scamperd import DEFAULT_SOCKET
from scamperd.control import uuencode

BAR = 30
MAX_TASKS = 20       # running tasks watch lists


class Conn:
    """A control connection: lines out, lines and DATA blocks in."""

    def __init__(self, args):
        if args.port:
            host, _, port = args.port.rpartition(':')
            self.sock = socket.create_connection((host or '127.0.0.1',
                                                  int(port)))
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(args.unix)
        self.f = self.sock.makefile('rb')

    def send(self, line):
        self.sock.sendall(line.encode() + b'\n')

    def item(self):
        """('line', text), ('data', bytes) or None at the end."""
        raw = self.f.readline()
        if not raw:
            return None
        line = raw.decode('utf-8', 'replace').rstrip('\n')
        if line.startswith('DATA '):
            n = int(line.split()[1])
            return 'data', self.f.read(n)
        return 'line', line

    def ask(self, line):
        """An interactive command: its reply lines up to OK/ERR."""
        self.send(line)
        out = []
        while True:
            it = self.item()
            if it is None:
                return out
            out.append(it[1])
            if it[1].startswith(('OK', 'ERR')):
                return out


def _quote(w):
    return '"%s"' % w if ' ' in w else w


def cmd_interactive(conn, args):
    words = [args.verb] + args.words
    if args.verb == 'set':                  # the rest of the line, as is
        line = ' '.join(words)
    else:
        line = ' '.join(_quote(w) for w in words)
    lines = conn.ask(line)
    for l in lines:
        print(l)
    return 1 if not lines or lines[-1].startswith('ERR') else 0


class _Stream(io.RawIOBase):
    """The warts bytes of the DATA blocks, read as a file; control lines
    are handled as they come (``on_line``)."""

    def __init__(self, conn, on_line):
        self.conn = conn
        self.on_line = on_line
        self.buf = b''

    def readable(self):
        return True

    def readinto(self, b):
        while not self.buf:
            it = self.conn.item()
            if it is None:
                return 0
            if it[0] == 'data':
                self.buf = uuencode.decode(it[1])
            else:
                self.on_line(it[1])
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n


def cmd_do(conn, args):
    from scamperd.warts import file as warts_file
    todo = list(args.commands)
    if todo == ['-']:
        todo = [l.strip() for l in sys.stdin if l.strip()
                and not l.startswith('#')]
    state = {'sent': 0, 'errors': 0, 'done': False}

    def on_line(line):
        if line == 'MORE':
            if state['sent'] < len(todo):
                conn.send(todo[state['sent']])
                state['sent'] += 1
            elif not state['done']:
                conn.send('done')
                state['done'] = True
        elif line.startswith('ERR'):
            state['errors'] += 1
            sys.stderr.write('scamperctl: %s: %s\n'
                             % (todo[state['sent'] - 1], line))

    conn.send('attach')
    reader = io.BufferedReader(_Stream(conn, on_line))
    for otype, _, obj in warts_file.read_objects(reader):
        if not hasattr(obj, 'to_text'):
            continue
        if args.json:
            line = obj.to_json()     # None where sc_warts2json prints none
            if line is not None:
                sys.stdout.write(line + '\n')
        else:
            sys.stdout.write(obj.to_text())
        sys.stdout.flush()
    return 1 if state['errors'] else 0


def _bar(n, total):
    full = BAR * min(n, total) // total if total else 0
    return '[%s%s]' % ('#' * full, '.' * (BAR - full))


def _fields(line):
    """An INFO line's ``name value`` pairs (values quoted '...')."""
    out, rest = {}, line[5:]
    while rest:
        key, _, rest = rest.partition(' ')
        if rest.startswith("'"):
            value, _, rest = rest[1:].partition("' ")
            value = value.rstrip("'")
        else:
            value, _, rest = rest.partition(' ')
        out[key] = value
    return out


def watch_screen(conn):
    """The lines of one screen of ``watch``: rate, window, then each
    source with its progress in the cycle being run."""
    window = conn.ask('get window')[0].split()[-1]
    active, _, limit = window.partition('/')
    pps = conn.ask('get pps')[0].split()[-1]
    lines = ['scamper: %s pps, %s tasks running%s' % (
        pps, active, '' if limit == '0' else ' of %s' % limit)]
    if limit != '0':
        lines.append('%-24s %s %s/%s' % ('window', _bar(int(active),
                                                         int(limit)),
                                         active, limit))
    srcs = [_fields(l) for l in conn.ask('source progress')
            if l.startswith('INFO ')]
    for f in srcs:
        done, known = int(f['done']), int(f['known'])
        if f['type'] == 'file':
            left = int(f['cycles'])
            what = 'cycle %s%s' % (f['cycle_id'], ', %d more' % left
                                   if left else '')
        else:
            what = f['type']
        lines.append('%-24s %s %d/%d  %s' % (f['name'][:24],
                                             _bar(done, known), done,
                                             known, what))
    if not srcs:
        lines.append('  (no sources)')
    tasks = [_fields(l) for l in conn.ask('source tasks')
             if l.startswith('INFO ')]
    for f in tasks[:MAX_TASKS]:
        lines.append('  %6s  %-16s %s' % ('id-' + f['id'], f['source'][:16],
                                          f['command']))
    if len(tasks) > MAX_TASKS:
        lines.append('  ... and %d more' % (len(tasks) - MAX_TASKS))
    return lines


def cmd_watch(conn, args):
    while True:
        lines = watch_screen(conn)
        if not args.once:
            sys.stdout.write('\x1b[H\x1b[J')
        sys.stdout.write('\n'.join(lines) + '\n')
        sys.stdout.flush()
        if args.once:
            return 0
        time.sleep(args.interval)


SYNTAX = {
    'get': 'get command | monitorname | pid | pps | version | window',
    'set': 'set command <default command> | monitorname <name> | '
           'pps <n> | window <n>',
    'source': '''\
source add name <name> file <path> outfile <alias> [descr "<text>"]
           [command "<default command>"] [list_id <n>] [cycle_id <n>]
           [priority <n>] [cycles <n, 0: for ever>] [autoreload on|off]
source update <name> [priority <n>] [cycles <n>] [autoreload on|off]
source list [<name>]
source cycle <name>
source delete <name>
source progress [<name>]      how far each source is (scamperctl watch)
source tasks                  the tasks running now (scamperctl watch)

A value with spaces goes in double quotes: scamperctl passes each
argument as one word, so quote it for the shell:
  scamperctl source add name s1 outfile - file /tmp/t.txt command "ping -c 2"''',
    'outfile': '''\
outfile open name <alias> file <path> mode truncate|append
outfile socket name <alias> type warts|json
outfile close <alias>
outfile swap <alias1> <alias2>
outfile list

A relative path is taken from scamperd's outdir (/var/lib/scamperd).''',
    'shutdown': 'shutdown done | flush | now | cancel',
}


def parser():
    p = argparse.ArgumentParser(prog='scamperctl', description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('-U', dest='unix', default=DEFAULT_SOCKET,
                   help='Unix control socket (default %(default)s)')
    p.add_argument('-P', dest='port', metavar='[HOST:]PORT',
                   help='TCP control socket instead')
    sub = p.add_subparsers(dest='verb', required=True)
    d = sub.add_parser('do', help='run measurements, print the results')
    d.add_argument('--json', action='store_true', help='print JSON')
    d.add_argument('commands', nargs='+',
                   help='whole scamper commands, or - to read them from '
                        'standard input')
    for verb, syntax in SYNTAX.items():
        s = sub.add_parser(verb, help='the %s control command' % verb,
                           usage='scamperctl %s ...' % verb,
                           description=syntax,
                           formatter_class=argparse.RawTextHelpFormatter)
        s.add_argument('words', nargs='*', help=argparse.SUPPRESS)
    w = sub.add_parser('watch', help='show sources and tasks')
    w.add_argument('--once', action='store_true')
    w.add_argument('--interval', type=float, default=1.0)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        conn = Conn(args)
    except OSError as e:
        where = args.port if args.port else args.unix
        sys.stderr.write('scamperctl: cannot connect to %s: %s\n'
                         % (where, e.strerror or e))
        return 1
    try:
        if args.verb == 'do':
            return cmd_do(conn, args)
        if args.verb == 'watch':
            return cmd_watch(conn, args)
        return cmd_interactive(conn, args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


if __name__ == '__main__':
    sys.exit(main())
