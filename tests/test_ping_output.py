"""Ping text and JSON output against Debian scamper 20211212 (golden files
in tests/data/output, captured in a lab with capture.sh there)."""

import pathlib
import socket

import pytest

from scamperd.ping import json as ping_json
from scamperd.ping import text as ping_text
from scamperd.ping.result import FLAG_TSONLY, Ping, PingReply
from oracle import ping_from_json, split_dump

DATA = pathlib.Path(__file__).parent / 'data' / 'output'
CASES = sorted(p.stem for p in DATA.glob('ping*.json'))


def golden(case):
    lines = [ln for ln in (DATA / (case + '.json')).read_text().splitlines()
             if '"type":"ping"' in ln]
    dumps = split_dump((DATA / (case + '.dump')).read_text())
    assert len(lines) == 1 and len(dumps) == 1
    return lines[0], dumps[0], (DATA / (case + '.txt')).read_text()


def test_goldens_cover_the_cases():
    assert len(CASES) >= 20
    seen = ''.join((DATA / (c + '.txt')).read_text() for c in CASES)
    for s in ('tcp=open', 'tcp=closed', ' RR: ', ' TS: ', 'tso=',
              '+2 duplicates', '50% packet loss', '100% packet loss'):
        assert s in seen


@pytest.mark.parametrize('case', CASES)
def test_json_matches_scamper(case):
    line, dump, _ = golden(case)
    assert ping_json.format(ping_from_json(line, dump)) == line


@pytest.mark.parametrize('case', CASES)
def test_text_matches_scamper(case):
    line, dump, text = golden(case)
    assert ping_text.format(ping_from_json(line, dump)) == text


# --- cases the lab does not produce -----------------------------------------

V4 = socket.inet_aton


def ping(rtts, sent=None, **kw):
    """A ping whose probe i got replies with the RTTs in rtts[i]."""
    p = Ping(src=V4('192.0.2.1'), dst=V4('192.0.2.10'), probe_size=84,
             start=1795787710.161819)
    p.ping_sent = len(rtts) if sent is None else sent
    p.replies = [[PingReply(addr=p.dst, probe_id=i, reply_proto=1,
                            reply_size=84, reply_ttl=62, rtt=rtt,
                            probe_ipid=1, reply_ipid=2, icmp_type=0,
                            icmp_code=0) for rtt in rs]
                 for i, rs in enumerate(rtts)]
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def test_zero_probes_sent():
    p = ping([])
    assert ping_text.format(p) == (
        'ping 192.0.2.1 to 192.0.2.10: 84 byte packets\n'
        '--- 192.0.2.10 ping statistics ---\n'
        '0 packets transmitted, 0 packets received, 0% packet loss\n')
    assert ping_json.format(p).endswith(
        ', "responses":[],"statistics":{"replies":0}}')


def test_stats_truncate_like_scamper():
    # mean 1000.5 us and stddev 0.5 us both truncate
    p = ping([[1000], [1001]])
    assert ping_text.format(p).endswith(
        'round-trip min/avg/max/stddev = 1.000/1.000/1.001/0.000 ms\n')
    # stddev over every reply, duplicates included
    p = ping([[100, 300], [], [200]])
    text = ping_text.format(p)
    assert '3 packets transmitted, 2 packets received, +1 duplicates, ' \
        '33% packet loss\n' in text
    assert text.endswith('= 0.100/0.200/0.300/0.081 ms\n')
    assert ping_json.format(p).endswith(
        '"statistics":{"replies":2, "loss":0.33, "min":0.100, "max":0.300, '
        '"avg":0.200, "stddev":0.081}}')


def test_loss_rounds_as_a_c_float():
    # 1/8 = 0.125 is exact in a float and printf rounds it half to even
    p = ping([[100]] + [[]] * 7)
    assert '"loss":0.88' in ping_json.format(p)
    p = ping([[100]] * 7 + [[]])
    assert '"loss":0.12' in ping_json.format(p)


def test_tcp_reply_with_other_flags():
    p = ping([[100]])
    r = p.replies[0][0]
    r.reply_proto, r.tcp_flags, r.icmp_type = 6, 0x10, None
    assert '84 bytes from 192.0.2.10, seq=0 tcp=1002x ttl=62 time=0.100 ms\n' \
        in ping_text.format(p)
    assert '"reply_proto":"tcp", "rtt":0.100, "probe_ipid":1, ' \
        '"reply_ipid":2, "tcp_flags":16}' in ping_json.format(p)


def test_timestamp_option_text_and_json():
    p = ping([[100]], flags=FLAG_TSONLY)
    p.replies[0][0].v4ts = [(None, 50128308), (None, 0x80000001)]
    assert ' TS: 50128308\n     -2147483647\n' in ping_text.format(p)
    assert '"tsonly":[50128308,2147483649]' in ping_json.format(p)


def test_ipv6_reply_ipid_and_wait_us():
    six = socket.inet_pton(socket.AF_INET6, '2001:db8:3::2')
    p = ping([[100]], dst=six, src=six, probe_wait=1.25)
    r = p.replies[0][0]
    r.addr, r.reply_proto, r.icmp_type = six, 58, 129
    r.reply_ipid32, r.flags = 0x12345678, 0x02
    line = ping_json.format(p)
    assert '"wait":1, "wait_us":250000, "timeout":1' in line
    assert '"rtt":0.100, "reply_ipid":305419896, "icmp_type":129' in line
