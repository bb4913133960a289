"""sc_warts2text's output for a sting (scamper/sting/scamper_sting_text.c)."""

from scamperd.neighbourdisc.dump import addr_str
from scamperd.sting.result import PKT_FLAG_DATA, PKT_FLAG_HOLE


def format(st):
    s = ('sting from %s:%d to %s:%d, %d probes, %dms mean\n'
         ' data-ack count %d, holec %d\n'
         % (addr_str(st.src), st.sport, addr_str(st.dst), st.dport,
            st.count, st.mean, st.dataackc, st.holec))
    if st.holec:
        txc = 0
        for p in st.pkts:
            if not p.flags & PKT_FLAG_DATA:
                continue
            txc += 1
            if p.flags & PKT_FLAG_HOLE:
                s += '  probe %d hole\n' % txc
    return s
