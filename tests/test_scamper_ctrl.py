"""scamper_ctrl, the pure-Python ScamperCtrl: the commands its do_*
methods send, its handling of the attach protocol against a scripted
server, ScamperFile, and one user script (ctrl_script.py) driving our
`scamper -U`, `scamper -P` and scamperd in lab_line."""

import collections
import datetime
import os
import re
import socket
import sys
import threading

import pytest
from ours import start_scamperd

from scamper_ctrl import (ScamperCtrl, ScamperFile, ScamperInstError,
                          ScamperPing, ScamperPingStop)
from scamper_ctrl import commands as C
from scamperd.control import uuencode
from scamperd.ping.result import Ping, PingReply
from scamperd.warts import file as F

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, 'ctrl_script.py')


# -- the command lines --------------------------------------------------------

@pytest.mark.parametrize('build,args,kw,line', [
    (C.ping, ['192.0.2.1'], {}, 'ping 192.0.2.1'),
    (C.ping, ['192.0.2.1'], dict(attempts=3, wait_probe=0.5, wait_timeout=2,
                                 ttl=9, size=84, tos=4, userid=7),
     'ping -c 3 -i 0.5 -m 9 -s 84 -U 7 -W 2 -z 4 192.0.2.1'),
    (C.ping, ['192.0.2.1'], dict(method='udp-port', dport=33435),
     'ping -d 33435 -P udp-port 192.0.2.1'),
    (C.ping, ['192.0.2.1'], dict(icmp_id=5, payload=b'\x01\x02'),
     'ping -B 0102 -F 5 192.0.2.1'),
    (C.trace, ['192.0.2.1'], dict(attempts=1, wait_timeout=2,
                                  wait_probe=datetime.timedelta(
                                      milliseconds=50),
                                  firsthop=2, method='icmp-paris'),
     'trace -f 2 -P icmp-paris -q 1 -w 2 -W 5 192.0.2.1'),
    (C.tracelb, ['192.0.2.1'], dict(confidence=99), 'tracelb -c 99 '
     '192.0.2.1'),
    (C.ally, ['192.0.2.1', '192.0.2.2'], dict(method='udp', dport=33435,
                                              wait_probe=1),
     "dealias -m ally -p '-P udp -d 33435' -W 1000 192.0.2.1 192.0.2.2"),
    (C.mercator, ['192.0.2.1'], dict(userid=3),
     'dealias -m mercator -U 3 192.0.2.1'),
    (C.sniff, ['192.0.2.1', 77], dict(limit_time=5, limit_pkt_count=2),
     'sniff -S 192.0.2.1 -c 2 -G 5 icmp[icmpid] == 77'),
])
def test_command_lines(build, args, kw, line):
    assert build(*args, **kw) == line


@pytest.mark.parametrize('kw,err', [
    (dict(dport=1), 'specify method when specifying the source or'),
    (dict(method='icmp-echo', sport=1), 'cannot specify source or dest'),
    (dict(wait_timeout=1.5), 'wait_timeout: 1.5 is not a whole number of '
                             'seconds'),
    (dict(method='udp', icmp_sum=3), 'cannot specify ICMP parameters'),
])
def test_bad_arguments_are_value_errors(kw, err):
    with pytest.raises(ValueError) as e:
        C.ping('192.0.2.1', **kw)
    assert err in str(e.value)


# -- the protocol, against a scripted server -----------------------------------

def _ping_block(task_id, userid):
    ping = Ping(src=bytes([192, 0, 2, 1]), dst=bytes([192, 0, 2, 9]),
                start=1.5e9, stop_reason=1, probe_count=1, ping_sent=1,
                userid=userid, probes=[1.5e9], probe_ipids=[1],
                replies=[[PingReply(addr=bytes([192, 0, 2, 9]), probe_id=0,
                                    tx=1.5e9, rtt=1234, reply_proto=1,
                                    reply_ttl=60, reply_size=84,
                                    icmp_type=0, icmp_code=0)]])
    payload = uuencode.encode(F.encode_object(ping))
    head = 'DATA %d' % len(payload) if task_id is None else \
        'DATA %d id-%d' % (len(payload), task_id)
    return head.encode() + b'\n' + payload


class Scripted:
    """A fake daemon on a socketpair: gives ``reply(line)`` for each line
    the client sends, records the lines."""

    def __init__(self, reply):
        self.ours, theirs = socket.socketpair()
        self.reply = reply
        self.got = []
        self.t = threading.Thread(target=self._serve, daemon=True)
        self.t.start()
        self.sock = theirs

    def _serve(self):
        f = self.ours.makefile('rb')
        for raw in f:
            line = raw.decode().rstrip('\n')
            self.got.append(line)
            out = self.reply(line)
            if out is None:
                break
            self.ours.sendall(out)
        self.ours.close()


def _ctrl_on(server, **kw):
    ctrl = ScamperCtrl(**kw)
    from scamper_ctrl.ctrl import ScamperInst
    import selectors
    inst = ScamperInst(ctrl, server.sock, 'scripted')
    inst._send('attach', ('attach', None))
    server.sock.setblocking(False)
    ctrl._sel.register(server.sock, selectors.EVENT_READ, inst)
    ctrl._insts.add(inst)
    return ctrl, inst


def test_results_are_tied_to_tasks_by_id():
    n = [0]

    def reply(line):
        if line == 'attach':
            return b'OK\nMORE\n'
        if line.startswith('ping'):
            n[0] += 1
            out = b'OK id-%d\nMORE\n' % n[0]
            if n[0] == 2:      # the second finishes first
                out += _ping_block(2, 2)
            if n[0] == 3:
                out += _ping_block(3, 3) + _ping_block(1, 1)
            return out
        if line == 'done':
            return None
    server = Scripted(reply)
    more = []
    ctrl, inst = _ctrl_on(server, morecb=lambda c, i, p: more.append(i))
    ping = ctrl.do_ping('192.0.2.9', userid=9, sync=False)
    p2 = ctrl.do_ping('192.0.2.9', attempts=1, sync=True)
    assert p2.userid == 2 and ctrl.taskc == 1 and ping.id == 1
    ctrl.do_ping('192.0.2.9')
    got = list(ctrl.responses(timeout=10))
    assert [p.userid for p in got] == [3, 1] and ctrl.taskc == 0
    p = got[1]
    assert isinstance(p, ScamperPing) and str(p.dst) == '192.0.2.9'
    assert p.stop_reason == ScamperPingStop.Completed and p.nreplies == 1
    assert p.min_rtt == datetime.timedelta(microseconds=1234)
    assert [str(r.src) for r in p.replies()] == ['192.0.2.9']
    assert p.inst is inst and more == [inst] * 4
    ctrl.done()
    assert ctrl.poll(timeout=10) is None and ctrl.is_done()
    assert server.got == ['attach', 'ping -U 9 192.0.2.9',
                          'ping -c 1 192.0.2.9', 'ping 192.0.2.9', 'done']


def test_err_for_a_command_is_raised_and_ends_the_task():
    def reply(line):
        if line == 'attach':
            return b'OK\nMORE\n'
        if line.startswith('ping'):
            return b'ERR command not accepted: no such thing\n'
    server = Scripted(reply)
    ctrl, inst = _ctrl_on(server)
    with pytest.raises(ScamperInstError) as e:
        ctrl.do_ping('192.0.2.9', sync=True)
    assert str(e.value) == ('got err from scripted: command not accepted: '
                            'no such thing')
    assert e.value.inst is inst and ctrl.taskc == 0


def test_data_without_id_still_gives_the_result():
    """A 20211212 framing: the object comes, the task cannot end."""
    def reply(line):
        if line == 'attach':
            return b'OK\nMORE\n'
        return b'OK id-1\n' + _ping_block(None, 5)
    server = Scripted(reply)
    ctrl, _ = _ctrl_on(server)
    ctrl.do_ping('192.0.2.9')
    assert ctrl.poll(timeout=10).userid == 5 and ctrl.taskc == 1


def test_connect_errors_name_the_socket():
    with pytest.raises(RuntimeError) as e:
        ScamperCtrl(unix='/nonexistent/sock')
    assert str(e.value).startswith('could not connect to /nonexistent/sock')
    with pytest.raises(RuntimeError) as e:
        ScamperCtrl().do_ping('192.0.2.1')
    assert str(e.value) == 'no connected ScamperInst'


def test_scamper_file_round_trip(tmp_path):
    src = os.path.join(HERE, 'data')
    path = next(os.path.join(d, f) for d, _, fs in sorted(os.walk(src))
                for f in sorted(fs) if f.endswith('.warts') and 'ping' in f)
    with ScamperFile(path, filter_types=[ScamperPing]) as f:
        pings = list(f)
    assert pings and all(isinstance(p, ScamperPing) for p in pings)
    out = str(tmp_path / 'out.warts.gz')
    with ScamperFile(out, 'w') as f:
        for p in pings:
            f.write(p)
    with ScamperFile(out) as f:
        again = [o for o in f if isinstance(o, ScamperPing)]
    assert [p.to_json() for p in again] == [p.to_json() for p in pings]
    with pytest.raises(ValueError):
        ScamperFile(out, filter_types=[int])


# -- the same script against our daemon, three ways ------------------------

def _script(lab, where):
    p = lab.run([sys.executable, SCRIPT, 'scamper_ctrl', *where,
                 lab.target4], capture_output=True, text=True, timeout=300,
                cwd='/')
    assert p.returncode == 0 and p.stdout.endswith('ALL OK\n'), \
        p.stdout + p.stderr
    return p.stdout


def test_script_drives_scamper_unix_and_tcp(lab_line):
    from test_control_lab import Daemon, PORT
    d = Daemon(lab_line, port=PORT + 5)
    try:
        _script(lab_line, ['unix', d.path])
        _script(lab_line, ['inet', str(PORT + 5)])
    finally:
        d.stop()


def test_script_drives_scamperd(lab_line):
    p, _, sock = start_scamperd(lab_line, 'pps = 2000\n')
    try:
        _script(lab_line, ['unix', sock])
    finally:
        p.terminate()
        p.wait(30)


# -- scamper's own module, recorded --------------------------------------------

TRANSCRIPT = os.path.join(HERE, 'data', 'ctrl', 'pypi-scamper-20260420.txt')


def _kind(line):
    """A server line with its numbers taken out; None for MORE (how many
    a client gets depends on timing)."""
    if line == 'MORE':
        return None
    return re.sub(r'\d+', 'N', line)


def test_pypi_module_transcript_replays(lab_line):
    """What PyPI's scamper module (20260420, on scamper 20260420's
    libraries) sent to our daemon running ctrl_script.py, sent again, each
    line once the replies it waited for have come: our daemon answers with
    the same lines (ids, DATA with ids, halt, the final cycle-stop and
    close) as when the module itself ran it (ALL OK)."""
    from ours import ControlStream
    from test_control_lab import Daemon, PORT
    with open(TRANSCRIPT) as f:
        rec = [l.rstrip('\n') for l in f if not l.startswith('#')]
    assert rec[-1] == 'C <EOF>' and 'S <EOF>' in rec
    # a line waits for the results it had when it was sent: results of
    # the commands before it (the proxy's log may put a reply before the
    # line it answers)
    sends, done, ncmd = [], set(), 0
    for l in rec:
        side, line = l[0], l[2:]
        m = re.fullmatch(r'DATA \d+ id-(\d+)', line)
        if side == 'S' and m:
            done.add(int(m.group(1)))
        elif side == 'C' and line != '<EOF>':
            sends.append((sum(1 for t in done if t <= ncmd),
                          line.replace('TARGET', lab_line.target4)))
            ncmd += line.split()[0] not in ('attach', 'halt', 'done')
    want = collections.Counter(_kind(l[2:]) for l in rec if l[0] == 'S')
    d = Daemon(lab_line, port=PORT + 6)
    try:
        got = []
        with d.connect() as s:
            s.settimeout(60)
            stream = ControlStream()

            def progress():
                return sum(1 for i in got if i[0] == 'data'
                           and ' id-' in i[1])
            def running(tid):
                """The task was taken (MORE after its OK): a halt then
                gives its result, as after the module's poll(1.5)."""
                lines = [i[1] for i in got]
                ok = 'OK id-%d' % tid
                return ok in lines and 'MORE' in lines[lines.index(ok):]
            for before, line in sends:
                while progress() < before or (line.startswith('halt ') and
                                              not running(int(line[5:]))):
                    try:
                        data = s.recv(65536)
                    except TimeoutError:
                        pytest.fail('60 s without a word, waiting to send '
                                    '%r (%d results wanted, %d came); the '
                                    'last lines: %r' % (
                                        line, before, progress(),
                                        [i[1] for i in got[-12:]]))
                    assert data, got
                    got += stream.feed(data)
                s.sendall(line.encode() + b'\n')
            while True:
                data = s.recv(65536)
                if not data:
                    break
                got += stream.feed(data)
        got = collections.Counter(_kind(i[1]) for i in got)
        got['<EOF>'] += 1
        del got[None], want[None]     # MOREs: how many depends on timing
        assert got == want
    finally:
        d.stop()
