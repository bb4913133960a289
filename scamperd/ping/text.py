"""Text output of a ping, as scamper 20211212 prints it (-O text,
sc_warts2text); follows scamper/ping/scamper_ping_text.c."""

import math

from scamperd.trace.text import addr_str, rtt_str

TH_SYN, TH_RST, TH_ACK, TH_ECE = 0x02, 0x04, 0x10, 0x40


def reply_is_icmp(reply):
    return reply.reply_proto == (1 if len(reply.addr) == 4 else 58)


def all_replies(ping):
    """Every reply, in scamper's order: by probe, then order of arrival."""
    return [r for replies in ping.replies[:ping.ping_sent] for r in replies]


def stats(ping):
    """scamper_ping_stats: (probes answered, duplicates, min, avg, max,
    stddev), RTTs in microseconds truncated as scamper truncates them."""
    answered = sum(1 for replies in ping.replies[:ping.ping_sent] if replies)
    rtts = [r.rtt for r in all_replies(ping)]
    if not rtts:
        return answered, 0, 0, 0, 0, 0
    n = len(rtts)
    total = 0.0
    for rtt in rtts:
        total += rtt
    mean = total / n
    sq = 0.0
    for rtt in rtts:
        sq += (rtt - mean) * (rtt - mean)
    return (answered, n - answered, min(rtts), int(mean), max(rtts),
            int(math.sqrt(sq / n)))


def int32(v):
    """A uint32 as C's %d prints it."""
    return v - (1 << 32) if v & 0x80000000 else v


def ts_str(ms):
    """Milliseconds since midnight as hh:mm:ss.mmm."""
    ss, msec = divmod(ms, 1000)
    hh, ss = divmod(ss, 3600)
    mm, ss = divmod(ss, 60)
    return '%02d:%02d:%02d.%03d' % (hh, mm, ss, msec)


def tcp_str(flags):
    if flags & TH_RST:
        return 'closed'
    if flags & (TH_SYN | TH_ACK) == TH_SYN | TH_ACK:
        return 'open,ecn' if flags & TH_ECE else 'open'
    # sic: scamper's format is "%0x02x", the flags in hex then "02x"
    return '%x02x' % flags


def reply_text(reply):
    rtt = rtt_str(reply.rtt)
    s = '%d bytes from %s, seq=%d ' % (reply.reply_size or 0,
                                       addr_str(reply.addr), reply.probe_id)
    if reply_is_icmp(reply) or reply.reply_proto == 17:
        s += 'ttl=%d time=%s ms' % (reply.reply_ttl or 0, rtt)
    if reply_is_icmp(reply) and reply.tsreply is not None:
        s += ' tso=%s tsr=%s tst=%s' % tuple(ts_str(t)
                                             for t in reply.tsreply)
    elif reply.reply_proto == 6:
        s += 'tcp=%s ttl=%d time=%s ms' % (tcp_str(reply.tcp_flags or 0),
                                           reply.reply_ttl or 0, rtt)
    s += '\n'
    if reply.v4rr is not None:
        s += ''.join('%s%s\n' % (' RR: ' if i == 0 else '     ', addr_str(a))
                     for i, a in enumerate(reply.v4rr))
    if reply.v4ts:
        for i, (addr, ts) in enumerate(reply.v4ts):
            s += ' TS: ' if i == 0 else '     '
            if addr is not None:
                s += '%-15s ' % addr_str(addr)
            s += '%d\n' % int32(ts)
    return s


def stats_text(ping):
    answered, dups, lo, avg, hi, dev = stats(ping)
    loss = 0
    if ping.ping_sent:
        loss = (ping.ping_sent - answered) * 100 // ping.ping_sent
    s = '--- %s ping statistics ---\n' % addr_str(ping.dst)
    s += '%d packets transmitted, %d packets received, ' % (ping.ping_sent,
                                                           answered)
    if dups:
        s += '+%d duplicates, ' % dups
    s += '%d%% packet loss\n' % loss
    if answered:
        s += 'round-trip min/avg/max/stddev = %s/%s/%s/%s ms\n' % (
            rtt_str(lo), rtt_str(avg), rtt_str(hi), rtt_str(dev))
    return s


def format(ping):
    s = 'ping %s to %s: %d byte packets\n' % (
        addr_str(ping.src), addr_str(ping.dst), ping.probe_size)
    s += ''.join(reply_text(r) for r in all_replies(ping))
    return s + stats_text(ping)
