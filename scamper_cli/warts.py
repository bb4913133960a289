"""scamper-warts: scamper's warts utilities in one command.

    scamper-warts json [file ...]       as sc_warts2json
    scamper-warts text [-d descr] [file ...]   as sc_warts2text
    scamper-warts dump [file ...]       as sc_wartsdump
    scamper-warts cat [-s] [-o out] [-t type] [-a addr] [-O check-hops]
                      [-i file] [file ...]  as sc_wartscat / sc_wartsfilter

Files are read plain or compressed (gzip, bzip2, xz); with none, standard
input.  Each converter shows the object types scamper's tool shows, by
calling the object's to_json(), to_text() or to_dump(); types it cannot
decode or show are skipped, as scamper's tools skip them.  A damaged file
is converted up to its last whole object, then one error line names the
file and the byte offset, and the exit status is 1.

cat writes warts (to -o, or to standard output when that is not a
terminal).  Without -t or -a it copies results and cycle records as
sc_wartscat does (-s merges the files in time order), appending to an
existing -o file whose lists and cycles it goes on numbering; -t (dealias,
ping, tbit, trace, tracelb; repeatable) and -a (address or prefix;
repeatable, -O check-hops to match trace and tracelb hops too) select
results as sc_wartsfilter does, without cycle records, into a new -o
file.  An -o name ending in .gz, .bz2 or .xz is written compressed (and
not appended to).  Lists and cycles equal in content are written once,
as scamper's writer does.
"""

import argparse
import heapq
import ipaddress
import os
import sys

from scamperd.sources import Outfile
from scamperd.warts import file as F, parallel
from scamperd.warts.api import WartsWriter
from scamperd.warts.codec import WartsError
from scamperd.warts.cycle import (cycle_key, cycle_record, list_key,
                                   list_record)

PROG = 'scamper-warts'

TRACELB, DEALIAS, NEIGHBOURDISC, TBIT, STING, SNIFF, HOST = range(8, 15)
HTTP, UDPPROBE, OWAMP = 15, 16, 17

# the object types each of scamper's tools asks its reader for (20211212;
# http, udpprobe and owamp, newer types, as newer sc_warts2json and
# sc_wartsdump show them)
JSON_TYPES = {F.OBJ_CYCLE_START, F.OBJ_CYCLE_STOP, F.OBJ_PING, F.OBJ_TRACE,
              TRACELB, DEALIAS, TBIT, UDPPROBE, OWAMP}
TEXT_TYPES = {F.OBJ_TRACE, F.OBJ_PING, TRACELB, DEALIAS, TBIT, STING}
DUMP_TYPES = {F.OBJ_LIST, F.OBJ_CYCLE_START, F.OBJ_CYCLE_DEF,
              F.OBJ_CYCLE_STOP, F.OBJ_TRACE, F.OBJ_PING, TRACELB, DEALIAS,
              NEIGHBOURDISC, TBIT, STING, SNIFF, HOST, HTTP, UDPPROBE,
              OWAMP}
CAT_TYPES = {TRACELB, F.OBJ_TRACE, F.OBJ_PING, DEALIAS, TBIT, NEIGHBOURDISC,
             STING, F.OBJ_CYCLE_START, F.OBJ_CYCLE_STOP}
FILTER_TYPES = {'dealias': DEALIAS, 'ping': F.OBJ_PING, 'tbit': TBIT,
                'trace': F.OBJ_TRACE, 'tracelb': TRACELB}


class Failed(Exception):
    pass


def inputs(files):
    """(name, binary file) for each input; standard input when none."""
    if not files:
        yield '<stdin>', sys.stdin.buffer
        return
    for name in files:
        try:
            f = open(name, 'rb')
        except OSError as e:
            raise Failed('could not open %s: %s' % (name, e.strerror))
        with f:
            yield name, f


def opened(files):
    """Every input opened at once (for merging)."""
    if not files:
        return [('<stdin>', sys.stdin.buffer)]
    try:
        return [(name, open(name, 'rb')) for name in files]
    except OSError as e:
        raise Failed('could not open %s: %s' % (e.filename, e.strerror))


class Reader:
    """Objects of the wanted types from every input, in order; a damaged
    input ends with an error line on stderr and sets ``failed``."""

    def __init__(self, files, types):
        self.files = files
        self.types = types
        self.failed = False

    def objects(self, name, f):
        try:
            for otype, _, obj in F.read_objects(f, self.types):
                if not isinstance(obj, bytes):   # types we cannot decode
                    yield otype, obj
        except WartsError as e:
            sys.stderr.write('%s: %s: %s\n' % (PROG, name, e))
            self.failed = True

    def __iter__(self):
        for name, f in inputs(self.files):
            yield from self.objects(name, f)


def convert(reader, show):
    """Write show(type, object) for each object (skipping None), on every
    core for large inputs (scamperd.warts.parallel)."""
    out = sys.stdout.buffer
    try:
        for name, f in inputs(reader.files):
            err = parallel.convert(f, reader.types, show, out.write)
            if err is not None:
                out.flush()
                sys.stderr.write('%s: %s: %s\n' % (PROG, name, err))
                reader.failed = True
    finally:
        out.flush()


def show_json(otype, obj):
    f = getattr(obj, 'to_json', None)
    return None if f is None else f() + '\n'


def show_dump(otype, obj):
    f = getattr(obj, 'to_dump', None)
    if f is None:
        return None
    return f('def') if otype == F.OBJ_CYCLE_DEF else f()


def read_descr(path):
    """sc_warts2text -d: lines of an address and a quoted description."""
    descr = {}
    with open(path) as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line:
                continue
            addr, _, rest = line.replace('\t', ' ').partition(' ')
            rest = rest.lstrip(' ')
            if not rest.startswith('"') or '"' not in rest[1:]:
                raise Failed('bad description on line %d of %s' % (no, path))
            try:
                key = ipaddress.ip_address(addr).packed
            except ValueError:
                raise Failed("invalid address '%s' on line %d" % (addr, no))
            if key in descr:
                raise Failed('duplicate definition for %s on line %d'
                             % (addr, no))
            descr[key] = rest[1:rest.index('"', 1)]
    return descr


def show_text(descr):
    def show(otype, obj):
        f = getattr(obj, 'to_text', None)
        if f is None:
            return None
        d = None
        if otype != DEALIAS:
            d = descr.get(getattr(obj, 'dst', None))
        return f() if d is None else d + '\n' + f()
    return show


# --- cat -------------------------------------------------------------------

class ContentWriter(WartsWriter):
    """A writer that, as scamper's (scamper_list_cmp, scamper_cycle_cmp),
    takes lists and cycles equal in content for the same one: objects from
    several files share them.  ``written`` (Outfile.written) is what the
    file being appended to holds: its lists and unstopped cycles are used
    again, and new ones are numbered after all of its own."""

    def __init__(self, f, kind='warts', written=([], [])):
        super().__init__(f, kind)
        lists, cycles = written
        self.n_lists, self.n_cycles = len(lists), len(cycles)
        self.ids = {}                   # content key -> file id
        for fid, lst in enumerate(lists, 1):
            self.ids.setdefault(('list', list_key(lst)), fid)
        for fid, cycle in enumerate(cycles, 1):
            if cycle is not None:
                self.ids.setdefault(('cycle', cycle_key(cycle)), fid)

    def list_id(self, lst):
        if lst is None:
            return 0
        key = ('list', list_key(lst))
        fid = self.ids.get(key)
        if fid is None:
            self.n_lists += 1
            fid = self.ids[key] = self.n_lists
            self._put(list_record(fid, lst))
        return fid

    def cycle_id(self, cycle, otype=F.OBJ_CYCLE_DEF):
        if cycle is None:
            return 0
        key = ('cycle', cycle_key(cycle))
        fid = self.ids.get(key)
        if fid is None:
            lid = self.list_id(cycle.list)
            self.n_cycles += 1
            fid = self.ids[key] = self.n_cycles
            self._put(cycle_record(fid, lid, cycle, otype))
        return fid


def prefixes(addrs):
    nets = []
    for a in addrs:
        try:
            nets.append(ipaddress.ip_network(a, strict=False))
        except ValueError:
            raise Failed('could not parse addr %s' % a)
    return nets


def filtered_addrs(otype, obj, check_hops):
    """The addresses sc_wartsfilter -a matches an object on: a dealias's
    probe definitions' destinations (mercator: its one; ally: its two;
    radargun, prefixscan: all; other methods: none), others' dst; with
    check-hops, a trace's hop addresses, and a tracelb's node addresses,
    link far ends and reply sources (scamper skips each link's last
    probe set)."""
    if otype == DEALIAS:
        n = {'mercator': 1, 'ally': 2, 'radargun': None,
             'prefixscan': None}.get(obj.method, 0)
        yield from (pd.dst for pd in obj.probedefs[:n])
        return
    yield obj.dst
    if check_hops and otype == F.OBJ_TRACE:
        yield from (h.addr for h in obj.hops)
    if check_hops and otype == TRACELB:
        for node in obj.nodes:
            yield node.addr
            for link in node.links:
                yield link.to and link.to.addr
                for probes in link.sets[:-1]:
                    for probe in probes:
                        yield from (r.addr for r in probe.replies)


def addr_filter(nets, check_hops):
    def matched(a):
        if a is None:
            return False
        ip = ipaddress.ip_address(a)
        return any(ip in n for n in nets)

    def keep(otype, obj):
        return any(matched(a) for a in filtered_addrs(otype, obj, check_hops))
    return keep


def sort_key(item):
    """sc_wartscat -s: by start time; at equal times cycle starts first,
    then cycle stops (whose time counts as the end of their second)."""
    otype, obj = item
    if otype == F.OBJ_CYCLE_START:
        return (int(obj.start) * 1000000, 0)
    if otype == F.OBJ_CYCLE_STOP:
        return (int(obj.stop) * 1000000 + 1000000, 1)
    return (round(getattr(obj, 'start', 0) * 1000000), 2)


def kind_of(path):
    """Compressed by the name's end, as newer scamper's tools write."""
    return next((k for k in F.KINDS[1:] if path.endswith(k[5:])), 'warts')


def create(path, mode='wb'):
    try:
        return open(path, mode)
    except OSError as e:
        raise Failed('could not open %s: %s' % (path, e.strerror))


def append_to(path):
    """sc_wartscat -o: the file opened to append to, its kind, and what it
    holds (for the ids).  A compressed kind starts a new file: an existing
    one is refused, as newer scamper refuses it."""
    kind = kind_of(path)
    if kind != 'warts':
        if os.path.exists(path):
            raise Failed('cannot write to %s: cannot append to %s file'
                         % (path, kind))
        return create(path), kind, ([], [])
    f = create(path, 'a+b')
    try:
        f.seek(0)
        written = Outfile.written(f)
        f.seek(0, os.SEEK_END)
        return f, kind, written
    except WartsError as e:
        f.close()
        raise Failed('cannot append to %s: %s' % (path, e))


def cat(args):
    args.files = args.i + args.files
    filtering = bool(args.t or args.a)
    types = {FILTER_TYPES[t] for t in args.t} or (
        set(FILTER_TYPES.values()) if filtering else CAT_TYPES)
    keep = addr_filter(prefixes(args.a), 'check-hops' in args.O) \
        if args.a else None
    if args.o is None or args.o == '-':
        if os.isatty(1):
            raise Failed('not going to dump warts to a tty, sorry')
        out, kind, written = sys.stdout.buffer, 'warts', ([], [])
    elif filtering:
        out, kind, written = create(args.o), kind_of(args.o), ([], [])
    else:
        out, kind, written = append_to(args.o)
    reader = Reader(args.files, types)
    if args.s:
        streams = [reader.objects(n, f) for n, f in opened(args.files)]
        items = heapq.merge(*streams, key=sort_key)
    else:
        items = iter(reader)
    w = ContentWriter(out, kind, written)
    for otype, obj in items:
        if keep is not None and not keep(otype, obj):
            continue
        if type(obj) not in F.ENCODERS and otype not in (
                F.OBJ_CYCLE_START, F.OBJ_CYCLE_STOP):
            sys.stderr.write('unhandled data object 0x%04x\n' % otype)
            continue
        w.write(obj)
    w.close()
    if out is not sys.stdout.buffer:
        out.close()
    return reader


def parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    for name, what in (('json', 'sc_warts2json'), ('dump', 'sc_wartsdump')):
        s = sub.add_parser(name, help='as ' + what)
        s.add_argument('files', nargs='*')
    s = sub.add_parser('text', help='as sc_warts2text')
    s.add_argument('-d', metavar='descr-file',
                   help='print the description of each destination')
    s.add_argument('files', nargs='*')
    s = sub.add_parser('cat', help='as sc_wartscat / sc_wartsfilter')
    s.add_argument('-o', metavar='outfile')
    s.add_argument('-s', action='store_true',
                   help='merge the files in time order')
    s.add_argument('-t', action='append', default=[],
                   choices=sorted(FILTER_TYPES), type=str.lower)
    s.add_argument('-a', action='append', default=[], metavar='addr')
    s.add_argument('-O', action='append', default=[],
                   choices=['check-hops'], type=str.lower)
    s.add_argument('-i', action='append', default=[], metavar='infile',
                   help='an input file (as sc_wartsfilter -i)')
    s.add_argument('files', nargs='*')
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    import scamperd.warts  # noqa: F401  (registers every object type)
    try:
        if args.cmd == 'cat':
            reader = cat(args)
        else:
            types = {'json': JSON_TYPES, 'text': TEXT_TYPES,
                     'dump': DUMP_TYPES}[args.cmd]
            show = {'json': show_json, 'dump': show_dump}.get(args.cmd)
            if show is None:
                show = show_text(read_descr(args.d) if args.d else {})
            reader = Reader(args.files, types)
            convert(reader, show)
    except Failed as e:
        sys.stderr.write('%s: %s\n' % (PROG, e))
        return 1
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    return 1 if reader.failed else 0


if __name__ == '__main__':
    sys.exit(main())
