"""Warts in the lab, against Debian's scamper 20211212: our -O warts files
read by sc_warts2json and sc_wartsdump, real scamper's files read by us,
and the same measurement written by both carrying the same fields."""

import bz2
import gzip
import json
import lzma
import re
import subprocess
import time

import pytest

from ours import ours, ours_json
from scamperd import listcycle
from scamperd.listcycle import Cycle, ScamperList
from scamperd.ping.result import Ping
from scamperd.trace.result import Trace
from scamperd.warts import ScamperFile
from scamperd.warts.cycle import CycleStop

WARTS2JSON = '/usr/bin/sc_warts2json'
WARTS2TEXT = '/usr/bin/sc_warts2text'
WARTSDUMP = '/usr/bin/sc_wartsdump'


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv('TZ', 'UTC')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def commands(lab):
    t4, t6 = lab.target4, lab.target6
    return ['trace %s' % t4, 'trace -P icmp-paris %s' % t6,
            'trace -P tcp -d 80 %s' % t4, 'trace -M %s' % t4,
            'ping -c 2 -i 0.2 %s' % t4, 'ping -c 2 -i 0.2 %s' % t6,
            'ping -c 1 -R %s' % t4, 'ping -c 1 -T tsandaddr %s' % t4,
            'ping -c 1 -P udp %s' % t4, 'ping -c 1 -P tcp-syn -d 80 %s' % t4]


def tool(prog, data):
    """A Debian tool reading warts from stdin; it must not complain."""
    p = subprocess.run([prog], input=data, capture_output=True, timeout=30)
    assert p.returncode == 0 and p.stderr == b'', p.stderr
    return p.stdout.decode()


def our_json(path):
    """Our reader's JSON lines for a file (sc_warts2json's choice of
    objects: cycles and results, no list)."""
    with ScamperFile(str(path)) as f:
        return [listcycle.cycle_start_json(o) if isinstance(o, Cycle)
                else o.to_json() for o in f if not isinstance(o, ScamperList)]


def I(lab):
    return [a for c in commands(lab) for a in ('-I', c)]


def test_our_warts_read_by_scamper_tools(lab_line, real_scamper, tmp_path):
    path = tmp_path / 'ours.warts'
    ours(lab_line, '-O', 'warts', '-o', str(path), '-M', 'mon.example',
         '-l', 'mylist', '-L', '7', '-C', '42', *I(lab_line))
    data = path.read_bytes()
    lines = tool(WARTS2JSON, data).splitlines()
    assert lines == our_json(path)
    objs = [json.loads(x) for x in lines]
    assert [o['type'] for o in objs].count('trace') == 4
    assert [o['type'] for o in objs].count('ping') == 6
    assert objs[0] == {'type': 'cycle-start', 'list_name': 'mylist',
                       'id': 42, 'hostname': objs[0]['hostname'],
                       'start_time': objs[0]['start_time']}
    dump = tool(WARTSDUMP, data)
    assert dump.startswith('list id 7, name mylist, descr "default"\n'
                           'cycle start, list mylist 7, cycle 42')
    assert dump.count('monitor: mon.example') == 10
    with ScamperFile(str(path)) as f:
        text = ''.join(o.to_text() for o in f if isinstance(o, (Trace, Ping)))
    assert tool(WARTS2TEXT, data) == text

    # the same measurements in our -O json: the same keys, hops, replies
    mine = [o for o in ours_json(lab_line, *I(lab_line))
            if o['type'] in ('trace', 'ping')]
    key = lambda o: (o['type'], o['dst'], o['method'],
                     'RR' in json.dumps(o), 'tsandaddr' in json.dumps(o))
    warts = sorted((o for o in objs if o['type'] in ('trace', 'ping')),
                   key=key)
    for a, b in zip(warts, sorted(mine, key=key)):
        assert key(a) == key(b)
        assert list(a) == list(b)
        if a['type'] == 'trace':
            assert [h['addr'] for h in a['hops']] == \
                [h['addr'] for h in b['hops']]
            assert [list(h) for h in a['hops']] == [list(h) for h in b['hops']]
        else:
            assert [list(r) for r in a['responses']] == \
                [list(r) for r in b['responses']]


@pytest.mark.parametrize('kind,unpack', [('warts.gz', gzip.decompress),
                                         ('warts.bz2', bz2.decompress),
                                         ('warts.xz', lzma.decompress)])
def test_compressed_output(lab_line, tmp_path, kind, unpack):
    path = tmp_path / ('ours.' + kind)
    ours(lab_line, '-O', kind, '-o', str(path), '-c', 'ping -c 1',
         '-i', lab_line.target4, lab_line.target6)
    lines = tool(WARTS2JSON, unpack(path.read_bytes())).splitlines()
    assert [json.loads(x)['type'] for x in lines] == \
        ['cycle-start', 'ping', 'ping', 'cycle-stop']
    assert lines == our_json(path)


DOUBLETREE = ('trace -f 3 -Z lss1 -z 198.18.2.2 203.0.113.20',
              'trace -f 3 -Z lss1 203.0.113.21', 'trace -N 3 203.0.113.22')


@pytest.mark.parametrize('lab,extra', [('lab_line', DOUBLETREE),
                                       ('lab_mtu', ('trace -M 203.0.113.23',
                                                    'trace -M 2001:db8:203::23'
                                                    ))])
def test_real_scamper_warts_read_by_us(lab, extra, real_scamper, tmp_path,
                                       request):
    """Our reader gives what sc_warts2json and sc_warts2text print, and
    our writer writes the objects read back byte for byte (doubletree,
    PMTUD with packet-too-big notes, squeries included)."""
    lab = request.getfixturevalue(lab)
    path = tmp_path / 'real.warts'
    real_scamper.run(lab, '-O', 'warts', '-o', str(path), '-M',
                     'mon.example', *I(lab), *(a for c in extra
                                                for a in ('-I', c)))
    data = path.read_bytes()
    assert tool(WARTS2JSON, data).splitlines() == our_json(path)
    with ScamperFile(str(path)) as f:
        objs = list(f)
    assert isinstance(objs[-1], CycleStop)
    traces = [o for o in objs if isinstance(o, Trace)]
    if extra is DOUBLETREE:
        assert sum(t.dtree is not None for t in traces) == 2
        assert any(t.dtree and t.dtree.lss_stop for t in traces)
        assert any(t.squeries == 3 for t in traces)
    else:
        assert sum(bool(t.pmtud and t.pmtud.notes) for t in traces) == 3
    text = ''.join(o.to_text() for o in objs if isinstance(o, (Trace, Ping)))
    assert tool(WARTS2TEXT, data) == text
    # and what we read, written again, is what scamper wrote
    again = tmp_path / 'again.warts'
    with ScamperFile(str(again), 'w') as w:
        for o in objs:
            w.write(o)
    assert again.read_bytes() == data


TIME = re.compile(r'\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}')
NUMBER = re.compile(r'0x[0-9a-f]+|\d+')
SPACES = re.compile(r'[ \t]+')


HOP_FLAGS = re.compile(r'^( flags: #) \(.*\)$', re.M)


def shapes(dump):
    """sc_wartsdump output by object, with values (hop flags included),
    times, ports and ids masked: what is left names the fields an object
    carries."""
    blocks = re.split(r'^(?=traceroute from |ping from )', dump, flags=re.M)
    out = []
    for b in blocks[1:]:
        b = NUMBER.sub('#', TIME.sub('TIME', b.split('\ncycle stop')[0]))
        out.append(HOP_FLAGS.sub(r'\1', SPACES.sub(' ', b)).strip())
    return sorted(out)


def test_same_fields_as_scamper(lab_line, real_scamper, tmp_path):
    args = ('-M', 'mon.example', '-l', 'mylist', '-L', '7', '-C', '42',
            *I(lab_line))
    theirs = real_scamper.wartsdump(lab_line, *args)
    path = tmp_path / 'ours.warts'
    ours(lab_line, '-O', 'warts', '-o', str(path), *args)
    mine = tool(WARTSDUMP, path.read_bytes())
    # the list and cycle-start lines
    assert [TIME.sub('TIME', x) for x in mine.splitlines()[:2]] == \
        [TIME.sub('TIME', x) for x in theirs.splitlines()[:2]]
    assert shapes(mine) == shapes(theirs)


def test_default_list_and_cycle_as_scamper(lab_line, real_scamper, tmp_path):
    """Without -l -L -C: list 'default' (id 0, descr 'default'), cycle 0."""
    args = ('-c', 'ping -c 1', '-i', lab_line.target4)
    theirs = real_scamper.wartsdump(lab_line, *args).splitlines()
    path = tmp_path / 'ours.warts'
    ours(lab_line, '-O', 'warts', '-o', str(path), *args)
    mine = tool(WARTSDUMP, path.read_bytes()).splitlines()
    assert [TIME.sub('TIME', x) for x in mine[:2]] == \
        [TIME.sub('TIME', x) for x in theirs[:2]] == \
        ['list id 0, name default, descr "default"',
         'cycle start, list default 0, cycle 0, time TIME']
