"""JSON output of a traceroute, byte for byte as scamper 20211212 prints it
(-O json, sc_warts2json); follows scamper/trace/scamper_trace_json.c.

scamper 20211212 prints neither the PMTUD nor the last-ditch probes in
JSON.  The returned line has no trailing newline.
"""

import time
from socket import AF_INET, AF_INET6, inet_ntop

from scamperd.trace.result import (FLAG_ICMPCSUMDP, FLAG_RXERR,
                                   HOP_FLAG_TCP, HOP_FLAG_UDP, METHODS,
                                   STOP_NAMES)
from scamperd.trace.text import addr_str, hops_by_ttl

# scamper's names for the trace methods in JSON
JSON_METHODS = {
    METHODS['icmp-echo']: 'icmp-echo', METHODS['udp']: 'udp',
    METHODS['tcp']: 'tcp', METHODS['icmp-paris']: 'icmp-echo-paris',
    METHODS['udp-paris']: 'udp-paris', METHODS['tcp-ack']: 'tcp-ack',
}


def timeval(t):
    """Float epoch seconds -> (sec, usec)."""
    return divmod(round(t * 1000000), 1000000)


def icmp_objects(data):
    """The extension objects scamper keeps from RFC 4884 extension bytes
    (scamper_icmpext_parse, whose quirks are kept: it stops at an object
    that does not reach the end of the data, and skips objects shorter
    than 8 bytes).  Returns (class-num, c-type, data) tuples."""
    objs = []
    off = 4
    while off + 4 < len(data):
        dl = int.from_bytes(data[off:off + 2], 'big')
        if off + dl < len(data) or dl == 0:
            break
        if dl >= 8:
            objs.append((data[off + 2], data[off + 3],
                         data[off + 4:off + dl]))
        off += dl
    return objs


def icmpext_json(objs):
    parts = []
    for cn, ct, body in objs:
        s = '{"ie_cn":%u,"ie_ct":%u,"ie_dl":%u' % (cn, ct, len(body))
        if cn == 1 and ct == 1:
            labels = []
            for i in range(0, len(body) - 3, 4):
                b = body[i:i + 4]
                label = (b[0] << 12) + (b[1] << 4) + (b[2] >> 4)
                labels.append('{"mpls_ttl":%u,"mpls_s":%u,"mpls_exp":%u,'
                              '"mpls_label":%u}' % (b[3], b[2] & 1,
                                                    (b[2] >> 1) & 7, label))
            s += ',"mpls_labels":[%s]' % ','.join(labels)
        parts.append(s + '}')
    return ', "icmpext":[%s]' % ','.join(parts)


# the most common hop, an IPv4 ICMP time exceeded or unreachable quoting
# the probe (not a packet too big), in one format
HOP_V4_QUOTING = (
    '{"addr":"%s", "probe_ttl":%u, "probe_id":%u, "probe_size":%u'
    ', "tx":{"sec":%u, "usec":%u}, "rtt":%d.%03d, "reply_ttl":%u'
    ', "reply_tos":%u, "reply_ipid":%u, "reply_size":%u, "icmp_type":%u'
    ', "icmp_code":%u, "icmp_q_ttl":%u, "icmp_q_ipl":%u, "icmp_q_tos":%u}')


def hop_json(trace, hop, rxerr):
    """One hop's object; ``rxerr``: the trace's FLAG_RXERR bit.  Written
    for speed (warts to JSON conversion): few calls, few formats."""
    addr = hop.addr
    v4 = len(addr) == 4
    rtt = hop.rtt
    t = hop.icmp_type
    if (v4 and (t == 11 or t == 3 and hop.icmp_code != 4) and hop.tx
            and not rxerr and hop.tcp_flags is None and not hop.icmp_ext
            and not hop.flags & (HOP_FLAG_TCP | HOP_FLAG_UDP)):
        tx = round(hop.tx * 1000000)
        return HOP_V4_QUOTING % (
            inet_ntop(AF_INET, addr), hop.probe_ttl, hop.probe_id,
            hop.probe_size or 0, tx // 1000000, tx % 1000000, rtt // 1000,
            rtt % 1000, hop.reply_ttl or 0, hop.reply_tos or 0,
            hop.reply_ipid or 0, hop.reply_size or 0, t, hop.icmp_code,
            hop.icmp_q_ttl or 0, hop.icmp_q_ipl or 0, hop.icmp_q_tos or 0)
    s = '{"addr":"%s", "probe_ttl":%u, "probe_id":%u, "probe_size":%u' % (
        inet_ntop(AF_INET if v4 else AF_INET6, addr), hop.probe_ttl,
        hop.probe_id, hop.probe_size or 0)
    if hop.tx:
        s += ', "tx":{"sec":%u, "usec":%u}' % divmod(round(hop.tx * 1000000),
                                                   1000000)
    s += ', "rtt":%d.%03d, "reply_ttl":%u, "reply_tos":%u' % (
        rtt // 1000, rtt % 1000, hop.reply_ttl or 0, hop.reply_tos or 0)
    if not rxerr:
        s += ', "reply_ipid":%u, "reply_size":%u' % (hop.reply_ipid or 0,
                                                    hop.reply_size or 0)
    if hop.tcp_flags is not None or hop.flags & HOP_FLAG_TCP:
        s += ', "tcp_flags":%u' % (hop.tcp_flags or 0)
    elif t is not None and not hop.flags & HOP_FLAG_UDP:
        c = hop.icmp_code
        s += ', "icmp_type":%u, "icmp_code":%u' % (t, c)
        if v4:
            if (t == 3 or t == 11) and not rxerr:
                s += ', "icmp_q_ttl":%u, "icmp_q_ipl":%u, "icmp_q_tos":%u' % (
                    hop.icmp_q_ttl or 0, hop.icmp_q_ipl or 0,
                    hop.icmp_q_tos or 0)
            ptb = t == 3 and c == 4
        else:
            if 1 <= t <= 3 and not rxerr:
                s += ', "icmp_q_ttl":%u, "icmp_q_ipl":%u' % (
                    hop.icmp_q_ttl or 0, hop.icmp_q_ipl or 0)
            ptb = t == 2
        if ptb:
            # sic: scamper 20211212 prints the key with a colon in it
            s += ', "icmp_nhmtu:":%u' % (hop.icmp_nhmtu or 0)
    if hop.icmp_ext:
        objs = icmp_objects(hop.icmp_ext)
        if objs:
            s += icmpext_json(objs)
    return s + '}'


def header_json(trace):
    method = METHODS[trace.method]
    s = '"type":"trace","version":"0.1"'
    s += ', "userid":%u' % trace.userid
    s += ', "method":"%s"' % JSON_METHODS[method]
    if trace.src is not None:
        s += ', "src":"%s"' % addr_str(trace.src)
    s += ', "dst":"%s"' % addr_str(trace.dst)
    if trace.rtr is not None:
        s += ', "rtr":"%s"' % addr_str(trace.rtr)
    if trace.method in ('udp', 'udp-paris', 'tcp', 'tcp-ack'):
        s += ', "sport":%u, "dport":%u' % (trace.sport, trace.dport)
    elif trace.flags & FLAG_ICMPCSUMDP:
        s += ', "icmp_sum":%u' % trace.icmp_sum
    s += ', "stop_reason":"%s", "stop_data":%u' % (
        STOP_NAMES.get(trace.stop_reason, str(trace.stop_reason)),
        trace.stop_data)
    sec, usec = timeval(trace.start)
    ftime = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(sec))
    s += ', "start":{"sec":%u, "usec":%u, "ftime":"%s"}' % (sec, usec, ftime)
    s += ', "hop_count":%u, "attempts":%u, "hoplimit":%u' % (
        trace.hop_count, trace.attempts, trace.hoplimit)
    s += ', "firsthop":%u, "wait":%u, "wait_probe":%u' % (
        trace.firsthop, trace.wait, trace.wait_probe)
    s += ', "tos":%u, "probe_size":%u, "probe_count":%u' % (
        trace.tos, trace.probe_size, trace.probe_count)
    return s


def format(trace):
    rxerr = trace.flags & FLAG_RXERR
    hops = []
    for replies in hops_by_ttl(trace)[max(trace.firsthop - 1, 0):]:
        hops += [hop_json(trace, hop, rxerr) for hop in replies]
    s = '{' + header_json(trace)
    if hops:
        s += ', "hops":[%s]' % ','.join(hops)
    return s + '}'
