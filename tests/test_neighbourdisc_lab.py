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
    # the times are ours: probes -w apart, answers within it
    for a, b in zip(mine.probes, mine.probes[1:]):
        assert mine.wait / 1000 <= b.tx - a.tx < mine.wait / 1000 + 0.05
    for p in mine.probes:
        for r in p.replies:
            assert 0 < r.rx - p.tx < 0.05
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
