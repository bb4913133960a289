"""Cycle records in JSON output against Debian scamper 20211212."""

import json
import pathlib

from scamperd.listcycle import (Cycle, ScamperList, cycle_start_json,
                                cycle_stop_json)

DATA = pathlib.Path(__file__).parent / 'data' / 'output'


def golden_cycle_lines():
    lines = []
    for path in sorted(DATA.glob('*.json')):
        lines += [ln for ln in path.read_text().splitlines()
                  if '"type":"cycle-' in ln]
    return lines


def test_cycle_lines_match_scamper():
    lines = golden_cycle_lines()
    assert len(lines) >= 40
    for line in lines:
        o = json.loads(line)
        cycle = Cycle(list=ScamperList(name=o['list_name']), id=o['id'],
                      hostname=o.get('hostname'))
        if o['type'] == 'cycle-start':
            cycle.start = o['start_time'] + 0.75
            assert cycle_start_json(cycle) == line
        else:
            cycle.stop = o['stop_time']
            assert cycle_stop_json(cycle) == line


def test_cycle_without_hostname():
    cycle = Cycle(list=ScamperList(id=3, name='mylist', descr='d'), id=7,
                  start=1795786774, stop=1795786775)
    assert cycle_start_json(cycle) == \
        '{"type":"cycle-start", "list_name":"mylist", "id":7, ' \
        '"start_time":1795786774}'
    assert cycle_stop_json(cycle) == \
        '{"type":"cycle-stop", "list_name":"mylist", "id":7, ' \
        '"stop_time":1795786775}'
