"""Control commands that stopped or froze the whole service (issue 13,
items 4, 5 and 9): each now gets its reply and the service goes on.  Run
against the interactive grammar with real sources and outfiles (the
supervisor's part played by the test, as in test_control_outfile.py)."""

import os
import resource

import pytest
from test_control_interactive import FakeCtl

from scamperd.control import interactive
from scamperd.sources import Outfile
from scamperd.warts import file as warts_file


@pytest.fixture
def ctl(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'targets.txt').write_text('192.0.2.1\n192.0.2.2\n')
    return FakeCtl(str(tmp_path))


def ask(ctl, line):
    return interactive.handle(ctl, None, line)


def take_all(ctl, n=100):
    """Every task ready (up to ``n``), each started, as the supervisor
    would."""
    taken = []
    while len(taken) < n and (got := ctl.sources.next()) is not None:
        ctl.sources.started(got[0], got[3])
        taken.append(got)
    return taken


def finish(ctl, taken, data=b''):
    for src, _, _, tag in taken:
        ctl.sources.done(src, tag, data)


def test_autoreload_source_whose_file_is_removed(ctl, tmp_path):
    """The service exited when a file source with autoreload on found its
    file gone at the next cycle; the source ends instead, and says why."""
    assert ask(ctl, 'source add name s file targets.txt outfile - cycles 3 '
               'autoreload on') == ['OK source added']
    finish(ctl, take_all(ctl, 2))     # cycle 1; cycle 2 opens the file
    cycle2 = take_all(ctl, 2)
    os.unlink(tmp_path / 'targets.txt')
    finish(ctl, cycle2)               # cycle 3 cannot open it
    assert take_all(ctl) == []
    assert ctl.sources.get('s') is None            # finished
    assert ctl.err.getvalue() == (
        "scamper: source s: cannot read targets.txt: No such file or "
        "directory\n")


def test_outfile_closed_while_a_deleted_sources_task_runs(ctl):
    """source delete, then outfile close: a task still running wrote to
    the closed descriptor some seconds later and the service died."""
    assert ask(ctl, 'outfile open name o file o.warts mode truncate') == ['OK']
    assert ask(ctl, 'source add name s file targets.txt outfile o') == [
        'OK source added']
    running = take_all(ctl)
    assert ask(ctl, "source delete s") == ["OK source 's' deleted"]
    assert ask(ctl, 'outfile close o') == ['OK']
    finish(ctl, running, warts_file.frame(0x70, b'late result'))
    assert ask(ctl, 'get pps') == ['OK pps 100']


def test_outfile_swap_under_a_running_cycle(ctl, tmp_path):
    """outfile swap - X after a source's cycle started: a KeyError at its
    next result.  The file it now writes declares the cycle first."""
    assert ask(ctl, 'outfile open name a file a.warts mode truncate') == [
        'OK']
    assert ask(ctl, 'outfile open name b file b.warts mode truncate') == [
        'OK']
    assert ask(ctl, 'source add name s file targets.txt outfile a') == [
        'OK source added']
    running = take_all(ctl)
    assert ask(ctl, 'outfile swap a b') == ['OK']
    meta = running[0][0].task_meta(running[0][3])
    finish(ctl, running, warts_file.frame(0x70, b'r'))
    assert meta['warts'] == (1, 1)
    with open(tmp_path / 'b.warts', 'rb') as f:
        types = [t for t, _, _ in warts_file.read_objects(f)]
    assert types == [warts_file.OBJ_LIST, warts_file.OBJ_CYCLE_DEF, 0x70,
                     0x70, warts_file.OBJ_CYCLE_STOP]
    with open(tmp_path / 'a.warts', 'rb') as f:      # started there
        types = [t for t, _, _ in warts_file.read_objects(f)]
    assert types == [warts_file.OBJ_LIST, warts_file.OBJ_CYCLE_START]


@pytest.mark.parametrize('path', ['/dev/full', '/dev/zero', 'fifo'])
def test_outfile_on_a_device_or_fifo_is_refused(ctl, tmp_path, path):
    """An outfile on /dev/full ended the service; on a FIFO it blocked in
    open() for ever."""
    os.mkfifo(tmp_path / 'fifo')
    for mode in ('truncate', 'append'):
        assert ask(ctl, 'outfile open name x file %s mode %s'
                   % (path, mode)) == ['ERR could not add outfile']


def test_a_write_error_is_said_once_and_the_service_goes_on(capsys):
    """A full disk (or /dev/full reached another way) while writing."""
    fd = os.open('/dev/full', os.O_WRONLY)
    out = Outfile('x', '/dev/full', fd)
    out.write(b'a' * 100)
    out.write(b'b' * 100)
    out.close()
    assert capsys.readouterr().err == (
        'scamper: outfile x (/dev/full): No space left on device: results '
        'for it are lost from now on\n')


@pytest.mark.parametrize('path', ['/dev/zero', 'fifo'])
def test_source_on_a_device_or_fifo_is_refused(ctl, tmp_path, path):
    """source add ... file /dev/zero grew the supervisor to gigabytes; a
    FIFO blocked it in read() for ever."""
    os.mkfifo(tmp_path / 'fifo')
    assert ask(ctl, 'source add name s file %s outfile -' % path) == [
        'ERR could not alloc source']


def test_a_source_file_is_read_as_it_goes(ctl, tmp_path):
    """A large list costs no memory: lines are read as tasks are taken;
    an over-long line is skipped and said."""
    with open(tmp_path / 'big.txt', 'w') as f:
        f.write('192.0.2.1\n' + 'x' * 20000 + '\n')
        for i in range(200000):
            f.write('198.18.%d.%d\n' % (i // 250, i % 250))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert ask(ctl, 'source add name s file big.txt outfile -') == [
        'OK source added']
    src = ctl.sources.get('s')
    for want in ('192.0.2.1', '198.18.0.0', '198.18.0.1'):
        got = ctl.sources.next()
        ctl.sources.started(got[0], got[3])
        assert got[2] == 'trace ' + want
    assert src.f.tell() < 1 << 16
    # the lines counted at the start (the long one among them: it is in a
    # block without blanks or comments, which is counted, not read)
    assert ask(ctl, 'source progress s')[0].endswith('done 0 known 200002')
    assert ctl.err.getvalue() == (
        'scamper: source s: big.txt:2: line longer than 8192 bytes\n')
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before \
        < 20000


def test_a_nul_in_a_path_is_refused(ctl):
    """Found by the fuzzer: outfile open or source add with a NUL in the
    file name raised ValueError out of the command, stopping the
    service."""
    assert ask(ctl, 'outfile open name x file a\0b mode truncate') == [
        'ERR could not add outfile']
    assert ask(ctl, 'source add name s file a\0b outfile -') == [
        'ERR could not alloc source']
