"""Files written by scamper 2026 (tests/data/scamper2026, made by a newer
scamper build in our labs: see make.py there) for types scamper 20211212
also writes: our reader takes every object, and what we print for each
(20211212's JSON) agrees with what that build's sc_warts2json printed on
every key both print.  scamper 2026 prints more keys; it prints tracelb's
wait_probe in centiseconds where 20211212 prints milliseconds."""

import json
import pathlib

import pytest
from wartsgold import read, read_bytes, utc, write  # noqa: F401 (utc)

HERE = pathlib.Path(__file__).parent / 'data' / 'scamper2026'
CASES = sorted(p.stem for p in HERE.glob('*.warts'))
# (object type, key path): how 20211212's value follows from 2026's
KNOWN = {('tracelb', '/wait_probe'): lambda new: new * 10}


def differences(ours, new, path=''):
    """(kind, path) of keys only we print, and of values that differ, on
    the keys both print; list indexes become []."""
    out = []
    if isinstance(ours, dict) and isinstance(new, dict):
        for k in ours:
            if k not in new:
                out.append(('only ours', path + '/' + k, None, None))
            else:
                out += differences(ours[k], new[k], path + '/' + k)
    elif isinstance(ours, list) and isinstance(new, list):
        if len(ours) != len(new):
            out.append(('length', path, len(ours), len(new)))
        for a, b in zip(ours, new):
            out += differences(a, b, path + '[]')
    elif ours != new:
        out.append(('value', path, ours, new))
    return out


def test_the_files_are_all_here():
    assert len(CASES) == 12
    kinds = {c.split('-')[0] for c in CASES}
    assert kinds == {'trace', 'ping', 'tracelb', 'dealias'}


@pytest.mark.parametrize('name', CASES)
def test_read_and_printed_as_scamper_2026_prints_them(name):
    objs = read(HERE / (name + '.warts'))
    new = [json.loads(l) for l in
           (HERE / (name + '.json2026')).read_text().splitlines()]
    ours = [json.loads(o.to_json()) for o in objs
            if getattr(o, 'to_json', None)]
    assert [o['type'] for o in ours] == [o['type'] for o in new]
    assert len(ours) == 3       # cycle start, the measurement, cycle stop
    for a, b in zip(ours, new):
        for kind, path, mine, theirs in differences(a, b):
            convert = KNOWN.get((a['type'], path))
            assert kind == 'value' and convert is not None and \
                convert(theirs) == mine, (kind, path, mine, theirs)


@pytest.mark.parametrize('name', CASES)
def test_rewritten_by_us_and_read_again(name):
    objs = read(HERE / (name + '.warts'))
    again = read_bytes(write(objs))
    assert [o.to_json() for o in again if getattr(o, 'to_json', None)] == \
        [o.to_json() for o in objs if getattr(o, 'to_json', None)]


def test_newer_keys_exist_so_the_comparison_is_not_empty():
    """The comparison above runs over real content: the measurement's
    own keys (addresses, RTTs) are among those both print."""
    new = json.loads((HERE / 'trace-udp-paris.json2026').read_text()
                     .splitlines()[1])
    (trace,) = [o for o in read(HERE / 'trace-udp-paris.warts')
                if type(o).__name__ == 'Trace']
    ours = json.loads(trace.to_json())
    assert ours['hops'] and [h['addr'] for h in ours['hops']] == \
        [h['addr'] for h in new['hops']]
    assert [h['rtt'] for h in ours['hops']] == \
        [h['rtt'] for h in new['hops']]
