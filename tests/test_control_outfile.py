"""outfile and source commands, replayed against our interactive commands
(a stand-in daemon with a real Sources).  Every expected reply below came
from Debian's scamper 20211212 (scamper -P on loopback in a private
namespace, the same lines sent; paths relative to its directory)."""

import os
import pathlib
import shutil
import struct

import pytest
from test_control_interactive import FakeCtl, _records, replay

from scamperd.control import interactive
from scamperd.listcycle import Cycle, ScamperList
from scamperd.sources import FileSource, Outfile, Sources
from scamperd.warts import file as warts_file

ALLY = pathlib.Path(__file__).parent / 'data' / 'dealias' / 'dealias-ally.warts'


Ctl = FakeCtl    # opens outfiles as the daemon does, in the test's directory


@pytest.fixture
def ctl(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'targets.txt').write_text('198.18.1.1\n198.18.1.2\n')
    return Ctl(str(tmp_path))


OPEN_CLOSE_SWAP = """
>>> outfile list
INFO '-' file '-' refcnt 1
OK
>>> outfile open name a file a.warts mode truncate
OK
>>> outfile open name a file a.warts mode truncate
ERR could not add outfile
>>> outfile open name a file b.warts mode truncate
ERR could not add outfile
>>> outfile open name b file a.warts mode truncate
OK
>>> outfile list
INFO 'b' file 'a.warts' refcnt 1
INFO 'a' file 'a.warts' refcnt 1
INFO '-' file '-' refcnt 1
OK
>>> outfile open name - file c.warts mode truncate
ERR could not add outfile
>>> outfile open name c file /nonexistent/dir/c.warts mode truncate
ERR could not add outfile
>>> outfile open name c file c.warts mode bogus
ERR mode must be truncate or append
>>> outfile open name c file c.warts
ERR usage: outfile open name <alias> file <path> mode <truncate|append>
>>> outfile open name c mode truncate
ERR usage: outfile open name <alias> file <path> mode <truncate|append>
>>> outfile open file c.warts mode truncate
ERR usage: outfile open name <alias> file <path> mode <truncate|append>
>>> outfile open
ERR usage: outfile open name <alias> file <path> mode <truncate|append>
>>> outfile open name c file c.warts mode truncate extra x
ERR param 'extra' failed
>>> outfile open name c file c.warts mode truncate name d
ERR param 'name' failed
>>> outfile close
ERR usage: outfile close <alias>
>>> outfile close nosuch
ERR unknown outfile 'nosuch'
>>> outfile close -
OK
>>> outfile close a
OK
>>> outfile list
INFO 'b' file 'a.warts' refcnt 1
OK
>>> outfile swap
ERR usage outfile swap <alias 1> <alias 2>
>>> outfile swap a
ERR usage outfile swap <alias 1> <alias 2>
>>> outfile swap b nosuch
ERR unknown outfile '(null)'
>>> outfile swap nosuch b
ERR unknown outfile '(null)'
>>> outfile swap b b
OK
>>> outfile swap b -
ERR unknown outfile '(null)'
>>> outfile bogus
ERR unhandled outfile command 'bogus'
>>> outfile
ERR usage: outfile [close | list | open | swap]
>>> outfile list extra
INFO 'b' file 'a.warts' refcnt 1
OK
"""

CASE_AND_ORDER = """
>>> outfile open name B file b.warts mode TRUNCATE
OK
>>> outfile open name a file a.warts mode Append
OK
>>> outfile open name c file c.warts mode truncate
OK
>>> outfile open name A file x.warts mode truncate
ERR could not add outfile
>>> outfile open name Zed file z.warts mode truncate
OK
>>> outfile list
INFO 'Zed' file 'z.warts' refcnt 1
INFO 'c' file 'c.warts' refcnt 1
INFO 'B' file 'b.warts' refcnt 1
INFO 'a' file 'a.warts' refcnt 1
INFO '-' file '-' refcnt 1
OK
>>> outfile close b
OK
>>> source add name s1 file targets.txt
ERR required parameter 'outfile' missing
>>> source add name s1 file targets.txt outfile nope
ERR unknown outfile 'nope'
>>> source add name s1 file targets.txt outfile A command "ping -c 50"
OK source added
>>> outfile list
INFO 'Zed' file 'z.warts' refcnt 1
INFO 'c' file 'c.warts' refcnt 1
INFO 'a' file 'a.warts' refcnt 3
INFO '-' file '-' refcnt 1
OK
>>> source add name s4 file nofile.txt outfile c
ERR could not alloc source
>>> outfile close a
ERR could not drop outfile: refcnt 3
"""

PARAMS = """
>>> outfile open name w file good.warts mode append
OK
>>> outfile open name e file empty.warts mode append
OK
>>> outfile open name n file new.warts mode append
OK
>>> outfile swap w n extra
ERR params_get failed
>>> outfile swap "w" "n"
OK
>>> outfile open name "my out" file "sp ace.warts" mode truncate
OK
>>> outfile open name q file q.warts mode truncate name
ERR param 'name' failed
>>> outfile open name q file q.warts mode truncate file
ERR param 'file' failed
>>> outfile open name q file "q.warts mode truncate
ERR params_get failed
>>> outfile open NAME q FILE q.warts MODE truncate
OK
>>> outfile list
INFO 'w' file 'new.warts' refcnt 1
INFO 'q' file 'q.warts' refcnt 1
INFO 'n' file 'good.warts' refcnt 1
INFO 'my out' file 'sp ace.warts' refcnt 1
INFO 'e' file 'empty.warts' refcnt 1
INFO '-' file '-' refcnt 1
OK
>>> outfile close q extra
OK
>>> outfile close "my out"
ERR unknown outfile '"my'
>>> outfile close my
ERR unknown outfile 'my'
>>> outfile LIST
INFO 'w' file 'new.warts' refcnt 1
INFO 'n' file 'good.warts' refcnt 1
INFO 'my out' file 'sp ace.warts' refcnt 1
INFO 'e' file 'empty.warts' refcnt 1
INFO '-' file '-' refcnt 1
OK
>>> OUTFILE close e
OK
>>> outfile swap  w  n
OK
"""

SOURCES = """
>>> outfile open name w file w.warts mode truncate
OK
>>> source add name s1 file targets.txt outfile w list_id -1
ERR list_id <number gte 0>
>>> source add name s2 file targets.txt outfile w cycle_id 2147483648
ERR cycle_id <number gte 0>
>>> source add name s3 file targets.txt outfile w priority -5
ERR priority <number gte 0>
>>> source add name s4 file targets.txt outfile w autoreload maybe
ERR autoreload <on|off>
>>> source add name s5 file targets.txt outfile w cycles -1
ERR cycle <number gte 0>
>>> source add name s7 file targets.txt outfile w priority 2147483648
ERR priority <number gte 0>
>>> source add name s11 file targets.txt outfile w autoreload 1
ERR autoreload <on|off>
>>> source add name s1 file targets.txt outfile w list_id 4294967295
ERR list_id <number gte 0>
>>> source add name s1 file targets.txt outfile w bogus 1
ERR source add param 'bogus' failed
>>> source add name s1 file targets.txt outfile w name s2
ERR source add param 'name' failed
>>> source add name s1 file targets.txt outfile w cycles
ERR source add param 'cycles' failed
>>> source add name s1 file targets.txt outfile nope list_id -1
ERR unknown outfile 'nope'
>>> source add name s1 outfile w
ERR required parameter 'file' missing
>>> source add
ERR required parameter 'name' missing
>>> source add name s9 file nofile outfile w
ERR could not alloc source
>>> source add name s8 file targets.txt outfile w list_id x cycle_id 0 priority 0 cycles 1 autoreload ON
OK source added
>>> source add name s8 file targets.txt outfile w
ERR source 's8' already exists
>>> source update
ERR missing name parameter
>>> source update nosuch
ERR no such source 'nosuch'
>>> source update nosuch priority 2
ERR no such source 'nosuch'
>>> source update s8 priority x
OK
>>> source update s8 priority -1
ERR priority <number gte 0>
>>> source update s8 cycles -1
ERR cycles <number gte 0>
>>> source update s8 autoreload maybe
ERR autoreload <on|off>
>>> source update s8 bogus 1
ERR source update param 'bogus' failed
>>> source update s8 priority
ERR source update param 'priority' failed
>>> source update s8 priority 3 priority 4
ERR source update param 'priority' failed
>>> source update s8 priority 3 cycles 5 autoreload OFF
OK
>>> source update s8
OK
>>> source delete
ERR missing required parameter for source delete
>>> source delete nosuch
ERR unknown source 'nosuch'
>>> source cycle
ERR missing required parameter for source cycle
>>> source cycle nosuch
ERR no source 'nosuch'
>>> source cycle s8 extra
ERR source cycle params_get failed
>>> source delete s8 extra
ERR source delete params_get failed
>>> source list nosuch
ERR no source 'nosuch'
>>> source bogus
ERR unhandled command 'bogus'
>>> source
ERR usage: source [add | cycle | delete | list | update]
"""


def _started(ctl):
    """The supervisor's part: sources take their first task (and so
    start their first cycle), as they do at once in scamper."""
    while ctl.sources.next() is not None:
        pass


def _replay(ctl, text):
    replay(ctl, text, lambda: _started(ctl))


@pytest.mark.parametrize('text', [OPEN_CLOSE_SWAP, CASE_AND_ORDER, SOURCES],
                         ids=['open-close-swap', 'case-and-order', 'sources'])
def test_transcript(ctl, text):
    ctl.events = []         # no observer: the events are not shown
    _replay(ctl, text)


def test_params_and_appending(ctl, tmp_path):
    shutil.copy(ALLY, tmp_path / 'good.warts')
    (tmp_path / 'empty.warts').write_bytes(b'')
    _replay(ctl, PARAMS)
    # appended records go on after the file's list and cycle
    assert ctl.sources.outfiles['n'].n_lists == 0       # now new.warts
    assert (ctl.sources.outfiles['w'].n_lists,
            ctl.sources.outfiles['w'].n_cycles) == (1, 1)


@pytest.mark.parametrize('content', [b'\x1f\x8b\x08\x00junk', bytes(100)])
def test_append_to_a_damaged_or_compressed_file(ctl, tmp_path, content):
    """20211212 could not add gzip'd or random files in append mode."""
    (tmp_path / 'x.warts').write_bytes(content)
    assert interactive.handle(ctl, None, 'outfile open name x file x.warts '
                              'mode append') == ['ERR could not add outfile']
    assert (tmp_path / 'x.warts').read_bytes() == content
    assert 'x' not in ctl.sources.outfiles


def test_refcnt_counts_sources_and_their_cycles(ctl):
    """20211212 (checked with live pings): 1 for the outfile, 1 for each
    source, 1 for each of its cycles not finished; a finished or deleted
    source holds it no more."""
    assert interactive.handle(ctl, None, 'outfile open name a file a.warts '
                              'mode truncate') == ['OK']
    for n in (1, 2):
        assert interactive.handle(
            ctl, None, 'source add name s%d outfile a file targets.txt' % n
        ) == ['OK source added']
    _started(ctl)
    assert interactive.handle(ctl, None, 'outfile list')[0] == \
        "INFO 'a' file 'a.warts' refcnt 5"
    assert interactive.handle(ctl, None, 'source delete s1') == \
        ["OK source 's1' deleted"]
    assert interactive.handle(ctl, None, 'outfile close a') == \
        ['ERR could not drop outfile: refcnt 3']
    assert isinstance(ctl.sources.get('s2'), FileSource)


def _outfile(path, append=False):
    written = ((), ())
    if append:
        with open(path, 'rb') as f:
            written = Outfile.written(f)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT
                 | (os.O_APPEND if append else os.O_TRUNC), 0o644)
    return Outfile('of', str(path), fd, written=written)


def test_lists_and_cycles_equal_in_content_are_one_record(tmp_path):
    """As scamper's writer: a list equal in content to one already in the
    file (written earlier, or before an append) is not written again; an
    unstopped cycle of the appended file is used again, not restarted."""
    path = tmp_path / 'of.warts'
    out = _outfile(path)
    lst = ScamperList(id=7, name='src1', descr='d', monitor='m')
    one = Cycle(lst, id=1, start=1700000000, hostname='h')
    out.cycle_start(one)
    two = Cycle(ScamperList(id=7, name='src1', descr='d', monitor='m'),
                id=2, start=1700000100, hostname='h')
    out.cycle_start(two)            # another list object, same content
    assert out.ids(two) == (1, 2)
    one.stop = 1700000050
    out.cycle_stop(one)
    out.close()
    out = _outfile(path, append=True)
    three = Cycle(ScamperList(id=7, name='src1', descr='d', monitor='m'),
                  id=3, start=1700000200, hostname='h')
    out.cycle_start(three)
    again = Cycle(ScamperList(id=7, name='src1', descr='d', monitor='m'),
                  id=2, start=1700000100, hostname='h')
    out.cycle_start(again)          # the file's unstopped cycle 2
    assert (out.ids(three), out.ids(again)) == ((1, 3), (1, 2))
    other = Cycle(ScamperList(id=8, name='src2'), id=1, start=1700000300)
    out.cycle_start(other)
    assert out.ids(other) == (2, 4)
    out.close()
    assert _records(path) == [
        ('list', 1, 7, 'src1'), ('start', 1, 1, 1), ('start', 2, 1, 2),
        ('stop', 1), ('start', 3, 1, 3), ('list', 2, 8, 'src2'),
        ('start', 4, 2, 1)]


class Conn:
    def __init__(self):
        self.sent = b''

    def send(self, data):
        self.sent += data


# from Debian's scamper 20211212 (scamper -P in a private namespace)
SOCKET = [
    ('outfile socket', 'ERR usage outfile socket name <alias> type <type>'),
    ('outfile socket name', "ERR outfile socket param 'name' failed"),
    ('outfile socket name x',
     'ERR usage outfile socket name <alias> type <type>'),
    ('outfile socket name x type', "ERR outfile socket param 'type' failed"),
    ('outfile socket type warts',
     'ERR usage outfile socket name <alias> type <type>'),
    ('outfile socket name x type bogus', 'OK'),
    ('outfile socket name x type arts', "ERR outfile 'x' already exists"),
    ('outfile socket name X type warts', "ERR outfile 'X' already exists"),
    ('outfile socket name j type json', 'OK'),
    ('outfile socket name t type text', 'OK'),
    ('outfile socket name q "type" json extra',
     'ERR outfile socket params_get failed'),
    ('outfile socket name "a b" type warts', 'OK'),
]


def test_outfile_socket_replies(ctl):
    conn = Conn()
    for line, want in SOCKET:
        assert interactive.handle(ctl, conn, line) == [want], line
    assert interactive.handle(ctl, conn, 'outfile list') == [
        "INFO 'x' file '(null)' refcnt 1", "INFO 't' file '(null)' refcnt 1",
        "INFO 'j' file '(null)' refcnt 1",
        "INFO 'a b' file '(null)' refcnt 1", "INFO '-' file '-' refcnt 1",
        'OK']
    # a type scamper cannot write takes the results and writes nothing
    ctl.sources.outfiles['x'].write(b'results')
    ctl.sources.outfiles['j'].write(b'{"type":"ping"}\n')
    assert conn.sent == b'{"type":"ping"}\n'


def test_default_outfile_named_after_o(tmp_path):
    """With -o FILE the default output is the outfile named FILE (20211212:
    ``INFO 'FILE' file 'FILE' refcnt 1``), which sources may name."""
    ctl = Ctl(str(tmp_path))
    written = []
    ctl.sources = Sources(written.append, 'warts', daemon=True,
                          default_name='/tmp/x.warts')
    (tmp_path / 't.txt').write_text('198.18.1.1\n')
    assert interactive.handle(ctl, None, 'outfile list') == [
        "INFO '/tmp/x.warts' file '/tmp/x.warts' refcnt 1", 'OK']
    assert interactive.handle(
        ctl, None, 'source add name s outfile - file %s' % (tmp_path / 't.txt')
    ) == ["ERR unknown outfile '-'"]
    assert interactive.handle(
        ctl, None, 'source add name s outfile /tmp/x.warts file %s'
        % (tmp_path / 't.txt')) == ['OK source added']
    assert ctl.sources.get('s').out is ctl.sources.default


def test_outcopy_copies_other_outputs_to_the_default(tmp_path):
    """-O outcopy: a task whose results go to another outfile carries how
    to format its copy; in warts the default output defines the copy's list
    and cycle (a cycle definition record) once, before the first copy."""
    path = tmp_path / 'default.warts'
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    srcs = Sources(lambda data: os.write(fd, data), 'warts', daemon=True,
                   outcopy=True)
    other = Outfile('g', str(tmp_path / 'g.warts'), os.open(
        tmp_path / 'g.warts', os.O_WRONLY | os.O_CREAT, 0o644))
    (tmp_path / 't.txt').write_text('198.18.1.1\n198.18.1.2\n')
    src = FileSource(srcs, 's', str(tmp_path / 't.txt'), 'ping', other)
    srcs.add(src)
    metas = []
    for _ in range(2):
        got, where, line, tag = srcs.next()
        metas.append((srcs.task_meta(got, tag), tag))
    assert [m['copy'] for m, _ in metas] == [
        {'fmt': 'warts', 'warts': (1, 1)}] * 2
    assert metas[0][0]['warts'] == (1, 1)     # its own file's ids
    for meta, tag in metas:
        srcs.done(src, tag, b'', b'COPY')
    os.close(fd)
    other.close()
    raw = path.read_bytes()
    assert raw.endswith(b'COPYCOPY')
    kinds = []
    view = raw[:-8]
    while view:
        otype, n = struct.unpack('>2xHI', view[:8])
        kinds.append(otype)
        view = view[8 + n:]
    assert kinds == [warts_file.OBJ_LIST, warts_file.OBJ_CYCLE_DEF]
    # no copy for a source writing to the default output itself
    srcs = Sources([].append, 'json', daemon=True, outcopy=True)
    own = FileSource(srcs, 'own', str(tmp_path / 't.txt'), 'ping',
                     srcs.default)
    assert own.ready()
    assert 'copy' not in srcs.task_meta(own, own.take()[2])
