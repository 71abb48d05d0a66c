#!/usr/bin/env python3
"""A webhook receiver for ExfilWatch's tests: a real HTTP server on 127.0.0.1.

It answers requests (over HTTPS with --tls-cert) in the order of --answers (then 200 for the rest), verifies the
X-ExfilWatch-Signature of every request with --secret, and appends one JSON line per
request to --log: arrival time, path, headers, body, whether the signature holds, what it
answered. It prints its port on the first line of standard output once it listens.

Answers: 200, 500, 400, ... (a status; a 3xx points to /moved), 429:2 or 503:2 (the status
with Retry-After: 2), hang (accept the request and never answer).
"""
import argparse
import ssl
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--answers", default="")
parser.add_argument("--secret", default="")
parser.add_argument("--log", required=True)
parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM, key included)")
options = parser.parse_args()

answers = [answer for answer in options.answers.split(",") if answer]
lock = threading.Lock()
served = 0


def signature_holds(headers, body):
    if not options.secret:
        return None
    timestamp = headers.get("X-ExfilWatch-Timestamp", "")
    given = headers.get("X-ExfilWatch-Signature", "")
    expected = "v1=" + hmac.new(
        options.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(given, expected)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global served
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            answer = answers[served] if served < len(answers) else "200"
            served += 1
            record = {
                "time": time.time(),
                "path": self.path,
                "headers": {name: value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "signature_valid": signature_holds(self.headers, body),
                "answer": answer,
            }
            with open(options.log, "a") as log:
                log.write(json.dumps(record) + "\n")
        if answer == "hang":
            time.sleep(3600)
            return
        status, _, retry_after = answer.partition(":")
        reply = b'{"ok":true}' if status.startswith("2") else b"invalid_payload"
        self.send_response(int(status))
        if retry_after:
            self.send_header("Retry-After", retry_after)
        if status.startswith("3"):
            self.send_header("Location", "/moved")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
server.daemon_threads = True
if options.tls_cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(options.tls_cert)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
