#!/usr/bin/env python3
"""A webhook receiver for portd that verifies every delivery the Standard Webhooks way.

Standard library only; a starting point for your own receiver, and what portd's end-to-end test
runs against the real daemon. Verification follows the specification
(https://www.standardwebhooks.com, "Verifying webhook authenticity") step by step:

  1. the key is the base64-decoding of the secret after its "whsec_" prefix, exactly as the
     `standardwebhooks` libraries take a secret;
  2. the signed content is "<webhook-id>.<webhook-timestamp>.<body>", the body as received
     (bytes, never re-serialised JSON);
  3. the expected signature is base64(HMAC-SHA256(key, content)); the webhook-signature header
     holds space-separated "v1,<base64>" entries (several while the sender rotates secrets):
     one must match, compared in constant time;
  4. webhook-timestamp must be within 5 minutes of now (replays of old messages are refused).

A verified delivery is answered 204 and printed as one JSON line on stdout:
  {"id": "evt_17", "verified": true, "type": "order.state_changed", "body": {...}}
A delivery that fails is answered 401 and printed with "verified": false and "why".
Remember the webhook-ids you have handled: portd delivers at least once.

Usage:
  WEBHOOK_SECRET_FILE=/etc/crm/portd-webhook-secret webhook-receiver.py --listen 127.0.0.1:8080
  (or --secret-file PATH; the secret is never taken on the command line, where ps shows it)
The first line on stdout is "listening on http://HOST:PORT/" (port 0 picks a free one).
"""
import argparse
import base64
import binascii
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"
_output = threading.Lock()  # deliveries are handled on several threads: one whole line each


def emit(record):
    line = json.dumps(record) + "\n"
    with _output:
        sys.stdout.write(line)
        sys.stdout.flush()


def signing_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret, as the standardwebhooks libraries derive it."""
    if secret.startswith(SECRET_PREFIX):
        secret = secret[len(SECRET_PREFIX):]
    key = base64.b64decode(secret, validate=True)
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def verify(key: bytes, headers, body: bytes, now=None):
    """None when the delivery is authentic, else why not. `headers`: a case-insensitive mapping."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "webhook-timestamp is not an integer"
    now = time.time() if now is None else now
    if sent_at < now - TOLERANCE_SECONDS:
        return "message timestamp too old"
    if sent_at > now + TOLERANCE_SECONDS:
        return "message timestamp too new"
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = hmac.new(key, content, hashlib.sha256).digest()
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version != "v1":
            continue  # another scheme (v1a: asymmetric) is not ours to check
        try:
            candidate = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, candidate):
            return None
    return "no matching signature"


def make_handler(key: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            why = verify(key, self.headers, body)
            record = {"id": self.headers.get("webhook-id"), "verified": why is None}
            if why is None:
                payload = json.loads(body)
                record["type"] = payload.get("type") if isinstance(payload, dict) else None
                record["body"] = payload
            else:
                record["why"] = why
            emit(record)
            self.send_response(204 if why is None else 401)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # the JSON lines are the log
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:8080", help="host:port (port 0: any free port)")
    parser.add_argument("--secret-file", default=os.environ.get("WEBHOOK_SECRET_FILE"),
                        help="file holding the whsec_ secret (default: $WEBHOOK_SECRET_FILE)")
    args = parser.parse_args()
    if not args.secret_file:
        parser.error("give --secret-file or WEBHOOK_SECRET_FILE")
    with open(args.secret_file, encoding="ascii") as f:
        key = signing_key(f.readline().strip())  # the first line: the newest secret
    host, _, port = args.listen.rpartition(":")
    server = http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)), make_handler(key))
    print("listening on http://%s:%d/" % server.server_address[:2], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
