"""sc_wartsdump's output for a neighbour discovery
(utils/sc_wartsdump/sc_wartsdump.c, dump_neighbourdisc), and the small
helpers sc_wartsdump uses for every object type."""

import socket
import time

from scamperd.neighbourdisc.result import (FLAG_ALLATTEMPTS,
                                           FLAG_FIRSTRESPONSE, METHOD_ARP,
                                           METHOD_ND_NSOL)


def addr_str(a):
    """scamper_addr_tostr: IPv4, IPv6 or a MAC address."""
    if len(a) == 4:
        return socket.inet_ntop(socket.AF_INET, a)
    if len(a) == 16:
        return socket.inet_ntop(socket.AF_INET6, a)
    return ':'.join('%02x' % b for b in a)


def usec(t):
    """Float epoch seconds -> (sec, usec)."""
    return divmod(round(t * 1000000), 1000000)


def i32(v):
    """A u32 printed with %d, as scamper does: as a signed int."""
    return v - (1 << 32) if v >= 1 << 31 else v


def list_cycle(obj):
    """The list and cycle summary lines."""
    s = ''
    if obj.list is not None:
        s += ' list id: %d' % i32(obj.list.id)
        if obj.list.name is not None:
            s += ', name: %s' % obj.list.name
        if obj.list.monitor is not None:
            s += ', monitor: %s' % obj.list.monitor
        s += '\n'
    if obj.cycle is not None:
        s += ' cycle id: %d\n' % i32(obj.cycle.id)
    return s


def timeval_line(label, t):
    """' label: <ctime> usec' in local time."""
    sec, us = usec(t)
    return ' %s: %s %06d\n' % (label, time.ctime(sec), us)


def tcp_flags(flags):
    names = ('fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr')
    if not flags:
        return ''
    return ' (%s )' % ''.join(' ' + n for i, n in enumerate(names)
                              if flags & (1 << i))


def format(nd):
    s = 'neighbourdisc\n' + list_cycle(nd)
    s += ' user-id: %d\n' % i32(nd.userid) + timeval_line('start', nd.start)
    if nd.method in (METHOD_ARP, METHOD_ND_NSOL):
        s += ' method: %s' % ('arp' if nd.method == METHOD_ARP
                              else 'ipv6 nsol')
        s += ', attempts: %d, wait: %ds, replyc: %d, iface: %s\n' % (
            nd.attempts, nd.wait, nd.replyc,
            '(null)' if nd.ifname is None else nd.ifname)
        s += ' our-mac: %s\n' % addr_str(nd.src_mac)
        s += ' flags: 0x%02x' % nd.flags
        if nd.flags:
            s += ' (%s%s )' % (
                ' all-attempts' if nd.flags & FLAG_ALLATTEMPTS else '',
                ' first-response' if nd.flags & FLAG_FIRSTRESPONSE else '')
        s += '\n query:  who-has %s' % addr_str(nd.dst_ip)
        if nd.src_ip is not None:
            s += ' tell %s' % addr_str(nd.src_ip)
        if nd.dst_mac is not None:
            # scamper formats both into one buffer: the MAC shows twice
            mac = addr_str(nd.dst_mac)
            s += ' result: %s is-at %s\n' % (mac, mac)
    for i, p in enumerate(nd.probes):
        s += ' probe: %d, tx: %d.%06d\n' % (i, *usec(p.tx))
        for r in p.replies:
            rtt = round(r.rx * 1000000) - round(p.tx * 1000000)
            s += '  reply: %d, rtt: %d.%06d, mac: %s\n' % (
                i, *divmod(rtt, 1000000), addr_str(r.mac))
    return s + '\n'
