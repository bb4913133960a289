"""scamper-lab: test topologies in network namespaces.

A lab is a handful of network namespaces joined by veth pairs: ``src`` (the
prober), routers, and ``dst``, which answers for all of 203.0.113.0/24 and
2001:db8:203::/64 (2001:db8:203::1 to ::ff are also configured on its lo,
as IPv6 UDP port unreachables come only from configured addresses).
Nothing is created in the root namespace; only documentation and benchmark
ranges are used; nothing outside the lab is routable from src.

    with Lab('line') as lab:
        lab.run(['scamper', '-c', 'trace', '-i', lab.target4])

From the shell::

    scamper-lab show line                 # addresses, without building
    scamper-lab run line -- scamper -c trace -i 203.0.113.10
    scamper-lab up line                   # build and keep; prints its NAME
    scamper-lab down [NAME ...]           # default: labs whose process is gone

Link n (1-based, in the order of TOPOLOGIES) uses 2001:db8:n::/64 and, for
IPv4, 192.0.2.0/24 (first link), 198.51.100.0/24 (last link) or
198.18.n.0/24; its src-side end is .1/::1, the other .2/::2.  Namespaces
are named sclab-TOPO-PID-N-NODE and recorded in /run/scamper-lab/NAME.json.
"""

import argparse
import atexit
import collections
import ipaddress
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

PREFIX = 'sclab-'                     # every lab namespace name starts so
STATE_DIR = '/run/scamper-lab'        # one JSON file per lab that exists
TARGET4_NET, TARGET4 = '203.0.113.0/24', '203.0.113.10'
TARGET6_NET, TARGET6 = '2001:db8:203::/64', '2001:db8:203::10'
TOOLS = ('ip', 'ethtool', 'ping', 'sysctl')

SYSCTLS = ('net.ipv4.icmp_ratelimit=0', 'net.ipv4.icmp_msgs_per_sec=1000000',
           'net.ipv4.icmp_msgs_burst=1000000', 'net.ipv6.icmp.ratelimit=0',
           'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0',
           # ecmp returns asymmetrically; strict reverse path checks would drop it
           'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0')
# routers answer from the interface the probe arrived on (IPv6 does so anyway)
ROUTER_SYSCTLS = ('net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1',
                  'net.ipv4.icmp_errors_use_inbound_ifaddr=1')
MULTIPATH_SYSCTLS = ('net.ipv4.fib_multipath_hash_policy=1',
                     'net.ipv6.fib_multipath_hash_policy=1')


class LabError(Exception):
    pass


@dataclass(frozen=True)
class Link:
    up: str             # the end nearer src
    down: str
    mtu: int = 1500


@dataclass(frozen=True)
class Topology:
    summary: str
    links: tuple
    multipath: tuple = ()   # routers spreading flows over equal-cost next hops


TOPOLOGIES = {
    'line': Topology('src - r1 - r2 - r3 - dst', (
        Link('src', 'r1'), Link('r1', 'r2'), Link('r2', 'r3'), Link('r3', 'dst'))),
    'ecmp': Topology('src - r1 - {r2a, r2b} - r3 - dst, r1 hashes flows on L4', (
        Link('src', 'r1'), Link('r1', 'r2a'), Link('r1', 'r2b'),
        Link('r2a', 'r3'), Link('r2b', 'r3'), Link('r3', 'dst')),
        multipath=('r1',)),
    'mtu': Topology('src - r1 - r2 - dst, r1-r2 has MTU 1400', (
        Link('src', 'r1'), Link('r1', 'r2', mtu=1400), Link('r2', 'dst'))),
}


@dataclass(frozen=True)
class Iface:
    """One end of a link: in ``node``, named after the ``peer`` node."""
    node: str
    peer: str
    addr4: ipaddress.IPv4Interface
    addr6: ipaddress.IPv6Interface
    mtu: int


class Lab:
    """One instance of a topology.  Build with :meth:`up` (or ``with``),
    remove with :meth:`down`.  Attributes describing it:

    ``src4``/``src6``, ``target4``/``target6``; ``hops4``/``hops6``, the
    address answering each TTL of a trace from src, the target last; where
    the path forks (``ecmp``) the entry is None and ``ecmp4``/``ecmp6`` map
    that TTL to the set of addresses that can answer (``ecmp4[2]``: r2a and
    r2b); ``pmtu``, the path MTU.  Routers answer from the address of the
    interface the probe arrived on.
    """

    _counter = itertools.count()

    def __init__(self, topo):
        if topo not in TOPOLOGIES:
            raise LabError(f'unknown topology {topo!r} (choose from {", ".join(TOPOLOGIES)})')
        self.topo = topo
        self.topology = t = TOPOLOGIES[topo]
        self.name = self._unused_name(topo)
        self.nodes = list(dict.fromkeys(n for link in t.links for n in (link.up, link.down)))
        self.routers = [n for n in self.nodes if n not in ('src', 'dst')]
        self.ifaces = {n: {} for n in self.nodes}       # node -> peer -> Iface
        for n, link in enumerate(t.links, 1):
            net4 = ('192.0.2.0/24' if n == 1 else '198.51.100.0/24' if n == len(t.links)
                    else f'198.18.{n}.0/24')
            net4, net6 = ipaddress.ip_network(net4), ipaddress.ip_network(f'2001:db8:{n}::/64')
            for i, (node, peer) in enumerate(((link.up, link.down), (link.down, link.up)), 1):
                self.ifaces[node][peer] = Iface(
                    node, peer, ipaddress.ip_interface(f'{net4[i]}/24'),
                    ipaddress.ip_interface(f'{net6[i]}/64'), link.mtu)
        self._dist = {n: self._bfs(n) for n in self.nodes}
        self.src4, self.src6 = (str(a) for a in self._addrs('src', 'r1'))
        self.target4, self.target6 = TARGET4, TARGET6
        self.pmtu = min(link.mtu for link in t.links)
        self.hops4, self.hops6, self.ecmp4, self.ecmp6 = [], [], {}, {}
        for ttl, arrivals in enumerate(self._hops(), 1):
            answers = sorted({(self.target4, self.target6) if node == 'dst' else
                              tuple(str(a) for a in self._addrs(node, prev))
                              for node, prev in arrivals})
            if len(answers) == 1:
                self.hops4.append(answers[0][0])
                self.hops6.append(answers[0][1])
            else:
                self.hops4.append(None)
                self.hops6.append(None)
                self.ecmp4[ttl] = frozenset(a4 for a4, _ in answers)
                self.ecmp6[ttl] = frozenset(a6 for _, a6 in answers)
        self._made = []          # namespaces created, for down()

    @classmethod
    def _unused_name(cls, topo):
        """topo-PID-N, with no namespace or record left by an earlier
        process that had our PID."""
        taken = set(os.listdir('/run/netns')) if os.path.isdir('/run/netns') else set()
        while True:
            name = f'{topo}-{os.getpid()}-{next(cls._counter)}'
            if not (os.path.exists(os.path.join(STATE_DIR, name + '.json')) or
                    any(ns.startswith(f'{PREFIX}{name}-') for ns in taken)):
                return name

    # -- the plan (no I/O) -------------------------------------------------

    def _bfs(self, start):
        dist, todo = {start: 0}, collections.deque([start])
        while todo:
            node = todo.popleft()
            for peer in self.ifaces[node]:
                if peer not in dist:
                    dist[peer] = dist[node] + 1
                    todo.append(peer)
        return dist

    def _next_hops(self, node, dests):
        """The neighbours of node on a shortest path to any node in dests."""
        def dist(n):
            return min(self._dist[n][d] for d in dests)
        hops = [peer for peer in self.ifaces[node] if dist(peer) == dist(node) - 1]
        return hops if node in self.topology.multipath else hops[:1]

    def _hops(self):
        """For each TTL, the (node, previous node) pairs a probe from src
        towards dst can expire at."""
        at, hops = {('src', None)}, []
        while {n for n, _ in at} != {'dst'}:
            at = {(peer, n) for n, _ in at for peer in self._next_hops(n, {'dst'})}
            hops.append(sorted(at))
        return hops

    def _addrs(self, node, peer):
        """Addresses (v4, v6) of node on its link to peer."""
        iface = self.ifaces[node][peer]
        return iface.addr4.ip, iface.addr6.ip

    def routes(self, node):
        """(destination prefixes, next hop nodes) for everything not on a
        link of node: other links, and at dst's far side the target ranges."""
        dests = [((str(i.addr4.network), str(i.addr6.network)), {i.node, i.peer})
                 for link in self.topology.links
                 for i in [self.ifaces[link.up][link.down]]]
        dests.append(((TARGET4_NET, TARGET6_NET), {'dst'}))
        return [(prefixes, self._next_hops(node, ends))
                for prefixes, ends in dests if node not in ends]

    def ns(self, node):
        """The real name of node's network namespace."""
        if node not in self.ifaces:
            raise LabError(f'{self.topo} has no node {node!r} (nodes: {", ".join(self.nodes)})')
        return f'{PREFIX}{self.name}-{node}'

    def describe(self, built=True):
        lines = [f'{self.topo}: {self.topology.summary}']
        if built:
            lines[0] = f'lab {self.name}  ({lines[0]})'
        for node in self.nodes:
            where = self.ns(node) if built else node
            addrs = '  '.join(f'{peer}: {i.addr4} {i.addr6}' + (f' mtu {i.mtu}' if i.mtu != 1500 else '')
                              for peer, i in self.ifaces[node].items())
            lines.append(f'  {where:<28} {addrs}')
        lines.append(f'  dst answers {TARGET4_NET} and {TARGET6_NET}')
        lines.append(f'src      {self.src4} {self.src6}')
        lines.append(f'targets  {self.target4} {self.target6}')
        for name, hops, ecmp in (('hops4', self.hops4, self.ecmp4), ('hops6', self.hops6, self.ecmp6)):
            lines.append(f'{name}    ' + ' '.join(h or '{' + ','.join(sorted(ecmp[ttl])) + '}'
                                                  for ttl, h in enumerate(hops, 1)))
        lines.append(f'pmtu     {self.pmtu}')
        if built:
            lines.append(f'run in src: ip netns exec {self.ns("src")} COMMAND')
        return '\n'.join(lines)

    # -- building and removing ---------------------------------------------

    def __enter__(self):
        self.up()
        return self

    def __exit__(self, *exc):
        self.down()

    def up(self):
        """Build the lab; if anything fails (or is interrupted), remove what
        was made and raise."""
        check_environment()
        try:
            self._record()
            for node in self.nodes:
                self._add_namespace(node)
            for link in self.topology.links:
                self._add_link(link)
            for node in self.nodes:
                self._configure(node)
            for node in self.nodes:
                self._add_routes(node)
            self._resolve_neighbours()
        except BaseException:
            self.down()
            raise
        return self

    def down(self):
        """Remove every namespace of this lab (the veths go with them)."""
        while self._made:
            subprocess.run(['ip', 'netns', 'del', self._made.pop()],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            os.unlink(self._state_file())
        except FileNotFoundError:
            pass

    def run(self, argv, node='src', **kwargs):
        """subprocess.run argv inside node's namespace."""
        return subprocess.run(['ip', 'netns', 'exec', self.ns(node), *argv], **kwargs)

    def _state_file(self):
        return os.path.join(STATE_DIR, self.name + '.json')

    def _record(self):
        """Note the lab under STATE_DIR before making anything, so that
        'scamper-lab down' can remove it should this process die."""
        os.makedirs(STATE_DIR, exist_ok=True)
        with open(self._state_file(), 'w') as f:
            json.dump({'name': self.name, 'topo': self.topo, 'pid': os.getpid(),
                       'namespaces': [self.ns(n) for n in self.nodes]}, f)

    def _add_namespace(self, node):
        _cmd('ip', 'netns', 'add', self.ns(node))
        self._made.append(self.ns(node))
        knobs = SYSCTLS + (ROUTER_SYSCTLS if node in self.routers else ())
        knobs += MULTIPATH_SYSCTLS if node in self.topology.multipath else ()
        _cmd('ip', 'netns', 'exec', self.ns(node), 'sysctl', '-q', '-w', *knobs)
        _cmd('ip', '-n', self.ns(node), 'link', 'set', 'lo', 'up')

    def _add_link(self, link):
        _cmd('ip', '-n', self.ns(link.up), 'link', 'add', link.down, 'mtu', str(link.mtu),
             'type', 'veth', 'peer', 'name', link.up, 'mtu', str(link.mtu),
             'netns', self.ns(link.down))

    def _configure(self, node):
        batch = []
        for peer, i in self.ifaces[node].items():
            _cmd('ip', 'netns', 'exec', self.ns(node), 'ethtool', '-K', peer, 'tx', 'off')
            batch += [f'link set {peer} up', f'addr add {i.addr4} dev {peer}',
                      f'addr add {i.addr6} dev {peer} nodad']
        if node == 'dst':
            # Linux answers a whole local route, but an IPv6 error (UDP port
            # unreachable) comes from the probed address only if it is configured
            batch += [f'route add local {TARGET4_NET} dev lo',
                      f'route add local {TARGET6_NET} dev lo']
            net6 = ipaddress.ip_network(TARGET6_NET)
            batch += [f'addr add {net6[i]}/128 dev lo nodad' for i in range(1, 256)]
        _ip_batch(self.ns(node), batch)

    def _add_routes(self, node):
        batch = []
        for prefixes, peers in self.routes(node):
            for family, prefix in enumerate(prefixes):
                via = [(self._addrs(peer, node)[family], peer) for peer in peers]
                if len(via) == 1:
                    batch.append(f'route add {prefix} via {via[0][0]} dev {via[0][1]}')
                else:
                    batch.append(f'route add {prefix} ' +
                                 ' '.join(f'nexthop via {gw} dev {dev}' for gw, dev in via))
        _ip_batch(self.ns(node), batch)

    def _resolve_neighbours(self):
        """One ping from each node to each neighbour and address family, so
        ARP/ND is done before the first probe; also proves every link works."""
        pings = []
        for node in self.nodes:
            for peer in self.ifaces[node]:
                for addr in self._addrs(peer, node):
                    argv = ['ip', 'netns', 'exec', self.ns(node),
                            'ping', '-c', '1', '-W', '2', '-n', '-q', str(addr)]
                    pings.append((node, addr, subprocess.Popen(
                        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        failed = [f'{node} -> {addr}' for node, addr, p in pings if p.wait() != 0]
        if failed:
            raise LabError(f'lab {self.name}: no ping reply for ' + ', '.join(failed))


def _cmd(*argv, input=None):
    p = subprocess.run(argv, input=input, capture_output=True, text=True)
    if p.returncode != 0:
        raise LabError(f'{" ".join(argv)}: {p.stderr.strip() or "exit status %d" % p.returncode}')


def _ip_batch(ns, commands):
    if commands:
        _cmd('ip', '-n', ns, '-batch', '-', input='\n'.join(commands) + '\n')


def check_environment():
    """Raise LabError unless we are root and have the tools a lab needs."""
    if os.geteuid() != 0:
        raise LabError('scamper-lab needs root: it creates network namespaces')
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        raise LabError('scamper-lab needs ' + ', '.join(missing) +
                       ' (Debian: apt-get install iproute2 ethtool iputils-ping procps)')
    if not os.path.exists('/proc/sys/net/ipv6'):
        raise LabError('scamper-lab needs IPv6 in the kernel')


# -- labs left behind ------------------------------------------------------

def recorded_labs():
    """The labs noted under STATE_DIR: name -> state dict."""
    labs = {}
    if os.path.isdir(STATE_DIR):
        for entry in sorted(os.listdir(STATE_DIR)):
            if entry.endswith('.json'):
                with open(os.path.join(STATE_DIR, entry)) as f:
                    labs[entry[:-5]] = json.load(f)
    return labs


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def remove_recorded(name):
    """Remove a lab recorded under STATE_DIR: only its own namespaces,
    and only names with our prefix."""
    state = recorded_labs().get(name)
    if state is None:
        raise LabError(f'no lab named {name!r} under {STATE_DIR}')
    mine = re.compile(re.escape(PREFIX + name) + r'-[a-z0-9]+$')
    for ns in state['namespaces']:
        if mine.match(ns):
            subprocess.run(['ip', 'netns', 'del', ns],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.unlink(os.path.join(STATE_DIR, name + '.json'))


# -- command line ----------------------------------------------------------

def _exit_on_signal(signum, frame):
    sys.exit(128 + signum)        # unwinds through 'with Lab', which removes it


def _run(topo, argv):
    with Lab(topo) as lab:
        atexit.register(lab.down)
        child = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('src'), *argv])
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda signum, frame: child.send_signal(signum))
        while True:
            try:
                status = child.wait()
                break
            except KeyboardInterrupt:
                pass              # the child had the SIGINT too: wait for it
    return status if status >= 0 else 128 - status


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='scamper-lab', description='Build test topologies in network namespaces.')
    sub = parser.add_subparsers(dest='action', required=True)
    for action, text in (('show', 'print a topology\'s addresses without building it'),
                         ('up', 'build a lab and leave it running'),
                         ('run', 'build a lab, run CMD in src, remove the lab')):
        p = sub.add_parser(action, help=text)
        p.add_argument('topo', choices=sorted(TOPOLOGIES))
        if action == 'run':
            p.add_argument('command', nargs=argparse.REMAINDER, metavar='-- CMD ARGS')
    p = sub.add_parser('down', help='remove labs made by "up" (default: every recorded '
                                    'lab whose process has gone)')
    p.add_argument('names', nargs='*', metavar='NAME')
    args = parser.parse_args(argv)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    try:
        if args.action == 'show':
            print(Lab(args.topo).describe(built=False))
        elif args.action == 'up':
            print(Lab(args.topo).up().describe())
        elif args.action == 'run':
            command = args.command[1:] if args.command[:1] == ['--'] else args.command
            if not command:
                parser.error('run needs a command: scamper-lab run TOPO -- CMD ARGS')
            return _run(args.topo, command)
        else:
            check_environment()
            names = args.names or [n for n, s in recorded_labs().items() if not _alive(s['pid'])]
            if not names:
                print('no lab to remove')
            for name in names:
                remove_recorded(name)
                print(f'removed {name}')
    except (LabError, OSError) as e:
        print(f'scamper-lab: {e}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
