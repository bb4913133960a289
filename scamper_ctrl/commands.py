"""The command line each ``do_*`` method sends, from its keyword
arguments (the names of scamper's Python module).  Options are written in
the syntax both scamper 20211212 and our daemon accept (whole seconds for
-w, centiseconds for trace -W, ...); a value that does not fit raises
ValueError here rather than an ERR from the daemon."""

import binascii
import datetime


def _seconds(v):
    if isinstance(v, datetime.timedelta):
        return v.total_seconds()
    return float(v)


def _whole(v, unit, name):
    """``v`` (seconds or timedelta) in whole ``unit``s."""
    n = _seconds(v) / unit
    if n != int(n) or n < 0:
        raise ValueError('%s: %s is not a whole number of %s' % (
            name, v, {1: 'seconds', 0.01: 'centiseconds',
                      0.001: 'milliseconds'}[unit]))
    return int(n)


def _num(v):
    s = '%.6f' % _seconds(v)
    return s.rstrip('0').rstrip('.')


class _Args:
    def __init__(self, *words):
        self.words = list(words)

    def add(self, opt, value=True, fmt=str):
        if value is None or value is False:
            return
        self.words.append(opt if value is True else '%s %s' % (opt,
                                                               fmt(value)))

    def line(self, *tail):
        return ' '.join(self.words + [str(t) for t in tail])


def _waits(a, wait_timeout, wait_probe, probe_unit):
    """-w in seconds, -W in the command's unit (trace, tracelb:
    centiseconds; dealias: milliseconds)."""
    if wait_timeout is not None:
        a.add('-w', _whole(wait_timeout, 1, 'wait_timeout'))
    if wait_probe is not None:
        a.add('-W', _whole(wait_probe, probe_unit, 'wait_probe'))


def _method(method, default=None):
    return method.lower() if method is not None else default


def _ports(m, sport, dport, what='source or destination port'):
    if sport is not None or dport is not None:
        if m is None:
            raise ValueError('specify method when specifying the %s' % what)
        if not m.startswith(('tcp', 'udp')):
            raise ValueError('cannot specify %s with %s' % (what, m))


def trace(dst, confidence=None, dport=None, icmp_id=None, icmp_sum=None,
          firsthop=None, gaplimit=None, loops=None, hoplimit=None,
          pmtud=None, squeries=None, ptr=None, payload=None, method=None,
          attempts=None, all_attempts=None, rtr=None, sport=None, src=None,
          tos=None, wait_timeout=None, wait_probe=None, userid=None):
    """trace: traceroute to dst."""
    m = _method(method)
    _ports(m, sport, dport)
    a = _Args('trace')
    if icmp_sum is not None or icmp_id is not None:
        if m is None:
            m = method = 'icmp-paris'
        elif not m.startswith('icmp'):
            raise ValueError('cannot specify ICMP values with ' + m)
    a.add('-s', sport)
    a.add('-d', dport)
    a.add('-d', icmp_sum)
    a.add('-s', icmp_id)
    a.add('-C', confidence)
    a.add('-f', firsthop)
    a.add('-g', gaplimit)
    a.add('-l', loops)
    a.add('-m', hoplimit)
    a.add('-M', bool(pmtud))
    if squeries is not None:
        raise ValueError('squeries is not supported by scamper 20211212')
    if ptr:
        raise ValueError('ptr is not supported by scamper 20211212')
    if payload is not None:
        a.add('-p', binascii.hexlify(payload).decode())
    a.add('-P', method)
    a.add('-q', attempts)
    a.add('-Q', bool(all_attempts))
    a.add('-r', rtr)
    a.add('-S', src)
    a.add('-t', tos)
    a.add('-U', userid)
    _waits(a, wait_timeout, wait_probe, 0.01)
    return a.line(dst)


def tracelb(dst, confidence=None, dport=None, firsthop=None, gaplimit=None,
            method=None, attempts=None, ptr=None, rtr=None, sport=None,
            tos=None, wait_timeout=None, wait_probe=None, userid=None):
    """tracelb: MDA traceroute to dst."""
    _ports(_method(method), sport, dport)
    if ptr:
        raise ValueError('ptr is not supported by scamper 20211212')
    a = _Args('tracelb')
    a.add('-c', confidence)
    a.add('-d', dport)
    a.add('-f', firsthop)
    a.add('-g', gaplimit)
    a.add('-P', method)
    a.add('-q', attempts)
    a.add('-r', rtr)
    a.add('-s', sport)
    a.add('-t', tos)
    a.add('-U', userid)
    _waits(a, wait_timeout, wait_probe, 0.01)
    return a.line(dst)


def ping(dst, tcp_ack=None, tcp_seq=None, tcp_mss=None, attempts=None,
         icmp_id=None, icmp_seq=None, icmp_sum=None, dport=None, sport=None,
         wait_probe=None, ttl=None, mtu=None, stop_count=None, method=None,
         payload=None, rtr=None, ip_rr=None, ip_ts=None, dltx=None, size=None,
         src=None, wait_timeout=None, tos=None, userid=None):
    """ping: ping dst."""
    if dst is None:
        raise ValueError('dst cannot be none')
    m = _method(method)
    if tcp_ack is not None or tcp_seq is not None or tcp_mss is not None:
        if m is None:
            raise ValueError('specify method when specifying a TCP value')
        if tcp_ack is not None and tcp_seq is not None:
            raise ValueError('can only specify either TCP sequence or '
                             'acknowledgement value')
        if tcp_ack is not None and not m.startswith('tcp-ack'):
            raise ValueError('cannot specify tcp_ack with ' + m)
        if tcp_seq is not None and not m.startswith(('tcp-syn', 'tcp-rst')):
            raise ValueError('cannot specify tcp_seq with ' + m)
        if tcp_mss is not None:
            raise ValueError('tcp_mss is not supported by scamper 20211212')
    if icmp_sum is not None or icmp_id is not None or icmp_seq is not None:
        if m is not None and not m.startswith('icmp'):
            raise ValueError('cannot specify ICMP parameters with ' + m)
    _ports(m, sport, dport)
    a = _Args('ping')
    a.add('-A', tcp_ack if tcp_ack is not None else tcp_seq)
    if payload is not None:
        a.add('-B', binascii.hexlify(payload).decode())
    a.add('-c', attempts)
    a.add('-C', icmp_sum)
    a.add('-d', dport if dport is not None else icmp_seq)
    a.add('-F', sport if sport is not None else icmp_id)
    if wait_probe is not None:
        a.add('-i', _num(wait_probe))
    a.add('-m', ttl)
    a.add('-M', mtu)
    a.add('-o', stop_count)
    a.add('-P', method)
    a.add('-r', rtr)
    a.add('-R', bool(ip_rr))
    if ip_ts is not None:
        if isinstance(ip_ts, str) and ip_ts.lower() in ('tsonly',
                                                        'tsandaddr'):
            a.add('-T', ip_ts.lower())
        elif isinstance(ip_ts, (list, tuple)):
            a.add('-T', 'tsprespec=' + ','.join(str(x) for x in ip_ts))
        else:
            raise ValueError('unexpected ip_ts method')
    if dltx:
        raise ValueError('dltx is not supported by scamper 20211212')
    a.add('-s', size)
    a.add('-S', src)
    a.add('-U', userid)
    if wait_timeout is not None:
        a.add('-W', _whole(wait_timeout, 1, 'wait_timeout'))
    a.add('-z', tos)
    return a.line(dst)


def _probedef(m, sport, dport, icmp_sum):
    if m is None:
        return None
    pd = ['-P ' + m]
    if sport is not None:
        pd.append('-F %d' % sport)
    if dport is not None:
        pd.append('-d %d' % dport)
    if icmp_sum is not None:
        pd.append('-c %d' % icmp_sum)
    return "'%s'" % ' '.join(pd)


def _dealias_common(a, attempts, fudge, wait_probe, wait_timeout, userid):
    a.add('-q', attempts)
    if fudge == 0:
        a.add('-O', 'inseq')
    else:
        a.add('-f', fudge)
    a.add('-U', userid)
    _waits(a, wait_timeout, wait_probe, 0.001)


def ally(dst1, dst2, fudge=None, icmp_sum=None, dport=None, sport=None,
         method=None, attempts=None, wait_probe=None, wait_timeout=None,
         userid=None):
    """dealias -m ally: are dst1 and dst2 aliases?"""
    m = _method(method)
    if icmp_sum is not None:
        if m is None:
            m = 'icmp-echo'
        elif not m.startswith('icmp'):
            raise ValueError('do not specify icmp_sum with ' + m)
    _ports(m, sport, dport)
    a = _Args('dealias -m ally')
    a.add('-p', _probedef(m, sport, dport, icmp_sum))
    _dealias_common(a, attempts, fudge, wait_probe, wait_timeout, userid)
    return a.line(dst1, dst2)


def mercator(dst, userid=None):
    """dealias -m mercator: the address dst answers from."""
    a = _Args('dealias -m mercator')
    a.add('-U', userid)
    return a.line(dst)


def prefixscan(near, far, prefixlen, fudge=None, icmp_sum=None, dport=None,
               sport=None, method=None, attempts=None, wait_probe=None,
               wait_timeout=None, userid=None):
    """dealias -m prefixscan: an alias of near in far/prefixlen."""
    m = _method(method)
    _ports(m, sport, dport)
    a = _Args('dealias -m prefixscan')
    a.add('-p', _probedef(m, sport, dport, icmp_sum))
    _dealias_common(a, attempts, fudge, wait_probe, wait_timeout, userid)
    return a.line(near, '%s/%d' % (far, prefixlen))


def radargun(addrs=None, rounds=None, probedefs=None, wait_probe=None,
             wait_round=None, wait_timeout=None, userid=None):
    """dealias -m radargun over addrs (each a probe definition's dst)."""
    if not addrs:
        raise ValueError('radargun needs addrs')
    if probedefs is not None:
        raise ValueError('probedefs objects are not supported by '
                         'scamper_ctrl: give addrs')
    a = _Args('dealias -m radargun')
    a.add('-q', rounds)
    for x in addrs:
        a.add('-p', "'-P icmp-echo -i %s'" % x)
    if wait_probe is not None:
        a.add('-W', _whole(wait_probe, 0.001, 'wait_probe'))
    if wait_round is not None:
        a.add('-r', _whole(wait_round, 0.001, 'wait_round'))
    if wait_timeout is not None:
        a.add('-w', _whole(wait_timeout, 1, 'wait_timeout'))
    a.add('-U', userid)
    return a.line()


def sniff(src, icmp_id, limit_pkt_count=None, limit_time=None, userid=None):
    """sniff: ICMP packets with this id arriving at src."""
    a = _Args('sniff', '-S %s' % src)
    a.add('-c', limit_pkt_count)
    if limit_time is not None:
        a.add('-G', _whole(limit_time, 1, 'limit_time'))
    a.add('-U', userid)
    return a.line('icmp[icmpid] == %d' % icmp_id)


def tbit(dst, method=None, url=None, userid=None):
    """tbit: a TCP behaviour test of dst."""
    if dst is None or method is None or url is None:
        raise ValueError('must specify dst, method, and url')
    a = _Args('tbit')
    a.add('-U', userid)
    a.add('-u', "'%s'" % str(url).replace("'", "\\'"))
    a.add('-t', method)
    return a.line(dst)


BUILDERS = {
    'trace': trace, 'tracelb': tracelb, 'ping': ping, 'ally': ally,
    'mercator': mercator, 'prefixscan': prefixscan, 'radargun': radargun,
    'sniff': sniff, 'tbit': tbit,
}
# the methods that take one instance, not a list
SINGLE = {'ally', 'prefixscan'}
