#!/usr/bin/env python3
"""Seeds from real responses of the reference server (run by gen_seeds.sh).

  gen_seeds_refserver.py WHOPCONF CORPUS_DIR

Starts `WHOPCONF serve` on loopback without a fault and then with each
conformance fault (transport faults are skipped: they answer slowly or not
at all), sends the same handful of requests to each, and writes what came
back:
  corpus/response_parser/resp-<status>-<scenario>[-<fault>].bin
      ("<status> <content-type>" NUL body, the target's framing)
  corpus/user_validator/ and corpus/json_strict/ the same name with .json
      (bodies that start like JSON)
A faulty server's answer is kept only when it differs from the clean one,
and only its first answer of each status (the rest repeat the same fault).
Files written last time (listed in fuzz/refserver-seeds.txt) are removed
first. Every request goes to 127.0.0.1 only, with a 5 s timeout.
"""
import hashlib
import http.client
import os
import subprocess
import sys
import urllib.parse

USER_TOKEN = "wc_user_token_with_scope"
NO_SCOPE = "wc_user_token_without_scope"
API_KEY = "wc_api_key"
LATEST = "2026-07-01"
MAX_BODY = 64 * 1024

# name -> (method, path suffix, headers, body)
SCENARIOS = [
    ("update-latest", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST},
     b'{"name":"Alice","bio":"hello"}'),
    ("update-unversioned", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN}, b'{"bio":"plain"}'),
    ("update-2026-06-08", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": "2026-06-08"},
     b'{"username":"alice2"}'),
    ("update-emoji", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST},
     '{"name":"Zo\u00eb \U0001f600"}'.encode("utf-8")),
    ("update-empty-object", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST}, b"{}"),
    ("account-override", "PATCH", "?account_id=biz_123",
     {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST}, b'{"bio":"override"}'),
    ("unknown-version", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": "2099-01-01"},
     b'{"name":"x"}'),
    ("api-key-global-profile", "PATCH", "", {"Authorization": "Bearer " + API_KEY, "Api-Version-Date": LATEST},
     b'{"name":"x"}'),
    ("no-auth", "PATCH", "", {"Api-Version-Date": LATEST}, b'{"name":"x"}'),
    ("no-scope", "PATCH", "", {"Authorization": "Bearer " + NO_SCOPE, "Api-Version-Date": LATEST}, b'{"name":"x"}'),
    ("invalid-body", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST}, b'{"name":'),
    ("name-not-string", "PATCH", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST},
     b'{"name":42}'),
    ("wrong-method", "DELETE", "", {"Authorization": "Bearer " + USER_TOKEN, "Api-Version-Date": LATEST}, None),
    ("wrong-path", "PATCH", "/../users/you", {"Authorization": "Bearer " + USER_TOKEN}, b"{}"),
]


def start(whopconf, fault):
    args = [whopconf, "serve"] + (["--fault", fault] if fault else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().strip()
    if not base.startswith("http://127.") and not base.startswith("http://[::1]"):
        proc.terminate()
        proc.wait(timeout=10)
        raise RuntimeError("serve printed %r, not a loopback base URL" % base)
    return proc, base


def exchange(base, scenario):
    name, method, suffix, headers, body = scenario
    url = urllib.parse.urlsplit(base)
    path = url.path.rstrip("/") + "/users/me" + suffix
    if suffix.startswith("/"):
        path = url.path.rstrip("/") + suffix
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    try:
        h = dict(headers)
        if body is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read(MAX_BODY + 1)
        return resp.status, resp.getheader("Content-Type") or "", data
    finally:
        conn.close()


def write(corpus, target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "refserver-seeds.txt")


def main():
    whopconf, corpus = sys.argv[1], sys.argv[2]
    if os.path.exists(MANIFEST):
        for line in open(MANIFEST):
            path = os.path.join(corpus, line.strip())
            if line.strip() and os.path.isfile(path):
                os.remove(path)
    manifest = []
    listing = subprocess.run([whopconf, "serve", "--list-faults"], capture_output=True, text=True,
                             timeout=30).stdout
    faults = [line.split()[0] for line in listing.splitlines()
              if len(line.split()) > 2 and line.split()[2] == "conformance"]
    baseline = {}
    written = 0
    for fault in [None] + faults:
        try:
            proc, base = start(whopconf, fault)
        except Exception as e:  # noqa: BLE001 - report and go on with the next fault
            print("gen_seeds: %s: %s" % (fault or "no fault", e))
            continue
        kept_statuses = set()
        try:
            for scenario in SCENARIOS:
                try:
                    status, ctype, body = exchange(base, scenario)
                except Exception:  # noqa: BLE001 - a fault may break the exchange
                    continue
                if len(body) > MAX_BODY:
                    continue
                key = hashlib.sha1(("%d %s" % (status, ctype)).encode() + b"\0" + body).hexdigest()
                if fault is None:
                    baseline[scenario[0]] = key
                elif baseline.get(scenario[0]) == key or status in kept_statuses:
                    continue
                kept_statuses.add(status)
                stem = "resp-%d-%s%s" % (status, scenario[0], "-" + fault if fault else "")
                framed = ("%d %s" % (status, ctype)).encode("latin-1") + b"\0" + body
                write(corpus, "response_parser", stem + ".bin", framed)
                manifest.append("response_parser/" + stem + ".bin")
                if body.lstrip()[:1] in (b"{", b"["):
                    for target in ("user_validator", "json_strict"):
                        write(corpus, target, stem + ".json", body)
                        manifest.append(target + "/" + stem + ".json")
                written += 1
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    with open(MANIFEST, "w") as f:
        f.write("# Seeds written by fuzz/gen_seeds_refserver.py (replaced on each run)\n")
        f.write("".join(m + "\n" for m in sorted(manifest)))
    print("gen_seeds: %d responses of the reference server written (%d faults)" % (written, len(faults)))


if __name__ == "__main__":
    main()
