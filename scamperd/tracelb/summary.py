"""scamper_tracelb_probeset_summary_alloc: the distinct addresses that
answered a probe set (sorted as scamper sorts addresses), and how many of
its flows got no answer at all."""


def addr_key(a):
    return (len(a), a)


def probeset_summary(probes):
    """(sorted addresses, number of flows without a reply)."""
    addrs, nullc, answered = set(), 0, 0
    flowid = probes[0].flowid if probes else None
    for p in probes:
        if p.flowid != flowid:
            nullc += answered == 0
            flowid, answered = p.flowid, 0
        if p.replies:
            addrs.update(r.addr for r in p.replies)
            answered += 1
    if probes and answered == 0:
        nullc += 1
    return sorted(addrs, key=addr_key), nullc
