"""The datalink codec (scamperd/net/ethernet.py): finding the IP packet in
a frame, and the BPF filter, run here by a small classic-BPF interpreter
and in the kernel by attaching it to a socket."""

import socket
import struct

import pytest

from scamperd.net import ethernet as E
from scamperd.net import ipv4, ipv6
from scamperd.net.packet import decode_ipv4, decode_ipv6_packet
from scamperd.netio import attach_filter
from netref import A

MAC1, MAC2 = bytes.fromhex('020000000001'), bytes.fromhex('020000000002')
IP4 = ipv4.build(A('192.0.2.1'), A('203.0.113.10'), 17, 64, 0, 7, True, 8) \
    + struct.pack('!HHHH', 40000, 33435, 8, 0)
IP6 = ipv6.build(A('2001:db8::1'), A('2001:db8:203::10'), 17, 64, 0, 5, 8) \
    + struct.pack('!HHHH', 40000, 33435, 8, 0)


def run_bpf(prog, pkt):
    """What the kernel would do with ``pkt``: the number of bytes kept."""
    pc = a = 0
    while True:
        code, jt, jf, k = prog[pc]
        pc += 1
        if code == E.BPF_LDH_ABS:
            if k + 2 > len(pkt):
                return 0
            a = (pkt[k] << 8) | pkt[k + 1]
        elif code == E.BPF_JEQ_K:
            pc += jt if a == k else jf
        elif code == E.BPF_RET_K:
            return k
        else:
            raise AssertionError('unexpected opcode %#x' % code)


def test_plain_ethernet_ipv4_and_ipv6():
    v, pkt = E.ip_packet(E.frame(MAC1, MAC2, E.ETH_P_IP, IP4))
    assert v == 4 and bytes(pkt) == IP4
    r = decode_ipv4(pkt, 1.5)
    assert (r.src, r.dst, r.sport, r.dport, r.rx) == (
        A('192.0.2.1'), A('203.0.113.10'), 40000, 33435, 1.5)
    v, pkt = E.ip_packet(E.frame(MAC1, MAC2, E.ETH_P_IPV6, IP6))
    assert v == 6 and bytes(pkt) == IP6
    r = decode_ipv6_packet(pkt, 2.0)
    assert (r.src, r.flowlabel, r.size, r.dport) == (
        A('2001:db8::1'), 5, 48, 33435)


def test_vlan_tags_are_skipped():
    f = E.frame(MAC1, MAC2, E.ETH_P_IP, IP4, vlans=(100,))
    assert f[12:16] == b'\x81\x00\x00\x64'
    assert E.ethertype(f) == (E.ETH_P_IP, 18)
    assert bytes(E.ip_packet(f)[1]) == IP4
    qinq = MAC1 + MAC2 + b'\x88\xa8\x00\x05\x81\x00\x00\x07\x86\xdd' + IP6
    assert E.ip_packet(qinq) == (6, qinq[22:])


def test_ethernet_padding_is_left_to_the_ip_decoder():
    f = E.frame(MAC1, MAC2, E.ETH_P_IP, IP4) + bytes(60 - 14 - len(IP4))
    v, pkt = E.ip_packet(f)
    assert decode_ipv4(pkt, 0).size == len(IP4)


def test_frames_without_ip_give_none():
    arp = E.frame(b'\xff' * 6, MAC2, 0x0806, bytes(28))
    assert E.ip_packet(arp) is None
    assert E.ip_packet(MAC1 + MAC2) is None                  # no ethertype
    assert E.ip_packet(MAC1 + MAC2 + b'\x81\x00\x00') is None  # cut tag
    assert E.ip_packet(E.frame(MAC1, MAC2, E.ETH_P_IP, b'')) is None
    # an ethertype that disagrees with the IP version
    assert E.ip_packet(E.frame(MAC1, MAC2, E.ETH_P_IP, IP6)) is None
    assert E.ip_packet(IP4, hatype=801) is None              # unknown link


def test_loopback_and_raw_ip_links():
    lo = E.frame(bytes(6), bytes(6), E.ETH_P_IPV6, IP6)
    assert E.ip_packet(lo, E.ARPHRD_LOOPBACK) == (6, IP6)
    assert E.ip_packet(IP4, E.ARPHRD_SIT) == (4, IP4)
    assert E.ip_packet(IP6, E.ARPHRD_NONE) == (6, IP6)
    assert E.ip_packet(b'', E.ARPHRD_NONE) is None


@pytest.mark.parametrize('f,kept', [
    (E.frame(MAC1, MAC2, E.ETH_P_IP, IP4), True),
    (E.frame(MAC1, MAC2, E.ETH_P_IPV6, IP6), True),
    (E.frame(MAC1, MAC2, E.ETH_P_IP, IP4, vlans=(3,)), True),
    (E.frame(MAC1, MAC2, E.ETH_P_IPV6, IP6, vlans=(3, 4)), True),
    (MAC1 + MAC2 + b'\x88\xa8\x00\x05\x86\xdd' + IP6, True),
    (E.frame(MAC1, MAC2, 0x0806, bytes(28)), False),
    (E.frame(MAC1, MAC2, 0x0806, bytes(28), vlans=(3,)), False),
    (E.frame(MAC1, MAC2, E.ETH_P_IP, IP4, vlans=(3, 4, 5)), False),
    (MAC1 + MAC2, False),
])
def test_filter_keeps_ip_frames_only(f, kept):
    assert run_bpf(E.ip_filter_program(), f) == (E.SNAPLEN if kept else 0)


def test_filter_is_accepted_by_the_kernel():
    prog = E.ip_filter()
    assert len(prog) == 8 * len(E.ip_filter_program())
    # any socket takes a classic BPF filter, and the kernel checks it
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        attach_filter(s, prog)
        bad = prog[:-8] + struct.pack('=HBBI', E.BPF_JEQ_K, 9, 9, 0)
        with pytest.raises(OSError):
            attach_filter(s, bad)
