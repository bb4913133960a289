"""The top-level command line (scamper_cli/options.py)."""

import pytest

from scamper_cli import main as climain
from scamper_cli.options import UsageError, parse


def test_defaults_as_scamper():
    o = parse(['-i', '192.0.2.1'])
    assert (o.command, o.pps, o.window, o.format) == ('trace', 20, 0, 'text')
    assert o.addresses == ['192.0.2.1'] and o.mode == 'i'
    assert (o.listname, o.listid, o.cycleid) == ('default', 0, 0)


def test_full_line():
    o = parse(['-c', 'ping -c 3', '-p', '50000', '-w', '10', '-M', 'mon',
               '-l', 'lst', '-L', '7', '-C', '3', '-o', 'out.json',
               '-O', 'json', '-O', 'cmdfile', '-d', 'dbg', '-O',
               'debugfileappend', '-e', 'pid', '-f', 'a.txt', 'b.txt'])
    assert o.command == 'ping -c 3' and o.pps == 50000 and o.window == 10
    assert o.format == 'json' and o.flags == {'debugfileappend'}
    assert o.intype == 'cmdfile'
    assert o.files == ['a.txt', 'b.txt'] and o.mode == 'f'
    assert (o.monitorname, o.listname, o.listid, o.cycleid) == \
        ('mon', 'lst', 7, 3)


def test_firewall():
    assert parse(['-i', '192.0.2.1']).firewall is None
    assert parse(['-F', 'nft', '-i', '192.0.2.1']).firewall == \
        ('scamper', 256)
    assert parse(['-F', 'nft:mine:8', '-i', '192.0.2.1']).firewall == \
        ('mine', 8)


def test_repeated_I_and_bare_files():
    o = parse(['-I', 'trace 192.0.2.1', '-I', 'ping 192.0.2.2'])
    assert o.commands == ['trace 192.0.2.1', 'ping 192.0.2.2']
    assert parse(['list.txt']).files == ['list.txt']


@pytest.mark.parametrize('argv', [
    # scamper's GNU getopt: -i and -I are flags, the addresses or commands
    # are every argument that is not an option, wherever it stands
    ['-c', 'ping', '-i', '192.0.2.1', '-i', '2001:db8::1'],
    ['-i', '192.0.2.1', '-c', 'ping', '2001:db8::1'],
    ['-c', 'ping', '192.0.2.1', '2001:db8::1', '-i'],
    ['-i', '-c', 'ping', '--', '192.0.2.1', '2001:db8::1'],
])
def test_getopt_orders(argv):
    o = parse(argv)
    assert (o.mode, o.command, o.addresses) == (
        'i', 'ping', ['192.0.2.1', '2001:db8::1'])


def test_I_takes_the_remaining_arguments():
    want = ['trace 192.0.2.1', 'ping 192.0.2.2']
    assert parse(['-I', *want]).commands == want
    assert parse(['-I', want[0], '-p', '50', want[1]]).commands == want


def test_O_values_in_any_case_and_input_types():
    o = parse(['-O', 'JSON', '-O', 'OutCopy', '-O', 'cmdfile', '-O', 'TSPS',
               'f.txt'])
    assert (o.format, o.flags, o.intype) == ('json', {'outcopy'}, 'tsps')


@pytest.mark.parametrize('argv,needle', [
    (['-p', '0', '-i', '192.0.2.1'], "-p value '0'"),
    (['-p', '50001', '-i', '192.0.2.1'], "-p value '50001'"),
    (['-p', 'x', '-i', '192.0.2.1'], "-p value 'x'"),
    (['-w', '-1', '-i', '192.0.2.1'], "-w value '-1'"),
    (['-L', 'abc', '-i', '192.0.2.1'], "-L value 'abc'"),
    (['-O', 'bogus', '-i', '192.0.2.1'], "-O value 'bogus'"),
    (['-O', 'tsps', '-i', '192.0.2.1'], '-O tsps needs an input file'),
    (['-O', 'kqueue', '-i', '192.0.2.1'], 'kqueue(2) does not exist on Linux'),
    (['-I'], '-I: no commands given'),
    (['-R', '192.0.2.1'], "-R '192.0.2.1': expected name:port"),
    (['-R', 'ctl:0'], "-R value '0'"),
    (['-R', 'ctl:1', '-i', '192.0.2.1'], 'cannot be combined'),
    (['-R', 'ctl:1', '-O', 'client-certfile=c'], 'go together'),
    (['-R', 'ctl:1', '-O', 'cafile='], 'no file given'),
    (['-P', '192.0.2.1:31337'], 'loopback addresses only'),
    (['-P', '0'], "-P value '0'"),
    (['-P', 'x:1'], "invalid address 'x'"),
    (['-P', '31337', '-i', '192.0.2.1'], 'cannot be combined'),
    (['-D', '-i', '192.0.2.1'], '-D needs a control socket'),
    (['-Z'], 'option -Z not recognized'),
    (['-i'], 'no addresses'),
    (['-i', '999.1.1.1'], "invalid address '999.1.1.1'"),
    (['-i', '-I', 'trace 192.0.2.1', '192.0.2.1'], 'cannot be combined'),
    ([], 'nothing to do'),
    (['-c', '', '-i', '192.0.2.1'], 'empty command'),
    (['-O', 'cmdfile', '-i', '192.0.2.1'], 'cmdfile'),
    (['-F', 'ipfw:1-100', '-i', '192.0.2.1'], '-F ipfw: this is Linux'),
    (['-F', 'pf:scamper:10', '-i', '192.0.2.1'], '-F pf: this is Linux'),
    (['-F', 'nft:t:0', '-i', '192.0.2.1'], 'number of rules'),
    (['-F', 'iptables', '-i', '192.0.2.1'], "expected 'nft'"),
])
def test_errors_name_the_option(argv, needle):
    with pytest.raises(UsageError) as e:
        parse(argv)
    assert needle in str(e.value)


@pytest.mark.parametrize('argv,needle', [
    (['-p', '0', '-i', '192.0.2.1'], "invalid -p value '0'"),
    (['-c', 'bogus', '-i', '192.0.2.1'], "unknown command 'bogus'"),
    (['-I', 'ping -c 0x 192.0.2.1'], '-I "ping -c 0x 192.0.2.1"'),
])
def test_main_prints_one_error_and_a_usage_hint(argv, needle, capsys):
    assert climain.main(argv) == 255
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith('scamper: ') and needle in err[0]
    assert err[1].startswith('usage:')


def test_help_and_version(capsys):
    assert climain.main(['-?']) == 0
    assert 'usage: scamper' in capsys.readouterr().out
    assert climain.main(['-v']) == 0
    assert capsys.readouterr().out == 'scamper version 20211212\n'


def test_control_socket_options():
    o = parse(['-P', '31337', '-U', '/run/s', '-D'])
    assert (o.mode, o.control_tcp, o.control_unix, o.daemon) == (
        'control', ('127.0.0.1', 31337), '/run/s', True)
    assert parse(['-P', '[::1]:5']).control_tcp == ('::1', 5)


@pytest.mark.parametrize('line,command', [
    ('192.0.2.1', 'ping 192.0.2.1'),
    ('192.0.2.1 192.0.2.2', 'ping -T tsprespec=192.0.2.2 192.0.2.1'),
    ('192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5',
     'ping -T tsprespec=192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5 192.0.2.1'),
])
def test_tsps_lines(line, command):
    assert climain.tsps_command(line) == command


@pytest.mark.parametrize('line', [
    # scamper skips these: two spaces, a tab, five stamps, spaces around,
    # anything but digits and dots
    '192.0.2.1  192.0.2.2', '192.0.2.1\t192.0.2.2', ' 192.0.2.1',
    '192.0.2.1 ', '192.0.2.1 1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5',
    '2001:db8::1', 'ping 192.0.2.1'])
def test_tsps_bad_lines(line):
    with pytest.raises(climain.CommandError, match='not a tsps line'):
        climain.tsps_command(line)


def test_nameserver():
    assert parse(['-n', '192.0.2.53', '-U', 's']).nameserver == '192.0.2.53'


def test_own_getopt_is_gnu_getopt():
    """options.gnu_getopt (kept to spare the start-up the getopt module's
    gettext) gives what getopt.gnu_getopt gives, errors included, on
    random command lines made of options, values, clusters and --."""
    import getopt
    import random
    from scamper_cli.options import OPTSTRING, gnu_getopt
    words = ['-c', 'ping', '-Dv', '-pv', '-p', '100', '--', '-', 'x', '-i',
             '--x', '--c=1', '-?', '-Z', '-cfoo', '-w', ':', '-:', 'a b']
    rng = random.Random(5)
    for _ in range(20000):
        argv = [rng.choice(words) for _ in range(rng.randint(0, 6))]
        try:
            want = getopt.gnu_getopt(argv, OPTSTRING)
        except getopt.GetoptError as e:
            want = str(e)
        try:
            got = gnu_getopt(argv)
        except UsageError as e:
            got = str(e)
        assert got == want, argv


@pytest.mark.parametrize('value', ['x', '-1', '257', '1.5', '\u00b2',
                                   '\u0663'])
def test_bad_scamper_workers_is_an_error(value, monkeypatch, capsys):
    monkeypatch.setenv('SCAMPER_WORKERS', value)
    assert climain.main(['-i', '192.0.2.1']) == 1
    assert 'SCAMPER_WORKERS: expected a number' in capsys.readouterr().err
