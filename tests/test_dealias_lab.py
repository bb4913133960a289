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
