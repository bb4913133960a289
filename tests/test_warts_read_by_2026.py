"""scamper 2026's tools read the tbit and sting warts we write: files our
scamper wrote in the lab (tests/data/read2026, see make.py there) with
what scamper 2026's sc_warts2json and sc_wartsdump printed for them.  Our
writer gives those files' bytes back from what our reader takes; scamper
2026 prints for each tbit what we print, on every key both print; its
dump names the same result and lists every packet; and Debian's tools
read them too."""

import json
import pathlib
import re
import subprocess

import pytest
from test_warts_scamper2026 import differences
from wartsgold import read, utc, write  # noqa: F401 (utc)

from scamperd.sting.result import PKT_FLAG_TX, Sting
from scamperd.tbit.result import RESULT_NAMES, Tbit

HERE = pathlib.Path(__file__).parent / 'data' / 'read2026'
CASES = sorted(p.stem for p in HERE.glob('*.warts'))


def measurement(name):
    (obj,) = [o for o in read(HERE / (name + '.warts'))
              if isinstance(o, (Tbit, Sting))]
    return obj


def sent(obj, pkt):
    if isinstance(obj, Sting):
        return bool(pkt.flags & PKT_FLAG_TX)
    return pkt.dir == 1


def test_the_files_are_all_here():
    assert len(CASES) == 10
    assert {c.split('-')[0] for c in CASES} == {'tbit', 'sting'}


@pytest.mark.parametrize('name', CASES)
def test_our_writer_gives_the_bytes_back(name):
    data = (HERE / (name + '.warts')).read_bytes()
    assert write(read(HERE / (name + '.warts'))) == data


@pytest.mark.parametrize('name', [c for c in CASES if c.startswith('tbit')])
def test_scamper_2026_json_agrees_with_ours(name):
    new = [json.loads(line) for line in
           (HERE / (name + '.json2026')).read_text().splitlines()]
    ours = [json.loads(o.to_json()) for o in read(HERE / (name + '.warts'))
            if getattr(o, 'to_json', None)]
    assert [o['type'] for o in ours] == [o['type'] for o in new]
    (t,) = [o for o in new if o['type'] == 'tbit']
    assert len(t['pkts']) > 10
    for a, b in zip(ours, new):
        assert differences(a, b) == []


@pytest.mark.parametrize('name', CASES)
def test_scamper_2026_dump_lists_every_packet(name):
    obj = measurement(name)
    dump = (HERE / (name + '.dump2026')).read_text()
    pkts = re.findall(r'^ \[ *\d+\.\d{3}\] ([TR]X) ', dump, re.M)
    assert pkts == [('TX' if sent(obj, p) else 'RX') for p in obj.pkts]
    if isinstance(obj, Tbit):
        assert ', result: %s\n' % RESULT_NAMES[obj.result] in dump
    else:
        assert 'dataackc: %d, holec: %d\n' % (obj.dataackc, obj.holec) \
            in dump


@pytest.mark.parametrize('name', CASES)
def test_debian_reads_them(name):
    obj = measurement(name)
    p = subprocess.run(['/usr/bin/sc_wartsdump', str(HERE / (name + '.warts'))],
                       capture_output=True, text=True, env={'TZ': 'UTC'},
                       check=True)
    assert p.stderr == ''
    assert len(re.findall(r'^ \[ *\d+\.\d{3}\] [TR]X ', p.stdout, re.M)) \
        == len(obj.pkts)
