"""The helper's firewall requests (scamper_priv/firewall.py): a rule for
exactly one TCP 5-tuple, refused otherwise, gone when its channel closes
(even a channel whose process is SIGKILLed), and a dead helper's chain
removed by the next.  Every test runs in a network namespace of its own,
entered by this process, and checks `nft list ruleset` is empty after."""

import ctypes
import os
import signal
import socket
import subprocess

import pytest

from scamper_priv import firewall as F
from scamper_priv import helper
from scamper_priv.client import PrivClient

CLONE_NEWNET = 0x40000000
A4 = socket.inet_pton(socket.AF_INET, '192.0.2.1')
B4 = socket.inet_pton(socket.AF_INET, '192.0.2.2')
A6 = socket.inet_pton(socket.AF_INET6, '2001:db8::1')
B6 = socket.inet_pton(socket.AF_INET6, '2001:db8::2')
FOREIGN4 = socket.inet_pton(socket.AF_INET, '198.51.100.7')


def _setns(fd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns')


def ruleset():
    return subprocess.run(['nft', 'list', 'ruleset'], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture
def netns():
    """This process, in a new network namespace with 192.0.2.1 and
    2001:db8::1 on lo; back in its own (and the namespace removed) after."""
    name = 'sctest-fw-%d' % os.getpid()
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    try:
        ns = os.open('/run/netns/' + name, os.O_RDONLY)
        _setns(ns)
        os.close(ns)
        for cmd in (['ip', 'link', 'set', 'lo', 'up'],
                    ['ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'lo'],
                    ['ip', 'addr', 'add', '2001:db8::1/64', 'dev', 'lo']):
            subprocess.run(cmd, check=True)
        yield name
        assert ruleset().strip() == '', 'rules left behind'
    finally:
        _setns(home)
        os.close(home)
        subprocess.run(['ip', 'netns', 'del', name], check=True)


def req(src=A4, sport=40000, dst=B4, dport=80, proto='tcp', **extra):
    r = {'op': 'fw-add', 'proto': proto, 'src': src, 'sport': sport,
         'dst': dst, 'dport': dport}
    r.update(extra)
    return r


@pytest.mark.parametrize('spec,want', [
    ('nft', ('scamper', F.DEFAULT_MAX)),
    ('nft:mytable:10', ('mytable', 10)),
    ('nft:t-2:65535', ('t-2', 65535)),
])
def test_parse_spec(spec, want):
    assert F.parse_spec(spec) == want


@pytest.mark.parametrize('spec,msg', [
    ('ipfw:1-100', 'no ipfw'),
    ('pf:scamper:100', 'no pf'),
    ('nft:', 'expected'),
    ('nft:t', 'expected'),
    ('nft:t:0', 'number of rules'),
    ('nft:t:x', 'number of rules'),
    ('nft:t:\u00b2', 'number of rules'),
    ('nft:t:70000', 'number of rules'),
    ('nft:bad name:4', 'invalid table'),
    ('nft:1t:4', 'invalid table'),
    ('iptables', 'expected'),
])
def test_parse_spec_refuses(spec, msg):
    with pytest.raises(ValueError) as e:
        F.parse_spec(spec)
    assert msg in str(e.value)


LOCAL = {A4, A6}


@pytest.mark.parametrize('bad,msg', [
    (req(proto='udp'), 'tcp only'),
    (req(proto=6), 'tcp only'),
    (req(sport=0), 'invalid sport'),
    (req(dport=0), 'invalid dport'),
    (req(dport=65536), 'invalid dport'),
    (req(sport=True), 'invalid sport'),
    (req(sport='80'), 'invalid sport'),
    (req(dst=bytes(4)), 'not one host'),
    (req(dst=socket.inet_aton('224.0.0.1')), 'not one host'),
    (req(dst=b'\xff' * 4), 'not one host'),
    (req(src=A6, dst=bytes(16)), 'not one host'),
    (req(dst=B6), 'families differ'),
    (req(dst=b'\x01\x02\x03'), 'invalid dst'),
    (req(src='192.0.2.1'), 'invalid src'),
    (req(src=FOREIGN4), 'not an address of this host'),
    (req(extra=1), 'invalid firewall request'),
    ({'op': 'fw-add', 'proto': 'tcp', 'src': A4, 'sport': 1, 'dst': B4},
     'invalid firewall request'),
])
def test_check_rule_refuses(bad, msg):
    with pytest.raises(F.FirewallError) as e:
        F.check_rule(bad, LOCAL)
    assert msg in str(e.value)


def test_check_rule_accepts_both_families():
    assert F.check_rule(req(), LOCAL)[0] == 4
    assert F.check_rule(req(src=A6, dst=B6), LOCAL)[0] == 6


def test_rules_added_deleted_and_table_removed(netns):
    fw = F.Firewall()
    me = object()
    h4 = fw.add(me, req())
    h6 = fw.add(me, req(src=A6, dst=B6, sport=40001, dport=179))
    text = ruleset()
    assert 'table inet scamper' in text
    assert ('ip saddr 192.0.2.1 ip daddr 192.0.2.2 tcp sport 40000 '
            'tcp dport 80 tcp flags & rst == rst drop') in text
    assert ('ip6 saddr 2001:db8::1 ip6 daddr 2001:db8::2 tcp sport 40001 '
            'tcp dport 179 tcp flags & rst == rst drop') in text
    with pytest.raises(F.FirewallError):
        fw.delete(object(), h4)          # not its rule
    fw.delete(me, h4)
    assert 'dport 80 ' not in ruleset() and 'dport 179 ' in ruleset()
    with pytest.raises(F.FirewallError):
        fw.delete(me, h4)                # already gone
    fw.release(me)
    assert 'drop' not in ruleset()
    assert h6 not in fw.rules
    fw.close()


def test_foreign_source_refused_in_the_namespace(netns):
    fw = F.Firewall()
    with pytest.raises(F.FirewallError, match='not an address'):
        fw.add(object(), req(src=FOREIGN4))
    assert ruleset().strip() == ''


def test_cap_on_live_rules(netns):
    fw = F.Firewall(table='captest', max_rules=2)
    me = object()
    fw.add(me, req(sport=1))
    h = fw.add(me, req(sport=2))
    with pytest.raises(F.FirewallError, match='at most 2'):
        fw.add(me, req(sport=3))
    fw.delete(me, h)
    fw.add(me, req(sport=3))
    assert 'table inet captest' in ruleset()
    fw.close()


def _rsts_before_marker(rule):
    """Send 192.0.2.1:40001 -> :40000 SYN on lo (the kernel answers with a
    RST from :40000, no socket owning it), then our own RST from :40000
    with seq 7777 on a raw socket; return the seqs of RSTs from :40000
    that arrive, up to and including ours."""
    import struct
    fw = F.Firewall()
    if rule:
        fw.add(object(), req(src=A4, sport=40000, dst=A4, dport=40001))
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    rx.settimeout(10)                   # a failsafe, not a measurement
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    tx.sendto(_tcp4(A4, A4, 40001, 40000, 0x02, 1), ('192.0.2.1', 0))
    tx.sendto(_tcp4(A4, A4, 40000, 40001, 0x04, 7777), ('192.0.2.1', 0))
    seen = []
    try:
        while not seen or seen[-1] != 7777:
            pkt = rx.recv(2048)
            sport, _, seq, _, _, flags = struct.unpack('!HHIIBB',
                                                       pkt[20:34])
            if sport == 40000 and flags & 0x04:
                seen.append(seq)
    finally:
        rx.close()
        tx.close()
        fw.close()
    return seen


def test_kernel_rst_dropped_our_own_rst_passes(netns):
    """Without the rule the kernel's RST comes before ours; with it only
    ours (a raw socket's: blind-rst sends those) is left."""
    assert _rsts_before_marker(False) == [0, 7777]
    assert _rsts_before_marker(True) == [7777]


def _tcp4(src, dst, sport, dport, flags, seq):
    import struct

    def csum(b):
        if len(b) % 2:
            b += b'\0'
        x = sum(struct.unpack('!%dH' % (len(b) // 2), b))
        x = (x >> 16) + (x & 0xffff)
        x += x >> 16
        return ~x & 0xffff
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 5 << 4, flags,
                      1000, 0, 0)
    ph = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(ph + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6,
                     0, src, dst)
    return ip + tcp


def _dead_pid():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_next_helper_removes_a_dead_helpers_chain(netns):
    dead = F.Firewall(pid=_dead_pid())
    dead.add(object(), req())
    alive = F.Firewall(pid=1)            # pid 1 is alive: kept
    alive.add(object(), req(sport=40002))
    dead.forget()                        # "killed": nothing cleaned
    text = ruleset()
    assert 'out-%d' % dead.pid in text and 'out-1 ' in text
    me = F.Firewall()
    assert me.clean_stale() == 1
    text = ruleset()
    assert 'out-%d' % dead.pid not in text and 'out-1 ' in text
    alive.close()
    assert ruleset().strip() == ''


def _serve_in_child(fw):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        a.close()
        try:
            helper.serve(b, fw=fw)
        finally:
            os._exit(0)
    b.close()
    return pid, PrivClient(a)


def test_requests_through_the_helper_and_cleanup_on_close(netns):
    pid, client = _serve_in_child(F.Firewall())
    h = client.firewall_add(A4, 40000, B4, 80)
    assert isinstance(h, int) and 'dport 80 ' in ruleset()
    for bad in ({'src': FOREIGN4}, {'proto': 'udp'}, {'sport': 0}):
        args = dict(src=A4, sport=40000, dst=B4, dport=80)
        args.update(bad)
        with pytest.raises(OSError):
            client.firewall_add(**args)
    client.firewall_del(h)
    assert 'drop' not in ruleset()
    with pytest.raises(OSError, match='no such'):
        client.firewall_del(h)
    # a second channel's rules go when it closes, the first's stay
    ch2 = PrivClient(client.new_channel())
    client.firewall_add(A4, 40000, B4, 81)
    ch2.firewall_add(A4, 40000, B4, 82)
    ch2.close()
    client.firewall_add(A4, 40000, B4, 83)     # a round trip: ch2 handled
    text = ruleset()
    assert 'dport 81 ' in text and 'dport 82 ' not in text
    # a worker killed mid-task: its channel closes, its rule goes
    ch3 = client.new_channel()
    kid = os.fork()
    if kid == 0:
        c = PrivClient(ch3)
        c.firewall_add(A4, 40000, B4, 84)
        signal.pause()
        os._exit(0)
    ch3.close()
    for _ in range(200):
        if 'dport 84 ' in ruleset():
            break
        import time
        time.sleep(0.01)
    assert 'dport 84 ' in ruleset()
    os.kill(kid, signal.SIGKILL)
    os.waitpid(kid, 0)
    client.firewall_add(A4, 40000, B4, 85)
    assert 'dport 84 ' not in ruleset()
    # the last channel closes: the helper removes everything
    client.close()
    os.waitpid(pid, 0)
    assert ruleset().strip() == ''


def test_no_firewall_without_F(netns):
    pid, client = _serve_in_child(None)
    with pytest.raises(OSError, match='without -F'):
        client.firewall_add(A4, 40000, B4, 80)
    client.close()
    os.waitpid(pid, 0)
