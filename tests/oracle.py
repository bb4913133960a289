"""Rebuild our result objects from what Debian's scamper 20211212 prints.

``trace_from_json`` and ``ping_from_json`` take one object of
``sc_warts2json`` / ``scamper -O json`` output (a dict or its line).
scamper's JSON leaves out a few things the text output needs (the trace
flags, the PMTUD records, ICMP timestamp replies); pass the object's block
of ``sc_wartsdump`` output as ``dump`` to fill those in.

The golden cases in tests/data/output/ were captured with capture.sh there.
"""

import json
import re
import socket

from scamperd.ping.result import (FLAG_PAYLOAD, Ping, PingReply,
                                  REPLY_FLAG_REPLY_IPID)
from scamperd.ping.json import FLAG_NAMES
from scamperd.trace.json import JSON_METHODS
from scamperd.trace.result import (FLAG_ICMPCSUMDP, HOP_FLAG_TCP,
                                   HOP_FLAG_UDP, METHOD_NAMES,
                                   PMTUD_N_PTB, PMTUD_N_PTB_BAD,
                                   PMTUD_N_SILENCE, STOP_NAMES, Trace,
                                   TraceHop, TracePmtud)


def addr(s):
    return socket.inet_pton(socket.AF_INET6 if ':' in s else socket.AF_INET,
                            s)


def usec(ms):
    """An RTT as scamper prints it (milliseconds) -> microseconds."""
    return round(ms * 1000)


def epoch(tv):
    return tv['sec'] + tv['usec'] / 1000000


def loads(obj):
    return json.loads(obj) if isinstance(obj, str) else obj


# --- trace -----------------------------------------------------------------

TRACE_METHODS = {name: METHOD_NAMES[num] for num, name in JSON_METHODS.items()}
STOP_REASONS = {name: num for num, name in STOP_NAMES.items()}


def icmpext_bytes(exts):
    """RFC 4884 extension bytes (header first) holding scamper's objects."""
    data = bytes([0x20, 0, 0, 0])
    for ie in exts:
        body = b''
        for m in ie.get('mpls_labels', []):
            word = ((m['mpls_label'] << 12) | (m['mpls_exp'] << 9)
                    | (m['mpls_s'] << 8) | m['mpls_ttl'])
            body += word.to_bytes(4, 'big')
        body = body.ljust(ie['ie_dl'], b'\0')
        data += (len(body) + 4).to_bytes(2, 'big')
        data += bytes([ie['ie_cn'], ie['ie_ct']]) + body
    return data


def hop_from_json(h):
    hop = TraceHop(addr=addr(h['addr']), probe_ttl=h['probe_ttl'],
                   probe_id=h['probe_id'], probe_size=h['probe_size'],
                   rtt=usec(h['rtt']), reply_ttl=h['reply_ttl'],
                   reply_tos=h['reply_tos'],
                   reply_ipid=h.get('reply_ipid'),
                   reply_size=h.get('reply_size'))
    if 'tx' in h:
        hop.tx = epoch(h['tx'])
    if 'icmp_type' in h:
        hop.icmp_type = h['icmp_type']
        hop.icmp_code = h['icmp_code']
        hop.icmp_q_ttl = h.get('icmp_q_ttl')
        hop.icmp_q_ipl = h.get('icmp_q_ipl')
        hop.icmp_q_tos = h.get('icmp_q_tos')
        hop.icmp_nhmtu = h.get('icmp_nhmtu:')
    elif 'tcp_flags' in h:
        hop.tcp_flags = h['tcp_flags']
        hop.flags |= HOP_FLAG_TCP
    else:
        hop.flags |= HOP_FLAG_UDP
    if 'icmpext' in h:
        hop.icmp_ext = icmpext_bytes(h['icmpext'])
    return hop


def trace_from_json(obj, dump=None):
    o = loads(obj)
    t = Trace()
    t.userid = o['userid']
    t.method = TRACE_METHODS[o['method']]
    t.src = addr(o['src']) if 'src' in o else None
    t.dst = addr(o['dst'])
    t.rtr = addr(o['rtr']) if 'rtr' in o else None
    t.sport = o.get('sport', 0)
    t.dport = o.get('dport', 0)
    if 'icmp_sum' in o:
        t.icmp_sum = o['icmp_sum']
        t.flags |= FLAG_ICMPCSUMDP
    t.stop_reason = STOP_REASONS[o['stop_reason']]
    t.stop_data = o['stop_data']
    t.start = epoch(o['start'])
    for k in ('hop_count', 'attempts', 'hoplimit', 'firsthop', 'wait',
              'wait_probe', 'tos', 'probe_size', 'probe_count'):
        setattr(t, k, o[k])
    t.hops = [hop_from_json(h) for h in o.get('hops', [])]
    if dump is not None:
        apply_trace_dump(t, dump)
    return t


# --- sc_wartsdump ----------------------------------------------------------

def split_dump(text):
    """sc_wartsdump output -> the blocks of its traces and pings."""
    blocks = re.split(r'^(?=traceroute from |ping from )', text, flags=re.M)
    return [b for b in blocks if b.startswith(('traceroute', 'ping'))]


def dump_hops(lines):
    """TraceHop records from sc_wartsdump 'hop' paragraphs."""
    hops = []
    for line in lines:
        m = re.match(r'hop +(\d+) +(\S+)', line)
        if m:
            hop = TraceHop(probe_ttl=int(m.group(1)), addr=addr(m.group(2)))
            hops.append(hop)
            continue
        if not hops:
            continue
        hop = hops[-1]
        m = re.search(r'attempt: (\d+),.* rtt: (\d+)\.(\d+)s, '
                      r'probe-size: (\d+)', line)
        if m:
            hop.probe_id = int(m.group(1))
            hop.rtt = int(m.group(2)) * 1000000 + int(m.group(3))
            hop.probe_size = int(m.group(4))
        m = re.search(r'icmp-type: (\d+), icmp-code: (\d+)', line)
        if m:
            hop.icmp_type, hop.icmp_code = int(m.group(1)), int(m.group(2))
        m = re.search(r'q-ttl: (\d+)', line)
        if m:
            hop.icmp_q_ttl = int(m.group(1))
        m = re.search(r'nhmtu: (\d+)', line)
        if m:
            hop.icmp_nhmtu = int(m.group(1))
    return hops


def apply_trace_dump(t, dump):
    m = re.search(r'^ flags: 0x([0-9a-f]+)', dump, flags=re.M)
    t.flags |= int(m.group(1), 16)
    m = re.search(r'^pmtud: ver (\d+) ifmtu (\d+), pmtu (\d+)'
                  r'(?:, outmtu (\d+))?', dump, flags=re.M)
    if m is None:
        return
    lines = dump[m.end():].splitlines()
    p = TracePmtud(ifmtu=int(m.group(2)), outmtu=int(m.group(4) or 0),
                   pmtu=int(m.group(3)))
    p.ver = int(m.group(1))
    p.probes = dump_hops(lines)
    used = set()
    for line in lines:
        n = re.match(r' note \d+: nhmtu (\d+), (ptb-bad|ptb|silence > ttl)'
                     r' ?(\S*)', line)
        if not n:
            continue
        kind, arg = n.group(2), n.group(3)
        ntype = {'ptb': PMTUD_N_PTB, 'ptb-bad': PMTUD_N_PTB_BAD,
                 'silence > ttl': PMTUD_N_SILENCE}[kind]
        hop = None
        for i, h in enumerate(p.probes):
            if i in used:
                continue
            if (ntype == PMTUD_N_SILENCE and str(h.probe_ttl) == arg) or \
               (ntype != PMTUD_N_SILENCE and arg and h.addr == addr(arg)
                    and h.icmp_nhmtu is not None):
                used.add(i)
                hop = h
                break
        p.notes.append((ntype, int(n.group(1)), hop))
    t.pmtud = p


def ms_of_day(s):
    """hh:mm:ss.mmm -> milliseconds since midnight."""
    h, m, rest = s.split(':')
    sec, ms = rest.split('.')
    return ((int(h) * 60 + int(m)) * 60 + int(sec)) * 1000 + int(ms)


def apply_ping_dump(p, dump):
    """ICMP timestamp replies, which the JSON lacks, in reply order."""
    found = re.findall(r'icmp-tsreply: tso=(\S+) tsr=(\S+) tst=(\S+)', dump)
    replies = [r for rs in p.replies for r in rs]
    tsreplies = [r for r in replies if r.icmp_type == 14]
    for r, ts in zip(tsreplies, found):
        r.tsreply = tuple(ms_of_day(x) for x in ts)


# --- ping ------------------------------------------------------------------

def reply_from_json(r):
    a = addr(r['from'])
    rep = PingReply(addr=a, probe_id=r['seq'], reply_size=r['reply_size'],
                    reply_ttl=r['reply_ttl'], rtt=usec(r['rtt']))
    proto = r['reply_proto']
    rep.reply_proto = {'icmp': 1 if len(a) == 4 else 58, 'tcp': 6,
                       'udp': 17}.get(proto, proto)
    if 'tx' in r:
        rep.tx = epoch(r['tx'])
    if len(a) == 4:
        rep.probe_ipid = r['probe_ipid']
        rep.reply_ipid = r['reply_ipid']
    elif 'reply_ipid' in r:
        rep.reply_ipid32 = r['reply_ipid']
        rep.flags |= REPLY_FLAG_REPLY_IPID
    if 'icmp_type' in r:
        rep.icmp_type, rep.icmp_code = r['icmp_type'], r['icmp_code']
    if 'tcp_flags' in r:
        rep.tcp_flags = r['tcp_flags']
    if 'RR' in r:
        rep.v4rr = [addr(x) for x in r['RR']]
    if 'tsonly' in r:
        rep.v4ts = [(None, ts) for ts in r['tsonly']]
    if 'tsandaddr' in r:
        rep.v4ts = [(addr(x['ip']), x['ts']) for x in r['tsandaddr']]
    return rep


def ping_from_json(obj, dump=None):
    o = loads(obj)
    p = Ping()
    p.method = o['method']
    p.src = addr(o['src']) if 'src' in o else None
    p.dst = addr(o['dst']) if 'dst' in o else None
    p.rtr = addr(o['rtr']) if 'rtr' in o else None
    p.start = epoch(o['start'])
    p.ping_sent = o['ping_sent']
    p.probe_size = o['probe_size']
    p.userid = o['userid']
    p.probe_ttl = o['ttl']
    p.probe_wait = o['wait'] + o.get('wait_us', 0) / 1000000
    p.probe_timeout = o['timeout']
    p.probe_sport = o.get('sport', 0)
    p.probe_dport = o.get('dport', 0)
    p.probe_tcpseq = o.get('tcp_seq', 0)
    p.probe_tcpack = o.get('tcp_ack', 0)
    for name in o.get('flags', []):
        p.flags |= 1 << FLAG_NAMES.index(name)
    if 'payload' in o:
        p.probe_data = bytes.fromhex(o['payload'])
        p.flags |= FLAG_PAYLOAD
    elif 'pattern' in o:
        p.probe_data = bytes.fromhex(o['pattern'])
    p.probe_datalen = len(p.probe_data)
    p.probe_icmpsum = o.get('icmp_csum', 0)
    p.probe_tsps = [addr(x) for x in o.get('probe_tsps', [])]
    p.replies = [[] for _ in range(p.ping_sent)]
    for r in o['responses']:
        p.replies[r['seq']].append(reply_from_json(r))
    if dump is not None:
        apply_ping_dump(p, dump)
    return p
