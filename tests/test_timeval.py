"""Command-line times as scamper 2026 reads them (scamperd/timeval.py):
its own unit test's table (tests/unit_timeval.c, fromstr_tests), and the
options our parsers read with it, as scamper 2026's clients send them."""

import pytest

from scamperd import timeval
from scamperd.dealias import cmd as dealias
from scamperd.method import CommandError
from scamperd.ping import cmd as ping
from scamperd.trace import cmd as trace
from scamperd.tracelb import cmd as tracelb

# text, unit, microseconds (None: refused), from scamper 2026's table
TABLE = [
    ('10s', 1000000, 10000000), ('10', 1000000, 10000000),
    ('10.', 1000000, None), ('1.1s', 1000000, 1100000),
    ('1.1', 1000000, 1100000), ('1.01s', 1000000, 1010000),
    ('1.01', 1000000, 1010000), ('2.003000s', 1000000, 2003000),
    ('2.003000', 1000000, 2003000), ('2.0030001s', 1000000, None),
    ('2.0030001', 1000000, None), ('3.000450s', 1000000, 3000450),
    ('3.000450', 1000000, 3000450), ('4.342542s', 1000000, 4342542),
    ('4.342542', 1000000, 4342542), ('6.9ms', 1000, 6900),
    ('6.9', 1000, 6900), ('69', 100, 6900), ('69.00', 100, 6900),
    ('690', 10, 6900), ('50us', 1, 50), ('50', 1, 50), ('50.0us', 1, 50),
    ('0.1us', 1, None), ('0.1', 1, None), ('0.05ms', 1000, 50),
    ('0.05', 1000, 50), ('0.004ms', 1000, 4), ('0.004', 1000, 4),
    ('0.045ms', 1000, 45), ('0.045', 1000, 45), ('0.0004ms', 1000, None),
    ('0.0004', 1000, None), ('0.0400ms', 1000, None),
    ('0.0400', 1000, None), ('0.4ms', 1000, 400), ('0.4', 1000, 400),
    ('1708459200.654321', 1000000, 1708459200654321),
    # and what Python's timedelta.total_seconds() prints
    ('2.0s', 1000000, 2000000), ('0.5s', 1000, 500000),
    ('1e-05s', 1000000, None), ('', 1000000, None), ('-1', 1000000, None),
    ('1.5h', 1000000, None)]


@pytest.mark.parametrize('text,unit,us', TABLE)
def test_fromstr_as_scamper_2026(text, unit, us):
    assert timeval.fromstr(text, unit) == us


def test_parse_granularity_and_range():
    assert timeval.parse('0.5s', 10000, 10000, 0, 200) == 50
    with pytest.raises(ValueError, match='granularity is 10ms'):
        timeval.parse('5ms', 10000, 10000, 0, 200)
    with pytest.raises(ValueError, match='within 1s - 10s'):
        timeval.parse('11', 1000000, 1000000, 1, 10)
    with pytest.raises(ValueError, match='not a time'):
        timeval.parse('x', 1000000, 1000000, 1, 10)


def test_trace_and_tracelb_take_the_clients_times():
    c = trace.parse('-w 2.0s -W 0.5s 192.0.2.1'.split())
    assert (c.wait, c.wait_probe) == (2, 50)
    c = trace.parse('-w 3 -W 20 192.0.2.1'.split())      # as 20211212
    assert (c.wait, c.wait_probe) == (3, 20)
    c = tracelb.parse('-w 2.0s -W 0.3s 192.0.2.1'.split())
    assert (c.wait_timeout, c.wait_probe) == (2, 30)
    for line in ('-w 2.5s 192.0.2.1', '-W 0.005s 192.0.2.1',
                 '-w 11s 192.0.2.1', '-w 2x 192.0.2.1'):
        with pytest.raises(CommandError, match='-%s' % line[1]):
            trace.parse(line.split())


def test_ping_takes_the_clients_times():
    c = ping.parse('-W 2.0s -i 0.05s 192.0.2.1'.split())
    assert (c.timeout, c.wait_us) == (2, 50000)
    # a plain number keeps scamper 20211212's reading
    assert ping.parse('-i 0.05 192.0.2.1'.split()).wait_us == 500000
    assert ping.parse('-W 7 192.0.2.1'.split()).timeout == 7
    for line in ('-W 0.5s 192.0.2.1', '-W 256 192.0.2.1',
                 '-i 21s 192.0.2.1', '-i 0.5us 192.0.2.1'):
        with pytest.raises(CommandError, match='-%s' % line[1]):
            ping.parse(line.split())


def test_dealias_takes_the_clients_times():
    c = dealias.parse('-m ally -W 1.0s -w 2.0s 192.0.2.1 192.0.2.2'.split())
    assert (c.dealias.wait_probe, c.dealias.wait_timeout) == (1000, 2)
    c = dealias.parse('-m ally -W 150 192.0.2.1 192.0.2.2'.split())
    assert c.dealias.wait_probe == 150
    with pytest.raises(CommandError, match='-W'):
        dealias.parse('-m ally -W 0.5ms 192.0.2.1 192.0.2.2'.split())


def test_fromstr_as_the_regular_expression_reads():
    """fromstr scans by hand; the regular expression it was read with
    before is the oracle, on random text."""
    import random
    import re
    pattern = re.compile(r'([0-9]{1,18})(?:\.([0-9]+))?(s|ms|us)?')

    def by_re(text, unit):
        m = pattern.fullmatch(text)
        if m is None:
            return None
        whole, frac, suffix = m.groups()
        if suffix:
            unit = {'s': 1000000, 'ms': 1000, 'us': 1}[suffix]
        us = int(whole) * unit
        if frac and frac.strip('0'):
            places = len(str(unit)) - 1
            if len(frac) > places:
                return None
            us += int(frac) * 10 ** (places - len(frac))
        return us

    rng = random.Random(2)
    for k in range(30000):
        text = ''.join(rng.choice('0123456789..smu x\u0663') for _ in range(
            rng.randint(0, 25 if k % 10 == 0 else 6)))
        for unit in (1, 1000, 1000000):
            assert timeval.fromstr(text, unit) == by_re(text, unit), text
