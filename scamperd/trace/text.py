"""Text output of a traceroute, as scamper 20211212 prints it (-O text,
sc_warts2text); follows scamper/trace/scamper_trace_text.c."""

import socket

from scamperd.trace.result import (FLAG_ALLATTEMPTS, HOP_FLAG_TCP,
                                   HOP_FLAG_UDP, PMTUD_N_SILENCE)

TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK, TH_URG, TH_ECE, TH_CWR = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)


def addr_str(addr):
    if addr is None:
        return '*'
    return socket.inet_ntop(socket.AF_INET if len(addr) == 4
                            else socket.AF_INET6, addr)


def rtt_str(us):
    """scamper's timeval_tostr_us: milliseconds with three decimals."""
    return '%d.%03d' % (us // 1000, us % 1000)


def hops_by_ttl(trace):
    """scamper's hops[ttl-1] lists: replies grouped by probe TTL, each
    group ordered by probe_id (ties keep their order of arrival)."""
    groups = [[] for _ in range(trace.hop_count)]
    for hop in sorted(trace.hops, key=lambda h: (h.probe_ttl, h.probe_id)):
        if 1 <= hop.probe_ttl <= trace.hop_count:
            groups[hop.probe_ttl - 1].append(hop)
    return groups


def hop_is_tcp(hop):
    return hop.tcp_flags is not None or hop.flags & HOP_FLAG_TCP != 0


def hop_is_icmp(hop):
    return (not hop_is_tcp(hop) and hop.flags & HOP_FLAG_UDP == 0
            and hop.icmp_type is not None)


def hop_is_ptb(hop):
    if not hop_is_icmp(hop):
        return False
    if len(hop.addr) == 4:
        return hop.icmp_type == 3 and hop.icmp_code == 4
    return hop.icmp_type == 2


def tcp_annotation(flags):
    if flags & TH_RST:
        return ' [closed]'
    if flags & (TH_SYN | TH_ACK) == TH_SYN | TH_ACK:
        return ' [open, ecn]' if flags & TH_ECE else ' [open]'
    if flags == 0:
        return ' [unknown, no flags]'
    names = ((TH_RST, ' RST'), (TH_SYN, ' SYN'), (TH_ACK, ' ACK'),
             (TH_PUSH, ' PSH'), (TH_FIN, ' FIN'), (TH_URG, ' URG'),
             (TH_CWR, ' CWR'), (TH_ECE, ' ECE'))
    return ' [unknown,%s]' % ''.join(n for bit, n in names if flags & bit)


V4_UNREACH = {13: ' !X', 1: ' !H', 4: ' !F', 5: ' !S', 2: ' !P', 0: ' !N',
              3: ''}
V6_UNREACH = {3: ' !A', 2: ' !S', 1: ' !P', 0: ' !N', 4: ''}


def icmp_annotation(hop):
    """The ' !X' style note after an RTT (scamper's icmp_tostr)."""
    if hop_is_tcp(hop):
        return tcp_annotation(hop.tcp_flags or 0)
    if not hop_is_icmp(hop):
        return ''
    t, c = hop.icmp_type, hop.icmp_code
    if len(hop.addr) == 4:
        if t in (11, 0):
            return ''
        if t == 3:
            return V4_UNREACH.get(c, ' !<%d>' % c)
    else:
        if t in (3, 129):
            return ''
        if t == 1:
            return V6_UNREACH.get(c, ' !<%d>' % c)
        if t == 2:
            return ' !F'
    return ' !<%d,%d>' % (t, c)


def header_line(trace):
    line = 'traceroute'
    if trace.src is not None:
        line += ' from %s' % addr_str(trace.src)
    line += ' to %s' % addr_str(trace.dst)
    if trace.rtr is not None:
        line += ' via %s' % addr_str(trace.rtr)
    return line


def hop_line(trace, h, replies):
    if not replies:
        if trace.flags & FLAG_ALLATTEMPTS == 0:
            return '%2d  *' % (h + 1)
        return '%2d  ' % (h + 1) + ' '.join('*' * trace.attempts)
    if len(replies) == 1:
        hop = replies[0]
        return '%2d  %s  %s ms%s' % (h + 1, addr_str(hop.addr),
                                     rtt_str(hop.rtt), icmp_annotation(hop))
    # several replies: print an address only when it differs from the
    # address printed last
    line = '%2d  ' % (h + 1)
    last = None
    for hop in replies:
        addr = addr_str(hop.addr)
        if addr != last:
            line += addr + '  '
            last = addr
        line += '%s ms%s  ' % (rtt_str(hop.rtt), icmp_annotation(hop))
    return line.rstrip(' ')


def mtu_str(mtu, size):
    if mtu != size:
        return ' [*mtu: %d]' % size
    return ' [mtu: %d]' % mtu


def same_prefix_len(a, b):
    """Number of leading bits a and b share (scamper_addr_prefix)."""
    n = 0
    for x, y in zip(a, b):
        d = x ^ y
        if d == 0:
            n += 8
            continue
        return n + 8 - d.bit_length()
    return n


def pmtud_notes(trace, groups):
    """The ' [mtu: N]' suffix of each hop line (scamper's pmtud_ver2)."""
    pmtud = trace.pmtud
    first = [g[0] if g else None for g in groups]
    count = trace.hop_count
    mtus = [None] * count
    mtu = size = pmtud.ifmtu
    notes = list(pmtud.notes)
    n = 0
    if pmtud.outmtu != 0:
        size = pmtud.outmtu
        n = 1
    h = 0

    def fill(upto):
        nonlocal h
        while h <= upto and h < count:
            if first[h] is not None:
                mtus[h] = mtu_str(mtu, size)
            h += 1

    while n < len(notes):
        ntype, nhmtu, hop = notes[n]
        n += 1
        if hop is None:
            size = nhmtu
            continue
        if ntype == PMTUD_N_SILENCE:
            i = hop.probe_ttl - 1
        else:
            i = h
            while i < count and (first[i] is None
                                 or first[i].addr != hop.addr):
                i += 1
            if i == count:
                # guess which hop sent the PTB from the quoted TTL
                i = hop.probe_ttl - hop.icmp_q_ttl
                bits = 30 if len(hop.addr) == 4 else 126
                if (0 <= i < count and first[i] is not None and
                        same_prefix_len(first[i].addr, hop.addr) >= bits):
                    i -= 1
                if i >= count - 1:
                    i = count - 2
                if i < 0:
                    i = 0
        fill(i)
        if hop_is_ptb(hop):
            if first[i] is None:
                mtus[i] = mtu_str(mtu, size)
            extra = ''
            if first[i] is None or first[i].addr != hop.addr:
                extra += ' ptb %s' % addr_str(hop.addr)
            if nhmtu != hop.icmp_nhmtu:
                extra += ' nhmtu %d!' % hop.icmp_nhmtu
            mtus[i] += extra
            mtu = hop.icmp_nhmtu
        size = nhmtu
    fill(count - 1)
    return mtus


def format(trace):
    groups = hops_by_ttl(trace)
    mtus = [None] * trace.hop_count
    if trace.pmtud is not None and trace.pmtud.ver == 2 and trace.hop_count:
        mtus = pmtud_notes(trace, groups)
    out = header_line(trace) + '\n'
    for h, replies in enumerate(groups):
        out += hop_line(trace, h, replies) + (mtus[h] or '') + '\n'
    return out
