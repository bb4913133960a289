"""Interactive commands: each reply line as Debian's scamper 20211212 gave
it in the transcripts of /work/shared/docs/control-protocol.md (§7.1,
§7.2), the daemon's side replaced by a stand-in and a real Sources."""

import io
import os
import re
import struct

import pytest

from scamperd import commands
from scamperd.control import interactive
from scamperd.control.server import Control
from scamperd.sources import Sources
from scamperd.warts import file as warts_file


class FakeCtl:
    def __init__(self, tmp):
        self.pid = 6357
        self.pps = 100
        self.window = 0
        self.command = 'trace'
        self.monitorname = 'ra-monitor'
        self.nameserver = None
        self.written = []
        self.sources = Sources(self.written.append, 'json',
                               monitorname='ra-monitor', hostname='vm',
                               daemon=True)
        self.events = []
        self.shut = []
        self.tmp = tmp
        self.err = io.StringIO()

    def window_active(self):
        return 0

    def forget_source(self, src):
        pass        # no supervisor queue here: sources.next() is it

    def running_tasks(self):
        from types import SimpleNamespace as T
        return [T(id=7, source=T(name='s1'), line='ping -c 4 192.0.2.1'),
                T(id=2, source=None, line='trace 192.0.2.2')]

    def set_pps(self, n):
        self.pps = n

    def check_command(self, c):
        try:
            commands.check_default(c)
            return True
        except Exception:
            return False

    def set_command(self, c):
        self.command = c
        return self.check_command(c)

    def open_outfile(self, path, append):
        return Control.open_outfile(os.path.join(self.tmp, path), append)

    def shutdown(self, how):
        self.shut.append(how)

    def observe(self, conn):
        self.sources.observers.append(self.events.append)

    def lss_clear(self, name):
        return False


def replay(ctl, transcript, run=lambda: None):
    """Send each >>> line; compare what follows it (EVENT times are
    ignored) with the replies and events."""
    blocks = re.split(r'^>>> ', transcript.strip(), flags=re.M)[1:]
    for block in blocks:
        cmd, *want = block.rstrip('\n').split('\n')
        got = []
        try:
            got = interactive.handle(ctl, None, cmd)
        except interactive.Close:
            got = ['(closed)']
        events_before = list(ctl.events)
        ctl.events.clear()
        run()
        got = events_before + got + ctl.events
        ctl.events.clear()
        norm = [re.sub(r'^EVENT \d+', 'EVENT T', l) for l in got]
        want = [re.sub(r'^EVENT \d+', 'EVENT T', l) for l in want]
        assert norm == want, cmd


T71 = """
>>> help
ERR XXX: todo
>>> get pid
OK pid 6357
>>> get pps
OK pps 100
>>> get window
OK window 0/0
>>> get version
OK version 20211212
>>> get command
OK command trace
>>> get monitorname
OK monitorname ra-monitor
>>> get holdtime
ERR unhandled get command 'holdtime'
>>> get
ERR usage: get [command | monitorname | pid | pps | version | window]
>>> set pps 50
OK pps 50
>>> set pps 0
ERR pps: 0 out of range (1, 10000)
>>> set pps x
ERR set pps argument is not an integer
>>> set pps ²
ERR set pps argument is not an integer
>>> set window 5
OK window 5
>>> get window
OK window 0/5
>>> set command ping -c 1
OK
>>> get command
OK command ping -c 1
>>> set
ERR usage: set [command | monitorname | pps | window]
>>> bogus
ERR unhandled command 'bogus'
>>> source list
OK
>>> outfile list
INFO '-' file '-' refcnt 1
OK
>>> observe sources
OK
>>> get nameserver
OK null nameserver
>>> exit
(closed)
"""


def test_transcript_interactive(tmp_path):
    replay(FakeCtl(str(tmp_path)), T71)


T72 = """
>>> observe sources
OK
>>> outfile open name ra_of1 file of1.warts mode truncate
OK
>>> outfile open name ra_of2 file of2.warts
ERR usage: outfile open name <alias> file <path> mode <truncate|append>
>>> outfile open name ra_of2 file of2.warts mode truncate
OK
>>> source add name src1 descr test-list list_id 7 cycle_id 3 priority 2 outfile ra_of1 command 'ping -c 1' file targets.txt cycles 1
ERR source add param '-c' failed
>>> source add name src1 descr "test list" list_id 7 cycle_id 3 priority 2 outfile ra_of1 command "ping -c 1" file targets.txt cycles 1
EVENT 1795784190 source add name 'src1' descr 'test list' list_id 7 cycle_id 3 priority 2 outfile 'ra_of1' type 'file' file 'targets.txt' cycles 1 autoreload off
OK source added
EVENT 1795784190 source cycle 'src1' id 3
>>> source list src1
INFO name 'src1' descr 'test list' list_id 7 cycle_id 3 priority 2 outfile 'ra_of1' type 'file' file 'targets.txt' cycles 0 autoreload off
OK
>>> outfile close ra_of1
ERR could not drop outfile: refcnt 3
>>> FINISH
ERR unhandled command 'FINISH'
EVENT 1795784191 source finish 'src1'
>>> source update src1 priority 5
ERR no such source 'src1'
>>> source add name adhoc1 list_id 9 outfile ra_of2 file targets.txt cycles 2 autoreload on
EVENT 1795784192 source add name 'adhoc1' list_id 9 cycle_id 1 priority 1 outfile 'ra_of2' type 'file' file 'targets.txt' cycles 2 autoreload on
OK source added
EVENT 1795784192 source cycle 'adhoc1' id 1
EVENT 1795784192 source cycle 'adhoc1' id 2
>>> FINISH
ERR unhandled command 'FINISH'
EVENT 1795784192 source finish 'adhoc1'
>>> source cycle adhoc1
ERR no source 'adhoc1'
>>> source delete nosuch
ERR unknown source 'nosuch'
>>> outfile swap ra_of1 ra_of2
OK
>>> outfile list
INFO 'ra_of2' file 'of1.warts' refcnt 1
INFO 'ra_of1' file 'of2.warts' refcnt 1
INFO '-' file '-' refcnt 1
OK
>>> outfile close nosuch
ERR unknown outfile 'nosuch'
>>> source
ERR usage: source [add | cycle | delete | list | update]
>>> outfile
ERR usage: outfile [close | list | open | swap]
>>> shutdown
ERR usage: [cancel | done | flush | now]
>>> shutdown cancel
OK
>>> shutdown bogus
ERR unhandled command 'bogus'
"""


def test_transcript_sources_and_outfiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'targets.txt').write_text('192.0.2.1\n192.0.2.2\n')
    ctl = FakeCtl(str(tmp_path))
    taken = []

    def run():
        # the supervisor: take and start every task now; finish them at
        # FINISH, each "result" an object of an unknown warts type holding
        # the ids the worker was told to refer to
        while (got := ctl.sources.next()) is not None:
            ctl.sources.started(got[0], got[3])
            taken.append(got)
        if finish[0]:
            for src, where, line, tag in taken:
                meta = src.task_meta(tag)
                assert meta['fmt'] == 'warts'
                ctl.sources.done(src, tag, warts_file.frame(
                    RESULT, struct.pack('>II', *meta['warts'])
                    + line.encode()))
            taken.clear()
            finish[0] = False

    finish = [False]
    orig = interactive._COMMANDS.copy()
    interactive._COMMANDS['finish'] = lambda c, conn, r: (
        finish.__setitem__(0, True) or ["ERR unhandled command 'FINISH'"])
    try:
        replay(ctl, T72, run)
    finally:
        interactive._COMMANDS.clear()
        interactive._COMMANDS.update(orig)
    assert ctl.shut == ['cancel']
    # outfiles hold warts (scamper's outfile open writes warts whatever -O
    # says), each numbering its own lists and cycles from 1.  src1's cycle
    # 3 went to of1 (now ra_of2); adhoc1's two cycles went to of2
    assert _records(tmp_path / 'of1.warts') == [
        ('list', 1, 7, 'src1'), ('start', 1, 1, 3),
        ('result', 1, 1, 'ping -c 1 192.0.2.1'),
        ('result', 1, 1, 'ping -c 1 192.0.2.2'), ('stop', 1)]
    of2 = _records(tmp_path / 'of2.warts')
    assert of2[:3] == [('list', 1, 9, 'adhoc1'), ('start', 1, 1, 1),
                       ('start', 2, 1, 2)]
    assert sorted(of2[3:]) == sorted(
        [('result', 1, c, 'trace 192.0.2.%d' % a)
         for c in (1, 2) for a in (1, 2)] + [('stop', 1), ('stop', 2)])
    # a result comes before the stop of its cycle
    for r in of2[3:]:
        if r[0] == 'result':
            assert of2.index(r) < of2.index(('stop', r[2]))


RESULT = 0x70


def _records(path):
    """The records of a warts file: ('list', file id, list id, name),
    ('start', file id, list file id, cycle id), ('stop', file id) and
    ('result', list file id, cycle file id, command)."""
    out = []
    lists, cycles = [], []
    with open(path, 'rb') as f:
        for otype, _, obj in warts_file.read_objects(f):
            if otype == warts_file.OBJ_LIST:
                lists.append(obj)
                out.append(('list', len(lists), obj.id, obj.name))
            elif otype == warts_file.OBJ_CYCLE_START:
                cycles.append(obj)
                out.append(('start', len(cycles), lists.index(obj.list) + 1,
                            obj.id))
            elif otype == warts_file.OBJ_CYCLE_STOP:
                out.append(('stop', cycles.index(obj.cycle) + 1))
            else:
                assert otype == RESULT
                out.append(('result',) + struct.unpack('>II', obj[:8])
                           + (obj[8:].decode(),))
    return out


@pytest.mark.parametrize('cmd,reply', [
    ('source add file x', "ERR required parameter 'name' missing"),
    ('source add name x', "ERR required parameter 'file' missing"),
    ('source add name x file t outfile nope', "ERR unknown outfile 'nope'"),
    ('lss-clear', 'ERR usage: lss-clear [lss-name]'),
    ('lss-clear x', 'ERR lss-clear x failed'),
    ('lss-clear x y', 'ERR lss-clear x failed'),     # the first word
    ('source progress', 'OK'),
    ('shutdown done', 'OK'),
    ('outfile close -', 'OK'),      # 20211212 lets it go when unused
    ('source add name x file t', "ERR required parameter 'outfile' missing"),
    ('set window x', 'ERR set window argument is not an integer'),
])
def test_other_replies(tmp_path, cmd, reply):
    assert interactive.handle(FakeCtl(str(tmp_path)), None, cmd) == [reply]


def test_source_tasks_lists_running_tasks(tmp_path):
    assert interactive.handle(FakeCtl(str(tmp_path)), None,
                              'source tasks') == [
        "INFO id 2 source '-' command 'trace 192.0.2.2'",
        "INFO id 7 source 's1' command 'ping -c 4 192.0.2.1'", 'OK']


def test_source_progress_after_every_line_is_taken(tmp_path):
    """A bug: once a source's last line was handed out, each later look
    forgot the cycle, and `source progress` said done 0 known 0 while its
    tasks ran."""
    ctl = FakeCtl(str(tmp_path))
    (tmp_path / 'l').write_text('192.0.2.1\n192.0.2.2\n')
    assert interactive.handle(ctl, None, 'source add name s file %s outfile -'
                              % (tmp_path / 'l')) == ['OK source added']
    src = ctl.sources.get('s')
    taken = [ctl.sources.next() for _ in range(2)]
    assert ctl.sources.next() is None and ctl.sources.next() is None
    progress = "INFO name 's' type 'file' cycle_id 1 cycles 0 done %d known 2"
    assert interactive.handle(ctl, None, 'source progress s') == [
        progress % 0, 'OK']
    src.done(taken[0][3], b'')
    assert interactive.handle(ctl, None, 'source progress s') == [
        progress % 1, 'OK']


class RemoteCtl(FakeCtl):
    """FakeCtl with controllers to dial, as server.Control keeps them."""

    def __init__(self, tmp):
        super().__init__(tmp)
        self.remotes = {}

    def add_remote(self, host, port, tls):
        from types import SimpleNamespace as T
        self.remotes[host.lower(), port] = T(
            host=host, port=port, tls=tls, link=T(alias=None))

    def delete_remote(self, key):
        del self.remotes[key]


T_REMOTE = """
>>> remote
ERR usage: remote [add]
>>> remote delete ctl.example:1
ERR no remote connections
>>> remote list
OK
>>> remote add
ERR usage remote add server <name>
>>> remote add server
ERR remote add param 'server' failed
>>> remote add port 1
ERR remote add param 'port' failed
>>> remote add server a:1 ssl off x y
ERR remote add params_get failed
>>> remote add server ctl.example
ERR invalid server, expect <name>:<port>
>>> remote add server ctl.example:0
ERR invalid server, expect <name>:<port>
>>> remote add server ctl.example:65536
ERR invalid server, expect <name>:<port>
>>> remote add server ctl.example:²
ERR invalid server, expect <name>:<port>
>>> remote add server ctl.example:٣
ERR invalid server, expect <name>:<port>
>>> remote add server ctl.example:
ERR invalid server, expect <name>:<port>
>>> remote add server ctl.example:31337 ssl maybe
ERR ssl <on|off>
>>> remote add server ctl.example:31337
OK
>>> remote add SERVER [2001:db8::1]:31337 SSL OFF
OK
>>> remote add server CTL.example:31337 ssl off
ERR CTL.example:31337 already exists
>>> remote list
INFO ctl.example:31337
INFO 2001:db8::1:31337
OK
>>> remote delete
ERR missing required parameter for remote delete
>>> remote delete a:1 b:2
ERR remote delete params_get failed
>>> remote delete ctl.example
ERR invalid server
>>> remote delete ctl.example:1
ERR ctl.example:1 not found
>>> remote delete Ctl.Example:31337
OK
>>> remote list
INFO 2001:db8::1:31337
OK
>>> remote frob
ERR unhandled outfile command 'frob'
"""


def test_remote_commands(tmp_path):
    """remote add/delete/list, word for word as scamper's
    scamper_control.c (command_remote_*) replies; TLS (ssl on, the
    default) as a context given to the controller's connection."""
    ctl = RemoteCtl(str(tmp_path))
    replay(ctl, T_REMOTE)
    (r,) = ctl.remotes.values()
    assert r.tls is None
    ctl.remotes.clear()
    interactive.handle(ctl, None, 'remote add server ctl.example:1')
    assert ctl.remotes['ctl.example', 1].tls is not None
