"""A pure-Python client for scamper's control socket with the public
interface of scamper's own Python module (``import scamper``): a script
written for that module runs unchanged with ``import scamper_ctrl as
scamper``.  Works with ``scamper -U``/``-P`` (ours or scamper 2023+) and
scamperd.

    from scamper_ctrl import ScamperCtrl
    with ScamperCtrl(unix='/run/scamperd/scamperd.sock') as ctrl:
        ping = ctrl.do_ping('192.0.2.1', attempts=3, sync=True)
        print(ping.dst, ping.min_rtt, [r.src for r in ping.replies()])
        for dst in ('192.0.2.2', '192.0.2.3'):
            ctrl.do_trace(dst)
        for trace in ctrl.responses(timeout=60):
            print(trace.to_json())
        ctrl.done()
"""

from scamper_ctrl.ctrl import (ScamperCtrl, ScamperInst, ScamperInstError,
                               ScamperTask)
from scamper_ctrl.file import ScamperFile
from scamper_ctrl.objects import (
    ScamperAddr, ScamperCycle, ScamperDealias, ScamperHost, ScamperHttp,
    ScamperList, ScamperNeighbourdisc, ScamperOwamp, ScamperPing,
    ScamperPingReply, ScamperPingStop, ScamperSniff, ScamperSting,
    ScamperTbit, ScamperTrace, ScamperTraceHop, ScamperTraceStop,
    ScamperTracelb, ScamperUdpprobe)

__all__ = [
    'ScamperAddr', 'ScamperCtrl', 'ScamperCycle', 'ScamperDealias',
    'ScamperFile', 'ScamperHost', 'ScamperHttp', 'ScamperInst',
    'ScamperInstError', 'ScamperList', 'ScamperNeighbourdisc',
    'ScamperOwamp', 'ScamperPing', 'ScamperPingReply', 'ScamperPingStop',
    'ScamperSniff', 'ScamperSting', 'ScamperTask', 'ScamperTbit',
    'ScamperTrace', 'ScamperTraceHop', 'ScamperTraceStop', 'ScamperTracelb',
    'ScamperUdpprobe']
