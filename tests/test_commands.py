"""Splitting and dispatching measurement commands (scamperd/commands.py)."""

import pytest

from scamperd.commands import parse, split
from scamperd.method import CommandError


def test_split_words_and_quotes():
    assert split('trace -P icmp-paris 192.0.2.1') == \
        ['trace', '-P', 'icmp-paris', '192.0.2.1']
    assert split("dealias -p '-P udp' -p \"-P icmp\"  192.0.2.1 ") == \
        ['dealias', '-p', '-P udp', '-p', '-P icmp', '192.0.2.1']
    assert split("a '' b") == ['a', '', 'b']
    with pytest.raises(CommandError):
        split("ping 'unterminated")


@pytest.mark.parametrize('line,needle', [
    ('', 'empty command'),
    ('bogus 192.0.2.1', "unknown command 'bogus'"),
    ('sting -h x 192.0.2.1', 'accepts no request'),
    ('tbit -t abc 192.0.2.1', "invalid -t value 'abc'"),
])
def test_parse_errors(line, needle):
    with pytest.raises(CommandError) as e:
        parse(line)
    assert needle in str(e.value)


def test_parse_dispatches_to_the_command():
    assert parse('trace 192.0.2.1').name == 'trace'
    assert parse('ping -c 2 2001:db8::1').name == 'ping'


def test_a_command_repeated_for_many_destinations_parses_as_each_alone():
    """parse() reuses a command parsed for another destination (a list
    run with -c): the copy must equal a parse of its own."""
    from scamperd.commands import _parse
    lines = ['ping -c 1 -W 1 %s' % a for a in (
        '192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:db8::2', '192.0.2.3',
        '2001:db8::ffff:1.2.3.4')]
    lines += ['trace -P icmp-paris -q 1 %s' % a for a in (
        '192.0.2.1', '2001:db8::1', '192.0.2.2', '2001:db8::2')]
    lines += ['tracelb -P icmp-echo 2001:db8::%d' % i for i in range(1, 3)]
    for line in lines:
        got, want = parse(line), _parse(line)
        assert type(got) is type(want)
        assert vars(got) == vars(want)


def test_a_cached_command_still_refuses_what_its_parser_refuses():
    parse('ping -c 1 192.0.2.1')
    for bad in ('ping -c 1 01.2.3.4', 'ping -c 1 192.0.2', 'ping -c 1 ',
                'ping -c 1 nonsense', 'ping -c 1 192.0.2.1%lo'):
        with pytest.raises(CommandError):
            parse(bad)
    # the family matters: an option valid for one may not be for the other
    parse('trace -S 192.0.2.9 192.0.2.1')
    with pytest.raises(CommandError):
        parse('trace -S 192.0.2.9 2001:db8::1')
