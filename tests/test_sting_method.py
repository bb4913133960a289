"""sting as a sans-I/O method (scamperd/sting/method.py) against a
simulated TCP receiver that loses chosen data packets on the way in, and
its command line (scamperd/sting/cmd.py)."""

import pytest

from scamperd.method import CommandError, Context
from scamperd.probe import Reply
from scamperd.sting import cmd as C
from scamperd.sting import result as R
from scamperd.tbit import wire
from simnet import A, drive_flow as drive

SRC, DST = A('192.0.2.1'), A('203.0.113.10')
ETH = b'\x02' * 12 + b'\x08\x00'


class Receiver:
    """A TCP receiver: SYN-ACK to a SYN; to each data byte, an ACK of the
    first byte it misses; it loses the data packets whose index (from 1,
    in the order sent) is in ``lose``, the first time only."""

    def __init__(self, lose=(), rst=False):
        self.lose = set(lose)
        self.n = 0
        self.got = set()
        self.isn = 9000
        self.base = None
        self.rst = rst

    def receive(self, raw, now):
        p = wire.parse(4, raw)
        if p.flags & wire.TH_SYN:
            self.base = p.seq + 1
            self.peer = p.sport
            return [self.pkt(wire.Segment(seq=self.isn, ack=self.base,
                                          flags=wire.TH_SYN | wire.TH_ACK))]
        if p.flags & wire.TH_RST or not p.data:
            return []
        if self.rst:
            return [self.pkt(wire.Segment(seq=self.isn + 1, ack=0,
                                          flags=wire.TH_RST))]
        self.n += 1
        if self.n in self.lose:
            return []
        for i in range(len(p.data)):
            self.got.add(p.seq + i)
        nxt = self.base
        while nxt in self.got:
            nxt += 1
        return [self.pkt(wire.Segment(seq=self.isn + 1, ack=nxt))]

    def pkt(self, seg):
        return Reply(frame=ETH + wire.build(DST, SRC, 80, self.peer, seg),
                     link=1)


def method(line):
    return C.parse(line.split()).create(Context(SRC, 0x8123, ifindex=2))


def test_no_loss():
    st = drive(method('-c 10 203.0.113.10'), Receiver())
    assert st.result == R.RESULT_COMPLETED
    assert st.dataackc == 10 and st.holec == 0
    assert abs(st.hsrtt - 0.01) < 1e-9
    data = [p for p in st.pkts if p.flags & R.PKT_FLAG_DATA]
    assert len(data) == 11                  # the handshake's ACK, 10 bytes
    last = wire.parse(4, st.pkts[-1].data)
    assert last.flags == wire.TH_RST


def test_forward_loss_is_counted_as_holes():
    st = drive(method('-c 10 203.0.113.10'), Receiver(lose={3, 7}))
    assert st.result == R.RESULT_COMPLETED
    assert st.dataackc == 8 and st.holec == 2
    # scamper marks the packet before the lost one (its table starts with
    # the handshake's ACK)
    data = [p for p in st.pkts if p.flags & R.PKT_FLAG_DATA]
    assert [i for i, p in enumerate(data) if p.flags & R.PKT_FLAG_HOLE] \
        == [2, 6]


def test_reset_ends_it():
    st = drive(method('-c 4 203.0.113.10'), Receiver(rst=True))
    assert st.result == R.RESULT_NONE


def test_without_firewall():
    m = method('203.0.113.10')
    m.firewall_error = 'no firewall'
    m.start(1.0)
    assert m.done and m.result.result == R.RESULT_NONE and not m.result.pkts


def test_defaults():
    c = C.parse(['192.0.2.1'])
    st = c.result
    assert (st.count, st.dport, st.mean, st.inter, st.dist, st.seqskip) == \
        (48, 80, 100, 2000, 3, 3)
    assert st.data == C.REQUEST[:51]


@pytest.mark.parametrize('line,msg', [
    ('-c 1 192.0.2.1', 'out of range 2..65535'),
    ('-m 0 192.0.2.1', 'out of range 1..1000'),
    ('-i 10001 192.0.2.1', 'out of range 1..10000'),
    ('-H 0 192.0.2.1', 'out of range 1..255'),
    ('-f 4 192.0.2.1', 'out of range 1..3'),
    ('-h GET 192.0.2.1', 'accepts no request'),
    ('-x 1 192.0.2.1', 'unknown option'),
    ('-c', '-c needs a parameter'),
    ('-c 4', 'no target address'),
    ('bad', "invalid address 'bad'"),
])
def test_cmd_refuses(line, msg):
    with pytest.raises(CommandError) as e:
        C.parse(line.split())
    assert msg in str(e.value)
