"""-R remote mode in the line lab: Debian's sc_remoted (20211212) in dst
as the controller, our scamper -R as vantage points in src, r1 and r2,
measurements issued with Debian's sc_attach -R through the Unix socket
sc_remoted makes for each vantage point.  Broken connections resume
(nothing lost, nothing twice), a restarted controller or vantage point is
joined again, TLS is used to a controller named by a host name."""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from ours import (control_session, popen_ours, proc_tree, start_scamperd,
                  stop_daemon, wait_for_socket, wait_listening)

PORT = 50070
CONTROLLER = '198.51.100.2'        # dst, on its link to r3
NAME = 'controller.test'


class Controller:
    """sc_remoted in dst, listening on ``listen``:``port``."""

    def __init__(self, lab, port=PORT, listen=CONTROLLER):
        self.lab, self.port, self.listen = lab, port, listen
        self.dir = tempfile.mkdtemp(prefix='remoted-')
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ['ip', 'netns', 'exec', self.lab.ns('dst'), 'sc_remoted', '-P',
             '%s:%d' % (self.listen, self.port), '-U', self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_listening(self.lab, 'dst', self.port, self.proc)

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        for f in glob.glob(os.path.join(self.dir, '*')):
            os.unlink(f)

    def socket_for(self, monitor, timeout=30, other_than=()):
        """The path of the socket sc_remoted made for vantage point
        ``monitor`` (named monitor-ip:port)."""
        end = time.time() + timeout
        while time.time() < end:
            got = [f for f in glob.glob(os.path.join(self.dir, monitor + '-*'))
                   if f not in other_than]
            if got:
                return got[0]
            assert self.proc.poll() is None, self.proc.stderr.read()
            time.sleep(0.1)
        raise AssertionError('no socket for %s in %s' % (monitor, self.dir))

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def vantage_point(lab, node, monitor, *extra, host=CONTROLLER, port=PORT):
    """Our scamper -R in ``node`` (results as Debian's sc_attach reads
    them: -O attach-2021)."""
    return popen_ours(lab, '-M', monitor, '-O', 'attach-2021', '-p', '500',
                      *extra, '-R', '%s:%d' % (host, port), node=node,
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                      text=True)


def attach(sock, commands, timeout=120):
    """Run ``commands`` through Debian's sc_attach -R on ``sock``: the
    objects of the warts it writes, as Debian's sc_warts2json prints them."""
    with tempfile.TemporaryDirectory() as tmp:
        infile, out = os.path.join(tmp, 'in'), os.path.join(tmp, 'out.warts')
        with open(infile, 'w') as f:
            f.write(''.join(c + '\n' for c in commands))
        p = subprocess.run(['sc_attach', '-R', sock, '-i', infile, '-o', out],
                           capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, p.stderr
        js = subprocess.run(['sc_warts2json', out], capture_output=True,
                            text=True, check=True).stdout
    return [json.loads(line) for line in js.splitlines()]


def measures(controller, monitor, target, userid=0, **kw):
    """One ping through vantage point ``monitor`` comes back answered."""
    sock = controller.socket_for(monitor, **kw)
    assert pings(attach(sock, ['ping -c 1 -U %d %s' % (userid, target)])) \
        == [(target, userid, 1)]
    return sock


def pings(objs):
    return sorted((o['dst'], o['userid'], len(o['responses'])) for o in objs
                  if o['type'] == 'ping')


def targets(lab, n, first=20):
    base = lab.target4.rsplit('.', 1)[0]
    return ['%s.%d' % (base, first + i) for i in range(n)]


@pytest.fixture
def controller(lab_line):
    c = Controller(lab_line)
    try:
        yield c
    finally:
        c.close()


def test_three_vantage_points_measure_through_sc_remoted(lab_line,
                                                          controller):
    vps = {node: vantage_point(lab_line, node, 'vp-' + node)
           for node in ('src', 'r1', 'r2')}
    try:
        dsts = targets(lab_line, 4)
        for node in vps:
            sock = controller.socket_for('vp-' + node)
            objs = attach(sock, ['ping -c 1 -U %d %s' % (i, d)
                                 for i, d in enumerate(dsts)])
            assert pings(objs) == [(d, i, 1) for i, d in enumerate(dsts)]
            # the channel's list, named as scamper names it: the name the
            # controller gave us (the address and port it sees) and _N
            (start,) = [o for o in objs if o['type'] == 'cycle-start']
            assert start['list_name'] == os.path.basename(sock)[
                len('vp-' + node) + 1:] + '_0', start
            assert [o['type'] for o in objs][-1] == 'cycle-stop'
    finally:
        for p in vps.values():
            stop_daemon(p)
    for p in vps.values():
        assert 'remote: connected to %s:%d as ' % (CONTROLLER, PORT) \
            in p.stderr.read()


def test_a_broken_connection_resumes_nothing_lost_nothing_twice(
        lab_line, controller):
    """The TCP connection to the controller is cut (ss -K) while results
    flow: the vantage point reconnects and resumes; sc_attach, whose
    connection to sc_remoted stays up, gets every result once."""
    vp = vantage_point(lab_line, 'src', 'vp-cut')
    try:
        sock = controller.socket_for('vp-cut')
        dsts = targets(lab_line, 24)
        cmds = ['ping -c 3 -i 0.3 -U %d %s' % (i, d)
                for i, d in enumerate(dsts)]
        with tempfile.TemporaryDirectory() as tmp:
            infile = os.path.join(tmp, 'in')
            out = os.path.join(tmp, 'out.warts')
            with open(infile, 'w') as f:
                f.write(''.join(c + '\n' for c in cmds))
            client = subprocess.Popen(
                ['sc_attach', '-R', sock, '-i', infile, '-o', out],
                stderr=subprocess.PIPE, text=True)
            time.sleep(1.0)
            for _ in range(2):
                lab_line.run(['ss', '-K', 'dst', CONTROLLER, 'dport', '=',
                              ':%d' % PORT], node='src', check=True,
                             capture_output=True)
                time.sleep(1.5)
            assert client.wait(120) == 0, client.stderr.read()
            js = subprocess.run(['sc_warts2json', out], capture_output=True,
                                text=True, check=True).stdout
        objs = [json.loads(line) for line in js.splitlines()]
        assert pings(objs) == [(d, i, 3) for i, d in enumerate(dsts)]
    finally:
        stop_daemon(vp)
    err = vp.stderr.read()
    assert err.count('remote: resumed with %s:%d' % (CONTROLLER, PORT)) >= 1, \
        err


def test_a_restarted_controller_is_joined_again(lab_line, controller):
    """sc_remoted killed mid-run (its clients go with it) and started
    again knows nothing of us: it rejects the resume, the channel's tasks
    are halted, we introduce ourselves anew, and measure again."""
    vp = vantage_point(lab_line, 'src', 'vp-again')
    try:
        first = controller.socket_for('vp-again')
        with tempfile.TemporaryDirectory() as tmp:
            infile = os.path.join(tmp, 'in')
            with open(infile, 'w') as f:
                f.write(''.join('ping -c 10 -i 1 %s\n' % d
                                for d in targets(lab_line, 4)))
            client = subprocess.Popen(
                ['sc_attach', '-R', first, '-i', infile, '-o',
                 os.path.join(tmp, 'out.warts')],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)
            controller.kill()
            client.wait(30)
        controller.start()
        measures(controller, 'vp-again', lab_line.target4, 2,
                 timeout=60)
        assert vp.poll() is None
    finally:
        stop_daemon(vp)
    err = vp.stderr.read()
    assert 'does not know us any more' in err, err
    # the four pings it had started were halted, not run to the end
    assert 'stopped by SIGTERM (0 tasks halted)' in err, err


def test_a_vantage_point_killed_mid_run_joins_again(lab_line, controller):
    """One of two vantage points is killed (SIGKILL) while both measure:
    the other's client gets every result once; the killed one, started
    again, joins under a new socket and measures."""
    back = vantage_point(lab_line, 'src', 'vp-back')
    stay = vantage_point(lab_line, 'r1', 'vp-stay')
    try:
        first = controller.socket_for('vp-back')
        cmds = ['ping -c 3 -i 0.3 -U %d %s' % (i, d)
                for i, d in enumerate(targets(lab_line, 8))]
        with tempfile.TemporaryDirectory() as tmp:
            infile = os.path.join(tmp, 'in')
            with open(infile, 'w') as f:
                f.write('ping -c 20 %s\n' % lab_line.target4)
            lost = subprocess.Popen(
                ['sc_attach', '-R', first, '-i', infile, '-o',
                 os.path.join(tmp, 'lost.warts')],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            assert lost.poll() is None      # its ping runs
            for pid in proc_tree(back.pid):
                os.kill(pid, signal.SIGKILL)
            back.wait()
            objs = attach(controller.socket_for('vp-stay'), cmds)
            lost.kill()
            lost.wait()
        assert pings(objs) == [(d, i, 3) for i, d in
                               enumerate(targets(lab_line, 8))]
        time.sleep(1)               # what the killed one left goes
        back = vantage_point(lab_line, 'src', 'vp-back')
        measures(controller, 'vp-back', lab_line.target4,
                 other_than=(first,))
    finally:
        stop_daemon(back)
        stop_daemon(stay)


def test_scamperd_joins_the_fleet_its_configuration_names(lab_line,
                                                          controller):
    """scamperd.conf's remote = (as a systemd vantage point at boot)."""
    p, tmp, _ = start_scamperd(
        lab_line, 'monitorname = vp-conf\nattach_2021 = on\n'
        'remote = %s:%d\n' % (CONTROLLER, PORT))
    try:
        measures(controller, 'vp-conf', lab_line.target4)
    finally:
        stop_daemon(p)
        shutil.rmtree(tmp, ignore_errors=True)


# -- TLS ---------------------------------------------------------------------

def _openssl(*args, cwd):
    subprocess.run(['openssl', *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture(scope='module')
def pki():
    """A CA, a certificate for controller.test signed by it, and another
    CA that signed nothing."""
    d = tempfile.mkdtemp(prefix='pki-')
    os.chmod(d, 0o755)
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
          '-nodes']
    for ca in ('ca', 'other'):
        _openssl('req', '-x509', *ec, '-keyout', ca + '.key', '-out',
                 ca + '.pem', '-days', '2', '-subj', '/CN=test %s' % ca,
                 cwd=d)
    _openssl('req', *ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj',
             '/CN=' + NAME, cwd=d)
    with open(os.path.join(d, 'ext'), 'w') as f:
        f.write('subjectAltName=DNS:%s\n' % NAME)
    _openssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey',
             'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2',
             '-extfile', 'ext', cwd=d)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def named(lab_line):
    """controller.test resolves to the controller in src (ip netns exec
    mounts /etc/netns/NS/hosts over /etc/hosts)."""
    d = os.path.join('/etc/netns', lab_line.ns('src'))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'hosts'), 'w') as f:
        f.write('127.0.0.1 localhost\n%s %s\n' % (CONTROLLER, NAME))
    try:
        yield NAME
    finally:
        shutil.rmtree(d, ignore_errors=True)
        try:
            os.rmdir('/etc/netns')
        except OSError:
            pass


# Debian's sc_remoted is built without OpenSSL (it has no -c/-p): TLS is
# ended in front of it by this proxy, as sc_remoted with -c/-p would
TLS_PROXY = r"""
import selectors, socket, ssl, sys
listen, backend, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.create_server((listen.rsplit(':', 1)[0],
                           int(listen.rsplit(':', 1)[1])))
sel = selectors.DefaultSelector()
sel.register(ls, selectors.EVENT_READ)
peer = {}
while True:
    for key_, _ in sel.select():
        s = key_.fileobj
        if s is ls:
            c, _ = ls.accept()
            try:
                c = ctx.wrap_socket(c, server_side=True)
            except (ssl.SSLError, OSError):
                c.close()
                continue
            b = socket.create_connection(('127.0.0.1', backend))
            peer[c], peer[b] = b, c
            sel.register(c, selectors.EVENT_READ)
            sel.register(b, selectors.EVENT_READ)
            continue
        try:
            data = s.recv(65536)
        except (ssl.SSLError, OSError):
            data = b''
        other = peer.get(s)
        if data and other is not None:
            other.sendall(data)
            while isinstance(s, ssl.SSLSocket) and s.pending():
                other.sendall(s.recv(65536))
            continue
        for x in (s, other):
            if x is not None and x in peer:
                sel.unregister(x)
                del peer[x]
                x.close()
"""


class TLSController(Controller):
    """sc_remoted on loopback, behind TLS_PROXY on the controller's
    address and ``port``."""

    def __init__(self, lab, port, pki):
        self.pki, self.public, self.proxy = pki, port, None
        super().__init__(lab, port=port + 1000, listen='127.0.0.1')

    def start(self):
        super().start()
        self.proxy = subprocess.Popen(
            ['ip', 'netns', 'exec', self.lab.ns('dst'), sys.executable, '-c',
             TLS_PROXY, '%s:%d' % (CONTROLLER, self.public), str(self.port),
             os.path.join(self.pki, 'srv.pem'),
             os.path.join(self.pki, 'srv.key')],
            stderr=subprocess.DEVNULL)
        wait_listening(self.lab, 'dst', self.public, self.proxy)

    def close(self):
        if self.proxy is not None:
            self.proxy.kill()
            self.proxy.wait()
        super().close()


def test_tls_to_a_controller_named_by_host_name(lab_line, pki, named):
    c = TLSController(lab_line, PORT + 1, pki)
    vp = vantage_point(lab_line, 'src', 'vp-tls', '-O',
                       'cafile=' + os.path.join(pki, 'ca.pem'), host=named,
                       port=PORT + 1)
    try:
        measures(c, 'vp-tls', lab_line.target4)
    finally:
        stop_daemon(vp)
        c.close()


def test_tls_refuses_a_controller_it_cannot_verify(lab_line, pki, named):
    c = TLSController(lab_line, PORT + 2, pki)
    vp = vantage_point(lab_line, 'src', 'vp-bad', '-O',
                       'cafile=' + os.path.join(pki, 'other.pem'),
                       host=named, port=PORT + 2)
    try:
        time.sleep(3)
        assert not os.listdir(c.dir)
    finally:
        stop_daemon(vp)
        c.close()
    assert 'certificate verify failed' in vp.stderr.read()


def test_notls_remote_speaks_plain_tcp_to_a_host_name(lab_line, named):
    c = Controller(lab_line, port=PORT + 3)
    vp = vantage_point(lab_line, 'src', 'vp-plain', '-O', 'notls-remote',
                       host=named, port=PORT + 3)
    try:
        measures(c, 'vp-plain', lab_line.target4)
    finally:
        stop_daemon(vp)
        c.close()


def test_remote_add_list_delete_on_the_control_socket(lab_line, controller):
    """A daemon started with only a control socket dials a controller
    when told `remote add`, measures for it, lists it (with the alias
    sc_remoted gave it) and hangs up on `remote delete`."""
    import socket as _socket
    tmp = tempfile.mkdtemp(prefix='sc-remote-add-')
    os.chmod(tmp, 0o755)
    path = os.path.join(tmp, 'ctl')
    where = '%s:%d' % (CONTROLLER, PORT)

    def say(*lines):
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        s.connect(path)
        try:
            return [i[1] for i in control_session(s, [*lines, 'exit'], 20)]
        finally:
            s.close()

    vp = popen_ours(lab_line, '-M', 'vp-added', '-O', 'attach-2021', '-p',
                    '500', '-U', path, stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE, text=True)
    try:
        wait_for_socket(vp, path)
        got = say('remote add server %s ssl off' % where,
                  'remote add server %s' % where)
        assert got == ['OK', 'ERR %s already exists' % where]
        measures(controller, 'vp-added', lab_line.target4)
        listed, ok = say('remote list')
        assert listed.startswith('INFO %s alias ' % where) and ok == 'OK'
        assert say('remote delete %s' % where, 'remote list',
                   'remote delete %s' % where) == [
            'OK', 'OK', 'ERR no remote connections']
        # hung up, and not dialling again
        time.sleep(1.5)
        conns = lab_line.run(['ss', '-Htn', 'state', 'established', 'dst',
                              CONTROLLER], node='src', check=True,
                             capture_output=True, text=True).stdout
        assert conns == '' and vp.poll() is None
    finally:
        stop_daemon(vp)
        shutil.rmtree(tmp, ignore_errors=True)
