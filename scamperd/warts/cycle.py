"""Warts list (type 1), cycle start / definition (2, 3) and cycle stop (4)
records for scamperd.listcycle objects (docs/warts-format.md §6).

Records carry ids the file assigns (1, 2, ... in the order written); the
ids users give (-L, -C) are stored beside them.
"""

from scamperd.listcycle import Cycle, ScamperList, cycle_stop_json
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import (OBJ_CYCLE_DEF, OBJ_CYCLE_START,
                                 OBJ_CYCLE_STOP, OBJ_LIST, frame, register)


class CycleStop:
    """The end of a cycle: the Cycle its start record made, and the stop
    time (epoch seconds)."""

    __slots__ = ('cycle', 'stop')

    def __init__(self, cycle, stop):
        self.cycle = cycle
        self.stop = stop

    def to_json(self):
        """The line sc_warts2json prints for a cycle stop."""
        c = self.cycle
        return cycle_stop_json(Cycle(c.list, c.id, c.start, self.stop,
                                     c.hostname))

    def to_dump(self):
        """What sc_wartsdump prints for a cycle stop."""
        from scamperd.warts.dump import cycle_stop_dump
        return cycle_stop_dump(self)

    def __repr__(self):
        return 'CycleStop(cycle id %d, stop %d)' % (self.cycle.id, self.stop)


def list_key(lst):
    """What makes two lists the same one in a file (scamper_list_cmp)."""
    return (lst.id, lst.name, lst.descr, lst.monitor)


def cycle_key(cycle):
    """What makes two cycles the same one in a file (scamper_cycle_cmp)."""
    return (list_key(cycle.list), cycle.id, int(cycle.start), cycle.hostname)


# --- writing ---------------------------------------------------------------

def list_record(file_id, lst):
    vals = []
    if lst.descr is not None:
        vals.append((1, C.string(lst.descr)))
    if lst.monitor is not None:
        vals.append((2, C.string(lst.monitor)))
    body = (C.u32(file_id) + C.u32(lst.id) + C.string(lst.name)
            + C.params_bytes(vals))
    return frame(OBJ_LIST, body)


def cycle_record(file_id, list_file_id, cycle, otype=OBJ_CYCLE_START):
    vals = []
    if cycle.stop:
        vals.append((1, C.u32(int(cycle.stop))))
    if cycle.hostname is not None:
        vals.append((2, C.string(cycle.hostname)))
    body = (C.u32(file_id) + C.u32(list_file_id) + C.u32(cycle.id)
            + C.u32(int(cycle.start)) + C.params_bytes(vals))
    return frame(otype, body)


def cycle_stop_record(file_id, stop):
    return frame(OBJ_CYCLE_STOP, C.u32(file_id) + C.u32(int(stop)) + b'\0')


# --- reading ---------------------------------------------------------------

def _file_id(cur, table):
    p = cur.pos
    fid = cur.u32()
    if fid != len(table) + 1:
        raise WartsError('id %d out of sequence (expected %d)'
                         % (fid, len(table) + 1), p)
    return fid


def decode_list(cur, state):
    fid = _file_id(cur, state.lists)
    uid = cur.u32()
    name = cur.string()
    vals = C.params(cur, ('string', 'string'))
    lst = ScamperList(id=uid, name=name, descr=vals.get(1),
                      monitor=vals.get(2))
    state.lists[fid] = lst
    return lst


def decode_cycle(cur, state):
    fid = _file_id(cur, state.cycles)
    p = cur.pos
    lid = cur.u32()
    if lid != 0 and lid not in state.lists:
        raise WartsError('cycle of unknown list %d' % lid, p)
    lst = state.lists.get(lid) or ScamperList(name='')
    uid = cur.u32()
    start = cur.u32()
    vals = C.params(cur, ('u32', 'string'))
    cycle = Cycle(lst, id=uid, start=start, stop=vals.get(1, 0),
                  hostname=vals.get(2))
    state.cycles[fid] = cycle
    return cycle


def decode_cycle_stop(cur, state):
    p = cur.pos
    fid = cur.u32()
    cycle = state.cycles.get(fid)
    if cycle is None:
        raise WartsError('stop of unknown cycle %d' % fid, p)
    stop = cur.u32()
    if cur.pos < cur.end:
        C.params(cur, ())
    state.cycles[fid] = None     # objects may not refer to it any more
    return CycleStop(cycle, stop)


register(OBJ_LIST, decode=decode_list)
register(OBJ_CYCLE_START, decode=decode_cycle)
register(OBJ_CYCLE_DEF, decode=decode_cycle)
register(OBJ_CYCLE_STOP, decode=decode_cycle_stop)
