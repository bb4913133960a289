"""tracelb: the Multipath Detection Algorithm, as scamper 20211212 runs it
(scamper/tracelb/scamper_tracelb_do.c), as a sans-I/O method.

The trace is a graph of path segments.  A segment (``_Path``) is a run of
links without branches; ``back`` and ``fwd`` join segments where paths
split and merge.  Each segment that can be probed further gets a branch
(``_Branch``), which probes one hop at a time with distinct flow ids
until, at the confidence asked for, no more next hops remain to find.
One branch is probed at a time (``active``); the others wait in a heap
ordered by their distance from the source.

A branch moves through modes: FIRSTADDR finds the interface at -f
firsthop; FIRSTHOP enumerates the hop after it; HOPPROBE the hop after a
known node, with flow ids known to reach that node; BRINGFWD/BRINGFWD0
look for such flow ids when the segment has none left; PERPACKET checks
whether a hop with several next hops balances per packet; CLUMP
follows a run of hops whose interfaces cannot be told apart into links
(several answers to one flow, unanswered flows, a balancer at the first
hop): one link then spans several hops, one probe set each.

Probes carry their index (the probe id) where replies quote it: in the IP
id and the UDP checksum (UDP), the ICMP sequence (ICMP echo), the IP id
(TCP).  The flow id is the UDP destination or source port, the ICMP
checksum, or the TCP source port.
"""

from scamperd.method import Method
from scamperd.probe import (Probe, IPPROTO_ICMP, IPPROTO_ICMPV6,
                            IPPROTO_TCP, IPPROTO_UDP, ICMP_ECHO, ICMP6_ECHO,
                            TH_ACK, TH_SYN)
from scamperd.trace.json import icmp_objects
from scamperd.tracelb.result import (
    NODE_FLAG_QTTL, REPLY_FLAG_REPLY_TTL, REPLY_FLAG_TCP, Tracelb,
    TracelbLink, TracelbNode, TracelbProbe, TracelbReply)

FIRSTADDR, FIRSTHOP, HOPPROBE, PERPACKET, BRINGFWD, BRINGFWD0, CLUMP = \
    range(2, 9)

# probes needed to rule out another next hop when n-1 are known, n = 2..99,
# at 95 % and 99 % confidence (scamper's table)
_K95 = (6, 11, 16, 21, 27, 33, 38, 44, 51, 57, 63, 70, 76, 83, 90, 96, 103,
        110, 117, 124, 131, 138, 145, 152, 159, 167, 174, 181, 189, 196, 203,
        211, 218, 226, 233, 241, 248, 256, 264, 271, 279, 287, 294, 302, 310,
        318, 326, 333, 341, 349, 357, 365, 373, 381, 389, 397, 405, 413, 421,
        429, 437, 445, 453, 462, 470, 478, 486, 494, 502, 511, 519, 527, 535,
        544, 552, 560, 569, 577, 585, 594, 602, 610, 619, 627, 635, 644, 652,
        661, 669, 678, 686, 695, 703, 712, 720, 729, 737, 746)
_K99 = (8, 15, 21, 28, 36, 43, 51, 58, 66, 74, 82, 90, 98, 106, 115, 123, 132,
        140, 149, 157, 166, 175, 183, 192, 201, 210, 219, 228, 237, 246, 255,
        264, 273, 282, 291, 300, 309, 319, 328, 337, 347, 356, 365, 375, 384,
        393, 403, 412, 422, 431, 441, 450, 460, 470, 479, 489, 499, 508, 518,
        528, 537, 547, 557, 566, 576, 586, 596, 606, 616, 625, 635, 645, 655,
        665, 675, 685, 695, 705, 715, 725, 735, 745, 755, 765, 775, 785, 795,
        805, 815, 825, 835, 845, 855, 866, 876, 886, 896, 906)
MAX_N = 99


def nlimit(n):
    return n if n <= MAX_N else MAX_N


def _sign(x):
    return (x > 0) - (x < 0)


def qsort3(a, cmp):
    """Sort list ``a`` in place with a three-way partition quicksort whose
    order of equal items is scamper's array_qsort()'s (it matters where
    the comparison has ties)."""
    def sort(lo, hi):
        while lo < hi:
            lt, gt, i, pivot = lo, hi, lo, a[lo]
            while i <= gt:
                rc = cmp(a[i], pivot) if a[i] is not pivot else 0
                if rc < 0:
                    a[lt], a[i] = a[i], a[lt]
                    lt += 1
                    i += 1
                elif rc > 0:
                    a[i], a[gt] = a[gt], a[i]
                    gt -= 1
                else:
                    i += 1
            sort(lo, lt - 1)
            lo = gt + 1
    sort(0, len(a) - 1)


def node_cmp(a, b):
    """scamper_tracelb_node_cmp: by address, then quoted TTL."""
    if a.addr is None or b.addr is None:
        return (a.addr is not None) - (b.addr is not None)
    if a.addr != b.addr:
        return -1 if (len(a.addr), a.addr) < (len(b.addr), b.addr) else 1
    qa, qb = a.flags & NODE_FLAG_QTTL, b.flags & NODE_FLAG_QTTL
    if qa and qb:
        return _sign(a.q_ttl - b.q_ttl)
    if qa or qb:
        return -1 if qa else 1
    return 0


def link_cmp(a, b):
    """scamper_tracelb_link_cmp: by near end, then far end (None last)."""
    if a is b:
        return 0
    i = node_cmp(a.frm, b.frm)
    if i:
        return i
    if a.to is not None and b.to is not None:
        return node_cmp(a.to, b.to)
    return (a.to is None) - (b.to is None)


def find(array, item, cmp):
    """array_find: binary search in a sorted list (None if absent)."""
    lo, hi = 0, len(array) - 1
    while lo <= hi:
        k = (lo + hi) // 2
        i = cmp(array[k], item)
        if i > 0:
            hi = k - 1
        elif i < 0:
            lo = k + 1
        else:
            return array[k]
    return None


def is_ttl_exp(r):
    return not r.flags & REPLY_FLAG_TCP and \
        r.icmp_type == (11 if len(r.addr) == 4 else 3)


def is_unreach(r):
    return not r.flags & REPLY_FLAG_TCP and \
        r.icmp_type == (3 if len(r.addr) == 4 else 1)


def reply_node(r):
    """The node a reply names: its address, and the quoted TTL of a time
    exceeded or unreachable message."""
    node = TracelbNode(r.addr)
    if is_ttl_exp(r) or is_unreach(r):
        node.q_ttl = r.icmp_q_ttl
        node.flags |= NODE_FLAG_QTTL
    return node


class Heap:
    """scamper's binary heap (mjl_heap): the item ``cmp`` ranks highest on
    top; items of equal rank come out in the order its sift-up and
    sift-down give."""

    def __init__(self, cmp):
        self.cmp = cmp
        self.a = [None]

    def __len__(self):
        return len(self.a) - 1

    def _up(self, k):
        a, v = self.a, self.a[k]
        while k > 1 and self.cmp(a[k // 2], v) <= 0:
            a[k] = a[k // 2]
            k //= 2
        a[k] = v

    def _down(self, k):
        a, v, n = self.a, self.a[k], len(self.a) - 1
        while k <= n // 2:
            j = k + k
            if j < n and self.cmp(a[j], a[j + 1]) < 0:
                j += 1
            if self.cmp(v, a[j]) >= 0:
                break
            a[k] = a[j]
            k = j
        a[k] = v

    def insert(self, item):
        self.a.append(item)
        self._up(len(self.a) - 1)

    def remove(self):
        if len(self.a) == 1:
            return None
        top = self.a[1]
        last = self.a.pop()
        if len(self.a) > 1:
            self.a[1] = last
            self._down(1)
        return top

    def remake(self):
        for i in range(1, len(self.a)):
            self._up(i)


class _Link:
    """A link of the trace, the segment it belongs to, and the flow ids
    ([id, ttl]) known to reach its far end."""
    __slots__ = ('link', 'flowids', 'path')

    def __init__(self, link, path):
        self.link = link
        self.path = path
        self.flowids = []


class _Path:
    __slots__ = ('back', 'links', 'fwd', 'visited', 'distance')

    def __init__(self):
        self.back = []
        self.links = []
        self.fwd = []
        self.visited = 0
        self.distance = 0


class _Branch:
    __slots__ = ('path', 'last_tx', 'next_tx', 'mode', 'k', 'l', 'n',
                 'bringfwd', 'bringfwd0', 'newnodes', 'probes')

    def __init__(self, mode, path=None):
        self.path = path
        self.mode = mode
        self.last_tx = 0.0
        self.next_tx = 0.0
        self.bringfwd = None      # [[path, k]], this path first
        self.bringfwd0 = 0
        self.newnodes = []        # [node, probe], sorted by node_cmp
        self.probes = []
        self.reset()

    def reset(self):
        self.l = 0
        self.k = 0
        self.n = 2
        if self.mode != PERPACKET:
            for pr in self.probes:
                pr.branch = None
            self.probes = []
        self.bringfwd = None


class _Probe:
    __slots__ = ('link', 'branch', 'probe', 'id', 'mode', 'pkt')

    def __init__(self, mode):
        self.mode = mode
        self.link = None
        self.branch = None
        self.probe = TracelbProbe()
        self.id = 0
        self.pkt = None


def path_length(path):
    """Links on the shortest run of segments back to the first one."""
    if path is None:
        return 0
    n = len(path.links)
    while path.back:
        shortest = path.back[0]
        for b in path.back[1:]:
            if len(shortest.links) > len(b.links):
                shortest = b
        n += len(shortest.links)
        path = shortest
    return n


def _newnode_cmp(a, b):
    return node_cmp(a[0], b[0])


class TracelbMethod(Method):
    def __init__(self, cmd, ctx):
        sport = cmd.sport if cmd.sport is not None else ctx.sport
        self.trace = Tracelb(
            method=cmd.method, src=ctx.src, dst=cmd.dst, sport=sport,
            dport=cmd.dport, probe_size=cmd.probe_size,
            firsthop=cmd.firsthop, wait_timeout=cmd.wait_timeout,
            wait_probe=cmd.wait_probe, attempts=cmd.attempts,
            confidence=cmd.confidence, tos=cmd.tos, gaplimit=cmd.gaplimit,
            probec_max=cmd.probec_max, userid=cmd.userid)
        self.ktab = _K95 if cmd.confidence == 95 else _K99
        self.v4 = len(cmd.dst) == 4
        self.method = cmd.method
        self.active = None
        self.waiting = Heap(lambda a, b: path_length(b.path) -
                            path_length(a.path))
        self.next_tx = 0.0
        self.probes = []          # _Probe by probe id
        self.links = []           # _Link, sorted by link_cmp
        self.paths = []
        if cmd.method == 'udp-dport':
            self.flowid_next = cmd.dport
        elif cmd.method == 'icmp-echo':
            self.flowid_next = 1
        else:
            self.flowid_next = sport
        self.want = False
        self.wait_at = None

    def k(self, n):
        return self.ktab[n - 2]

    # -- the engine's contract ------------------------------------------

    def start(self, now):
        self.trace.start = now
        self.waiting.insert(_Branch(FIRSTADDR))
        self.want = True

    def ready(self):
        return self.want and not self.done

    def timer(self):
        return None if self.done else self.wait_at

    def handle_timer(self, now):
        self.wait_at = None
        self._timeout(now)

    def halt(self, now):
        self._finish()

    def send_error(self, probe, err, now):
        self._finish()

    def _finish(self):
        if self.done:
            return
        for pr in self.probes:
            if pr.pkt is not None and pr.pkt.tx:
                pr.probe.tx = pr.pkt.tx
        self.want = False
        self.wait_at = None
        self.done = True
        self.result = self.trace

    def _active(self, br):
        assert self.active is None
        self.active = br

    def _unactive(self, br):
        if self.active is br:
            self.active = None

    def _queue(self, now):
        """tracelb_queue: probe now, wait, or stop."""
        if self.done:
            return
        if self.active is None and not len(self.waiting):
            self._finish()
            return
        nxt = self.active.next_tx if self.active else self.next_tx
        if nxt <= now:
            if self.trace.probec >= self.trace.probec_max:
                self._finish()
                return
            self.want, self.wait_at = True, None
        else:
            self.want, self.wait_at = False, nxt

    # -- sending ---------------------------------------------------------

    def next_probe(self, now):
        t = self.trace
        br = self.active
        if br is not None:
            self.active = None
        else:
            br = self.waiting.remove()
        last = br.probes[-1] if br.probes else None
        pr = _Probe(br.mode)
        p = pr.probe
        if last is not None and not last.probe.replies and \
                last.probe.attempt + 1 < t.attempts:
            p.flowid, p.ttl = last.probe.flowid, last.probe.ttl
            p.attempt = last.probe.attempt + 1
            pr.link, pr.mode = last.link, last.mode
        elif br.mode == FIRSTADDR:
            p.flowid, p.ttl = self.flowid_next, t.firsthop
        elif br.mode == FIRSTHOP:
            p.flowid, p.ttl = self.flowid_next, t.firsthop + 1
            self.flowid_next += 1
        elif br.mode in (HOPPROBE, CLUMP):
            self._probe_vals(br, pr)
        elif br.mode == PERPACKET:
            first = br.newnodes[0][1]
            p.flowid, p.ttl = first.flowid, first.ttl

        pr.id = len(self.probes)
        pr.pkt = self._packet(pr)
        t.probec += 1
        p.tx = now
        self.probes.append(pr)
        br.probes.append(pr)
        pr.branch = br
        self.next_tx = now + t.wait_probe / 100.0
        br.last_tx = now
        br.next_tx = now + t.wait_timeout
        self._active(br)
        self._queue(now)
        return pr.pkt

    def _packet(self, pr):
        t, p, pid = self.trace, pr.probe, pr.id
        fam = 4 if self.v4 else 6
        pkt = Probe(fam, t.src, t.dst, IPPROTO_UDP, ttl=p.ttl, tos=t.tos,
                    df=self.v4, size=t.probe_size, cookie=pid)
        if self.method in ('udp-dport', 'udp-sport'):
            pkt.ipid = (pid + 1) & 0xffff if self.v4 else 0
            pkt.udp_sum = (pid + 1) & 0xffff
            if self.method == 'udp-dport':
                pkt.sport, pkt.dport = t.sport, p.flowid
            else:
                pkt.sport, pkt.dport = p.flowid, t.dport
        elif self.method == 'icmp-echo':
            pkt.proto = IPPROTO_ICMP if self.v4 else IPPROTO_ICMPV6
            pkt.icmp_type = ICMP_ECHO if self.v4 else ICMP6_ECHO
            pkt.icmp_id, pkt.icmp_seq = t.sport, pid & 0xffff
            pkt.icmp_sum = p.flowid
        else:
            pkt.proto = IPPROTO_TCP
            pkt.sport, pkt.dport = p.flowid, t.dport
            pkt.ipid = (pid + 1) & 0xffff
            pkt.tcp_seq = pkt.tcp_ack = pkt.tcp_win = 0
            pkt.tcp_flags = TH_SYN if self.method == 'tcp-sport' else TH_ACK
        return pkt

    # -- flow ids ----------------------------------------------------------

    def _path_flowid(self, path, p):
        """A flow id known to reach the end of ``path`` (or of a segment
        before it that leads only here), with the TTL to probe past it."""
        for i in range(len(path.links) - 1, -1, -1):
            tl = path.links[i]
            if tl.flowids:
                fid, ttl = tl.flowids.pop(0)
                p.flowid, p.ttl = fid, ttl + 1
                for later in path.links[i + 1:]:
                    p.ttl += len(later.link.sets)
                return True
        for back in path.back:
            if len(back.fwd) == 1 and self._path_flowid(back, p):
                for tl in path.links:
                    p.ttl += len(tl.link.sets)
                return True
        return False

    def _bringfwd_dft(self, br, path):
        if path.visited:
            return True
        if not path.back:
            br.bringfwd.append([path, 0])
            path.visited = 1
            return True
        rc = False
        for back in path.back:
            if self._bringfwd_dft(br, back):
                rc = True
        if rc:
            br.bringfwd.append([path, 0])
            path.visited = 1
        return rc

    def _probe_vals(self, br, pr):
        """tracelb_probe_vals: the flow id and TTL of the branch's next
        probe, bringing a flow id forward when its segment has none."""
        t, p = self.trace, pr.probe
        path0 = br.path
        pr.mode = br.mode
        p.attempt = 0
        if self._path_flowid(path0, p):
            for bf in br.bringfwd or ():
                bf[1] = 0
            if path0.links:
                pr.link = path0.links[-1]
            elif path0.back:
                pr.link = path0.back[0].links[-1]
            else:
                raise RuntimeError('tracelb: no link to probe past')
            return
        if not path0.back and len(t.nodes[0].links) == 1:
            p.ttl = t.firsthop + 1 + sum(len(tl.link.sets)
                                         for tl in path0.links)
            p.flowid = self.flowid_next
            self.flowid_next += 1
            pr.link = path0.links[-1]
            return
        if br.bringfwd is None or br.bringfwd[0][0] is not path0:
            br.bringfwd = []
            for path in self.paths:
                path.visited = 0
            self._bringfwd_dft(br, path0)
            qsort3(br.bringfwd,
                   lambda a, b: _sign(b[0].distance - a[0].distance))
        for bf in br.bringfwd:
            bf[0].visited = 0
        pr.mode = BRINGFWD
        for path, _ in br.bringfwd[1:]:
            if path.visited:
                continue
            if self._path_flowid(path, p):
                pr.link = path.links[-1] if path.links else \
                    path.back[0].links[-1]
                return
        p.flowid = self.flowid_next
        self.flowid_next += 1
        p.ttl = t.firsthop + 1
        if len(t.nodes[0].links) == 1:
            path = br.bringfwd[-1][0]
            pr.link = path.links[-1]
            p.ttl += sum(len(tl.link.sets) for tl in path.links)
        else:
            pr.mode = BRINGFWD0
            pr.link = None

    def _bringfwd_set(self, br, tlbl, hit):
        """Count a probe that did not (``hit`` True) bring a flow id past
        the segment of ``tlbl``; True when it is time to give up."""
        for bf in br.bringfwd:
            path = bf[0]
            if path is tlbl.path:
                n = nlimit(len(path.fwd) + 2)
                if hit:
                    bf[1] += 1
                    if bf[1] >= self.k(n):
                        return True
                else:
                    bf[1] = 0
                return False
        raise RuntimeError('tracelb: link not on the way to the branch')

    # -- the graph -------------------------------------------------------

    def _link_alloc(self, link, path):
        tl = _Link(link, path)
        self.links.append(tl)
        qsort3(self.links, lambda a, b: link_cmp(a.link, b.link))
        return tl

    def _path_alloc(self):
        path = _Path()
        self.paths.append(path)
        return path

    def _add_back(self, path, back):
        path.back.append(back)
        back.fwd.append(path)

    def _trace_link_add(self, link):
        """scamper_tracelb_link_add: the link joins its node's and the
        trace's lists, both kept sorted."""
        link.frm.links.append(link)
        qsort3(link.frm.links, link_cmp)
        self.trace.links.append(link)
        qsort3(self.trace.links, link_cmp)

    def _node_find(self, node):
        for n in self.trace.nodes:
            if n.addr is not None and node_cmp(n, node) == 0:
                return n
        return None

    def _paths_sort(self):
        qsort3(self.paths, lambda a, b: _sign(a.distance - b.distance))

    def _distance(self, path, d):
        for p in self.paths:
            p.visited = 0
        self._distance1(path, d)
        self.waiting.remake()
        self._paths_sort()

    def _distance1(self, path, d):
        path.visited += 1
        if path.distance >= d:
            return
        path.distance = d
        for f in path.fwd:
            self._distance1(f, d + 1)

    def _splice(self, path0, path, linkc):
        """Split ``path`` after its first ``linkc`` links; the second
        part then follows both the first part and ``path0``."""
        newp = self._path_alloc()
        newp.back, path.back = path.back, []
        for b in newp.back:
            b.fwd = [newp if f is path else f for f in b.fwd]
        newp.links = path.links[:linkc]
        for tl in newp.links:
            tl.path = newp
        path.links = path.links[linkc:]
        self._add_back(path, newp)
        self._add_back(path, path0)
        newp.distance = path.distance
        d = max(path0.distance, path.distance) + 1
        self._distance(path, d)

    def _splice_bynode(self, path0):
        """The far end of ``path0``'s last link is a node already seen:
        join ``path0`` to the segment that continues from it."""
        tl0 = path0.links[-1]
        to = tl0.link.to
        for tl in self.links:
            if tl is not tl0 and tl.link.to is not None and \
                    node_cmp(tl.link.to, to) == 0:
                break
        else:
            raise RuntimeError('tracelb: node to splice at not found')
        path = tl.path
        i = path.links.index(tl)
        if i + 1 == len(path.links) and path.fwd:
            for f in list(path.fwd):
                self._add_back(f, path0)
                self._distance(f, path0.distance + 1)
        else:
            self._splice(path0, path, i + 1)

    def _isloop_addr(self, path, addr):
        for tl in reversed(path.links):
            link = tl.link
            if link is None or link.frm.addr is None:
                continue
            if link.frm.addr == addr:
                return tl
            for ps in link.sets[:-1]:
                for p in ps:
                    for r in p.replies:
                        if r.addr == addr:
                            return tl
        for b in path.back:
            tl = self._isloop_addr(b, addr)
            if tl is not None:
                return tl
        return None

    def _isloop(self, path):
        link = path.links[-1].link
        f, to = link.frm, link.to
        if f.addr is not None and f.addr == to.addr and \
                f.flags & NODE_FLAG_QTTL and to.flags & NODE_FLAG_QTTL and \
                f.q_ttl == 0 and to.q_ttl == 1:
            return None         # zero-TTL forwarding, not a loop
        return self._isloop_addr(path, to.addr)

    def _link_continue(self, path, link):
        """Whether to probe past ``link``: not past the destination, a
        reply other than time exceeded, or a loop."""
        if link.to is not None and link.to.addr == self.trace.dst:
            return False
        for p in link.sets[-1]:
            for r in p.replies:
                if not is_ttl_exp(r):
                    return False
        return self._isloop(path) is None

    def _path_add(self, path):
        br = _Branch(HOPPROBE, path)
        self.waiting.insert(br)

    # -- processing a hop ----------------------------------------------

    def _process_probes(self, br, now):
        """tracelb_process_probes: decide what the probes of a hop found."""
        self._unactive(br)
        n = c = x = 0
        hopprobe = False
        addr = None
        flowid = br.probes[0].probe.flowid
        for pr in br.probes:
            probe = pr.probe
            if probe.flowid != flowid:
                if x == 0 and hopprobe:
                    n += 1
                flowid = probe.flowid
                x, hopprobe, addr = 0, False, None
            if pr.mode in (HOPPROBE, FIRSTHOP, CLUMP):
                hopprobe = True
                if probe.replies:
                    x += 1
                if len(probe.replies) > 1:
                    c += 1
                if len(probe.replies) == 1:
                    a = probe.replies[0].addr
                    if addr is None:
                        addr = a
                    elif addr != a:
                        c += 1
        if x == 0 and hopprobe:
            n += 1

        if br.mode == PERPACKET:
            mode = CLUMP if br.k <= self.k(2) or c or n else HOPPROBE
        elif c or n:
            mode = CLUMP
        elif len(br.newnodes) > 1:
            mode = PERPACKET if br.mode == HOPPROBE else CLUMP
        else:
            mode = HOPPROBE

        if mode == HOPPROBE:
            self._process_hops(br)
        elif mode == CLUMP:
            self._process_clump(br)
        else:
            br.mode = PERPACKET
            br.reset()
            br.next_tx = br.last_tx + self.trace.wait_probe / 100.0
            self._active(br)
        self._queue(now)

    def _process_hops(self, br):
        """tracelb_process_hops: a link to each next hop found."""
        t = self.trace
        path0 = br.path
        if br.mode == FIRSTHOP:
            frm = t.nodes[0]
        elif br.mode == CLUMP:
            frm = None
        elif path0.links:
            frm = path0.links[-1].link.to
        else:
            frm = path0.back[0].links[-1].link.to

        for newnode, _ in br.newnodes:
            to = self._node_find(newnode)
            if to is None:
                to = newnode
                t.nodes.append(to)
                splice = False
            else:
                splice = True

            if br.mode != CLUMP:
                link = TracelbLink(frm, to)
            else:
                link = path0.links[-1].link
                link.to = to

            # the probes whose flow answered from this node, and the flow
            # ids to probe further with (those that got only time exceeded)
            ps, flowids = [], []
            probes = br.probes
            flowid = probes[0].probe.flowid
            k, record, timxceed = 0, False, True
            for j in range(len(probes) + 1):
                if j == len(probes) or probes[j].probe.flowid != flowid:
                    if record:
                        if timxceed and probes[k].mode != PERPACKET:
                            flowids.append([probes[k].probe.flowid,
                                            probes[k].probe.ttl])
                        ps.extend(probes[i].probe for i in range(k, j))
                    if j == len(probes):
                        break
                    timxceed, record = True, False
                    flowid = probes[j].probe.flowid
                    k = j
                pr = probes[j]
                if pr.mode in (BRINGFWD, BRINGFWD0):
                    k += 1
                    continue
                if not pr.probe.replies:
                    continue
                r = pr.probe.replies[0]
                if node_cmp(to, reply_node(r)) == 0:
                    record = True
                    if not is_ttl_exp(r):
                        timxceed = False

            link.sets.append(ps)
            if len(link.sets) == 1:
                self._trace_link_add(link)

            if br.mode == FIRSTHOP:
                newp = self._path_alloc()
                tl = self._link_alloc(link, newp)
                newp.links.append(tl)
            elif br.mode == CLUMP:
                tl = path0.links[-1]
                for f in tl.flowids:
                    f[1] += 1
                newp = path0
            elif len(br.newnodes) == 1:
                tl = self._link_alloc(link, path0)
                path0.links.append(tl)
                newp = path0
            else:
                newp = self._path_alloc()
                tl = self._link_alloc(link, newp)
                newp.links.append(tl)
                self._add_back(newp, path0)
                newp.distance = path0.distance + 1
                self._paths_sort()

            tl.flowids = flowids + tl.flowids

            if not self._link_continue(newp, link):
                continue
            if not splice:
                self._path_add(newp)
            else:
                self._splice_bynode(newp)

        for pr in br.probes:
            pr.branch = None

    def _process_clump(self, br):
        """tracelb_process_clump: one more hop of a link that spans
        several hops."""
        t = self.trace
        path0 = br.path
        halt = False
        if path0 is None:
            for node, _ in br.newnodes:
                if node_cmp(t.nodes[0], node) == 0:
                    halt = True
            br.newnodes = []
            path0 = br.path = self._path_alloc()
        elif br.newnodes:
            for node, _ in br.newnodes:
                if not halt and self._isloop_addr(path0, node.addr):
                    halt = True
            br.newnodes = []
        elif path0.links:
            link = path0.links[-1].link
            if t.gaplimit < 2:
                halt = True
            elif link.to is None and len(link.sets) + 1 >= t.gaplimit:
                k = 1
                for ps in reversed(link.sets):
                    if k == t.gaplimit:
                        break
                    if not any(p.replies for p in ps):
                        k += 1
                if k == t.gaplimit:
                    halt = True

        flowids, ps = [], []
        probes = br.probes
        flowid = probes[0].probe.flowid
        k = 0
        for i in range(len(probes) + 1):
            if i == len(probes) or flowid != probes[i].probe.flowid:
                if not halt and k < i and probes[k].mode != PERPACKET:
                    flowids.append([probes[k].probe.flowid,
                                    probes[k].probe.ttl])
                if i == len(probes):
                    break
                flowid = probes[i].probe.flowid
                k = i
            pr = probes[i]
            if pr.mode in (BRINGFWD, BRINGFWD0):
                k += 1
                continue
            ps.append(pr.probe)
            if not halt:
                for r in pr.probe.replies:
                    if not is_ttl_exp(r):
                        halt = True

        tl = None
        if not path0.links or path0.links[-1].link.to is not None:
            if path0.links:
                frm = path0.links[-1].link.to
            elif path0.back:
                frm = path0.back[0].links[-1].link.to
            else:
                frm = t.nodes[0]
            link = TracelbLink(frm)
        else:
            tl = path0.links[-1]
            link = tl.link
            for f in tl.flowids:
                f[1] += 1
        link.sets.append(ps)
        if len(link.sets) == 1:
            self._trace_link_add(link)
            tl = self._link_alloc(link, path0)
            path0.links.append(tl)

        if not halt:
            tl.flowids = flowids + tl.flowids
            br.mode = CLUMP
            br.reset()
            br.next_tx = br.last_tx + t.wait_probe / 100.0
            self.waiting.insert(br)
        else:
            for pr in br.probes:
                pr.branch = None

    def _cancel(self, br, now):
        self._process_probes(br, now)

    # -- replies ---------------------------------------------------------

    def receive(self, r, now):
        if self.done or not self.probes:
            return
        if r.proto == IPPROTO_TCP and r.q_proto is None:
            self._receive_tcp(r, now)
            return
        if r.proto not in (IPPROTO_ICMP, IPPROTO_ICMPV6) or \
                r.icmp_type is None:
            return
        v4 = self.v4
        typ = r.icmp_type
        ttl_exp = typ == (11 if v4 else 3)
        unreach = typ == (3 if v4 else 1)
        ptb = (not v4) and typ == 2
        echo_reply = typ == (0 if v4 else 129)
        icmp = self.method == 'icmp-echo'
        if not ((ttl_exp or unreach or ptb) and r.q_proto is not None) and \
                not (icmp and echo_reply):
            return
        t = self.trace
        if self.method in ('udp-dport', 'udp-sport'):
            if r.q_proto != IPPROTO_UDP:
                return
            if self.method == 'udp-dport':
                if r.q_sport != t.sport:
                    return
            elif r.q_dport != t.dport:
                return
            s, ipid = r.q_udp_sum or 0, r.q_ipid or 0
            if v4:
                if s == ipid and s != 0:
                    pid = s - 1
                elif ipid != 0:
                    pid = ipid - 1
                else:
                    return
            else:
                if s == 0:
                    return
                pid = s - 1
        elif icmp:
            if not echo_reply:
                if r.q_proto != (IPPROTO_ICMP if v4 else IPPROTO_ICMPV6) \
                        or r.q_icmp_id != t.sport \
                        or r.q_icmp_seq >= len(self.probes):
                    return
                pid = r.q_icmp_seq
            else:
                if r.icmp_id != t.sport or r.icmp_seq >= len(self.probes):
                    return
                pid = r.icmp_seq
        else:
            if r.q_proto != IPPROTO_TCP or r.q_dport != t.dport:
                return
            if not r.q_ipid:
                return
            pid = r.q_ipid - 1
        if pid >= len(self.probes):
            return
        pr = self.probes[pid]
        if pr.branch is None:
            return
        reply = TracelbReply(
            addr=r.src, rx=r.rx, ipid=r.ipid or 0, icmp_type=typ,
            icmp_code=r.icmp_code or 0, icmp_q_ttl=r.q_ttl or 0,
            icmp_q_tos=r.q_tos or 0,
            icmp_ext=icmp_objects(r.icmp_ext) if r.icmp_ext else ())
        if r.ttl is not None and r.ttl >= 0:
            reply.ttl = r.ttl
            reply.flags |= REPLY_FLAG_REPLY_TTL
        if pr.mode == FIRSTADDR:
            self._firstaddr(pr, reply, ttl_exp, unreach, now)
        elif pr.mode in (FIRSTHOP, HOPPROBE, CLUMP):
            self._hopprobe_reply(pr, reply, now)
        elif pr.mode == PERPACKET:
            self._perpacket_reply(pr, reply, now)
        else:
            self._bringfwd_reply(pr, reply, ttl_exp or unreach, now)

    def _receive_tcp(self, r, now):
        t = self.trace
        if self.method not in ('tcp-sport', 'tcp-ack-sport'):
            return
        if self.method == 'tcp-sport' and r.tcp_flags == TH_SYN:
            return
        if self.method == 'tcp-ack-sport' and r.tcp_flags == TH_ACK:
            return
        if r.sport != t.dport:
            return
        # no way to tell which probe it answers: scamper takes the last
        pr = self.probes[-1]
        if pr.branch is None or pr.probe.flowid != r.dport:
            return
        reply = TracelbReply(addr=r.src, rx=r.rx, ipid=r.ipid or 0,
                             ttl=r.ttl or 0, tcp_flags=r.tcp_flags or 0,
                             flags=REPLY_FLAG_TCP | REPLY_FLAG_REPLY_TTL)
        if pr.mode == FIRSTADDR:
            br = pr.branch
            self._unactive(br)
            for p in br.probes:
                p.branch = None
            self.trace.nodes.append(TracelbNode(reply.addr))
            self._queue(now)
        elif pr.mode in (FIRSTHOP, HOPPROBE, CLUMP):
            self._hopprobe_reply(pr, reply, now)

    def _firstaddr(self, pr, reply, ttl_exp, unreach, now):
        t = self.trace
        br = pr.branch
        self._unactive(br)
        node = TracelbNode(reply.addr)
        if ttl_exp or unreach:
            node.flags |= NODE_FLAG_QTTL
            node.q_ttl = reply.icmp_q_ttl
        t.nodes.append(node)
        if not ttl_exp or reply.addr == t.dst:
            for p in br.probes:
                p.branch = None
            self._queue(now)
            return
        br.mode = FIRSTHOP
        br.reset()
        br.next_tx = br.last_tx + t.wait_probe / 100.0
        self.waiting.insert(br)
        self._queue(now)

    def _hopprobe_reply(self, pr, reply, now):
        br = pr.branch
        pr.probe.replies.append(reply)
        if br.probes[-1] is not pr or len(pr.probe.replies) > 1:
            return
        node = reply_node(reply)
        if find(br.newnodes, [node], _newnode_cmp) is None:
            br.newnodes.append([node, pr.probe])
            qsort3(br.newnodes, _newnode_cmp)
            if br.n == len(br.newnodes):
                br.n += 1
        self._unactive(br)
        br.k += 1
        if br.n >= MAX_N or \
                (reply.addr == self.trace.dst and len(br.newnodes) < 2) or \
                br.k >= self.k(br.n):
            self._process_probes(br, now)
        else:
            br.next_tx = br.last_tx + self.trace.wait_probe / 100.0
            self._active(br)
            self._queue(now)

    def _perpacket_reply(self, pr, reply, now):
        br = pr.branch
        first = br.newnodes[0][0]
        pr.probe.replies.append(reply)
        if len(pr.probe.replies) == 1:
            br.k += 1
        process = False
        if node_cmp(first, reply_node(reply)) != 0:
            process = True
        elif len(pr.probe.replies) == 1 and br.k == self.k(2):
            process = True
            br.k += 1
        if not process:
            self._unactive(br)
            br.next_tx = br.last_tx + self.trace.wait_probe / 100.0
            self._active(br)
            self._queue(now)
        else:
            self._process_probes(br, now)

    def _bringfwd_reply(self, pr, reply, qttl, now):
        t = self.trace
        br = pr.branch
        pr.probe.replies.append(reply)
        cpr = br.probes[-1]
        if pr.mode != cpr.mode or pr.probe.flowid != cpr.probe.flowid or \
                pr.probe.ttl != cpr.probe.ttl:
            return
        rx = sum(len(br.probes[-1 - i].probe.replies)
                 for i in range(cpr.probe.attempt + 1))
        if rx != 1:
            return
        to = TracelbNode(reply.addr)
        if qttl:
            to.q_ttl = reply.icmp_q_ttl
            to.flags = NODE_FLAG_QTTL
        frm = pr.link.link.to if pr.mode == BRINGFWD else t.nodes[0]
        tl = find(self.links, TracelbLink(frm, to),
                  lambda a, b: link_cmp(a.link, b))
        if tl is None:
            hit = True
        else:
            tl.flowids.append([pr.probe.flowid, pr.probe.ttl])
            hit = not any(bf[0].links and bf[0].links[0] is tl
                          for bf in br.bringfwd)
        cancel = False
        if pr.mode == BRINGFWD:
            cancel = self._bringfwd_set(br, pr.link, hit)
        else:
            n = nlimit(len(t.nodes[0].links) + 2)
            br.bringfwd0 = br.bringfwd0 + 1 if hit else 0
            cancel = br.bringfwd0 >= self.k(n)
        if cancel:
            self._cancel(br, now)
            return
        self._unactive(br)
        br.next_tx = br.last_tx + t.wait_probe / 100.0
        self._active(br)
        self._queue(now)

    # -- timeouts --------------------------------------------------------

    def _timeout(self, now):
        """do_tracelb_handle_timeout."""
        t = self.trace
        br = self.active
        if br is None:
            self._queue(now)
            return
        pr = br.probes[-1]
        if pr.probe.replies or pr.probe.attempt + 1 < t.attempts:
            self._queue(now)
            return
        mode = pr.mode
        if mode == FIRSTADDR:
            self._unactive(br)
            t.nodes.append(TracelbNode(None))
            br.mode = FIRSTHOP
            br.reset()
            br.next_tx = br.last_tx + t.wait_probe / 100.0
            self.waiting.insert(br)
            self._queue(now)
        elif mode in (FIRSTHOP, HOPPROBE, CLUMP):
            br.l += 1
            if br.k + br.l >= self.k(br.n):
                self._process_probes(br, now)
            else:
                self._queue(now)
        elif mode == PERPACKET:
            self._process_probes(br, now)
        else:
            if mode == BRINGFWD:
                cancel = self._bringfwd_set(br, pr.link, True)
            else:
                br.bringfwd0 += 1
                n = nlimit(len(t.nodes[0].links) + 2)
                cancel = br.bringfwd0 >= self.k(n)
            if cancel:
                self._cancel(br, now)
            self._queue(now)
