"""Our scamper as a daemon in lab_line's src namespace (-U and -P): the
interactive replies, attach mode, many clients at once, hostile clients.

The Unix socket is reached from here through its path; the TCP listener
(loopback of the namespace) from a client run inside the namespace."""

import errno
import json
import os
import pwd
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from ours import (ControlStream, control_session, popen_ours,
                  stop_daemon, wait_for_socket)

PORT = 31337


class Daemon:
    def __init__(self, lab, *args, port=PORT):
        self.lab = lab
        self.tmp = tempfile.mkdtemp(prefix='sc-ctl-')
        os.chmod(self.tmp, 0o755)
        pw = pwd.getpwnam(os.environ.get('SCAMPER_USER', 'nobody'))
        os.chown(self.tmp, pw.pw_uid, pw.pw_gid)   # for outfile open
        self.path = os.path.join(self.tmp, 'ctl.sock')
        self.proc = popen_ours(lab, '-U', self.path, '-P', str(port),
                               '-p', '20000', '-M', 'ra-monitor', '-O', 'json',
                               *args,
                               stderr=subprocess.PIPE, text=True)
        wait_for_socket(self.proc, self.path)

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        return s

    def session(self, lines, timeout=30):
        with self.connect() as s:
            return control_session(s, lines, timeout)

    def ask(self, line):
        """One interactive command: its reply lines up to OK or ERR."""
        with self.connect() as s:
            s.sendall(line.encode() + b'\n')
            s.settimeout(10)
            got, stream = [], ControlStream()
            while not got or not got[-1][1].startswith(('OK', 'ERR')):
                data = s.recv(65536)
                assert data, got
                got += stream.feed(data)
            return [i[1] for i in got]

    def stop(self):
        stop_daemon(self.proc)


@pytest.fixture(scope='module')
def daemon(lab_line):
    d = Daemon(lab_line)
    try:
        yield d
    finally:
        d.stop()


def _lines(items):
    return [i[1] if i[0] == 'line' else i[1].split()[0] for i in items]


def _payload(item):
    return json.loads(item[2])


def test_interactive_replies(daemon):
    pid = daemon.ask('get pid')[0]
    assert pid.startswith('OK pid ') and int(pid.split()[2]) > 1
    for line, want in [
            ('help', 'ERR XXX: todo'),
            ('get pps', 'OK pps 20000'),
            ('get window', 'OK window 0/0'),
            ('get version', 'OK version 20211212'),
            ('get command', 'OK command trace'),
            ('get monitorname', 'OK monitorname ra-monitor'),
            ('get holdtime', "ERR unhandled get command 'holdtime'"),
            ('get', 'ERR usage: get [command | monitorname | pid | pps | '
                    'version | window]'),
            ('set pps 0', 'ERR pps: 0 out of range (1, 10000)'),
            ('set pps x', 'ERR set pps argument is not an integer'),
            ('set window 5', 'OK window 5'),
            ('get window', 'OK window 0/5'),
            ('set window 0', 'OK window 0'),
            ('set', 'ERR usage: set [command | monitorname | pps | window]'),
            ('bogus', "ERR unhandled command 'bogus'"),
            ('source list', 'OK'),
            ('observe sources', 'OK'),
            ('shutdown', 'ERR usage: [cancel | done | flush | now]'),
            ('shutdown cancel', 'OK')]:
        assert daemon.ask(line) == [want], line
    assert daemon.ask('outfile list') == ["INFO '-' file '-' refcnt 1", 'OK']
    # exit: closed without a reply, after the replies before it
    assert _lines(daemon.session(['get version', 'exit'])) == [
        'OK version 20211212']


def test_attach_json(daemon, lab_line):
    items = daemon.session(['attach format json',
                            'ping -c 1 %s' % lab_line.target4, 'done'])
    lines = _lines(items)
    assert lines[:4] == ['OK', 'MORE', 'DATA', 'OK id-1']
    # a MORE if the task was taken before `done` was read
    assert [l for l in lines[4:] if l != 'MORE'] == ['OK', 'DATA', 'DATA']
    start, ping, stop = (i for i in items if i[0] == 'data')
    assert start[1] == 'DATA %d' % len(start[2])
    assert _payload(start)['type'] == 'cycle-start'
    assert _payload(start)['list_name'] == daemon.path + ':%d' % (
        _payload(start)['id'] and int(_payload(start)['list_name']
                                      .rsplit(':', 1)[1]))
    assert ping[1] == 'DATA %d id-1' % len(ping[2])
    assert stop[1] == 'DATA %d' % len(stop[2])
    p = _payload(ping)
    assert (p['type'], p['dst'], p['statistics']['replies']) == (
        'ping', lab_line.target4, 1)
    assert _payload(stop)['type'] == 'cycle-stop'


def test_attach_more_after_each_command(daemon, lab_line):
    with daemon.connect() as s:
        s.settimeout(10)
        stream = ControlStream()

        def until(pred):
            got = []
            while not any(pred(i) for i in got):
                data = s.recv(65536)
                assert data, got
                got += stream.feed(data)
            return got
        s.sendall(b'attach format json\n')
        assert _lines(until(lambda i: i[0] == 'data')) == ['OK', 'MORE',
                                                           'DATA']
        s.sendall(('ping -c 1 %s\n' % lab_line.target4).encode())
        got = until(lambda i: i[0] == 'data')
        assert _lines(got) == ['OK id-1', 'MORE', 'DATA']
        s.sendall(b'bogus 1.2.3.4\nhalt 99\nget pid\ndone\n')
        # a refused command gives its MORE back; no interactive commands
        got = _lines(until(lambda i: i[1] == 'OK'))
        assert got[:got.index('OK') + 1] == [
            "ERR command not accepted: unknown command 'bogus'", 'MORE',
            'ERR no task id-99',
            "ERR command not accepted: unknown command 'get'", 'MORE', 'OK']


def test_attach_refuses_a_task_that_cannot_start(daemon, lab_line):
    """As scamper 20211212 (each command's alloctask looks up its source
    address): a command to an address with no route, or on an interface
    that does not exist, gets ERR at once, not OK and then nothing (a
    synchronous ScamperCtrl waited for ever).  With -S the source is known:
    the task runs, its send fails, and its result says so."""
    items = daemon.session([
        'attach format json', 'ping -c 1 198.19.250.1',
        'neighbourdisc -i nosuch0 %s' % lab_line.target4,
        'trace -S %s 198.19.250.1' % lab_line.src4, 'done'])
    lines = [l for l in _lines(items) if l != 'MORE']
    assert lines[:4] == [
        'OK', 'DATA',
        'ERR command not accepted: no route to 198.19.250.1: Network is '
        'unreachable',
        'ERR command not accepted: neighbourdisc: -i nosuch0: no interface '
        'with this name'], lines
    (trace,) = [_payload(i) for i in items if i[0] == 'data'
                and _payload(i)['type'] == 'trace']
    assert (trace['dst'], trace['stop_reason'], trace['stop_data'],
            trace['hop_count']) == ('198.19.250.1', 'ERROR',
                                    errno.ENETUNREACH, 0)


def test_halt(daemon, lab_line):
    with daemon.connect() as s:
        s.sendall(('attach format json\nping -c 5 -i 1 -F 2000 %s\n'
                   % lab_line.target4).encode())
        time.sleep(1.5)
        items = control_session(s, ['halt 1', 'halt 99', 'done'])
    lines = _lines(items)
    assert 'OK halted 1' in lines and 'ERR no task id-99' in lines
    pings = [_payload(i) for i in items if i[0] == 'data'
             and _payload(i)['type'] == 'ping']
    assert len(pings) == 1 and pings[0]['ping_sent'] < 5
    assert _payload(items[-1])['type'] == 'cycle-stop'


def test_halt_before_the_task_started(daemon, lab_line):
    """``halt 2`` in the same write as task 2's command, before it can
    start: as scamper (which makes a task when it says OK), task 2 still
    gives its result, with stop reason halted and nothing sent; the tasks
    around it run."""
    items = control_session(daemon.connect(), [
        'attach format json', 'ping -c 1 %s' % lab_line.target4,
        'trace -P icmp-paris %s' % lab_line.target4,
        'ping -c 1 %s' % lab_line.target4, 'halt 2', 'done'])
    lines = _lines(items)
    assert 'OK halted 2' in lines, lines
    got = {i[1].split()[2]: _payload(i) for i in items if i[0] == 'data'
           and ' id-' in i[1]}
    assert sorted(got) == ['id-1', 'id-2', 'id-3'], lines
    assert (got['id-2']['type'], got['id-2']['stop_reason'],
            got['id-2']['hop_count']) == ('trace', 'HALTED', 0)
    assert [got[t]['statistics']['replies'] for t in ('id-1', 'id-3')] \
        == [1, 1]
    assert _payload(items[-1])['type'] == 'cycle-stop'


def test_tcp_listener_from_the_namespace(daemon, lab_line):
    script = (
        'import socket,sys\n'
        's=socket.create_connection(("127.0.0.1",%d))\n'
        's.sendall(b"attach format json\\nping -c 1 %s\\ndone\\n")\n'
        'b=b""\n'
        'while True:\n'
        '    d=s.recv(65536)\n'
        '    if not d: break\n'
        '    b+=d\n'
        'sys.stdout.write(b.decode())\n' % (PORT, lab_line.target4))
    out = lab_line.run([sys.executable, '-c', script], capture_output=True,
                       text=True, timeout=30, check=True).stdout
    items = ControlStream().feed(out.encode())
    assert _lines(items)[:2] == ['OK', 'MORE']
    assert _payload(items[-1])['type'] == 'cycle-stop'
    name = _payload(items[2])['list_name']
    assert name.startswith('127.0.0.1:')


def _many_clients(daemon, lab, n, per):
    """n attached clients at once, each sending ``per`` pings with its own
    user ids to its own address (pings to one address run one after the
    other, as in scamper; -o 1 ends each at its reply); returns {client:
    [userid of each ping result received]}."""
    sel = selectors.DefaultSelector()
    got = {}
    for c in range(n):
        s = daemon.connect()
        s.setblocking(False)
        cmds = ['attach format json'] + [
            'ping -c 1 -o 1 -U %d -F %d 203.0.113.%d' % (
                c * 1000 + k, 10000 + c * per + k, 1 + c % 250)
            for k in range(per)] + ['done']
        out = ''.join(l + '\n' for l in cmds).encode()
        got[c] = []
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE,
                     [c, out, ControlStream()])
    end = time.time() + 120
    while sel.get_map() and time.time() < end:
        for key, mask in sel.select(1):
            s, st = key.fileobj, key.data
            if mask & selectors.EVENT_WRITE and st[1]:
                st[1] = st[1][s.send(st[1]):]
                if not st[1]:
                    sel.modify(s, selectors.EVENT_READ, st)
            if mask & selectors.EVENT_READ:
                data = s.recv(1 << 16)
                if not data:
                    sel.unregister(s)
                    s.close()
                    continue
                for item in st[2].feed(data):
                    if item[0] == 'data':
                        obj = _payload(item)
                        if obj['type'] == 'ping':
                            got[st[0]].append(obj['userid'])
                        else:
                            got[st[0]].append(obj['type'])
    assert not sel.get_map(), 'clients still open after 120 s'
    return got


def test_200_clients_each_get_their_own_results_once(daemon, lab_line):
    n, per = 200, 20
    got = _many_clients(daemon, lab_line, n, per)
    for c in range(n):
        assert got[c] [0] == 'cycle-start' and got[c][-1] == 'cycle-stop'
        assert sorted(got[c][1:-1]) == [c * 1000 + k for k in range(per)], c


def _hostile(daemon, lab):
    """Each hostile client; returns what it must have seen."""
    import struct
    # garbage (binary, and a line of it): an ERR per line, still usable
    items = daemon.session(['\x00\xff\x01garbage\x7f', 'get version'],
                           timeout=2)
    assert _lines(items)[0].startswith("ERR unhandled command '")
    assert _lines(items)[1] == 'OK version 20211212'
    # a 1 MB line: ERR, then the connection is closed
    with daemon.connect() as s:
        try:
            s.sendall(b'x' * (1 << 20))
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(10)
        got = b''
        try:
            while data := s.recv(65536):
                got += data
        except ConnectionResetError:
            pass
        assert got == b'ERR line too long\n'
    # an unknown command
    assert daemon.ask('frobnicate now') == ["ERR unhandled command "
                                            "'frobnicate now'"]
    # attached clients that vanish with tasks queued and running: one
    # closes, one resets the connection
    for linger in (False, True):
        s = daemon.connect()
        if linger:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack('ii', 1, 0))
        s.sendall(('attach format json\n' + ''.join(
            'ping -c 2 -F %d %s\n' % (30000 + k + 100 * linger, lab.target4)
            for k in range(20))).encode())
        time.sleep(0.2)
        s.close()


def test_hostile_clients_do_not_disturb_others(daemon, lab_line):
    import threading
    results = {}
    t = threading.Thread(target=lambda: results.update(
        _many_clients(daemon, lab_line, 20, 20)))
    t.start()
    try:
        _hostile(daemon, lab_line)
    finally:
        t.join(150)
    assert len(results) == 20
    for c in range(20):
        assert results[c][0] == 'cycle-start' and \
            results[c][-1] == 'cycle-stop'
        assert sorted(results[c][1:-1]) == [c * 1000 + k for k in range(20)]
    assert daemon.ask('get version') == ['OK version 20211212']


def _sc_warts2json(path):
    p = subprocess.run(['sc_warts2json', path], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and not p.stderr, p.stderr
    return [json.loads(l) for l in p.stdout.splitlines()]


def _until_finish(daemon, lines, timeout=60):
    """Send ``lines`` (observing sources); the reply and EVENT lines up
    to the first source finish."""
    with daemon.connect() as s:
        s.sendall(''.join(l + '\n' for l in ['observe sources'] + lines)
                  .encode())
        s.settimeout(timeout)
        got, stream = [], ControlStream()
        while not got or ' source finish ' not in got[-1]:
            data = s.recv(65536)
            assert data, got
            got += _lines(stream.feed(data))
        return got


def test_file_source_to_an_outfile(daemon, lab_line):
    """A managed source's 3 cycles into a warts outfile (warts although
    the daemon runs with -O json, as scamper's outfiles are): Debian's
    readers take it, with the cycle ids and a record per task."""
    targets = os.path.join(daemon.tmp, 'targets.txt')
    with open(targets, 'w') as f:
        f.write('%s\n# comment\n%s\n' % (lab_line.target4, lab_line.src4))
    out = os.path.join(daemon.tmp, 'of1.warts')
    lines = _until_finish(daemon, [
        'outfile open name of1 file %s mode truncate' % out,
        'source add name src1 descr "test list" list_id 7 cycle_id 3 '
        'outfile of1 command "ping -c 1" file %s cycles 3' % targets])
    assert lines[:2] == ['OK', 'OK']
    assert lines[2].split(' ', 2)[2] == (
        "source add name 'src1' descr 'test list' list_id 7 cycle_id 3 "
        "priority 1 outfile 'of1' type 'file' file '%s' cycles 3 "
        "autoreload off" % targets)
    assert lines[3] == 'OK source added'
    assert [l.split(' ', 2)[2] for l in lines[4:]] == [
        "source cycle 'src1' id 3", "source cycle 'src1' id 4",
        "source cycle 'src1' id 5", "source finish 'src1'"]
    assert daemon.ask('outfile close of1') == ['OK']
    objs = _sc_warts2json(out)
    dump = subprocess.run(['sc_wartsdump', out], capture_output=True,
                          text=True, timeout=30)
    assert dump.returncode == 0 and not dump.stderr, dump.stderr
    assert 'test list' in dump.stdout and 'ra-monitor' in dump.stdout
    # the cycle each ping refers to, in file order
    refs = iter(int(l.split()[-1]) for l in dump.stdout.splitlines()
                if l.startswith(' cycle id: '))
    seq = [(o['type'], o['id'] if o['type'] != 'ping' else next(refs),
            o.get('dst')) for o in objs]
    assert len(seq) == 12
    assert all(o['list_name'] == 'src1' for o in objs
               if o['type'].startswith('cycle'))
    for c in (3, 4, 5):
        a = seq.index(('cycle-start', c, None))
        b = seq.index(('cycle-stop', c, None))
        pings = [i for i, r in enumerate(seq) if r[:2] == ('ping', c)]
        assert len(pings) == 2 and a < min(pings) and max(pings) < b
        assert sorted(seq[i][2] for i in pings) == sorted(
            [lab_line.target4, lab_line.src4])


def test_outfile_append_and_compressed(daemon, lab_line):
    """An outfile opened for append goes on with the ids already in it;
    one named .warts.gz is gzipped; both readable by Debian's readers."""
    targets = os.path.join(daemon.tmp, 'targets2.txt')
    with open(targets, 'w') as f:
        f.write('%s\n' % lab_line.target4)
    for name, mode, n in (('a.warts', 'truncate', 1), ('a.warts', 'append', 2),
                          ('b.warts.gz', 'truncate', 2)):
        out = os.path.join(daemon.tmp, name)
        _until_finish(daemon, [
            'outfile open name o file %s mode %s' % (out, mode),
            'source add name s outfile o command "ping -c 1" file %s '
            'cycles %d' % (targets, n)])
        assert daemon.ask('outfile close o') == ['OK']
    objs = _sc_warts2json(os.path.join(daemon.tmp, 'a.warts'))
    # (wrong ids in the appended part: sc_warts2json would fail)
    kinds = [(o['type'], o.get('id')) for o in objs]
    assert kinds[:3] == [('cycle-start', 1), ('ping', None),
                         ('cycle-stop', 1)]
    assert sorted(kinds[3:], key=str) == sorted(
        [('cycle-start', 1), ('cycle-stop', 1), ('cycle-start', 2),
         ('cycle-stop', 2), ('ping', None), ('ping', None)], key=str)
    with open(os.path.join(daemon.tmp, 'b.warts.gz'), 'rb') as f:
        assert f.read(2) == b'\x1f\x8b'
    # Debian's 20211212 readers take no compressed files: gunzip first
    import gzip
    plain = os.path.join(daemon.tmp, 'b.warts')
    with gzip.open(plain + '.gz') as f, open(plain, 'wb') as g:
        g.write(f.read())
    objs = _sc_warts2json(plain)
    assert sorted(o['type'] for o in objs) == ['cycle-start'] * 2 + [
        'cycle-stop'] * 2 + ['ping'] * 2


def _trace_hops(daemon, cmd):
    items = daemon.session(['attach format json', cmd, 'done'])
    traces = [_payload(i) for i in items if i[0] == 'data'
              and _payload(i)['type'] == 'trace']
    assert len(traces) == 1, items
    return sorted(h['probe_ttl'] for h in traces[0].get('hops', []))


def test_lss_clear(daemon, lab_line):
    """Doubletree traces sharing a local stop set (-Z) stop going
    backwards at a hop already in it, until lss-clear empties it."""
    # as Debian's scamper: forward from TTL 3 (r3) to dst, then back to
    # r2; TTL 1 ends it.  The second trace finds r3 in the set.
    cmd = 'trace -P icmp-paris -q 1 -f 3 -Z lab-set %s' % lab_line.target4
    assert daemon.ask('lss-clear lab-set') == ['ERR lss-clear lab-set failed']
    assert _trace_hops(daemon, cmd) == [2, 3, 4]
    assert _trace_hops(daemon, cmd) == [3, 4]
    assert daemon.ask('lss-clear lab-set') == ['OK lss-clear lab-set']
    assert daemon.ask('lss-clear lab-set more') == ['OK lss-clear lab-set']
    assert _trace_hops(daemon, cmd) == [2, 3, 4]
    assert daemon.ask('lss-clear other') == ['ERR lss-clear other failed']
    assert daemon.ask('lss-clear') == ['ERR usage: lss-clear [lss-name]']


def test_shutdown_done_finishes_queued_work(lab_line):
    d = Daemon(lab_line, port=PORT + 1)
    try:
        with d.connect() as a:
            a.sendall(('attach format json\n' + ''.join(
                'ping -c 1 -F %d %s\n' % (40000 + k, lab_line.target4)
                for k in range(10))).encode())
            time.sleep(0.2)
            assert d.ask('shutdown done') == ['OK']
            items = control_session(a, [], timeout=20)
        pings = [i for i in items if i[0] == 'data'
                 and _payload(i)['type'] == 'ping']
        assert len(pings) == 10
        assert d.proc.wait(20) == 0
        assert not os.path.exists(d.path)       # removed on exit
    finally:
        d.stop()


def test_sigterm_writes_finished_results(lab_line):
    d = Daemon(lab_line, port=PORT + 2)
    try:
        with d.connect() as a:
            a.sendall(('attach format json\nping -c 1 -F 41000 %s\n'
                       'ping -c 30 -i 1 -F 41001 %s\n'
                       % (lab_line.target4, lab_line.target4)).encode())
            time.sleep(1.5)
            d.proc.send_signal(signal.SIGTERM)
            items = control_session(a, [], timeout=20)
        pings = [_payload(i) for i in items if i[0] == 'data'
                 and _payload(i)['type'] == 'ping']
        assert sorted(p['ping_sent'] for p in pings)[0] == 1
        assert d.proc.wait(20) == 0
    finally:
        d.stop()


@pytest.fixture(scope='module')
def daemon2021(lab_line):
    d = Daemon(lab_line, '-O', 'attach-2021', port=PORT + 3)
    try:
        yield d
    finally:
        d.stop()


def test_debian_sc_attach_needs_attach_2021(daemon, lab_line):
    """Debian's sc_attach (20211212) drops DATA len id-N blocks: the
    default framing is for scamper 2023+ clients."""
    cmds = os.path.join(daemon.tmp, 'cmds-new.txt')
    out = os.path.join(daemon.tmp, 'out-new.warts')
    with open(cmds, 'w') as f:
        f.write('ping -c 1 -F 42005 %s\n' % lab_line.target4)
    p = lab_line.run(['sc_attach', '-U', daemon.path, '-i', cmds, '-o', out],
                     capture_output=True, text=True, timeout=60)
    assert 'could not parse DATA' in p.stderr


@pytest.mark.parametrize('via', ['unix', 'tcp'])
def test_debian_sc_attach_drives_our_daemon(daemon2021, lab_line, via):
    """Debian's sc_attach (20211212: plain DATA len, -O attach-2021) from
    a command file to a warts file that sc_warts2json reads."""
    daemon = daemon2021
    cmds = os.path.join(daemon.tmp, 'cmds-%s.txt' % via)
    out = os.path.join(daemon.tmp, 'out-%s.warts' % via)
    with open(cmds, 'w') as f:
        f.write('ping -c 1 -F %d %s\ntrace -q 1 %s\n' % (
            42000 + (via == 'tcp'), lab_line.target4, lab_line.src4))
    where = ['-U', daemon.path] if via == 'unix' else \
        ['-p', '127.0.0.1:%d' % (PORT + 3)]
    p = lab_line.run(['sc_attach', *where, '-i', cmds, '-o', out],
                     capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    j = subprocess.run(['sc_warts2json', out], capture_output=True,
                       text=True, check=True).stdout
    objs = [json.loads(l) for l in j.splitlines()]
    assert [o['type'] for o in objs] == ['cycle-start', 'ping', 'trace',
                                         'cycle-stop'] or \
        [o['type'] for o in objs] == ['cycle-start', 'trace', 'ping',
                                      'cycle-stop']
    ping = next(o for o in objs if o['type'] == 'ping')
    assert ping['dst'] == lab_line.target4
    assert ping['statistics']['replies'] == 1
    assert objs[0]['list_name'].startswith(
        daemon.path + ':' if via == 'unix' else '127.0.0.1:')
    dump = subprocess.run(['sc_wartsdump', out], capture_output=True,
                          text=True, check=True).stdout
    assert 'ra-monitor' in dump


def _ctl(daemon, *args, stdin=None):
    return subprocess.run([sys.executable, '-m', 'scamper_cli.scamperctl',
                           '-U', daemon.path, *args], capture_output=True,
                          text=True, timeout=60, input=stdin, cwd='/')


def test_scamperctl(daemon, lab_line):
    p = _ctl(daemon, 'do', '--json', 'ping -c 1 -F 43000 %s'
             % lab_line.target4, 'trace -q 1 %s' % lab_line.src4)
    assert p.returncode == 0, p.stderr
    objs = [json.loads(l) for l in p.stdout.splitlines()]
    assert sorted(o['type'] for o in objs) == ['ping', 'trace']
    p = _ctl(daemon, 'do', '-', stdin='ping -c 1 -F 43001 %s\nbogus\n'
             % lab_line.target4)
    assert p.returncode == 1 and ("bogus: ERR command not accepted: unknown "
                                  "command 'bogus'") in p.stderr
    assert p.stdout.startswith('ping %s to %s: 84 byte packets\n' % (
        lab_line.src4, lab_line.target4))
    p = _ctl(daemon, 'get', 'version')
    assert (p.returncode, p.stdout) == (0, 'OK version 20211212\n')
    p = _ctl(daemon, 'get', 'bogus')
    assert (p.returncode, p.stdout) == (
        1, "ERR unhandled get command 'bogus'\n")
    p = _ctl(daemon, 'watch', '--once')
    assert p.returncode == 0 and p.stdout.startswith(
        'scamper: 20000 pps, ') and '(no sources)' in p.stdout


def _daemonized(lab, sock, pidfile, *args):
    """Our scamper -D -U sock -e pidfile ARGS: (its pid once it listens,
    a deadline 20 s on)."""
    from ours import ours
    p = ours(lab, '-D', '-U', sock, '-e', pidfile, *args, timeout=20)
    assert p.returncode == 0          # the foreground process is gone
    end = time.time() + 20
    while not os.path.exists(sock) or not os.path.getsize(pidfile):
        assert time.time() < end
        time.sleep(0.05)
    with open(pidfile) as f:
        return int(f.read()), end


def test_daemonize_with_pidfile(lab_line):
    tmp = tempfile.mkdtemp(prefix='sc-ctl-d-')
    sock, pidfile = os.path.join(tmp, 's'), os.path.join(tmp, 'pid')
    pid = None
    try:
        pid, end = _daemonized(lab_line, sock, pidfile)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock)
            assert _lines(control_session(s, ['get pid', 'exit'], 10)) == [
                'OK pid %d' % pid]
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock)
            assert _lines(control_session(s, ['shutdown done'], 10)) == \
                ['OK']
        while os.path.exists('/proc/%d' % pid):
            assert time.time() < end + 20
            time.sleep(0.05)
        # gone, or (its directory is root's, and nothing runs as root any
        # more to remove it) left for the next start to replace
        if os.path.exists(sock):
            with socket.socket(socket.AF_UNIX) as s:
                with pytest.raises(ConnectionRefusedError):
                    s.connect(sock)
    finally:
        _stop_daemon(pid)
        shutil.rmtree(tmp, ignore_errors=True)


def test_daemon_says_what_happens_in_the_debug_file(lab_line):
    """With -D, stderr is /dev/null: a worker's death, or a crash, was
    said nowhere.  Now it goes to the -d file (or the journal)."""
    from ours import proc_tree
    tmp = tempfile.mkdtemp(prefix='sc-ctl-d-')
    sock, pidfile = os.path.join(tmp, 's'), os.path.join(tmp, 'pid')
    dbg = os.path.join(tmp, 'debug')
    pid = None
    try:
        pid, end = _daemonized(lab_line, sock, pidfile, '-d', dbg)
        worker = [q for q in proc_tree(pid) if q != pid][0]
        os.kill(worker, signal.SIGKILL)
        said = '(pid %d) ended (killed by SIGKILL)' % worker
        while said not in open(dbg).read():
            assert time.time() < end, open(dbg).read()
            time.sleep(0.05)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock)
            assert _lines(control_session(s, ['shutdown done'], 10)) == \
                ['OK']
        while os.path.exists('/proc/%d' % pid):
            assert time.time() < end + 20
            time.sleep(0.05)
    finally:
        _stop_daemon(pid)
        shutil.rmtree(tmp, ignore_errors=True)


def test_attach_client_that_half_closes_gets_its_results(daemon, lab_line):
    """A client that sent its commands and shut its side down lost every
    result; EOF now means `done`."""
    with daemon.connect() as s:
        s.sendall(('attach format json\nping -c 2 -i 0.5 %s\n'
                   'ping -c 1 %s\n' % (lab_line.target4, lab_line.src4)
                   ).encode())
        s.shutdown(socket.SHUT_WR)
        s.settimeout(20)
        stream, items = ControlStream(), []
        while True:
            data = s.recv(65536)
            if not data:
                break
            items += stream.feed(data)
    objs = [_payload(i) for i in items if i[0] == 'data']
    assert [o['type'] for o in objs] == ['cycle-start', 'ping', 'ping',
                                         'cycle-stop']
    assert sorted(o['ping_sent'] for o in objs[1:3]) == [1, 2]


def _stop_daemon(pid):
    """If the daemon outlived a failed test, end it: SIGTERM to its helper
    (the supervisor's parent), which passes it on."""
    if pid is None or not os.path.exists('/proc/%d' % pid):
        return
    with open('/proc/%d/stat' % pid) as f:
        helper = int(f.read().rsplit(')', 1)[1].split()[1])
    os.kill(helper, signal.SIGTERM)
    end = time.time() + 10
    while os.path.exists('/proc/%d' % helper) and time.time() < end:
        time.sleep(0.05)
    if os.path.exists('/proc/%d' % helper):
        os.kill(helper, signal.SIGKILL)


def test_scamperctl_watch(daemon, lab_line):
    """watch --once: the window and each source's progress in its cycle,
    while a file source runs 6 slow pings two at a time."""
    import re
    targets = os.path.join(daemon.tmp, 'watch.txt')
    with open(targets, 'w') as f:
        f.write(''.join('203.0.113.%d\n' % (20 + k) for k in range(6)))
    assert daemon.ask('set window 2') == ['OK window 2']
    try:
        assert daemon.ask('source add name watched outfile - '
                          'command "ping -c 4 -i 1" '
                          'file %s cycles 2' % targets) == ['OK source added']
        time.sleep(1.5)
        p = _ctl(daemon, 'watch', '--once')
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        assert lines[0] == 'scamper: 20000 pps, 2 tasks running of 2'
        assert lines[1] == 'window                   [%s] 2/2' % ('#' * 30)
        m = re.fullmatch(r'watched +\[(#*)(\.*)\] (\d)/6  cycle 1, 1 more',
                         lines[2])
        assert m and len(m.group(1)) + len(m.group(2)) == 30, lines
        assert len(m.group(1)) == 30 * int(m.group(3)) // 6
        # the running tasks themselves
        assert len(lines) == 5
        for line in lines[3:]:
            assert re.fullmatch(r' +id-\d+  watched +ping -c 4 -i 1 '
                                r'203\.0\.113\.2\d', line), lines
        assert '\x1b' not in p.stdout
        # the extension behind it, and an unknown name
        prog = daemon.ask('source progress watched')
        assert re.fullmatch(r"INFO name 'watched' type 'file' cycle_id 1 "
                            r"cycles 1 done \d known 6", prog[0]), prog
        assert prog[1:] == ['OK']
        assert daemon.ask('source progress nosuch') == [
            "ERR no source 'nosuch'"]
    finally:
        daemon.ask('source delete watched')
        daemon.ask('set window 0')


def test_outfile_socket(daemon, lab_line):
    """outfile socket (20211212): a source's results come on the
    connection that made the outfile, between the replies: JSON lines
    here; warts would be raw bytes, as scamper writes them."""
    targets = os.path.join(daemon.tmp, 'sock-targets.txt')
    with open(targets, 'w') as f:
        f.write('%s\n' % lab_line.target4)
    with daemon.connect() as s:
        s.sendall(b'outfile socket name sj type json\n'
                  b'source add name sock1 outfile sj command "ping -c 1" '
                  b'file %s\n' % targets.encode())
        s.settimeout(30)
        buf = b''
        while b'"cycle-stop"' not in buf:
            data = s.recv(65536)
            assert data, buf
            buf += data
    lines = buf.decode().splitlines()
    objs = [json.loads(l) for l in lines if l.startswith('{')]
    assert [o['type'] for o in objs] == ['cycle-start', 'ping', 'cycle-stop']
    assert objs[1]['dst'] == lab_line.target4 and objs[1]['responses']
    assert [l for l in lines if not l.startswith('{')] == [
        'OK', 'OK source added']
    assert "INFO 'sj' file '(null)' refcnt 1" in daemon.ask('outfile list')
