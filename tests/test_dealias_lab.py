"""dealias in the lab: our scamper against Debian's 20211212, the same
commands in the same namespaces (those of tests/data/dealias/capture.py),
compared as JSON with the measured times, ports and the routers' IP-IDs
masked.  The line lab: src - r1 - r2 - r3 - dst; r2 is 198.18.2.2 and
198.18.3.1, r3 198.18.3.2, dst answers 203.0.113.0/24."""

import json
import os
import subprocess
import tempfile

import pytest

from ours import only, ours, ours_json

CASES = (
    'dealias -m mercator 198.18.2.2',
    'dealias -m mercator -q 1 -w 1 -d 53 -t 9 198.18.2.2',
    "dealias -m ally -W 100 -p '-P udp' 198.18.2.2 198.18.3.1",
    "dealias -m ally -W 100 -f 1000 -O nobs -U 5 -p '-P icmp-echo' "
    "203.0.113.10 203.0.113.11",
    "dealias -m ally -W 100 -q 2 -p '-P tcp-ack -d 80' 203.0.113.10 "
    "198.18.3.1",
    "dealias -m ally -W 100 -p '-P tcp-ack-sport -d 80 -i 203.0.113.10' "
    "-p '-P udp-dport -i 203.0.113.11'",
    "dealias -m radargun -W 50 -q 2 -r 300 -p '-P udp' 198.18.2.2 "
    "198.18.3.1 198.51.100.1",
    "dealias -m radargun -W 50 -q 2 -p '-P icmp-echo -c 1234 -t 32' "
    "198.18.2.2 203.0.113.10",
    "dealias -m prefixscan -W 100 -p '-P udp' -x 198.18.3.2 198.18.2.2 "
    "198.18.3.0/30",
    "dealias -m prefixscan -W 100 -o 3 -O nobs -p '-P icmp-echo' "
    "198.18.2.2 198.18.3.0/29",
    "dealias -m bump -W 300 -p '-P udp -i 198.18.2.2' "
    "-p '-P udp -i 198.18.3.1'",
    "dealias -m ally -W 100 -p '-P udp' 2001:db8:2::2 2001:db8:3::1",
    "dealias -m ally -W 100 -p '-P icmp-echo' 2001:db8:2::2 2001:db8:3::1",
    'dealias -m mercator 2001:db8:2::2',
    "dealias -m radargun -W 50 -q 2 -p '-P icmp-echo' 2001:db8:2::2 "
    "2001:db8:3::1",
)


def masked(d):
    """What must be equal: all but the clock, the ports scamper picks and
    the IP-IDs the routers choose.  Replies from another address than the
    one probed (a late host unreachable for an address nobody has, which
    depends on the routers' neighbour state) are left out."""
    d = dict(d)
    del d['start']
    dsts = {}
    for pd in d['probedefs']:
        for k in ('udp_sport', 'tcp_sport', 'icmp_id'):
            pd.pop(k, None)
        dsts[pd['id']] = pd['dst']
    for p in d['probes']:
        del p['tx']
        p['replies'] = [r for r in p['replies']
                        if r['src'] == dsts[p['probedef_id']]]
        for r in p['replies']:
            del r['rx']
            r.pop('ipid', None)
    return d


@pytest.mark.parametrize('cmd', CASES)
def test_same_result_as_scamper(lab_line, real_scamper, cmd):
    theirs = only(real_scamper.json(lab_line, '-p', '200', '-I', cmd),
                  'dealias')
    mine = only(ours_json(lab_line, '-p', '200', '-I', cmd), 'dealias')
    assert masked(mine) == masked(theirs)
    assert mine['probes'], mine


def test_text_as_scamper(lab_line, real_scamper):
    cmd = "dealias -m ally -W 100 -p '-P udp' 198.18.2.2 198.18.3.1"
    theirs = real_scamper.run(lab_line, '-I', cmd)
    mine = ours(lab_line, '-I', cmd).stdout
    assert mine == theirs == '198.18.2.2 198.18.3.1 not aliases\n'


def test_warts_read_by_scamper(lab_line, real_scamper):
    """Our warts output, converted by Debian's sc_warts2json."""
    cmd = "dealias -m radargun -W 50 -q 2 -p '-P udp' 198.18.2.2 198.18.3.1"
    theirs = only(real_scamper.json(lab_line, '-I', cmd), 'dealias')
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        path = os.path.join(tmp, 'out.warts')
        ours(lab_line, '-O', 'warts', '-o', path, '-I', cmd)
        out = subprocess.run(['/usr/bin/sc_warts2json', path],
                             capture_output=True, text=True, check=True)
    mine = only([json.loads(x) for x in out.stdout.splitlines()], 'dealias')
    assert masked(mine) == masked(theirs)


# the too-big trick: the lab's destination answers echo requests of 1400
# bytes whole until told its path to us has an MTU of 1280, then in
# fragments whose 32-bit id is IPv6's IP-ID
TOO_BIG = (
    "dealias -m ally -W 200 -q 5 -p '-P icmp-echo -s 1400 -M 1280' "
    "2001:db8:203::10 2001:db8:203::11",
    "dealias -m radargun -W 100 -q 3 -p '-P icmp-echo -s 1400 -M 1280' "
    "2001:db8:203::10 2001:db8:203::11",
    "dealias -m ally -W 100 -q 4 -p '-P icmp-echo -s 1400 -M 1280' "
    "203.0.113.10 203.0.113.11",
    # replies no larger than the mtu; IPv6 TCP answers scamper never reads
    "dealias -m ally -W 100 -p '-P udp -M 1280' 2001:db8:203::10 "
    "2001:db8:203::11",
    "dealias -m ally -W 100 -q 3 -p '-P tcp-ack -d 80 -M 1280' "
    "2001:db8:203::10 2001:db8:203::11",
)


def _forget_pmtu(lab):
    """The destination forgets the path MTUs it learned."""
    lab.run(['ip', '-6', 'route', 'flush', 'cache'], node='dst', check=True)


def _too_big(packets, whole):
    """The packets too big seen, and what each quotes: the first 1232
    bytes of a reply captured before it (``whole``), or only its headers
    (Debian's scamper quotes the headers and then, from byte 74 of the
    echo data on, some bytes of its own memory instead of the reply's)."""
    out = []
    for i, p in enumerate(packets):
        if p[0] >> 4 == 6 and p[6] == 58 and p[40] == 2:
            quote = p[48:]
            n = len(quote) if whole else 48
            before = [q for q in packets[:i] if q[:n] == quote[:n]]
            assert before, 'a packet too big quoting nothing seen'
            out.append((len(p), p[7], p[44:48], p[8:40],
                        len(quote), quote[40]))
    return out


def _whole_replies(d):
    return [r for p in d['probes'] for r in p['replies']
            if 'ipid' not in r]


@pytest.mark.parametrize('cmd', TOO_BIG)
def test_too_big_trick_as_scamper(lab_line, real_scamper, cmd):
    """-M mtu: the same packets too big on the wire (captured at r1: size,
    hop limit, MTU, addresses, what they quote) and the same result as
    Debian's scamper; forgotten probes are left out of ally's result."""
    from capture import Capture
    runs = []
    for run, whole in ((real_scamper.json, False), (ours_json, True)):
        _forget_pmtu(lab_line)
        try:
            with Capture(lab_line, 'r1', 'src', 'ip or ip6') as cap:
                d = only(run(lab_line, '-p', '200', '-I', cmd), 'dealias')
        finally:
            _forget_pmtu(lab_line)
        runs.append((d, _too_big(cap.packets, whole)))
    (theirs, theirs_ptb), (mine, mine_ptb) = runs
    whole = _whole_replies(mine)      # (masked() drops the IP-IDs)
    assert masked(mine) == masked(theirs)
    assert mine_ptb == theirs_ptb
    if '-s 1400' in cmd and '2001:' in cmd:
        assert mine_ptb and mine_ptb[0][:3] == (1280, 255, bytes(
            (0, 0, 5, 0)))
        assert not whole or 'radargun' in cmd
    else:
        assert not mine_ptb
