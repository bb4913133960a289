"""Firewall rules the helper installs for tbit and sting (nftables).

tbit and sting talk TCP to a server from a port no socket of this host
owns, so the kernel answers every segment the server sends with a RST.
scamper stops that with an ipfw or pf rule that drops the server's packets
on their way in; on Linux a raw socket sits behind the input hook, so the
helper instead drops the kernel's own RST on its way out.  The RSTs a
measurement sends itself (blind-rst, the end of a connection) leave through
a raw socket the helper opened, which has an owner: the kernel's reply
socket has none, and ``meta skuid`` does not match it.  Each chain thus
reads:

    tcp flags & rst == rst meta skuid 0-4294967295 accept      # ours
    ip saddr S tcp sport SP ip daddr D tcp dport DP tcp flags & rst == rst drop
    ...                                                         # one a rule

A rule covers one 5-tuple exactly: TCP, a source address of this host, a
source port, a destination address and port, IPv4 or IPv6.  Nothing wider is
accepted.  The rules live in the helper's own table (``inet scamper`` by
default), in a chain named after the helper's pid, so that several
scampers in one network namespace do not touch each other's rules; a chain
whose pid is gone (a helper that was killed) is removed when the next
helper starts, and the table with it once empty.

The library is libnftables through Debian's python3-nftables (its JSON API);
it is imported when first needed, so a helper that is never asked for a
rule does not need it.
"""

import ipaddress
import os
import re

TABLE_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_-]{0,31}$')
DEFAULT_TABLE = 'scamper'
DEFAULT_MAX = 256
MAX_RULES = 65535
CHAIN_PREFIX = 'out-'


class FirewallError(Exception):
    pass


def parse_spec(spec):
    """scamper's -F value, as Linux takes it: ``nft`` or
    ``nft:<table>:<num>``.  Returns (table, max live rules); raises
    ValueError with a message for the user."""
    if spec == 'nft':
        return DEFAULT_TABLE, DEFAULT_MAX
    kind = spec.split(':', 1)[0]
    if kind in ('ipfw', 'pf'):
        raise ValueError("-F %s: this is Linux, which has no %s; use 'nft' "
                         "or 'nft:<table>:<num>'" % (kind, kind))
    parts = spec.split(':')
    if kind != 'nft' or len(parts) != 3:
        raise ValueError("-F '%s': expected 'nft' or 'nft:<table>:<num>'"
                         % spec)
    table, num = parts[1], parts[2]
    if not TABLE_RE.match(table):
        raise ValueError("-F '%s': invalid table name '%s'" % (spec, table))
    # ASCII digits only: '\u00b2'.isdigit(), and int() refuses it
    if not (num.isascii() and num.isdigit()) or \
            not 1 <= int(num) <= MAX_RULES:
        raise ValueError("-F '%s': the number of rules must be 1 to %d"
                         % (spec, MAX_RULES))
    return table, int(num)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_addresses():
    """Every address configured on an interface of this network namespace,
    packed."""
    from pyroute2 import IPRoute
    out = set()
    with IPRoute() as ipr:
        for msg in ipr.get_addr():
            a = msg.get_attr('IFA_ADDRESS')
            if a is not None:
                out.add(ipaddress.ip_address(a).packed)
            a = msg.get_attr('IFA_LOCAL')
            if a is not None:
                out.add(ipaddress.ip_address(a).packed)
    return out


def check_rule(req, local=None):
    """Validate a ``fw-add`` request's 5-tuple.  Returns (family,
    src, sport, dst, dport) with the addresses as ipaddress objects, or
    raises FirewallError."""
    keys = {'op', 'proto', 'src', 'sport', 'dst', 'dport'}
    if set(req) != keys:
        raise FirewallError('invalid firewall request')
    if req['proto'] != 'tcp':
        raise FirewallError('firewall rules are for tcp only')
    addrs = []
    for k in ('src', 'dst'):
        v = req[k]
        if not isinstance(v, bytes) or len(v) not in (4, 16):
            raise FirewallError('invalid %s address' % k)
        addrs.append(ipaddress.ip_address(v))
    src, dst = addrs
    if src.version != dst.version:
        raise FirewallError('source and destination families differ')
    for k in ('sport', 'dport'):
        v = req[k]
        if not isinstance(v, int) or isinstance(v, bool) \
                or not 1 <= v <= 65535:
            raise FirewallError('invalid %s' % k)
    for a in addrs:
        if a.is_unspecified or a.is_multicast or \
                (a.version == 4 and a == ipaddress.IPv4Address(
                    '255.255.255.255')):
            raise FirewallError('address %s is not one host' % a)
    if local is None:
        local = local_addresses()
    if src.packed not in local:
        raise FirewallError('source %s is not an address of this host'
                            % src)
    return src.version, src, req['sport'], dst, req['dport']


class Firewall:
    """The helper's rules.  ``nft`` is a libnftables context (tests may pass
    one); ``owner`` keys are the channels that asked."""

    def __init__(self, table=DEFAULT_TABLE, max_rules=DEFAULT_MAX,
                 nft=None, pid=None):
        if not TABLE_RE.match(table):
            raise FirewallError('invalid table name')
        self.table = table
        self.max_rules = max_rules
        self.pid = os.getpid() if pid is None else pid
        self.chain = '%s%d' % (CHAIN_PREFIX, self.pid)
        self._nft = nft
        self._chain_made = False
        self.rules = {}          # our handle -> (owner, nft rule handle)
        self._next = 1

    # -- libnftables ---------------------------------------------------
    def nft(self):
        if self._nft is None:
            try:
                import nftables
            except ImportError:
                raise FirewallError('nftables is not available (install '
                                    'python3-nftables)') from None
            n = nftables.Nftables()
            n.set_json_output(True)
            n.set_handle_output(True)
            self._nft = n
        return self._nft

    def forget(self):
        """Free the libnftables context (and its netlink socket), e.g.
        before a fork; the next request makes a new one."""
        self._nft = None

    def _run(self, cmds, echo=False):
        n = self.nft()
        n.set_echo_output(echo)
        rc, out, err = n.json_cmd({'nftables': cmds})
        if rc != 0:
            raise FirewallError('nftables: %s' % (err.strip() or rc))
        return out

    def _list_table(self):
        """The table's chains, or None if there is no table."""
        n = self.nft()
        rc, out, err = n.cmd('list table inet %s' % self.table)
        if rc != 0:
            return None
        import json
        data = json.loads(out) if out else {}
        return [o['chain']['name'] for o in data.get('nftables', ())
                if 'chain' in o]

    # -- the table -----------------------------------------------------
    def clean_stale(self):
        """Remove chains left by helpers that died, and the table if no
        chain is left.  Called at helper start."""
        chains = self._list_table()
        if chains is None:
            return 0
        removed = 0
        for name in chains:
            if not name.startswith(CHAIN_PREFIX):
                continue
            pid = name[len(CHAIN_PREFIX):]
            if not (pid.isascii() and pid.isdigit()):
                continue
            if int(pid) == self.pid or not _pid_alive(int(pid)):
                self._delete_chain(name)
                removed += 1
        self._drop_table_if_empty()
        return removed

    def _delete_chain(self, name):
        t = {'family': 'inet', 'table': self.table, 'name': name}
        self._run([{'flush': {'chain': t}}, {'delete': {'chain': t}}])

    def _drop_table_if_empty(self):
        chains = self._list_table()
        if chains is not None and not chains:
            self._run([{'delete': {'table': {'family': 'inet',
                                             'name': self.table}}}])

    def _ensure_chain(self):
        if self._chain_made:
            return
        ours = {'match': {'op': '==', 'left': {'&': [
            {'payload': {'protocol': 'tcp', 'field': 'flags'}}, 'rst']},
            'right': 'rst'}}
        owned = {'match': {'op': '==', 'left': {'meta': {'key': 'skuid'}},
                           'right': {'range': [0, 4294967295]}}}
        self._run([
            {'add': {'table': {'family': 'inet', 'name': self.table}}},
            {'add': {'chain': {
                'family': 'inet', 'table': self.table, 'name': self.chain,
                'type': 'filter', 'hook': 'output', 'prio': 0,
                'policy': 'accept'}}},
            {'add': {'rule': {
                'family': 'inet', 'table': self.table, 'chain': self.chain,
                'expr': [ours, owned, {'accept': None}]}}},
        ])
        self._chain_made = True

    # -- requests ------------------------------------------------------
    def add(self, owner, req, local=None):
        version, src, sport, dst, dport = check_rule(req, local)
        if len(self.rules) >= self.max_rules:
            raise FirewallError('too many firewall rules (at most %d)'
                                % self.max_rules)
        self._ensure_chain()
        ip = 'ip' if version == 4 else 'ip6'

        def eq(proto, field, value):
            return {'match': {'op': '==', 'left': {'payload': {
                'protocol': proto, 'field': field}}, 'right': value}}
        expr = [eq(ip, 'saddr', str(src)), eq(ip, 'daddr', str(dst)),
                eq('tcp', 'sport', sport), eq('tcp', 'dport', dport),
                {'match': {'op': '==', 'left': {'&': [
                    {'payload': {'protocol': 'tcp', 'field': 'flags'}},
                    'rst']}, 'right': 'rst'}},
                {'drop': None}]
        out = self._run([{'add': {'rule': {
            'family': 'inet', 'table': self.table, 'chain': self.chain,
            'expr': expr}}}], echo=True)
        nft_handle = _echoed_handle(out)
        handle = self._next
        self._next += 1
        self.rules[handle] = (owner, nft_handle)
        return handle

    def delete(self, owner, handle):
        entry = self.rules.get(handle)
        if entry is None or entry[0] is not owner:
            raise FirewallError('no such firewall rule')
        self._delete(handle)

    def _delete(self, handle):
        _, nft_handle = self.rules.pop(handle)
        self._run([{'delete': {'rule': {
            'family': 'inet', 'table': self.table, 'chain': self.chain,
            'handle': nft_handle}}}])

    def release(self, owner):
        """Remove every rule ``owner`` installed (its channel closed)."""
        for h in [h for h, (o, _) in self.rules.items() if o is owner]:
            try:
                self._delete(h)
            except FirewallError:
                pass

    def close(self):
        """Remove every rule, our chain, and the table if it is empty."""
        self.rules.clear()
        if self._chain_made:
            try:
                self._delete_chain(self.chain)
                self._drop_table_if_empty()
            except FirewallError:
                pass
            self._chain_made = False


def _echoed_handle(out):
    try:
        for o in out['nftables']:
            if 'add' in o and 'rule' in o['add']:
                return o['add']['rule']['handle']
            if 'rule' in o:
                return o['rule']['handle']
    except (ValueError, KeyError, TypeError):
        pass
    raise FirewallError('nftables did not return the rule handle')
