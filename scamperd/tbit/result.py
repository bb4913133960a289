"""The result of a tbit test (TCP behaviour inference), shaped like
scamper's scamper_tbit_t.  Addresses are packed bytes; times float seconds
since the epoch.  ``data`` holds the test's own parameters (TbitPmtud,
TbitNull, TbitIcw or TbitBlind, for the types that have them) and ``app``
the application's (TbitHttp or TbitBgp), each None when absent."""

TYPE_PMTUD = 1
TYPE_ECN = 2
TYPE_NULL = 3
TYPE_SACK_RCVR = 4
TYPE_ICW = 5
TYPE_ABC = 6
TYPE_BLIND_DATA = 7
TYPE_BLIND_RST = 8
TYPE_BLIND_SYN = 9
TYPE_BLIND_FIN = 10
TYPE_NAMES = {1: 'pmtud', 2: 'ecn', 3: 'null', 4: 'sack-rcvr', 5: 'icw',
              6: 'abc', 7: 'blind-data', 8: 'blind-rst', 9: 'blind-syn',
              10: 'blind-fin'}
BLIND_TYPES = (TYPE_BLIND_DATA, TYPE_BLIND_RST, TYPE_BLIND_SYN,
               TYPE_BLIND_FIN)

APP_HTTP = 1
APP_SMTP = 2
APP_DNS = 3
APP_FTP = 4
APP_BGP = 5

HTTP_TYPE_HTTP = 0
HTTP_TYPE_HTTPS = 1

RESULT_ICW_SUCCESS = 60
RESULT_NAMES = {
    0: 'none', 1: 'tcp-noconn', 2: 'tcp-rst', 3: 'tcp-error', 4: 'sys-error',
    5: 'aborted', 6: 'tcp-noconn-rst', 7: 'halted', 8: 'tcp-badopt',
    9: 'tcp-fin', 10: 'tcp-zerowin',
    20: 'pmtud-noack', 21: 'pmtud-nodata', 22: 'pmtud-toosmall',
    23: 'pmtud-nodf', 24: 'pmtud-fail', 25: 'pmtud-success',
    26: 'pmtud-cleardf',
    30: 'ecn-success', 31: 'ecn-incapable', 32: 'ecn-badsynack',
    33: 'ecn-noece', 34: 'ecn-noack', 35: 'ecn-nodata',
    40: 'null-success', 41: 'null-nodata',
    50: 'sack-incapable', 51: 'sack-rcvr-success', 52: 'sack-rcvr-shifted',
    53: 'sack-rcvr-timeout', 54: 'sack-rcvr-nosack',
    60: 'icw-success', 61: 'icw-tooshort',
    70: 'abc-success', 71: 'abc-tooshort', 72: 'abc-badicw',
    80: 'blind-accepted', 81: 'blind-challenge', 82: 'blind-ignored',
    83: 'blind-rst', 84: 'blind-synnew',
}

PKT_DIR_TX = 1
PKT_DIR_RX = 2

OPTION_NAMES = ('tcpts', 'sack')
PMTUD_OPTION_BLACKHOLE = 0x01
PMTUD_OPTION_NAMES = ('blackhole',)
NULL_OPTION_NAMES = ('tcpts', 'ipts-syn', 'iprr-syn', 'ipqs-syn', 'sack', 'fo',
                     'fo-exp')
NULL_RESULT_FO = 0x04
NULL_RESULT_NAMES = ('tcpts-ok', 'sack-ok', 'fo-ok')


class TbitPkt:
    """A packet sent or received, from its IP header."""

    __slots__ = ('tv', 'dir', 'data')

    def __init__(self, tv=0.0, dir=PKT_DIR_TX, data=b''):
        self.tv = tv
        self.dir = dir
        self.data = data


class TbitPmtud:
    def __init__(self, mtu=0, ptb_retx=0, options=0, ptbsrc=None):
        self.mtu = mtu
        self.ptb_retx = ptb_retx
        self.options = options
        self.ptbsrc = ptbsrc


class TbitNull:
    def __init__(self, options=0, results=0):
        self.options = options
        self.results = results


class TbitIcw:
    def __init__(self, start_seq=0):
        self.start_seq = start_seq


class TbitBlind:
    def __init__(self, off=0, retx=0):
        self.off = off            # signed
        self.retx = retx


class TbitHttp:
    def __init__(self, type=HTTP_TYPE_HTTP, host=None, file=None):
        self.type = type
        self.host = host
        self.file = file


class TbitBgp:
    def __init__(self, asn=0):
        self.asn = asn


# the class of ``data`` for each type that has one
DATA_CLASSES = {TYPE_PMTUD: TbitPmtud, TYPE_NULL: TbitNull, TYPE_ICW: TbitIcw,
                **{t: TbitBlind for t in BLIND_TYPES}}


class Tbit:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.src = None
        self.dst = None
        self.sport = 0
        self.dport = 0
        self.start = 0.0
        self.result = 0
        self.type = TYPE_NULL
        self.data = None
        self.app_proto = APP_HTTP
        self.app = None
        self.options = 0
        self.client_mss = 0
        self.server_mss = 0
        self.fo_cookie = b''
        self.wscale = 0
        self.ttl = 255
        self.syn_retx = 0
        self.dat_retx = 0
        self.pkts = []            # TbitPkt, in order
        for k, v in kw.items():
            setattr(self, k, v)

    def to_json(self):
        """The line sc_warts2json prints for this tbit (no newline)."""
        from scamperd.tbit import json
        return json.format(self)

    def to_text(self):
        """What sc_warts2text prints for this tbit."""
        from scamperd.tbit import text
        return text.format(self)

    def to_dump(self):
        """What sc_wartsdump prints for this tbit."""
        from scamperd.tbit import dump
        return dump.format(self)
