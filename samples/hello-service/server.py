"""The sample service Gantry deploys: a tiny HTTP server on 127.0.0.1:$PORT (python3 standard library only).

GET /healthz answers 200 "ok" (503 when HELLO_UNHEALTHY=1); GET / answers "hello from <HELLO_MESSAGE>".
HELLO_FAIL_RATE (0..1) makes that share of requests answer 500 and HELLO_DELAY_MS adds latency to each one, so a
canary can be made to fail or to slow down on purpose.

GET /metrics answers in the Prometheus text format: hello_requests_total (a counter by status code) and
hello_request_duration_seconds (a histogram), both of application requests only, not of /healthz or /metrics.
"""

import os
import random
import signal
import sys
import threading
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


class Metrics:
    """Counts of application requests, written out in the Prometheus text exposition format (version 0.0.4)."""

    # upper bounds in seconds, from 1 ms to 2 s; slower requests fall into +Inf only
    BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self):
        self.lock = threading.Lock()
        # the codes this service answers are there from the start, so a rate of 500s is 0 rather than absent
        self.requests = {200: 0, 404: 0, 500: 0}
        self.buckets = [0] * len(self.BUCKETS)
        self.count = 0
        self.total = 0.0

    def observe(self, status, seconds):
        with self.lock:
            self.requests[status] = self.requests.get(status, 0) + 1
            for i, bound in enumerate(self.BUCKETS):
                if seconds <= bound:
                    self.buckets[i] += 1
            self.count += 1
            self.total += seconds

    def text(self):
        with self.lock:
            lines = [
                "# HELP hello_requests_total Application requests answered, by HTTP status code.",
                "# TYPE hello_requests_total counter",
            ]
            lines += [f'hello_requests_total{{code="{code}"}} {n}' for code, n in sorted(self.requests.items())]
            lines += [
                "# HELP hello_request_duration_seconds Time to answer an application request.",
                "# TYPE hello_request_duration_seconds histogram",
            ]
            # buckets are cumulative: each counts the requests at or under its bound
            lines += [f'hello_request_duration_seconds_bucket{{le="{bound}"}} {n}'
                      for bound, n in zip(self.BUCKETS, self.buckets)]
            lines += [
                f'hello_request_duration_seconds_bucket{{le="+Inf"}} {self.count}',
                f"hello_request_duration_seconds_sum {self.total!r}",
                f"hello_request_duration_seconds_count {self.count}",
            ]
        return "\n".join(lines) + "\n"


METRICS = Metrics()


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
        if path == "/metrics":
            # neither delayed nor failed nor counted: scrapes are not the traffic a canary is judged by
            self.answer(200, METRICS.text(), Metrics.CONTENT_TYPE)
            return
        started = time.perf_counter()
        status = 500  # what a request that breaks off before its answer counts as
        try:
            if DELAY:
                time.sleep(DELAY)
            if FAIL_RATE and random.random() < FAIL_RATE:
                status = 500
                self.answer(status, "failed on purpose (HELLO_FAIL_RATE)\n")
            elif path == "/":
                status = 200
                self.answer(status, f"hello from {MESSAGE}\n")
            else:
                status = 404
                self.answer(status, "not found\n")
        finally:
            METRICS.observe(status, time.perf_counter() - started)

    def answer(self, status, body, content_type="text/plain; charset=utf-8"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
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
