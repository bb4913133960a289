"""sc_wartsdump's output for an owamp, as newer scamper prints it
(dump_owamp in utils/sc_wartsdump/sc_wartsdump.c, 2026)."""

from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line, usec)
from scamperd.owamp.json import name
from scamperd.owamp.result import (DIR_NAMES, RESULT_NAMES, RX_FLAG_DSCP,
                                   RX_FLAG_TTL, SCHED_NAMES)
from scamperd.udpprobe.dump import wait_str


def since(t, start):
    """Seconds since ``start`` as scamper prints them: %u.%06u."""
    sec, us = divmod(round(t * 1000000) - round(start * 1000000), 1000000)
    return '%u.%06u' % (sec & 0xffffffff, us)


def format(ow):
    s = 'owamp'
    if ow.src is not None:
        s += ' from %s' % addr_str(ow.src)
    s += ' to %s\n' % addr_str(ow.dst) + list_cycle(ow)
    s += ' user-id: %d\n' % i32(ow.userid)
    s += timeval_line('start', ow.start) + timeval_line('startat', ow.startat)
    s += ' wait-timeout: %s, attempts: %d, dport: %d, pktsize: %d, ' \
        'dscp: %d, ttl: %d\n' % (wait_str(ow.wait_timeout), i32(ow.attempts),
                                 ow.dport, ow.pktsize, ow.dscp, ow.ttl)
    s += ' dir: %s, udp_sport: %d, udp_dport: %d\n' % (
        name(DIR_NAMES, ow.dir), ow.udp_sport, ow.udp_dport)
    if ow.hsrtt:
        s += ' hs-rtt: %d.%06d\n' % usec(ow.hsrtt)
    s += ' result: %s\n' % name(RESULT_NAMES, ow.result)
    if ow.errmsg is not None:
        s += ' errmsg: %s\n' % ow.errmsg
    if ow.scheds:
        s += ' schedc: %d\n' % len(ow.scheds)
        for i, x in enumerate(ow.scheds):
            s += '  %d: %s, value: %s\n' % (i, name(SCHED_NAMES, x.type),
                                            wait_str(x.tv))
    if ow.txs:
        s += ' txc: %d\n' % len(ow.txs)
    for i, tx in enumerate(ow.txs):
        s += '  %u: %s, seq: %u, rxc: %u' % (
            i, since(tx.stamp, ow.startat), tx.seq, len(tx.rxs))
        if tx.sched:
            s += ', sched: %s' % since(tx.sched, ow.startat)
        s += '\n'
        for rx in tx.rxs:
            s += '    %s' % since(rx.stamp, ow.startat)
            if rx.flags & RX_FLAG_TTL:
                s += ', ttl: %u' % rx.ttl
            if rx.flags & RX_FLAG_DSCP:
                s += ', dscp: %u' % rx.dscp
            s += '\n'
    return s
