"""The console scripts as packaging/launchers.sh rewrites them (install.sh
for the venv, debian/rules for the package): Python started isolated and
without site (-IS), the package's directory put on sys.path by the
script.  A root-run command must not import what PYTHONPATH, the current
directory or a user's site-packages offer."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = ('scamper', 'scamper-lab', 'scamperctl', 'scamperd',
            'scamper-warts')


def _hostile(tmp):
    """A directory whose scamper_cli and sitecustomize say so if used."""
    for name in ('scamper_cli/__init__.py', 'scamper_cli/main.py',
                 'sitecustomize.py'):
        path = os.path.join(tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write('raise SystemExit("hijacked by %s")\n' % name)
    return tmp


def test_installed_commands_are_isolated(tmp_path):
    bindir = os.path.dirname(sys.executable)     # the venv's: installed
    for cmd in COMMANDS:
        with open(os.path.join(bindir, cmd)) as f:
            assert f.readline() == '#!%s -IS\n' % os.path.join(bindir,
                                                                'python3')
    bad = _hostile(str(tmp_path))
    env = dict(os.environ, PYTHONPATH=bad, PYTHONSTARTUP=bad + '/x.py',
               PYTHONHOME='/nonexistent')
    p = subprocess.run([os.path.join(bindir, 'scamper'), '-v'], cwd=bad,
                       env=env, capture_output=True, text=True)
    assert (p.returncode, p.stdout, p.stderr) == (
        0, 'scamper version 20211212\n', '')


def test_launchers_rewrite_generated_scripts(tmp_path):
    """From scripts as pip writes them: each imports its own entry point,
    and runs with the site directory given, not with site."""
    site = tmp_path / 'site'
    (site / 'mypkg').mkdir(parents=True)
    (site / 'mypkg' / '__init__.py').write_text('')
    (site / 'mypkg' / 'cli.py').write_text(
        'import sys\n'
        'def main():\n'
        '    print(sys.argv[0].rsplit("/", 1)[1], sys.flags.isolated,\n'
        '          sys.flags.no_site, "site" in sys.modules)\n'
        '    return 3\n')
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    for cmd in COMMANDS:
        (bindir / cmd).write_text(
            '#!%s\nimport re\nimport sys\nfrom mypkg.cli import main\n'
            'if __name__ == "__main__":\n    sys.exit(main())\n'
            % sys.executable)
    subprocess.run(['sh', os.path.join(HERE, 'packaging', 'launchers.sh'),
                    str(bindir), sys.executable, str(site)], check=True)
    for cmd in COMMANDS:
        p = subprocess.run([str(bindir / cmd)], capture_output=True,
                           text=True)
        assert (p.returncode, p.stdout, p.stderr) == (
            3, '%s 1 1 False\n' % cmd, '')
