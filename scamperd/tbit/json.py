"""JSON output of a tbit, byte for byte as scamper 20211212 prints it
(sc_warts2json; scamper/tbit/scamper_tbit_json.c).  The packets are
formatted first: the ISNs they reveal go in the header."""

from scamperd.neighbourdisc.dump import addr_str
from scamperd.tbit.packet import (TCP, TCPInfo, icw_size, ip_info,
                                  is_sack, isn_offset, padded, sack_blocks,
                                  since, tcp_options, u32)
from scamperd.tbit.result import (APP_BGP, APP_HTTP, BLIND_TYPES,
                                  DATA_CLASSES, HTTP_TYPE_HTTPS,
                                  NULL_OPTION_NAMES, NULL_RESULT_NAMES,
                                  OPTION_NAMES, PKT_DIR_RX, PKT_DIR_TX,
                                  PMTUD_OPTION_NAMES, RESULT_ICW_SUCCESS,
                                  RESULT_NAMES, TYPE_ICW, TYPE_NAMES,
                                  TYPE_NULL, TYPE_PMTUD)

TCP_FLAG_NAMES = ('fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr')


def bits(flags, n, names):
    """tbit_bits_encode: quoted names of the set bits, values past them."""
    return ','.join('"%s"' % names[i] if i < len(names) else
                    '%u' % (flags & (1 << i))
                    for i in range(n) if flags & (1 << i))


class ISNs:
    def __init__(self):
        self.client = self.server = None


def option_json(kind, o, isn):
    """``o``: the option's bytes, its length byte included (as
    tcp_options gives them); an option of length 1 prints nothing, as in
    scamper."""
    n = len(o)
    if kind == 0:
        return '{"kind":"eol"}'
    if kind == 1:
        return '{"kind":"nop"}'
    if kind == 3 and n == 3:
        return '{"kind":"wscale", "shift":%u}' % o[2]
    if kind == 4 and n == 2:
        return '{"kind":"sack-ok"}'
    if is_sack(kind, o):
        return '{"kind":"sack", "blocks":[%s]}' % ', '.join(
            '{"left":%u, "right":%u}' % b for b in sack_blocks(o, isn))
    if kind == 8 and n == 10:
        return '{"kind":"ts", "val":%u, "ecr":%u}' % (u32(o, 2), u32(o, 6))
    if kind == 34 and n >= 2:
        # scamper closes the object only when there is a cookie
        return '{"kind":"fo"' + ((', "cookie":"%s"}' % o[2:].hex())
                                 if n > 2 else '')
    if kind == 254 and n >= 4 and o[2:4] == b'\xf9\x89':
        return '{"kind":"fo-exp"' + ((', "cookie":"%s"}' % o[4:].hex())
                                     if n > 4 else '')
    return None


def pkt_json(t, p, isns):
    d = padded(p.data)
    direction = {PKT_DIR_TX: '"tx"', PKT_DIR_RX: '"rx"'}.get(p.dir,
                                                          '%u' % p.dir)
    s = '{"dir":%s, "tv_sec":%u, "tv_usec":%u, "len":%u' % (
        direction, *since(p.tv, t.start), len(p.data))
    ip = ip_info(p.data and d, checked=False)
    if ip is None:
        return s + '}'
    s += ', "ip_hlen":%u, "ip_ecn":%u, "ip_ttl":%u' % (ip.hl, ip.ecn, ip.ttl)
    if ip.v == 4 or ip.frag:
        s += ', "frag_id":%u, "frag_off":%u, "frag_mf":%u' % (
            ip.ipid, ip.off, ip.mf)
    if ip.v == 4:
        s += ', "frag_df":0'        # scamper shifts the DF bit out
    if ip.off or ip.proto != TCP:
        return s + '}'
    tcp = TCPInfo(d, ip.hl)
    if tcp.flags & 0x12 == 0x02 and isns.client is None:
        isns.client = tcp.seq
    elif tcp.flags & 0x12 == 0x12 and isns.server is None:
        isns.server = tcp.seq
    client, server = isns.client or 0, isns.server or 0
    s += ', "tcp_hlen": %u, "tcp_flags":[%s]' % (
        tcp.hl, bits(tcp.flags, 8, TCP_FLAG_NAMES))
    opts = [option_json(k, o, server if p.dir == PKT_DIR_TX else client)
            for k, o in tcp_options(tcp)]
    s += ', "tcp_options":[%s]' % ', '.join(o for o in opts if o)
    seq, ack = tcp.seq, tcp.ack
    if p.dir == PKT_DIR_TX:
        seq, ack = isn_offset(client, seq), isn_offset(server, ack)
    else:
        if not (seq == 0 and tcp.flags & 0x04):
            seq = isn_offset(server, seq)
        ack = isn_offset(client, ack)
    s += ', "tcp_seq":%u' % seq
    if tcp.flags & 0x10:
        s += ', "tcp_ack":%u' % ack
    s += ', "tcp_datalen":%u' % ((ip.len - ip.hl - tcp.hl) & 0xffffffff)
    return s + ', "tcp_win":%u}' % tcp.win


def header_json(t, isns):
    s = '{"type":"tbit", "tbit_type":"%s", "userid":%u' % (
        TYPE_NAMES.get(t.type, str(t.type)), t.userid)
    s += ', "src":"%s", "dst":"%s"' % (addr_str(t.src), addr_str(t.dst))
    s += ', "sport":%u, "dport":%u' % (t.sport, t.dport)
    s += ', "start":{"sec":%u,"usec":%u}' % since(t.start, 0)
    s += ', "client_mss":%u, "server_mss":%u, "ttl":%u' % (
        t.client_mss, t.server_mss, t.ttl)
    s += ', "result":"%s"' % RESULT_NAMES.get(t.result, str(t.result))
    if t.options:
        s += ', "options":[%s]' % bits(t.options, 16, OPTION_NAMES)
    if t.wscale:
        s += ', "wscale":%u' % t.wscale
    if t.fo_cookie:
        s += ', "fo_cookie":"%s"' % t.fo_cookie.hex()
    if isns.client is not None:
        s += ', "client_isn":%u' % isns.client
    if isns.server is not None:
        s += ', "server_isn":%u' % isns.server
    data = t.data or (DATA_CLASSES[t.type]() if t.type in DATA_CLASSES
                      else None)
    if t.type == TYPE_PMTUD:
        s += ', "mtu":%u, "ptb_retx":%u' % (data.mtu, data.ptb_retx)
        if data.ptbsrc is not None:
            s += ', "ptbsrc":"%s"' % addr_str(data.ptbsrc)
        s += ', "pmtud_options":[%s]' % bits(data.options, 8,
                                             PMTUD_OPTION_NAMES)
    elif t.type == TYPE_NULL:
        s += ', "null_options":[%s]' % bits(data.options, 16,
                                            NULL_OPTION_NAMES)
        s += ', "null_results":[%s]' % bits(data.results, 16,
                                            NULL_RESULT_NAMES)
    elif t.type == TYPE_ICW:
        size = icw_size(t, RESULT_ICW_SUCCESS, PKT_DIR_RX)
        if size is not None:
            s += ', "icw_bytes":%u' % size
    elif t.type in BLIND_TYPES:
        s += ', "blind_off":%d, "blind_retx":%u' % (data.off, data.retx)
    if t.app_proto == APP_HTTP and t.app is not None:
        s += ', "app":"http"'
        scheme = 'https' if t.app.type == HTTP_TYPE_HTTPS else 'http'
        if t.app.host is not None:
            s += ', "http_url":"%s://%s%s"' % (scheme, t.app.host,
                                              t.app.file or '')
    elif t.app_proto == APP_BGP and t.app is not None:
        s += ', "app":"bgp", "bgp_asn":%u' % t.app.asn
    return s


def format(t):
    isns = ISNs()
    pkts = [pkt_json(t, p, isns) for p in t.pkts]
    return header_json(t, isns) + ', "pkts":[%s]}' % ', '.join(pkts)
