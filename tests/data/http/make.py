"""Make this directory's golden files.  http is newer than Debian's scamper
20211212, so these come from a build of newer scamper
(github:alistairking/scamper, 2026; not part of this repository): its
scamper fetches URLs from a small Python web server in the dst of a 'line'
lab (HTTP on ports 80 and 8080, HTTPS on 443 with a self-signed
certificate made by openssl).  What a lab cannot make (ECH fields, error
messages, unknown codes, odd status lines: ech, odd) synth.c, our own
program, writes with that build's libscamperfile.  Its sc_warts2json,
sc_warts2text and sc_wartsdump give NAME.json, NAME.txt and NAME.dump (in
UTC; the first two print nothing for http, and 20211212's converters
cannot read the type).

    SCAMPER_NEW=/path/to/scamper-build python3 tests/data/http/make.py
"""

import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scamper_cli.lab import Lab  # noqa: E402

NEW = pathlib.Path(os.environ['SCAMPER_NEW'])
ENV = dict(os.environ, TZ='UTC')
SERVER = '''
import http.server, socket, ssl, sys, threading, time

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "/index.html")
            body = b""
        elif self.path == "/missing":
            self.send_response(404)
            body = b"not here\\n"
        elif self.path == "/slow":
            time.sleep(5)
            return
        elif self.path == "/big":
            self.send_response(200)
            body = bytes(range(256)) * 40
        else:
            self.send_response(200)
            body = ("hello from %s, %s\\n" % (self.path, self.headers.get(
                "X-Test", "-"))).encode()
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
    def version_string(self):
        return "lab"
    def date_time_string(self, timestamp=None):
        return "Fri, 27 Nov 2026 00:00:00 GMT"
    def log_message(self, *args):
        pass

class V6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

servers = [http.server.ThreadingHTTPServer(("203.0.113.10", 80), Handler),
           V6(("2001:db8:203::10", 80), Handler),
           http.server.ThreadingHTTPServer(("203.0.113.10", 8080), Handler)]
tls = http.server.ThreadingHTTPServer(("203.0.113.10", 443), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
servers.append(tls)
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
servers[0].serve_forever()
'''
V4, V6 = '203.0.113.10', '2001:db8:203::10'
CASES = {
    'ok': ([], f'http -u http://www.example/index.html {V4}'),
    'redirect': ([], f'http -u http://www.example/redirect {V4}'),
    'notfound': ([], f'http -u http://www.example/missing {V4}'),
    'v6': ([], f'http -u http://www.example/ {V6}'),
    'headers': ([], f'http -U 7 -m 5 -H "X-Test: yes" -H "Accept: */*" '
                    f'-u http://www.example/h {V4}'),
    'port': ([], f'http -u http://www.example:8080/p {V4}'),
    'big': ([], f'http -u http://www.example/big {V4}'),
    'noconn': ([], f'http -m 2 -u http://www.example:81/ {V4}'),
    'timeout': ([], f'http -m 1 -u http://www.example/slow {V4}'),
    'https': ([], f'http -O insecure -u https://www.example/s {V4}'),
    'untrusted': ([], f'http -u https://www.example/s {V4}'),
    'monitor': (['-M', 'mon"1', '-l', 'mylist', '-L', '5', '-C', '7'],
                f'http -u http://www.example/m {V4}'),
}


SYNTH = ('ech', 'odd')


def convert(name):
    for tool, ext in (('sc_warts2json', 'json'), ('sc_warts2text', 'txt'),
                      ('sc_wartsdump', 'dump')):
        out = subprocess.run([str(NEW / 'utils' / tool / tool),
                              str(HERE / f'{name}.warts')],
                             capture_output=True, check=True, env=ENV).stdout
        (HERE / f'{name}.{ext}').write_bytes(out)


def synth(tmp):
    prog = f'{tmp}/synth'
    subprocess.run(['cc', '-DBUILDING_LIBSCAMPERFILE', f'-I{NEW}',
                    f'-I{NEW}/scamper', '-o', prog, str(HERE / 'synth.c'),
                    str(NEW / 'lib/libscamperfile/.libs/libscamperfile.a'),
                    '-lz', '-lbz2', '-llzma', '-lm'], check=True)
    for name in SYNTH:
        subprocess.run([prog, str(HERE / f'{name}.warts'), name], check=True)
        convert(name)


def main():
    with tempfile.TemporaryDirectory() as tmp, Lab('line') as lab:
        key, cert = f'{tmp}/key.pem', f'{tmp}/cert.pem'
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                        '-nodes', '-days', '2', '-subj', '/CN=www.example',
                        '-keyout', key, '-out', cert], check=True,
                       capture_output=True)
        srv = subprocess.Popen(['ip', 'netns', 'exec', lab.ns('dst'),
                                sys.executable, '-c', SERVER, cert, key])
        try:
            time.sleep(1)
            for name, (opts, cmd) in CASES.items():
                lab.run([str(NEW / 'scamper' / 'scamper'), *opts, '-O',
                         'warts', '-o', str(HERE / f'{name}.warts'), '-I',
                         cmd], check=True)
                convert(name)
        finally:
            srv.kill()
            srv.wait()
        synth(tmp)


if __name__ == '__main__':
    main()
