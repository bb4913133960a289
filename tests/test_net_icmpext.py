from scamperd.net import icmpext
from netref import verifies

MPLS = [(16013, 0, 1, 1)]


def test_build_and_parse_mpls():
    ext = icmpext.build_mpls(MPLS)
    assert ext[:2] == b'\x20\x00' and verifies(ext)
    objs = icmpext.parse(ext)
    assert [(o.cn, o.ct) for o in objs] == [(1, 1)]
    assert icmpext.mpls_labels(objs[0].data) == [(16013, 0, 1, 1)]


def test_mpls_label_fields():
    # label 0xfffff, exp 7, bottom of stack, ttl 255
    data = bytes.fromhex('ffffffff' + '00064101')
    assert icmpext.mpls_labels(data) == [(0xfffff, 7, 1, 255),
                                         (100, 0, 1, 1)]


def test_parse_keeps_every_object():
    body = (b'\x00\x08\x01\x01' + bytes.fromhex('03e8e1fe')
            + b'\x00\x0c\x02\x05' + bytes(8))
    objs = icmpext.parse(b'\x20\x00\x00\x00' + body)
    assert [(o.cn, o.ct, len(o.data)) for o in objs] == [(1, 1, 4),
                                                        (2, 5, 8)]


def test_parse_stops_at_bad_object():
    assert icmpext.parse(b'\x20\x00\x00\x00\x00\x02\x01\x01') == []
    assert icmpext.parse(b'\x20\x00\x00\x00\x00\x10\x01\x01abcd') == []
    assert icmpext.parse(b'\x20\x00') == []


def test_valid():
    ext = icmpext.build_mpls(MPLS)
    assert icmpext.valid(ext)
    assert icmpext.valid(ext[:2] + b'\0\0' + ext[4:])       # no checksum
    assert not icmpext.valid(ext[:2] + b'\x12\x34' + ext[4:])
    assert not icmpext.valid(b'\x10' + ext[1:])
    assert icmpext.valid(b'\x02\x00\x00\x00')               # low nibble
    assert not icmpext.valid(b'\x20\x00')


def _msg(length_byte_index, quote_len, field, ext):
    hdr = bytearray(8)
    hdr[0] = 11
    hdr[length_byte_index] = field
    return bytes(hdr) + bytes(quote_len) + ext


def test_locate_by_rfc4884_length_field():
    ext = icmpext.build_mpls(MPLS)
    # ICMPv4: length in 32-bit words in byte 5; a 132-byte quote
    assert icmpext.locate(_msg(5, 132, 33, ext), 4) == ext
    # ICMPv6: 64-bit words in byte 4
    assert icmpext.locate(_msg(4, 136, 17, ext), 8) == ext


def test_locate_by_scamper_128_byte_rule():
    ext = icmpext.build_mpls(MPLS)
    assert icmpext.locate(_msg(5, 128, 0, ext), 4) == ext
    assert icmpext.locate(_msg(5, 128, 0, ext), 0) == ext
    assert icmpext.locate(_msg(5, 128, 0, ext), 4, heuristic=False) == b''
    # a quote of just 128+4 bytes or less has no extension by that rule
    assert icmpext.locate(_msg(5, 128, 0, ext[:4]), 4) == b''
    # a long quote that merely continues the datagram is not an extension
    assert icmpext.locate(_msg(5, 300, 0, b''), 4) == b''
