"""sniff's state machine against traffic played on the simulated network:
the packets Debian's scamper captured in the lab (tests/data/sniff) among
others it must leave."""

import pathlib

from scamperd.probe import Reply
from scamperd.sniff import result as R
from scamperd.sniff.cmd import parse
from scamperd.sniff.method import SniffMethod, wanted
from scamperd.sniff.result import Sniff
from scamperd.warts import ScamperFile
from simnet import A, Network, drive

DATA = pathlib.Path(__file__).parent / 'data' / 'sniff'
ETH = bytes(12)


def golden(name):
    with ScamperFile(str(DATA / ('%s.warts' % name))) as f:
        (sn,) = [o for o in f if isinstance(o, Sniff)]
    return sn


def frame(pkt, v=4, link=1):
    if link != 1:
        return Reply(frame=pkt, link=link)
    return Reply(frame=ETH + (b'\x08\x00' if v == 4 else b'\x86\xdd') + pkt,
                 link=1)


def method(line):
    return SniffMethod(parse(line.split()), 3)


def others(pkt, v):
    """Packets like ``pkt`` that the sniff must leave: another ICMP id,
    another destination, an echo request, not ICMP, cut short."""
    p = bytearray(pkt)
    hl = 20 if v == 4 else 40
    out = []
    q = bytearray(p)
    q[hl + 4] ^= 0xff                      # (for errors: the type's bytes)
    if q[hl] in (0, 129):
        out.append(q)
    q = bytearray(p)
    dst = slice(16, 20) if v == 4 else slice(24, 40)
    q[dst] = bytes(len(q[dst]))
    out.append(q)
    q = bytearray(p)
    q[hl] = 8 if v == 4 else 128           # an echo request, or no error
    out.append(q)
    q = bytearray(p)
    q[9 if v == 4 else 6] = 17             # UDP
    out.append(q)
    out.append(p[:hl + 4])
    return [bytes(x) for x in out]


def play(line, sn, v, noise=True, start=1000.0):
    """The golden's packets (and noise before each) at their offsets."""
    traffic = []
    for p in sn.pkts:
        t = start + (p.tv - sn.start)
        if noise:
            for o in others(p.data, v):
                traffic.append((t - 0.0001, frame(o, v)))
        traffic.append((t, frame(p.data, v)))
    m = method(line)
    assert m.tap == 3 and not m.ready()
    return drive(m, Network(), start=start, inject=traffic)


def same(mine, theirs, start=1000.0):
    assert [p.data for p in mine.pkts] == [p.data for p in theirs.pkts]
    assert [round(p.tv - start, 6) for p in mine.pkts] == \
        [round(p.tv - theirs.start, 6) for p in theirs.pkts]


def test_v4_as_scamper():
    theirs = golden('v4')
    mine = play('-c 4 -G 5 -U 3 -S 192.0.2.1 icmp[icmpid] == 4660',
                theirs, 4)
    same(mine, theirs)
    assert mine.stop_reason == R.STOP_LIMIT_PKTC == theirs.stop_reason
    assert mine.finish == mine.pkts[-1].tv
    assert (mine.userid, mine.limit_pktc, mine.limit_time, mine.icmpid) == (
        3, 4, 5, 4660)


def test_v6_as_scamper():
    theirs = golden('v6')
    mine = play('-c 4 -G 5 -S 2001:db8:1::1 icmp[icmpid] == 4660', theirs, 6)
    same(mine, theirs)
    assert mine.stop_reason == R.STOP_LIMIT_PKTC


def test_time_limit():
    theirs = golden('v4')
    mine = play('-c 10 -G 5 -S 192.0.2.1 icmp[icmpid] == 4660', theirs, 4)
    assert len(mine.pkts) == 4
    assert mine.stop_reason == R.STOP_LIMIT_TIME
    assert mine.finish == 1005.0
    nothing = play('-G 1 -S 192.0.2.1 icmp[icmpid] == 4661', theirs, 4)
    assert nothing.pkts == [] and nothing.finish == 1001.0
    assert nothing.stop_reason == R.STOP_LIMIT_TIME
    zero = play('-G 0 -S 192.0.2.1 icmp[icmpid] == 4660', theirs, 4)
    assert zero.pkts == [] and zero.finish == 1000.0


def test_link_types_and_vlans():
    pkt = golden('v4').pkts[0].data
    m = method('-c 3 -S 192.0.2.1 icmp[icmpid] == 4660')
    m.start(0.0)
    m.receive(Reply(frame=pkt, link=0xfffe, rx=0.1), 0.1)      # bare IP
    m.receive(Reply(frame=ETH + b'\x81\x00\x00\x05\x08\x00' + pkt, link=1,
                    rx=0.2), 0.2)                             # 802.1Q
    m.receive(Reply(frame=ETH + b'\x08\x06' + pkt, link=1, rx=0.3), 0.3)
    m.receive(Reply(frame=ETH + b'\x08\x00' + pkt + bytes(6), link=1,
                    rx=0.4), 0.4)                             # padded
    assert [p.tv for p in m.result.pkts] == [0.1, 0.2, 0.4]
    assert all(p.data == pkt for p in m.result.pkts)
    assert m.done and m.result.stop_reason == R.STOP_LIMIT_PKTC


def test_no_interface_and_halt():
    m = SniffMethod(parse('-S 192.0.2.1 icmp[icmpid] == 1'.split()), 0)
    m.start(7.0)
    assert m.done and m.result.stop_reason == R.STOP_ERROR
    assert m.result.start == m.result.finish == 7.0
    m = method('-S 192.0.2.1 icmp[icmpid] == 1')
    m.start(7.0)
    m.halt(8.0)
    assert m.done and m.result.stop_reason == R.STOP_HALTED
    assert m.result.finish == 8.0


def test_wanted():
    v4 = golden('v4').pkts
    src = A('192.0.2.1')
    assert all(wanted(4, p.data, src, 4660) for p in v4)
    assert not any(wanted(4, p.data, src, 4661) for p in v4)
    assert not any(wanted(4, p.data, A('192.0.2.2'), 4660) for p in v4)
    # a fragment is not read
    frag = bytearray(v4[0].data)
    frag[6] |= 0x20
    assert not wanted(4, bytes(frag), src, 4660)
