"""Lists and cycles (scamper_list_t, scamper_cycle_t), and the lines scamper
20211212 prints for a cycle in JSON mode (scamper_file_json.c).  In text
mode scamper prints nothing for lists or cycles."""


class ScamperList:
    def __init__(self, id=0, name='default', descr=None, monitor=None):
        self.id = id
        self.name = name
        self.descr = descr
        self.monitor = monitor

    def to_dump(self):
        """What sc_wartsdump prints for a list record."""
        from scamperd.warts.dump import list_dump
        return list_dump(self)


class Cycle:
    """``start`` and ``stop`` are epoch seconds (stop is 0 until the cycle
    ends); ``hostname`` is the name of the host that ran it, or None."""

    def __init__(self, list, id=0, start=0, stop=0, hostname=None):
        self.list = list
        self.id = id
        self.start = start
        self.stop = stop
        self.hostname = hostname

    def to_json(self):
        """The line sc_warts2json prints for a cycle start."""
        return cycle_start_json(self)

    def to_dump(self, kind='start'):
        """What sc_wartsdump prints for a cycle start (or, with kind
        'def', a cycle definition record)."""
        from scamperd.warts.dump import cycle_dump
        return cycle_dump(self, kind)


def cycle_json(kind, cycle, key, when):
    s = '{"type":"%s", "list_name":"%s", "id":%u' % (kind, cycle.list.name,
                                                      cycle.id)
    if cycle.hostname is not None:
        s += ', "hostname":"%s"' % cycle.hostname
    return s + ', "%s":%u}' % (key, int(when))


def cycle_start_json(cycle):
    """The cycle-start line, without a trailing newline."""
    return cycle_json('cycle-start', cycle, 'start_time', cycle.start)


def cycle_stop_json(cycle):
    """The cycle-stop line, without a trailing newline."""
    return cycle_json('cycle-stop', cycle, 'stop_time', cycle.stop)
