"""Golden bytes: packets captured (tcpdump, Ethernet header removed) on a
veth between two network namespaces while Debian's scamper 20211212 ran
in one of them (192.0.2.1 / 2001:db8::1 -> 192.0.2.2 / 2001:db8::2).
Each probe must encode to exactly the bytes scamper sent, given the field
values scamper chose; the replies, built by the Linux kernel of the other
namespace, must decode to the values scamper reported."""

import ipaddress
import struct

from scamperd.net import icmp
from scamperd.net.packet import decode_ipv4, decode_ipv6, decode_ipv6_packet
from scamperd.net.packet import encode_probe
from scamperd.probe import (Probe, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP,
                            IPPROTO_UDP, TH_ACK, TH_RST, TH_SYN)


def A(s):
    return ipaddress.ip_address(s).packed


S4, D4 = A('192.0.2.1'), A('192.0.2.2')
S6, D6 = A('2001:db8::1'), A('2001:db8::2')

# trace -P udp -q 1 -m 1
UDP_TRACE = ('4500002c000140000111f5bcc0000201c0000202a854829b001850ca'
             '00000000000000000000000000000000')
UDP_TRACE_UNREACH = (
    '45c00048fba200004001fa4ec0000202c00002010303812a000000004500002c0001'
    '40000111f5bcc0000201c0000202a854829b001850ca000000000000000000000000'
    '00000000')
# trace -P udp-paris -q 1 -m 1
UDP_PARIS = ('4500002c000140000111f5bcc0000201c0000202a857829b00180001'
             '50c60000000000000000000000000000')
# trace -P icmp-paris -q 1 -m 1
ICMP_PARIS = ('4500002c000140000101f5ccc0000201c00002020800a861a8610000'
              'a73c0000000000000000000000000000')
ICMP_PARIS_REPLY = ('4500002cfc0f00004001fabdc0000202c00002010000b061a8610000'
                    'a73c0000000000000000000000000000')
# trace -P tcp -q 1 -m 1
TCP_TRACE = ('45000028000140000106f5cbc0000201c0000202a864829b0000000000000000'
             '5002000000df0000')
TCP_TRACE_RST = ('45000028000040004006b6ccc0000202c0000201829ba86400000000'
                 '000000015014000000cc0000')
# ping -c 1
PING = ('45000054371a400040017f8bc0000201c00002020800cf9828670000'
        + '00' * 56)
# ping -c 1 -P icmp-time
PING_TIME = ('45000048f45240004001c25ec0000201c00002020d00e4f528a20000'
             '02f0e277' + '00' * 40)
PING_TIME_REPLY = ('45000028fd1a00004001f9b6c0000202c00002010e00192428a20000'
                   '02f0e27702f0e27802f0e278')
# ping -c 1 -C 4660
PING_SUM = ('45000056ec0e40004001ca94c0000201c00002020800123428a50000bd26'
            + '00' * 56)
# ping -c 1 -R
PING_RR = ('4f00007c4115400040016041c0000201c0000202072704' + '00' * 37
           + '0800cef2290d0000' + '00' * 56)
PING_RR_REPLY = ('4f00007cfe4f00004001d582c0000202c0000201'
                 '07270cc0000202c0000202' + '00' * 29
                 + '0000d6f2290d0000' + '00' * 56)
# ping -c 1 -P udp
PING_UDP = ('450000286765400040114f5cc0000201c0000202a917829b0014500f'
            + '00' * 12)
PING_UDP_UNREACH = ('45c00044fef100004001f703c0000202c00002010303812600000000'
                    + PING_UDP)
# ping -c 1 -P tcp-syn
PING_SYN = ('45000028ce2240004006e8a9c0000201c0000202a92d829b5cd9d70800000000'
            '5002ffffcc330000')
PING_SYN_RST = ('45000028000040004006b6ccc0000202c0000201829ba92d00000000'
                '5cd9d70950140000cc200000')
# trace -P udp-paris -q 1 -m 1 2001:db8::2
UDP6_PARIS = ('600bdf0f0014110120010db8000000000000000000000001'
              '20010db8000000000000000000000002a97b829b00140001'
              '783900000000000000000000')
UDP6_PARIS_UNREACH = ('6002fe3700443a4020010db8000000000000000000000002'
                      '20010db8000000000000000000000001010452fd00000000'
                      + UDP6_PARIS)
# trace -P icmp-paris -q 1 -m 1 2001:db8::2
ICMP6_PARIS = ('600eb5ef00143a0120010db8000000000000000000000001'
               '20010db80000000000000000000000028000a97ea97e0000'
               'd13e00000000000000000000')
ICMP6_PARIS_REPLY = ('600fa4f300143a4020010db8000000000000000000000002'
                     '20010db80000000000000000000000018100a87ea97e0000'
                     'd13e00000000000000000000')
# ping -c 1 -s 100 2001:db8::2
PING6 = ('600eb5ef003c3a4020010db8000000000000000000000001'
         '20010db80000000000000000000000028000fa9229810000' + '00' * 52)


def h(s):
    return bytes.fromhex(s)


def test_udp_trace_probe():
    p = Probe(4, S4, D4, IPPROTO_UDP, ttl=1, ipid=1, df=True,
              sport=0xa854, dport=33435, size=44)
    assert encode_probe(p) == h(UDP_TRACE)


def test_udp_paris_probe():
    p = Probe(4, S4, D4, IPPROTO_UDP, ttl=1, ipid=1, df=True,
              sport=0xa857, dport=33435, size=44, udp_sum=1)
    assert encode_probe(p) == h(UDP_PARIS)


def test_icmp_paris_probe_and_reply():
    p = Probe(4, S4, D4, IPPROTO_ICMP, ttl=1, ipid=1, df=True, size=44,
              icmp_type=icmp.ECHO, icmp_id=0xa861, icmp_seq=0,
              icmp_sum=0xa861)
    assert encode_probe(p) == h(ICMP_PARIS)
    r = decode_ipv4(h(ICMP_PARIS_REPLY), 5.0)
    assert (r.src, r.dst, r.proto, r.size, r.ttl) == (D4, S4, 1, 44, 64)
    assert (r.icmp_type, r.icmp_id, r.icmp_seq) == (0, 0xa861, 0)
    assert not r.is_icmp_error


def test_tcp_trace_probe_and_rst():
    p = Probe(4, S4, D4, IPPROTO_TCP, ttl=1, ipid=1, df=True,
              sport=0xa864, dport=33435, tcp_flags=TH_SYN, tcp_win=0)
    assert encode_probe(p) == h(TCP_TRACE)
    r = decode_ipv4(h(TCP_TRACE_RST), 5.0)
    assert (r.proto, r.sport, r.dport) == (IPPROTO_TCP, 33435, 0xa864)
    assert (r.tcp_flags, r.tcp_seq, r.tcp_ack) == (TH_RST | TH_ACK, 0, 1)
    assert (r.ipid, r.size, r.ttl) == (0, 40, 64)


def test_port_unreachable_quotes_udp_trace_probe():
    r = decode_ipv4(h(UDP_TRACE_UNREACH), 7.5)
    assert (r.src, r.dst, r.tos, r.ttl, r.ipid, r.size, r.rx) == (
        D4, S4, 0xc0, 64, 0xfba2, 72, 7.5)
    assert (r.icmp_type, r.icmp_code) == (3, 3)
    assert (r.q_src, r.q_dst, r.q_proto, r.q_ttl, r.q_tos, r.q_ipid,
            r.q_ipl) == (S4, D4, IPPROTO_UDP, 1, 0, 1, 44)
    assert (r.q_sport, r.q_dport, r.q_udp_sum) == (0xa854, 33435, 0x50ca)
    assert r.icmp_ext == b'' and r.icmp_nhmtu is None


def test_ping_echo_probe():
    p = Probe(4, S4, D4, IPPROTO_ICMP, ttl=64, ipid=0x371a, df=True, size=84,
              icmp_type=icmp.ECHO, icmp_id=0x2867, icmp_seq=0)
    assert encode_probe(p) == h(PING)


def test_ping_timestamp_probe_and_reply():
    payload = struct.pack('!III', 0x02f0e277, 0, 0)
    p = Probe(4, S4, D4, IPPROTO_ICMP, ttl=64, ipid=0xf452, df=True, size=72,
              icmp_type=icmp.TSTAMP, icmp_id=0x28a2, icmp_seq=0,
              payload=payload)
    assert encode_probe(p) == h(PING_TIME)
    r = decode_ipv4(h(PING_TIME_REPLY), 1.0)
    assert (r.icmp_type, r.icmp_id, r.icmp_seq) == (14, 0x28a2, 0)
    assert r.icmp_ts == (0x02f0e277, 0x02f0e278, 0x02f0e278)


def test_ping_icmp_sum_probe():
    p = Probe(4, S4, D4, IPPROTO_ICMP, ttl=64, ipid=0xec0e, df=True, size=86,
              icmp_type=icmp.ECHO, icmp_id=0x28a5, icmp_seq=0,
              icmp_sum=4660)
    assert encode_probe(p) == h(PING_SUM)


def test_ping_record_route_probe_and_reply():
    from scamperd.net import ipopts
    p = Probe(4, S4, D4, IPPROTO_ICMP, ttl=64, ipid=0x4115, df=True,
              size=124, icmp_type=icmp.ECHO, icmp_id=0x290d, icmp_seq=0,
              ip_options=ipopts.record_route())
    assert encode_probe(p) == h(PING_RR)
    r = decode_ipv4(h(PING_RR_REPLY), 1.0)
    assert r.rr == [D4, D4] and r.ts is None
    assert (r.icmp_type, r.icmp_id, r.size) == (0, 0x290d, 124)


def test_ping_udp_probe_and_unreachable():
    p = Probe(4, S4, D4, IPPROTO_UDP, ttl=64, ipid=0x6765, df=True, size=40,
              sport=0xa917, dport=33435)
    assert encode_probe(p) == h(PING_UDP)
    r = decode_ipv4(h(PING_UDP_UNREACH), 1.0)
    assert (r.q_sport, r.q_dport, r.q_ipid, r.q_ipl, r.q_ttl) == (
        0xa917, 33435, 0x6765, 40, 64)


def test_ping_tcp_syn_probe_and_rst():
    p = Probe(4, S4, D4, IPPROTO_TCP, ttl=64, ipid=0xce22, df=True,
              sport=0xa92d, dport=33435, tcp_seq=0x5cd9d708,
              tcp_flags=TH_SYN)
    assert encode_probe(p) == h(PING_SYN)
    r = decode_ipv4(h(PING_SYN_RST), 1.0)
    assert (r.tcp_flags, r.tcp_ack) == (TH_RST | TH_ACK, 0x5cd9d709)


def test_udp6_paris_probe_and_unreachable():
    p = Probe(6, S6, D6, IPPROTO_UDP, ttl=1, flowlabel=0xbdf0f, size=60,
              sport=0xa97b, dport=33435, udp_sum=1)
    assert encode_probe(p) == h(UDP6_PARIS)
    pkt = h(UDP6_PARIS_UNREACH)
    for r in (decode_ipv6_packet(pkt, 3.0),
              decode_ipv6(IPPROTO_ICMPV6, pkt[40:], D6, S6, 64, 0, 3.0,
                          0x2fe37)):
        assert (r.src, r.dst, r.ttl, r.size, r.flowlabel) == (
            D6, S6, 64, 108, 0x2fe37)
        assert (r.icmp_type, r.icmp_code) == (1, 4)
        assert (r.q_src, r.q_dst, r.q_proto, r.q_ttl, r.q_ipl,
                r.q_flowlabel, r.q_tos) == (S6, D6, IPPROTO_UDP, 1, 60,
                                            0xbdf0f, 0)
        assert (r.q_sport, r.q_dport, r.q_udp_sum) == (0xa97b, 33435, 1)


def test_icmp6_paris_probe_and_reply():
    p = Probe(6, S6, D6, IPPROTO_ICMPV6, ttl=1, flowlabel=0xeb5ef, size=60,
              icmp_type=128, icmp_id=0xa97e, icmp_seq=0, icmp_sum=0xa97e)
    assert encode_probe(p) == h(ICMP6_PARIS)
    r = decode_ipv6_packet(h(ICMP6_PARIS_REPLY), 1.0)
    assert (r.icmp_type, r.icmp_id, r.icmp_seq, r.size) == (
        129, 0xa97e, 0, 60)


def test_ping6_probe():
    p = Probe(6, S6, D6, IPPROTO_ICMPV6, ttl=64, flowlabel=0xeb5ef,
              size=100, icmp_type=128, icmp_id=0x2981, icmp_seq=0)
    assert encode_probe(p) == h(PING6)
