"""Text output of an MDA traceroute, as scamper 20211212 prints it
(sc_warts2text; scamper/tracelb/scamper_tracelb_text.c)."""

from scamperd.trace.text import addr_str
from scamperd.tracelb.summary import probeset_summary


def summary_str(probes):
    addrs, nullc = probeset_summary(probes)
    if nullc and not addrs:
        return '*'
    return '(' + ', '.join(addr_str(a) for a in addrs) + (
        ', *)' if nullc else ')')


def format(t):
    out = ['tracelb from %s to %s, %d nodes, %d links, %d probes, %d%%\n' % (
        addr_str(t.src), addr_str(t.dst), len(t.nodes), len(t.links),
        t.probec, t.confidence)]
    for node in t.nodes:
        src = addr_str(node.addr)
        if len(node.links) > 1:
            out += ['%s -> %s\n' % (src, addr_str(link.to and link.to.addr))
                    for link in node.links]
        elif node.links:
            link = node.links[0]
            s = src + ' -> ' + ''.join(summary_str(ps) + ' -> '
                                       for ps in link.sets[:-1])
            if link.to is not None:
                s += addr_str(link.to.addr)
            else:
                s += summary_str(link.sets[-1])
            out.append(s + '\n')
    return ''.join(out)
