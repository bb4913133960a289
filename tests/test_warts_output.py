"""-O warts without a network: the options, and the bytes the supervisor
and workers put together (scamperd/output.py) against a file Debian's
scamper wrote."""

import gzip
import pathlib
import subprocess

import pytest

from scamper_cli.options import parse
from scamperd import output
from scamperd.listcycle import Cycle, ScamperList
from scamperd.warts import ScamperFile

DATA = pathlib.Path(__file__).parent / 'data' / 'output'


@pytest.mark.parametrize('kind', output.WARTS)
def test_options_accept_the_warts_kinds(kind):
    assert parse(['-O', kind, '-i', '192.0.2.1']).format == kind


def golden(case):
    with ScamperFile(str(DATA / (case + '.warts'))) as f:
        return list(f)


@pytest.mark.parametrize('case', ['trace-pmtud', 'ping-tsandaddr',
                                  'trace6-udp-paris', 'ping6-tcp-syn'])
def test_output_stream_as_scamper_writes_it(case):
    """The cycle scamper's command line makes, the records around the
    worker's result: the very bytes of scamper's file."""
    _, gcycle, result, stop = golden(case)
    cycle = Cycle(ScamperList(id=0, name='default', descr='default'),
                  id=0, start=gcycle.start, hostname=gcycle.hostname)
    data = output.cycle_start(cycle, 'warts')
    data += output.format_result(result, 'warts', {'id': 1})
    cycle.stop = stop.stop
    data += output.cycle_stop(cycle, 'warts')
    assert data == (DATA / (case + '.warts')).read_bytes()

    z = output.compressor('warts.gz')
    packed = z.compress(data) + z.flush()
    assert gzip.decompress(packed) == data
    p = subprocess.run(['/usr/bin/sc_warts2json'], input=data,
                       capture_output=True, check=True, env={'TZ': 'UTC'})
    assert p.stdout == (DATA / (case + '.json')).read_bytes()
