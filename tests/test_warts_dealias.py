"""Alias resolution warts objects (type 9) against files Debian's scamper
20211212 wrote (tests/data/dealias, made by capture.py there), and
synthetic objects with what the lab cannot produce, checked against
Debian's converters run on the files we write."""

import pytest
from wartsgold import (Goldens, read, read_bytes, scamper_outputs,
                       utc, write)  # noqa: F401 (utc: autouse)

from scamperd.dealias.result import (Dealias, DealiasProbe, DealiasProbedef,
                                     DealiasReply, PROBE_METHODS)
from scamperd.dealias.text import prefixhosts
from scamperd.warts import WartsError

G = Goldens('dealias', Dealias)
DATA, CASES = G.data, G.cases
# what scamper's converters could read: the corrected copy where
# scamper 20211212 wrote the excluded-address count byte-swapped
readable = G.readable


def only(objs):
    (d,) = [o for o in objs if isinstance(o, Dealias)]
    return d


def test_the_goldens_are_all_here():
    assert CASES == ['dealias-ally', 'dealias-ally-icmp', 'dealias-ally-tcp',
                     'dealias-bump', 'dealias-mercator', 'dealias-prefixscan',
                     'dealias-prefixscan-o', 'dealias-radargun',
                     'dealias-radargun-icmp', 'dealias6-ally',
                     'dealias6-mercator']


test_json_equals_scampers = G.json_test(CASES)
test_text_equals_scampers = G.text_test(CASES)
test_dump_equals_scampers = G.dump_test(CASES)
test_rewriting_gives_the_readable_bytes = G.rewriting_test(CASES)


def test_scamper_2021_cannot_read_its_swapped_exclude_count():
    """Its converters stop at the object; we read it, and the corrected
    file differs in the two bytes of that count only."""
    raw = DATA / 'dealias-prefixscan.warts'
    assert '"dealias"' not in raw.with_suffix('.json').read_text()
    assert raw.with_suffix('.dump').read_text().count('\n') == 2
    a, b = raw.read_bytes(), readable('dealias-prefixscan').read_bytes()
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    assert len(a) == len(b) and len(diff) == 2 and diff[1] == diff[0] + 1
    assert (a[diff[0]:diff[0] + 2], b[diff[0]:diff[0] + 2]) == (
        b'\x01\x00', b'\x00\x01')
    d = only(read(raw))
    assert d.xs == [A(198, 18, 3, 2)] and d.prefix == 30


def test_what_the_goldens_hold():
    d = only(read(DATA / 'dealias-ally-tcp.warts'))
    assert (d.method, d.attempts, d.wait_probe) == ('ally', 2, 100)
    p0, p1 = d.probedefs
    assert p0.method == PROBE_METHODS['tcp-ack'] and p0.dport == 80
    rst = [r for p in d.probes for r in p.replies if r.proto == 6]
    assert rst and all(r.tcp_flags & 0x04 for r in rst)
    rg = only(read(DATA / 'dealias-radargun.warts'))
    assert len(rg.probedefs) == 3 and rg.flags == 1
    assert {p.probedef.id for p in rg.probes} == {0, 1, 2}
    assert all(p.probedef is rg.probedefs[p.probedef.id] for p in rg.probes)
    v6 = only(read(DATA / 'dealias6-ally.warts'))
    assert all(len(pd.dst) == 16 for pd in v6.probedefs)


def A(*b):
    return bytes(b)


def synthetic():
    """Objects with what the lab goldens lack: a prefixscan that found its
    alias (csa, several excludes), TCP SYN and ICMP probedefs with tos,
    size, mtu and a checksum, IPv6 replies with 32-bit IP-IDs, a UDP
    reply, ICMP extensions, flags that scamper has no name for."""
    a, b, ab = A(192, 0, 2, 1), A(198, 51, 100, 8), A(198, 51, 100, 9)
    src = A(192, 0, 2, 200)
    syn = DealiasProbedef(dst=a, src=src,
                          method=PROBE_METHODS['tcp-syn-sport'], ttl=64,
                          tos=0x10, size=60, mtu=1400, sport=1234, dport=80,
                          tcp_flags=0x02)
    echo = DealiasProbedef(dst=ab, src=src, id=1, method=1, icmp_id=77,
                           icmp_csum=0xbeef)
    ext = [(1, 1, bytes.fromhex('0003e9ff'))]
    ps = Dealias(method='prefixscan', start=1700000000.5, result=1,
                 userid=3, a=a, b=b, ab=ab, prefix=29,
                 xs=[A(198, 51, 100, 10), A(198, 51, 100, 11)], attempts=2,
                 fudge=200, wait_probe=1000, wait_timeout=5, flags=3,
                 replyc=2, probedefs=[syn, echo])
    ps.probes = [
        DealiasProbe(syn, seq=1, tx=1700000001.0, ipid=5, replies=[
            DealiasReply(src=a, rx=1700000001.001, ipid=9, ttl=60, proto=6,
                         tcp_flags=0x14)]),
        DealiasProbe(echo, seq=2, tx=1700000002.0, ipid=6, replies=[
            DealiasReply(src=ab, rx=1700000002.25, ipid=10, ttl=61,
                         icmp_type=11, icmp_q_ttl=1, icmp_ext=ext),
            DealiasReply(src=A(192, 0, 2, 7), rx=1700000002.5, ttl=62,
                         proto=17)])]
    s6, d6 = A(0x20, 1, 0xd, 0xb8, *[0] * 11, 1), A(0x20, 1, 0xd, 0xb8,
                                                     *[0] * 11, 2)
    defs = [DealiasProbedef(dst=d6, src=s6, method=PROBE_METHODS['udp-dport'],
                            sport=5, dport=6),
            DealiasProbedef(dst=s6, src=d6, id=1, method=1)]
    ally = Dealias(method='ally', start=1700000003.0, result=3,
                   wait_probe=150, wait_timeout=1, attempts=5, fudge=0,
                   flags=0x05, probedefs=defs)
    ally.probes = [DealiasProbe(defs[0], tx=1700000004.0, replies=[
        DealiasReply(src=d6, rx=1700000004.5, ttl=64, proto=58, icmp_type=1,
                     icmp_code=4, icmp_q_ttl=3, ipid32=0xdeadbeef,
                     flags=1)])]
    rg = Dealias(method='radargun', start=1700000005.0, attempts=1,
                 wait_probe=10, wait_round=2000, wait_timeout=2, flags=0x03,
                 probedefs=[DealiasProbedef(dst=a, src=src)])
    return [ps, ally, rg]


def test_synthetic_objects_against_scampers_converters(tmp_path):
    objs = synthetic()
    data = write(objs)
    js, text, dump = scamper_outputs(data, tmp_path)
    assert js == ''.join(d.to_json() + '\n' for d in objs)
    assert text == ''.join(d.to_text() for d in objs)
    assert dump == ''.join(d.to_dump() for d in objs)
    assert '"ab":"198.51.100.9/31"' in js and ', csa' in dump
    back = read_bytes(data)
    assert [d.to_dump() for d in back] == [d.to_dump() for d in objs]
    assert write(back) == data


def test_prefixhosts():
    """The longest shared prefix, shortened while either address is its
    network or broadcast address."""
    assert prefixhosts(A(198, 51, 100, 8), A(198, 51, 100, 9)) == 31
    assert prefixhosts(A(10, 0, 0, 1), A(10, 0, 0, 1)) == 32
    assert prefixhosts(A(198, 51, 100, 9), A(198, 51, 100, 10)) == 30
    assert prefixhosts(A(198, 51, 100, 8), A(198, 51, 100, 10)) == 28
    assert prefixhosts(bytes(16), bytes(16)) == -1


def test_a_probe_of_an_unknown_probedef_is_an_error_at_its_offset():
    d = synthetic()[2]
    d.probes = [DealiasProbe(DealiasProbedef(dst=d.probedefs[0].dst,
                                             src=d.probedefs[0].src, id=4),
                             tx=1.0)]
    data = write([d])
    with pytest.raises(WartsError, match='probedef 4') as e:
        read_bytes(data)
    # the probe record: flags 0x0b (def, tx, ipid) at the end of the object
    assert data[e.value.offset] == 0x0b


def test_an_unknown_method_is_an_error():
    data = bytearray(write([synthetic()[2]]))
    # header, flag byte, length, list and cycle ids, start: the method
    i = data.index(b'\x12\x05\x00\x09') + 8 + 1 + 2 + 8 + 8
    assert data[i] == 3
    data[i] = 9
    with pytest.raises(WartsError, match='method 9'):
        read_bytes(bytes(data))


def test_newer_midar_methods_round_trip_in_newer_scampers_layout():
    """midarest and midardisc (scamper after 20211212, which cannot read
    them: its converters print nothing for them, and nor do we)."""
    a, b = A(192, 0, 2, 1), A(192, 0, 2, 2)
    pd = DealiasProbedef(dst=b, src=a, method=1, icmp_id=9)
    est = Dealias(method='midarest', start=1.5, rounds=3, wait_probe=1000,
                  wait_round=2000, wait_timeout=5000000, probedefs=[pd],
                  probes=[DealiasProbe(pd, tx=2.0, replies=[
                      DealiasReply(src=b, rx=2.001, ipid=4, ttl=64,
                                   size=84)])])
    disc = Dealias(method='midardisc', start=1.5, wait_timeout=250000,
                   schedule=[(0.0, 0, 1), (1.25, 1, 1)], startat=10.5,
                   probedefs=[pd], error='late')
    data = write([est, disc])
    # the midarest parameters: 5 fields, 15 bytes; probedefc, rounds, then
    # the three waits in microseconds
    assert (b'\x1f\x00\x0f\x00\x01\x03' + (1000).to_bytes(4, 'big')
            + (2000).to_bytes(4, 'big') + (5000000).to_bytes(4, 'big')
            ) in data
    # midardisc: probedefc u32, wait u32, schedule count + rounds, startat
    sched = (b'\x00\x00\x00\x02' + b'\0' * 8 + b'\0\0\0\0\0\0\0\x01'
             + b'\0\0\0\x01' + (250000).to_bytes(4, 'big')
             + b'\0\0\0\x01\0\0\0\x01')
    assert (b'\x0f\x00\x34\x00\x00\x00\x01' + (250000).to_bytes(4, 'big')
            + sched + b'\0\0\0\x0a' + (500000).to_bytes(4, 'big')) in data
    e, d = read_bytes(data)
    assert (e.method, e.rounds, e.wait_probe, e.wait_round,
            e.wait_timeout) == ('midarest', 3, 1000, 2000, 5000000)
    assert e.probes[0].replies[0].size == 84
    assert (d.schedule, d.startat, d.error) == (disc.schedule, 10.5, 'late')
    assert write([e, d]) == data
    for x in (e, d):
        assert (x.to_json(), x.to_text(), x.to_dump()) == (None, '', None)
