"""sniff in the lab: our scamper and Debian's 20211212 sniff at the same
time in src of the line lab while iputils ping sends echo requests with
the ICMP id they wait for (as tests/data/sniff/make.py): replies from dst,
time exceeded from r1 quoting the request.  Both capture the same
packets, so they must keep the same bytes at nearly the same times and
stop for the same reason.  scamper reads 128 bytes of a frame: past
that, its copy of a longer packet is not the packet's (IPv6 errors), so
only the first 114 bytes of each packet are compared."""

import os
import subprocess
import tempfile
import time

import pytest

from ours import popen_ours
from scamperd.sniff.result import STOP_LIMIT_PKTC, STOP_LIMIT_TIME, Sniff
from scamperd.warts import ScamperFile

ICMPID = 4660
SNAP = 128 - 14


def result(path):
    with ScamperFile(path) as f:
        (sn,) = [o for o in f if isinstance(o, Sniff)]
    return sn


def sniff_both(lab, cmd, pings, tmp):
    paths = [os.path.join(tmp, n) for n in ('ours.warts', 'theirs.warts')]
    procs = [popen_ours(lab, '-O', 'warts', '-o', paths[0], '-I', cmd),
             subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'),
                               '/usr/bin/scamper', '-O', 'warts', '-o',
                               paths[1], '-I', cmd])]
    try:
        time.sleep(2.5)      # both listening before the first ping
        for argv in pings:
            lab.run(['ping', '-c', '2', '-i', '0.2', '-e', str(ICMPID), *argv],
                    capture_output=True)
        assert [p.wait(timeout=60) for p in procs] == [0, 0]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    # Debian's sc_wartsdump reads our file as we print it
    mine = result(paths[0])
    out = subprocess.run(['/usr/bin/sc_wartsdump', paths[0]],
                         capture_output=True, text=True, check=True).stdout
    assert mine.to_dump() in out
    return mine, result(paths[1])


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        yield d


def check_same(mine, theirs):
    for k in ('src', 'userid', 'limit_pktc', 'limit_time', 'icmpid',
              'stop_reason'):
        assert getattr(mine, k) == getattr(theirs, k), k
    assert [len(p.data) for p in mine.pkts] == \
        [len(p.data) for p in theirs.pkts]
    assert [p.data[:SNAP] for p in mine.pkts] == \
        [p.data[:SNAP] for p in theirs.pkts]
    for a, b in zip(mine.pkts, theirs.pkts):
        assert abs(a.tv - b.tv) < 0.01
    if mine.pkts:
        assert mine.start <= mine.pkts[0].tv
    assert mine.finish >= mine.start


@pytest.mark.parametrize('v', (4, 6))
def test_same_packets_as_scamper(lab_line, v, tmp):
    lab = lab_line
    src, dst = (lab.src4, lab.target4) if v == 4 else (lab.src6, lab.target6)
    flag = ['-4'] if v == 4 else ['-6']
    mine, theirs = sniff_both(
        lab, 'sniff -c 4 -G 10 -U 3 -S %s icmp[icmpid] == %d'
        % (src, ICMPID), [[*flag, dst], [*flag, '-t', '1', dst]], tmp)
    check_same(mine, theirs)
    assert mine.stop_reason == STOP_LIMIT_PKTC and len(mine.pkts) == 4
    # echo replies from dst, then time exceeded from r1
    types = [p.data[20 if v == 4 else 40] for p in mine.pkts]
    assert types == ([0, 0, 11, 11] if v == 4 else [129, 129, 3, 3])
    assert mine.finish - mine.pkts[-1].tv < 0.1


def test_time_limit_as_scamper(lab_line, tmp):
    lab = lab_line
    mine, theirs = sniff_both(
        lab, 'sniff -c 4 -G 3 -S %s icmp[icmpid] == %d'
        % (lab.src4, ICMPID + 1), [[lab.target4]], tmp)
    check_same(mine, theirs)
    assert mine.stop_reason == STOP_LIMIT_TIME and mine.pkts == []
    assert 2.99 < mine.finish - mine.start < 3.1


def test_no_interface_with_the_address(lab_line, tmp):
    mine, theirs = sniff_both(
        lab_line, 'sniff -G 3 -S 192.0.2.77 icmp[icmpid] == 1', [], tmp)
    check_same(mine, theirs)
    assert mine.stop_reason == theirs.stop_reason == 1     # error
