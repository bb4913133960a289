"""The outputs of neighbourdisc, tbit, sting, sniff, host, http, udpprobe
and owamp objects never fail on what the reader accepts: mutated golden files
(tests/data/<type>/) that still decode give text, JSON and dump output
without exceptions (scamper's formatters read past short packets; ours
read zeros)."""

import io
import pathlib

from hypothesis import HealthCheck, given, settings, strategies as st

from scamperd.host.result import Host
from scamperd.http.result import Http
from scamperd.neighbourdisc.result import Neighbourdisc
from scamperd.owamp.result import Owamp
from scamperd.sniff.result import Sniff
from scamperd.sting.result import Sting
from scamperd.tbit.result import Tbit
from scamperd.udpprobe.result import Udpprobe
from scamperd.warts import WartsError
from scamperd.warts import file as F

DATA = pathlib.Path(__file__).parent / 'data'
TYPES = (Neighbourdisc, Tbit, Sting, Sniff, Host, Http, Udpprobe, Owamp)
KINDS = ('neighbourdisc', 'tbit', 'sting', 'sniff', 'host', 'http', 'udpprobe',
         'owamp')
GOLDEN = [p.read_bytes() for d in KINDS
          for p in sorted((DATA / d).glob('*.warts'))]


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(GOLDEN)))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            data[i] ^= 1 << draw(st.integers(0, 7))
        else:
            data[i] = draw(st.sampled_from((0, 1, 0x3f, 0x45, 0x60, 0xff)))
    return bytes(data)


def test_the_seeds_are_there():
    assert len(GOLDEN) >= 20


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_outputs_of_mutated_objects(data):
    objs = []
    try:
        for _, _, o in F.read_objects(io.BytesIO(data)):
            objs.append(o)
    except WartsError:
        pass
    for o in objs:
        if isinstance(o, TYPES):
            assert isinstance(o.to_dump(), str)
            assert isinstance(o.to_text(), str)
            assert o.to_json() is None or isinstance(o.to_json(), str)
