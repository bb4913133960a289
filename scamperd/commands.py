"""Measurement commands: splitting a command line and finding its parser.

Each command lives in its own package with a ``cmd`` module whose
``parse(words)`` returns a command object (``name``, ``dst``, ``family``,
``src``, ``sport``, ``create(ctx)``).
"""

from scamperd.dealias import cmd as dealias_cmd
from scamperd.method import CommandError
from scamperd.neighbourdisc import cmd as neighbourdisc_cmd
from scamperd.ping import cmd as ping_cmd
from scamperd.sniff import cmd as sniff_cmd
from scamperd.sting import cmd as sting_cmd
from scamperd.tbit import cmd as tbit_cmd
from scamperd.trace import cmd as trace_cmd
from scamperd.tracelb import cmd as tracelb_cmd

PARSERS = {
    'trace': trace_cmd.parse,
    'ping': ping_cmd.parse,
    'tracelb': tracelb_cmd.parse,
    'dealias': dealias_cmd.parse,
    'neighbourdisc': neighbourdisc_cmd.parse,
    'sniff': sniff_cmd.parse,
    'tbit': tbit_cmd.parse,
    'sting': sting_cmd.parse,
}


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


def parse(line):
    """Parse a whole command, e.g. ``trace -P icmp-paris 192.0.2.1``."""
    words = split(line)
    if not words:
        raise CommandError('empty command')
    name = words[0]
    parser = PARSERS.get(name)
    if parser is None:
        raise CommandError("unknown command '%s'" % name)
    return parser(words[1:])


def check_default(command):
    """Validate a default command given with -c (without its target)."""
    words = split(command)
    if not words:
        raise CommandError('empty command')
    if words[0] not in PARSERS:
        raise CommandError("unknown command '%s'" % words[0])
