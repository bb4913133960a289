"""Files opened for others (issue 13, items 1, 2 and 5): what root opens
from the command line (scamper_cli/openfile.py), scamperd's kept output,
client outfiles (scamperd/safeopen.py), and the bounded check of a warts
file appended to (warts/file.py skim)."""

import errno
import os
import pathlib
import pwd
import shutil
import stat
import struct
import tempfile

import pytest

from scamper_cli import openfile
from scamperd.control.server import Control
from scamperd.listcycle import Cycle, ScamperList
from scamperd.sources import Outfile
from scamperd.warts import file as warts_file

NOBODY = pwd.getpwnam('nobody')


@pytest.fixture
def shared():
    """A directory of the service user's, as /var/lib/scamperd."""
    d = tempfile.mkdtemp(prefix='sc-openfile-')
    os.chown(d, NOBODY.pw_uid, NOBODY.pw_gid)
    yield pathlib.Path(d)
    shutil.rmtree(d)


def nobodys(path, data):
    path.write_bytes(data)
    os.chown(path, NOBODY.pw_uid, NOBODY.pw_gid)


def root_file(d):
    secret = d / 'secret'
    secret.write_bytes(b'root data\n')
    os.chmod(secret, 0o600)
    return secret


def test_root_does_not_follow_a_planted_symlink(shared):
    """The repro: a link planted where root writes its output made root
    truncate and overwrite the file it points to."""
    secret = root_file(shared)
    (shared / 'out.warts').symlink_to(secret)
    with pytest.raises(OSError) as e:
        openfile.open_out(str(shared / 'out.warts'))
    assert e.value.errno == errno.ELOOP
    assert e.value.strerror == 'a symbolic link: name the file itself'
    assert secret.read_bytes() == b'root data\n'


def test_root_opens_no_fifo_and_does_not_block(shared):
    fifo = shared / 'out.warts'
    os.mkfifo(fifo)
    with pytest.raises(OSError) as e:       # nobody reads it
        openfile.open_out(str(fifo))
    assert e.value.strerror == 'not a regular file'
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:                                     # somebody reads it
        with pytest.raises(OSError) as e:
            openfile.open_out(str(fifo))
        assert e.value.strerror == 'not a regular file'
    finally:
        os.close(reader)


def test_root_output_regular_truncated_device_allowed(shared):
    out = shared / 'out.txt'
    out.write_bytes(b'old results')
    fd = openfile.open_out(str(out))
    os.write(fd, b'new')
    os.close(fd)
    assert out.read_bytes() == b'new'
    fd = openfile.open_out(str(out), append=True)   # -O debugfileappend
    os.write(fd, b'+more')
    os.close(fd)
    assert out.read_bytes() == b'new+more'
    fd = openfile.open_out('/dev/null')
    assert stat.S_ISCHR(os.fstat(fd).st_mode)
    os.close(fd)


def _cycle(n):
    return Cycle(id=n, list=ScamperList(id=1, name='default', descr='d',
                                        monitor='vp'), start=1700000000 + n,
                 hostname='h')


def _warts_with_a_cycle(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    out = Outfile('o', str(path), fd)
    out.cycle_start(_cycle(1))
    out.close()
    os.chown(path, NOBODY.pw_uid, NOBODY.pw_gid)


def test_kept_output_appends_as_the_service_user(shared):
    """scamperd never truncates: its warts ids go on after the file's."""
    path = shared / 'scamperd.warts'
    _warts_with_a_cycle(path)
    before = path.read_bytes()
    fd, (lists, cycles), note = openfile.open_kept(str(path), 'warts',
                                                   'nobody')
    assert note is None and len(lists) == 1 and len(cycles) == 1
    out = Outfile('-', str(path), fd, written=(lists, cycles))
    out.cycle_start(_cycle(2))         # a new cycle: id 2, the list again
    out.close()
    data = path.read_bytes()
    assert data.startswith(before)
    ids = [(t, o.id) for t, _, o in warts_file.read_objects(
        open(path, 'rb')) if t == warts_file.OBJ_CYCLE_START]
    assert len(ids) == 2
    # a new file is made by the service user, not root
    fd, _, _ = openfile.open_kept(str(shared / 'new.json'), 'json', 'nobody')
    os.close(fd)
    assert os.stat(shared / 'new.json').st_uid == NOBODY.pw_uid


def test_kept_output_opened_with_the_service_users_rights(shared):
    d = shared / 'rootonly'
    d.mkdir(mode=0o755)
    with pytest.raises(PermissionError):
        openfile.open_kept(str(d / 'scamperd.warts'), 'warts', 'nobody')
    assert os.geteuid() == 0 and os.getegid() == 0   # rights given back


def test_kept_output_refuses_a_planted_symlink(shared):
    secret = root_file(shared)
    (shared / 'scamperd.warts').symlink_to(secret)
    with pytest.raises(OSError) as e:
        openfile.open_kept(str(shared / 'scamperd.warts'), 'warts', 'nobody')
    assert e.value.errno == errno.ELOOP
    assert secret.read_bytes() == b'root data\n'


@pytest.mark.parametrize('fmt,data,why', [
    ('warts.gz', b'\x1f\x8b\x08\x00compressed', 'it is compressed'),
    ('warts', b'\x12\x05\x00\x01\x00\x00\x00\x50short',
     'it is not whole warts (offset 0: truncated object (type 1, 5 of 80 '
     'bytes))'),
])
def test_kept_output_started_anew_when_it_cannot_go_on(shared, fmt, data,
                                                       why):
    """A compressed file (scamper reads one stream per file) or a damaged
    one is kept under a new name, never truncated."""
    path = shared / ('scamperd.' + fmt)
    nobodys(path, data)
    fd, written, note = openfile.open_kept(str(path), fmt, 'nobody')
    os.close(fd)
    assert written == ((), ())
    kept = [p for p in os.listdir(shared) if p != path.name]
    assert len(kept) == 1 and kept[0].startswith('scamperd.2')
    assert kept[0].endswith('.' + fmt)
    assert (shared / kept[0]).read_bytes() == data
    assert path.read_bytes() == b''
    assert note == '%s kept as %s: %s' % (path, shared / kept[0], why)


def test_client_outfile_refuses_fifo_and_device(shared):
    """outfile open on a FIFO blocked the whole service in open()."""
    fifo = shared / 'f'
    os.mkfifo(fifo)
    for path in (str(fifo), '/dev/full', '/dev/zero'):
        for append in (False, True):
            with pytest.raises(OSError) as e:
                Control.open_outfile(path, append)
            assert e.value.strerror == 'not a regular file'


def test_append_check_skims_a_file_declaring_a_huge_object(shared):
    """A sparse file declaring a 4 GB object made the supervisor read it
    whole; skim() seeks over what it does not need and refuses an object
    it needs that is too large, reading neither."""
    path = shared / 'big.warts'
    with open(path, 'wb') as f:
        f.write(struct.pack('>HHI', 0x1205, warts_file.OBJ_TRACE, 0xfffffff0))
        f.truncate(8 + 0xfffffff0)
    with open(path, 'rb') as f:
        assert Outfile.written(f) == ([], [])
    with open(path, 'r+b') as f:
        f.write(struct.pack('>HHI', 0x1205, warts_file.OBJ_LIST, 0xfffffff0))
    with open(path, 'rb') as f:
        with pytest.raises(warts_file.WartsError) as e:
            Outfile.written(f)
    assert 'too large' in str(e.value)
    with open(path, 'r+b') as f:          # declares more than the file has
        f.truncate(100)
    with open(path, 'rb') as f:
        with pytest.raises(warts_file.WartsError) as e:
            Outfile.written(f)
    assert 'truncated object (type 1, 92 of 4294967280 bytes)' in str(e.value)


def test_kept_output_of_root_from_an_older_scamperd(shared):
    """An older scamperd wrote its output as root: the service user cannot
    append to it, so it is kept aside and a new one started."""
    path = shared / 'scamperd.warts'
    path.write_bytes(b'old')
    os.chmod(path, 0o640)
    fd, written, note = openfile.open_kept(str(path), 'warts', 'nobody')
    os.close(fd)
    kept = [p for p in os.listdir(shared) if p != path.name]
    assert note == "%s kept as %s: it is root's" % (path, shared / kept[0])
    assert (shared / kept[0]).read_bytes() == b'old'
    assert os.stat(path).st_uid == NOBODY.pw_uid
