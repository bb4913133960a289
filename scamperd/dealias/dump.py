"""sc_wartsdump's layout for an alias resolution (dump_dealias in
utils/sc_wartsdump/sc_wartsdump.c of scamper 20211212)."""

from scamperd.dealias.result import (ALLY_FLAG_NOBS, NEWER_METHODS,
                                     PREFIXSCAN_FLAG_CSA,
                                     PREFIXSCAN_FLAG_NOBS, REPLY_FLAG_IPID32)
from scamperd.dealias.text import prefixhosts, result_str
from scamperd.trace.text import addr_str
from scamperd.warts.dump import summary, tcp_flags_str, timeval_line, usec

UDP_NAMES = {3: 'udp', 5: 'udp-dport'}
TCP_NAMES = {2: 'tcp-ack', 4: 'tcp-ack-sport', 6: 'tcp-syn-sport'}


def probedef_dump(p):
    s = ' probedef %d: dst: %s, ttl: %d, tos: 0x%02x\n  src: %s' % (
        p.id, addr_str(p.dst), p.ttl, p.tos, addr_str(p.src))
    if p.size:
        s += ', size: %d' % p.size
    if p.mtu:
        s += ', mtu: %d' % p.mtu
    s += '\n'
    if p.is_icmp:
        return s + '  icmp-echo csum: %04x, id: %04x\n' % (p.icmp_csum,
                                                           p.icmp_id)
    if p.is_udp:
        return s + '  %s %d:%d\n' % (UDP_NAMES[p.method], p.sport, p.dport)
    if p.is_tcp:
        return s + '  %s %d:%d %s\n' % (TCP_NAMES[p.method], p.sport,
                                        p.dport, tcp_flags_str(p.tcp_flags))
    return s + '%d\n' % p.method


def method_dump(d):
    m = d.method
    if m == 'mercator':
        s = 'mercator, attempts: %d, timeout: %ds\n' % (d.attempts,
                                                        d.wait_timeout)
    elif m == 'ally':
        s = ('ally, attempts: %d, fudge: %d, wait-probe: %dms, '
             'wait-timeout: %ds' % (d.attempts, d.fudge, d.wait_probe,
                                    d.wait_timeout))
        s += ', nobs\n' if d.flags & ALLY_FLAG_NOBS else '\n'
    elif m == 'bump':
        s = 'bump, attempts: %d, wait-probe: %dms, bump-limit: %d\n' % (
            d.attempts, d.wait_probe, d.bump_limit)
    elif m == 'radargun':
        s = ('radargun, wait-probe: %dms, wait-round: %dms\n'
             '  wait-timeout: %ds, attempts: %d, probedefc: %d\n' % (
                 d.wait_probe, d.wait_round, d.wait_timeout, d.attempts,
                 len(d.probedefs)))
        if d.flags:
            s += '  flags: ' + ', '.join(
                'shuffle' if i == 0 else '0x%02x' % (1 << i)
                for i in range(8) if d.flags & (1 << i)) + '\n'
    else:
        s = 'prefixscan, %s:%s/%d' % (addr_str(d.a), addr_str(d.b), d.prefix)
        if d.ab is not None:
            s += ', alias: %s/%d' % (addr_str(d.ab), prefixhosts(d.b, d.ab))
        s += ('\n  attempts: %d, replyc: %d, fudge: %d, wait-probe: %dms, '
              'wait-timeout: %ds' % (d.attempts, d.replyc, d.fudge,
                                     d.wait_probe, d.wait_timeout))
        s += ', nobs\n' if d.flags & PREFIXSCAN_FLAG_NOBS else '\n'
        if d.xs:
            s += '  exclude:' + ''.join(' ' + addr_str(a)
                                        for a in d.xs) + '\n'
    return ' method: ' + s + ''.join(probedef_dump(p) for p in d.probedefs)


def reply_dump(i, p, r):
    rtt = usec(r.rx) - usec(p.tx)
    s = '  reply: %d, src: %s, ttl: %d, rtt: %d.%06d' % (
        i, addr_str(r.src), r.ttl, rtt // 1000000, rtt % 1000000)
    if len(r.src) == 4:
        s += ', ipid: %04x' % r.ipid
    elif r.flags & REPLY_FLAG_IPID32:
        s += ', ipid32: %08x' % r.ipid32
    s += '\n'
    if r.is_icmp:
        s += '  icmp-type: %d, icmp-code: %d' % (r.icmp_type, r.icmp_code)
        if r.is_ttl_exp_or_unreach():
            s += ', icmp-q-ttl: %d' % r.icmp_q_ttl
        return s + '\n'
    if r.proto == 6:
        return s + '   tcp flags:%s\n' % tcp_flags_str(r.tcp_flags)
    return s + '  reply proto %d\n' % r.proto


def format(d):
    if d.method in NEWER_METHODS:
        return None
    s = 'dealias'
    if d.method == 'mercator':
        pd = d.probedefs[0]
        s += ' from %s to %s' % (addr_str(pd.src), addr_str(pd.dst))
    out = [s + '\n', summary(d), ' user-id: %d\n' % d.userid,
           timeval_line('start', d.start), method_dump(d)]
    s = ' probes: %d, result: %s' % (len(d.probes), result_str(d.result))
    if d.method == 'prefixscan' and d.flags & PREFIXSCAN_FLAG_CSA:
        s += ', csa'
    out.append(s + '\n')
    for i, p in enumerate(d.probes):
        s = ' probe: %d, def: %d, seq: %d, tx: %d.%06d' % (
            (i, p.probedef.id, p.seq) + divmod(usec(p.tx), 1000000))
        if len(p.probedef.dst) == 4:
            s += ', ipid: %04x' % p.ipid
        out.append(s + '\n')
        out += [reply_dump(j, p, r) for j, r in enumerate(p.replies)]
    out.append('\n')
    return ''.join(out)
