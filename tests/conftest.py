"""Shared fixtures: one lab of each topology per test session (built once,
always removed), and Debian's scamper as the oracle to compare against.

    def test_something(lab_line, real_scamper):
        traces = real_scamper.json(lab_line, '-c', 'trace', '-i', lab_line.target4)

The labs need root, iproute2, ethtool and ping: without them the fixtures
fail (they do not skip).  A run stopped with SIGTERM or SIGHUP (a CI
timeout, `timeout pytest ...`) ends as one stopped with Ctrl-C, so the labs
are still removed."""

import json
import os
import signal
import subprocess
import tempfile

import pytest

from scamper_cli.lab import Lab, LabError

REAL_SCAMPER = '/usr/bin/scamper'
WARTSDUMP = '/usr/bin/sc_wartsdump'


def _interrupted(signum, frame):
    raise KeyboardInterrupt('signal %d' % signum)


def pytest_configure(config):
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupted)


def _session_lab(topo):
    try:
        lab = Lab(topo).up()
    except LabError as e:
        pytest.fail(f'cannot build the {topo} lab: {e}', pytrace=False)
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture(scope='session')
def lab_line():
    """src - r1 - r2 - r3 - dst"""
    yield from _session_lab('line')


@pytest.fixture(scope='session')
def lab_ecmp():
    """src - r1 - {r2a, r2b} - r3 - dst, r1 balancing flows"""
    yield from _session_lab('ecmp')


@pytest.fixture(scope='session')
def lab_mtu():
    """src - r1 - r2 - dst, r1-r2 with MTU 1400"""
    yield from _session_lab('mtu')


class RealScamper:
    """Debian's scamper 20211212, run in a lab node (src by default)."""

    def run(self, lab, *args, node='src', timeout=60):
        """Run it with args; fail the test unless it exits 0.  Returns stdout."""
        p = lab.run([REAL_SCAMPER, *args], node=node, capture_output=True,
                    text=True, timeout=timeout)
        assert p.returncode == 0, f'scamper {" ".join(args)}: exit {p.returncode}: {p.stderr}'
        return p.stdout

    def json(self, lab, *args, **kwargs):
        """Its -O json output, one dict per object (cycle-start and
        cycle-stop included)."""
        out = self.run(lab, '-O', 'json', *args, **kwargs)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def results(self, lab, *args, **kwargs):
        """Only the measurement objects (trace, ping, ...) of json()."""
        return [o for o in self.json(lab, *args, **kwargs)
                if o['type'] not in ('cycle-start', 'cycle-stop')]

    def wartsdump(self, lab, *args, **kwargs):
        """Its warts output as printed by sc_wartsdump (which, unlike the
        JSON of this version, shows e.g. the PMTUD result of trace -M)."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'out.warts')
            self.run(lab, '-O', 'warts', '-o', path, *args, **kwargs)
            return subprocess.run([WARTSDUMP, path], capture_output=True, text=True,
                                  check=True).stdout


@pytest.fixture(scope='session')
def real_scamper():
    for tool in (REAL_SCAMPER, WARTSDUMP):
        if not os.access(tool, os.X_OK):
            pytest.fail(f'{tool} is missing: apt-get install scamper', pytrace=False)
    return RealScamper()

