"""sc_wartsdump's output for a sting (dump_sting in
utils/sc_wartsdump/sc_wartsdump.c): the parameters, then one line per
TCP packet with sequence numbers relative to each side's ISN."""

import struct

from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line, usec)
from scamperd.sting.result import (PKT_FLAG_RX, PKT_FLAG_TX, RESULT_COMPLETED,
                                   RESULT_NONE)

EXT_HEADERS = (0, 60, 43)        # hop-by-hop, destination, routing
FRAGMENT = 44


def isn_offset(isn, seq):
    return (seq - isn) & 0xffffffff


def ip_header(d):
    """(IP header length, total length, protocol, ipid text) or None."""
    if d[0] >> 4 == 4:
        return ((d[0] & 0xf) * 4, struct.unpack_from('>H', d, 2)[0], d[9],
                ' %04x' % struct.unpack_from('>H', d, 4)[0])
    if d[0] >> 4 != 6:
        return None
    hl, proto = 40, d[6]
    length = struct.unpack_from('>H', d, 4)[0] + hl
    while True:
        if proto in EXT_HEADERS:
            if d[hl + 1] == 0 or 255 - hl <= d[hl + 1] * 8 + 8:
                break
            proto, hl = d[hl], hl + d[hl + 1] * 8 + 8
        elif proto == FRAGMENT:
            if 255 - hl <= 8:
                break
            proto, hl = d[hl], hl + 8
        else:
            break
    return hl, length & 0xffff, proto, ''


def tcp_flag_str(flags):
    s = ''
    if flags & 0x02:
        s = 'SYN/ACK' if flags & 0x10 else 'SYN'
    elif flags & 0x01:
        s = 'FIN'
    elif flags & 0x04:
        s = 'RST'
    if flags & 0x40:
        s += ('/' if s else '') + 'ECE'
    if flags & 0x80:
        s += ('/' if s else '') + 'CWR'
    return s


def format(st):
    s = 'sting from %s to %s\n' % (addr_str(st.src), addr_str(st.dst))
    s += list_cycle(st) + ' user-id: %d\n' % i32(st.userid)
    s += timeval_line('start', st.start)
    s += ' sport: %d, dport: %d\n' % (st.sport, st.dport)
    s += ' count: %d, mean: %dus, inter: %dus, seqskip %d\n' % (
        st.count, st.mean, st.inter, st.seqskip)
    s += ' synretx: %d, dataretx: %d\n' % (st.synretx, st.dataretx)
    s += ' dataackc: %d, holec: %d\n' % (st.dataackc, st.holec)
    s += ' hs-rtt: %d.%06d\n' % usec(st.hsrtt)
    s += ' result: %s\n' % ('none' if st.result == RESULT_NONE else
                            'completed' if st.result == RESULT_COMPLETED
                            else '0x%02x' % st.result)
    client_isn = server_isn = 0
    start = round(st.start * 1000000)
    for p in st.pkts:
        # scamper reads on past a short packet; we read zeros
        d = bytes(p.data) + bytes(320)
        ip = ip_header(d) if p.data else None
        if ip is None or ip[2] != 6:
            continue
        hl, length, _, ipid = ip
        diff = round(p.tv * 1000000) - start
        direction = ('TX' if p.flags & PKT_FLAG_TX else
                     'RX' if p.flags & PKT_FLAG_RX else '??')
        s += ' [%3d.%03d] %s ' % (diff // 1000000, diff % 1000000 // 1000,
                                  direction)
        seq, ack = struct.unpack_from('>II', d, hl + 4)
        flags = d[hl + 13]
        tcphl = (d[hl + 12] >> 4) * 4
        if flags & 0x02:
            if flags & 0x10:
                server_isn = seq
            else:
                client_isn = seq
        if p.flags & PKT_FLAG_TX:
            seq, ack = isn_offset(client_isn, seq), isn_offset(server_isn, ack)
        else:
            seq, ack = isn_offset(server_isn, seq), isn_offset(client_isn, ack)
        datalen = (length - hl - tcphl) & 0xffff
        s += '%-13s %4d' % (tcp_flag_str(flags), length)
        seqs = ' seq = %u:%u' % (seq, ack)
        if datalen:
            seqs += '(%d)' % datalen
        s += '%-23s%s\n' % (seqs[:31], ipid)    # a 32-byte buffer
    return s
