"""What the coverage-guided fuzzer (atheris) drives, and what CI replays
its corpus through (tests/test_fuzz_corpus.py): one function per parser
that meets bytes from outside.  Each takes the fuzzer's bytes and fails
(raises something else than the parser's own refusal) only on a bug.

- commands: a measurement command line (scamperd.commands.parse)
- control:  control-socket input: lines split as the server splits them,
            each an interactive command, then the same lines from an
            attached client
- packets:  a received packet, as IPv4, IPv6 and each IPv6 payload
- warts:    a warts file (plain or compressed), every object decoded
"""

import atexit
import io
import os
import shutil
import tempfile

from scamperd import commands as _commands
from scamperd.method import CommandError


def commands(data):
    try:
        _commands.parse(data.decode('utf-8', 'replace'))
    except CommandError as e:
        assert 'cannot parse it' not in str(e), e


_tmp = None


def _ctl():
    import sys
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if here not in sys.path:
        sys.path.insert(0, here)
    from test_control_interactive import FakeCtl

    class Ctl(FakeCtl):
        def open_outfile(self, path, append):
            # the fuzzer's paths stay in its directory (one once made /ts)
            name = path.replace('/', '_').lstrip('.') or '_'
            return FakeCtl.open_outfile(self, name[:200], append)
    global _tmp
    if _tmp is None:
        _tmp = tempfile.mkdtemp(prefix='sc-fuzz-')
        atexit.register(shutil.rmtree, _tmp, True)
        with open(os.path.join(_tmp, 'list'), 'w') as f:
            f.write('192.0.2.1\n')
    return Ctl(_tmp)


def control(data):
    from scamperd.control import interactive
    from scamperd.control.attach import Attach
    from scamperd.control.protocol import LineReader, LineTooLong
    reader = LineReader(4096)
    try:
        lines = reader.feed(data + b'\n')
    except LineTooLong:
        return
    ctl = _ctl()
    cwd = os.getcwd()
    os.chdir(_tmp)
    try:
        for line in lines:
            try:
                reply = interactive.handle(ctl, None, line)
            except interactive.Close:
                continue
            assert reply and reply[-1].startswith(('OK', 'ERR')), reply
        a = Attach({'format': 'json'}, 'fuzz', lambda d: None, lambda: None)
        for line in lines:
            a.line(line)
        for out in ctl.sources.outfiles.values():
            if out is not ctl.sources.default:
                out.close()
    finally:
        os.chdir(cwd)


def packets(data):
    from scamperd.net.packet import (decode_ipv4, decode_ipv6,
                                     decode_ipv6_packet)
    from scamperd.probe import (IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP,
                                IPPROTO_UDP)
    s6, d6 = bytes(15) + b'\1', bytes(15) + b'\2'
    decode_ipv4(data, 0.0)
    decode_ipv6_packet(data, 0.0)
    for proto in (IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP):
        decode_ipv6(proto, data, s6, d6, 1, 0, 0.0)


def warts(data):
    from scamperd.warts import WartsError
    from scamperd.warts import file as F
    F.load_types()
    try:
        for _ in F.read_objects(io.BytesIO(data)):
            pass
    except WartsError:
        pass


TARGETS = {'commands': commands, 'control': control, 'packets': packets,
           'warts': warts}
