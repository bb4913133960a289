"""sting as a method: a port of scamper 20211212's
scamper/sting/scamper_sting_do.c, sans I/O.

sting (Savage, 1999) measures one-way loss with TCP: after the handshake
it leaves a hole of -H bytes at the start of the sequence space and sends
-c one-byte data packets -m ms apart (the data-seeding phase): each draws
a duplicate ACK, and the ACKs it gets count the packets that reached the
server and whose ACK came back (``dataackc``).  After -i ms it fills the
hole (the hole-filling phase): each ACK names the first byte the server
still misses, a data packet lost on the way there, which is sent again
and marked a hole (``holec``), until everything is acknowledged.  Then a
RST ends the connection.

As tbit, it declares a ``firewall`` rule and a ``tap`` (see
scamperd/tbit/flow.py); without -F it ends at once (scamper ends it
with result none when it gets no firewall entry).

scamper's quirks kept: the ACK that completes the handshake is recorded
with the data flag and takes the first slot of the probe table, so a
hole is marked on the packet sent before the lost one; the -f
distribution is recorded, and the probes are sent -m ms apart whatever
it is.
"""

import os
import random

from scamperd.sting import result as R
from scamperd.tbit import wire
from scamperd.tbit.flow import FlowMethod
from scamperd.tbit.wire import TH_ACK, TH_PUSH, TH_RST, TH_SYN

SYN, ACK, DATA, INTER, HOLE, RST = 'syn', 'ack', 'data', 'inter', 'hole', \
    'rst'


class StingMethod(FlowMethod):
    def __init__(self, cmd, ctx, rand=None):
        rnd = rand or random.Random(os.urandom(8))
        super().__init__(cmd.result, cmd, ctx)
        self.mode = SYN
        self.isn = rnd.randrange(65536)
        self.ack = 0
        self.off = 0
        self.attempt = 0
        self.probes = []           # StingPkt of the data phase
        self.syn_tx = None         # (StingPkt, Probe) of the first SYN

    def start(self, now):
        self.result.start = now
        if self.firewall_error is not None:
            self._done()

    def send_error(self, probe, err, now):
        self._done()

    def halt(self, now):
        self._done()

    def _done(self):
        self._stamp()
        self._q = 'done'
        self.done = True

    def handle_timer(self, now):
        self._stamp()
        st = self.result
        if self.mode == SYN:
            if self.attempt == st.synretx:
                self._done()
                return
        elif self.mode == INTER:
            self.attempt = 0
            self.off = 0
            self.mode = HOLE
        elif self.mode == HOLE:
            if self.attempt == st.dataretx:
                self.mode = RST
        elif self.mode == RST:
            self._done()
            return
        self._q = 'probe'

    def next_probe(self, now):
        self._stamp()
        st = self.result
        seg = wire.Segment(seq=self.isn, ack=self.ack, win=0)
        mode = self.mode
        if mode == SYN:
            seg.ack, seg.flags = 0, TH_SYN
            wait = 5.0
        elif mode == ACK:
            seg.flags = TH_ACK
            wait = 0.05
            self.mode = DATA
        elif mode == DATA:
            seg.seq = self.isn + self.off
            seg.flags = TH_PUSH | TH_ACK
            seg.data = st.data[self.off:self.off + 1] or b'\0'
            self.off += 1
            wait = st.mean / 1000.0
        elif mode == HOLE:
            seg.seq = self.isn + self.off
            seg.flags = TH_PUSH | TH_ACK
            n = 3 if self.off == 0 else 1
            seg.data = (st.data[self.off:self.off + n] + bytes(n))[:n]
            wait = 2.0
        else:
            seg.seq = self.isn + self.off
            seg.flags = TH_RST
            wait = 1.0
        data = wire.build(st.src, st.dst, st.sport, st.dport, seg, ttl=255,
                          df=False)
        rec = R.StingPkt(tv=now, flags=R.PKT_FLAG_TX, data=data)
        st.pkts.append(rec)
        probe = self._probe(data, rec)
        if mode == SYN and self.attempt == 0:
            self.syn_tx = (rec, probe)
        if self.mode == DATA:
            rec.flags |= R.PKT_FLAG_DATA
            self.probes.append(rec)
            if len(self.probes) == st.count + 1:
                wait = st.inter / 1000.0
                self.mode = INTER
        self._q = 'wait'
        self._deadline = now + wait
        self.attempt += 1
        return probe

    def receive(self, reply, now):
        self._stamp()
        p = self._packet(reply)
        if p is None or not self._ours(p):
            return
        st = self.result
        st.pkts.append(R.StingPkt(tv=reply.rx, flags=R.PKT_FLAG_RX,
                                  data=p.raw))
        if p.flags & TH_RST:
            self._done()
            return
        if self.mode == SYN:
            self._syn(p, reply.rx)
        elif self.mode in (DATA, INTER):
            if p.ack != (self.isn & 0xffffffff):
                self._done()
                return
            st.dataackc += 1
        elif self.mode == HOLE:
            self._hole(p)

    def _syn(self, p, rx):
        st = self.result
        if p.flags & (TH_SYN | TH_ACK) != TH_SYN | TH_ACK:
            self._done()
            return
        self.isn += 1
        if p.ack != self.isn & 0xffffffff:
            self._done()
            return
        if self.attempt == 1 and self.syn_tx is not None:
            rec, probe = self.syn_tx
            st.hsrtt = rx - (probe.tx or rec.tv)
        self.ack = (p.seq + 1) & 0xffffffff
        self.mode = ACK
        self.off = st.seqskip
        self._q = 'probe'

    def _hole(self, p):
        st = self.result
        if seq_leq(p.ack, self.isn):
            self.mode = RST
            self._q = 'probe'
            return
        if (self.isn + st.seqskip + st.count) & 0xffffffff == p.ack:
            self.off = st.seqskip + st.count - 1
            self.mode = RST
            st.result = R.RESULT_COMPLETED
            self._q = 'probe'
            return
        self.off = (p.ack - self.isn) & 0xffffffff
        u = (self.off - st.seqskip) & 0xffff
        if u >= len(self.probes):
            self.mode = RST
            self._q = 'probe'
            return
        self.probes[u].flags |= R.PKT_FLAG_HOLE
        st.holec += 1
        self.attempt = 0
        self._q = 'probe'


def seq_leq(a, b):
    """a <= b in sequence space (scamper compares plainly; our isn is
    below 65537, so the two agree)."""
    return ((b - a) & 0xffffffff) < 0x80000000
