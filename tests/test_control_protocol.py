"""scamperd/control: line splitting, parameters, uuencoding, DATA framing."""

import binascii
import os

import pytest

from scamperd.control import attach, uuencode
from scamperd.control.protocol import LineReader, LineTooLong, params, words


def test_lines_split_on_lf_and_drop_cr():
    r = LineReader()
    assert r.feed(b'get pid\r\nget p') == ['get pid']
    assert r.feed(b'ps\n\n') == ['get pps', '']


def test_a_line_over_the_limit_is_refused_even_before_its_end():
    r = LineReader(limit=10)
    with pytest.raises(LineTooLong):
        r.feed(b'x' * 11)
    with pytest.raises(LineTooLong):
        LineReader(limit=10).feed(b'x' * 20 + b'\n')


def test_words_group_double_quotes_only():
    assert words('command "ping -c 1" file x') == ['command', 'ping -c 1',
                                                   'file', 'x']
    assert words("command 'ping -c 1'") == ['command', "'ping", '-c', "1'"]
    assert words('descr "open') is None


def test_params_report_the_first_bad_name():
    # the transcript: single quotes split, '-c' is taken as a name
    got, bad = params("command 'ping -c 1' file t", ('command', 'file'))
    assert (got, bad) == (None, '-c')
    got, bad = params('file t command "ping -c 1"', ('command', 'file'))
    assert got == {'file': 't', 'command': 'ping -c 1'}


# the DATA blocks of transcript 7.3: cycle-stop and cycle-start
CYCLE_STOP = b'1$@4`!`````D````!:PE^5```\n`\n'
CYCLE_START = b'>$@4``@```!8````!`````0````%K"7Y-`@`#=FT`\n`\n'


@pytest.mark.parametrize('block', [CYCLE_STOP, CYCLE_START])
def test_uuencode_matches_scamper_byte_for_byte(block):
    raw = b''.join(binascii.a2b_uu(l) for l in block.split(b'\n')[:-2])
    assert uuencode.encode(raw) == block
    assert uuencode.decode(block) == raw


@pytest.mark.parametrize('n', [0, 1, 2, 3, 44, 45, 46, 90, 95, 143])
def test_uuencode_length_and_python_decoder(n):
    raw = os.urandom(n)
    enc = uuencode.encode(raw)
    r = n % 45
    assert len(enc) == 62 * (n // 45) + (r > 0) * (2 + 4 * -(-r // 3)) + 2
    assert b' ' not in enc
    assert b''.join(binascii.a2b_uu(l) for l in enc.split(b'\n')[:-2]) == raw
    assert uuencode.decode(enc) == raw


def test_data_frames_count_every_byte():
    assert attach.frame(b'{"a":1}\n') == b'DATA 8\n{"a":1}\n'
    assert attach.frame(b'x\n', 3) == b'DATA 2 id-3\nx\n'
    assert attach.frame(b'x\n', 3, inprog=True) == b'DATA 2 id-3 inprog\nx\n'


@pytest.mark.parametrize('text,err', [
    ('format text', 'ERR format must be warts or json'),
    ('priority 0', 'ERR invalid priority'),
    ('priority x', 'ERR invalid priority'),
    ('list_id -1', 'ERR invalid list_id'),
    ('bogus 1', "ERR command attach param 'bogus' failed"),
])
def test_attach_parameter_errors(text, err):
    assert attach.parse_params(text) == err


def test_attach_parameters():
    assert attach.parse_params('') == {'format': 'warts'}
    assert attach.parse_params('format json priority 5 name "a b"') == {
        'format': 'json', 'priority': 5, 'name': 'a b'}


LIST_BLOCK = (b'DATA 70\n'
              b'M$@4``0```"8````!`````#$R-RXP+C`N,3HU,S0X-``"``MR82UM;VYI'
              b'=&]R\n!````\n`\n')


def test_warts_attach_blocks_match_the_transcript():
    from scamperd.listcycle import Cycle, ScamperList
    lst = ScamperList(id=0, name='127.0.0.1:53484', monitor='ra-monitor')
    assert attach.data(lst, 'list', 'warts') == LIST_BLOCK
    cyc = Cycle(lst, id=1, start=0x6b097e4d, hostname='vm')
    assert attach.data(cyc, 'cycle-start', 'warts') == \
        b'DATA 44\n' + CYCLE_START
    cyc.stop = 0x6b097e54
    assert attach.data(cyc, 'cycle-stop', 'warts') == \
        b'DATA 28\n' + CYCLE_STOP
    assert attach.data(cyc, 'cycle-stop', 'warts', 4).startswith(
        b'DATA 28 id-4\n')
