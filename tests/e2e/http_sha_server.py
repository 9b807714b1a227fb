#!/usr/bin/env python3
"""HTTP server for the TUN e2e tests, on 0.0.0.0:PORT:
  GET /        -> "NAME\\n"
  GET /FILE    -> the file from ROOT
  POST /any    -> "NAME SHA256\\n" of the request body (uploads checked end to end)
Every answer carries the header "X-Server: NAME", so a client can tell which
real server answered a download. Prints "ready" once it listens.
Usage: http_sha_server.py NAME PORT ROOT
"""
import hashlib
import http.server
import sys

name, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def end_headers(self):
        self.send_header("X-Server", name)
        super().end_headers()

    def _text(self, body):
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/":
            self._text(name + "\n")
        else:
            super().do_GET()

    def do_POST(self):
        left = int(self.headers.get("Content-Length", "0"))
        h = hashlib.sha256()
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        self._text("%s %s\n" % (name, h.hexdigest()))

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Handler)
server.daemon_threads = True
print("ready", flush=True)
server.serve_forever()
