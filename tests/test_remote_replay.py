"""Our scamper -R against scamper 20260420's sc_remoted, replayed: CI
cannot build scamper 2026, so tests/data/remote/record.py recorded the
controller driving scamper 2026's own vantage point for ScamperCtrl
(mux=...) (ping and trace, then done), and here the controller's side of
that recording is played to our vantage point in the lab.  Each recorded
message goes once the vantage point has sent as many results as scamper's
had before it; every numbered message of ours is acknowledged as
sc_remoted does.  Our answers must be what scamper 2026's were: the same
replies to each command, results for the same ids, the cycle-stop and the
channel's end, numbered in order."""

import json
import os
import re
import subprocess
import sys

from ours import popen_ours, stop_daemon, wait_listening
from scamperd.control import uuencode
from scamperd.warts.file import read_objects

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDING = os.path.join(HERE, 'data', 'remote', 'scamper-20260420-mux.jsonl')
PORT = 50450

# the controller: replays the recording's controller messages (acks
# aside) and acknowledges ours; prints what we sent, one JSON per line
REPLAY = r'''
import json, re, socket, struct, sys
listen, port, recording = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rec = [json.loads(l) for l in open(recording)]
RESULT = re.compile(rb'(?:^|\n)DATA \d+ id-\d+\n')
script, results = [], 0
for r in rec:
    pl = bytes.fromhex(r['hex'])
    if r['from'] == 'vp':
        results += len(RESULT.findall(pl)) if r['ch'] else 0
    elif r['ch'] != 0 or pl[0] != 5:          # not an ack
        script.append((results, r['seq'], r['ch'], pl))
ls = socket.create_server((listen, port))
ls.settimeout(30)
c, _ = ls.accept()
c.settimeout(30)
buf, seen, rcv_nxt, snd_nxt = b'', 0, 0, 0
def out(**kw):
    print(json.dumps(kw), flush=True)
def frames():
    global buf
    while True:
        while len(buf) >= 10:
            seq, ch, n = struct.unpack_from('!IIH', buf)
            if len(buf) < 10 + n:
                break
            pl, buf = buf[10:10 + n], buf[10 + n:]
            yield seq, ch, pl
        d = c.recv(65536)
        if not d:
            return
        buf += d
got = frames()
seq, ch, pl = next(got)
out(seq=seq, ch=ch, hex=pl.hex())                   # MASTER_NEW
fin = False
while script or not fin:
    while script and script[0][0] <= seen:
        _, s, ch, pl = script.pop(0)
        c.sendall(struct.pack('!IIH', s, ch, len(pl)) + pl)
        if ch or pl[0] in (2, 3):                   # numbered
            snd_nxt = s + 1
    try:
        seq, ch, pl = next(got)
    except StopIteration:
        break
    out(seq=seq, ch=ch, hex=pl.hex())
    if ch == 0 and pl[0] == 5:
        continue
    if seq != rcv_nxt:
        out(error='sequence %d, expected %d' % (seq, rcv_nxt))
    rcv_nxt = seq + 1
    c.sendall(struct.pack('!IIHBI', snd_nxt, 0, 5, 5, seq))   # its ack
    if ch != 0:
        seen += len(RESULT.findall(pl))
    fin = fin or (ch == 0 and pl[0] == 3)
out(end=True)
'''


def _lines(messages):
    """The channel's lines, DATA blocks as ('DATA', id or None, bytes)."""
    text = b''.join(bytes.fromhex(m['hex']) for m in messages
                    if m.get('ch'))
    out, lines = [], text.split(b'\n')
    i = 0
    while i < len(lines) - 1:
        line = lines[i].decode()
        i += 1
        m = re.fullmatch(r'DATA (\d+)(?: id-(\d+))?', line)
        if not m:
            out.append(line)
            continue
        block = b''
        while len(block) < int(m.group(1)):
            block += lines[i] + b'\n'
            i += 1
        out.append(('DATA', m.group(2), uuencode.decode(block)))
    return out


def _objects(data):
    import io
    return [o for _, _, o in read_objects(io.BytesIO(data))]


def test_replayed_sc_remoted_2026_session(lab_line):
    ctl = subprocess.Popen(
        ['ip', 'netns', 'exec', lab_line.ns('dst'), sys.executable, '-c',
         REPLAY, '198.51.100.2', str(PORT), RECORDING],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_listening(lab_line, 'dst', PORT, ctl)
    vp = popen_ours(lab_line, '-M', 'vp-src', '-R', '198.51.100.2:%d' % PORT,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        out, err = ctl.communicate(timeout=60)
    finally:
        stop_daemon(vp)
    ours = [json.loads(line) for line in out.splitlines()]
    assert ours[-1] == {'end': True}, err
    assert not [m for m in ours if 'error' in m], ours
    ours = ours[:-1]
    with open(RECORDING) as f:
        theirs = [r for r in map(json.loads, f) if r['from'] == 'vp']

    # introduced alike: MASTER_NEW, magic of 8 bytes, the monitor name
    for first in (ours[0], theirs[0]):
        pl = bytes.fromhex(first['hex'])
        assert (first['seq'], first['ch'], pl[:2], pl[10:]) == (
            0, 0, b'\0\x08', b'\x07vp-src\0')
    # the controller's numbered messages acknowledged, in order, once
    acks = [int(m['hex'][2:], 16) for m in ours
            if m['ch'] == 0 and m['hex'][:2] == '05']
    assert acks == [0, 1, 2, 3]
    # the channel ends with its FIN, our last numbered message
    fins = [m for m in ours if m['ch'] == 0 and m['hex'][:2] == '03']
    assert fins == [ours[-1]] and fins[0]['hex'] == '0300000001'

    mine, scamper = _lines(ours), _lines(theirs)

    def replies(lines):
        """What answers the commands: OK id-N, results by id, the OK to
        done and the data after it (the list and cycle-start, and MORE,
        come where each implementation's loop puts them)."""
        return [x if isinstance(x, str) else ('DATA', x[1]) for x in lines
                if x != 'MORE' and not (isinstance(x, tuple)
                                        and x[1] is None)]
    assert sorted(replies(mine), key=str) == sorted(replies(scamper),
                                                     key=str)
    assert replies(mine)[-1] == 'OK'

    # one warts object in each DATA block, read as one stream
    blocks = [x for x in mine if isinstance(x, tuple)]
    objs = _objects(b''.join(x[2] for x in blocks))
    got = [(x[1], type(o).__name__) for x, o in zip(blocks, objs)]
    assert got[:2] == [(None, 'ScamperList'), (None, 'Cycle')]
    assert sorted(got[2:-1]) == [('1', 'Ping'), ('2', 'Trace')]
    assert got[-1] == (None, 'CycleStop')
