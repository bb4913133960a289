"""The scamper command line in the lab: inputs, output files, cycle
records, the window, and stopping."""

import json
import os
import signal
import time

from ours import ours, ours_json, popen_ours


def test_list_file_bad_lines_are_reported_and_the_rest_runs(lab_line,
                                                             tmp_path):
    lst = tmp_path / 'list.txt'
    lst.write_bytes(b'# a comment\n\n203.0.113.11\nbad\n999.1.1.1\n'
                    b'\xff\xfe\n' + b'9' * 10000 + b'\n'
                    b'  2001:db8:203::11  \n')
    p = ours(lab_line, '-O', 'json', '-c', 'ping -c 1', '-f', str(lst))
    dsts = [json.loads(line)['dst'] for line in p.stdout.splitlines()
            if '"type":"ping"' in line]
    assert sorted(dsts) == ['2001:db8:203::11', '203.0.113.11']
    err = p.stderr.splitlines()
    assert len(err) == 4, err
    for n, line in zip((4, 5, 6, 7), err):
        assert line.startswith('scamper: %s:%d: ' % (lst, n)), line
    assert 'bad' in err[0] and '999.1.1.1' in err[1]
    assert 'not text' in err[2] and 'longer than' in err[3]


def test_command_file(lab_line, tmp_path):
    cmds = tmp_path / 'cmds.txt'
    cmds.write_text('ping -c 1 203.0.113.12\ntrace -P bogus 203.0.113.12\n'
                    'trace -P icmp-paris 2001:db8:203::12\n')
    p = ours(lab_line, '-O', 'json', '-O', 'cmdfile', '-f', str(cmds))
    types = sorted(json.loads(line)['type'] for line in p.stdout.splitlines())
    assert types == ['cycle-start', 'cycle-stop', 'ping', 'trace']
    assert p.stderr.startswith('scamper: %s:2: ' % cmds)
    assert 'bogus' in p.stderr


def test_files_are_opened_before_dropping_root(lab_line, tmp_path):
    private = tmp_path / 'private'
    private.mkdir(mode=0o700)
    out, pid, dbg = (private / n for n in ('out.txt', 'scamper.pid',
                                           'debug.txt'))
    p = ours(lab_line, '-o', str(out), '-e', str(pid), '-d', str(dbg),
             '-c', 'ping -c 1', '-i', lab_line.target4)
    assert p.stdout == ''
    assert out.read_text().startswith('ping %s to %s: 84 byte packets\n'
                                      % (lab_line.src4, lab_line.target4))
    assert int(pid.read_text()) > 0
    assert 'scamper started' in dbg.read_text()
    os.chmod(out, 0o600)
    st = os.stat(out)
    assert st.st_uid == 0            # created by the helper, as root


def test_cycle_records_as_scamper(lab_line, real_scamper):
    args = ('-l', 'mylist', '-L', '7', '-C', '42', '-M', 'mon.example',
            '-c', 'ping -c 1', '-i', lab_line.target4)
    mine = ours_json(lab_line, *args)
    theirs = real_scamper.json(lab_line, *args)
    assert [o['type'] for o in mine] == [o['type'] for o in theirs] == \
        ['cycle-start', 'ping', 'cycle-stop']
    for a, b in ((mine[0], theirs[0]), (mine[-1], theirs[-1])):
        assert list(a) == list(b)
        for k in a:
            if not k.endswith('_time'):
                assert a[k] == b[k], k
    assert mine[0]['list_name'] == 'mylist' and mine[0]['id'] == 42


def test_window_limits_tasks_in_progress(lab_line):
    targets = ['203.0.113.%d' % i for i in (30, 31, 32)]
    one = ours_json(lab_line, '-w', '1', '-c', 'ping -c 2 -i 0.1', '-i',
                    *targets)
    starts = sorted(o['start']['sec'] + o['start']['usec'] / 1e6
                    for o in one if o['type'] == 'ping')
    # each ping waits one second (-W) after its last probe before it ends
    assert all(b - a >= 1.0 for a, b in zip(starts, starts[1:])), starts
    many = ours_json(lab_line, '-c', 'ping -c 2 -i 0.1', '-i', *targets)
    starts = sorted(o['start']['sec'] + o['start']['usec'] / 1e6
                    for o in many if o['type'] == 'ping')
    assert starts[-1] - starts[0] < 1.0, starts


def test_sigterm_writes_what_was_measured_and_the_cycle_stop(lab_line):
    p = popen_ours(lab_line, '-O', 'json', '-c', 'ping -c 30 -i 0.2', '-i',
                   '203.0.113.40', '203.0.113.41', stdout=-1, stderr=-1,
                   text=True)
    time.sleep(1.5)
    os.kill(p.pid, signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    # cut short: said, and not 0 (it was 0 without a word)
    assert p.returncode == 1, err
    assert err == 'scamper: stopped by SIGTERM: 2 tasks halted part-way\n'
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o['type'] for o in objs] == ['cycle-start', 'ping', 'ping',
                                         'cycle-stop']
    for o in objs[1:3]:              # halted part-way, not lost
        assert 3 <= o['ping_sent'] < 30
        assert len(o['responses']) >= o['ping_sent'] - 1


def test_doubletree_stop_set_on_the_second_worker(lab_line, real_scamper):
    # the stop set 'x' lives in worker 1 of 2 (crc32 % 2): its traces used
    # to wait forever for a worker that was never asked (a bug once)
    args = ('-w', '1', '-c', 'trace -q 1 -f 2 -Z x', '-i', '203.0.113.50',
            '203.0.113.51')
    mine = ours_json(lab_line, *args, env={'SCAMPER_WORKERS': '2'},
                     timeout=60)
    theirs = real_scamper.json(lab_line, *args)

    def hops(objs):
        return [sorted((h['probe_ttl'], h['addr']) for h in o['hops'])
                for o in objs if o['type'] == 'trace']
    assert len(hops(mine)) == 2
    assert hops(mine) == hops(theirs)
