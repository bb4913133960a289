"""-F on the command line, in the lab: nft accepted, ipfw/pf refused, and a
chain left by a scamper that died removed when the next one starts."""

import subprocess

from ours import ours
from test_priv_firewall import _dead_pid


def ruleset(lab, node='src'):
    return lab.run(['nft', 'list', 'ruleset'], node=node,
                   capture_output=True, text=True, check=True).stdout


def test_F_ipfw_and_pf_refused(lab_line):
    for spec, word in (('ipfw:1-100', 'ipfw'), ('pf:scamper:10', 'pf')):
        p = ours(lab_line, '-F', spec, '-c', 'ping -c 1', '-i',
                 lab_line.target4, check=False)
        assert p.returncode == 255
        assert ('-F %s: this is Linux, which has no %s' % (word, word)) \
            in p.stderr
        assert p.stdout == ''


def test_F_nft_removes_a_dead_scampers_chain(lab_line):
    assert ruleset(lab_line).strip() == ''
    chain = 'out-%d' % _dead_pid()
    script = ('add table inet mytab\n'
              'add chain inet mytab %s { type filter hook output '
              'priority 0; }\n'
              'add rule inet mytab %s ip daddr 192.0.2.9 tcp dport 80 '
              'tcp flags & rst == rst drop\n' % (chain, chain))
    lab_line.run(['nft', '-f', '-'], input=script, text=True, check=True)
    try:
        assert chain in ruleset(lab_line)
        out = ours(lab_line, '-F', 'nft:mytab:4', '-c', 'ping -c 1', '-i',
                   lab_line.target4)
        assert 'ping' in out.stdout
        assert ruleset(lab_line).strip() == ''
        # and plain nft leaves nothing either
        ours(lab_line, '-F', 'nft', '-c', 'ping -c 1', '-i',
             lab_line.target4)
        assert ruleset(lab_line).strip() == ''
    finally:
        subprocess.run(['ip', 'netns', 'exec', lab_line.ns('src'), 'nft',
                        'delete', 'table', 'inet', 'mytab'],
                       capture_output=True)
