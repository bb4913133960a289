# Run in router namespace: answer IPv4 packets arriving on IFACE with TTL 1
# with an ICMP time exceeded carrying an RFC 4884 MPLS label stack object
# (and, if NOBJ is 2, an interface information object after it).
import socket, struct, sys
IFACE, SRC, NOBJ = sys.argv[1], sys.argv[2], int(sys.argv[3])

def cksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def entry(label, exp, s, ttl):
    return struct.pack('!I', (label << 12) | (exp << 9) | (s << 8) | ttl)

rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
rx.bind((IFACE, 0))
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
src = socket.inet_aton(SRC)
while True:
    pkt, info = rx.recvfrom(65535)
    if info[2] == socket.PACKET_OUTGOING or len(pkt) < 20 or pkt[8] != 1:
        continue
    if pkt[16:20] == src:
        continue
    body = entry(16001, 5, 0, 1) + entry(16002, 0, 1, 1)
    obj = struct.pack('!HBB', 4 + len(body), 1, 1) + body
    if NOBJ == 2:  # and an interface information object (class 2)
        obj += struct.pack('!HBBI', 8, 2, 0x08, 7)
    ext = b'\x20\x00\x00\x00' + obj
    ext = ext[:2] + struct.pack('!H', cksum(ext)) + ext[4:]
    quote = pkt[:128].ljust(128, b'\0')
    icmp = struct.pack('!BBHBBH', 11, 0, 0, 0, 32, 0) + quote + ext
    icmp = icmp[:2] + struct.pack('!H', cksum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0xc0, 20 + len(icmp), 0, 0, 64,
                     1, 0, src, pkt[12:16])
    tx.sendto(ip + icmp, (socket.inet_ntoa(pkt[12:16]), 0))
