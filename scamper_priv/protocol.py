"""Messages between the privileged helper and the unprivileged processes.

One request or reply is one datagram on an AF_UNIX SOCK_SEQPACKET socket:
a msgpack map, with at most one descriptor passed alongside (SCM_RIGHTS).

Requests (the complete list; the helper refuses anything else):

  {"op": "socket", "kind": K}       K in SOCKET_KINDS; reply carries the fd
  {"op": "datalink", "ifname": N}   AF_PACKET socket bound to interface N
  {"op": "channel"}                 a new channel to the helper (for a new
                                    worker); reply carries its fd
  {"op": "fw-add", "proto": "tcp",  drop the kernel's outgoing TCP RSTs for
   "src": A, "sport": P,            this one 5-tuple (A: packed address of
   "dst": B, "dport": Q}            this host, B: same family, ports 1 to
                                    65535); reply {"ok": true, "handle": H}
                                    (scamper_priv/firewall.py; needs -F)
  {"op": "fw-del", "handle": H}     remove a rule this channel added; the
                                    rules of a channel go when it closes

Replies: {"ok": true} with the descriptor, or {"ok": false, "error": text}.
"""

import array
import socket

import msgpack

MAX_MSG = 4096

# kind -> (family, type, protocol)
SOCKET_KINDS = {
    'icmp4': (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
    'icmp6': (socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),
    'raw4': (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW),
    'raw6': (socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW),
    'tcp4': (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP),
    'tcp6': (socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP),
    'udp4': (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP),
    'udp6': (socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP),
}


def send_msg(sock, obj, fd=None, flags=0):
    data = msgpack.packb(obj, use_bin_type=True)
    if len(data) > MAX_MSG:
        raise ValueError('message too long')
    if fd is None:
        sock.sendmsg([data], [], flags)
    else:
        sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               array.array('i', [fd]))], flags)


def recv_msg(sock):
    """Return (obj, fd or None), or (None, None) at end of stream.

    Raises ValueError for a malformed message (not msgpack, not a map,
    too many descriptors); any descriptor that came with it is closed."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MSG, 2)
    if not data and not fds:
        return None, None
    try:
        if len(fds) > 1 or flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            raise ValueError('malformed message')
        obj = msgpack.unpackb(data, raw=False, strict_map_key=True)
        if not isinstance(obj, dict):
            raise ValueError('message is not a map')
    except Exception as e:
        for fd in fds:
            _close(fd)
        if isinstance(e, ValueError):
            raise
        raise ValueError('undecodable message') from None
    return obj, (fds[0] if fds else None)


def _close(fd):
    import os
    try:
        os.close(fd)
    except OSError:
        pass
