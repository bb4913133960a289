"""The ``tbit`` command line, parsed as scamper 20211212 parses it
(scamper/tbit/scamper_tbit_do.c: scamper_do_tbit_alloc and
tbit_arg_param_validate).

``tbit [-b asn] [-d dport] [-f cookie] [-m mss] [-M mtu] [-o offset]
[-O option] [-p app] [-P ptbsrc] [-q attempts] [-s sport] [-S srcaddr]
[-t type] [-T ttl] [-u url] [-U userid] [-w wscale] dst``
"""

import ipaddress
import re

from scamperd.method import CommandError
from scamperd.strtol import strtol
from scamperd.tbit import result as R

_PARAM = set('bdfmMoOpPqsStTuUw')
_TYPES = {'pmtud': R.TYPE_PMTUD, 'ecn': R.TYPE_ECN, 'null': R.TYPE_NULL,
          'sack-rcvr': R.TYPE_SACK_RCVR, 'icw': R.TYPE_ICW,
          'blind-data': R.TYPE_BLIND_DATA, 'blind-rst': R.TYPE_BLIND_RST,
          'blind-syn': R.TYPE_BLIND_SYN, 'blind-fin': R.TYPE_BLIND_FIN}
_APPS = {'http': R.APP_HTTP, 'bgp': R.APP_BGP}

# -O words (tbit_options_t.options bits)
O_BLACKHOLE, O_TCPTS, O_IPTS_SYN, O_IPRR_SYN, O_IPQS_SYN, O_SACK, O_FO, \
    O_FO_EXP = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
_OPTIONS = {'blackhole': O_BLACKHOLE, 'tcpts': O_TCPTS,
            'ipts-syn': O_IPTS_SYN, 'iprr-syn': O_IPRR_SYN,
            'ipqs-syn': O_IPQS_SYN, 'sack': O_SACK, 'fo': O_FO,
            'fo-exp': O_FO_EXP}
# bits of TbitNull.options (scamper_tbit.h)
NULL_TCPTS, NULL_IPTS_SYN, NULL_IPRR_SYN, NULL_IPQS_SYN, NULL_SACK, \
    NULL_FO, NULL_FO_EXP = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40
OPTION_TCPTS, OPTION_SACK = 0x01, 0x02

RETX_DEFAULT = 3


def _err(msg):
    raise CommandError('tbit: ' + msg)


def _num(opt, v, lo, hi):
    if not re.fullmatch(r'\s*[+-]?[0-9]+', v or ''):
        _err("invalid -%s value '%s'" % (opt, v))
    n = strtol(v)
    if not lo <= n <= hi:
        _err("invalid -%s value '%s': out of range %d..%d"
             % (opt, v, lo, hi))
    return n


class TbitCommand:
    """A parsed tbit: the fields of scamper_tbit_t it starts with
    (``result`` holds them) and the options the method needs."""

    name = 'tbit'

    def __init__(self):
        self.dst = None
        self.family = 4
        self.src = None
        self.sport = None
        self.options = 0          # -O bits (O_*)
        self.mss = 0
        self.mtu = 0
        self.attempts = 0
        self.offset = 0
        self.asn = 0
        self.ptbsrc = None
        self.result = None        # a Tbit with the command's parameters

    def create(self, ctx):
        from scamperd.tbit.method import TbitMethod
        return TbitMethod(self, ctx)


def _split(args):
    opts = []
    i = 0
    while i < len(args) and args[i].startswith('-') and len(args[i]) > 1:
        word = args[i]
        c = word[1]
        if c not in _PARAM:
            _err('unknown option %s' % word)
        if len(word) > 2:
            opts.append((c, word[2:]))
            i += 1
            continue
        if i + 1 >= len(args):
            _err('-%s needs a parameter' % c)
        opts.append((c, args[i + 1]))
        i += 2
    if i == len(args):
        _err('no target address')
    if i != len(args) - 1:
        _err('unexpected words after %s' % args[i])
    return opts, args[i]


def _http(tbit, url):
    """scamper's tbit_app_http: -u http://host[:port]/file."""
    dport = 80
    host = None
    file = '/'
    kind = R.HTTP_TYPE_HTTP
    if url is not None:
        if url[:7].lower() == 'http://':
            rest = url[7:]
        elif url[:8].lower() == 'https://':
            rest = url[8:]
            dport = 443
            kind = R.HTTP_TYPE_HTTPS
        else:
            _err("-u '%s': expected http://host[:port][/file]" % url)
        m = re.match(r'[A-Za-z0-9.-]*', rest)
        host = m.group(0)
        if not host:
            _err("-u '%s': no host" % url)
        rest = rest[len(host):]
        if rest.startswith(':'):
            port, slash, path = rest[1:].partition('/')
            if slash:
                if not re.fullmatch('[0-9]{1,5}', port) \
                        or not 1 <= int(port) <= 65535:
                    _err("-u '%s': invalid port" % url)
                dport = int(port)
                file = '/' + path
        elif rest.startswith('/'):
            file = rest
        elif rest:
            _err("-u '%s': invalid host" % url)
    if tbit.dport == 0:
        tbit.dport = dport
    tbit.app = R.TbitHttp(type=kind, host=host, file=file)


def parse(args):
    """Parse the words after ``tbit``; CommandError on any problem."""
    opts, target = _split(args)
    cmd = TbitCommand()
    t = R.Tbit()
    ttype = R.TYPE_NULL
    app = R.APP_HTTP
    url = src = ptbsrc = None
    cookie = b''
    for o, v in opts:
        if o == 't':
            if v.lower() not in _TYPES:
                _err("invalid -t value '%s'" % v)
            ttype = _TYPES[v.lower()]
        elif o == 'p':
            if v.lower() not in _APPS:
                _err("invalid -p value '%s': expected http or bgp" % v)
            app = _APPS[v.lower()]
        elif o == 'd':
            t.dport = _num('d', v, 0, 65535)
        elif o == 's':
            cmd.sport = _num('s', v, 0, 65535) or None
        elif o == 'm':
            cmd.mss = _num('m', v, 0, 65535)
        elif o == 'M':
            cmd.mtu = _num('M', v, 0, 65535)
        elif o == 'b':
            cmd.asn = _num('b', v, 0, 65535)
        elif o == 'U':
            t.userid = _num('U', v, 0, 0xffffffff)
        elif o == 'f':
            if len(v) % 8 or not 4 <= len(v) // 2 <= 16 or \
                    not re.fullmatch(r'[0-9a-fA-F]*', v):
                _err("invalid -f value '%s'" % v)
            cookie = bytes.fromhex(v)
        elif o == 'w':
            t.wscale = _num('w', v, 0, 14)
        elif o == 'q':
            cmd.attempts = _num('q', v, 1, 4)
        elif o == 'o':
            cmd.offset = _num('o', v, -2147483647, 2147483647)
        elif o == 'T':
            t.ttl = _num('T', v, 1, 255)
        elif o == 'O':
            if v.lower() not in _OPTIONS:
                _err("invalid -O value '%s'" % v)
            cmd.options |= _OPTIONS[v.lower()]
        elif o == 'u':
            url = v
        elif o == 'P':
            ptbsrc = v
        elif o == 'S':
            src = v
    try:
        dst = ipaddress.ip_address(target)
    except ValueError:
        _err("invalid address '%s'" % target)
    t.dst = dst.packed
    cmd.dst = t.dst
    cmd.family = dst.version
    t.type = ttype
    t.client_mss = cmd.mss
    t.syn_retx = RETX_DEFAULT
    t.dat_retx = RETX_DEFAULT
    if src is not None:
        cmd.src = _addr('S', src, dst)
    t.app_proto = app
    if app == R.APP_HTTP:
        _http(t, url)
    else:
        if t.dport == 0:
            t.dport = 179
        t.app = R.TbitBgp(asn=cmd.asn or 1)
    if ttype == R.TYPE_PMTUD:
        pm = R.TbitPmtud(mtu=cmd.mtu or 1280)
        if ptbsrc is not None:
            pm.ptbsrc = _addr('P', ptbsrc, dst)
        if cmd.options & O_BLACKHOLE:
            pm.options |= R.PMTUD_OPTION_BLACKHOLE
        else:
            pm.ptb_retx = cmd.attempts or 4
        t.data = pm
    elif ttype == R.TYPE_NULL:
        t.data = _null(cmd, t, dst.version, cookie)
    elif ttype == R.TYPE_ICW:
        t.data = R.TbitIcw()
        _tcp_options(cmd, t)
    elif ttype in R.BLIND_TYPES:
        off = cmd.offset
        if off == 0:
            off = 10 if ttype in (R.TYPE_BLIND_SYN, R.TYPE_BLIND_RST) \
                else -70000
        t.data = R.TbitBlind(off=off, retx=cmd.attempts or 3)
    elif ttype == R.TYPE_SACK_RCVR:
        t.dat_retx = 1
    cmd.result = t
    return cmd


def _addr(opt, text, dst):
    """The packed address of -S or -P, of the family of ``dst``."""
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        _err("invalid -%s address '%s'" % (opt, text))
    if a.version != dst.version:
        _err('-%s %s: not the family of %s' % (opt, text, dst))
    return a.packed


def _tcp_options(cmd, t):
    if cmd.options & O_TCPTS:
        t.options |= OPTION_TCPTS
    if cmd.options & O_SACK:
        t.options |= OPTION_SACK


def _null(cmd, t, version, cookie):
    o = cmd.options
    ipopt = o & (O_IPTS_SYN | O_IPRR_SYN | O_IPQS_SYN)
    if ipopt & (ipopt - 1):
        _err('only one of -O ipts-syn, iprr-syn, ipqs-syn')
    n = R.TbitNull()
    _tcp_options(cmd, t)
    if o & O_IPQS_SYN:
        n.options |= NULL_IPQS_SYN
    if o & O_FO:
        n.options |= NULL_FO
    elif o & O_FO_EXP:
        n.options |= NULL_FO_EXP
    if cookie:
        t.fo_cookie = cookie
        if not o & (O_FO | O_FO_EXP):
            n.options = NULL_FO
    if o & (O_IPTS_SYN | O_IPRR_SYN):
        if version != 4:
            _err('-O ipts-syn and iprr-syn are for IPv4')
        if o & O_IPTS_SYN:
            n.options |= NULL_IPTS_SYN
        if o & O_IPRR_SYN:
            n.options |= NULL_IPRR_SYN
    return n
