"""encode_probe and the decoders against real Linux kernels: probes sent
through raw IPPROTO_RAW sockets from one network namespace must be accepted
(checksums and all) and answered by another, and the kernel-built replies
must decode to the probes' fields.  Needs root (namespaces, raw sockets).

Topology, in namespaces created and removed here:
  A (192.0.2.1, 2001:db8::1) -- B (192.0.2.2, 2001:db8::2), forwarding,
  with 198.51.100.0/24 and 2001:db8:5::/48 routed onward to a spare veth,
  so a TTL-1 probe there draws a time exceeded from B.
"""

import contextlib
import ctypes
import os
import select
import socket
import subprocess
import time

import pytest

from scamperd.net import icmp
from scamperd.net.packet import decode_ipv4, decode_ipv6, encode_probe
from scamperd.probe import (Probe, probe_key, reply_key, IPPROTO_ICMP,
                            IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
                            TH_ACK, TH_RST, TH_SYN)
from netref import A

CLONE_NEWNET = 0x40000000
A4, B4, FAR4 = A('192.0.2.1'), A('192.0.2.2'), A('198.51.100.5')
A6, B6, FAR6 = A('2001:db8::1'), A('2001:db8::2'), A('2001:db8:5::5')


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture(scope='module')
def netns():
    assert os.geteuid() == 0, 'this test needs root for network namespaces'
    a, b = 'sc-netwire-%d-a' % os.getpid(), 'sc-netwire-%d-b' % os.getpid()
    try:
        sh('ip', 'netns', 'add', a)
        sh('ip', 'netns', 'add', b)
        sh('ip', 'link', 'add', 'wa', 'netns', a, 'type', 'veth', 'peer',
           'name', 'wb', 'netns', b)
        for ns, ifc, h in ((a, 'wa', 1), (b, 'wb', 2)):
            sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
            sh('ip', '-n', ns, 'link', 'set', ifc, 'up')
            sh('ip', '-n', ns, 'addr', 'add', '192.0.2.%d/24' % h, 'dev', ifc)
            sh('ip', '-n', ns, 'addr', 'add', '2001:db8::%d/64' % h, 'dev',
               ifc, 'nodad')
            sh('ip', 'netns', 'exec', ns, 'ethtool', '-K', ifc, 'tx', 'off')
        sh('ip', '-n', a, 'route', 'add', '198.51.100.0/24', 'via',
           '192.0.2.2')
        sh('ip', '-n', a, 'route', 'add', '2001:db8:5::/48', 'via',
           '2001:db8::2')
        sh('ip', '-n', b, 'link', 'add', 'd0', 'type', 'veth', 'peer',
           'name', 'd1')
        sh('ip', '-n', b, 'link', 'set', 'd0', 'up')
        sh('ip', '-n', b, 'link', 'set', 'd1', 'up')
        sh('ip', '-n', b, 'route', 'add', '198.51.100.0/24', 'dev', 'd0')
        sh('ip', '-n', b, 'route', 'add', '2001:db8:5::/48', 'dev', 'd0')
        sh('ip', 'netns', 'exec', b, 'sysctl', '-q', '-w',
           'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1')
        for ns in (a, b):       # no ICMP rate limiting in the way
            sh('ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w',
               'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0')
        yield a
    finally:
        subprocess.run(['ip', 'netns', 'del', a], capture_output=True)
        subprocess.run(['ip', 'netns', 'del', b], capture_output=True)


@contextlib.contextmanager
def inside(ns):
    """Run the block with this thread in namespace ``ns``; sockets made
    there stay in it."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    there = os.open('/var/run/netns/' + ns, os.O_RDONLY)
    try:
        assert libc.setns(there, CLONE_NEWNET) == 0
        yield
    finally:
        assert libc.setns(home, CLONE_NEWNET) == 0
        os.close(home)
        os.close(there)


@pytest.fixture(scope='module')
def socks(netns):
    with inside(netns):
        s = dict(
            tx4=socket.socket(socket.AF_INET, socket.SOCK_RAW,
                              socket.IPPROTO_RAW),
            tx6=socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                              socket.IPPROTO_RAW),
            icmp4=socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                IPPROTO_ICMP),
            tcp4=socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_TCP),
            icmp6=socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                                IPPROTO_ICMPV6),
            tcp6=socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_TCP))
    for k in ('icmp6', 'tcp6'):
        s[k].setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    time.sleep(0.5)
    yield s
    for x in s.values():
        x.close()


def drain(s):
    while select.select([s], [], [], 0)[0]:
        s.recv(65535)


def exchange(socks, p, rx_name, want):
    """Send ``p``; return the first decoded reply for which ``want`` is
    true (other traffic, such as neighbour discovery, is skipped)."""
    v6 = p.family == 6
    rx = socks[rx_name]
    drain(rx)
    dst = socket.inet_ntop(socket.AF_INET6 if v6 else socket.AF_INET, p.dst)
    socks['tx6' if v6 else 'tx4'].sendto(encode_probe(p), (dst, 0))
    deadline = time.time() + 3
    while time.time() < deadline:
        if not select.select([rx], [], [], 0.2)[0]:
            continue
        if v6:
            data, anc, _, addr = rx.recvmsg(65535, 256)
            hlim = next(int.from_bytes(d[:4], 'little') for lvl, t, d in anc
                        if t == socket.IPV6_HOPLIMIT)
            r = decode_ipv6(rx.proto, data,
                            socket.inet_pton(socket.AF_INET6, addr[0]),
                            p.src, hlim, 0, time.time())
        else:
            r = decode_ipv4(rx.recv(65535), time.time())
        if r is not None and want(r):
            return r
    raise AssertionError('no answer to %r' % (p,))


def quoted(r):
    return r.is_icmp_error


@pytest.mark.parametrize('family', [4, 6])
def test_udp_port_unreachable(socks, family):
    src, dst = (A4, B4) if family == 4 else (A6, B6)
    for udp_sum in (None, 0x1234, 0, 0xffff):
        p = Probe(family, src, dst, IPPROTO_UDP, ttl=9, ipid=0x3344,
                  sport=45000, dport=33499, size=72, udp_sum=udp_sum,
                  df=True, flowlabel=0x54321 if family == 6 else 0)
        r = exchange(socks, p, 'icmp4' if family == 4 else 'icmp6', quoted)
        assert r.icmp_type == (3 if family == 4 else 1)
        assert r.src == dst and reply_key(r) == probe_key(p)
        assert (r.q_ttl, r.q_ipl, r.q_dport) == (9, 72, 33499)
        want = (0xffff if udp_sum == 0 else udp_sum)
        if udp_sum is not None:
            assert r.q_udp_sum == want
        if family == 4:
            assert r.q_ipid == 0x3344
        else:
            assert r.q_flowlabel == 0x54321


@pytest.mark.parametrize('family', [4, 6])
def test_time_exceeded_from_router(socks, family):
    src, far = (A4, FAR4) if family == 4 else (A6, FAR6)
    p = Probe(family, src, far, IPPROTO_UDP, ttl=1, sport=45001,
              dport=33435, size=60, udp_sum=77)
    r = exchange(socks, p, 'icmp4' if family == 4 else 'icmp6', quoted)
    assert r.icmp_type == (11 if family == 4 else 3)
    assert r.src == (B4 if family == 4 else B6)
    assert (r.q_dst, r.q_ttl, r.q_udp_sum) == (far, 1, 77)
    assert reply_key(r) == probe_key(p)


@pytest.mark.parametrize('family', [4, 6])
def test_echo_and_paris_echo(socks, family):
    src, dst = (A4, B4) if family == 4 else (A6, B6)
    for icmp_sum in (None, 0xabcd, 0xffff):
        p = Probe(family, src, dst,
                  IPPROTO_ICMP if family == 4 else IPPROTO_ICMPV6,
                  icmp_type=8 if family == 4 else 128, icmp_id=0x7788,
                  icmp_seq=3, icmp_sum=icmp_sum, size=64, payload=b'xyz')
        r = exchange(socks, p, 'icmp4' if family == 4 else 'icmp6',
                     lambda r: r.icmp_type in (0, 129))
        assert (r.icmp_id, r.icmp_seq, r.size) == (0x7788, 3, 64)
        assert reply_key(r) == probe_key(p)


def test_timestamp_request(socks):
    now = time.time()
    p = Probe(4, A4, B4, IPPROTO_ICMP, icmp_type=icmp.TSTAMP,
              icmp_id=0x99, icmp_seq=4, payload=icmp.tstamp_data(now),
              icmp_sum=0x2222)
    r = exchange(socks, p, 'icmp4', lambda r: r.icmp_type == 14)
    assert r.icmp_id == 0x99 and r.icmp_ts[0] == icmp.ms_since_midnight(now)
    assert abs(r.icmp_ts[1] - r.icmp_ts[0]) < 5000


@pytest.mark.parametrize('family', [4, 6])
def test_tcp_syn_draws_rst(socks, family):
    src, dst = (A4, B4) if family == 4 else (A6, B6)
    p = Probe(family, src, dst, IPPROTO_TCP, sport=45002, dport=9,
              tcp_seq=0x01020304, tcp_flags=TH_SYN, size=60)
    r = exchange(socks, p, 'tcp4' if family == 4 else 'tcp6',
                 lambda r: r.sport == 9 and r.dport == 45002)
    data = len(encode_probe(p)) - (20 if family == 4 else 40) - 20
    assert data == (20 if family == 4 else 0)   # a SYN padded with data
    assert r.tcp_flags == TH_RST | TH_ACK
    assert r.tcp_ack == 0x01020304 + 1 + data
    assert reply_key(r) == probe_key(p)
