"""The sample service Gantry deploys: a tiny HTTP server on 127.0.0.1:$PORT (python3 standard library only).

GET /healthz answers 200 "ok" (503 when HELLO_UNHEALTHY=1); GET / answers "hello from <HELLO_MESSAGE>".
HELLO_FAIL_RATE (0..1) makes that share of requests answer 500 and HELLO_DELAY_MS adds latency to each one, so a
canary can be made to fail or to slow down on purpose.
"""

import os
import random
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def number(name, default, low, high):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        sys.exit(f"hello-service: {name} must be a number, got {text!r}")
    if not low <= value <= high:
        sys.exit(f"hello-service: {name} must be between {low} and {high}, got {text!r}")
    return value


if not os.environ.get("PORT", "").strip():
    sys.exit("hello-service: PORT is not set; Gantry sets it to the port this instance must listen on")
PORT = int(number("PORT", 0, 1, 65535))
MESSAGE = os.environ.get("HELLO_MESSAGE") or "hello"
UNHEALTHY = os.environ.get("HELLO_UNHEALTHY") == "1"
FAIL_RATE = number("HELLO_FAIL_RATE", 0.0, 0.0, 1.0)
DELAY = number("HELLO_DELAY_MS", 0.0, 0.0, 600_000.0) / 1000.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hello-service"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            # health checks are neither delayed nor failed: HELLO_FAIL_RATE makes a bad canary, not a dead one
            if UNHEALTHY:
                self.answer(503, "unhealthy\n")
            else:
                self.answer(200, "ok\n")
            return
        if DELAY:
            time.sleep(DELAY)
        if FAIL_RATE and random.random() < FAIL_RATE:
            self.answer(500, "failed on purpose (HELLO_FAIL_RATE)\n")
        elif path == "/":
            self.answer(200, f"hello from {MESSAGE}\n")
        else:
            self.answer(404, "not found\n")

    def answer(self, status, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        # one line per request would drown the instance log; errors still reach stderr through log_error
        pass

    def log_error(self, format, *args):
        sys.stderr.write("hello-service: " + (format % args) + "\n")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    # SIGTERM (how Gantry stops an instance) ends the process at once and cleanly, with exit status 0
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(f"hello-service: listening on 127.0.0.1:{PORT}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
