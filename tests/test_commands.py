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
