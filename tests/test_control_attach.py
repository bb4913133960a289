"""Attach state without sockets: the lines a client sees, MORE credits,
task ids, DATA framing (with ids by default, plain under -O attach-2021)."""

from scamperd.control import attach
from scamperd.sources import Sources


def _attach(text, ids=True):
    sent, closed = [], []
    a = attach.Attach(attach.parse_params(text), '127.0.0.1:5', sent.append,
                      lambda: closed.append(1), monitor='m', hostname='vm',
                      ids=ids)
    srcs = Sources(None, 'json', daemon=True)
    a.start()
    srcs.add(a)
    return a, srcs, sent, closed


def _text(sent):
    return b''.join(sent).decode().splitlines()


def test_a_session():
    a, srcs, sent, closed = _attach('format json')
    assert _text(sent)[:2] == ['OK', 'MORE']
    assert _text(sent)[2].startswith('DATA ')
    assert '"list_name":"127.0.0.1:5"' in _text(sent)[3]
    sent.clear()
    a.line('ping -c 1 192.0.2.1')
    a.line('trace 192.0.2.2')
    a.line('bogus 1')
    assert _text(sent)[:2] == ['OK id-1', 'OK id-2']
    assert _text(sent)[2].startswith('ERR command not accepted: ')
    assert len(_text(sent)) == 3
    sent.clear()
    src, where, line, t1 = srcs.next()
    assert (src, line, t1) == (a, 'ping -c 1 192.0.2.1', 1)
    assert _text(sent) == []                 # one still pending: no MORE
    src, where, line, t2 = srcs.next()
    assert _text(sent) == ['MORE']
    sent.clear()
    a.line('halt 2')
    a.line('halt 3')
    assert _text(sent) == ['ERR no task id-2', 'ERR no task id-3']
    sent.clear()
    a.line('done')
    assert _text(sent) == ['OK']
    sent.clear()
    srcs.done(a, t2, b'{"t":2}\n')
    srcs.done(a, t1, b'{"t":1}\n')
    assert _text(sent)[:4] == ['DATA 8 id-2', '{"t":2}', 'DATA 8 id-1',
                               '{"t":1}']
    assert _text(sent)[4].split() == ['DATA', str(len(_text(sent)[5]) + 1)]
    assert 'cycle-stop' in _text(sent)[5] and closed == [1]
    assert a not in srcs.all


def test_halt_of_a_pending_task_and_more_back():
    """A task halted before it was taken gives its result after the OK
    (as scamper: stop reason halted, nothing sent; made by the
    supervisor's halted_result), then room for another."""
    a, srcs, sent, closed = _attach('format json')
    made = []
    a.halted_result = lambda tid, line: made.append((tid, line)) or b'{}\n'
    a.line('ping 192.0.2.1')
    sent.clear()
    a.line('halt 1')
    assert _text(sent) == ['OK halted 1', 'DATA 3 id-1', '{}', 'MORE']
    assert made == [(1, 'ping 192.0.2.1')]
    assert srcs.next() is None


def _one_result(a, srcs, sent):
    a.line('ping 192.0.2.1')
    srcs.next()
    sent.clear()
    srcs.done(a, 1, b'{}\n')
    return sent


def test_ids_by_default_plain_under_attach_2021():
    a, srcs, sent, _ = _attach('format json')
    assert _one_result(a, srcs, sent) == [b'DATA 3 id-1\n{}\n']
    # -O attach-2021: 20211212's framing
    a, srcs, sent, _ = _attach('format json', ids=False)
    a.line('bogus 1')
    assert b'ERR command not accepted\n' in sent      # no reason in 2021
    sent.clear()
    assert _one_result(a, srcs, sent) == [b'DATA 3\n{}\n']
    # ... except for a client using a parameter only newer scamper knows
    a, srcs, sent, _ = _attach('format json name "x y" list_id 4', ids=False)
    assert a.name == 'x y' and a.list.id == 4
    assert _one_result(a, srcs, sent) == [b'DATA 3 id-1\n{}\n']


def test_warts_attach_starts_with_list_and_cycle_blocks():
    a, srcs, sent, _ = _attach('')
    lines = _text(sent)
    assert lines[:2] == ['OK', 'MORE']
    assert [l for l in lines if l.startswith('DATA')] == ['DATA 48',
                                                          'DATA 44']


def test_halt_reads_its_id_as_scamper_does():
    """scamper's string_isnumber and bounds: a sign or digit then digits,
    else usage; 1 to 2^32-1, else invalid; halt and done in any case."""
    a, srcs, sent, closed = _attach('format json')
    for arg in ('x', '1x', '3 4', '٣', '1_0'):
        sent.clear()
        a.line('halt ' + arg)
        assert _text(sent)[0] == 'ERR usage: halt [id]', arg
    for arg in ('0', '-5', '+', '-', '4294967296'):
        sent.clear()
        a.line('halt ' + arg)
        assert _text(sent)[0] == 'ERR halt number invalid', arg
    a.line('ping 192.0.2.1')
    sent.clear()
    a.line('HALT +1')
    assert _text(sent)[0] == 'OK halted 1'
    sent.clear()
    a.line('Done')
    assert _text(sent) == ['OK']
