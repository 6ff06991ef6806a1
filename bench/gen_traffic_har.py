#!/usr/bin/env python3
"""Writes a large HAR 1.2 capture for the `whopconf check` benchmark.

usage: gen_traffic_har.py SIZE_MB OUT.har

Entries look like a browser session (Chromium-style headers): three in four
are PATCH /api/v1/users/me with a JSON body and the reference server's
answer (pinned to 2026-07-01: the full User; or unversioned), one in four a
GET of a static asset whose text is in the capture. Deterministic: the same
size gives the same bytes.
"""
import json
import sys

size = int(sys.argv[1]) << 20
out = sys.argv[2]
user = json.load(open(__file__.rsplit("/", 1)[0] + "/user_typical.json"))
browser_headers = [
    {"name": "sec-ch-ua", "value": "\"Chromium\";v=\"120\", \"Not?A_Brand\";v=\"24\""},
    {"name": "sec-ch-ua-mobile", "value": "?0"},
    {"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"},
    {"name": "sec-ch-ua-platform", "value": "\"Linux\""},
    {"name": "Referer", "value": "http://127.0.0.1:8080/settings/profile"},
]
resp_headers = [{"name": "Content-Type", "value": "application/json; charset=utf-8"},
                {"name": "Date", "value": "Tue, 02 Jan 2026 03:04:05 GMT"},
                {"name": "Content-Length", "value": "0"}]
asset = "/* app bundle */ " + "function f(a,b){return a+b}\n" * 60


def entry(i):
    if i % 4 == 3:
        return {"startedDateTime": "2026-01-02T03:04:05.000Z", "time": 1.2,
                "request": {"method": "GET", "url": "http://127.0.0.1:8080/static/app.%d.js" % i,
                            "httpVersion": "HTTP/1.1", "headers": browser_headers, "queryString": [],
                            "cookies": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                             "headers": [{"name": "Content-Type", "value": "text/javascript"}], "cookies": [],
                             "content": {"size": len(asset), "mimeType": "text/javascript", "text": asset},
                             "redirectURL": "", "headersSize": -1, "bodySize": len(asset)},
                "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}
    pinned = i % 2 == 0
    u = dict(user, name="Ada %d" % i)
    if not pinned:
        u = {"id": user["id"], "username": user["username"], "name": "Ada %d" % i, "bio": user["bio"]}
    body = json.dumps({"name": "Ada %d" % i}, separators=(",", ":"))
    text = json.dumps(u, separators=(",", ":"))
    headers = browser_headers + [{"name": "Authorization", "value": "Bearer wc_user_token_with_scope"},
                                 {"name": "Content-Type", "value": "application/json"}]
    if pinned:
        headers = headers + [{"name": "Api-Version-Date", "value": "2026-07-01"}]
    return {"startedDateTime": "2026-01-02T03:04:05.000Z", "time": 2.5,
            "request": {"method": "PATCH", "url": "http://127.0.0.1:8080/api/v1/users/me", "httpVersion": "HTTP/1.1",
                        "headers": headers, "queryString": [], "cookies": [], "headersSize": -1,
                        "bodySize": len(body), "postData": {"mimeType": "application/json", "text": body}},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": resp_headers,
                         "cookies": [], "content": {"size": len(text), "mimeType": "application/json", "text": text},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(text)},
            "cache": {}, "timings": {"send": 0, "wait": 2, "receive": 0}}


with open(out, "w") as f:
    f.write('{"log":{"version":"1.2","creator":{"name":"gen_traffic_har.py","version":"1"},"pages":[],"entries":[\n')
    written, i = 0, 0
    while written < size:
        s = ("," if i else "") + json.dumps(entry(i), separators=(",", ":")) + "\n"
        f.write(s)
        written += len(s)
        i += 1
    f.write("]}}\n")
print("%s: %d entries, %d bytes" % (out, i, written))
