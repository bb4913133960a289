"""sc_wartsdump's layout for an MDA traceroute (dump_tracelb in
utils/sc_wartsdump/sc_wartsdump.c of scamper 20211212)."""

from scamperd.trace.text import addr_str
from scamperd.tracelb.result import NODE_FLAG_QTTL
from scamperd.warts.dump import summary, tcp_flags_str, timeval_line, usec


def mpls_lines(objs):
    out = []
    for cn, ct, data in objs:
        if (cn, ct) != (1, 1):
            continue
        for m in range(len(data) // 4):
            x = int.from_bytes(data[m * 4:m * 4 + 4], 'big')
            out.append('   %9s: label %d exp %d s %d ttl %d\n' % (
                '  icmp-ext mpls' if m == 0 else '', x >> 12, (x >> 9) & 7,
                (x >> 8) & 1, x & 0xff))
    return out


def reply_lines(p, r):
    rtt = usec(r.rx) - usec(p.tx)
    s = '   reply from: %s, rtt: %d.%06d, ttl: %d' % (
        addr_str(r.addr), rtt // 1000000, rtt % 1000000, r.ttl)
    if len(r.addr) == 4:
        s += ', ipid: 0x%04x' % r.ipid
    out = [s + '\n']
    if r.is_tcp:
        out.append('     tcp flags 0x%02x%s\n' % (r.tcp_flags,
                                                  tcp_flags_str(r.tcp_flags)))
        return out
    s = '     icmp: %d/%d, q-tos: 0x%02x' % (r.icmp_type, r.icmp_code,
                                            r.icmp_q_tos)
    if r.is_ttl_exp_or_unreach():
        s += ', q-ttl: %d' % r.icmp_q_ttl
    return out + [s + '\n'] + mpls_lines(r.icmp_ext)


def format(t):
    if t.src is not None:
        out = ['tracelb from %s to %s\n' % (addr_str(t.src), addr_str(t.dst))]
    else:
        out = ['tracelb to %s\n' % addr_str(t.dst)]
    out.append(summary(t))
    out.append(' user-id: %d\n' % t.userid)
    if t.rtr is not None:
        out.append(' rtr: %s\n' % addr_str(t.rtr))
    out.append(timeval_line('start', t.start))
    if t.method == 'icmp-echo':
        kind = 'icmp-echo id: %d' % t.sport
    else:
        kind = '%s %d:%d' % (t.method, t.sport, t.dport)
    out.append(' type: %s, tos: 0x%02x\n' % (kind, t.tos))
    out.append(' firsthop: %d, attempts: %d, confidence: %d\n' % (
        t.firsthop, t.attempts, t.confidence))
    out.append(' probe-size: %d, wait-probe: %dms, wait-timeout %ds\n' % (
        t.probe_size, t.wait_probe * 10, t.wait_timeout))
    out.append(' nodec: %d, linkc: %d, probec: %d, probec_max: %d\n' % (
        len(t.nodes), len(t.links), t.probec, t.probec_max))
    if t.flags:
        out.append(' flags: ptr\n' if t.flags & 1 else ' flags:\n')
    for i, node in enumerate(t.nodes):
        s = 'node %d %s' % (i, addr_str(node.addr))
        if node.flags & NODE_FLAG_QTTL:
            s += ', q-ttl %d' % node.q_ttl
        if node.name is not None:
            s += ', name %s' % node.name
        out.append(s + '\n')
        for link in node.links:
            out.append(' link %s -> %s hopc %d\n' % (
                addr_str(link.frm.addr),
                addr_str(None if link.to is None else link.to.addr),
                len(link.sets)))
            for ps in link.sets:
                for p in ps:
                    out.append('  probe flowid: %d, ttl: %d, attempt: %d, '
                               'tx: %d.%06d\n' % ((p.flowid, p.ttl, p.attempt)
                                                  + divmod(usec(p.tx),
                                                           1000000)))
                    for r in p.replies:
                        out += reply_lines(p, r)
    out.append('\n')
    return ''.join(out)
