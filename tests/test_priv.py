"""The privileged helper: its request list, its framing, and privilege
dropping for real (the suite runs as root)."""

import os
import resource
import socket
import time

import msgpack
import pytest

from scamper_priv import helper
from scamper_priv.client import PrivClient
from scamper_priv.protocol import recv_msg, send_msg
from ours import proc_status


def status(pid='self'):
    return proc_status(os.getpid() if pid == 'self' else pid)


def test_suite_runs_as_root():
    # CI runs as root; the privilege tests below are meaningless otherwise
    assert os.geteuid() == 0, 'the test suite must run as root'


@pytest.mark.parametrize('req', [
    {'op': 'exec', 'argv': ['/bin/sh']},
    {'op': 'socket'},
    {'op': 'socket', 'kind': 'tcp-listen'},
    {'op': 'socket', 'kind': 1},
    {'op': 'socket', 'kind': 'icmp4', 'extra': 1},
    {'op': 'datalink', 'ifname': '../../etc'},
    {'op': 'datalink', 'ifname': 'x' * 40},
    {'op': 'datalink', 'ifname': 'x' * 16},
    {'op': 'datalink', 'ifname': ''},
    {'op': 'datalink', 'ifname': 'lo\n'},
    {'op': 'datalink', 'ifname': 'lo x'},
    {'op': 'datalink', 'ifname': 'l\u00f6'},
    {'op': 'channel', 'n': 2},
    {},
])
def test_refuses_anything_off_the_list(req):
    reply, sock = helper.handle_request(req)
    assert reply['ok'] is False and reply['error']
    assert sock is None


def test_opens_each_listed_socket_kind():
    for kind in ('icmp4', 'icmp6', 'raw4', 'raw6', 'tcp4', 'udp6'):
        reply, s = helper.handle_request({'op': 'socket', 'kind': kind})
        assert reply == {'ok': True}
        assert s.type == socket.SOCK_RAW
        s.close()


def test_framing_passes_descriptors_and_rejects_garbage():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    r, w = os.pipe()
    send_msg(a, {'ok': True}, w)
    obj, fd = recv_msg(b)
    assert obj == {'ok': True} and fd is not None
    os.write(fd, b'x')
    assert os.read(r, 1) == b'x'
    for fdx in (fd, r, w):
        os.close(fdx)
    a.send(b'\xc1 not msgpack')
    with pytest.raises(ValueError):
        recv_msg(b)
    a.send(msgpack.packb([1, 2]))
    with pytest.raises(ValueError):
        recv_msg(b)
    a.close()
    assert recv_msg(b) == (None, None)


def test_serve_answers_garbage_with_an_error_and_goes_on():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        a.close()
        try:
            helper.serve(b)
        finally:
            os._exit(0)
    b.close()
    a.send(b'\xc1garbage')
    reply, fd = recv_msg(a)
    assert reply['ok'] is False and fd is None
    client = PrivClient(a)
    s = client.open_socket('icmp4')
    assert s.family == socket.AF_INET
    s.close()
    ch = client.new_channel()
    s2 = PrivClient(ch).open_socket('raw6')
    assert s2.family == socket.AF_INET6
    s2.close()
    ch.close()
    with pytest.raises(OSError):
        client._call({'op': 'socket', 'kind': 'nonsense'})
    a.close()
    _, st = os.waitpid(pid, 0)
    assert os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0


def test_run_drops_privileges_in_the_child_and_keeps_two_caps():
    r, w = os.pipe()

    def child(chan, signal_fd, spares):
        st = status()
        client = PrivClient(chan)
        s = client.open_socket('icmp4')     # needs the helper
        try:
            socket.socket(socket.AF_INET, socket.SOCK_RAW,
                          socket.IPPROTO_ICMP)
            own_raw = True
        except PermissionError:
            own_raw = False
        s.close()
        # the spare channels, made before the fork, are served as well
        for spare in spares:
            PrivClient(spare).open_socket('raw6').close()
            spare.close()
        msg = msgpack.packb({'uid': st['Uid'], 'gid': st['Gid'],
                             'spares': len(spares),
                             'capeff': st['CapEff'][0],
                             'capprm': st['CapPrm'][0],
                             'capbnd': st['CapBnd'][0],
                             'nnp': st['NoNewPrivs'][0],
                             'groups': st['Groups'],
                             'helper': status(os.getppid())['CapEff'][0],
                             'own_raw': own_raw})
        os.write(w, msg)
        return 7

    pid = os.fork()
    if pid == 0:
        os.close(r)
        rc = 99
        try:
            rc = helper.run(child, user='nobody', spare=2)
        finally:
            os._exit(rc)
    os.close(w)
    data = b''
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, st = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(st) == 7, 'helper returns the child status'
    info = msgpack.unpackb(data)
    assert info['spares'] == 2
    assert info['uid'] == ['65534'] * 4
    assert info['capeff'] == info['capprm'] == info['capbnd'] \
        == '0000000000000000'
    assert info['nnp'] == '1'
    assert info['groups'] == []
    assert info['own_raw'] is False
    # the helper keeps CAP_NET_ADMIN (12) and CAP_NET_RAW (13) only
    assert int(info['helper'], 16) == (1 << 12) | (1 << 13)


def test_run_refuses_an_unknown_user():
    with pytest.raises(KeyError):
        helper.run(lambda c, s, spares: 0, user='no-such-user-here')


def _serving(limit=None):
    """helper.serve() in a child process (its descriptors limited to
    ``limit``): (pid, client channel)."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        a.close()
        try:
            if limit:
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
            helper.serve(b)
        finally:
            os._exit(0)
    b.close()
    return pid, a


def _exited_cleanly(pid):
    _, st = os.waitpid(pid, 0)
    return os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0


def test_a_channel_flood_at_the_descriptor_limit_is_refused_not_fatal():
    """Asking for channels until the helper had no descriptor left ended
    it (EMFILE outside its try), and with it every measurement."""
    pid, a = _serving(limit=40)
    client = PrivClient(a)
    chans, errors = [], set()
    for _ in range(60):
        try:
            chans.append(client.new_channel())
        except OSError as e:
            errors.add(str(e))
    assert chans and errors == {'Too many open files'}
    for ch in chans:
        ch.close()
    s = client.open_socket('icmp4')       # still serving
    s.close()
    a.close()
    assert _exited_cleanly(pid)


def test_a_channel_that_does_not_read_is_closed_not_waited_for():
    """A channel that sent requests and read none of the replies blocked
    the helper in sendmsg() for every other channel."""
    pid, a = _serving()
    other = PrivClient(a).new_channel()
    greedy = PrivClient(a).new_channel()
    greedy.setblocking(False)
    req = msgpack.packb({'op': 'socket', 'kind': 'nonsense'})
    for _ in range(100000):
        try:
            greedy.send(req)
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:                    # closed by the helper
            break
    else:
        raise AssertionError('the helper kept the channel')
    s = PrivClient(other).open_socket('icmp4')
    s.close()
    for ch in (other, greedy, a):
        ch.close()
    assert _exited_cleanly(pid)
