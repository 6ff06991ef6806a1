#!/usr/bin/env python3
"""Seeds for the request builder and the response parser that reach what the
first hand-made set (fuzz/gen_seeds.py) does not: the Authorization scheme
knob, header refusals of every kind, base URLs and paths curl or the builder
refuse, the status-000 framing, media-type parameter corners and every shape
of a broken error envelope. Run by fuzz/gen_seeds.sh; python3 stdlib only.

  python3 fuzz/gen_seeds_builder.py CORPUS_DIR

Writes CORPUS_DIR/request_builder/<name> and CORPUS_DIR/response_parser/<name>,
one file per intent, overwriting only its own names (idempotent). Framings
are those of docs/fuzzing.md.
"""
import os
import sys


# The framings and writers are gen_seeds.py's: one definition of each.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_seeds import BASE, NULL, STRING, TOKEN, dumps, frame_request, write  # noqa: E402


# ---- request_builder ----

def request_seeds():
    S = lambda v: (STRING, v)  # noqa: E731
    N = (NULL,)
    return {
        # Authorization scheme knob (the extension byte).
        "req-auth-scheme-basic.bin": frame_request(BASE, TOKEN, "2026-07-01", name=S("x"), scheme="Basic"),
        "req-auth-scheme-empty-token-alone.bin": frame_request(BASE, TOKEN, None, name=S("x"), scheme=""),
        "req-auth-scheme-bearer-explicit.bin": frame_request(BASE, TOKEN, None, bio=S("b"), scheme="Bearer"),
        "req-auth-scheme-without-token.bin": frame_request(BASE, None, None, name=S("x"), scheme="Basic"),
        "req-auth-scheme-lowercase-bearer.bin": frame_request(BASE, "tok_short", None, omit_body=True,
                                                              scheme="bearer"),
        "refuse-auth-scheme-crlf.bin": frame_request(BASE, TOKEN, None, name=S("x"),
                                                     scheme="Basic\r\nX-Injected: 1"),
        "refuse-auth-scheme-lf.bin": frame_request(BASE, TOKEN, None, name=S("x"), scheme="Bea\nrer"),
        # Header refusals, LF and CR variants of each field.
        "refuse-token-lf.bin": frame_request(BASE, "tok\nX: 1", None, name=S("x")),
        "refuse-version-cr.bin": frame_request(BASE, TOKEN, "2026-07-01\r", name=S("x")),
        "refuse-account-id-lf.bin": frame_request(BASE, TOKEN, None, account="biz\n1"),
        "refuse-content-type-cr.bin": frame_request(BASE, TOKEN, None, ctype="application/json\r"),
        "refuse-method-empty.bin": frame_request(BASE, TOKEN, None, method=""),
        # account_id values.
        "req-account-id-with-space.bin": frame_request(BASE, TOKEN, None, account="biz 123", name=S("x")),
        "req-account-id-empty.bin": frame_request(BASE, TOKEN, None, account="", name=S("x")),
        "req-account-id-utf8-and-reserved.bin": frame_request(BASE, TOKEN, None, account="\u00e9+:@!$'()*,;[]%",
                                                              omit_body=True),
        "req-account-id-with-path.bin": frame_request(BASE, TOKEN, None, account="biz_1", method="GET",
                                                      path="/users/me/x", omit_body=True),
        # Body fields: invalid UTF-8 in every field, null picture members.
        "refuse-invalid-utf8-bio-overlong.bin": frame_request(BASE, TOKEN, None, bio=S(b"\xe0\x80\xaf")),
        "refuse-invalid-utf8-username-surrogate.bin": frame_request(BASE, TOKEN, None,
                                                                    username=S(b"\xed\xa0\x80")),
        "refuse-invalid-utf8-picture-id-truncated.bin": frame_request(BASE, TOKEN, None,
                                                                      pic_id=S(b"file_\xf0\x9f\x98")),
        "refuse-invalid-utf8-upload-id-above-max.bin": frame_request(BASE, TOKEN, None,
                                                                     pic_upload=S(b"\xf4\x90\x80\x80")),
        "refuse-invalid-utf8-name-lone-continuation.bin": frame_request(BASE, TOKEN, None, name=S(b"a\x80")),
        "req-picture-members-null.bin": frame_request(BASE, TOKEN, None, pic_id=N, pic_upload=N),
        "req-picture-upload-only.bin": frame_request(BASE, TOKEN, None, pic_upload=S("up_1"), pic_null=True),
        "req-utf8-four-byte-and-three-byte.bin": frame_request(BASE, TOKEN, None,
                                                               username=S("\u20ac\U0010ffff\u07ff")),
        "req-empty-body-object.bin": frame_request(BASE, TOKEN, None),
        "req-content-type-empty-no-header.bin": frame_request(BASE, TOKEN, None, name=S("x"), ctype=""),
        "req-raw-body-empty.bin": frame_request(BASE, None, None, raw_body=b""),
        # Base URLs the builder or curl refuse.
        "refuse-base-fragment.bin": frame_request(BASE + "#frag", TOKEN, None, name=S("x")),
        "refuse-base-empty-query.bin": frame_request(BASE + "?", TOKEN, None, name=S("x")),
        "refuse-base-no-host-after-scheme.bin": frame_request("http:///api/v1", TOKEN, None, name=S("x")),
        "refuse-base-no-scheme.bin": frame_request("127.0.0.1:8080/api", TOKEN, None, name=S("x")),
        "refuse-base-unparsable.bin": frame_request("http://[::1/api", TOKEN, None, name=S("x")),
        "refuse-base-empty-host-port.bin": frame_request("http://:8080/api", TOKEN, None, name=S("x")),
        "refuse-base-host-percent-encoded.bin": frame_request("http://127.0.0.%31/api", TOKEN, None,
                                                              name=S("x")),
        "refuse-base-path-dot-segment.bin": frame_request("http://127.0.0.1/api/../v1", TOKEN, None,
                                                          name=S("x")),
        "refuse-base-user-only.bin": frame_request("https://user@127.0.0.1/", TOKEN, None, name=S("x")),
        "req-base-uppercase-scheme-host.bin": frame_request("HTTP://LOCALHOST:8080/Api", TOKEN, None,
                                                            name=S("x")),
        "req-base-single-slash.bin": frame_request("http:/127.0.0.1/api", TOKEN, None, name=S("x")),
        "req-base-trailing-slashes.bin": frame_request("http://127.0.0.1/api//", TOKEN, None, name=S("x")),
        # Request paths.
        "refuse-path-colon-absolute-url.bin": frame_request(BASE, TOKEN, None, path="http://evil.invalid/x"),
        "refuse-path-escaped-dot.bin": frame_request(BASE, TOKEN, None, path="/users/%2e%2E/x"),
        "refuse-path-escaped-slash.bin": frame_request(BASE, TOKEN, None, path="/users%2Fme"),
        "refuse-path-bad-escape.bin": frame_request(BASE, TOKEN, None, path="/users/%zz"),
        "refuse-path-backslash.bin": frame_request(BASE, TOKEN, None, path="/users\\me"),
        "refuse-path-query.bin": frame_request(BASE, TOKEN, None, path="/users/me?x=1"),
        "refuse-path-double-dot-last.bin": frame_request(BASE, TOKEN, None, path="/users/.."),
        "req-path-empty.bin": frame_request(BASE, TOKEN, None, path="", omit_body=True),
        "req-path-root-only.bin": frame_request(BASE, TOKEN, None, path="/", omit_body=True),
        "req-path-pchars-and-escapes.bin": frame_request(BASE, TOKEN, None, path="/u-._~!$&'()*+,;=@/%41b/...",
                                                         omit_body=True),
        "req-method-custom-token.bin": frame_request(BASE, TOKEN, None, method="X-CUSTOM!#$%&'*+-.^_`|~"),
    }


# ---- response_parser ----

def frame_response(status, ctype, body):
    """status None = no status prefix (200); "000" = no status line arrived."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    head = ctype if status is None else "%s %s" % (status, ctype)
    return head.encode("utf-8") + b"\0" + body


ERR = {"error": {"type": "invalid_parameters", "message": "bad"}}


def response_seeds():
    return [
        # No status line: wc_response_from_exchange without an exchange.
        ("resp-000-no-response.bin", "000", "", ""),
        ("resp-000-no-response-with-body.bin", "000", "application/json", dumps(ERR)),
        # Media-type parameters.
        ("resp-200-content-type-charset-quoted.bin", None, 'application/json; charset="utf-8"', dumps(ERR)),
        ("resp-200-content-type-param-quoted-not-charset.bin", None,
         'application/json; foo="a \\"b\\" ; c"; charset=utf-8', "{}"),
        ("resp-200-content-type-empty-params.bin", None, "application/json;;charset=utf-8;", "{}"),
        ("resp-200-content-type-ows-everywhere.bin", None, " \tapplication/json \t; \tcharset=UTF-8 \t", "{}"),
        ("resp-200-content-type-param-no-value.bin", None, "application/json; charset=", "{}"),
        ("resp-200-content-type-param-no-equals.bin", None, "application/json; charset", "{}"),
        ("resp-200-content-type-param-name-empty.bin", None, "application/json; =utf-8", "{}"),
        ("resp-200-content-type-junk-after-type.bin", None, "application/json x", "{}"),
        ("resp-200-content-type-no-subtype-slash.bin", None, "application", "{}"),
        ("resp-200-content-type-no-type.bin", None, "/json", "{}"),
        ("resp-200-content-type-plus-json-suffix.bin", None, "application/problem+json", dumps(ERR)),
        ("resp-200-content-type-json-lookalike.bin", None, "application/jsonx", "{}"),
        ("resp-200-content-type-charset-token-too-long.bin", None, "application/json; charset=" + "u" * 70, "{}"),
        ("resp-200-content-type-quoted-tab-and-obs-text.bin", None,
         'application/json; charset="a\tb\\\t\u00e9"', "{}"),
        ("resp-200-content-type-quoted-del-escape.bin", None, 'application/json; charset="a\\\x7f"', "{}"),
        ("resp-200-content-type-quoted-bare-del.bin", None, 'application/json; charset="a\x7f"', "{}"),
        ("resp-200-content-type-whitespace-only.bin", None, "   ", "{}"),
        # Bodies that are not JSON.
        ("resp-200-body-not-json-text.bin", None, "application/json", "not json"),
        ("resp-500-body-truncated-json.bin", "500", "application/json", '{"error":{"type":"x"'),
        # Envelope shapes.
        ("resp-400-envelope-root-array.bin", "400", "application/json", "[1,2]"),
        ("resp-400-envelope-root-string.bin", "400", "application/json", '"error"'),
        ("resp-400-envelope-no-error-member.bin", "400", "application/json", dumps({"message": "m"})),
        ("resp-400-envelope-error-array.bin", "400", "application/json", dumps({"error": []})),
        ("resp-400-envelope-error-null.bin", "400", "application/json", dumps({"error": None})),
        ("resp-400-envelope-error-number.bin", "400", "application/json", dumps({"error": 4})),
        ("resp-400-envelope-error-true.bin", "400", "application/json", dumps({"error": True})),
        ("resp-400-envelope-code-object-instead-of-type.bin", "400", "application/json",
         dumps({"error": {"code": {"id": 1}, "message": "m"}})),
        ("resp-400-envelope-code-array-no-message.bin", "400", "application/json",
         dumps({"error": {"code": [1]}})),
        ("resp-400-envelope-code-null-message-empty.bin", "400", "application/json",
         dumps({"error": {"code": None, "message": ""}})),
        ("resp-400-envelope-code-bool-message-number.bin", "400", "application/json",
         dumps({"error": {"code": False, "message": 7}})),
        ("resp-400-envelope-type-object.bin", "400", "application/json",
         dumps({"error": {"type": {}, "message": {}}})),
        ("resp-400-envelope-type-array-message-null.bin", "400", "application/json",
         dumps({"error": {"type": ["x"], "message": None}})),
        ("resp-400-envelope-type-false-message-missing.bin", "400", "application/json",
         dumps({"error": {"type": False}})),
        ("resp-400-envelope-empty-error-object.bin", "400", "application/json", dumps({"error": {}})),
        ("resp-400-envelope-type-empty-message-ok.bin", "400", "application/json",
         dumps({"error": {"type": "", "message": "m"}})),
        ("resp-400-envelope-type-ok-message-empty.bin", "400", "application/json",
         dumps({"error": {"type": "t", "message": ""}})),
        ("resp-100-informational-status.bin", "100", "application/json", dumps(ERR)),
        ("resp-599-highest-status.bin", "599", "", dumps(ERR)),
        ("resp-204-no-content.bin", "204", "", ""),
    ]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_seeds_builder.py CORPUS_DIR")
    corpus = sys.argv[1]
    seeds = request_seeds()
    for name, data in seeds.items():
        write(corpus, "request_builder", name, data)
    responses = response_seeds()
    for name, status, ctype, body in responses:
        write(corpus, "response_parser", name, frame_response(status, ctype, body))
    print("gen_seeds_builder: %d request_builder and %d response_parser seeds in %s" %
          (len(seeds), len(responses), corpus))


if __name__ == "__main__":
    main()
