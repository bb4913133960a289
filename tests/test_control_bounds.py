"""What one control client may take of the service (issue 13, items 7
and 8): memory for replies it does not read, commands queued ahead of
MORE, connections and descriptors.  The control server runs in this
process on real sockets, its loop turned by the test."""

import io
import selectors
import socket
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

from scamperd.control import attach, server
from scamperd.control.server import Control
from scamperd.sources import Sources


def make_control():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(('127.0.0.1', 0))
    listener.listen(64)
    sup = SimpleNamespace(
        sel=selectors.DefaultSelector(), cfg={'command': 'trace'},
        sources=Sources(None, 'json', daemon=True), err=io.StringIO(),
        pacer=SimpleNamespace(pps=20), window=0, active={},
        halt_task=lambda pred: False, drop_tasks=lambda pred: 0)
    ctl = Control(sup, [listener])
    return ctl, listener.getsockname()


def turn(ctl, seconds=0.2):
    """Run the control server's part of the loop for ``seconds``."""
    end = time.time() + seconds
    while time.time() < end:
        ctl.tick(time.time())
        for key, _ in ctl.sel.select(0.01):
            key.data[1]()


def client(addr):
    c = socket.create_connection(addr)
    c.settimeout(2)
    return c


def ask(ctl, addr, line):
    """A new client's reply to ``line``, the server turned meanwhile."""
    c = client(addr)
    c.sendall(line.encode() + b'\n')
    turn(ctl, 0.1)
    reply = c.recv(1000)
    c.close()
    return reply


def test_a_client_that_does_not_read_is_not_read(monkeypatch):
    """30 clients that never read their replies took the supervisor to
    1.8 GB.  Once PAUSE_WBUF bytes wait for a client, it is not read from
    until it reads; the others are served."""
    monkeypatch.setattr(server, 'PAUSE_WBUF', 64 << 10)
    ctl, addr = make_control()
    greedy = client(addr)
    greedy.setblocking(False)
    sent = 0
    chunk = b'get version\n' * 5000
    turn(ctl, 0.05)
    conn = next(iter(ctl.conns))
    rest = b''                      # what a short send left of a chunk
    for _ in range(2000):           # until it is no longer read from
        try:
            # the rest first: a chunk sent anew after a short send would
            # make one line of two commands (whose ERR is 4 bytes longer
            # than a reply: the count below was off by 4 then)
            data = rest or chunk
            n = greedy.send(data)
            sent += n
            rest = data[n:]
        except BlockingIOError:
            if conn.congested:
                break
        turn(ctl, 0.005)
    conn = next(iter(ctl.conns))
    assert conn.congested
    assert len(conn.wbuf) < server.PAUSE_WBUF + 65536 * 2
    assert sent < 400 * len(chunk)          # the kernel buffers filled
    assert ask(ctl, addr, 'get pps') == b'OK pps 20\n'
    # it reads: it is read from again, and every whole command it sent
    # is answered
    reply = len(ask(ctl, addr, 'get version'))
    greedy.setblocking(True)
    greedy.settimeout(0.05)
    got, want = 0, sent // len(b'get version\n') * reply
    end = time.time() + 30
    while got < want and time.time() < end:
        turn(ctl, 0.01)
        try:
            got += len(greedy.recv(1 << 20))
        except socket.timeout:
            pass
    assert got == want
    assert not conn.congested
    assert ctl.wbuf_total == sum(len(c.wbuf) for c in ctl.conns) == 0


def test_all_connections_together_are_bounded(monkeypatch):
    """When all clients together hold TOTAL_WBUF, the one holding most is
    closed."""
    monkeypatch.setattr(server, 'TOTAL_WBUF', 100000)
    ctl, addr = make_control()
    a, b = client(addr), client(addr)
    turn(ctl, 0.1)
    ca, cb = sorted(ctl.conns, key=lambda c: c.peer)
    # as observe's events are: sent whether the client reads or not (the
    # kernel's buffers are full first)
    for c in (ca, cb):
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    while len(ca.wbuf) < 60000:
        ca.send(b'x' * 1000)
    while len(cb.wbuf) < 30000:
        cb.send(b'y' * 1000)
    assert not ca.closed and not cb.closed
    while not ca.closed:
        cb.send(b'y' * 1000)
    assert not cb.closed and 30000 <= len(cb.wbuf) < 41000
    assert ctl.wbuf_total == len(cb.wbuf)


def test_attach_commands_ahead_of_more_are_bounded(monkeypatch):
    """20 000 queued 60 KB attach commands took 1.3 GB."""
    monkeypatch.setattr(attach, 'MAX_PENDING_BYTES', 200000)
    sent = []
    a = attach.Attach({'format': 'json'}, 'p', sent.append, lambda: None)
    line = 'tbit -t null -u http://x/%s 192.0.2.1' % ('a' * 60000)
    for _ in range(5):
        a.line(line)
    refused = ('ERR command not accepted: 3 commands wait already (send '
               'one when MORE comes)')
    assert b''.join(sent).decode().splitlines() == [
        'OK id-1', 'OK id-2', 'OK id-3', refused, refused]
    assert len(a.pending) == 3 and a.pending_bytes <= 200000


def test_a_congested_attach_has_no_more_tasks_started():
    congested = [False]
    a = attach.Attach({'format': 'json'}, 'p', lambda d: None, lambda: None,
                      congested=lambda: congested[0])
    a.line('ping 192.0.2.1')
    assert a.ready()
    congested[0] = True
    assert not a.ready() and a.waiting()


def test_descriptors_run_out_listening_pauses():
    """At the descriptor limit accept() failed with EMFILE and the loop
    spun at 80 % CPU serving nobody.  Connections are capped below the
    limit; when accept() fails anyway, listening pauses; and the longest
    idle plain connection makes room for a new client."""
    code = textwrap.dedent('''
        import resource, socket, sys, time
        sys.path[:0] = %r
        import test_control_bounds as t
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))
        ctl, addr = t.make_control()
        print('max', ctl.max_conns)
        idle = []
        for i in range(ctl.max_conns + 20):
            idle.append(socket.create_connection(addr))
            t.turn(ctl, 0.002)
        t.turn(ctl, 0.2)
        print('conns', len(ctl.conns))
        # nothing left: fill the descriptors, as other work might
        hog = []
        try:
            while True:
                hog.append(socket.socket())
        except OSError:
            pass
        extra = []
        for s in hog[:5]:
            s.close()
        for i in range(5):
            extra.append(socket.create_connection(addr))
        hog = hog[5:]
        t0 = time.process_time()
        t.turn(ctl, 1.0)
        print('cpu', time.process_time() - t0)
        print('paused', ctl.paused_until is not None)
        for s in hog:
            s.close()
        t.turn(ctl, 1.5)
        print('listening', ctl.paused_until is None)
        # idle for IDLE_EVICT: a new client takes the place of the oldest
        t.server.IDLE_EVICT = 0.5
        time.sleep(0.6)
        print('served', t.ask(ctl, addr, 'get pps').decode().strip())
    ''' % (sys.path,))
    p = subprocess.run([sys.executable, '-c', code], capture_output=True,
                       text=True, timeout=60, cwd=str(__import__(
                           'pathlib').Path(__file__).parent))
    assert p.returncode == 0, p.stderr
    out = dict(line.split(' ', 1) for line in p.stdout.splitlines())
    assert int(out['max']) == 128 - server.RESERVE_FDS - 32
    assert int(out['conns']) == int(out['max'])
    assert float(out['cpu']) < 0.3
    assert out['paused'] == 'True' and out['listening'] == 'True'
    assert out['served'] == 'OK pps 20'
