"""A user's script for scamper's Python module, run against a daemon:

    python ctrl_script.py MODULE (unix PATH | inet PORT) TARGET

MODULE is `scamper_ctrl` (ours) or `scamper` (PyPI's); the script is the
same for both.  It checks a synchronous ping and trace, 40 asynchronous
pings collected with responses(), halt and done, printing one line per
step and `ALL OK` at the end; a failed check raises."""

import datetime
import importlib
import json
import sys


def run(scamper, where, target):
    calls = {'more': 0, 'eof': 0}

    def more(ctrl, inst, param):
        param['more'] += 1

    def eof(ctrl, inst, param):
        param['eof'] += 1

    ctrl = scamper.ScamperCtrl(morecb=more, eofcb=eof, param=calls)
    if where[0] == 'unix':
        inst = ctrl.add_unix(where[1])
    else:
        inst = ctrl.add_inet(int(where[1]))
    assert ctrl.instances() == [inst]

    ping = ctrl.do_ping(target, attempts=2, sync=True)
    assert isinstance(ping, scamper.ScamperPing), ping
    assert str(ping.dst) == target and ping.nreplies == 2, ping.to_json()
    assert ping.stop_reason == scamper.ScamperPingStop.Completed
    replies = list(ping.replies())
    assert len(replies) == 2 and all(r.is_from_target() for r in replies)
    assert isinstance(ping.min_rtt, datetime.timedelta)
    assert json.loads(ping.to_json())['type'] == 'ping'
    print('sync ping ok', ping.min_rtt)

    trace = ctrl.do_trace(target, attempts=1, sync=True)
    assert isinstance(trace, scamper.ScamperTrace), trace
    assert trace.stop_reason == scamper.ScamperTraceStop.Completed
    hops = list(trace.hops())
    assert hops and str(hops[-1].src) == target, trace.to_json()
    assert json.loads(trace.to_json())['dst'] == target
    print('sync trace ok', [str(h.src) if h else None for h in hops])

    tasks = [ctrl.do_ping(target, attempts=1, userid=i) for i in range(40)]
    assert ctrl.taskc == 40 and len(set(tasks)) == 40
    got = list(ctrl.responses(timeout=120))
    assert sorted(p.userid for p in got) == list(range(40)), \
        sorted(p.userid for p in got)
    assert all(p.nreplies == 1 for p in got) and ctrl.taskc == 0
    print('40 async pings ok')

    task = ctrl.do_ping(target, attempts=60, wait_probe=1, userid=99)
    assert ctrl.poll(timeout=1.5) is None      # still running
    task.halt()
    got = list(ctrl.responses(timeout=60))
    assert len(got) == 1 and got[0].userid == 99, got
    assert got[0].stop_reason == scamper.ScamperPingStop.Halted
    assert 1 <= got[0].probe_count < 60
    print('halt ok', got[0].probe_count)

    assert calls['more'] >= 1
    ctrl.done()
    assert ctrl.poll(timeout=60) is None
    assert ctrl.is_done() and calls['eof'] == 1 and inst.is_eof()
    print('done ok')
    print('ALL OK')


def main(argv):
    scamper = importlib.import_module(argv[0])
    run(scamper, argv[1:3], argv[3])


if __name__ == '__main__':
    main(sys.argv[1:])
