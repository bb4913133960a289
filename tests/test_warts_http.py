"""http warts objects (type 15, newer than scamper 20211212): files
written by a build of newer scamper (2026) fetching from a web server in
the lab, and by synth.c with its libscamperfile (ech, odd), against what
its sc_warts2json, sc_warts2text and sc_wartsdump print (tests/data/http,
made by make.py there)."""

import pytest
from hypothesis import given, settings, strategies as st
from wartsgold import Goldens, read_bytes, utc, write  # noqa: F401 (utc)

from scamperd.http.result import (BUF_HDR, BUF_TLS, DIR_RX, DIR_TX,
                                  FLAG_INSECURE, TYPE_HTTP, TYPE_HTTPS, Http,
                                  HttpBuf)
from scamperd.warts import WartsError
from scamperd.warts import file as F

G = Goldens('http', Http)
CASES = G.cases
fetches = G.objects


def test_the_goldens_are_all_here():
    assert CASES == ['big', 'ech', 'headers', 'https', 'monitor', 'noconn',
                     'notfound', 'odd', 'ok', 'port', 'redirect', 'timeout',
                     'untrusted', 'v6']


test_json_prints_nothing_as_in_scamper = G.no_json_test(CASES)
test_text_prints_nothing_as_in_scamper = G.text_test(CASES)
test_dump_equals_newer_sc_wartsdump = G.dump_test(CASES)
test_rewriting_gives_the_same_bytes = G.rewriting_test(CASES)


def test_what_scamper_wrote():
    (h,) = fetches('ok')
    assert (h.type, h.dport, h.host, h.file, h.stop) == \
        (TYPE_HTTP, 80, 'www.example', '/index.html', 3)
    assert [(b.dir, b.type) for b in h.bufs] == [(DIR_TX, BUF_HDR),
                                                 (DIR_RX, BUF_HDR),
                                                 (DIR_RX, 0)]
    assert h.bufs[2].data == b'hello from /index.html, -\n'
    assert h.status_code() == 200 and h.maxtime == 60 and h.hsrtt > 0
    (h,) = fetches('headers')
    assert h.headers == ['X-Test: yes', 'Accept: */*'] and h.userid == 7
    assert b'hello from /h, yes' in h.bufs[2].data
    (h,) = fetches('https')
    assert (h.type, h.dport, h.flags) == (TYPE_HTTPS, 443, FLAG_INSECURE)
    assert h.bufs[0].type == BUF_TLS and h.status_code() == 200
    assert fetches('untrusted')[0].stop == 6
    assert fetches('port')[0].dport == 8080
    assert fetches('noconn')[0].bufs == []
    assert [fetches(c)[0].status_code() for c in
            ('redirect', 'notfound', 'timeout')] == [301, 404, None]
    assert len(fetches('v6')[0].dst) == 16


def test_what_synth_wrote():
    h, h2 = fetches('ech')
    assert h.src is None and h.ech_status == 3
    assert (h.ech_outer_sni, len(h.ech_config_list),
            len(h.ech_retry_config)) == ('outer.example', 41, 5)
    # the status line comes from two received header buffers
    assert h.status_code() == 418 and h2.status_code() == 200
    h, h2, h3 = fetches('odd')
    assert (h.type, h.dport, h.stop, h.ech_status) == (7, 1234, 9, 20)
    assert h.status_code() is None and h2.status_code() == 301
    assert h2.ech_outer_sni == '' and h3.status_code() is None


def status(*parts):
    return Http(bufs=[HttpBuf(DIR_RX, BUF_HDR, 0.0, p) for p in parts]
                ).status_code()


def test_status_line_as_scamper_reads_it():
    assert status(b'HTTP/1.1 200 OK\r\n') == 200
    assert status(b'HTTP/1.1 200\r') == 200
    assert status(b'HTTP/1.1 200\0x\r') == 200
    assert status(b'HTTP/1.1 20\r') is None
    assert status(b'HTTP/1.1 2000\r') is None
    assert status(b'HTTP/1.1 200 OK') is None          # no CR
    assert status(b'HTTP/', b'2.0 204 ', b'x\r') == 204
    assert status(b'', b'HTTP/1.1 200\r') is None      # a buffer without data
    assert status(b'HTTP/1.1 200 ' + b'x' * 114 + b'\r') == 200
    assert status(b'HTTP/1.1 200 ' + b'x' * 115 + b'\r') is None


def test_without_a_destination_or_port_is_an_error():
    with pytest.raises(WartsError, match='without a destination'):
        read_bytes(F.encode_object(Http()))
    # a type with no default port: the port is always written
    data = F.encode_object(Http(dst=bytes(4), type=5, dport=80))
    assert read_bytes(data)[0].dport == 80
    # flags (fields 5, 7; 10), parameter length, dst (6 bytes), dport
    assert data[8:12] == bytes((0xd0, 0x04, 0, 9))
    body = bytes((0x90, 0x04, 0, 7)) + data[12:18] + data[20:]
    with pytest.raises(WartsError, match='type 5 without a port'):
        read_bytes(F.frame(15, body))


def test_unknown_attributes_are_skipped():
    h = Http(dst=bytes(4), ech_retry_config=b'\1\2')
    # an attribute of type 9, then 2 bytes too few for another
    (back,) = read_bytes(F.frame(15, F.encode_object(h)[8:] +
                                 b'\x09\0\0\0\1x\0\0'))
    assert back.ech_retry_config == b'\1\2'


text = st.text(st.characters(blacklist_characters='\0',
                             blacklist_categories=('Cs',)), max_size=12)
times = st.builds(lambda s, us: s + us / 1000000, st.integers(0, 2 ** 32 - 1),
                  st.integers(0, 999999))
addrs = st.one_of(st.binary(min_size=4, max_size=4),
                  st.binary(min_size=16, max_size=16))
bufs = st.builds(HttpBuf, st.integers(0, 1), st.integers(0, 127), times,
                 st.binary(max_size=40))


@st.composite
def https(draw):
    h = Http(src=draw(st.none() | addrs), dst=draw(addrs),
             userid=draw(st.integers(0, 2 ** 32 - 1)),
             type=draw(st.integers(0, 3)), sport=draw(st.integers(0, 65535)),
             start=draw(times), stop=draw(st.integers(0, 255)),
             host=draw(st.none() | text), file=draw(st.none() | text),
             headers=draw(st.lists(text, max_size=3)),
             hsrtt=draw(st.integers(0, 2 ** 32 - 1)) / 1000000,
             flags=draw(st.integers(0, 2 ** 32 - 1)), maxtime=draw(times),
             errmsg=draw(st.none() | text),
             ech_status=draw(st.integers(0, 255)),
             ech_outer_sni=draw(st.none() | text),
             ech_config_list=draw(st.binary(max_size=20)),
             ech_retry_config=draw(st.binary(max_size=20)),
             bufs=draw(st.lists(bufs, max_size=4)))
    h.dport = draw(st.integers(0, 65535))
    if h.type > 1 and draw(st.booleans()):
        h.dport = (443, 80)[draw(st.integers(0, 1))]
    return h


@settings(max_examples=300, deadline=None)
@given(https())
def test_round_trip(h):
    (back,) = read_bytes(write([h]))
    assert write([back]) == write([h])
    assert back.to_dump() == h.to_dump()
    assert vars(back) == vars(h) | {'bufs': back.bufs}
    assert [(b.dir, b.type, b.tv, b.data) for b in back.bufs] == \
        [(b.dir, b.type, b.tv, b.data) for b in h.bufs]

