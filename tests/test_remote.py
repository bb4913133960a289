"""The remote (-R) protocol of scamperd/control/remote.py, against a
controller scripted as sc_remoted.c behaves: framing, numbering and
acknowledgement, resume after a broken connection, rejection."""

import struct

import pytest

from scamperd.control.remote import (ACK, CHANNEL_FIN, CHANNEL_NEW,
                                     KEEPALIVE, MASTER_ID, MASTER_NEW,
                                     MASTER_OK, MASTER_REJ, MASTER_RES,
                                     MAX_MSG, Link, ProtocolError)

MAGIC = bytes(range(1, 9))


def msg(seq, channel, payload):
    return struct.pack('!IIH', seq, channel, len(payload)) + payload


def ctl(seq, kind, body=b''):
    return msg(seq, 0, bytes((kind,)) + body)


def u32(n):
    return struct.pack('!I', n)


def frames(data):
    """(seq, channel, payload) of what the link wrote."""
    out, data = [], bytes(data)
    while data:
        seq, ch, n = struct.unpack_from('!IIH', data)
        out.append((seq, ch, data[10:10 + n]))
        data = data[10 + n:]
    return out


def take(link):
    got = frames(link.out)
    link.out.clear()
    return got


def known(monitor='vp1'):
    """A link the controller has named vp1-192.0.2.1:1234."""
    link = Link(monitor, magic=MAGIC)
    link.start()
    assert take(link) == [(0, 0, bytes((MASTER_NEW, 8)) + MAGIC + b'\x04vp1\0')]
    name = b'vp1-192.0.2.1:1234\0'
    ev = link.receive(ctl(0, MASTER_ID, bytes((len(name),)) + name))
    assert ev == [('id', 'vp1-192.0.2.1:1234')]
    return link


def test_without_a_monitor_name_the_name_length_is_zero():
    link = Link(None, magic=MAGIC)
    link.start()
    assert take(link) == [(0, 0, bytes((MASTER_NEW, 8)) + MAGIC + b'\0')]


def test_channels_data_and_acks_in_order():
    link = known()
    # a client connects there, sends a command split over two messages
    ev = link.receive(ctl(0, CHANNEL_NEW, u32(7)) + msg(1, 7, b'ping 192.0')
                      + msg(2, 7, b'.2.1\n')[:12])
    assert ev == [('new', 7), ('data', 7, b'ping 192.0')]
    assert link.receive(msg(2, 7, b'.2.1\n')[12:]) == [('data', 7, b'.2.1\n')]
    link.receive(b'')
    # every numbered message acknowledged, with our next number (unused)
    assert take(link) == [(0, 0, bytes((ACK,)) + u32(n)) for n in (0, 1, 2)]
    link.send(7, b'OK id-1\n')
    link.send(7, b'MORE\n')
    assert take(link) == [(0, 7, b'OK id-1\n'), (1, 7, b'MORE\n')]
    assert link.unacked_bytes == 13
    link.receive(ctl(3, ACK, u32(0)) + ctl(3, ACK, u32(1)) + ctl(3, KEEPALIVE))
    assert link.unacked_bytes == 0 and not link.unacked
    # the client is done: its FIN, acknowledged; ours numbered
    assert link.receive(ctl(3, CHANNEL_FIN, u32(7))) == [('fin', 7)]
    link.fin(7)
    assert take(link) == [(2, 0, bytes((ACK,)) + u32(3)),
                          (2, 0, bytes((CHANNEL_FIN,)) + u32(7))]


def test_large_data_goes_in_messages_of_at_most_64k():
    link = known()
    link.receive(ctl(0, CHANNEL_NEW, u32(1)))
    take(link)
    link.send(1, b'x' * (MAX_MSG * 2 + 5))
    assert [(s, len(p)) for s, _, p in take(link)] == [
        (0, MAX_MSG), (1, MAX_MSG), (2, 5)]


def test_keepalive_only_once_known():
    link = Link('vp1', magic=MAGIC)
    link.keepalive()
    assert not link.out
    link = known()
    link.send(1, b'abc')
    take(link)
    link.keepalive()
    assert take(link) == [(1, 0, bytes((KEEPALIVE,)))]


def test_resume_sends_again_what_was_not_acknowledged():
    """The connection broke with two messages unacknowledged; the
    controller had received the first: only the second goes again, with
    its number, and new data follows it."""
    link = known()
    link.receive(ctl(0, CHANNEL_NEW, u32(3)) + msg(1, 3, b'ping x\n'))
    link.send(3, b'OK id-1\n')
    link.send(3, b'DATA 10\n')
    link.send(3, b'MORE\n')
    link.receive(ctl(2, ACK, u32(0)))
    # broken; while away, more to say (kept, not written)
    link.start()
    assert frames(link.out) == [(0, 0, struct.pack(
        '!BB8sIII', MASTER_RES, 8, MAGIC, 2, 1, 3))]
    link.out.clear()
    link.send(3, b'late\n')
    assert not link.out
    ev = link.receive(ctl(0, MASTER_OK, u32(2)))
    assert ev == [('resumed', 2)]
    assert take(link) == [(2, 3, b'MORE\n'), (3, 3, b'late\n')]
    # numbering goes on from where it was, both ways
    assert link.receive(msg(2, 3, b'done\n')) == [('data', 3, b'done\n')]
    assert take(link) == [(4, 0, bytes((ACK,)) + u32(2))]


def test_rejected_resume_then_introduced_anew():
    link = known()
    link.send(1, b'x')
    link.start()
    take(link)
    assert link.receive(ctl(0, MASTER_REJ)) == [('rejected',)]
    link.reset()
    link.start()
    assert take(link)[0][2][0] == MASTER_NEW
    assert link.snd_nxt == 0 and not link.unacked


@pytest.mark.parametrize('data,why', [
    (ctl(5, MASTER_ID, b'\x02a\0'), 'sequence 5 before'),
    (ctl(0, CHANNEL_NEW, u32(1)), 'control type 2 before'),
    (msg(0, 4, b'ping\n'), 'channel 4 data before'),
    (ctl(0, MASTER_ID, b'\x03a\0'), 'malformed master id'),
    (ctl(0, MASTER_ID, b'\x03a\x01\0'), 'not printable'),
    (ctl(0, MASTER_ID, b''), 'malformed master id'),
    (msg(0, 0, b''), 'empty control message'),
])
def test_a_controller_breaking_the_protocol_before_we_are_known(data, why):
    link = Link('vp1', magic=MAGIC)
    link.start()
    with pytest.raises(ProtocolError) as e:
        link.receive(data)
    assert why in str(e.value)


@pytest.mark.parametrize('data,why', [
    (msg(1, 4, b'ping\n'), 'got sequence 1, expected 0'),
    (ctl(0, ACK, u32(0)), 'ack of 0, expected none'),
    (ctl(0, CHANNEL_NEW, b'\0\0\1'), 'channel message of 3 bytes'),
    (ctl(0, KEEPALIVE, b'x'), 'control type 4 of 1 bytes'),
    (ctl(0, 99), 'control type 99'),
])
def test_a_controller_breaking_the_protocol_once_known(data, why):
    link = known()
    with pytest.raises(ProtocolError) as e:
        link.receive(data)
    assert why in str(e.value)


def test_sequence_numbers_wrap():
    link = known()
    link.snd_nxt = 0xffffffff
    link.send(1, b'a')
    link.send(1, b'b')
    assert [s for s, _, _ in take(link)] == [0xffffffff, 0]
    link.start()
    take(link)
    assert link.receive(ctl(0, MASTER_OK, u32(0))) == [('resumed', 1)]
    assert take(link) == [(0, 1, b'b')]


def test_random_input_gives_events_or_a_protocol_error():
    """Whatever a controller sends: events, or ProtocolError (the
    connection is dropped), never another exception."""
    import random
    rnd = random.Random(7)
    kinds = [MASTER_ID, MASTER_OK, MASTER_REJ, CHANNEL_NEW, CHANNEL_FIN,
             KEEPALIVE, ACK, 99]
    for _ in range(3000):
        link = known() if rnd.random() < 0.7 else Link('vp', magic=MAGIC)
        link.send(1, b'x')
        data = b''
        for _ in range(rnd.randrange(1, 6)):
            if rnd.random() < 0.5:
                body = bytes(rnd.randrange(256)
                             for _ in range(rnd.randrange(6)))
                data += ctl(rnd.choice((0, 1, link.rcv_nxt)),
                            rnd.choice(kinds), body)
            else:
                data += msg(rnd.choice((0, link.rcv_nxt)), rnd.randrange(3),
                            bytes(rnd.randrange(256)
                                  for _ in range(rnd.randrange(8))))
        cut = rnd.randrange(len(data) + 1)
        try:
            link.receive(data[:cut])
            link.receive(data[cut:])
        except ProtocolError:
            pass


def test_a_tls_file_that_cannot_be_read_truncates_no_outfile(tmp_path):
    """-R's TLS files were read after -o had been opened: a missing
    cafile truncated the output file before scamper exited 1."""
    import subprocess
    import sys
    out = tmp_path / 'kept.warts'
    out.write_bytes(b'results measured before\n')
    r = subprocess.run(
        [sys.executable, '-m', 'scamper_cli.main', '-O', 'warts', '-o',
         str(out), '-R', 'ctl.example:31337', '-O',
         'cafile=%s' % (tmp_path / 'missing.pem')],
        capture_output=True, text=True, timeout=60, cwd='/')
    assert r.returncode == 1
    assert r.stderr.startswith('scamper: -R: '), r.stderr
    assert out.read_bytes() == b'results measured before\n'
