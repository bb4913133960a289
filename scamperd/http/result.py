"""The result of an http fetch, shaped like newer scamper's scamper_http_t
(object type 15; scamper 20211212 has no http).  Addresses are packed
bytes; times float seconds (epoch seconds for start and a buffer's tv)."""

TYPE_HTTPS, TYPE_HTTP = 0, 1
TYPE_NAMES = ('https', 'http')
DEFAULT_PORTS = {TYPE_HTTPS: 443, TYPE_HTTP: 80}

STOP_NAMES = ('none', 'halted', 'noconn', 'done', 'error', 'timeout',
              'insecure')

FLAG_INSECURE, FLAG_GREASE = 0x01, 0x02

DIR_RX, DIR_TX = 0, 1
SPACES = (b' ', b'\t', b'\n', b'\v', b'\f')
DIR_NAMES = ('rx', 'tx')
BUF_DATA, BUF_HDR, BUF_TLS = 0, 1, 2
BUF_NAMES = ('data', 'hdr', 'tls')

ECH_NAMES = ('none', 'unknown', 'failed', 'success', 'grease', 'grease-ech',
             'backend', 'bad-call', 'not-tried', 'bad-name', 'not-configured',
             'failed-ech', 'failed-ech-bad-name')


class HttpBuf:
    """One message of the exchange: its direction, what it holds (HTTP
    header or data, or TLS) and when it was sent or received."""
    __slots__ = ('dir', 'type', 'tv', 'data')

    def __init__(self, dir=DIR_RX, type=BUF_DATA, tv=0.0, data=b''):
        self.dir = dir            # 0 or 1
        self.type = type          # 0..127
        self.tv = tv
        self.data = data


class Http:
    def __init__(self, **kw):
        self.list = None
        self.cycle = None
        self.userid = 0
        self.src = None
        self.dst = None
        self.sport = 0
        self.dport = 443          # the default of the type (https)
        self.start = 0.0
        self.stop = 0
        self.type = TYPE_HTTPS
        self.host = None          # of the URL
        self.file = None          # of the URL
        self.headers = []         # the request's extra header lines (-H)
        self.hsrtt = 0.0          # seconds, SYN to SYN/ACK
        self.flags = 0
        self.maxtime = 0.0        # seconds (-m)
        self.errmsg = None
        self.ech_status = 0
        self.ech_outer_sni = None
        self.ech_config_list = b''
        self.ech_retry_config = b''
        self.bufs = []            # HttpBuf, in exchange order
        for k, v in kw.items():
            setattr(self, k, v)

    def status_code(self):
        """scamper_http_status_code_get: the status code in the status line
        (received header bytes up to the first CR, at most 127 of them),
        or None."""
        line = b''
        for b in self.bufs:
            if b.dir != DIR_RX or b.type != BUF_HDR:
                continue
            if not b.data:
                return None
            line += b.data.split(b'\r', 1)[0]
            if len(line) >= 128:
                return None
            if b'\r' in b.data:
                break
        else:
            return None
        if not (line[:5] == b'HTTP/' and line[5:6].isdigit() and
                line[6:7] == b'.' and line[7:8].isdigit() and
                line[8:9] in SPACES and line[9:12].isdigit() and
                len(line) >= 12 and line[12:13] in SPACES + (b'\0', b'')):
            return None
        return int(line[9:12])

    def to_json(self):
        """Newer scamper's sc_warts2json prints nothing for an http."""
        return None

    def to_text(self):
        """sc_warts2text prints nothing for an http."""
        return ''

    def to_dump(self):
        """What newer scamper's sc_wartsdump prints for it."""
        from scamperd.http import dump
        return dump.format(self)
