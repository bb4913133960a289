"""neighbourdisc in the lab: our scamper against Debian's 20211212, the
same commands in src of the line lab (those of
tests/data/neighbourdisc/make.py and a few more), each writing warts.  Both
files are read back and printed as sc_wartsdump prints them, with the
measured times masked; our file is also read by Debian's sc_wartsdump.
src's interface r1 is 192.0.2.1 / 2001:db8:1::1; r1 is .2 / ::2."""

import os
import re
import subprocess
import tempfile

import pytest

from ours import ours
from scamperd.neighbourdisc.result import Neighbourdisc
from scamperd.warts import ScamperFile

CASES = (
    'neighbourdisc -i r1 192.0.2.2',
    'neighbourdisc -i r1 -q 2 -w 100 -Q 192.0.2.2',
    'neighbourdisc -i r1 -q 3 -w 100 -F -o 1 192.0.2.2',
    'neighbourdisc -i r1 -q 2 -w 100 192.0.2.99',
    'neighbourdisc -i r1 -q 3 -w 100 -Q -o 3 192.0.2.2',
    'neighbourdisc -i r1 -w 200 2001:db8:1::2',
    'neighbourdisc -i r1 -q 2 -w 100 -Q -S 2001:db8:1::1 2001:db8:1::2',
    'neighbourdisc -i r1 -q 2 -w 100 2001:db8:1::99',
    'neighbourdisc -i lo -q 2 -w 100 192.0.2.2',
)
TIMES = [(re.compile(r'(time|start:) .*'), r'\1 T'),
         (re.compile(r'(tx|rtt): [0-9.]+'), r'\1: T')]


def masked(dump):
    for pat, rep in TIMES:
        dump = pat.sub(rep, dump)
    return dump


def results(path):
    with ScamperFile(path) as f:
        objs = [o for o in f if isinstance(o, Neighbourdisc)]
    assert len(objs) == 1
    return objs[0]


def run_both(lab, real, cmd, tmp):
    mine_path = os.path.join(tmp, 'ours.warts')
    theirs_path = os.path.join(tmp, 'theirs.warts')
    real.run(lab, '-O', 'warts', '-o', theirs_path, '-I', cmd)
    ours(lab, '-O', 'warts', '-o', mine_path, '-I', cmd)
    return results(mine_path), results(theirs_path), mine_path


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        yield d


@pytest.mark.parametrize('cmd', CASES)
def test_same_result_as_scamper(lab_line, real_scamper, cmd, tmp):
    mine, theirs, path = run_both(lab_line, real_scamper, cmd, tmp)
    assert masked(mine.to_dump()) == masked(theirs.to_dump())
    # Debian's sc_wartsdump reads our file as we print it
    out = subprocess.run(['/usr/bin/sc_wartsdump', path], capture_output=True,
                         text=True, check=True).stdout
    assert mine.to_dump() in out
    # the times are ours: probes -w apart (never sooner; later only by
    # what a loaded machine delays a timer), answers within it
    wait = mine.wait / 1000
    for a, b in zip(mine.probes, mine.probes[1:]):
        assert wait <= b.tx - a.tx < wait + 0.25
    for p in mine.probes:
        for r in p.replies:
            assert 0 < r.rx - p.tx < wait
    if mine.probes:
        assert mine.start <= mine.probes[0].tx


def test_answered_where_expected(lab_line, real_scamper, tmp):
    """The cases above compare something: the neighbour's MAC is found."""
    mine, theirs, _ = run_both(lab_line, real_scamper, CASES[1], tmp)
    assert mine.dst_mac is not None and mine.dst_mac == theirs.dst_mac
    assert [len(p.replies) for p in mine.probes] == [1, 1]


def test_json_and_text_are_empty_as_scamper(lab_line, real_scamper):
    cmd = CASES[0]
    assert ours(lab_line, '-O', 'text', '-I', cmd).stdout == ''
    theirs = real_scamper.json(lab_line, '-I', cmd)
    mine = [line for line in ours(lab_line, '-O', 'json', '-I', cmd)
            .stdout.splitlines()]
    assert [o['type'] for o in theirs] == ['cycle-start', 'cycle-stop']
    assert len(mine) == 2 and 'cycle-start' in mine[0] \
        and 'cycle-stop' in mine[1]


CAPTURE = '''
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(('r1', 3))
s.settimeout(0.2)
print('ready', flush=True)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING and (data[12:14] == b'\\x08\\x06'
                                             or data[54:55] == b'\\x87'):
        print(data.hex(), flush=True)
'''


def sent_frames(lab, run):
    """The ARP requests and neighbour solicitations src sends on r1 while
    ``run()`` runs, but the kernel's."""
    p = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'), 'python3',
                          '-c', CAPTURE, '4'], stdout=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline() == 'ready\n'
        run()
        out, _ = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    frames = [bytes.fromhex(x) for x in out.split()]
    # the kernel's own: unicast reachability probes, or from a link-local
    # address
    return [f for f in frames if f[0] in (0xff, 0x33) and (
        f[12:14] == b'\x08\x06' or f[22:24] != b'\xfe\x80')]


@pytest.mark.parametrize('cmd', (CASES[0], CASES[5]))
def test_frames_are_scampers(lab_line, real_scamper, cmd, tmp):
    """The frames we send are those Debian's scamper sends, byte for
    byte (the kernel's own neighbour discovery aside)."""
    lab = lab_line
    theirs = sent_frames(lab, lambda: real_scamper.run(lab, '-I', cmd))
    mine = sent_frames(lab, lambda: ours(lab, '-I', cmd))
    assert len(mine) == 1 and mine == theirs
    assert len(mine[0]) == (42 if ':' not in cmd else 86)
