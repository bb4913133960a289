"""Measurement commands: splitting a command line and finding its parser.

Each command lives in its own package, scamperd/<name>/, with a ``cmd``
module whose ``parse(words)`` returns a command object (``name``, ``dst``,
``family``, ``src``, ``sport``, ``create(ctx)``).  A command's modules are
imported when it is first used: a run of pings never loads the others.
"""

import socket
import sys

from scamperd.method import CommandError

COMMANDS = ('trace', 'ping', 'tracelb', 'dealias', 'neighbourdisc', 'sniff',
            'tbit', 'sting')
# commands whose last word is their one destination, on which nothing else
# of the command depends but its address family: see parse()
BY_DESTINATION = ('trace', 'ping', 'tracelb')
TEMPLATES_MAX = 1024


def load_module(name):
    """The module ``name``, imported as importlib.import_module would,
    without loading importlib's package (and warnings with it): half a
    millisecond of the way to the first probe."""
    __import__(name)
    return sys.modules[name]


def split(line):
    """Split a command line into words as scamper does: on white space,
    with single or double quotes grouping words (quotes removed)."""
    words = []
    cur = []
    quote = None
    have = False
    for ch in line:
        if quote:
            if ch == quote:
                quote = None
            else:
                cur.append(ch)
        elif ch in '"\'':
            quote = ch
            have = True
        elif ch.isspace():
            if cur or have:
                words.append(''.join(cur))
                cur = []
                have = False
        else:
            cur.append(ch)
    if quote:
        raise CommandError('unbalanced %s quote' % quote)
    if cur or have:
        words.append(''.join(cur))
    return words


_templates = {}     # (line before its last word, family) -> parsed command


def parse(line):
    """Parse a whole command, e.g. ``trace -P icmp-paris 192.0.2.1``.

    A list runs one command on many addresses, so a command of
    BY_DESTINATION is parsed once for each address family: later lines
    that differ only in the destination (their last word, an address) get
    a copy of it with that destination."""
    head, _, last = line.rpartition(' ')
    for family in (socket.AF_INET, socket.AF_INET6):
        t = _templates.get((head, family))
        if t is not None:
            try:
                dst = socket.inet_pton(family, last)
            except (OSError, ValueError):    # ValueError: a NUL in it
                break
            # the C library takes forms of IPv4 addresses (leading zeros)
            # that the commands' parsers refuse
            if family == socket.AF_INET and socket.inet_ntoa(dst) != last:
                break
            cmd = _clone(t)
            cmd.dst = dst
            return cmd
    cmd = _parse(line)
    if cmd.name in BY_DESTINATION and head:
        family = socket.AF_INET if cmd.family == 4 else socket.AF_INET6
        try:
            if socket.inet_pton(family, last) == cmd.dst:
                if len(_templates) >= TEMPLATES_MAX:
                    _templates.clear()
                _templates[head, family] = cmd
                cmd = _clone(cmd)
        except (OSError, ValueError):
            pass
    return cmd


def preload(command, fmt):
    """Import what running ``command`` (a default command such as -c
    gives) needs: its parser, its method and its output codec: a worker
    loads them as it starts (scamperd/pool.py), not when its first task
    comes."""
    words = split(command or '')
    if not words or words[0] not in COMMANDS:
        return
    codec = 'warts' if fmt.startswith('warts') else fmt
    for part in ('cmd', 'method', codec):
        load_module('scamperd.%s.%s' % (words[0], part))


def _parser(name):
    if name not in COMMANDS:
        return None
    return load_module('scamperd.%s.cmd' % name).parse


def _clone(cmd):
    """A shallow copy of a parsed command (its attributes are not changed
    by the methods, so they may be shared)."""
    c = object.__new__(type(cmd))
    c.__dict__ = cmd.__dict__.copy()
    return c


def _parse(line):
    words = split(line)
    if not words:
        raise CommandError('empty command')
    name = words[0]
    parser = _parser(name)
    if parser is None:
        raise CommandError("unknown command '%s'" % name)
    try:
        return parser(words[1:])
    except CommandError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError,
            KeyError) as e:
        # a parser that let one through: the command is refused, never
        # the service stopped
        raise CommandError('%s: cannot parse it (%s: %s)'
                           % (name, type(e).__name__, e)) from None


def signature(cmd):
    """The keys of the task's signature, as scamper 20211212 declares them
    (scamper_task_sig_t): no two tasks whose signatures share a key run at
    once.  Most commands probe one destination (a TX_IP signature on its
    address); a command may declare others with ``sig()``: dealias one per
    probe definition's destination, neighbourdisc the address it asks for
    (TX_ND), sniff none (it blocks nothing)."""
    sig = getattr(cmd, 'sig', None)
    return sig() if sig is not None else (cmd.dst,)


def check_runnable(cmd, router):
    """Refuse, as scamper 20211212 does when it accepts a task, a command
    that cannot start: one naming no source address whose destination has
    no route (each command's alloctask looks its source up), and one
    naming an interface that does not exist (``check()``, neighbourdisc).
    ``router``: a scamperd.route.Router."""
    check = getattr(cmd, 'check', None)
    if check is not None:
        check()
    if cmd.src is None and cmd.dst is not None:
        try:
            router.source(cmd.dst)
        except OSError as e:
            raise CommandError(str(e)) from None


def check_default(command):
    """Validate a default command given with -c (without its target)."""
    words = split(command)
    if not words:
        raise CommandError('empty command')
    if words[0] not in COMMANDS:
        raise CommandError("unknown command '%s'" % words[0])
