"""JSON output of an MDA traceroute, byte for byte as scamper 20211212
prints it (sc_warts2json; scamper/tracelb/scamper_tracelb_json.c).  The
returned line has no trailing newline."""

import time

from scamperd.trace.text import addr_str, rtt_str
from scamperd.tracelb.result import NODE_FLAG_QTTL
from scamperd.tracelb.summary import probeset_summary


def usec(t):
    return round(t * 1000000)


def tv(t):
    return '{"sec":%u, "usec":%u}' % divmod(usec(t), 1000000)


def json_esc(s):
    return ''.join('\\' + c if c in '"\\' else c for c in s
                   if c >= ' ' or c in '"\\')


def header(t):
    s = '"type":"tracelb", "version":"0.1", "userid":%u, "method":"%s"' % (
        t.userid, t.method)
    if t.src is not None:
        s += ', "src":"%s"' % addr_str(t.src)
    s += ', "dst":"%s"' % addr_str(t.dst)
    if t.rtr is not None:
        s += ', "rtr":"%s"' % addr_str(t.rtr)
    if t.method != 'icmp-echo':
        s += ', "sport":%u, "dport":%u' % (t.sport, t.dport)
    sec, us = divmod(usec(t.start), 1000000)
    ftime = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(sec))
    s += ', "start":{"sec":%u, "usec":%u, "ftime":"%s"}' % (sec, us, ftime)
    s += ', "probe_size":%u, "firsthop":%u, "attempts":%u' % (
        t.probe_size, t.firsthop, t.attempts)
    s += ', "confidence":%u, "tos":%u, "gaplimit":%u' % (
        t.confidence, t.tos, t.gaplimit)
    s += ', "wait_timeout":%u, "wait_probe":%u' % (t.wait_timeout,
                                                   t.wait_probe * 10)
    s += ', "probec":%u, "probec_max":%u' % (t.probec, t.probec_max)
    s += ', "nodec":%u, "linkc":%u' % (len(t.nodes), len(t.links))
    return s


def reply_json(p, r):
    s = '{"rx":%s, "ttl":%u, "rtt":%s' % (tv(r.rx), r.ttl,
                                          rtt_str(usec(r.rx) - usec(p.tx)))
    if len(r.addr) == 4:
        s += ', "ipid":%u' % r.ipid
    if r.is_tcp:
        s += ', "tcp_flags":%u' % r.tcp_flags
    else:
        s += ', "icmp_type":%u, "icmp_code":%u, "icmp_q_tos":%u' % (
            r.icmp_type, r.icmp_code, r.icmp_q_tos)
        if r.is_ttl_exp_or_unreach():
            s += ', "icmp_q_ttl":%u' % r.icmp_q_ttl
    return s + '}'


def probe_json(p, addr):
    rs = [r for r in p.replies if r.addr == addr]
    s = ('{"tx":%s, "replyc":%u, "ttl":%u, "attempt":%u, "flowid":%u'
         % (tv(p.tx), len(rs), p.ttl, p.attempt, p.flowid))
    if rs:
        s += ', "replies":[' + ','.join(reply_json(p, r) for r in rs) + ']'
    return s + '}'


def summary_json(probes):
    addrs, nullc = probeset_summary(probes)
    if nullc and not addrs:
        return '{"addr":"*"}'
    parts = []
    for a in addrs:
        ps = [p for p in probes if any(r.addr == a for r in p.replies)]
        parts.append('{"addr":"%s", "probes":[' % addr_str(a)
                     + ','.join(probe_json(p, a) for p in ps) + ']}')
    s = ', '.join(parts)
    if nullc:
        s += ', {"addr":"*"}'
    return s


def to_json(to, probes, sep):
    a = to and to.addr
    return ('{"addr":"%s", "probes":[%s' % (addr_str(a), sep)
            + ','.join(probe_json(p, a) for p in probes) + ']}')


def node_json(node):
    s = '{"addr":"%s"' % addr_str(node.addr)
    if node.name is not None:
        s += ', "name":"%s"' % json_esc(node.name)
    if node.flags & NODE_FLAG_QTTL:
        s += ', "q_ttl":%u' % node.q_ttl
    s += ', "linkc":%u, "links":[' % len(node.links)
    if len(node.links) > 1:
        s += '[' + ','.join(to_json(link.to, link.sets[0], ' ')
                            for link in node.links) + ']'
    else:
        link = node.links[0]
        s += ','.join('[%s]' % summary_json(ps) for ps in link.sets[:-1])
        if len(link.sets) > 1:
            s += ','
        if link.to is not None:
            s += '[' + to_json(link.to, link.sets[-1], '') + ']'
        else:
            s += '[{"addr":"*"}]'
    return s + ']}'


def format(t):
    s = '{' + header(t)
    nodes = [node_json(n) for n in t.nodes if n.links]
    if nodes:
        s += ', "nodes":[' + ','.join(nodes) + ']'
    return s + '}'
