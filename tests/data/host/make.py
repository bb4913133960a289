"""Make this directory's golden files: Debian's scamper 20211212 looks
names up (host -s SERVER) in a 'line' lab, where a small DNS server
written here runs in dst: A, AAAA, PTR, MX, NS, SOA and CNAME answers,
with authority and additional records, an SOA for a name that does not
exist; a name it ignores (the lookup times out after its retries); a name
it refuses (no records); a TXT record, whose data scamper 20211212 does
not keep: it writes the record without data and then cannot read the
file back (its sc_wartsdump stops there; newer scamper reads it).
(scamper 20211212's host -t knows only A, AAAA, PTR and MX.)  Each
NAME.warts is kept with what sc_warts2json, sc_warts2text and
sc_wartsdump print for it (in UTC).

    python3 tests/data/host/make.py     (as root, from the repo)
"""

import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402

ENV = dict(os.environ, TZ='UTC')
SERVER = '203.0.113.53'

# a DNS server that knows a few names of example.org
DNS = r'''
import socket, struct

def name(n):
    return b''.join(bytes((len(p),)) + p.encode() for p in n.split('.') if p) + b'\0'

def rr(n, t, ttl, data):
    return name(n) + struct.pack('>HHIH', t, 1, ttl, len(data)) + data

ORG = 'example.org'
SOA = name('ns1.example.org') + name('hostmaster.example.org') + \
    struct.pack('>IIIII', 2021121201, 7200, 900, 1209600, 300)
ZONE = {
    ('www.example.org', 1): [rr('www.example.org', 1, 300, bytes((203, 0, 113, 80)))],
    ('www.example.org', 28): [rr('www.example.org', 28, 300,
                                 bytes.fromhex('20010db8020300000000000000000080'))],
    ('80.113.0.203.in-addr.arpa', 12): [rr('80.113.0.203.in-addr.arpa', 12, 86400,
                                          name('www.example.org'))],
    ('example.org', 15): [rr(ORG, 15, 3600, struct.pack('>H', 10) + name('mx.example.org')),
                          rr(ORG, 15, 3600, struct.pack('>H', 0) + name('mx2.example.org'))],
    ('example.org', 2): [rr(ORG, 2, 3600, name('ns1.example.org'))],
    ('example.org', 6): [rr(ORG, 6, 3600, SOA)],
    ('alias.example.org', 1): [rr('alias.example.org', 5, 60, name('www.example.org')),
                               rr('www.example.org', 1, 300, bytes((203, 0, 113, 80)))],
}
AUTH = [rr(ORG, 2, 3600, name('ns1.example.org'))]
EXTRA = [rr('ns1.example.org', 1, 3600, bytes((203, 0, 113, 53))),
         rr('ns1.example.org', 28, 3600,
            bytes.fromhex('20010db8020300000000000000000053'))]
TXT = rr('odd.example.org', 16, 60, b'\x05hello')

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('203.0.113.53', 53))
while True:
    q, peer = s.recvfrom(1500)
    qid, flags = struct.unpack_from('>HH', q)
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    qname = '.'.join(labels).lower()
    qtype = struct.unpack_from('>H', q, i + 1)[0]
    question = q[12:i + 5]
    if qname.startswith('silent'):
        continue
    if qname.startswith('refused'):
        s.sendto(struct.pack('>HHHHHH', qid, 0x8005, 1, 0, 0, 0) + question, peer)
        continue
    an = ZONE.get((qname, qtype), [])
    ns, ar = (AUTH, EXTRA) if an else ([rr(ORG, 6, 300, SOA)], [])
    rcode = 0 if an else 3
    if qname.startswith('odd'):
        an, ns, ar, rcode = ZONE[('www.example.org', 1)], [], [TXT], 0
    s.sendto(struct.pack('>HHHHHH', qid, 0x8400 | (flags & 0x0100) | rcode, 1,
                         len(an), len(ns), len(ar)) + question + b''.join(an + ns + ar), peer)
'''

CASES = {
    'a': 'host -s %s www.example.org',
    'aaaa': 'host -s %s -t AAAA -U 12 www.example.org',
    'ptr': 'host -s %s -t PTR 203.0.113.80',
    'mx': 'host -s %s -t MX -r example.org',
    'txt': 'host -s %s odd.example.org',
    'cname': 'host -s %s alias.example.org',
    'nxdomain': 'host -s %s nosuch.example.org',
    'refused': 'host -s %s refused.example.org',
    'timeout': 'host -s %s -R 1 -W 1 silent.example.org',
}


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([tool, str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def main():
    with Lab('line') as lab:
        lab.run(['ip', 'addr', 'add', f'{SERVER}/32', 'dev', 'lo'],
                node='dst', check=True)
        srv = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                sys.executable, '-c', DNS])
        try:
            time.sleep(0.7)
            for name, cmd in CASES.items():
                lab.run(['/usr/bin/scamper', '-O', 'warts', '-o',
                         str(HERE / f'{name}.warts'), '-I', cmd % SERVER],
                        check=True)
                convert(name)
        finally:
            srv.kill()
            srv.wait()


if __name__ == '__main__':
    main()
