"""sc_warts2text's output for a tbit (scamper/tbit/scamper_tbit_text.c):
a header, then a line per packet with sequence numbers relative to the
ISNs."""

from scamperd.neighbourdisc.dump import addr_str
from scamperd.tbit.packet import (TCP, TCPInfo, flag_str, ip_info, is_sack,
                                  isn_offset, padded, ptb_str, sack_blocks,
                                  since, tcp_options)
from scamperd.tbit.result import (APP_HTTP, HTTP_TYPE_HTTPS, PKT_DIR_TX,
                                  RESULT_NAMES)


def app_line(t):
    """The ' app: http...' line the text and dump outputs share."""
    a = t.app
    scheme = 'https' if a.type == HTTP_TYPE_HTTPS else 'http'
    s = ' app: http'
    if a.host is not None:
        s += ', url: %s://%s%s' % (scheme, a.host, a.file or '')
    else:
        s += ', file: %s' % ('(null)' if a.file is None else a.file)
    return s + '\n'


def frag_str(ip):
    return ':%u%s' % (ip.off, ' MF' if ip.mf else '') if ip.frag else ''


def ecn_str(ip):
    return ' CE' if ip.ecn == 3 else ' ECT' if ip.ecn else ''


def format(t):
    s = 'tbit from %s to %s\n server-mss %d, result: %s\n' % (
        addr_str(t.src), addr_str(t.dst), t.server_mss,
        RESULT_NAMES.get(t.result, str(t.result)))
    if t.app_proto == APP_HTTP and t.app is not None:
        s += app_line(t)
    client = server = 0
    for p in t.pkts:
        d = padded(p.data)
        ip = ip_info(p.data and d)
        if ip is None:
            continue
        if ip.v == 4:
            ipid = ' %04x' % ip.ipid
        else:
            ipid = '%x' % ip.ipid if ip.ipid is not None else ''
        sec, usec = since(p.tv, t.start)
        tx = p.dir == PKT_DIR_TX
        s += ' [%3d.%03d] %s ' % (sec, usec // 1000, 'TX' if tx else 'RX')
        if ip.off:
            s += '%-13s %4dF%22s %s%s' % ('', ip.len, '', ipid, frag_str(ip))
        elif ip.proto == TCP:
            tcp = TCPInfo(d, ip.hl)
            if tcp.flags & 0x02:
                if tcp.flags & 0x10:
                    server = tcp.seq
                else:
                    client = tcp.seq
            sack = ''.join(
                ' {%s}' % ','.join('%u:%u' % b for b in
                                   sack_blocks(o, server if tx else client))
                for k, o in tcp_options(tcp) if k > 1 and is_sack(k, o))
            if tx:
                seq, ack = isn_offset(client, tcp.seq), isn_offset(server,
                                                                   tcp.ack)
            else:
                seq, ack = isn_offset(server, tcp.seq), isn_offset(client,
                                                                   tcp.ack)
            datalen = (ip.len - ip.hl - tcp.hl) & 0xffff
            s += '%-13s %4d%s' % (flag_str(tcp.flags), ip.len,
                                  'F' if ip.frag else ' ')
            tmp = ' seq = %u:%u' % (seq, ack)
            if datalen:
                tmp += '(%d)' % datalen
            s += '%-23s%s' % (tmp + sack, ipid) + frag_str(ip)
            if datalen and ip.v == 4 and d[6] & 0x40:
                s += ' DF'
            s += ecn_str(ip)
        else:
            s += ptb_str(d, ip)
        s += '\n'
    return s
