"""What a user sees of scamper 20211212 that is not a measurement, checked
beside Debian's scamper in lab_line: the command line in every order getopt
takes, -O tsps files, the packet of ping -T tsprespec, -O outcopy, the
control socket's default outfile and set replies, -O kqueue, and a reader
that goes away (| head)."""

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import REAL_SCAMPER
from ours import SCAMPER, ControlStream, ours, stop_daemon, wait_for_socket

WARTS2JSON = '/usr/bin/sc_warts2json'


def _pings(out):
    """(dst, probe_tsps, probe_size, ping_sent) of each ping in -O json
    output, sorted."""
    got = []
    for line in out.splitlines():
        o = json.loads(line)
        if o['type'] == 'ping':
            got.append((o['dst'], tuple(o.get('probe_tsps', ())),
                        o['probe_size'], o['ping_sent']))
    return sorted(got)


def _both(lab, real_scamper, *args):
    """(ours, Debian's) -O json pings for the same arguments."""
    mine = _pings(ours(lab, '-O', 'json', *args).stdout)
    theirs = _pings(real_scamper.run(lab, '-O', 'json', *args))
    return mine, theirs


# -- 1: the command line in getopt's orders ---------------------------------

@pytest.mark.parametrize('argv', [
    ['-c', 'ping -c 1', '-i', '203.0.113.60', '-i', '2001:db8:203::60'],
    ['-i', '203.0.113.60', '-c', 'ping -c 1', '2001:db8:203::60'],
    ['-c', 'ping -c 1', '203.0.113.60', '2001:db8:203::60', '-i'],
    ['-i', '-c', 'ping -c 1', '--', '203.0.113.60', '2001:db8:203::60'],
    ['-I', 'ping -c 1 203.0.113.60', 'ping -c 1 2001:db8:203::60'],
    ['-I', 'ping -c 1 203.0.113.60', '-p', '50', '-I',
     'ping -c 1 2001:db8:203::60'],
    ['-n', '192.0.2.53', '-c', 'ping -c 1', '203.0.113.60', '-i',
     '2001:db8:203::60'],
])
def test_command_line_orders_as_scamper(lab_line, real_scamper, argv):
    mine, theirs = _both(lab_line, real_scamper, *argv)
    assert [p[0] for p in mine] == ['2001:db8:203::60', '203.0.113.60']
    assert mine == theirs


def test_O_values_in_any_case(lab_line, real_scamper):
    args = ('-O', 'JSON', '-c', 'ping -c 1', '-i', '203.0.113.61')
    p = ours(lab_line, *args)
    assert '"type":"ping"' in p.stdout
    assert '"type":"ping"' in real_scamper.run(lab_line, *args)


def test_kqueue_refused_as_on_linux(lab_line):
    args = ['-O', 'kqueue', '-c', 'ping -c 1', '-i', '203.0.113.62']
    real = lab_line.run([REAL_SCAMPER, *args], capture_output=True, text=True)
    assert real.returncode == 255 and real.stdout == ''
    mine = ours(lab_line, *args, check=False)
    assert mine.returncode == 255 and mine.stdout == ''
    assert mine.stderr.startswith(
        'scamper: -O kqueue: kqueue(2) does not exist on Linux')


# -- 2, 3: -O tsps and the ping -T tsprespec packet ---------------------------

TSPS_FILE = ('203.0.113.63 203.0.113.63 192.0.2.2\n'
             '# a comment\n\n'
             '203.0.113.64\n'
             '203.0.113.65 198.18.2.2 198.18.3.2 203.0.113.65 192.0.2.2\n'
             # lines scamper skips: two spaces, a tab, five stamps, a leading
             # or trailing space, IPv6, a bad address
             '203.0.113.66  192.0.2.2\n'
             '203.0.113.66\t192.0.2.2\n'
             '203.0.113.66 1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5\n'
             ' 203.0.113.66\n'
             '203.0.113.66 \n'
             '2001:db8:203::66\n'
             '999.1.1.1\n'
             '203.0.113.67\n')


def test_tsps_file_as_scamper(lab_line, real_scamper, tmp_path):
    path = tmp_path / 'tsps.txt'
    path.write_text(TSPS_FILE)
    os.chmod(tmp_path, 0o755)
    for flag in ([], ['-f']):
        # -c is not used for a tsps file: each line is a 4-probe ping
        args = ['-p', '1000', '-c', 'trace', '-O', 'tsps', *flag, str(path)]
        p = ours(lab_line, '-O', 'json', *args)
        mine = _pings(p.stdout)
        theirs = _pings(real_scamper.run(lab_line, '-O', 'json', *args))
        assert mine == theirs == [
            ('203.0.113.63', ('203.0.113.63', '192.0.2.2'), 104, 4),
            ('203.0.113.64', (), 84, 4),
            ('203.0.113.65', ('198.18.2.2', '198.18.3.2', '203.0.113.65',
                              '192.0.2.2'), 120, 4),
            ('203.0.113.67', (), 84, 4)]
        # unlike scamper, we say which lines were skipped
        bad = [int(m) for m in re.findall(r'tsps\.txt:(\d+): ', p.stderr)]
        assert bad == list(range(6, 13)), p.stderr


def _capture(lab, run, dst):
    """The (IP length, length after the IP header) of the first packet to
    ``dst`` that ``run()`` sends, as tcpdump in src prints them."""
    tcpdump = subprocess.Popen(
        ['ip', 'netns', 'exec', lab.ns('src'), 'tcpdump', '-i', 'any', '-nn',
         '-v', '-l', '-c', '1', 'dst host ' + dst],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while 'listening on' not in tcpdump.stderr.readline():
            assert tcpdump.poll() is None, 'tcpdump did not start'
        result = run()
        out, _ = tcpdump.communicate(timeout=30)
    finally:
        if tcpdump.poll() is None:
            tcpdump.kill()
            tcpdump.wait()
    lengths = re.findall(r'length (\d+)', out)
    assert len(lengths) >= 2, out
    return tuple(int(n) for n in lengths[:2]), result


@pytest.mark.parametrize('method,stamps,sizes', [
    ('icmp-echo', '203.0.113.10,192.0.2.2', (124, 84, 104, 124)),
    ('icmp-echo', '203.0.113.10', (108, 76, 96, 108)),
    ('udp', '203.0.113.10,192.0.2.2', (80, 32, 60, 128)),
    ('tcp-ack', '203.0.113.10,192.0.2.2', (80, 20, 60, 60)),
])
def test_tsprespec_packet_as_scamper(lab_line, real_scamper, method, stamps,
                                     sizes):
    """scamper's packet is the option's length larger than its probe_size:
    it sizes what follows the IP header as if the option were not there."""
    cmd = 'ping -c 1 -P %s -T tsprespec=%s' % (method, stamps)

    def size_fields(out):
        o = [json.loads(line) for line in out.splitlines()
             if '"type":"ping"' in line][0]
        return o['probe_size'], o['responses'][0]['reply_size']

    args = ('-O', 'json', '-c', cmd, '-i', lab_line.target4)
    got = []
    for run in (lambda: real_scamper.run(lab_line, *args),
                lambda: ours(lab_line, *args).stdout):
        wire, out = _capture(lab_line, run, lab_line.target4)
        got.append(wire + size_fields(out))
    assert got[0] == got[1] == sizes


# -- 4, 9, 10: the control socket -------------------------------------------

class Ctl:
    """A scamper (ours or Debian's) listening on a Unix socket in lab_line's
    src, with ``args``."""

    def __init__(self, lab, tmp, real, *args):
        self.path = os.path.join(tmp, 'real.sock' if real else 'ours.sock')
        argv = [REAL_SCAMPER] if real else SCAMPER
        self.proc = subprocess.Popen(
            ['ip', 'netns', 'exec', lab.ns('src'), *argv, '-U', self.path,
             *args], cwd='/', stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        wait_for_socket(self.proc, self.path)

    def ask(self, lines):
        """Each line's reply lines, up to its OK or ERR."""
        replies = []
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.path)
            s.settimeout(10)
            stream, got = ControlStream(), []
            for line in lines:
                s.sendall(line.encode() + b'\n')
                reply = []
                while not reply or not reply[-1].startswith(('OK', 'ERR')):
                    while not got:
                        data = s.recv(65536)
                        assert data, replies
                        got += stream.feed(data)
                    reply.append(got.pop(0)[1])
                replies.append(reply)
        return replies

    def attach(self, lines, timeout=30):
        """An attach session: send ``lines`` and read until closed."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.path)
            s.sendall(''.join(l + '\n' for l in lines).encode())
            s.settimeout(timeout)
            while s.recv(65536):
                pass

    def stop(self):
        stop_daemon(self.proc)


@pytest.fixture
def ctl_dir():
    tmp = tempfile.mkdtemp(prefix='sc-compat-')
    os.chmod(tmp, 0o755)
    pw = pwd.getpwnam(os.environ.get('SCAMPER_USER', 'nobody'))
    os.chown(tmp, pw.pw_uid, pw.pw_gid)
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp)


def _both_ctl(lab, tmp, *args):
    """Debian's scamper and ours, each listening with ``args`` (in which
    {} is replaced by 'real' or 'ours')."""
    made = []
    try:
        for real in (True, False):
            who = 'real' if real else 'ours'
            made.append(Ctl(lab, tmp, real,
                            *[a.replace('{}', who) for a in args]))
    except BaseException:
        for c in made:
            c.stop()
        raise
    return made


SET_LINES = [
    'get nameserver', 'set holdtime 5', 'set HOLDTIME', 'set', 'set pps', 'set window',
    'set pps -5', 'set window -1', 'set window 70000', 'set window 65535',
    'set pps 5x', 'set pps  7', 'set Pps 40', 'set  pps 8', 'set pps +5',
    'set pps 010', 'set window 0x10', 'set pps 12345678901234567890',
    'set pps 5000000000', 'set monitorname', 'get monitorname',
    'set monitorname a b', 'get monitorname', 'set nameserver',
    'set command', 'set Command ping -c 1', 'get command', 'set window 0']


def test_set_replies_as_scamper(lab_line, ctl_dir):
    real, mine = _both_ctl(lab_line, ctl_dir, '-M', 'mon', '-n', '192.0.2.53')
    try:
        assert mine.ask(SET_LINES) == real.ask(SET_LINES)
    finally:
        real.stop()
        mine.stop()


def test_default_outfile_named_after_o(lab_line, ctl_dir):
    targets = os.path.join(ctl_dir, 'targets.txt')
    with open(targets, 'w') as f:
        f.write('203.0.113.70\n')
    real, mine = _both_ctl(lab_line, ctl_dir, '-O', 'warts', '-o',
                           os.path.join(ctl_dir, '{}.warts'))
    try:
        replies = {}
        for who, c in (('real', real), ('ours', mine)):
            out = os.path.join(ctl_dir, who + '.warts')
            got = c.ask(['outfile list',
                         'source add name s1 outfile - file ' + targets,
                         'source add name s1 outfile %s command "ping -c 1" '
                         'file %s' % (out, targets)])
            replies[who] = [[l.replace(out, 'OUT') for l in r] for r in got]
            end = time.time() + 30
            while c.ask(['source list']) != [['OK']]:
                assert time.time() < end, 'the source did not finish'
                time.sleep(0.2)
        assert replies['ours'] == replies['real']
        assert replies['ours'][0] == ["INFO 'OUT' file 'OUT' refcnt 1", 'OK']
    finally:
        real.stop()
        mine.stop()
    for who in ('real', 'ours'):
        objs = _warts2json(os.path.join(ctl_dir, who + '.warts'))
        assert [(o['type'], o.get('dst')) for o in objs] == [
            ('cycle-start', None), ('ping', '203.0.113.70'),
            ('cycle-stop', None)], who


def _warts2json(path):
    p = subprocess.run([WARTS2JSON, path], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0 and not p.stderr, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


def test_outcopy_as_scamper(lab_line, ctl_dir):
    """-O outcopy: the results of attached clients and of a source writing
    to another outfile are also written to the default output."""
    targets = os.path.join(ctl_dir, 'targets.txt')
    with open(targets, 'w') as f:
        f.write('203.0.113.73\n')
    real, mine = _both_ctl(lab_line, ctl_dir, '-O', 'warts', '-O', 'outcopy',
                           '-o', os.path.join(ctl_dir, '{}.warts'))
    try:
        for who, c in (('real', real), ('ours', mine)):
            c.attach(['attach', 'ping -c 1 203.0.113.71', 'done'])
            c.attach(['attach format json', 'ping -c 1 203.0.113.72',
                      'done'])
            assert c.ask([
                'outfile open name g file %s mode truncate'
                % os.path.join(ctl_dir, who + '-g.warts'),
                'source add name s1 outfile g command "ping -c 1" file '
                + targets]) == [['OK'], ['OK source added']]
            end = time.time() + 30
            while c.ask(['source list']) != [['OK']]:
                assert time.time() < end, 'the source did not finish'
                time.sleep(0.2)
    finally:
        real.stop()
        mine.stop()
    for who in ('real', 'ours'):
        copy = _warts2json(os.path.join(ctl_dir, who + '.warts'))
        assert [(o['type'], o['dst']) for o in copy] == [
            ('ping', '203.0.113.71'), ('ping', '203.0.113.72'),
            ('ping', '203.0.113.73')], who
        # each copy's list and cycle are defined before it
        dump = subprocess.run(['sc_wartsdump', os.path.join(
            ctl_dir, who + '.warts')], capture_output=True, text=True,
            timeout=30)
        assert dump.returncode == 0 and not dump.stderr, dump.stderr
        assert dump.stdout.count('cycle def,') == 3, dump.stdout
        g = _warts2json(os.path.join(ctl_dir, who + '-g.warts'))
        assert [o['type'] for o in g] == ['cycle-start', 'ping',
                                          'cycle-stop'], who


def test_list_file_on_stdin(lab_line):
    """-f - reads the list from stdin, as Debian's scamper does."""
    for argv in (REAL_SCAMPER, ' '.join(SCAMPER)):
        p = lab_line.run(['bash', '-c', 'echo 203.0.113.77 | %s -O json -c '
                          '"ping -c 1" -f -' % argv], capture_output=True,
                         text=True, timeout=60, cwd='/')
        assert p.returncode == 0, p.stderr
        assert [p[0] for p in _pings(p.stdout)] == ['203.0.113.77'], argv


# -- 10: a reader that goes away ---------------------------------------------

def test_head_ends_quietly(lab_line):
    """``scamper ... | head -1``: no message, exit 0, as Debian's."""
    args = "-c 'ping -c 2 -i 0.2' -i 203.0.113.74 203.0.113.75 203.0.113.76"
    for argv in (REAL_SCAMPER, ' '.join(SCAMPER)):
        p = lab_line.run(['bash', '-c', '%s %s | head -1; '
                          'echo "rc=${PIPESTATUS[0]}" >&2' % (argv, args)],
                         capture_output=True, text=True, timeout=60, cwd='/')
        assert p.stdout.startswith('ping 192.0.2.1 to 203.0.113.7'), argv
        assert p.stdout.count('\n') == 1
        assert p.stderr == 'rc=0\n', argv
