"""sc_wartsdump's layout for lists and cycle records, and the helpers the
per-type dumps share (utils/sc_wartsdump/sc_wartsdump.c in scamper
20211212).  Times are printed with ctime(), in local time, as
sc_wartsdump prints them."""

import time


TCP_FLAG_NAMES = ('fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr')


def usec(t):
    """Float epoch seconds (None or 0 for unset) -> integer microseconds."""
    return round(t * 1000000) if t else 0


def ctime(sec):
    return time.ctime(sec)


def timeval_line(label, t):
    sec, us = divmod(usec(t), 1000000)
    return ' %s: %s %06d\n' % (label, ctime(sec), us)


def offset_str(us):
    """A non-negative microsecond difference as "%d.%06ds"."""
    return '%d.%06ds' % divmod(us, 1000000)


def tcp_flags_str(flags):
    """dump_tcp_flags: " ( syn ack )", or nothing for no flags."""
    if not flags:
        return ''
    return ' (%s )' % ''.join(' ' + n for i, n in enumerate(TCP_FLAG_NAMES)
                              if flags & (1 << i))


def summary(obj):
    """The list and cycle lines of a trace or ping."""
    s = ''
    lst = obj.list
    if lst is not None:
        s += ' list id: %d' % lst.id
        if lst.name is not None:
            s += ', name: %s' % lst.name
        if lst.monitor is not None:
            s += ', monitor: %s' % lst.monitor
        s += '\n'
    if obj.cycle is not None:
        s += ' cycle id: %d\n' % obj.cycle.id
    return s


def list_dump(lst):
    s = 'list id %d, name %s' % (lst.id, lst.name)
    if lst.descr is not None:
        s += ', descr "%s"' % lst.descr
    return s + '\n'


def cycle_dump(cycle, kind='start', when=None):
    """A cycle start, def(inition) or stop line."""
    if when is None:
        when = cycle.start
    return 'cycle %s, list %s %d, cycle %d, time %s\n' % (
        kind, cycle.list.name, cycle.list.id, cycle.id, ctime(int(when)))


def cycle_stop_dump(stop):
    return cycle_dump(stop.cycle, 'stop', stop.stop)
