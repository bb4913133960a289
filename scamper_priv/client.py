"""The unprivileged side of a channel to the helper."""

import socket

from scamper_priv.protocol import SOCKET_KINDS, recv_msg, send_msg


class PrivClient:
    def __init__(self, channel):
        self.channel = channel

    def _call(self, req):
        return self._call_reply(req)[1]

    def _call_reply(self, req):
        send_msg(self.channel, req)
        reply, fd = recv_msg(self.channel)
        if reply is None:
            raise OSError('privileged helper went away')
        if not reply.get('ok'):
            if fd is not None:
                socket.socket(fileno=fd).close()
            raise OSError(reply.get('error', 'request refused'))
        return reply, fd

    def open_socket(self, kind):
        family, stype, proto = SOCKET_KINDS[kind]
        fd = self._call({'op': 'socket', 'kind': kind})
        return socket.socket(family, stype, proto, fileno=fd)

    def open_datalink(self, ifname):
        fd = self._call({'op': 'datalink', 'ifname': ifname})
        return socket.socket(fileno=fd)

    def new_channel(self):
        fd = self._call({'op': 'channel'})
        return socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET,
                             fileno=fd)

    def firewall_add(self, src, sport, dst, dport, proto='tcp'):
        """Ask the helper to drop the kernel's RSTs for this 5-tuple
        (packed addresses); returns the rule's handle, or raises OSError
        with the helper's reason."""
        reply, _ = self._call_reply({'op': 'fw-add', 'proto': proto,
                                     'src': bytes(src), 'sport': sport,
                                     'dst': bytes(dst), 'dport': dport})
        return reply['handle']

    def firewall_del(self, handle):
        self._call_reply({'op': 'fw-del', 'handle': handle})

    def close(self):
        self.channel.close()
