"""A traceroute as sc_wartsdump (scamper 20211212) prints it: follows
dump_trace and dump_trace_hop in utils/sc_wartsdump/sc_wartsdump.c."""

from scamperd.trace.json import icmp_objects
from scamperd.trace.result import (FLAG_ICMPCSUMDP, FLAG_RXERR,
                                   GAPACTION_LASTDITCH, GAPACTION_STOP,
                                   HOP_FLAG_REPLY_TTL, HOP_FLAG_TCP,
                                   HOP_FLAG_UDP,
                                   PMTUD_N_PTB, PMTUD_N_PTB_BAD,
                                   PMTUD_N_SILENCE, STOP_COMPLETED,
                                   STOP_ERROR, STOP_GAPLIMIT, STOP_GSS,
                                   STOP_HALTED, STOP_HOPLIMIT, STOP_ICMP,
                                   STOP_LOOP, STOP_NONE, STOP_UNREACH)
from scamperd.trace.text import addr_str, hop_is_tcp, hops_by_ttl
from scamperd.warts.dump import (offset_str, summary, tcp_flags_str,
                                 timeval_line, usec)

FLAG_NAMES = ((0x01, 'all-attempts'), (0x02, 'pmtud'), (0x04, 'dl'),
              (0x08, 'ignorettldst'), (0x10, 'doubletree'),
              (0x20, 'icmp-csum-dport'), (0x40, 'const-payload'),
              (0x80, 'rxerr'), (0x100, 'ptr'))
HOP_FLAG_NAMES = ((0x01, 'sockrxts'), (0x02, 'dltxts'), (0x04, 'dlrxts'),
                  (0x08, 'tscrtt'), (0x10, 'replyttl'))

V4_UNREACH = {0: 'net', 1: 'host', 2: 'protocol', 3: 'port',
              5: 'src-rt failed', 6: 'net unknown', 7: 'host unknown',
              8: 'isolated', 9: 'net prohib', 10: 'host prohib',
              11: 'tos net', 12: 'tos host', 13: 'admin prohib',
              4: 'need frag'}
V6_UNREACH = {0: 'no route', 1: 'admin prohib', 2: 'beyond scope',
              3: 'addr', 4: 'port'}

STOP_TEXT = {STOP_NONE: 'none', STOP_COMPLETED: 'done', STOP_LOOP: 'loop',
             STOP_GAPLIMIT: 'gaplimit', STOP_HOPLIMIT: 'hoplimit',
             STOP_GSS: 'dtree-gss', STOP_HALTED: 'halted'}


def flag_names(flags, names):
    if not flags:
        return ''
    return ' (%s )' % ''.join(' ' + n for bit, n in names if flags & bit)


def hop_quotes(hop):
    """SCAMPER_TRACE_HOP_IS_ICMP_Q."""
    if len(hop.addr) == 4:
        return hop.icmp_type in (3, 11)
    return 1 <= (hop.icmp_type or 0) <= 3


def hop_is_ptb(hop):
    if len(hop.addr) == 4:
        return (hop.icmp_type, hop.icmp_code) == (3, 4)
    return hop.icmp_type == 2


def hop_dump(trace, hop):
    v4 = len(hop.addr) == 4
    s = 'hop %2d  %s\n' % (hop.probe_ttl, addr_str(hop.addr))
    s += ' attempt: %d' % hop.probe_id
    if hop.tx and int(hop.tx):
        s += ', tx: ' + offset_str(usec(hop.tx) - usec(trace.start))
    s += ', rtt: %s, probe-size: %d\n' % (offset_str(hop.rtt or 0),
                                          hop.probe_size or 0)
    line = ''
    if hop.flags & HOP_FLAG_REPLY_TTL:
        line += ' reply-ttl: %d' % (hop.reply_ttl or 0)
    if not trace.flags & FLAG_RXERR:
        line += '%s reply-size: %d' % (',' if line else '',
                                       hop.reply_size or 0)
        if v4:
            line += ', reply-ipid: 0x%04x' % (hop.reply_ipid or 0)
    if v4:
        line += '%s reply-tos 0x%02x' % (',' if line else '',
                                         hop.reply_tos or 0)
    if line:
        s += line + '\n'
    if not hop.flags & (HOP_FLAG_TCP | HOP_FLAG_UDP):
        s += ' icmp-type: %d, icmp-code: %d' % (hop.icmp_type or 0,
                                                hop.icmp_code or 0)
        if hop_quotes(hop):
            s += ', q-ttl: %d, q-len: %d' % (hop.icmp_q_ttl or 0,
                                             hop.icmp_q_ipl or 0)
            if v4:
                s += ', q-tos %d' % (hop.icmp_q_tos or 0)
        if hop_is_ptb(hop):
            s += ', nhmtu: %d' % (hop.icmp_nhmtu or 0)
        s += '\n'
    elif hop_is_tcp(hop):
        flags = hop.tcp_flags or 0
        s += ' tcp-flags: 0x%02x%s\n' % (flags, tcp_flags_str(flags))
    s += ' flags: 0x%02x%s\n' % (hop.flags,
                                 flag_names(hop.flags, HOP_FLAG_NAMES))
    for cn, ct, body in icmp_objects(hop.icmp_ext or b''):
        if (cn, ct) != (1, 1):
            continue
        for i in range(0, len(body) - 3, 4):
            b = body[i:i + 4]
            s += '%9s ttl: %d, s: %d, exp: %d, label: %d\n' % (
                'mpls ext' if i == 0 else '', b[3], b[2] & 1,
                (b[2] >> 1) & 7, (b[0] << 12) + (b[1] << 4) + (b[2] >> 4))
    return s


def type_str(trace):
    m = trace.method
    if m == 'icmp-echo':
        return 'icmp, echo id: %d' % trace.sport
    if m == 'icmp-paris':
        s = 'icmp paris, echo id: %d' % trace.sport
        if trace.flags & FLAG_ICMPCSUMDP:
            s += ', csum: 0x%04x' % trace.dport
        return s
    if m == 'udp':
        return 'udp, sport: %d, base dport: %d' % (trace.sport, trace.dport)
    if m == 'udp-paris':
        return 'udp paris, sport: %d, dport: %d' % (trace.sport, trace.dport)
    return '%s, sport: %d, dport: %d' % (m, trace.sport, trace.dport)


def stop_str(trace):
    r, d = trace.stop_reason, trace.stop_data
    if r in STOP_TEXT:
        return STOP_TEXT[r]
    if r == STOP_UNREACH:
        names = V4_UNREACH if len(trace.dst) == 4 else V6_UNREACH
        return 'icmp unreach %s' % names.get(d, d)
    if r == STOP_ICMP:
        return 'icmp type %d' % d
    if r == STOP_ERROR:
        return 'errno %d' % d
    return 'reason 0x%02x data 0x%02x' % (r, d)


def pmtud_dump(trace, p):
    s = 'pmtud: ver %d ifmtu %d, pmtu %d' % (p.ver, p.ifmtu, p.pmtu)
    if p.outmtu:
        s += ', outmtu %d' % p.outmtu
    if p.notes:
        s += ', notec %d' % len(p.notes)
    s += '\n'
    for i, (ntype, nhmtu, hop) in enumerate(p.notes):
        s += ' note %d: nhmtu %d, ' % (i, nhmtu)
        addr = addr_str(hop.addr) if hop is not None else ''
        if ntype == PMTUD_N_PTB:
            s += 'ptb %s' % addr
        elif ntype == PMTUD_N_PTB_BAD and hop is not None:
            s += 'ptb-bad %s mtu %d' % (addr, hop.icmp_nhmtu or 0)
        elif ntype == PMTUD_N_SILENCE:
            s += 'silence > ttl %d' % (hop.probe_ttl if hop else 0)
        else:
            s += 'type-%d' % ntype
        s += '\n'
    return s + ''.join(hop_dump(trace, h) for h in p.probes)


def format(trace):
    if trace.src is not None:
        s = 'traceroute from %s to %s\n' % (addr_str(trace.src),
                                            addr_str(trace.dst))
    else:
        s = 'traceroute to %s\n' % addr_str(trace.dst)
    s += summary(trace)
    s += ' user-id: %d\n' % trace.userid
    if trace.rtr is not None:
        s += ' rtr: %s\n' % addr_str(trace.rtr)
    s += timeval_line('start', trace.start)
    s += ' type: %s' % type_str(trace)
    if trace.offset:
        s += ', offset %d' % trace.offset
    s += '\n'
    d = trace.dtree
    if d is not None:
        s += ' doubletree firsthop: %d' % d.firsthop
        if d.lss is not None:
            s += ', lss-name: %s' % d.lss
        if d.lss_stop is not None:
            s += ', lss-stop: %s' % addr_str(d.lss_stop)
        if d.gss_stop is not None:
            s += ', gss-stop: %s' % addr_str(d.gss_stop)
        s += '\n'
    s += ' attempts: %d, hoplimit: %d, loops: %d, probec: %d\n' % (
        trace.attempts, trace.hoplimit, trace.loops, trace.probe_count)
    gap = {GAPACTION_STOP: 'stop', GAPACTION_LASTDITCH: 'lastditch'}
    s += ' squeries: %d, gaplimit: %d, gapaction: %s\n' % (
        trace.squeries, trace.gaplimit,
        gap.get(trace.gapaction, '0x%02x' % trace.gapaction))
    s += ' wait-timeout: %ds' % trace.wait
    if trace.wait_probe:
        s += ', wait-probe: %dms' % (trace.wait_probe * 10)
    if trace.confidence:
        s += ', confidence: %d%%' % trace.confidence
    s += '\n flags: 0x%02x%s\n' % (trace.flags,
                                   flag_names(trace.flags, FLAG_NAMES))
    s += ' stop reason: %s\n' % stop_str(trace)
    for group in hops_by_ttl(trace):
        s += ''.join(hop_dump(trace, h) for h in group)
    s += ''.join(hop_dump(trace, h) for h in trace.lastditch)
    if trace.pmtud is not None:
        s += pmtud_dump(trace, trace.pmtud)
    return s + '\n'
