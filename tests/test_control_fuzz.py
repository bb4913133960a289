"""The interactive grammar fuzzed (issue 13, item 4): random sequences of
source, outfile, observe, attach, get/set and shutdown commands from
several clients, while the files under them are removed or replaced by
FIFOs, devices, directories and symbolic links, and the supervisor's part
(take, start, finish tasks) runs between them.  Every command must get a
reply; nothing may raise.  CI runs a fixed seed; a longer run:
FUZZ_SEED=N FUZZ_N=200000 pytest -k grammar_fuzz tests/test_control_fuzz.py
"""

import os
import random

from test_control_interactive import FakeCtl

from scamperd.control import interactive
from scamperd.control.attach import Attach
from scamperd.warts import file as warts_file

NAMES = ['a', 'b', 'A', 's1', 's2', '-', 'x y', '"q"', '']
FILES = ['list', 'out.warts', 'out.warts.gz', 'fifo', 'dev', 'dir', 'link',
         '/dev/zero', '/dev/full', 'gone', 'x' * 300]
WORDS = ['name', 'file', 'mode', 'truncate', 'append', 'outfile', 'cycles',
         'autoreload', 'on', 'off', 'priority', 'command', 'list_id',
         'cycle_id', 'descr', '0', '1', '-1', '99999999999999999999',
         '0x10', '"ping -c 1"', '"trace"', '"bogus"', 'type', 'json',
         'warts', 'sources']
VERBS = ['source add', 'source delete', 'source cycle', 'source list',
         'source update', 'source progress', 'source tasks', 'outfile open',
         'outfile close', 'outfile swap', 'outfile list', 'outfile socket',
         'observe', 'get pps', 'get window', 'get command', 'set pps',
         'set window', 'set command', 'help', 'lss-clear', 'shutdown cancel',
         'shutdown done']


def _line(rng):
    """Mostly well-formed commands (so that they do things), some
    garbage."""
    c = rng.choice
    name, file = c(NAMES[:6]), c(FILES)
    if rng.random() < 0.2:
        return ' '.join([c(VERBS)] + [c(WORDS + NAMES + FILES)
                                      for _ in range(rng.randrange(9))])
    opts = ''
    for key, values in (('command', ['"ping -c 1"', '"trace"', '"bogus"']),
                        ('cycles', ['0', '1', '2', '-1']),
                        ('autoreload', ['on', 'off']),
                        ('priority', ['0', '1', '5'])):
        if rng.random() < 0.3:
            opts += ' %s %s' % (key, c(values))
    return c([
        'source add name %s file %s outfile %s%s' % (
            name, file, c(NAMES[:6]), opts),
        'source add name %s file list outfile -%s' % (name, opts),
        'source delete %s' % name, 'source cycle %s' % name,
        'source list', 'source list %s' % name, 'source progress',
        'source update %s%s' % (name, opts), 'source tasks',
        'outfile open name %s file %s mode %s' % (
            name, file, c(['truncate', 'append'])),
        'outfile close %s' % name,
        'outfile swap %s %s' % (name, c(NAMES[:6])), 'outfile list',
        'outfile socket name %s type %s' % (name, c(['json', 'warts'])),
        'observe sources', 'set pps %s' % c(['1', '100', '0', 'x']),
        'set window %s' % c(['0', '2']), 'shutdown cancel',
        'get pps', 'lss-clear x'])


def _disturb(rng, d):
    """Replace one of the files the commands name with something else."""
    name = rng.choice(['list', 'out.warts', 'out.warts.gz', 'fifo', 'dev',
                       'dir', 'link'])
    path = os.path.join(d, name)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        elif os.path.lexists(path):
            os.unlink(path)
    except OSError:
        return
    what = rng.randrange(6)
    if what == 0:
        with open(path, 'w') as f:
            f.write('192.0.2.1\n192.0.2.2\n# c\n\n198.51.100.9\n')
    elif what == 1:
        os.mkfifo(path)
    elif what == 2:
        os.symlink(rng.choice(['/dev/zero', '/dev/full', 'list',
                               'nowhere', d]), path)
    elif what == 3:
        os.mkdir(path)
    elif what == 4:
        with open(path, 'wb') as f:
            f.write(bytes(rng.randrange(256) for _ in range(64)))
    # 5: it stays removed


class Client:
    """One control connection as the server keeps it, attached or not."""

    def __init__(self, ctl, n):
        self.ctl = ctl
        self.sent = []
        self.peer = 'fuzz:%d' % n
        self.attached = None

    def send(self, data):
        self.sent.append(data)

    def lines(self, lines):
        self.sent.append(lines)

    def line(self, text):
        if self.attached is not None:
            self.attached.line(text)
            self.ctl.sources._reap(self.attached)
            return
        if text.startswith('attach'):
            self.attached = Attach({'format': 'json'}, self.peer, self.send,
                                   lambda: None)
            self.attached.start()
            self.ctl.sources.add(self.attached)
            return
        try:
            reply = interactive.handle(self.ctl, self, text)
        except interactive.Close:
            return
        assert reply and all(isinstance(r, str) for r in reply), text
        assert reply[-1].startswith(('OK', 'ERR')), (text, reply)


def test_grammar_fuzz(tmp_path):
    seed = int(os.environ.get('FUZZ_SEED', '7'))
    n = int(os.environ.get('FUZZ_N', '4000'))
    rng = random.Random(seed)
    d = str(tmp_path)
    os.chdir(d)
    with open('list', 'w') as f:
        f.write('192.0.2.1\n192.0.2.2\n')
    ctl = FakeCtl(d)
    clients = [Client(ctl, i) for i in range(3)]
    running = []
    for step in range(n):
        r = rng.random()
        if r < 0.1:
            _disturb(rng, d)
        elif r < 0.15:
            i = rng.randrange(len(clients))
            c = clients[i]
            if c.attached is None:
                c.line('attach')
            else:
                line = rng.choice(['ping 192.0.2.1', 'done', 'done',
                                   'done', 'halt 1', 'trace 192.0.2.9',
                                   'bogus'])
                c.line(line)
                if line == 'done':      # a new connection takes its place
                    clients[i] = Client(ctl, step)
        elif r < 0.4:
            # the supervisor: take a few tasks, start them, finish some
            for _ in range(rng.randrange(4)):
                got = ctl.sources.next()
                if got is None:
                    break
                ctl.sources.started(got[0], got[3])
                running.append(got)
            rng.shuffle(running)
            for _ in range(rng.randrange(len(running) + 1)):
                src, _, line, tag = running.pop()
                ctl.sources.done(src, tag, warts_file.frame(
                    0x70, line.encode()) if rng.random() < 0.8 else None)
        else:
            free = [c for c in clients if c.attached is None]
            if free:
                rng.choice(free).line(_line(rng))
    # everything still running ends, and the outfiles close
    for src, _, _, tag in running:
        ctl.sources.done(src, tag, None)
    for out in list(ctl.sources.outfiles.values()):
        out.close()
