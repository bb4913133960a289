"""Running our scamper in a lab node, as a user would."""

import json
import os
import subprocess
import sys

SCAMPER = [sys.executable, '-m', 'scamper_cli.main']


def ours(lab, *args, node='src', timeout=120, env=None, check=True, **kw):
    """Run our scamper with ``args`` in ``node``; return CompletedProcess.

    It runs from / so that it imports the installed package, as the
    service user will."""
    e = dict(os.environ)
    e.update(env or {})
    p = lab.run([*SCAMPER, *args], node=node, capture_output=True, text=True,
                timeout=timeout, cwd='/', env=e, **kw)
    if check:
        assert p.returncode == 0, 'scamper %s: exit %d: %s' % (
            ' '.join(args), p.returncode, p.stderr)
    return p


def ours_json(lab, *args, **kw):
    """Our -O json output as a list of dicts."""
    p = ours(lab, '-O', 'json', *args, **kw)
    return [json.loads(line) for line in p.stdout.splitlines()]


def only(objs, kind):
    """The one object of type ``kind`` in a list of JSON objects."""
    found = [o for o in objs if o['type'] == kind]
    assert len(found) == 1, objs
    return found[0]


def popen_ours(lab, *args, node='src', env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.Popen(['ip', 'netns', 'exec', lab.ns(node), *SCAMPER,
                             *args], cwd='/', env=e, **kw)


def wait_for_socket(proc, path, timeout=20):
    """Wait until the daemon ``proc`` has made its Unix socket ``path``."""
    import time as _time
    end = _time.time() + timeout
    while not os.path.exists(path):
        assert proc.poll() is None, proc.stderr.read()
        assert _time.time() < end, 'no control socket'
        _time.sleep(0.05)


def wait_listening(lab, node, port, proc, timeout=20):
    """Wait until something in ``node`` listens on TCP ``port``; ``proc``,
    the process that is to listen, must not end first."""
    import time as _time
    end = _time.time() + timeout
    while not lab.run(['ss', '-ltnH', 'sport = :%d' % port], node=node,
                      capture_output=True, text=True).stdout.strip():
        assert proc.poll() is None, 'exit %d before listening on %d' % (
            proc.returncode, port)
        assert _time.time() < end, 'nothing listens on %d' % port
        _time.sleep(0.05)


def stop_daemon(proc):
    """SIGTERM, then SIGKILL if it is still there after 30 seconds."""
    import signal as _signal
    if proc.poll() is None:
        proc.send_signal(_signal.SIGTERM)
    try:
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def proc_tree(pid):
    """pid and all its descendants."""
    children = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(')', 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out = []
    todo = [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def proc_status(pid):
    fields = {}
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            k, _, v = line.partition(':')
            fields[k] = v.split()
    return fields


class ControlStream:
    """A control connection's bytes as items: ('line', text) or
    ('data', header line, payload bytes)."""

    def __init__(self):
        self.buf = bytearray()
        self.need = None        # (header, length) of a DATA block

    def feed(self, data):
        self.buf += data
        items = []
        while True:
            if self.need is not None:
                header, n = self.need
                if len(self.buf) < n:
                    break
                items.append(('data', header, bytes(self.buf[:n])))
                del self.buf[:n]
                self.need = None
                continue
            nl = self.buf.find(b'\n')
            if nl < 0:
                break
            line = self.buf[:nl].decode()
            del self.buf[:nl + 1]
            if line.startswith('DATA '):
                self.need = (line, int(line.split()[1]))
            else:
                items.append(('line', line))
        return items


def control_session(sock, lines, timeout=30):
    """Send ``lines`` on a connected control socket, read until the other
    side closes (or ``timeout``); return the items received."""
    import socket as _socket
    import time as _time
    sock.sendall(''.join(l + '\n' for l in lines).encode())
    sock.settimeout(timeout)
    end = _time.time() + timeout
    stream, items = ControlStream(), []
    while _time.time() < end:
        try:
            data = sock.recv(65536)
        except _socket.timeout:
            break
        if not data:
            break
        items += stream.feed(data)
    return items


def scamperd_config(settings, tmp=None):
    """A directory (new unless ``tmp``) holding scamperd's socket, outdir
    and configuration, as user nobody (whose group has the socket), with
    ``settings`` (text) added: (directory, socket path, config path)."""
    import grp
    import pwd
    import tempfile
    if tmp is None:
        tmp = tempfile.mkdtemp(prefix='sc-scamperd-')
    nobody = pwd.getpwnam('nobody')
    os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
    os.chmod(tmp, 0o755)
    sock = os.path.join(tmp, 'ctl.sock')
    conf = os.path.join(tmp, 'scamperd.conf')
    with open(conf, 'w') as f:
        f.write('socket = %s\ngroup = %s\nuser = nobody\noutdir = %s\n%s'
                % (sock, grp.getgrgid(nobody.pw_gid).gr_name, tmp, settings))
    return tmp, sock, conf


def scamperd_cmd(lab, conf, node='src'):
    return ['ip', 'netns', 'exec', lab.ns(node), sys.executable, '-m',
            'scamper_cli.scamperd', '--config', conf]


def start_scamperd(lab, settings, node='src', tmp=None):
    """scamperd in ``lab``'s ``node`` namespace, configured by
    scamperd_config(settings, tmp); returns (process, directory, socket
    path) once the socket is there."""
    import time
    tmp, sock, conf = scamperd_config(settings, tmp)
    p = subprocess.Popen(scamperd_cmd(lab, conf, node), cwd='/',
                         stderr=subprocess.PIPE, text=True)
    end = time.time() + 20
    while not os.path.exists(sock):
        if p.poll() is not None or time.time() > end:
            if p.poll() is None:
                p.kill()
            raise AssertionError('scamperd did not start: %s'
                                 % p.communicate()[1])
        time.sleep(0.05)
    return p, tmp, sock
