#!/usr/bin/env python3
"""Hand-made seeds for the JSON Schema validator (run by fuzz/gen_seeds.sh).

The JSON-Schema-Test-Suite seeds (fuzz/gen_seeds.py) leave parts of the
validator unreached: formats beyond the simple cases (offsets, fractions,
quoted mailboxes, address literals, IPvFuture hosts), regex syntax the
dialect refuses or rewrites, contains/minContains/maxContains,
dependentSchemas, uniqueItems over large arrays (the hashed path), and the
compile and evaluation limits. One seed per intent.

Framing of corpus/json_schema/ (docs/fuzzing.md): one flags byte (0x01:
format assertion on), the schema's JSON, one NUL, the instance's JSON.

Usage: gen_seeds_validator.py CORPUS_DIR. Writes files by name, overwriting
only its own; idempotent.
"""
import json
import os
import sys

FORMAT = 1
MAX_LEN = 4096  # corpus/json_schema.options max_len


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Raw(str):
    """JSON text written as is (a Python str is a JSON string value)."""


def frame(schema, instance, flags=0):
    s = schema if isinstance(schema, Raw) else dumps(schema)
    i = instance if isinstance(instance, Raw) else dumps(instance)
    return bytes([flags]) + s.encode("utf-8") + b"\0" + i.encode("utf-8")


def each(fmt, values):
    """Every value of the array checked against one format (loud mode checks
    them all, so one seed reaches every branch the values exercise)."""
    return frame({"items": {"format": fmt}}, values, FORMAT)


def all_patterns(patterns, instance):
    return frame({"allOf": [{"pattern": p} for p in patterns]}, instance)


def nested(keyword, depth):
    """{"keyword": {"keyword": ... {} ...}}, depth levels of schema."""
    return Raw('{"%s":' % keyword * depth + "{}" + "}" * depth)


def format_seeds():
    return {
        "format-date-time-fraction-and-offsets.bin": each("date-time", [
            "2024-01-01T12:00:00.5Z", "2024-01-01T12:00:00.123456789z", "2024-01-01T12:00:00.Z",
            "2024-01-01T12:00:00+05:30", "2024-01-01t12:00:00-08:00", "2024-01-01T12:00:00+24:00",
            "2024-01-01T12:00:00+05:60", "2024-01-01T12:00:00+0a:00", "2024-01-01T12:00:00+05-30",
            "2024-01-01T12:00:00+05:3", "2024-01-01T12:00:00", "2024-01-01T12:00:00.",
            "2024-01-01T12:00:00Zx", "2024-01-01T24:00:00Z"]),
        "format-date-leap-years.bin": each("date", [
            "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10"]),
        "format-email-quoted-local-part.bin": each("email", [
            '"quoted local"@example.com', '"a\\"b"@example.com', '"unterminated@example.com', '"ctl\x01"@x.org',
            '"caf\u00e9"@x.org', '"trailing backslash\\', '"no at"', '"x"y@example.com', '""@example.com',
            '"escaped ctl\\\x01"@x.org', '"escaped non-ascii\\\u00e9"@x.org', '"escaped space\\ "@x.org']),
        "format-email-ipv4-literal.bin": each("email", [
            "user@[192.168.0.1]", "user@[255.255.255.255]", "user@[256.1.1.1]", "user@[01.1.1.1]", "user@[1.2.3]",
            "user@[1.2.3.4.5]", "user@[1.2.3.4x]", "user@[1..3.4]", "user@[1234.1.1.1]", "user@[]"]),
        "format-email-ipv6-literal.bin": each("email", [
            "user@[IPv6:2001:db8::1]", "user@[IPv6:::1]", "user@[IPv6:::]", "user@[IPv6:1:2:3:4:5:6:7:8]",
            "user@[IPv6:1:2:3:4:5:6:1.2.3.4]", "user@[IPv6:::ffff:192.0.2.1]", "user@[IPv6:::ffff:192.0.2.256]",
            "user@[IPv6::1]", "user@[IPv6:1::2::3]", "user@[IPv6:1:]", "user@[IPv6:1::]",
            "user@[IPv6:1:2:3:4:5:6:7:8:9]", "user@[IPv6:1:2:3:4:5:6:7]", "user@[IPv6:12345::]",
            "user@[IPv6:1:g::]", "user@[IPv6:1:2:3:4:5:6:7::]", "user@[IPv6:]"]),
        "format-uri-ipvfuture-host.bin": each("uri", [
            "http://[v1.fe:80]/", "http://[vF.a-b_c~!$]/x", "http://[v.x]/", "http://[v1]/", "http://[v1x.a]/",
            "http://[v1.]/", "http://[v1.a%20]/", "http://[v]/"]),
        "format-uri-ipv6-host-port.bin": each("uri", [
            "http://[::1]:8080/x", "http://[2001:db8::7]/c=GB?objectClass?one", "http://[::1", "http://[zz]/",
            "http://[::1]x/", "http://[::1]:80a/", "http://user:pw@[::1]:1/", "ldap://[]/"]),
    }


def regex_seeds():
    ok = [r"^\w+$", r"\W", r"\x41", r"\u{1F600}", r"\u{41}", r"\uD83D\uDE00", r"\uD83D\u0041", r"\uD83D",
          r"\u0041", r"[a-\d]", r"[+-\w]", r"[a-\x7A]", r"[\u0041-\u{5A}]", r"(?<name>a)", r"(?<n2>b|c)d"]
    seeds = {
        "regex-escapes-word-hex-unicode-named-group.bin": all_patterns(ok, "A\U0001F600bd"),
    }
    refused = {
        "regex-unicode-brace-escape-out-of-range.bin": r"\u{110000}",
        "regex-unicode-brace-escape-empty.bin": r"\u{}",
        "regex-unicode-brace-escape-unclosed.bin": r"\u{41",
        "regex-unicode-brace-escape-huge.bin": r"\u{FFFFFFFFFF}",
        "regex-named-backreference-refused.bin": r"(?<a>x)\k<a>",
        "regex-lookahead-refused.bin": r"a(?=b)",
        "regex-negative-lookahead-refused.bin": r"a(?!b)",
        "regex-lookbehind-refused.bin": r"(?<=a)b",
        "regex-negative-lookbehind-refused.bin": r"(?<!a)b",
        "regex-named-group-empty-name.bin": r"(?<>a)",
        "regex-named-group-unterminated.bin": r"(?<name",
        "regex-too-large-after-repetition-expansion.bin": r"(?:a{999}){999}",
    }
    for name, pattern in refused.items():
        seeds[name] = frame({"pattern": pattern}, "a")
    return seeds


def keyword_seeds():
    # More than 32 items: duplicates are found through hashes (every JSON type);
    # objects whose members differ only in order are equal.
    mixed = [0, -1, 1.5, "s", "t", None, True, False, [1, 2], [2, 1], {"a": 1, "b": [1]}, {"b": 1}, [],
             {}, "", 1e300]
    mixed += list(range(2, 30))
    return {
        "contains-no-item-matches.bin": frame({"contains": {"const": 1}}, ["x", 2, None]),
        "contains-min-contains-unmet.bin": frame(
            {"contains": {"type": "integer"}, "minContains": 3, "maxContains": 4}, [1, "a", 2]),
        "contains-max-contains-exceeded.bin": frame(
            {"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}, [1, 2, 3, 4, "x"]),
        "contains-min-contains-not-integer.bin": frame({"contains": True, "minContains": 1.5}, []),
        "contains-max-contains-negative.bin": frame({"contains": True, "maxContains": -1}, []),
        "contains-min-max-without-contains-ignored.bin": frame({"minContains": 2, "maxContains": 0}, [1]),
        "dependent-schemas-violated.bin": frame(
            {"dependentSchemas": {"a": {"required": ["b"]}, "c": {"properties": {"a": {"type": "string"}}}}},
            {"a": 1, "c": True}),
        "unique-items-large-array-duplicate-objects.bin": frame(
            {"uniqueItems": True}, mixed + [{"b": [1], "a": 1.0}]),
        "unique-items-large-array-distinct.bin": frame({"uniqueItems": True}, mixed),
        "type-listed-twice.bin": frame({"type": ["string", "null", "string"]}, "x"),
        "false-schema-via-ref-to-top-level-member.bin": frame({"$ref": "#/$defs", "$defs": False}, 1),
        "schema-many-nodes-map-grows.bin": frame(
            {"properties": {"p%d" % i: {"type": "integer"} for i in range(48)}},
            {"p%d" % i: (i if i % 7 else "x") for i in range(48)}),
        "schema-nested-too-deep.bin": frame(nested("not", 260), None),
        # Each array level costs five evaluation levels (the root, items and
        # three allOf wrappers; the $ref is an alias of the root): 500 levels of
        # instance go past the evaluator's 2048 while staying under the strict
        # parser's 512 nesting limit.
        "eval-depth-limit-nested-arrays.bin": frame(
            {"items": {"allOf": [{"allOf": [{"allOf": [{"allOf": [{"$ref": "#"}]}]}]}]}}, Raw("[" * 500 + "]" * 500)),
    }


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen_seeds_validator.py CORPUS_DIR\n")
        return 2
    out = os.path.join(sys.argv[1], "json_schema")
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for group in (format_seeds(), regex_seeds(), keyword_seeds()):
        seeds.update(group)
    for name, data in sorted(seeds.items()):
        if len(data) > MAX_LEN:
            sys.stderr.write("gen_seeds_validator: %s is %d bytes (max_len %d)\n" % (name, len(data), MAX_LEN))
            return 1
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("gen_seeds_validator: %d validator seeds written to %s" % (len(seeds), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
