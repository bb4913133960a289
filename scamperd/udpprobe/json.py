"""JSON output of a udpprobe, as newer scamper prints it
(scamper/udpprobe/scamper_udpprobe_json.c, 2026)."""

from scamperd.neighbourdisc.dump import addr_str
from scamperd.udpprobe.result import FLAG_EXITFIRST, STOP_NAMES


def esc(s):
    """json_esc: quotes and backslashes escaped; stops at the first
    character that is not printable ASCII."""
    out = ''
    for ch in s:
        if not (' ' <= ch <= '~'):
            break
        out += '\\' + ch if ch in '"\\' else ch
    return out


def timeval(t):
    sec, usec = divmod(round(t * 1000000), 1000000)
    return sec & 0xffffffff, usec


def stop_str(up):
    return STOP_NAMES[up.stop] if up.stop < len(STOP_NAMES) else str(up.stop)


def reply_json(probe, r):
    rtt = divmod(round(r.rx * 1000000) - round(probe.tx * 1000000), 1000000)
    s = '{"rx":{"sec":%u, "usec":%u}' % timeval(r.rx)
    s += ', "rtt":{"sec":%u, "usec":%u}' % (rtt[0] & 0xffffffff, rtt[1])
    s += ', "len":%u' % len(r.data)
    if r.data:
        s += ', "data":"%s"' % r.data.hex()
    if r.ifname is not None:
        s += ', "ifname":"%s"' % r.ifname
    return s + '}'


def probe_json(p):
    s = '{"tx":{"sec":%u, "usec":%u}' % timeval(p.tx)
    s += ', "sport":%u, "replyc":%u, "replies":[' % (p.sport, len(p.replies))
    return s + ', '.join(reply_json(p, r) for r in p.replies) + ']}'


def format(up):
    s = '{"type":"udpprobe", "version":"0.1"'
    if up.src is not None:
        s += ', "src":"%s"' % addr_str(up.src)
    if up.dst is not None:
        s += ', "dst":"%s"' % addr_str(up.dst)
    s += ', "userid":%u' % up.userid
    s += ', "start":{"sec":%u, "usec":%u}' % timeval(up.start)
    s += ', "sport":%u, "dport":%u' % (up.sport, up.dport)
    s += ', "wait_timeout":{"sec":%u, "usec":%u}' % timeval(up.wait_timeout)
    if up.flags & FLAG_EXITFIRST:
        s += ', "flags":["exitfirst"]'
    s += ', "stop_reason":"%s"' % stop_str(up)
    if up.errmsg is not None:
        s += ',"errmsg":"%s"' % esc(up.errmsg)
    if up.data:
        s += ', "data":"%s"' % up.data.hex()
    s += ', "len":%u, "probe_count":%u, "probe_sent":%u, "stop_count":%u' % (
        len(up.data), up.probe_count, len(up.probes), up.stop_count)
    if up.list is not None and up.list.monitor is not None:
        s += ',"monitor":"%s"' % esc(up.list.monitor)
    return s + ', "probes":[%s]}' % ','.join(probe_json(p)
                                            for p in up.probes)
