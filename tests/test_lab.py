"""scamper-lab: the topologies build, real (Debian) scamper measures what
the lab says it should, and nothing is left behind."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from scamper_cli import lab as labmod
from scamper_cli.lab import Lab

TOPOS = ['line', 'ecmp', 'mtu']


@pytest.fixture(params=TOPOS)
def any_lab(request):
    return request.getfixturevalue('lab_' + request.param)


def lab_namespaces(name):
    out = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[0] for line in out.splitlines()
            if line.startswith(f'{labmod.PREFIX}{name}-')}


def hop_addrs(trace):
    """probe_ttl -> set of reply addresses, from a JSON trace."""
    addrs = {}
    for hop in trace['hops']:
        addrs.setdefault(hop['probe_ttl'], set()).add(hop['addr'])
    return addrs


def expected_hops(lab, family):
    """probe_ttl -> set of addresses the lab says may answer."""
    hops, ecmp = (lab.hops4, lab.ecmp4) if family == 4 else (lab.hops6, lab.ecmp6)
    return {ttl: ecmp[ttl] if addr is None else {addr} for ttl, addr in enumerate(hops, 1)}


def test_namespaces(any_lab):
    assert lab_namespaces(any_lab.name) == {any_lab.ns(n) for n in any_lab.nodes}
    assert {'src', 'dst'} <= set(any_lab.nodes)


@pytest.mark.parametrize('family', [4, 6])
def test_icmp_paris_trace(any_lab, real_scamper, family):
    target = any_lab.target4 if family == 4 else any_lab.target6
    [trace] = real_scamper.results(any_lab, '-c', 'trace -P icmp-paris', '-i', target)
    assert trace['src'] == (any_lab.src4 if family == 4 else any_lab.src6)
    assert trace['stop_reason'] == 'COMPLETED'
    got = hop_addrs(trace)
    want = expected_hops(any_lab, family)
    assert set(got) == set(want)
    for ttl, addrs in got.items():
        assert addrs <= want[ttl], f'TTL {ttl}'


def test_line_addresses(lab_line):
    # what the README quotes
    assert lab_line.hops4 == ['192.0.2.2', '198.18.2.2', '198.18.3.2', '203.0.113.10']
    assert lab_line.hops6 == ['2001:db8:1::2', '2001:db8:2::2', '2001:db8:3::2',
                              '2001:db8:203::10']
    assert (lab_line.src4, lab_line.src6) == ('192.0.2.1', '2001:db8:1::1')


def test_ping_reaches_target(lab_line, real_scamper):
    pings = real_scamper.results(lab_line, '-c', 'ping -c 3 -i 0.1', '-i',
                                 lab_line.target4, lab_line.target6)
    assert [p['dst'] for p in pings] == [lab_line.target4, lab_line.target6]
    for p in pings:
        assert p['statistics']['replies'] == 3
        assert {r['from'] for r in p['responses']} == {p['dst']}


def test_no_icmp_rate_limit(lab_line, real_scamper):
    # 20 probes in 2 s expiring at r2: Linux's default limit (a burst of 6,
    # then one a second) would answer 8 of them
    pings = real_scamper.results(lab_line, '-c', 'ping -c 20 -i 0.1 -m 2', '-i',
                                 lab_line.target4, lab_line.target6)
    assert [p['statistics']['replies'] for p in pings] == [20, 20]
    assert [{r['from'] for r in p['responses']} for p in pings] == [
        {lab_line.hops4[1]}, {lab_line.hops6[1]}]


def test_mtu_pmtud(lab_mtu, real_scamper):
    assert lab_mtu.pmtu == 1400
    dump = real_scamper.wartsdump(lab_mtu, '-c', 'trace -M', '-i',
                                  lab_mtu.target4, lab_mtu.target6)
    pmtus = [int(m) for m in re.findall(r'^pmtud: .*\bpmtu (\d+)', dump, re.M)]
    assert pmtus == [1400, 1400]


@pytest.mark.parametrize('family', [4, 6])
def test_ecmp_flows_take_both_paths(lab_ecmp, real_scamper, family):
    target = lab_ecmp.target4 if family == 4 else lab_ecmp.target6
    # 16 flows: the chance that r1 hashes them all the same way is 2**-15
    args = []
    for port in range(33000, 49000, 1000):
        args += ['-I', f'trace -P udp -q 1 -d {port} {target}']
    traces = real_scamper.results(lab_ecmp, '-p', '1000', *args)
    assert len(traces) == 16
    want = expected_hops(lab_ecmp, family)
    seen = {}
    for trace in traces:
        assert trace['stop_reason'] == 'COMPLETED'
        for ttl, addrs in hop_addrs(trace).items():
            assert addrs <= want[ttl], f'TTL {ttl}'
            seen.setdefault(ttl, set()).update(addrs)
    ecmp = lab_ecmp.ecmp4 if family == 4 else lab_ecmp.ecmp6
    assert len(ecmp[2]) == 2
    assert seen[2] == ecmp[2]          # r2a and r2b both answered


def test_down_removes_everything():
    lab = Lab('mtu').up()
    assert len(lab_namespaces(lab.name)) == 4
    assert os.path.exists(os.path.join(labmod.STATE_DIR, lab.name + '.json'))
    lab.down()
    assert lab_namespaces(lab.name) == set()
    assert not os.path.exists(os.path.join(labmod.STATE_DIR, lab.name + '.json'))


@pytest.mark.parametrize('step, nth', [('_add_link', 3), ('_configure', 2),
                                       ('_resolve_neighbours', 1)])
def test_failure_midway_leaves_nothing(monkeypatch, step, nth):
    # the nth call of a build step raises: up() must remove what it made
    calls = []
    real = getattr(Lab, step)

    def failing(self, *args):
        calls.append(args)
        if len(calls) == nth:
            raise RuntimeError('injected failure')
        return real(self, *args)
    monkeypatch.setattr(Lab, step, failing)
    lab = Lab('ecmp')
    with pytest.raises(RuntimeError, match='injected'):
        with lab:
            pytest.fail('the lab came up despite the failure')
    assert lab_namespaces(lab.name) == set()
    assert not os.path.exists(os.path.join(labmod.STATE_DIR, lab.name + '.json'))


def cli(*args, input=None):
    """Run scamper-lab; returns (exit status, stdout, stderr, its pid)."""
    p = subprocess.Popen([sys.executable, '-m', 'scamper_cli.lab', *args], text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(input, timeout=60)
    return p.returncode, out, err, p.pid


def test_cli_run_passes_output_and_status():
    status, out, err, pid = cli('run', 'line', '--', 'sh', '-c',
                                'read x; ip -4 -br addr show dev r1; echo "$x" >&2; exit 7',
                                input='hello\n')
    assert status == 7
    assert '192.0.2.1/24' in out
    assert err == 'hello\n'
    assert lab_namespaces(f'line-{pid}') == set()


def test_cli_run_real_scamper():
    status, out, err, _ = cli('run', 'line', '--', '/usr/bin/scamper', '-c', 'trace',
                              '-i', '203.0.113.10')
    assert status == 0, err
    assert re.findall(r'^ ?(\d+)  (\S+)', out, re.M) == [
        ('1', '192.0.2.2'), ('2', '198.18.2.2'), ('3', '198.18.3.2'), ('4', '203.0.113.10')]


def test_cli_show_builds_nothing():
    status, out, _, pid = cli('show', 'ecmp')
    assert status == 0
    assert 'hops4    192.0.2.2 {198.18.2.2,198.18.3.2}' in out
    assert lab_namespaces(f'ecmp-{pid}') == set()


def test_cli_up_then_down():
    status, out, err, pid = cli('up', 'mtu')
    assert status == 0, err
    name = re.match(r'lab (\S+)', out).group(1)
    assert name.startswith(f'mtu-{pid}-')
    assert len(lab_namespaces(name)) == 4
    status, out, err, _ = cli('down', name)
    assert (status, out) == (0, f'removed {name}\n'), err
    assert lab_namespaces(name) == set()
    status, _, err, _ = cli('down', name)
    assert status == 1 and 'no lab named' in err


def test_sigterm_ends_a_test_run_as_ctrl_c_does():
    """conftest.py turns SIGTERM (and SIGHUP) into KeyboardInterrupt, so
    that a run stopped by a timeout still tears down its session labs
    (found: runs killed that way left their namespaces behind)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), sig)
            time.sleep(5)          # the signal arrives before this ends
