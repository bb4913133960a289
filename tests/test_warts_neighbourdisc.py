"""Neighbour discovery warts objects (type 10) against files Debian's
scamper 20211212 wrote (tests/data/neighbourdisc, made by make.py there)."""

import struct

import pytest
from wartsgold import (Goldens, read, read_bytes, utc,  # noqa: F401 (utc)
                       write)

from scamperd.neighbourdisc.result import (METHOD_ARP, METHOD_ND_NSOL,
                                           Neighbourdisc, NeighbourdiscProbe,
                                           NeighbourdiscReply)
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('neighbourdisc', Neighbourdisc)
DATA, CASES = G.data, G.cases
# the file scamper's converters could read: the corrected copy where
# scamper 20211212's own file has its probe-length slip
readable = G.readable


def nds(objs):
    return [o for o in objs if isinstance(o, Neighbourdisc)]


def test_the_goldens_are_all_here():
    assert CASES == ['arp', 'arp-all', 'arp-first', 'arp-none', 'nsol']


test_dump_equals_sc_wartsdump = G.dump_test(CASES)
# scamper's sc_warts2json and sc_warts2text print nothing for them
test_json_is_empty_as_in_scamper = G.no_json_test(CASES)
test_text_is_empty_as_in_scamper = G.text_test(CASES)
test_rewriting_gives_the_readable_bytes = G.rewriting_test(CASES)


@pytest.mark.parametrize('case', CASES)
def test_the_correction_is_only_the_probe_lengths(case):
    """scamper 20211212 declares 12 parameter bytes for a probe with
    replies (4 for the reply count) and writes 10 (2 for it), leaving two
    zero bytes at the end of the object per such probe."""
    orig = (DATA / (case + '.warts')).read_bytes()
    fixed = readable(case).read_bytes()
    (nd,) = nds(read(DATA / (case + '.warts')))
    bad = sum(1 for p in nd.probes if p.replies)
    assert len(orig) - len(fixed) == 2 * bad
    i = orig.index(struct.pack('>HH', 0x1205, 10))
    body_len = struct.unpack_from('>I', orig, i + 4)[0]
    body = orig[i + 8:i + 8 + body_len]
    patched = body.replace(b'\x03\x00\x0c', b'\x03\x00\x0a')
    if bad:
        assert body.endswith(b'\0' * 2 * bad)
        patched = patched[:-2 * bad]
    assert fixed == (orig[:i] + struct.pack('>HHI', 0x1205, 10, len(patched))
                     + patched + orig[i + 8 + body_len:])


def test_what_we_read():
    (nd,) = nds(read(DATA / 'arp-all.warts'))
    assert nd.method == METHOD_ARP and nd.ifname == 'r1'
    assert nd.dst_ip == bytes([192, 0, 2, 2]) and len(nd.dst_mac) == 6
    assert (nd.attempts, nd.wait, nd.flags) == (2, 100, 1)
    assert [len(p.replies) for p in nd.probes] == [1, 1]
    assert all(r.mac == nd.dst_mac and r.rx > p.tx
               for p in nd.probes for r in p.replies)
    (nd,) = nds(read(DATA / 'arp-none.warts'))
    assert nd.dst_mac is None and [p.replies for p in nd.probes] == [[], []]
    (nd,) = nds(read(DATA / 'nsol.warts'))
    assert nd.method == METHOD_ND_NSOL and len(nd.src_ip) == 16
    assert all(G.golden(c, '.txt') == '' for c in CASES)


def test_round_trip():
    mac = bytes.fromhex('020000000001')
    nd = Neighbourdisc(userid=5, ifname='eth0', start=1700000000.25,
                       method=METHOD_ND_NSOL, flags=3, wait=250, attempts=3,
                       replyc=2, src_ip=bytes(16), src_mac=bytes(6),
                       dst_ip=b'\x20\x01\x0d\xb8' + bytes(12), dst_mac=mac,
                       probes=[NeighbourdiscProbe(1700000000.5),
                               NeighbourdiscProbe(1700000001.0, [
                                   NeighbourdiscReply(1700000001.001, mac),
                                   NeighbourdiscReply(1700000001.002,
                                                      bytes(6))])])
    data = write([nd])
    (back,) = read_bytes(data)
    assert write([back]) == data
    assert back.to_dump() == nd.to_dump()
    assert [[(r.rx, r.mac) for r in p.replies] for p in back.probes] == \
        [[], [(1700000001.001, mac), (1700000001.002, bytes(6))]]


def test_without_a_target_is_an_error():
    """scamper refuses an object without a source MAC or target IP."""
    for nd in (Neighbourdisc(src_mac=bytes(6)), Neighbourdisc(dst_ip=bytes(4))):
        with pytest.raises(WartsError, match='without a source MAC'):
            read_bytes(F.encode_object(nd))
