"""What a new user meets first: the commands on PATH, scamperd without
its state directory, an interpreter the service user cannot read,
scamperctl's messages and help."""

import configparser
import os
import pathlib
import re
import shutil
import stat
import tempfile

import pytest

from scamper_cli import main as scamper_main
from scamper_cli import readable, scamperctl, scamperd

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_install_links_every_command():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(HERE, 'setup.cfg'))
    commands = {l.split('=')[0].strip() for l in
                cfg['options.entry_points']['console_scripts'].splitlines()
                if l.strip()}
    with open(os.path.join(HERE, 'packaging', 'install.sh')) as f:
        loop = re.search(r'^for cmd in (.*); do\n\s+ln -sf', f.read(), re.M)
    assert loop and set(loop.group(1).split()) == commands


def test_scamperd_help_needs_no_config(capsys, tmp_path):
    assert scamperd.main(['--help']) == 0
    assert capsys.readouterr().out.startswith('usage: scamperd [--config')


def test_scamperd_makes_its_outdir_as_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = tmp_path / 'lib' / 'scamperd'
    cfg = scamperd.read_config('outdir = %s\n' % d)
    assert scamperd._outdir(cfg, 0) is None
    st = os.stat(d)
    assert stat.S_IMODE(st.st_mode) == 0o770 and os.getcwd() == str(d)


def test_scamperd_outdir_errors_are_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cfg = scamperd.read_config('outdir = %s/none\n' % tmp_path)
    monkeypatch.setattr(os, 'geteuid', lambda: 1000)
    assert scamperd._outdir(cfg, None) == (
        "outdir %s/none does not exist: create it, writable by user "
        "'scamper', or set outdir in the configuration" % tmp_path)
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    # whatever scamperd sets for the scamper it runs is undone after
    monkeypatch.setenv('SCAMPER_USER', 'nobody')
    conf = tmp_path / 'c.conf'
    conf.write_text('outdir = /dev/null/x\ngroup =\nsocket = %s/s\n'
                    % tmp_path)
    assert scamperd.main(['--config', str(conf)]) == 1
    assert capsys.readouterr().err == (
        'scamperd: cannot make outdir /dev/null/x: Not a directory\n')


def test_unreadable_interpreter_is_named_at_start(monkeypatch, capsys):
    top = tempfile.mkdtemp(prefix='sc-readable-')
    os.chmod(top, 0o755)
    private = pathlib.Path(top) / 'root-home'
    (private / 'lib' / 'python3').mkdir(parents=True)
    os.chmod(private, 0o700)
    assert readable.unreadable('nobody', [str(private / 'lib' / 'python3')]
                               ) == str(private)
    assert readable.unreadable('nobody', readable.runtime_paths()) is None
    monkeypatch.setattr(readable, 'runtime_paths',
                        lambda: [str(private / 'lib' / 'python3')])
    monkeypatch.setenv('SCAMPER_USER', 'nobody')
    assert scamper_main.main(['-c', 'ping', '-i', '192.0.2.1']) == 1
    err = capsys.readouterr().err
    shutil.rmtree(top)
    assert err.startswith("scamper: user 'nobody' cannot read %s, where "
                          % private) and err.count('\n') == 1


def test_scamperctl_names_the_socket_it_tried(capsys):
    assert scamperctl.main(['-U', '/nonexistent/x.sock', 'get', 'pps']) == 1
    assert capsys.readouterr().err == (
        'scamperctl: cannot connect to /nonexistent/x.sock: No such file or '
        'directory\n')


@pytest.mark.parametrize('verb,want', [
    ('source', 'source add name <name> file <path> outfile <alias>'),
    ('outfile', 'outfile open name <alias> file <path> mode truncate|append'),
    ('get', 'get command | monitorname | pid | pps | version | window'),
])
def test_scamperctl_help_shows_syntax(capsys, verb, want):
    with pytest.raises(SystemExit) as e:
        scamperctl.main([verb, '--help'])
    assert e.value.code == 0
    assert want in capsys.readouterr().out
