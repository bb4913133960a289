"""DNS lookup warts objects (type 14) written by Debian's scamper
20211212 in the lab (tests/data/host, made by make.py there, with a
small DNS server), against what sc_wartsdump prints for them."""

import io

import pytest
from wartsgold import Goldens, utc, write  # noqa: F401 (utc: autouse)

from scamperd.host.result import (DATA_SOA, TYPE_MX, Host, HostMX, HostQuery,
                                  HostRR, HostSOA, data_type)
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('host', Host)
DATA, CASES = G.data, G.cases
hosts = G.objects
# scamper 20211212 cannot read back what it wrote for a TXT record
READABLE = [c for c in CASES if c != 'txt']


def test_the_goldens_are_all_here():
    assert CASES == ['a', 'aaaa', 'cname', 'mx', 'nxdomain', 'ptr',
                     'refused', 'timeout', 'txt']


test_dump_equals_sc_wartsdump = G.dump_test(READABLE)
# scamper's sc_warts2json and sc_warts2text print nothing for them
test_json_prints_nothing_as_in_scamper = G.no_json_test(CASES)
test_text_prints_nothing_as_in_scamper = G.text_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


def test_a_record_scamper_keeps_no_data_for():
    """scamper 20211212 writes the TXT record without data, then fails to
    read the object (sc_wartsdump prints nothing of it); we read it as a
    record without data, as newer scamper does."""
    assert 'host from' not in (DATA / 'txt.dump').read_text()
    (h,) = hosts('txt')
    (txt,) = h.queries[0].ar
    assert (txt.name, txt.type, txt.ttl, txt.data) == \
        ('odd.example.org', 16, 60, None)
    assert h.to_dump().endswith('  ar: odd.example.org 60 IN TXT\n\n')


def test_what_scamper_wrote():
    (h,) = hosts('mx')
    (q,) = h.queries
    assert (h.qname, h.qtype, h.flags, h.dst) == \
        ('example.org', TYPE_MX, 1, bytes((203, 0, 113, 53)))
    assert [(r.data.preference, r.data.exchange) for r in q.an] == \
        [(10, 'mx.example.org'), (0, 'mx2.example.org')]
    (h,) = hosts('nxdomain')
    soa = h.queries[0].ns[0].data
    assert (soa.mname, soa.rname, soa.serial, soa.minimum) == \
        ('ns1.example.org', 'hostmaster.example.org', 2021121201, 300)
    (h,) = hosts('timeout')
    assert [q.rx for q in h.queries] == [0.0, 0.0] and h.retries == 1
    assert all(G.golden(c, '.txt') == '' for c in CASES)


def test_round_trip():
    soa = HostSOA('a.', 'b.', 1, 0, 3, 0, 5)
    h = Host(dst=bytes(16), qname='x', userid=9, queries=[HostQuery(
        1.5, 1.75, 3, an=[HostRR('x', 1, 6, 7, soa), HostRR('x', 1, 15, 0,
                                                            HostMX(0, ''))],
        ar=[HostRR('', 1, 28, 1, bytes(16))])])
    (back,) = [o for _, _, o in F.read_objects(io.BytesIO(write([h])))]
    assert write([back]) == write([h]) and back.to_dump() == h.to_dump()
    assert data_type(1, 6) == DATA_SOA and back.queries[0].an[0].data.retry == 3


def test_errors():
    with pytest.raises(WartsError, match='without a server'):
        list(F.read_objects(io.BytesIO(F.encode_object(Host()))))
    bad = Host(dst=bytes(4), queries=[HostQuery(an=[HostRR(None, 1, 1, 0,
                                                           bytes(4))])])
    with pytest.raises(WartsError, match='bad DNS record'):
        list(F.read_objects(io.BytesIO(F.encode_object(bad))))
