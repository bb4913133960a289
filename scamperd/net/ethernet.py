"""Link-layer frames as a Linux AF_PACKET socket gives them.

scamper reads the datalink of Ethernet interfaces (and of the loopback,
whose frames carry an Ethernet header of zeros) and of interfaces that
carry bare IP packets (sit tunnels, ARPHRD_NONE/VOID).  :func:`ip_packet`
finds the IP packet in such a frame, past any 802.1Q / 802.1ad tags;
:func:`ip_filter` is a classic BPF program (SO_ATTACH_FILTER) that keeps
only the Ethernet frames that carry IPv4 or IPv6.
"""

import struct

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86dd
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88a8
VLAN_TYPES = (ETH_P_8021Q, ETH_P_8021AD)
ETH_HLEN = 14

# link types (sll_hatype, ARPHRD_*)
ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772
ARPHRD_SIT = 776
ARPHRD_NONE = 0xfffe
ARPHRD_VOID = 0xffff
ETHERNET_LINKS = (ARPHRD_ETHER, ARPHRD_LOOPBACK)
RAW_IP_LINKS = (ARPHRD_SIT, ARPHRD_NONE, ARPHRD_VOID)

# sll_pkttype of a frame this host sent
PACKET_OUTGOING = 4

_ETHERTYPES = {ETH_P_IP: 4, ETH_P_IPV6: 6}


def frame(dst, src, ethertype, payload, vlans=()):
    """An Ethernet frame: 6-byte MAC addresses, then one 802.1Q tag per
    VLAN id in ``vlans`` (outermost first), then ``ethertype``."""
    out = bytearray(dst + src)
    for vid in vlans:
        out += struct.pack('!HH', ETH_P_8021Q, vid & 0xfff)
    out += struct.pack('!H', ethertype)
    return bytes(out + payload)


def ethertype(buf):
    """(ethertype, offset of the payload) of an Ethernet frame, past its
    VLAN tags, or None if the frame is cut short."""
    off = 12
    while True:
        if len(buf) < off + 2:
            return None
        etype = (buf[off] << 8) | buf[off + 1]
        if etype not in VLAN_TYPES:
            return etype, off + 2
        off += 4


def ip_packet(buf, hatype=ARPHRD_ETHER):
    """(IP version, memoryview of the IP packet) carried by a frame of link
    type ``hatype``, or None if it carries no IPv4 or IPv6 packet.  The
    view may hold link-layer padding after the packet."""
    buf = memoryview(buf)
    if hatype in ETHERNET_LINKS:
        found = ethertype(buf)
        if found is None or found[0] not in _ETHERTYPES:
            return None
        version, off = _ETHERTYPES[found[0]], found[1]
    elif hatype in RAW_IP_LINKS:
        off = 0
        version = buf[0] >> 4 if len(buf) else 0
    else:
        return None
    pkt = buf[off:]
    if not len(pkt) or pkt[0] >> 4 != version or version not in (4, 6):
        return None
    return version, pkt


# --- the classic BPF filter ------------------------------------------------

BPF_LDH_ABS = 0x28         # A <- 16 bits at offset k
BPF_JEQ_K = 0x15           # if A == k goto +jt else goto +jf
BPF_RET_K = 0x06           # accept k bytes (0: drop)
SNAPLEN = 0x40000          # keep every frame whole
_INSN = struct.Struct('=HBBI')


def ip_filter_program():
    """The filter as (code, jt, jf, k) instructions: accept an Ethernet
    frame whose ethertype, past up to two VLAN tags, is IPv4 or IPv6."""
    prog = []
    for depth in range(3):
        prog.append((BPF_LDH_ABS, 0, 0, 12 + 4 * depth))
        prog.append((BPF_JEQ_K, 'accept', 0, ETH_P_IP))
        prog.append((BPF_JEQ_K, 'accept', 0, ETH_P_IPV6))
        if depth < 2:
            # a tag: look at the next ethertype, else drop
            prog.append((BPF_JEQ_K, 1, 0, ETH_P_8021Q))
            prog.append((BPF_JEQ_K, 0, 'drop', ETH_P_8021AD))
    prog.append((BPF_RET_K, 0, 0, 0))               # drop
    prog.append((BPF_RET_K, 0, 0, SNAPLEN))         # accept
    drop, accept = len(prog) - 2, len(prog) - 1
    out = []
    for i, (code, jt, jf, k) in enumerate(prog):
        # jump offsets count from the next instruction
        jt = {'accept': accept - i - 1, 'drop': drop - i - 1}.get(jt, jt)
        jf = {'accept': accept - i - 1, 'drop': drop - i - 1}.get(jf, jf)
        out.append((code, jt, jf, k))
    return out


def ip_filter():
    """ip_filter_program() packed as the struct sock_filter array that
    SO_ATTACH_FILTER's struct sock_fprog points to."""
    return b''.join(_INSN.pack(*insn) for insn in ip_filter_program())
