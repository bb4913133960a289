"""Warts MDA traceroute objects (type 8), as scamper 20211212 writes and
reads them (scamper/tracelb/scamper_tracelb_warts.c; docs/warts-format.md
§9).

Body: parameters, the node records, then the link records, each followed
by its probe sets (a probe count, then probes, each followed by its
replies).  Addresses share one table per object, filled in write order.
Links belong to the node they leave, in the order of the link records.
"""

from scamperd.tracelb.result import (METHOD_NAMES, METHODS, NODE_FLAG_QTTL,
                                     REPLY_FLAG_REPLY_TTL, REPLY_FLAG_TCP,
                                     Tracelb, TracelbLink, TracelbNode,
                                     TracelbProbe, TracelbReply)
from scamperd.warts import codec as C
from scamperd.warts.codec import WartsError
from scamperd.warts.file import ref, register

OBJ_TRACELB = 8


# --- writing ---------------------------------------------------------------

def encode_reply(r, table):
    v = [(1, C.timeval(r.rx)), (2, C.u16(r.ipid))]
    if r.flags & REPLY_FLAG_REPLY_TTL:
        v.append((3, C.u8(r.ttl)))
    v.append((4, C.u8(r.flags)))
    tcp = r.flags & REPLY_FLAG_TCP
    if not tcp:
        v.append((5, C.u8(r.icmp_type) + C.u8(r.icmp_code)))
    else:
        v.append((6, C.u8(r.tcp_flags)))
    if not tcp and r.icmp_ext:
        v.append((7, C.icmpext_bytes(r.icmp_ext)))
    if not tcp:
        v += [(8, C.u8(r.icmp_q_ttl)), (9, C.u8(r.icmp_q_tos))]
    v.append((11, table.enc(r.addr)))
    return C.params_bytes(v)


def encode_probe(p, table):
    out = [C.params_bytes([(1, C.timeval(p.tx)), (2, C.u16(p.flowid)),
                           (3, C.u8(p.ttl)), (4, C.u8(p.attempt)),
                           (5, C.u16(len(p.replies)))])]
    out += [encode_reply(r, table) for r in p.replies]
    return b''.join(out)


def encode_link(link, index, table):
    v = [(1, C.u16(index[id(link.frm)]))]
    if link.to is not None:
        v.append((2, C.u16(index[id(link.to)])))
    v.append((3, C.u8(len(link.sets))))
    out = [C.params_bytes(v)]
    for s in link.sets:
        out.append(C.params_bytes([(1, C.u16(len(s)))]))
        out += [encode_probe(p, table) for p in s]
    return b''.join(out)


def encode_node(n, table):
    v = [(2, C.u8(n.flags)), (3, C.u16(len(n.links)))]
    if n.flags & NODE_FLAG_QTTL:
        v.append((4, C.u8(n.q_ttl)))
    if n.addr is not None:
        v.append((5, table.enc(n.addr)))
    if n.name is not None:
        v.append((6, C.string(n.name)))
    return C.params_bytes(v)


def encode(t, list_id=0, cycle_id=0):
    """The body of a warts tracelb object."""
    table = C.AddrTable()
    v = [(1, C.u32(list_id)), (2, C.u32(cycle_id)), (5, C.timeval(t.start)),
         (6, C.u16(t.sport)), (7, C.u16(t.dport)), (8, C.u16(t.probe_size)),
         (9, C.u8(METHODS[t.method])), (10, C.u8(t.firsthop)),
         (11, C.u8(t.wait_timeout)), (12, C.u8(t.wait_probe)),
         (13, C.u8(t.attempts)), (14, C.u8(t.confidence)), (15, C.u8(t.tos)),
         (16, C.u16(len(t.nodes))), (17, C.u16(len(t.links))),
         (18, C.u32(t.probec)), (19, C.u32(t.probec_max)),
         (20, C.u8(t.gaplimit)), (21, table.enc(t.src)),
         (22, table.enc(t.dst))]
    if t.userid:
        v.append((23, C.u32(t.userid)))
    if t.flags:
        v.append((24, C.u8(t.flags)))
    if t.rtr is not None:
        v.append((25, C.saddr(t.rtr)))
    if t.error is not None:
        v.append((26, C.string(t.error)))
    index = {id(n): i for i, n in enumerate(t.nodes)}
    out = [C.params_bytes(v)]
    out += [encode_node(n, table) for n in t.nodes]
    out += [encode_link(link, index, table) for link in t.links]
    return b''.join(out)


# --- reading ---------------------------------------------------------------

def _icmp_tc(cur):
    return cur.u8(), cur.u8()


def decode_reply(cur, table, state):
    at = cur.pos
    v = C.params(cur, ('timeval', 'u16', 'u8', 'u8', _icmp_tc, 'u8',
                       C.icmpext, 'u8', 'u8', lambda c: ref(c, state.gaddr),
                       lambda c: c.addr(table)))
    addr = v.get(11) or v.get(10)
    if addr is None:
        raise WartsError('tracelb reply without an address', at)
    r = TracelbReply(addr=addr, rx=v.get(1, 0.0), ipid=v.get(2, 0),
                     ttl=v.get(3, 0), flags=v.get(4, 0),
                     tcp_flags=v.get(6, 0), icmp_ext=v.get(7, ()),
                     icmp_q_ttl=v.get(8, 0), icmp_q_tos=v.get(9, 0))
    r.icmp_type, r.icmp_code = v.get(5, (0, 0))
    return r


def decode_probe(cur, table, state):
    v = C.params(cur, ('timeval', 'u16', 'u8', 'u8', 'u16'))
    return TracelbProbe(tx=v.get(1, 0.0), flowid=v.get(2, 0),
                        ttl=v.get(3, 0), attempt=v.get(4, 0),
                        replies=[decode_reply(cur, table, state)
                                 for _ in range(v.get(5, 0))])


def decode_link(cur, nodes, table, state):
    at = cur.pos
    v = C.params(cur, ('u16', 'u16', 'u8'))
    frm, to = v.get(1, 0), v.get(2)
    if frm >= len(nodes) or (to is not None and to >= len(nodes)):
        raise WartsError('tracelb link between nodes %d and %s of %d'
                         % (frm, to, len(nodes)), at)
    if not v.get(3):
        # scamper never writes one; its outputs would read before the sets
        raise WartsError('tracelb link without hops', at)
    sets = []
    for _ in range(v.get(3, 0)):
        n = C.params(cur, ('u16',)).get(1, 0)
        sets.append([decode_probe(cur, table, state) for _ in range(n)])
    return TracelbLink(nodes[frm], None if to is None else nodes[to], sets)


def decode(cur, state):
    """A Tracelb from the body of a warts tracelb object."""
    table = []

    def gid(c):
        return ref(c, state.gaddr)

    def addr(c):
        return c.addr(table)
    at = cur.pos
    v = C.params(cur, (
        lambda c: ref(c, state.list), lambda c: ref(c, state.cycle),
        gid, gid, 'timeval', 'u16', 'u16', 'u16', 'u8', 'u8', 'u8', 'u8',
        'u8', 'u8', 'u8', 'u16', 'u16', 'u32', 'u32', 'u8', addr, addr,
        'u32', 'u8', 'saddr', 'string'))
    src, dst = v.get(21) or v.get(3), v.get(22) or v.get(4)
    if src is None or dst is None:
        raise WartsError('tracelb without a source or destination', at)
    method = METHOD_NAMES.get(v.get(9, 0))
    if method is None:
        raise WartsError('unknown tracelb method %d' % v.get(9, 0), at)
    t = Tracelb(list=v.get(1), cycle=v.get(2), src=src, dst=dst,
                start=v.get(5, 0.0), sport=v.get(6, 0), dport=v.get(7, 0),
                probe_size=v.get(8, 0), method=method,
                firsthop=v.get(10, 0), wait_timeout=v.get(11, 0),
                wait_probe=v.get(12, 0), attempts=v.get(13, 0),
                confidence=v.get(14, 0), tos=v.get(15, 0),
                probec=v.get(18, 0), probec_max=v.get(19, 0),
                gaplimit=v.get(20, 0), userid=v.get(23, 0),
                flags=v.get(24, 0), rtr=v.get(25), error=v.get(26))
    linkcs = []
    for _ in range(v.get(16, 0)):
        at = cur.pos
        n = C.params(cur, (gid, 'u8', 'u16', 'u8', addr, 'string'))
        a = n.get(5) or n.get(1)
        if a is None:
            raise WartsError('tracelb node without an address', at)
        t.nodes.append(TracelbNode(a, n.get(6), n.get(2, 0), n.get(4, 0)))
        linkcs.append(n.get(3, 0))
    for _ in range(v.get(17, 0)):
        at = cur.pos
        link = decode_link(cur, t.nodes, table, state)
        t.links.append(link)
        link.frm.links.append(link)
    for node, linkc in zip(t.nodes, linkcs):
        if len(node.links) != linkc:
            raise WartsError('tracelb node with %d links, %d expected'
                             % (len(node.links), linkc), at)
    return t


register(OBJ_TRACELB, Tracelb, decode, encode)
