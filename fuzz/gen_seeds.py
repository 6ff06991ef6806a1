#!/usr/bin/env python3
"""Hand-made fuzz seeds, one file per intent (run by fuzz/gen_seeds.sh).

Framings are those documented in docs/fuzzing.md:
  response_parser: "<status> <content-type>" NUL body
  request_builder: flags, kinds, more, then length-prefixed fields
  url_join:        base NUL path
"""
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(corpus, target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


BALANCE = {
    "symbol": "USDT", "name": "Tether", "balance": "12.5", "value_usd": "12.49",
    "price_usd": 0.9998, "icon_url": "https://example.invalid/usdt.png",
    "breakdown": {"available": "12.5", "pending": "0", "reserve": "0"},
}
USER = {
    "id": "user_abc123", "username": "alice", "name": "Alice", "bio": "hello",
    "created_at": "2025-01-01T00:00:00.000Z", "profile_picture": {"url": "https://example.invalid/a.png"},
    "total_usd": "12.49", "balances": [BALANCE, dict(BALANCE, symbol="EUR", price_usd=None, value_usd=None)],
    "verification": {"individual": None, "business": {"status": "pending"}},
}
USER_NULLS = dict(USER, name=None, bio=None, profile_picture=None, total_usd=None, balances=[])
ERR_VERSION = {"error": {"type": "invalid_parameters",
                         "message": "Unknown Api-Version-Date '2099-01-01'. Supported versions: "
                                    "2025-01-01, 2026-06-08, 2026-06-09, 2026-06-20, 2026-07-01"}}
ERR_APIKEY = {"error": {"type": "invalid_parameters", "message": "API keys cannot update a global profile"}}
ERR_AUTH = {"error": {"type": "unauthorized", "message": "Missing or invalid bearer token"}}
ERR_CODE = {"error": {"code": "invalid_parameters", "message": "uses code instead of type"}}


def json_seeds():
    """Documents for the strict pass and the validator: good ones and one per defect."""
    return {
        "user-valid-two-balances.json": dumps(USER),
        "user-valid-nulls-no-balances.json": dumps(USER_NULLS),
        "user-pretty-printed.json": json.dumps(USER, indent=2),
        "user-missing-id.json": dumps({k: v for k, v in USER.items() if k != "id"}),
        "user-price-usd-string.json": dumps(dict(USER, balances=[dict(BALANCE, price_usd="0.9998")])),
        "user-name-number.json": dumps(dict(USER, name=42)),
        "user-balances-not-array.json": dumps(dict(USER, balances={})),
        "user-extra-member.json": dumps(dict(USER, unexpected=True)),
        "user-2025-01-01-shape.json": dumps({"id": "user_1", "username": "u", "name": "n",
                                              "profile_pic_url": None, "created_at": 1735689600}),
        "error-unknown-version.json": dumps(ERR_VERSION),
        "error-api-key-global-profile.json": dumps(ERR_APIKEY),
        "error-unauthorized.json": dumps(ERR_AUTH),
        "error-code-instead-of-type.json": dumps(ERR_CODE),
        "error-empty-message.json": dumps({"error": {"type": "x", "message": ""}}),
        "error-not-object.json": dumps({"error": "bad"}),
        "defect-trailing-bytes.json": dumps(USER) + "garbage",
        "defect-bom.json": "\ufeff" + dumps(ERR_AUTH),
        "defect-duplicate-key.json": '{"id":"user_1","id":"user_2","username":"u"}',
        "defect-invalid-utf8.json": b'{"name":"\xc3\x28"}',
        "defect-overlong-utf8.json": b'{"name":"\xc0\xaf"}',
        "defect-raw-control-char.json": '{"bio":"line\x01break"}',
        "defect-raw-nul.json": b'{"bio":"a\x00b"}',
        "defect-nul-escape.json": '{"bio":"a\\u0000b"}',
        "defect-bad-hex-escape.json": '{"bio":"\\u12G4"}',
        "defect-lone-surrogate.json": '{"bio":"\\ud800x"}',
        "defect-surrogate-pair-ok.json": '{"bio":"\\ud83d\\ude00"}',
        "defect-bad-escape.json": '{"bio":"\\q"}',
        "defect-number-leading-zero.json": '{"price_usd":01}',
        "defect-number-trailing-dot.json": '{"price_usd":1.}',
        "defect-number-overflow.json": '{"price_usd":1e400}',
        "defect-number-nan.json": '{"price_usd":NaN}',
        "defect-vertical-tab-whitespace.json": '{\x0b"id":"x"}',
        "defect-empty.json": "",
        "defect-only-whitespace.json": " \n\t ",
        "defect-deep-arrays.json": "[" * 600 + "]" * 600,
        "defect-unclosed-object.json": '{"id":"user_1"',
        "scalar-top-level-number.json": "-0.5e-3",
        "scalar-top-level-string.json": '"user_1"',
        "numbers-edge.json": "[0,-0,1E+2,123456789012345678901234567890,5e-324,1.7976931348623157e308]",
    }


def response_seeds():
    """(file name, status, content-type, body) for response_parser."""
    out = [
        ("resp-200-user.bin", 200, "application/json; charset=utf-8", dumps(USER)),
        ("resp-200-user-nulls.bin", 200, "application/json", dumps(USER_NULLS)),
        ("resp-200-user-problem-json-suffix.bin", 200, "application/vnd.whop+json", dumps(USER)),
        ("resp-200-quoted-charset.bin", 200, 'application/json; charset="UTF-8"', dumps(USER)),
        ("resp-200-no-content-type.bin", 200, "", dumps(USER)),
        ("resp-200-text-html.bin", 200, "text/html", "<html>maintenance</html>"),
        ("resp-200-bad-media-type.bin", 200, "application/", dumps(USER)),
        ("resp-200-trailing-bytes.bin", 200, "application/json", dumps(USER) + "\n}"),
        ("resp-200-empty-body.bin", 200, "application/json", ""),
        ("resp-200-price-usd-string.bin", 200, "application/json",
         dumps(dict(USER, balances=[dict(BALANCE, price_usd="0.9998")]))),
        ("resp-400-unknown-version-handmade.bin", 400, "application/json", dumps(ERR_VERSION)),
        ("resp-400-api-key-global-profile.bin", 400, "application/json", dumps(ERR_APIKEY)),
        ("resp-401-unauthorized.bin", 401, "application/json", dumps(ERR_AUTH)),
        ("resp-403-code-instead-of-type.bin", 403, "application/json", dumps(ERR_CODE)),
        ("resp-404-html-error.bin", 404, "text/html; charset=iso-8859-1", "<h1>Not Found</h1>"),
        ("resp-413-plain.bin", 413, "text/plain", "Payload Too Large"),
        ("resp-422-error-not-object.bin", 422, "application/json", dumps({"error": "bad"})),
        ("resp-429-empty-error.bin", 429, "application/json", dumps({"error": {"type": "", "message": ""}})),
        ("resp-500-invalid-utf8.bin", 500, "application/json", b'{"error":{"type":"x","message":"\xff"}}'),
        ("resp-500-duplicate-type.bin", 500, "application/json",
         '{"error":{"type":"a","type":"b","message":"m"}}'),
        ("resp-503-bom.bin", 503, "application/json", "\ufeff" + dumps(ERR_AUTH)),
        ("resp-400-error-type-number.bin", 400, "application/json", dumps({"error": {"type": 1, "message": []}})),
        ("resp-400-error-null-members.bin", 400, "application/json", dumps({"error": {"type": None, "message": True}})),
        ("resp-200-ct-quoted-escape.bin", 200, 'application/json; charset="ut\\"f-8"', dumps(USER)),
        ("resp-200-ct-quoted-unterminated.bin", 200, 'application/json; charset="utf-8', dumps(USER)),
        ("resp-200-ct-quoted-control-escape.bin", 200, 'application/json; charset="a\\\x01"', dumps(USER)),
        ("resp-200-ct-charset-too-long.bin", 200, "application/json; charset=\"" + "x" * 80 + "\"", dumps(USER)),
        ("resp-200-ct-essence-too-long.bin", 200, "application/" + "v" * 140 + "+json", dumps(USER)),
    ]
    return out


def frame_response(status, ctype, body):
    if isinstance(body, str):
        body = body.encode("utf-8")
    # "NNN value"; a bare 200 without a Content-Type is the empty line.
    head = "" if (status == 200 and not ctype) else "%d %s" % (status, ctype)
    return head.encode("utf-8") + b"\0" + body


def field(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    assert len(b) < 256
    return bytes([len(b)]) + b


UNSET, STRING, NULL = 0, 1, 2


def frame_request(base, token=None, version=None, account=None, name=(UNSET,), bio=(UNSET,),
                  username=(UNSET,), pic_id=(UNSET,), pic_upload=(UNSET,), pic_null=False,
                  omit_body=False, raw_body=None, ctype=None, method=None, path=None, scheme=None):
    flags = ((token is not None) * 0x01 | (version is not None) * 0x02 | (account is not None) * 0x04 |
             pic_null * 0x08 | omit_body * 0x10 | (raw_body is not None) * 0x20 |
             (ctype is not None) * 0x40 | (path is not None) * 0x80)
    kinds = name[0] | bio[0] << 2 | username[0] << 4 | pic_id[0] << 6
    more = pic_upload[0] | (method is not None) * 0x04
    out = bytes([flags, kinds, more]) + field(base)
    for v in (token, version, account):
        if v is not None:
            out += field(v)
    for f in (name, bio, username, pic_id, pic_upload):
        if f[0] == STRING:
            out += field(f[1])
    for v in (raw_body, ctype, method, path):
        if v is not None:
            out += field(v)
    if scheme is not None:  # the extension byte: 0x01 auth_scheme
        out += bytes([0x01]) + field(scheme)
    return out


BASE = "http://127.0.0.1:8080/api/v1"
TOKEN = "wc_user_token_with_scope"


def request_seeds():
    S = lambda v: (STRING, v)  # noqa: E731
    N = (NULL,)
    return {
        "req-update-name.bin": frame_request(BASE, TOKEN, "2026-07-01", name=S("Alice")),
        "req-all-fields.bin": frame_request(BASE, TOKEN, "2026-07-01", name=S("Alice"), bio=S("hi"),
                                            username=S("alice"), pic_id=S("file_1"), pic_upload=S("up_1")),
        "req-null-fields.bin": frame_request(BASE, TOKEN, None, name=N, bio=N, pic_null=True),
        "req-account-override.bin": frame_request(BASE + "/", TOKEN, "2026-07-01", account="biz_123 &=?#/%",
                                                  bio=S("override")),
        "req-no-token.bin": frame_request(BASE, None, "2026-07-01", name=S("x")),
        "req-unknown-version.bin": frame_request(BASE, TOKEN, "2099-01-01", username=S("u")),
        "req-version-suffix.bin": frame_request(BASE, TOKEN, "2026-07-08-1", username=S("u")),
        "req-unicode-values.bin": frame_request(BASE, TOKEN, None, name=S("Zoë \u2603 \U0001f600"),
                                                bio=S("tab\tquote\"backslash\\")),
        "req-https-ipv6.bin": frame_request("https://[::1]:8443/", TOKEN, None, name=S("v6")),
        "req-localhost-no-prefix.bin": frame_request("http://localhost:9", TOKEN, None, bio=S("b")),
        "req-raw-body-invalid-json.bin": frame_request(BASE, TOKEN, None, raw_body=b'{"name":', ctype="application/json"),
        "req-raw-body-binary.bin": frame_request(BASE, TOKEN, None, raw_body=b"\x00\xff\x01", ctype="text/plain"),
        "req-omit-body.bin": frame_request(BASE, TOKEN, None, omit_body=True),
        "req-method-get-path.bin": frame_request(BASE, TOKEN, None, method="GET", path="/users/me?x=1"),
        "req-path-dot-segments.bin": frame_request(BASE, TOKEN, None, path="users/../me/./x"),
        "refuse-token-crlf.bin": frame_request(BASE, "tok\r\nX-Injected: 1", None, name=S("x")),
        "refuse-version-lf.bin": frame_request(BASE, TOKEN, "2026-07-01\nX: y", name=S("x")),
        "refuse-account-cr.bin": frame_request(BASE, TOKEN, None, account="a\rb"),
        "refuse-content-type-lf.bin": frame_request(BASE, TOKEN, None, ctype="application/json\nX: 1"),
        "refuse-method-space.bin": frame_request(BASE, TOKEN, None, method="PATCH /evil"),
        "refuse-invalid-utf8-name.bin": frame_request(BASE, TOKEN, None, name=S(b"\xc3\x28")),
        "refuse-base-query.bin": frame_request(BASE + "?a=1", TOKEN, None, name=S("x")),
        "refuse-base-userinfo.bin": frame_request("http://user:pass@127.0.0.1/api/v1", TOKEN, None, name=S("x")),
        "refuse-base-scheme-ftp.bin": frame_request("ftp://127.0.0.1/api/v1", TOKEN, None, name=S("x")),
        "refuse-base-empty.bin": frame_request("", TOKEN, None, name=S("x")),
    }


def url_seeds():
    def f(base, path=None):
        b = base.encode("utf-8")
        return b if path is None else b + b"\0" + path.encode("utf-8")
    return {
        "url-base-prefix.bin": f(BASE),
        "url-base-trailing-slash.bin": f(BASE + "/"),
        "url-base-many-slashes.bin": f(BASE + "///"),
        "url-base-no-path.bin": f("http://127.0.0.1:8080"),
        "url-https-host.bin": f("https://api.example.invalid/api/v1"),
        "url-ipv6-zone.bin": f("http://[fe80::1%25eth0]:80/api"),
        "url-ipv4-mapped-loopback.bin": f("http://[::ffff:127.0.0.1]/api/v1"),
        "url-percent-encoded-prefix.bin": f("http://127.0.0.1/a%2Fb/v1"),
        "url-dot-segments-base.bin": f("http://127.0.0.1/a/../b/./v1"),
        "url-path-explicit.bin": f(BASE, "/users/me"),
        "url-path-query.bin": f(BASE, "users/me?x=1#frag"),
        "url-path-scheme-relative.bin": f(BASE, "//evil.invalid/x"),
        "url-path-space.bin": f(BASE, "users/ me"),
        "refuse-query.bin": f(BASE + "?q=1"),
        "refuse-empty-fragment.bin": f(BASE + "#"),
        "refuse-userinfo.bin": f("http://u:p@127.0.0.1/"),
        "refuse-scheme-file.bin": f("file:///etc/passwd"),
        "refuse-no-scheme.bin": f("127.0.0.1/api"),
        "refuse-empty.bin": f(""),
    }


def regressions():
    """Reproducers of bugs found by fuzzing, replayed by ctest forever
    (those still open are listed in fuzz/known-open.txt)."""
    def f(base, path):
        return base.encode("utf-8") + b"\0" + path.encode("utf-8")
    return {
        "url_join": {
            "crash-path-absolute-url-changes-host.bin": f(BASE, "http://evil.invalid/x"),
            "crash-path-dot-segments-escape-prefix.bin": f(BASE, "../../../etc/passwd"),
            # found by the smoke run: the scheme and host are gone altogether
            "crash-path-file-url-changes-scheme.bin": f("http:/../801", "/file:////HTTP:/t"),
        },
        "request_builder": {
            "crash-path-absolute-url-changes-host.bin":
                frame_request(BASE, TOKEN, None, name=(STRING, "x"), path="HTTP://evil.invalid/users/me"),
        },
    }


def schema_seeds():
    """json_schema: from the JSON-Schema-Test-Suite copy in tests/jsts, per
    group its first test and the first one with the other verdict."""
    out = {}
    base = os.path.join(ROOT, "tests", "jsts", "draft2020-12")
    for dirpath, _, files in os.walk(base):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), base)
            stem = rel[:-5].replace(os.sep, "-")
            formats = 1 if rel.startswith("optional") else 0
            for g, group in enumerate(json.load(open(os.path.join(dirpath, name), encoding="utf-8"))):
                picked, seen = [], set()
                for t, test in enumerate(group["tests"]):
                    if test["valid"] not in seen:
                        seen.add(test["valid"])
                        picked.append((t, test))
                for t, test in picked:
                    data = bytes([formats]) + dumps(group["schema"]).encode("utf-8") + b"\0" + \
                        dumps(test["data"]).encode("utf-8")
                    out["jsts-%s-g%d-t%d-%s.bin" % (stem, g, t, "valid" if test["valid"] else "invalid")] = data
    return out


def spec_seeds():
    fixtures = os.path.join(ROOT, "tests", "fixtures", "spec")
    out = {"spec-real-openapi.yml": open(os.path.join(ROOT, "spec", "openapi.yml"), "rb").read()}
    for name, intent in [
        ("operations.yml", "spec-operations-templates-ranges.yml"),
        ("scalars.yml", "spec-core-schema-scalars.yml"),
        ("alias.yml", "spec-anchors-aliases.yml"),
        ("ref-cycle.yml", "spec-ref-cycles.yml"),
        ("duplicate-key.yml", "bad-duplicate-key.yml"),
        ("nonstring-key-int.yml", "bad-integer-key.yml"),
        ("alias-bomb.yml", "bad-alias-bomb.yml"),
        ("alias-recursive.yml", "bad-recursive-alias.yml"),
        ("merge-key.yml", "bad-merge-key.yml"),
        ("bad-indent.yml", "bad-indentation.yml"),
        ("unclosed-quote.yml", "bad-unclosed-quote.yml"),
        ("two-documents.yml", "bad-two-documents.yml"),
        ("unknown-tag.yml", "bad-unknown-tag.yml"),
    ]:
        out[intent] = open(os.path.join(fixtures, name), "rb").read()
    out["spec-flow-style.yml"] = ('{openapi: 3.1.0, paths: {"/x/{id}": {get: {responses: {"200": '
                                  '{content: {application/json: {schema: {$ref: "#/components/schemas/S"}}}}}}}}, '
                                  'components: {schemas: {S: {type: [string, "null"]}}}}\n')
    out["spec-json-document.yml"] = json.dumps({"openapi": "3.1.0", "paths": {}})
    out["spec-percent-pointer-ref.yml"] = ("openapi: 3.1.0\na:\n  $ref: '#/b%20c/d~1e'\n"
                                           "'b c':\n  d/e: {x: 1}\n")
    out["spec-directive-and-tags.yml"] = "%YAML 1.2\n---\n!!map\nopenapi: !!str 3.1.0\nn: !!int 0x1F\n...\n"
    return out


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "corpus")
    docs = json_seeds()
    for name, data in docs.items():
        write(corpus, "json_strict", name, data)
    for name, data in docs.items():
        if name.startswith(("user-", "error-")) or name in ("defect-duplicate-key.json", "defect-bom.json"):
            write(corpus, "user_validator", name, data)
    for name, status, ctype, body in response_seeds():
        write(corpus, "response_parser", name, frame_response(status, ctype, body))
    for name, data in schema_seeds().items():
        write(corpus, "json_schema", name, data)
    for name, data in request_seeds().items():
        write(corpus, "request_builder", name, data)
    for name, data in url_seeds().items():
        write(corpus, "url_join", name, data)
    for name, data in spec_seeds().items():
        write(corpus, "spec_loader", name, data)
    for target in ("spec_loader", "json_strict", "user_validator", "json_schema", "response_parser",
                   "request_builder", "url_join"):
        os.makedirs(os.path.join(corpus, "regressions", target), exist_ok=True)
    for target, files in regressions().items():
        for name, data in files.items():
            write(os.path.join(corpus, "regressions"), target, name, data)
    print("gen_seeds: hand-made seeds written to %s" % corpus)


if __name__ == "__main__":
    main()
