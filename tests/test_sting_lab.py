"""sting in the lab against dst's TCP stack (a web server on 80), with
loss induced on r1 by nftables: every Nth one-byte data packet towards dst
dropped (forward loss: holes), or every Nth pure ACK back (reverse loss:
fewer data ACKs).  Our scamper runs with -F nft; the ruleset of src is
empty after each run; Debian's sc_wartsdump reads our warts.  (Debian's
scamper 20211212 cannot run sting on Linux: no firewall support.)"""

from scamperd.sting.result import (PKT_FLAG_DATA, PKT_FLAG_HOLE,
                                   RESULT_COMPLETED, Sting)
from test_tbit_lab import measure, nft_drop, web  # noqa: F401 (fixture)


def r1_drops(lab, rule):
    return nft_drop(lab, 'r1', 'forward', rule)


def sting(lab, command):
    st, st.debian_text = measure(
        lab, ['-I', '%s %s' % (command, lab.target4)], Sting,
        'sc_warts2text')
    return st


CMD = 'sting -c 20 -m 20 -i 500'


def test_no_loss(web):
    st = sting(web, CMD)
    assert st.result == RESULT_COMPLETED
    assert (st.dataackc, st.holec) == (20, 0)
    assert 'data-ack count 20, holec 0' in st.debian_text


def test_forward_loss(web):
    # IPv4 length 41: the one-byte data packets (the first hole-filling
    # packet carries three bytes)
    with r1_drops(web, 'ip daddr %s ip length 41 numgen inc mod 5 == 4'
                  % web.target4):
        st = sting(web, CMD)
    assert st.result == RESULT_COMPLETED
    assert (st.dataackc, st.holec) == (16, 4)
    data = [p for p in st.pkts if p.flags & PKT_FLAG_DATA]
    assert len([p for p in data if p.flags & PKT_FLAG_HOLE]) == 4
    assert 'data-ack count 16, holec 4' in st.debian_text


def test_reverse_loss(web):
    # pure ACKs from dst back to src
    with r1_drops(web, 'ip saddr %s ip length 40 tcp flags == ack '
                  'numgen inc mod 4 == 3' % web.target4):
        st = sting(web, CMD)
    assert st.result == RESULT_COMPLETED
    assert st.holec == 0 and st.dataackc == 15
