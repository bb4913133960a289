"""sc_wartsdump's output for a tbit (dump_tbit in
utils/sc_wartsdump/sc_wartsdump.c)."""

from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line)
from scamperd.tbit.packet import (EXT_HEADERS, FRAGMENT, TCP, TCPInfo,
                                  flag_str, icw_size, ip_info, is_sack,
                                  isn_offset, padded, ptb_str, sack_blocks,
                                  since, tcp_options, u16)
from scamperd.tbit.result import (APP_BGP, APP_HTTP, NULL_OPTION_NAMES,
                                  NULL_RESULT_FO, NULL_RESULT_NAMES,
                                  OPTION_NAMES, PKT_DIR_RX, PKT_DIR_TX,
                                  PMTUD_OPTION_BLACKHOLE, RESULT_ICW_SUCCESS,
                                  RESULT_NAMES, TYPE_BLIND_DATA,
                                  TYPE_BLIND_RST, TYPE_BLIND_SYN, TYPE_ICW,
                                  TYPE_NAMES, TYPE_NULL, TYPE_PMTUD)
from scamperd.tbit.text import app_line, ecn_str, frag_str


def bits(flags, n, names):
    """tbit_bits_print."""
    return ','.join(' %s' % names[i] if i < len(names) else
                    ' 0x%x' % (flags & (1 << i))
                    for i in range(n) if flags & (1 << i))


def fo_cookie(t):
    """scamper_tbit_fo_getcookie: the fast open cookie of the first
    SYN/ACK carrying one, or None (its NOP test looks at the length
    byte, which we keep)."""
    for p in t.pkts:
        if p.dir != PKT_DIR_RX or not p.data:
            continue
        d = padded(p.data)
        if d[0] >> 4 == 4:
            hl = (d[0] & 0xf) * 4
            if d[9] != TCP or u16(d, 6) & 0x1fff:
                continue
        elif d[0] >> 4 == 6:
            hl, proto = 40, d[6]
            while True:
                if proto in EXT_HEADERS:
                    if d[hl + 1] == 0 or 255 - hl <= d[hl + 1] * 8 + 8:
                        break
                    proto, hl = d[hl], hl + d[hl + 1] * 8 + 8
                elif proto == FRAGMENT:
                    if 255 - hl <= 8 or u16(d, hl + 2) & 0xfff8:
                        break
                    proto, hl = d[hl], hl + 8
                else:
                    break
            if proto != TCP:
                continue
        else:
            continue
        if d[hl + 13] & 0x12 != 0x12:
            continue
        tcphl = (d[hl + 12] >> 4) * 4
        i = 20
        while i < tcphl:
            o = d[hl + i:]
            if o[0] == 0:
                break
            if o[1] == 1:
                i += 1
                continue
            if o[1] == 0 or i + o[1] > tcphl:
                break
            if o[0] == 34 and 2 < o[1] <= 18:
                return o[2:o[1]]
            if o[0] == 254 and 4 < o[1] <= 20 and o[2:4] == b'\xf9\x89':
                return o[4:o[1]]
            i += o[1]
    return None


def header(t):
    s = 'tbit from %s to %s\n' % (addr_str(t.src), addr_str(t.dst))
    s += list_cycle(t) + ' user-id: %d\n' % i32(t.userid)
    s += timeval_line('start', t.start)
    s += ' sport: %d, dport: %d\n' % (t.sport, t.dport)
    s += ' client-mss: %d, server-mss: %d, ttl: %u' % (
        t.client_mss, t.server_mss, t.ttl)
    if t.wscale:
        s += ', wscale: %u' % t.wscale
    s += '\n type: %s, result: %s\n' % (
        TYPE_NAMES.get(t.type, str(t.type)),
        RESULT_NAMES.get(t.result, str(t.result)))
    if t.options:
        s += ' options:%s\n' % bits(t.options, 32, OPTION_NAMES)
    if t.fo_cookie:
        s += ' fo-cookie: %s\n' % t.fo_cookie.hex()
    d = t.data
    if t.type == TYPE_PMTUD and d is not None:
        s += ' mtu: %d, ptb-retx: %d' % (d.mtu, d.ptb_retx)
        if d.ptbsrc is not None:
            s += ', ptb-src: %s' % addr_str(d.ptbsrc)
        if d.options & PMTUD_OPTION_BLACKHOLE:
            s += ', blackhole'
        s += '\n'
    elif t.type == TYPE_NULL and d is not None:
        if d.options:
            s += ' null-options:%s\n' % bits(d.options, 16,
                                             NULL_OPTION_NAMES)
        if d.results:
            s += ' results:%s\n' % bits(d.results, 16, NULL_RESULT_NAMES)
            cookie = fo_cookie(t) if d.results & NULL_RESULT_FO else None
            if cookie is not None:
                s += ' fo-cookie: %s\n' % cookie.hex()
    elif t.type == TYPE_ICW and t.result == RESULT_ICW_SUCCESS:
        s += ' icw-start-seq: %u' % d.start_seq
        size = icw_size(t, RESULT_ICW_SUCCESS, PKT_DIR_RX)
        if size is not None:
            s += ', icw-size: %u bytes' % size
        s += '\n'
    elif t.type in (TYPE_BLIND_RST, TYPE_BLIND_SYN, TYPE_BLIND_DATA):
        s += ' blind: offset %d, retx %u\n' % (d.off, d.retx)
    if t.app_proto == APP_HTTP and t.app is not None:
        s += app_line(t)
    elif t.app_proto == APP_BGP and t.app is not None:
        s += ' app: bgp, asn: %u\n' % t.app.asn
    return s


def format(t):
    s = header(t)
    client = server = None
    for p in t.pkts:
        d = padded(p.data)
        ip = ip_info(p.data and d)
        if ip is None:
            continue
        if ip.v == 4:
            ipid = '%04x' % ip.ipid
        else:
            ipid = '%x' % ip.ipid if ip.ipid is not None else ''
        sec, usec = since(p.tv, t.start)
        tx = p.dir == PKT_DIR_TX
        s += ' [%3d.%03d] %s ' % (sec, usec // 1000, 'TX' if tx else 'RX')
        if ip.off:
            s += '%13s %4dF%17s%s%s' % ('', ip.len, '', ipid, frag_str(ip))
        elif ip.proto == TCP:
            tcp = TCPInfo(d, ip.hl)
            if tcp.flags & 0x02:
                if tcp.flags & 0x10:
                    server = tcp.seq if server is None else server
                else:
                    client = tcp.seq if client is None else client
            cisn, sisn = client or 0, server or 0
            sack = ''.join(
                ' {%s}' % ','.join('%u:%u' % b for b in
                                   sack_blocks(o, sisn if tx else cisn))
                for k, o in tcp_options(tcp) if k > 1 and is_sack(k, o))
            seq, ack = tcp.seq, tcp.ack
            if tx:
                seq, ack = isn_offset(cisn, seq), isn_offset(sisn, ack)
            else:
                if not (seq == 0 and tcp.flags & 0x04):
                    seq = isn_offset(sisn, seq)
                ack = isn_offset(cisn, ack)
            datalen = (ip.len - ip.hl - tcp.hl) & 0xffff
            s += '%-13s %4d%s' % (flag_str(tcp.flags), ip.len,
                                  'F' if ip.frag else ' ')
            num = ' %u' % seq
            if tcp.flags & 0x10:
                num += ':%u' % ack
            if datalen:
                num += '(%d)' % datalen
            s += '%-17s%s' % (num, ipid) + frag_str(ip)
            if datalen and ip.v == 4 and d[6] & 0x40:
                s += ' DF'
            s += ecn_str(ip) + sack[:63]     # a 64-byte buffer
        else:
            s += ptb_str(d, ip)
        s += '\n'
    return s + '\n'
