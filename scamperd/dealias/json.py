"""JSON output of an alias resolution, byte for byte as scamper 20211212
prints it (sc_warts2json; scamper/dealias/scamper_dealias_json.c).  The
returned line has no trailing newline."""

from scamperd.dealias.result import (NEWER_METHODS, PROBE_METHOD_NAMES,
                                     REPLY_FLAG_IPID32)
from scamperd.dealias.text import prefixhosts, result_str
from scamperd.trace.text import addr_str

FLAG_NAMES = {'ally': ('nobs',), 'radargun': ('nobs',),
              'prefixscan': ('nobs', 'csa')}


def usec(t):
    return round(t * 1000000)


def tv(t):
    return '{"sec":%u, "usec":%u}' % divmod(usec(t), 1000000)


def flags_json(flags, names):
    return ', "flags":[' + ','.join(
        '"%s"' % names[i] if i < len(names) else '%u' % (1 << i)
        for i in range(8) if flags & (1 << i)) + ']'


def header(d):
    s = '{"type":"dealias","version":"0.2","method":"%s"' % d.method
    s += ', "userid":%u, "result":"%s"' % (d.userid, result_str(d.result))
    s += ', "start":%s' % tv(d.start)
    m = d.method
    if m == 'mercator':
        s += ', "attempts":%u, "wait_timeout":%u' % (d.attempts,
                                                     d.wait_timeout)
    elif m == 'ally':
        s += ', "wait_probe":%u, "wait_timeout":%u' % (d.wait_probe,
                                                       d.wait_timeout)
        s += ', "attempts":%u, "fudge":%u' % (d.attempts, d.fudge)
    elif m == 'radargun':
        s += ', "attempts":%u, "wait_probe":%u' % (d.attempts, d.wait_probe)
        s += ', "wait_round":%u, "wait_timeout":%u' % (d.wait_round,
                                                       d.wait_timeout)
    elif m == 'prefixscan':
        s += ', "a":"%s"' % addr_str(d.a)
        s += ', "b":"%s/%u"' % (addr_str(d.b), d.prefix)
        if d.ab is not None:
            s += ', "ab":"%s/%u"' % (addr_str(d.ab),
                                     prefixhosts(d.b, d.ab) & 0xffffffff)
        if d.xs:
            s += ', "xs":[' + ', '.join('"%s"' % addr_str(a)
                                        for a in d.xs) + ']'
        s += ', "attempts":%u, "replyc":%u, "fudge":%u' % (
            d.attempts, d.replyc, d.fudge)
        s += ', "wait_probe":%u, "wait_timeout":%u' % (d.wait_probe,
                                                       d.wait_timeout)
    else:
        s += ', "wait_probe":%u, "bump_limit":%u, "attempts":%u' % (
            d.wait_probe, d.bump_limit, d.attempts)
    if m in FLAG_NAMES and d.flags:
        s += flags_json(d.flags, FLAG_NAMES[m])
    return s


def probedef_json(p):
    s = '{"id":%u, "src":"%s"' % (p.id, addr_str(p.src))
    s += ', "dst":"%s", "ttl":%u, "size":%u' % (addr_str(p.dst), p.ttl,
                                                p.size)
    s += ', "method":"%s"' % PROBE_METHOD_NAMES.get(p.method, p.method)
    if p.is_icmp:
        s += ', "icmp_id":%u, "icmp_csum":%u' % (p.icmp_id, p.icmp_csum)
    elif p.is_udp:
        s += ', "udp_sport":%u, "udp_dport":%u' % (p.sport, p.dport)
    elif p.is_tcp:
        s += ', "tcp_sport":%u, "tcp_dport":%u, "tcp_flags":%u' % (
            p.sport, p.dport, p.tcp_flags)
    if p.mtu:
        s += ', "mtu":%u' % p.mtu
    return s + '}'


def reply_json(r):
    s = '{"src":"%s", "rx":%s, "ttl":%u' % (addr_str(r.src), tv(r.rx), r.ttl)
    if len(r.src) == 4:
        s += ', "ipid": %u' % r.ipid
    elif r.flags & REPLY_FLAG_IPID32:
        s += ', "ipid": %u' % r.ipid32
    s += ', "proto":%u' % r.proto
    if r.is_icmp:
        s += ', "icmp_type":%u, "icmp_code":%u' % (r.icmp_type, r.icmp_code)
        if r.is_ttl_exp_or_unreach():
            s += ', "icmp_q_ttl":%u' % r.icmp_q_ttl
    elif r.proto == 6:
        s += ', "tcp_flags":%u' % r.tcp_flags
    return s + '}'


def probe_json(p):
    s = '{"probedef_id":%u, "seq":%u, "tx":%s' % (p.probedef.id, p.seq,
                                                  tv(p.tx))
    if len(p.probedef.dst) == 4:
        s += ', "ipid":%u' % p.ipid
    return s + ', "replies":[' + ', '.join(reply_json(r)
                                           for r in p.replies) + ']}'


def format(d):
    if d.method in NEWER_METHODS:
        return None
    return (header(d) + ', "probedefs":['
            + ', '.join(probedef_json(p) for p in d.probedefs) + ']'
            + ', "probes":[' + ', '.join(probe_json(p) for p in d.probes)
            + ']}')
