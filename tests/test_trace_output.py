"""Trace text and JSON output against Debian scamper 20211212 (golden files
in tests/data/output, captured in a lab with capture.sh there)."""

import json
import pathlib
import socket
import time

import pytest

from scamperd.trace import json as trace_json
from scamperd.trace import text as trace_text
from scamperd.trace.result import (FLAG_ALLATTEMPTS, FLAG_RXERR,
                                   PMTUD_N_PTB, Trace, TraceHop, TracePmtud)
from oracle import split_dump, trace_from_json

DATA = pathlib.Path(__file__).parent / 'data' / 'output'
CASES = sorted(p.stem for p in DATA.glob('trace*.json'))


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """The goldens' "ftime" is in local time; they were captured in UTC."""
    monkeypatch.setenv('TZ', 'UTC')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def golden(case):
    lines = [ln for ln in (DATA / (case + '.json')).read_text().splitlines()
             if '"type":"trace"' in ln]
    dumps = split_dump((DATA / (case + '.dump')).read_text())
    assert len(lines) == 1 and len(dumps) == 1
    return lines[0], dumps[0], (DATA / (case + '.txt')).read_text()


def test_goldens_cover_the_cases():
    assert len(CASES) >= 30
    seen = ''.join((DATA / (c + '.txt')).read_text() for c in CASES)
    for note in ('!H', '!N', '!P', '!X', '!A', '!<9>', '[open]', '[closed]',
                 '[mtu: 1400]', '* *'):
        assert note in seen
    assert '"mpls_label":16001' in (DATA / 'trace-mpls.json').read_text()


@pytest.mark.parametrize('case', CASES)
def test_json_matches_scamper(case):
    line, dump, _ = golden(case)
    assert trace_json.format(trace_from_json(line, dump)) == line


@pytest.mark.parametrize('case', CASES)
def test_text_matches_scamper(case):
    line, dump, text = golden(case)
    assert trace_text.format(trace_from_json(line, dump)) == text


# --- cases the lab does not produce -----------------------------------------

V4 = socket.inet_aton


def trace(**kw):
    t = Trace(method='udp-paris', src=V4('192.0.2.1'), dst=V4('192.0.2.10'),
              start=1795786774.296109, hop_count=1, attempts=2,
              probe_size=44, probe_count=1)
    for k, v in kw.items():
        setattr(t, k, v)
    return t


def hop(ttl=1, addr='192.0.2.2', rtt=30, **kw):
    h = TraceHop(addr=V4(addr), probe_ttl=ttl, probe_id=1, probe_size=44,
                 rtt=rtt, reply_ttl=64, reply_tos=0, reply_ipid=1,
                 reply_size=56, icmp_type=11, icmp_code=0, icmp_q_ttl=1,
                 icmp_q_ipl=44, icmp_q_tos=0)
    for k, v in kw.items():
        setattr(h, k, v)
    return h


def hop_line(h, **kw):
    return trace_text.format(trace(hops=[h], **kw)).splitlines()[1]


def test_text_icmp_annotations():
    assert hop_line(hop(icmp_type=3, icmp_code=5)) == \
        ' 1  192.0.2.2  0.030 ms !S'
    assert hop_line(hop(icmp_type=3, icmp_code=4)) == \
        ' 1  192.0.2.2  0.030 ms !F'
    assert hop_line(hop(icmp_type=12, icmp_code=0)) == \
        ' 1  192.0.2.2  0.030 ms !<12,0>'


def test_text_tcp_annotations():
    def line(flags):
        return hop_line(hop(icmp_type=None, tcp_flags=flags))
    assert line(0x12 | 0x40) == ' 1  192.0.2.2  0.030 ms [open, ecn]'
    assert line(0) == ' 1  192.0.2.2  0.030 ms [unknown, no flags]'
    assert line(0x11) == ' 1  192.0.2.2  0.030 ms [unknown, ACK FIN]'


def test_text_repeats_address_only_when_it_changes():
    hops = [hop(addr='192.0.2.2', rtt=1000), hop(addr='192.0.2.3', rtt=2000),
            hop(addr='192.0.2.3', rtt=3000, icmp_type=3, icmp_code=1)]
    for i, h in enumerate(hops):
        h.probe_id = i + 1
    t = trace(hops=hops, attempts=3)
    assert trace_text.format(t).splitlines()[1] == \
        ' 1  192.0.2.2  1.000 ms  192.0.2.3  2.000 ms  3.000 ms !H'


def test_text_allattempts_and_rtr():
    t = trace(hop_count=2, attempts=3, flags=FLAG_ALLATTEMPTS,
              rtr=V4('192.0.2.2'), hops=[hop(ttl=2)])
    assert trace_text.format(t) == (
        'traceroute from 192.0.2.1 to 192.0.2.10 via 192.0.2.2\n'
        ' 1  * * *\n'
        ' 2  192.0.2.2  0.030 ms\n')


def test_text_pmtud_ptb_from_unseen_router():
    # the PTB comes from an address the trace never saw: scamper places it
    # by the quoted TTL and names its source
    t = trace(hop_count=3, hops=[hop(ttl=1, addr='192.0.2.2'),
                                 hop(ttl=2, addr='192.0.2.6'),
                                 hop(ttl=3, addr='192.0.2.10')])
    ptb = hop(ttl=255, addr='198.51.100.1', icmp_type=3, icmp_code=4,
              icmp_q_ttl=254, icmp_nhmtu=1280, probe_size=1400)
    t.pmtud = TracePmtud(ifmtu=1500, pmtu=1280)
    t.pmtud.probes = [ptb]
    t.pmtud.notes = [(PMTUD_N_PTB, 1400, ptb)]
    assert trace_text.format(t).splitlines()[1:] == [
        ' 1  192.0.2.2  0.030 ms [mtu: 1500]',
        ' 2  192.0.2.6  0.030 ms [mtu: 1500] ptb 198.51.100.1 nhmtu 1280!',
        ' 3  192.0.2.10  0.030 ms [*mtu: 1400]']


def test_json_rxerr_omits_reply_ipid_and_quote():
    line = trace_json.format(trace(hops=[hop()], flags=FLAG_RXERR))
    h = json.loads(line)['hops'][0]
    assert 'reply_ipid' not in h and 'icmp_q_ttl' not in h
    assert h['icmp_type'] == 11


def test_json_ptb_key_and_mpls_extension():
    ext = (bytes([0x20, 0, 0, 0]) + (12).to_bytes(2, 'big') + b'\x01\x01'
           + (((16001 << 12) | (5 << 9) | (0 << 8) | 1).to_bytes(4, 'big'))
           + (((16002 << 12) | (0 << 9) | (1 << 8) | 2).to_bytes(4, 'big')))
    h = hop(icmp_type=3, icmp_code=4, icmp_nhmtu=1400, icmp_ext=ext)
    line = trace_json.format(trace(hops=[h]))
    assert ', "icmp_nhmtu:":1400, "icmpext":[{"ie_cn":1,"ie_ct":1,"ie_dl":8,' \
        '"mpls_labels":[{"mpls_ttl":1,"mpls_s":0,"mpls_exp":5,' \
        '"mpls_label":16001},{"mpls_ttl":2,"mpls_s":1,"mpls_exp":0,' \
        '"mpls_label":16002}]}]}]}' in line


def test_json_no_hops_and_ipv6():
    t = trace(src=socket.inet_pton(socket.AF_INET6, '2001:db8:1::1'),
              dst=socket.inet_pton(socket.AF_INET6, '2001:db8:3::2'),
              method='icmp-echo', hop_count=0, probe_count=0)
    line = trace_json.format(t)
    assert line.endswith('"probe_count":0}')
    assert '"method":"icmp-echo", "src":"2001:db8:1::1", ' \
        '"dst":"2001:db8:3::2", "stop_reason"' in line
    assert trace_text.format(t) == \
        'traceroute from 2001:db8:1::1 to 2001:db8:3::2\n'



def test_json_extension_with_two_objects_is_dropped():
    # scamper's parser keeps an object only if it reaches the end of the
    # extension (tests/data/output/trace-mpls-2obj shows it on the wire)
    mpls = (12).to_bytes(2, 'big') + b'\x01\x01' + bytes(8)
    iface = (8).to_bytes(2, 'big') + b'\x02\x08' + bytes(4)
    h = hop(icmp_ext=bytes([0x20, 0, 0, 0]) + mpls + iface)
    assert 'icmpext' not in trace_json.format(trace(hops=[h]))
    h.icmp_ext = bytes([0x20, 0, 0, 0]) + mpls
    assert '"icmpext":[{"ie_cn":1,"ie_ct":1,"ie_dl":8' in \
        trace_json.format(trace(hops=[h]))
