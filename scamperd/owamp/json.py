"""JSON output of an owamp, as newer scamper prints it
(scamper/owamp/scamper_owamp_json.c, 2026)."""

from scamperd.neighbourdisc.dump import addr_str
from scamperd.owamp.result import (DIR_NAMES, RESULT_NAMES, RX_FLAG_DSCP,
                                   RX_FLAG_ERREST, RX_FLAG_TTL, SCHED_NAMES,
                                   TX_FLAG_ERREST, TX_FLAG_NOTSENT)

HEADER_SIZE = 1024      # the buffer scamper builds the header in
ESC_SIZE = 512          # and the one it escapes strings into


def esc(s):
    """json_esc: quotes and backslashes escaped; stops at the first
    character that is not printable ASCII, or when the buffer is full."""
    out = ''
    for ch in s:
        if not (' ' <= ch <= '~'):
            break
        if ch in '"\\':
            if ESC_SIZE - len(out) <= 2:
                break
            out += '\\' + ch
        else:
            if ESC_SIZE - len(out) <= 1:
                break
            out += ch
    return out


def name(names, i):
    return names[i] if i < len(names) else str(i)


def tv(label, t):
    sec, usec = divmod(round(t * 1000000), 1000000)
    return '"%s":{"sec":%u,"usec":%u}' % (label, sec & 0xffffffff, usec)


def rx_json(rx):
    s = '{' + tv('stamp', rx.stamp)
    if rx.flags & RX_FLAG_ERREST:
        s += ',"errest":%u' % rx.errest
    if rx.flags & RX_FLAG_DSCP:
        s += ',"dscp":%u' % rx.dscp
    if rx.flags & RX_FLAG_TTL:
        s += ',"ttl":%u' % rx.ttl
    return s + '}'


def tx_json(tx):
    s = '{%s,"seq":%u' % (tv('stamp', tx.stamp), tx.seq)
    if tx.flags & TX_FLAG_ERREST:
        s += ',"errest":%u' % tx.errest
    s += ',"rxc":%u,"sent":%u,"rxs":[' % (
        len(tx.rxs), 0 if tx.flags & TX_FLAG_NOTSENT else 1)
    return s + ','.join(rx_json(rx) for rx in tx.rxs) + ']}'


def format(ow):
    s = '{"type":"owamp","dir":"%s"' % name(DIR_NAMES, ow.dir)
    if ow.src is not None:
        s += ',"src":"%s"' % addr_str(ow.src)
    if ow.dst is not None:
        s += ',"dst":"%s"' % addr_str(ow.dst)
    s += ',"dport":%u,%s,%s,%s,%s' % (
        ow.dport, tv('start', ow.start), tv('startat', ow.startat),
        tv('wait_timeout', ow.wait_timeout), tv('hsrtt', ow.hsrtt))
    s += ',"userid":%u,"attempts":%u,"pktsize":%u,"dscp":%u' % (
        ow.userid, ow.attempts, ow.pktsize, ow.dscp)
    s += ',"udp_sport":%u,"udp_dport":%u,"result":"%s"' % (
        ow.udp_sport, ow.udp_dport, name(RESULT_NAMES, ow.result))
    if ow.errmsg is not None:
        s += ',"errmsg":"%s"' % esc(ow.errmsg)
    if ow.list is not None and ow.list.monitor is not None:
        s += ',"monitor":"%s"' % esc(ow.list.monitor)
    if ow.scheds:
        s = (s + ',"sched":[')[:HEADER_SIZE - 1] + ','.join(
            '{%s,"type":"%s"}' % (tv('value', x.tv), name(SCHED_NAMES, x.type))
            for x in ow.scheds) + ']'
    else:
        s = s[:HEADER_SIZE - 1]
    return s + ',"txs":[%s]}' % ','.join(tx_json(tx) for tx in ow.txs)
