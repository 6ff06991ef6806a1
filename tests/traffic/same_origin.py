#!/usr/bin/env python3
"""Serves the browser test's page and forwards /api/... unchanged to
`whopconf serve`, so the page's fetch() is same-origin (no CORS preflight)
and the reference server stays as it is.

usage: same_origin.py PAGE_FILE UPSTREAM_BASE_URL PORT_FILE
Listens on 127.0.0.1 (an ephemeral port, written to PORT_FILE); stops after
120 s in any case.
"""
import http.client
import http.server
import sys
import threading
import urllib.parse

page_file, upstream, port_file = sys.argv[1:4]
up = urllib.parse.urlsplit(upstream)
assert up.hostname in ("127.0.0.1", "::1"), "loopback only"
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
       "proxy-connection", "host", "content-length"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/api/"):
            return self.forward()
        body = open(page_file, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=10)
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_PATCH = forward
    do_POST = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
threading.Timer(120, server.shutdown).start()
server.serve_forever()
