"""The privileged helper: the only code that keeps privilege.

It is started as root by the ``scamper`` command, which has already parsed
its command line and opened the files it names.  The helper then:

1. forks the unprivileged side, which gives up root (setgroups, setgid,
   setuid to the service user), every capability and the ability to gain
   any (no_new_privs), and runs the supervisor;
2. drops every capability of its own except CAP_NET_RAW and CAP_NET_ADMIN,
   sets no_new_privs;
3. answers requests on its channels (scamper_priv/protocol.py) until the
   last channel closes, then exits with the supervisor's status.

It never parses packets or measurement commands: a request is a small map,
checked against a fixed list.
"""

import gc
import os
import pwd
import selectors
import signal
import socket
import sys

import prctl

from scamper_priv.protocol import SOCKET_KINDS, recv_msg, send_msg

IFNAME_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
                         '0123456789_.:@-')
RCVBUF = 4 * 1024 * 1024
MAX_CHANNELS = 1024
ETH_P_ALL = 0x0003
SO_RCVBUFFORCE = getattr(socket, 'SO_RCVBUFFORCE', 33)


class PrivError(Exception):
    pass


def _open_socket(kind):
    family, stype, proto = SOCKET_KINDS[kind]
    s = socket.socket(family, stype, proto)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    s.setblocking(False)
    return s


def _open_datalink(ifname):
    socket.if_nametoindex(ifname)         # OSError if there is no such interface
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s


def handle_request(req):
    """Validate one request and carry it out.  Returns (reply, socket or
    None); the caller passes the socket's descriptor and closes it."""
    op = req.get('op')
    if op == 'socket':
        kind = req.get('kind')
        if len(req) != 2 or not isinstance(kind, str) \
                or kind not in SOCKET_KINDS:
            return {'ok': False, 'error': 'invalid socket request'}, None
        return {'ok': True}, _open_socket(kind)
    if op == 'datalink':
        ifname = req.get('ifname')
        if len(req) != 2 or not isinstance(ifname, str) \
                or not 0 < len(ifname) <= 15 \
                or not IFNAME_CHARS.issuperset(ifname):
            return {'ok': False, 'error': 'invalid datalink request'}, None
        return {'ok': True}, _open_datalink(ifname)
    if op == 'channel':
        if len(req) != 1:
            return {'ok': False, 'error': 'invalid channel request'}, None
        return {'ok': True}, None   # the serve loop makes the pair
    return {'ok': False, 'error': 'unknown request'}, None


def drop_to_user(user):
    """In the unprivileged child: become ``user`` with no capabilities."""
    pw = pwd.getpwnam(user)
    prctl.capbset.limit()             # empty bounding set
    os.setgroups([])
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
    prctl.set_no_new_privs(1)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise PrivError('could not drop root')


def drop_helper(user):
    """The helper becomes ``user`` too, keeping only CAP_NET_RAW and
    CAP_NET_ADMIN: no file of root's is open to it any more.  It is not
    dumpable, so the unprivileged side (the same user) can neither trace
    it nor take its descriptors through /proc."""
    pw = pwd.getpwnam(user)
    keep = (prctl.CAP_NET_RAW, prctl.CAP_NET_ADMIN)
    prctl.capbset.limit(*keep)          # needs CAP_SETPCAP: first
    prctl.set_keepcaps(True)            # permitted survives the setuid
    os.setgroups([])
    os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
    os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)
    prctl.cap_inheritable.limit()
    prctl.cap_permitted.limit(*keep)
    prctl.cap_effective.net_raw = True  # cleared by the setuid: raised
    prctl.cap_effective.net_admin = True
    prctl.set_keepcaps(False)
    prctl.set_dumpable(False)
    prctl.set_no_new_privs(1)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise PrivError('could not drop root')


def firewall_request(fw, owner, req):
    """A ``fw-add`` or ``fw-del`` request from channel ``owner``."""
    if fw is None:
        return {'ok': False, 'error': 'no firewall: scamper was started '
                'without -F'}
    from scamper_priv.firewall import FirewallError
    try:
        if req.get('op') == 'fw-add':
            return {'ok': True, 'handle': fw.add(owner, req)}
        handle = req.get('handle')
        if set(req) != {'op', 'handle'} or not isinstance(handle, int):
            return {'ok': False, 'error': 'invalid firewall request'}
        fw.delete(owner, handle)
        return {'ok': True}
    except FirewallError as e:
        return {'ok': False, 'error': str(e)}


def serve(*channels, fw=None):
    """Answer requests on ``channels`` (and those they ask for) until every
    channel is closed; then remove every firewall rule (``fw``, a
    scamper_priv.firewall.Firewall, or None)."""
    try:
        _serve(channels, fw)
    finally:
        if fw is not None:
            fw.close()


def _serve(first_channels, fw):
    """One request at a time from whichever channel has one.  A channel
    that does not read its replies is closed rather than waited for (the
    others would wait with it), and running out of descriptors refuses a
    request, never ends the helper."""
    sel = selectors.DefaultSelector()
    for ch in first_channels:
        sel.register(ch, selectors.EVENT_READ)
    channels = [len(first_channels)]

    def drop(ch):
        sel.unregister(ch)
        if fw is not None:
            fw.release(ch)
        ch.close()
        channels[0] -= 1

    while channels[0]:
        for key, _ in sel.select():
            ch = key.fileobj
            reply, s = _answer(ch, fw, channels[0])
            if reply is None:
                drop(ch)
                continue
            if s is not None and reply.get('channel'):
                del reply['channel']
                mine, s = s
                sel.register(mine, selectors.EVENT_READ)
                channels[0] += 1
            if not _reply(ch, reply, s):
                drop(ch)


def _answer(ch, fw, channels):
    """(reply, socket to pass or None) for the next request on ``ch``;
    (None, None) when the channel has ended.  For a new channel, the
    socket is (helper's end, client's end) and the reply says 'channel'."""
    try:
        req, fd = recv_msg(ch)
    except ValueError as e:
        return {'ok': False, 'error': str(e)}, None
    except OSError:
        return None, None
    if req is None and fd is None:
        return None, None
    if fd is not None:          # nobody sends us descriptors
        os.close(fd)
        return {'ok': False, 'error': 'unexpected descriptor'}, None
    if req.get('op') in ('fw-add', 'fw-del'):
        try:
            return firewall_request(fw, ch, req), None
        except Exception:
            return {'ok': False, 'error': 'request failed'}, None
    try:
        reply, s = handle_request(req)
        if reply['ok'] and req.get('op') == 'channel':
            if channels >= MAX_CHANNELS:
                return {'ok': False, 'error': 'too many channels'}, None
            pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            return dict(reply, channel=True), pair
    except OSError as e:
        return {'ok': False, 'error': e.strerror or str(e)}, None
    except Exception:           # never let a request end the helper
        return {'ok': False, 'error': 'request failed'}, None
    return reply, s


def _reply(ch, reply, s=None):
    """Send the reply without waiting; False when the channel is gone or
    does not read (its buffer is full)."""
    try:
        send_msg(ch, reply, s.fileno() if s is not None else None,
                 socket.MSG_DONTWAIT)
        return True
    except OSError:
        return False
    finally:
        if s is not None:
            s.close()


def run(child_main, user='nobody', keep_fds=(), firewall=None, spare=0):
    """Fork the unprivileged side, which calls ``child_main(channel,
    signal_fd, spares)`` and exits with its return value; serve its
    requests; return its exit status.  Must be called as root.

    ``spares`` are ``spare`` more channels, made before the fork, for the
    child to hand to the processes it forks first (its workers) without
    asking for each: their start does not wait for the helper.

    ``firewall`` is (table, max live rules) from -F, or None: with it the
    helper answers firewall requests, after removing what a helper that
    died left in that table.

    The helper may not signal the unprivileged side (it has no CAP_KILL):
    a SIGTERM or SIGHUP it receives is passed on as one byte, the signal
    number, on the pipe whose read end is ``signal_fd``."""
    if os.geteuid() != 0:
        raise PrivError('scamper must be started as root: it needs raw '
                        'sockets, and drops root in every process but a '
                        'small helper')
    pwd.getpwnam(user)                 # fail early on an unknown user
    fw = None
    if firewall is not None:
        # only -F loads the firewall's module (and its netlink library)
        from scamper_priv.firewall import Firewall, FirewallError
        try:
            fw = Firewall(*firewall)
            fw.clean_stale()
            fw.forget()        # no netlink socket may reach the child
        except FirewallError as e:
            raise PrivError('-F: %s' % e) from None
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
             for _ in range(1 + spare)]
    mine = [m for m, _ in pairs]
    theirs = [t for _, t in pairs]
    sig_r, sig_w = os.pipe()
    # no collection in the child looks at what is here (it would write in
    # every object's header, and so copy the pages both processes share)
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        rc = 1
        try:
            for m in mine:
                m.close()
            os.close(sig_w)
            drop_to_user(user)
            rc = child_main(theirs[0], sig_r, theirs[1:])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException as e:     # report and exit, never return
            try:
                sys.stderr.write('scamper: %s: %s\n' % (type(e).__name__, e))
            except Exception:
                pass
        finally:
            try:
                sys.stdout.flush()
            except Exception:
                pass
            os._exit(rc or 0)
    for t in theirs:
        t.close()
    os.close(sig_r)
    os.set_blocking(sig_w, False)
    for fd in keep_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    # Ctrl-C reaches the whole process group: the supervisor handles it.
    # SIGTERM sent to the helper is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda s, f: _pass_on(sig_w, s))
    signal.signal(signal.SIGHUP, lambda s, f: _pass_on(sig_w, s))
    drop_helper(user)
    serve(*mine, fw=fw)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    return os.waitstatus_to_exitcode(status) & 0xff \
        if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def _pass_on(fd, sig):
    try:
        os.write(fd, bytes([sig]))
    except OSError:
        pass
