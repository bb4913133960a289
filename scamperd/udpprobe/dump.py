"""sc_wartsdump's output for a udpprobe, as newer scamper prints it
(dump_udpprobe in utils/sc_wartsdump/sc_wartsdump.c, 2026)."""

from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line)
from scamperd.udpprobe.json import stop_str


def wait_str(t):
    """dump_wait: seconds, with the microseconds' trailing zeros cut."""
    sec, usec = divmod(round(t * 1000000), 1000000)
    s = '%u' % sec
    if usec:
        s += '.' + ('%06u' % usec).rstrip('0')
    return s + 's'


def bytes_str(data):
    """At most 20 bytes in hex, then how many more."""
    s = data[:20].hex()
    if len(data) > 20:
        s += ' + %d bytes' % (len(data) - 20)
    return s


def since(t, start):
    return '%d.%06d' % divmod(round(t * 1000000) - round(start * 1000000),
                              1000000)


def format(up):
    s = 'udpprobe'
    if up.src is not None:
        s += ' from %s' % addr_str(up.src)
    s += ' to %s\n' % addr_str(up.dst) + list_cycle(up)
    s += ' user-id: %d\n' % i32(up.userid) + timeval_line('start', up.start)
    s += ' wait-timeout: %s, wait-probe: %s, sport: %d, dport: %d\n' % (
        wait_str(up.wait_timeout), wait_str(up.wait_probe), up.sport,
        up.dport)
    if up.data:
        s += ' payload: (%d) %s\n' % (len(up.data), bytes_str(up.data))
    s += ' probe-count: %d, probe-sent: %d, stop-reason: %s\n' % (
        up.probe_count, len(up.probes), stop_str(up))
    if up.errmsg is not None:
        s += ' errmsg: %s\n' % up.errmsg
    for i, p in enumerate(up.probes):
        s += '  %s probe: %d, sport: %d, replyc: %d\n' % (
            since(p.tx, up.start), i, p.sport, len(p.replies))
        for j, r in enumerate(p.replies):
            if not r.data:
                continue
            s += '  %s reply: %d' % (since(r.rx, up.start), j)
            if r.ifname is not None:
                s += ', ifname: %s' % r.ifname
            s += ', len: %d\n           %s\n' % (len(r.data),
                                                  bytes_str(r.data))
    return s
