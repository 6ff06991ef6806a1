#!/usr/bin/env python3
"""A small HTTP client that records what it sends and receives as HAR 1.2
and as whopconf's NDJSON exchange log: the traffic of a client whopconf did
not write, for `whopconf check` tests.

usage: record.py BASE_URL SCENARIO OUT.har OUT.ndjson
BASE_URL is loopback (whopconf serve's first line). SCENARIO:
  clean       conforming requests (pinned latest, unversioned, older version)
  client-bugs a wrong member type, a token in the query string, no body
"""
import base64
import datetime
import http.client
import json
import sys
import time
import urllib.parse

TOKEN = "wc_user_token_with_scope"


def scenario(name):
    auth = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    if name == "clean":
        return [
            ("", dict(auth, **{"Api-Version-Date": "2026-07-01"}), b'{"name":"Ada"}'),
            ("", dict(auth), b'{"bio":"hello"}'),
            ("", dict(auth, **{"Api-Version-Date": "2026-06-08"}), b"{}"),
            ("", dict(auth, **{"Api-Version-Date": "2026-07-01"}), b'{"username":"ada_l"}'),
        ]
    if name == "client-bugs":
        return [
            ("", dict(auth, **{"Api-Version-Date": "2026-07-01"}), b'{"name":5}'),
            ("?access_token=" + TOKEN, dict(auth, **{"Api-Version-Date": "2026-07-01"}), b'{"bio":"x"}'),
            ("", dict(auth, **{"Api-Version-Date": "2026-07-01"}), None),
        ]
    raise SystemExit("unknown scenario " + name)


def main():
    base, name, har_path, ndjson_path = sys.argv[1:5]
    u = urllib.parse.urlsplit(base)
    assert u.hostname in ("127.0.0.1", "::1", "localhost"), "loopback only"
    entries, lines = [], []
    for query, headers, body in scenario(name):
        path = u.path.rstrip("/") + "/users/me" + query
        url = "%s://%s%s" % (u.scheme, u.netloc, path)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        started = datetime.datetime.now(datetime.timezone.utc)
        t0 = time.monotonic()
        conn.request("PATCH", path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        ms = (time.monotonic() - t0) * 1000.0
        conn.close()
        req_headers = [{"name": k, "value": v} for k, v in headers.items()]
        resp_headers = [{"name": k, "value": v} for k, v in resp.getheaders()]
        stamp = started.isoformat().replace("+00:00", "Z")
        entry = {
            "startedDateTime": stamp,
            "time": ms,
            "request": {"method": "PATCH", "url": url, "httpVersion": "HTTP/1.1", "headers": req_headers,
                        "queryString": [], "cookies": [], "headersSize": -1,
                        "bodySize": len(body) if body is not None else 0},
            "response": {"status": resp.status, "statusText": resp.reason, "httpVersion": "HTTP/1.1",
                         "headers": resp_headers, "cookies": [], "redirectURL": "", "headersSize": -1,
                         "bodySize": len(data),
                         # base64, as mitmproxy writes bodies it will not show as text
                         "content": {"size": len(data), "mimeType": resp.getheader("Content-Type", ""),
                                     "text": base64.b64encode(data).decode(), "encoding": "base64"}},
            "cache": {}, "timings": {"send": 0, "wait": ms, "receive": 0},
        }
        if body is not None:
            entry["request"]["postData"] = {"mimeType": "application/json", "text": body.decode()}
        entries.append(entry)
        lines.append(json.dumps({
            "started_at": stamp, "time_ms": ms,
            "request": {"method": "PATCH", "url": url, "headers": req_headers,
                        "body": body.decode() if body is not None else None},
            "response": {"status": resp.status, "headers": resp_headers, "body": data.decode("utf-8", "replace")},
            "error": None}))
    har = {"log": {"version": "1.2", "creator": {"name": "record.py", "version": "1"}, "pages": [],
                   "entries": entries}}
    with open(har_path, "w") as f:
        json.dump(har, f, indent=2)
    with open(ndjson_path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
