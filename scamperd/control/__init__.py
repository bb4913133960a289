"""scamper's control socket: interactive commands and attach mode.

protocol.py, uuencode.py, interactive.py and attach.py do no I/O;
server.py owns the sockets and runs inside the supervisor's loop."""
