"""sc_wartsdump's output for a DNS lookup (dump_host and dump_host_rr in
utils/sc_wartsdump/sc_wartsdump.c)."""

from scamperd.host.result import (CLASS_IN, DATA_ADDR, DATA_MX, DATA_STR,
                                  FLAG_NORECURSE, STOP_NAMES, TYPE_NAMES,
                                  data_type)
from scamperd.neighbourdisc.dump import (addr_str, i32, list_cycle,
                                         timeval_line)


def rr_line(rr, section):
    s = '  %s: %s %u ' % (section, '<null>' if rr.name is None else rr.name,
                          rr.ttl)
    s += 'IN' if rr.klass == CLASS_IN else '%d' % rr.klass
    # sc_wartsdump spells RRSIG "RRISG" here (and not in the query line)
    name = 'RRISG' if rr.type == 46 else TYPE_NAMES.get(rr.type)
    s += ' ' + (name or '%d' % rr.type)
    kind = data_type(rr.klass, rr.type) if rr.data is not None else None
    if kind == DATA_ADDR:
        s += ' ' + addr_str(rr.data)
    elif kind == DATA_STR:
        s += ' ' + rr.data
    elif kind == DATA_MX:
        s += ' %d %s' % (rr.data.preference, rr.data.exchange)
    return s + '\n'


def diff(a, b):
    return '%d.%06d' % divmod(round(b * 1000000) - round(a * 1000000),
                              1000000)


def format(h):
    s = 'host'
    if h.src is not None:
        s += ' from %s' % addr_str(h.src)
    s += ' to %s\n' % addr_str(h.dst) + list_cycle(h)
    s += ' user-id: %d\n' % i32(h.userid) + timeval_line('start', h.start)
    if h.flags:
        s += ' flags: %s\n' % ('norecurse' if h.flags & FLAG_NORECURSE
                               else '')
    s += ' wait: %ums, retries: %u\n' % (h.wait, h.retries)
    s += ' stop: %s\n' % STOP_NAMES.get(h.stop, '%04x' % h.stop)
    s += ' qname: %s, qclass: %s, qtype: %s\n' % (
        '(null)' if h.qname is None else h.qname,
        'IN' if h.qclass == CLASS_IN else '%d' % h.qclass,
        TYPE_NAMES.get(h.qtype, '%04x' % h.qtype))
    s += ' qcount: %d\n' % len(h.queries)
    for i, q in enumerate(h.queries):
        s += ' query: %u, id: %u, tx: %s, rtt: %s, an: %u, ns: %u, ar: %u\n' \
            % (i, q.id, diff(h.start, q.tx), diff(q.tx, q.rx), len(q.an),
               len(q.ns), len(q.ar))
        for section, rrs in (('an', q.an), ('ns', q.ns), ('ar', q.ar)):
            s += ''.join(rr_line(rr, section) for rr in rrs)
    return s + '\n'
