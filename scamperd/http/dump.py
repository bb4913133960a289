"""sc_wartsdump's output for an http, as newer scamper prints it
(dump_http in utils/sc_wartsdump/sc_wartsdump.c, 2026)."""

import base64

from scamperd.http.result import (BUF_NAMES, DEFAULT_PORTS, DIR_NAMES,
                                  ECH_NAMES, FLAG_GREASE, FLAG_INSECURE,
                                  STOP_NAMES, TYPE_NAMES)
from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line, usec)
from scamperd.udpprobe.dump import wait_str


def name(names, i):
    """A code's name, or its number (scamper's buffer type names read past
    their table instead; its other tables give the number)."""
    return names[i] if i < len(names) else str(i)


def url(http):
    """scamper_http_url_get, or None; scamper's own format ends in a
    newline that its buffer has no room for."""
    if http.host is None or http.file is None or http.type > 1:
        return None
    port = ''
    if http.dport != DEFAULT_PORTS[http.type]:
        port = ':%d' % http.dport
    return '%s://%s%s%s' % (TYPE_NAMES[http.type], http.host, port, http.file)


def since(t, start):
    sec, us = divmod(round(t * 1000000) - round(start * 1000000), 1000000)
    return '%d.%06d' % (i32(sec & 0xffffffff), us)


def printable(data):
    return ''.join(chr(b) if 32 <= b < 127 else '.' for b in data)


def buf_line(b, start):
    """The time since the start, direction, type:length, and the first 16
    bytes in hex and as characters."""
    s = '  %s %s %-10s' % (since(b.tv, start), name(DIR_NAMES, b.dir),
                           '%s:%d' % (name(BUF_NAMES, b.type), len(b.data)))
    if b.data:
        s += '%-32s  |%s|' % (b.data[:16].hex(), printable(b.data[:16]))
    return s + '\n'


def format(http):
    s = 'http'
    if http.src is not None:
        s += ' from %s' % addr_str(http.src)
    s += ' to %s\n' % addr_str(http.dst) + list_cycle(http)
    s += ' user-id: %d\n' % i32(http.userid)
    s += timeval_line('start', http.start)
    s += ' sport: %d, dport: %d\n' % (http.sport, http.dport)
    if http.flags:
        s += ' flags: 0x%x (%s%s )\n' % (
            http.flags, ' insecure' if http.flags & FLAG_INSECURE else '',
            ' grease' if http.flags & FLAG_GREASE else '')
    s += ' maxtime: %s' % wait_str(http.maxtime)
    if http.hsrtt:
        s += ', hs-rtt: %d.%06d' % usec(http.hsrtt)
    s += ', stop: %s' % name(STOP_NAMES, http.stop)
    code = http.status_code()
    if code is not None:
        s += ', http-status-code: %d' % code
    s += '\n'
    ech = []
    if http.ech_status:
        ech.append(' ech-status: %s' % name(ECH_NAMES, http.ech_status))
    if http.ech_outer_sni is not None:
        ech.append(' ech-outer-sni: %s' % http.ech_outer_sni)
    if ech:
        s += ','.join(ech) + '\n'
    for label, data in (('ech-config-list', http.ech_config_list),
                        ('ech-retry-config', http.ech_retry_config)):
        if data:
            s += ' %s: %s\n' % (label, base64.b64encode(data).decode())
    if http.errmsg is not None:
        s += ' errmsg: %s\n' % http.errmsg
    u = url(http)
    if u is not None:
        s += ' url: %s\n' % u
    if http.headers:
        s += ' headers:\n' + ''.join('  %s\n' % h for h in http.headers)
    if http.bufs:
        s += ' exchange:\n' + ''.join(buf_line(b, http.start)
                                      for b in http.bufs)
    return s
