"""udpprobe warts objects (type 16, newer than scamper 20211212): files
written by a build of newer scamper (2026) in the lab, against what its
sc_warts2json and sc_wartsdump print (tests/data/udpprobe, made by
make.py there)."""

import io

import pytest
from wartsgold import Goldens, utc, write  # noqa: F401 (utc: autouse)

from scamperd.udpprobe.result import (FLAG_EXITFIRST, Udpprobe,
                                      UdpprobeProbe, UdpprobeReply)
from scamperd.udpprobe.warts import IfnameWriter, ifname_reader
from scamperd.warts import WartsError
from scamperd.warts import file as F
from scamperd.warts.codec import Cursor

G = Goldens('udpprobe', Udpprobe)
CASES = G.cases
probes = G.objects


def test_the_goldens_are_all_here():
    assert CASES == ['echo', 'exitfirst', 'monitor', 'multi', 'none', 'v6']


test_json_equals_newer_sc_warts2json = G.json_test(CASES)
test_dump_equals_newer_sc_wartsdump = G.dump_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


def test_what_scamper_wrote():
    (u,) = probes('multi')
    assert (u.probe_count, u.stop_count, u.userid, u.wait_probe) == \
        (3, 3, 9, 0.5)
    assert [len(p.replies) for p in u.probes] == [2, 2, 2]
    assert u.probes[0].tx == u.start and u.data == bytes(range(30))
    assert all(r.ifname == 'r1' and r.data.startswith((b'echo:', b'again'))
               for p in u.probes for r in p.replies)
    (u,) = probes('exitfirst')
    assert u.flags == FLAG_EXITFIRST and len(u.probes) == 1
    (u,) = probes('none')
    assert u.probes[0].replies == [] and u.wait_timeout == 0.5
    assert len(probes('v6')[0].dst) == 16


def test_round_trip():
    u = Udpprobe(dst=bytes(4), errmsg='bad "x"', stop=3, probes=[
        UdpprobeProbe(5.0, 1, [UdpprobeReply(5.5, b'', 'eth0')]),
        UdpprobeProbe(6.0, 2),
        UdpprobeProbe(7.0, 3, [UdpprobeReply(7.25, b'\1', 'eth1'),
                               UdpprobeReply(0.0, b'\2', 'eth0')])],
        start=5.0)
    (back,) = [o for _, _, o in F.read_objects(io.BytesIO(write([u])))]
    assert write([back]) == write([u]) and back.to_json() == u.to_json()
    assert [[(r.rx, r.data, r.ifname) for r in p.replies]
            for p in back.probes] == [[(5.5, b'', 'eth0')], [],
                                      [(7.25, b'\1', 'eth1'),
                                       (0.0, b'\2', 'eth0')]]
    assert ',"errmsg":"bad \\"x\\""' in back.to_json()


def test_interface_names():
    w = IfnameWriter()
    assert w.enc('a') + w.enc('b') + w.enc('a') == b'\x01a\0\x02b\0\x01'
    table = []
    read = ifname_reader(table)
    cur = Cursor(memoryview(b'\x01a\0\x01\x00z\0\x02b\0\x05'))
    assert [read(cur) for _ in range(4)] == ['a', 'a', 'z', 'b']
    with pytest.raises(WartsError, match='ifname id 5'):
        read(cur)
    full = IfnameWriter()
    for i in range(254):
        full.enc(str(i))
    assert full.enc('x') == b'\0x\0' and full.enc('x') == b'\0x\0'


def test_without_a_destination_is_an_error():
    with pytest.raises(WartsError, match='without a destination'):
        list(F.read_objects(io.BytesIO(F.encode_object(Udpprobe()))))
