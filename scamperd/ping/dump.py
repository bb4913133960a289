"""A ping as sc_wartsdump (scamper 20211212) prints it: follows dump_ping
and dump_ping_reply in utils/sc_wartsdump/sc_wartsdump.c."""

from scamperd.ping.result import (FLAG_ICMPSUM, FLAG_PAYLOAD, FLAG_SPOOF,
                                  REPLY_FLAG_PROBE_IPID,
                                  REPLY_FLAG_REPLY_IPID,
                                  REPLY_FLAG_REPLY_TTL, STOP_COMPLETED,
                                  STOP_ERROR, STOP_HALTED, STOP_NONE)
from scamperd.ping.json import FLAG_NAMES
from scamperd.ping.text import reply_is_icmp, ts_str
from scamperd.trace.text import addr_str
from scamperd.warts.dump import (offset_str, summary, tcp_flags_str,
                                 timeval_line, usec)

STOP_TEXT = {STOP_NONE: 'none', STOP_COMPLETED: 'done',
             STOP_HALTED: 'halted'}


def reply_dump(ping, r):
    s = 'reply from %s, attempt: %d' % (addr_str(r.addr), r.probe_id + 1)
    tx, start = usec(r.tx), usec(ping.start)
    if tx >= start:
        s += ', tx: ' + offset_str(tx - start)
    s += ', rtt: %s\n' % offset_str(r.rtt or 0)
    s += ' size: %d' % (r.reply_size or 0)
    if r.flags & REPLY_FLAG_REPLY_TTL:
        s += ', ttl: %d' % (r.reply_ttl or 0)
    if r.flags & REPLY_FLAG_PROBE_IPID:
        s += ', probe-ipid: 0x%04x' % (r.probe_ipid or 0)
    if r.flags & REPLY_FLAG_REPLY_IPID:
        if len(r.addr) == 4:
            s += ', reply-ipid: 0x%04x' % (r.reply_ipid or 0)
        else:
            s += ', reply-ipid32: 0x%08x' % (r.reply_ipid32 or 0)
    s += '\n'
    if reply_is_icmp(r):
        s += ' icmp type: %d, code: %d\n' % (r.icmp_type or 0,
                                             r.icmp_code or 0)
    elif r.reply_proto == 6:
        flags = r.tcp_flags or 0
        s += ' tcp flags: %02x%s\n' % (flags, tcp_flags_str(flags))
    if r.tsreply is not None:
        s += ' icmp-tsreply: tso=%s tsr=%s tst=%s\n' % tuple(
            ts_str(t) for t in r.tsreply)
    if r.v4rr is not None:
        s += ' record route:'
        for i, a in enumerate(r.v4rr):
            if i % 3 == 0 and i != 0:
                s += '\n              '
            s += ' %-15s' % addr_str(a)
        s += '\n'
    if r.v4ts is not None:
        s += ' IP timestamp option: tsc %d' % len(r.v4ts)
        if any(a is not None for a, _ in r.v4ts):
            for i, (a, ts) in enumerate(r.v4ts):
                if i % 2 == 0:
                    s += '\n  '
                else:
                    s += '    '
                s += '%-15s 0x%08x' % (addr_str(a), ts)
        else:
            for i, (_, ts) in enumerate(r.v4ts):
                if i % 3 == 0:
                    s += '\n  '
                s += ' 0x%08x' % ts
        s += '\n'
    return s


def method_str(ping):
    m = ping.method
    s = ' method: %s' % m
    if m in ('icmp-echo', 'icmp-time'):
        if ping.flags & FLAG_ICMPSUM:
            s += ', icmp-csum: %04x' % ping.probe_icmpsum
    elif m == 'tcp-ack-sport':
        s += ', base-sport: %d, dport: %d' % (ping.probe_sport,
                                              ping.probe_dport)
    elif m == 'udp-dport':
        s += ', sport: %d, base-dport %d' % (ping.probe_sport,
                                             ping.probe_dport)
    else:
        s += ', sport: %d, dport: %d' % (ping.probe_sport, ping.probe_dport)
    if m.startswith('tcp'):
        s += ', seq: %d, ack: %d' % (ping.probe_tcpseq, ping.probe_tcpack)
    return s + '\n'


def format(ping):
    s = 'ping from %s' % addr_str(ping.src)
    if ping.flags & FLAG_SPOOF:
        s += ' (spoofed)'
    s += ' to %s\n' % addr_str(ping.dst)
    s += summary(ping)
    s += ' user-id: %d\n' % ping.userid
    if ping.rtr is not None:
        s += ' rtr: %s\n' % addr_str(ping.rtr)
    s += timeval_line('start', ping.start)
    s += ' probe-count: %d' % ping.probe_count
    if ping.reply_count:
        s += ', replies-req: %d' % ping.reply_count
    s += ', size: %d' % ping.probe_size
    if ping.reply_pmtu:
        s += ', reply-pmtu: %d' % ping.reply_pmtu
    wait, wait_us = divmod(round(ping.probe_wait * 1000000), 1000000)
    s += ', wait: %d' % wait
    if wait_us:
        s += '.' + str(wait_us).rstrip('0')
    s += ', timeout: %d, ttl: %d\n' % (ping.probe_timeout, ping.probe_ttl)
    if ping.flags:
        s += ' flags: %s\n' % ', '.join(
            n for i, n in enumerate(FLAG_NAMES) if ping.flags & (1 << i))
    s += method_str(ping)
    if ping.probe_tsps:
        s += ' timestamp-prespec:%s\n' % ''.join(
            ' ' + addr_str(a) for a in ping.probe_tsps)
    if ping.probe_data:
        s += ' %s bytes (%d): %s\n' % (
            'payload' if ping.flags & FLAG_PAYLOAD else 'pattern',
            len(ping.probe_data), ping.probe_data.hex())
    s += ' probes-sent: %d, stop-reason: ' % ping.ping_sent
    if ping.stop_reason in STOP_TEXT:
        s += STOP_TEXT[ping.stop_reason]
    elif ping.stop_reason == STOP_ERROR:
        s += 'sendto errno %d' % ping.stop_data
    else:
        s += 'reason 0x%02x data 0x%02x' % (ping.stop_reason, ping.stop_data)
    s += '\n'
    for replies in ping.replies[:ping.ping_sent]:
        s += ''.join(reply_dump(ping, r) for r in replies)
    return s + '\n'
