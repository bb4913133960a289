"""sc_wartsdump's output for a sniff (dump_sniff in
utils/sc_wartsdump/sc_wartsdump.c): the parameters, then each packet's
time since the start, addresses and bytes in rows of 16."""

import socket

from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line)
from scamperd.sniff.result import STOP_NAMES


def packet(i, start, p):
    diff = round(p.tv * 1000000) - round(start * 1000000)
    s = ' %3d %d.%06d' % (i, *divmod(diff, 1000000))
    d = bytes(p.data) + bytes(40)    # scamper reads on past a short packet
    if d[0] >> 4 == 4:
        s += ' %s -> %s' % (socket.inet_ntop(socket.AF_INET, d[12:16]),
                            socket.inet_ntop(socket.AF_INET, d[16:20]))
    elif d[0] >> 4 == 6:
        s += ' %s -> %s' % (socket.inet_ntop(socket.AF_INET6, d[8:24]),
                            socket.inet_ntop(socket.AF_INET6, d[24:40]))
    s += '\n'
    for j in range(0, len(p.data), 16):
        row = p.data[j:j + 16]
        s += '     0x%04x: ' % j
        s += ''.join((' ' if k % 2 == 0 else '') + '%02x' % b
                     for k, b in enumerate(row)) + '\n'
    return s


def format(sn):
    s = 'sniff %s\n' % addr_str(sn.src) + list_cycle(sn)
    s += ' user-id: %d\n' % i32(sn.userid)
    s += timeval_line('start', sn.start) + timeval_line('finish', sn.finish)
    s += ' limit-pktc: %d, limit-time: %d, icmp-id %d\n' % (
        i32(sn.limit_pktc), sn.limit_time, sn.icmpid)
    s += ' result: %s, pktc: %d\n' % (
        STOP_NAMES.get(sn.stop_reason, str(sn.stop_reason)), len(sn.pkts))
    return s + ''.join(packet(i, sn.start, p) for i, p in enumerate(sn.pkts))
