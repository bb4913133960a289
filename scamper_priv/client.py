"""The unprivileged side of a channel to the helper."""

import socket

from scamper_priv.protocol import SOCKET_KINDS, recv_msg, send_msg


class PrivClient:
    def __init__(self, channel):
        self.channel = channel

    def _call(self, req):
        send_msg(self.channel, req)
        reply, fd = recv_msg(self.channel)
        if reply is None:
            raise OSError('privileged helper went away')
        if not reply.get('ok'):
            if fd is not None:
                socket.socket(fileno=fd).close()
            raise OSError(reply.get('error', 'request refused'))
        return fd

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

    def close(self):
        self.channel.close()
