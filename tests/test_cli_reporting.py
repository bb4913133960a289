"""How scamper reports what stops it (issue 13, item 12)."""

from scamper_cli.main import run_reporting


def test_a_crash_is_reported_whole(capsys):
    """A KeyError used to be printed as a bare tuple, and with -D
    nowhere."""
    def crash():
        {}[('a', 'b')]
    assert run_reporting(crash, 'the supervisor') == 1
    err = capsys.readouterr().err
    assert err.startswith("scamper: the supervisor stopped on an internal "
                          "error: KeyError: ('a', 'b')\nTraceback ")
    assert 'in crash' in err
    assert run_reporting(lambda: 7, 'x') == 7
