"""First inputs for each fuzz target (tests/fuzz/run.py)."""

import hashlib
import os
import pathlib
import sys

TESTS = pathlib.Path(__file__).resolve().parent.parent

COMMANDS = [
    'trace -P icmp-paris -q 1 -w 2 192.0.2.1', 'trace -M -Q -z 192.0.2.9 '
    '2001:db8::1', 'ping -c 4 -i 0.5 -P tcp-syn -d 443 192.0.2.1',
    'ping -R -T tsprespec=192.0.2.1 192.0.2.2', 'tracelb -P udp-dport '
    '-c 99 192.0.2.1', 'dealias -m ally -W 1000 -p "-P icmp-echo" '
    '192.0.2.1 192.0.2.2', 'dealias -m prefixscan 192.0.2.1 '
    '198.51.100.0/30', 'neighbourdisc -i eth0 -q 2 192.0.2.2',
    'sniff -S 192.0.2.1 "icmp[icmpid] == 5"', 'tbit -t pmtud -u '
    'http://192.0.2.1/x -m 1280 192.0.2.1', 'sting -c 48 -d 80 192.0.2.1',
    'trace -w 2.5s -W 100ms 192.0.2.1',
]
CONTROL = [
    b'get pps\nset pps 100\nget window\n',
    b'outfile open name o file o.warts mode truncate\nsource add name s '
    b'file list outfile o cycles 2\nsource list\nsource progress s\n'
    b'outfile swap o -\nsource delete s\noutfile close o\n',
    b'observe sources\nsource add name "a b" file list outfile - '
    b'command "ping -c 1" priority 0x10\nsource update "a b" cycles 0\n',
    b'ping -c 1 192.0.2.1\nhalt 1\ntrace 2001:db8::1\ndone\n',
    b'shutdown done\nshutdown cancel\nhelp\nlss-clear x\n',
]


def _packets():
    sys.path.insert(0, str(TESTS))
    import test_net_fuzz
    return test_net_fuzz.SEEDS4 + test_net_fuzz.SEEDS6


def _warts():
    files = sorted(TESTS.glob('data/*/*.warts'))
    return [p.read_bytes() for p in files if p.stat().st_size < 16384]


def inputs(name):
    if name == 'commands':
        return [c.encode() for c in COMMANDS]
    if name == 'control':
        return CONTROL
    if name == 'packets':
        return _packets()
    return _warts()


def write(name, directory):
    os.makedirs(directory, exist_ok=True)
    for data in inputs(name):
        h = hashlib.sha1(data).hexdigest()
        with open(os.path.join(directory, h), 'wb') as f:
            f.write(data)
