"""MDA traceroute warts objects (type 8) against files Debian's scamper
20211212 wrote (tests/data/tracelb, made by capture.py there), and a
synthetic object with what the lab cannot produce, checked against
Debian's converters run on the file we write."""

import pytest
from wartsgold import (Goldens, read, read_bytes, scamper_outputs,
                       utc, write)  # noqa: F401 (utc: autouse)

from scamperd.tracelb.result import (Tracelb, TracelbLink, TracelbNode,
                                     TracelbProbe, TracelbReply)
from scamperd.warts import WartsError

G = Goldens('tracelb', Tracelb)
DATA, CASES = G.data, G.cases


def only(objs):
    (t,) = [o for o in objs if isinstance(o, Tracelb)]
    return t


def test_the_goldens_are_all_here():
    assert CASES == ['tracelb-icmp-echo', 'tracelb-line', 'tracelb-silent',
                     'tracelb-tcp-ack-sport', 'tracelb-tcp-sport',
                     'tracelb-udp-dport', 'tracelb-udp-sport',
                     'tracelb6-udp-dport']


test_json_equals_scampers = G.json_test(CASES)
test_text_equals_scampers = G.text_test(CASES)
test_dump_equals_scampers = G.dump_test(CASES)
test_rewriting_gives_scampers_bytes = G.rewriting_test(CASES)


def test_what_the_goldens_hold():
    t = only(read(DATA / 'tracelb-udp-dport.warts'))
    assert (t.method, t.dport, t.probe_size, t.confidence) == (
        'udp-dport', 33435, 44, 95)
    assert len(t.nodes) == 2 and len(t.links) == 1
    link = t.links[0]
    assert link.frm is t.nodes[0] and link.to is t.nodes[1]
    assert len(link.sets) == 3
    assert all(r.icmp_type == 11 for p in link.sets[0] for r in p.replies)
    silent = only(read(DATA / 'tracelb-silent.warts'))
    assert silent.links[-1].to is None
    assert all(not p.replies for p in silent.links[-1].sets[-1])
    tcp = only(read(DATA / 'tracelb-tcp-sport.warts'))
    last = tcp.links[-1].sets[-1][0].replies[0]
    assert last.is_tcp and last.tcp_flags & 0x04


def synthetic():
    a = [bytes((192, 0, 2, i)) for i in range(1, 8)]
    mpls = [(1, 1, bytes.fromhex('0003e8ff00003d01'))]

    def probe(flowid, ttl, tx, *replies):
        return TracelbProbe(tx=tx, flowid=flowid, ttl=ttl, attempt=1,
                            replies=list(replies))

    def rep(addr, rx, **kw):
        return TracelbReply(addr=addr, rx=rx, ipid=7, ttl=60, flags=1,
                            icmp_type=11, icmp_q_ttl=1, **kw)
    n = [TracelbNode(a[1], flags=1, q_ttl=1),
         TracelbNode(a[2], name='r"2'), TracelbNode(a[3]),
         TracelbNode(a[4], flags=1, q_ttl=2)]
    links = [
        TracelbLink(n[0], n[1], [[probe(1, 2, 10.5, rep(a[2], 10.501))]]),
        TracelbLink(n[0], n[2], [[probe(2, 2, 11.0,
                                        rep(a[3], 11.0125, icmp_ext=mpls))]]),
        TracelbLink(n[1], n[3], [
            [probe(1, 3, 12.0), probe(2, 3, 12.5, rep(a[5], 12.6),
                                      rep(a[6], 12.7)), probe(3, 3, 13.0)],
            [probe(1, 4, 14.0, TracelbReply(addr=a[4], rx=14.002, flags=2,
                                            tcp_flags=0x14))]]),
        TracelbLink(n[2], None, [[probe(4, 3, 15.0)]]),
    ]
    for link in links:
        link.frm.links.append(link)
    return Tracelb(src=a[0], dst=a[4], rtr=a[6], method='tcp-sport',
                   sport=1000, dport=80, start=1700000000.25, userid=9,
                   flags=1, probec=7, nodes=n, links=links)


def test_synthetic_object_against_scampers_converters(tmp_path):
    """Forks (a node with two links), a silent flow, a link without a far
    end, a TCP reply, MPLS extensions, a name, rtr, userid and flags: our
    outputs equal what Debian's tools print for the file we wrote, and
    our reader gives the object back."""
    t = synthetic()
    data = write([t])
    js, text, dump = scamper_outputs(data, tmp_path)
    assert js == t.to_json() + '\n'
    assert text == t.to_text()
    assert dump == t.to_dump()
    assert 'icmp-ext mpls: label 62 exp 4 s 0 ttl 255' in dump
    (back,) = read_bytes(data)
    assert back.to_dump() == dump and write([back]) == data


def test_a_link_to_a_missing_node_is_an_error_at_its_offset():
    data = bytearray(write([synthetic()]))
    # the first link record: flags 07, length 00 05, from 00 00, to 00 01
    i = data.index(bytes.fromhex('07000500000001'))
    data[i + 6] = 9
    with pytest.raises(WartsError) as e:
        read_bytes(bytes(data))
    assert e.value.offset == i and 'link' in e.value.msg


def test_node_link_counts_must_match():
    t = synthetic()
    t.nodes[0].links.pop()       # written as one link; two records follow
    with pytest.raises(WartsError, match='links'):
        read_bytes(write([t]))


def test_a_link_without_hops_is_an_error():
    t = synthetic()
    t.links[-1].sets = []
    with pytest.raises(WartsError, match='without hops'):
        read_bytes(write([t]))
