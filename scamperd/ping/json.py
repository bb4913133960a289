"""JSON output of a ping, byte for byte as scamper 20211212 prints it
(-O json, sc_warts2json); follows scamper/ping/scamper_ping_json.c.
The returned line has no trailing newline."""

import struct
from socket import AF_INET, AF_INET6, inet_ntop

from scamperd.ping.result import (FLAG_ICMPSUM, FLAG_PAYLOAD, FLAG_TSONLY,
                                  REPLY_FLAG_REPLY_IPID)
from scamperd.ping.text import all_replies, reply_is_icmp, stats
from scamperd.trace.json import timeval
from scamperd.trace.text import addr_str, rtt_str

# the names of the ping flags, bit 0 first
FLAG_NAMES = ('v4rr', 'spoof', 'payload', 'tsonly', 'tsandaddr', 'icmpsum',
              'dl', 'tbt', 'nosrc')

REPLY_PROTOS = {1: '"icmp"', 58: '"icmp"', 6: '"tcp"', 17: '"udp"'}


def header_json(ping):
    s = '{"type":"ping", "version":"0.4", "method":"%s"' % ping.method
    if ping.src is not None:
        s += ', "src":"%s"' % addr_str(ping.src)
    if ping.dst is not None:
        s += ', "dst":"%s"' % addr_str(ping.dst)
    if ping.rtr is not None:
        s += ', "rtr":"%s"' % addr_str(ping.rtr)
    s += ', "start":{"sec":%u,"usec":%u}' % timeval(ping.start)
    wait, wait_us = divmod(round(ping.probe_wait * 1000000), 1000000)
    s += (', "ping_sent":%u, "probe_size":%u, "userid":%u, "ttl":%u'
          ', "wait":%u' % (ping.ping_sent, ping.probe_size, ping.userid,
                           ping.probe_ttl, wait))
    if wait_us:
        s += ', "wait_us":%u' % wait_us
    s += ', "timeout":%u' % ping.probe_timeout
    is_tcp = ping.method.startswith('tcp')
    if is_tcp or ping.method.startswith('udp'):
        s += ', "sport":%u, "dport":%u' % (ping.probe_sport, ping.probe_dport)
    if is_tcp:
        s += ', "tcp_seq":%u, "tcp_ack":%u' % (ping.probe_tcpseq,
                                               ping.probe_tcpack)
    if ping.probe_data:
        key = 'payload' if ping.flags & FLAG_PAYLOAD else 'pattern'
        s += ', "%s":"%s"' % (key, ping.probe_data.hex())
    if ping.flags:
        names = [n for i, n in enumerate(FLAG_NAMES) if ping.flags & (1 << i)]
        s += ', "flags":[%s]' % ','.join('"%s"' % n for n in names)
    if ping.method.startswith('icmp') and ping.flags & FLAG_ICMPSUM:
        s += ', "icmp_csum": %u' % ping.probe_icmpsum
    if ping.probe_tsps:
        s += ', "probe_tsps":[%s]' % ','.join('"%s"' % addr_str(a)
                                              for a in ping.probe_tsps)
    return s


# the most common reply, an IPv4 ICMP one with its transmit time, in one
# format
REPLY_V4_ICMP = (
    '{"from":"%s", "seq":%u, "reply_size":%u, "reply_ttl":%u'
    ', "reply_proto":"icmp", "tx":{"sec":%u, "usec":%u}'
    ', "rx":{"sec":%u, "usec":%u}, "rtt":%d.%03d, "probe_ipid":%u'
    ', "reply_ipid":%u, "icmp_type":%u, "icmp_code":%u}')


def reply_json(ping, reply):
    addr = reply.addr
    proto = reply.reply_proto
    if (proto == 1 and len(addr) == 4 and reply.tx and reply.v4rr is None
            and reply.v4ts is None):
        tx = round(reply.tx * 1000000)
        rtt = reply.rtt
        rx = tx + rtt
        return REPLY_V4_ICMP % (
            inet_ntop(AF_INET, addr), reply.probe_id, reply.reply_size or 0,
            reply.reply_ttl or 0, tx // 1000000, tx % 1000000,
            rx // 1000000, rx % 1000000, rtt // 1000, rtt % 1000,
            reply.probe_ipid or 0, reply.reply_ipid or 0, reply.icmp_type,
            reply.icmp_code)
    s = '{"from":"%s", "seq":%u, "reply_size":%u, "reply_ttl":%u' \
        ', "reply_proto":%s' % (
            inet_ntop(AF_INET if len(addr) == 4 else AF_INET6, addr),
            reply.probe_id, reply.reply_size or 0, reply.reply_ttl or 0,
            REPLY_PROTOS.get(proto) or str(proto))
    rtt = reply.rtt
    if reply.tx:
        tx = round(reply.tx * 1000000)
        s += ', "tx":{"sec":%u, "usec":%u}, "rx":{"sec":%u, "usec":%u}' % (
            tx // 1000000, tx % 1000000, (tx + rtt) // 1000000,
            (tx + rtt) % 1000000)
    s += ', "rtt":%d.%03d' % (rtt // 1000, rtt % 1000)
    if len(addr) == 4:
        s += ', "probe_ipid":%u, "reply_ipid":%u' % (reply.probe_ipid or 0,
                                                     reply.reply_ipid or 0)
    elif reply.flags & REPLY_FLAG_REPLY_IPID:
        s += ', "reply_ipid":%u' % (reply.reply_ipid32 or 0)
    if reply_is_icmp(reply):
        s += ', "icmp_type":%u, "icmp_code":%u' % (reply.icmp_type,
                                                   reply.icmp_code)
    elif reply.reply_proto == 6:
        s += ', "tcp_flags":%u' % (reply.tcp_flags or 0)
    if reply.v4rr is not None:
        s += ', "RR":[%s]' % ','.join('"%s"' % addr_str(a)
                                      for a in reply.v4rr)
    if reply.v4ts is not None:
        if ping.flags & FLAG_TSONLY:
            s += ', "tsonly":[%s]' % ','.join('%u' % ts
                                              for _, ts in reply.v4ts)
        else:
            s += ', "tsandaddr":[%s]' % ','.join(
                '{"ip":"%s","ts":%u}' % (addr_str(a), ts)
                for a, ts in reply.v4ts)
    return s + '}'


def float32(x):
    """x rounded to a C float, as scamper computes the loss."""
    return struct.unpack('f', struct.pack('f', x))[0]


def stats_json(ping):
    answered, _, lo, avg, hi, dev = stats(ping)
    s = '"statistics":{"replies":%d' % answered
    if ping.ping_sent:
        if answered == 0:
            s += ', "loss":1'
        elif answered == ping.ping_sent:
            s += ', "loss":0'
        else:
            s += ', "loss":%.2f' % float32(
                (ping.ping_sent - answered) / ping.ping_sent)
    if answered:
        s += ', "min":%s, "max":%s, "avg":%s, "stddev":%s' % (
            rtt_str(lo), rtt_str(hi), rtt_str(avg), rtt_str(dev))
    return s + '}'


def format(ping):
    replies = ','.join(reply_json(ping, r) for r in all_replies(ping))
    return '%s, "responses":[%s],%s}' % (header_json(ping), replies,
                                        stats_json(ping))
