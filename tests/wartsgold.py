"""The harness the per-type warts golden tests share: a type's files in
tests/data/<kind> that scamper wrote (case.warts) with what its converters
printed for them (case.json, case.txt, case.dump), and the tests that
compare ours with them.

    G = Goldens('sting', Sting)
    test_rewriting_gives_the_same_bytes = G.rewriting_test(G.cases)

A module that imports ``utc`` from here has its tests run in UTC."""

import io
import pathlib
import subprocess
import time

import pytest

from scamperd.warts import ScamperFile
from scamperd.warts import file as F
from scamperd.warts.api import WartsWriter

ROOT = pathlib.Path(__file__).parent / 'data'
CONVERTERS = ('sc_warts2json', 'sc_warts2text', 'sc_wartsdump')


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """The goldens' times are in local time; they were made in UTC."""
    monkeypatch.setenv('TZ', 'UTC')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def read(path):
    with ScamperFile(str(path)) as f:
        return list(f)


def read_bytes(data):
    return [o for _, _, o in F.read_objects(io.BytesIO(data))]


def write(objs):
    buf = io.BytesIO()
    w = WartsWriter(buf)
    for o in objs:
        w.write(o)
    w.close()
    return buf.getvalue()


def scamper_outputs(data, tmp_path):
    """What Debian's sc_warts2json, sc_warts2text and sc_wartsdump print
    for the warts bytes ``data``."""
    path = tmp_path / 'x.warts'
    path.write_bytes(data)
    return [subprocess.run(['/usr/bin/' + tool, str(path)], env={'TZ': 'UTC'},
                           capture_output=True, text=True, check=True).stdout
            for tool in CONVERTERS]


class Goldens:
    """The golden files of one type (objects of class ``cls``)."""

    def __init__(self, kind, cls):
        self.data = ROOT / kind
        self.cls = cls
        # case.fixed.warts is a corrected copy of case.warts, not a case
        self.cases = sorted(p.name[:-6] for p in self.data.glob('*.warts')
                            if not p.name.endswith('.fixed.warts'))

    def path(self, case):
        return self.data / (case + '.warts')

    def readable(self, case):
        """The file scamper's converters could read: the corrected copy
        where scamper's own file has a slip."""
        fixed = self.data / (case + '.fixed.warts')
        return fixed if fixed.exists() else self.path(case)

    def objects(self, case):
        return [o for o in read(self.path(case)) if isinstance(o, self.cls)]

    def golden(self, case, ext):
        """A converter's output: of the corrected copy where there is one."""
        fixed = self.data / (case + '.fixed' + ext)
        path = fixed if fixed.exists() else self.data / (case + ext)
        return path.read_text()

    def json_test(self, cases):
        @pytest.mark.parametrize('case', cases)
        def test(case):
            lines = self.golden(case, '.json').splitlines()
            # the cycle start and stop lines come around them
            assert [o.to_json() for o in self.objects(case)] == lines[1:-1]
        return test

    def no_json_test(self, cases):
        """scamper's sc_warts2json prints nothing for these objects."""
        @pytest.mark.parametrize('case', cases)
        def test(case):
            objs = self.objects(case)
            assert objs and all(o.to_json() is None for o in objs)
            assert len(self.golden(case, '.json').splitlines()) == 2
        return test

    def text_test(self, cases):
        @pytest.mark.parametrize('case', cases)
        def test(case):
            assert ''.join(o.to_text() for o in self.objects(case)) == \
                self.golden(case, '.txt')
        return test

    def dump_test(self, cases):
        @pytest.mark.parametrize('case', cases)
        def test(case):
            lines = self.golden(case, '.dump').splitlines(keepends=True)
            # sc_wartsdump's list, cycle start and stop lines come around
            assert ''.join(o.to_dump() for o in self.objects(case)) == \
                ''.join(lines[2:-1])
        return test

    def rewriting_test(self, cases):
        @pytest.mark.parametrize('case', cases)
        def test(case):
            assert write(read(self.path(case))) == \
                self.readable(case).read_bytes()
        return test
