#!/usr/bin/env python3
"""Seeds of the generator and shrinker fuzz targets (fuzz/fuzz_generator.c,
fuzz/fuzz_shrinker.c): CORPUS/generator/ and CORPUS/shrinker/, named for
intent; rewrites the named files only.
    python3 fuzz/gen_seeds_gen.py [CORPUS]   (default: corpus/ of this tree)"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def field(b):
    assert len(b) < 256 and b"\0" not in b
    return bytes([len(b)]) + b


def stream(mode, seed, index):
    return bytes([mode]) + struct.pack("<QI", seed, index)


# The coverage list: every 4th item (the list is 500+ long; kinds run in
# blocks, so this reaches each kind).
for i in range(0, 600, 4):
    write("generator", "coverage-%03d.bin" % i, stream(0, 0, i))
# The other contract (byte 0 & 0x04): its whole coverage list, and streams.
for i in range(0, 140, 3):
    write("generator", "other-coverage-%03d.bin" % i, stream(4, 0, i))
for s in range(6):
    write("generator", "other-random-seed%02d.bin" % s, stream(5, s + 50, s))
    write("generator", "other-positive-seed%02d.bin" % s, stream(6, s + 60, s))
# Coverage index taken as is (byte 0 & 0x08): inside and past the end.
write("generator", "coverage-raw-index-10.bin", stream(8, 0, 10))
write("generator", "coverage-raw-index-past-end.bin", stream(8, 0, 0xFFFFFFFF))
for s in range(24):
    write("generator", "random-seed%02d.bin" % s, stream(1, s * 7919 + 1, s * 31))
for s in range(8):
    write("generator", "positive-seed%02d.bin" % s, stream(2, s + 100, s))

given = {
    "plain": (None, None, b'{"name":"Ada"}'),
    "known-version": (b"2025-01-01", None, b'{"bio":"x"}'),
    "version-ows": (b" 2025-01-01\t", None, b'{"bio":"x"}'),
    "bad-date": (b"2026-02-30", None, b'{}'),
    "unknown-date": (b"1999-01-01", None, b'{}'),
    "version-crlf": (b"2025-01-01\r\nX: y", None, b'{}'),
    "account": (None, b"biz_1", b'{"username":"ada"}'),
    "account-invalid-utf8": (None, b"biz\xff", b'{}'),
    "dup-key": (None, None, b'{"name":"a","name":"b"}'),
    "wrong-type": (None, None, b'{"profile_picture":"x"}'),
    "nul-escape": (None, None, b'{"bio":"a\\u0000"}'),
    "lone-surrogate": (None, None, b'{"bio":"\\ud800"}'),
    "invalid-utf8": (None, None, b'{"bio":"\xc3\x28"}'),
    "not-json": (None, None, b"name=Ada"),
    "empty": (None, None, b""),
    "array": (None, None, b"[1,2]"),
    "nested-unknown": (None, None, b'{"x":{"y":[{"z":null}]}}'),
}
for name, (v, a, body) in given.items():
    flags = (1 if v is not None else 0) | (2 if a is not None else 0)
    data = bytes([3, flags]) + (field(v) if v is not None else b"") + (field(a) if a is not None else b"") + body
    write("generator", "given-%s.bin" % name, data)


def shrink_seed(kind, p, budget, body, v=None, a=None):
    flags = (1 if v is not None else 0) | (2 if a is not None else 0)
    return bytes([kind, p, budget, flags]) + (field(v) if v is not None else b"") + \
        (field(a) if a is not None else b"") + body


long_name = b'{"bio":"zz","name":"' + b"x" * 300 + b'","username":"qq"}'
emoji = b'{"name":"' + "\U0001F600".encode() * 80 + b'"}'
shrinks = {
    "length-bytes": shrink_seed(0, 10, 63, long_name),
    "has-byte-ff-raw": shrink_seed(1, 0xFF, 63, b'{"name":"ok","bio":"a\xffb","username":"abc"}'),
    "has-byte-zwsp": shrink_seed(1, 0x8B, 63, b'{"name":"ab\xe2\x80\x8bcd"}'),
    "string-threshold": shrink_seed(2, 100, 63, long_name),
    "string-threshold-emoji": shrink_seed(2, 20, 63, emoji),
    "same-keyword-type": shrink_seed(3, 0, 63, b'{"name":12345,"bio":"text","username":"abc"}'),
    "same-keyword-dup": shrink_seed(3, 0, 63, b'{"name":"a","bio":"b","name":"c"}'),
    "same-keyword-header": shrink_seed(3, 0, 40, b'{"name":"Ada"}', v=b"2026-02-30-extra"),
    "same-keyword-nested": shrink_seed(3, 0, 40, b'{"profile_picture":{"id":1,"direct_upload_id":"x"}}'),
    "members-two": shrink_seed(4, 2, 63, b'{"name":"a","bio":"b","username":"c","x":[1,2,{"y":true}],"n":-0.5}'),
    "header-byte": shrink_seed(5, ord("3"), 63, b'{"bio":"x"}', v=b"2026-03-01"),
    "query-length": shrink_seed(5, 3, 63, b'{"bio":"x"}', a=b"biz_abcdefghij"),
    "budget-one": shrink_seed(2, 5, 0, long_name),
    "nul-escape": shrink_seed(3, 0, 30, b'{"bio":"abc\\u0000def"}'),
    "non-object": shrink_seed(3, 0, 30, b'[{"name":"a"},2,3]'),
    # numbers (0, 1, fewer digits), containers (emptied, halved), names
    "numbers-digits": shrink_seed(0, 4, 63, b'{"name":123456789,"bio":-3.14159e-7,"x":1.7976931348623157e308}'),
    "numbers-fraction": shrink_seed(0, 4, 63, b'{"x":3.14159265358979}'),
    "numbers-huge": shrink_seed(0, 8, 63, b'{"x":3.14159265358979,"y":-1.7976931348623157e308}'),
    "numbers-same-keyword": shrink_seed(3, 0, 63, b'{"name":98765.4321,"bio":"b"}'),
    "array-halves": shrink_seed(1, ord("7"), 63, b'{"x":[' + b",".join(b"%d" % i for i in range(100)) + b']}'),
    "object-emptied": shrink_seed(4, 1, 63, b'{"x":{"a":[1,2],"b":{"c":null},"d":true},"bio":"b"}'),
    "name-byte": shrink_seed(6, ord("q"), 63, b'{"zzz_unknown_member_qq_long_name":1,"bio":"b"}'),
    "name-nested": shrink_seed(6, ord("x"), 63, b'{"profile_picture":{"id":"p","xx_extra":"q"},"id":"r","name":"n"}'),
    "name-members": shrink_seed(4, 3, 63, b'{"name":5,"ab":1,"abc":2,"abcd":[true,false,null]}'),
}
for name, data in shrinks.items():
    write("shrinker", "%s.bin" % name, data)
