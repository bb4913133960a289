"""ping in the lab: our scamper against Debian's, in the same namespaces:
the same reply count, TTLs and sizes for every method and family."""

import re

import pytest

from ours import only, ours, ours_json

V4_ONLY = ('icmp-time',)
METHODS = ('icmp-echo', 'icmp-time', 'tcp-syn', 'tcp-ack', 'tcp-ack-sport',
           'udp', 'udp-dport')
RTT = re.compile(r'(time=|= ?)[\d./]+ ms|\d+\.\d+/[\d./]+ ms')


def replies(ping):
    return sorted((r['seq'], r['reply_ttl'], r['reply_size'], r['from'])
                  for r in ping.get('responses', []))


@pytest.mark.parametrize('method,family', [
    (m, f) for m in METHODS for f in (4, 6) if f == 4 or m not in V4_ONLY])
def test_same_replies_as_scamper(lab_line, real_scamper, method, family):
    target = lab_line.target4 if family == 4 else lab_line.target6
    cmd = 'ping -c 3 -i 0.2 -P %s' % method
    mine = only(ours_json(lab_line, '-c', cmd, '-i', target), 'ping')
    theirs = only(real_scamper.json(lab_line, '-c', cmd, '-i', target),
                  'ping')
    assert mine['ping_sent'] == theirs['ping_sent'] == 3
    assert len(mine['responses']) == len(theirs['responses']) == 3
    assert replies(mine) == replies(theirs)
    assert set(mine) == set(theirs)
    for key in ('method', 'src', 'dst', 'probe_size', 'ttl', 'wait',
                'timeout'):
        assert mine.get(key) == theirs.get(key), key


@pytest.mark.parametrize('cmd', ('ping -c 2 -i 0.2', 'ping -c 2 -i 0.2 -R',
                                 'ping -c 2 -i 0.2 -P tcp-syn -d 80'))
def test_text_output_as_scamper(lab_line, real_scamper, cmd):
    target = lab_line.target4
    mine = ours(lab_line, '-c', cmd, '-i', target).stdout
    theirs = real_scamper.run(lab_line, '-c', cmd, '-i', target)
    assert RTT.sub('RTT', mine) == RTT.sub('RTT', theirs)
