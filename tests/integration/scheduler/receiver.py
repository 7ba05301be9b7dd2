"""A webhook receiver on 127.0.0.1 that takes its time (so a kill lands mid-dispatch, or long
enough to outlast a timeout) and keeps every Idempotency-Key it was sent, the way a real
receiver drops duplicates; it answers ``status`` (a test sets 500 while it is "down") and
counts apart the keys it accepted."""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, delay_seconds: float) -> None:
        self.delay_seconds = delay_seconds
        self.status = 200
        self.keys: Counter[str] = Counter()
        """Every request, by key, whatever was answered."""
        self.accepted: Counter[str] = Counter()
        """Requests answered 2xx, by key: what the receiving end took in."""
        self.accepted_at: dict[str, float] = {}
        """When (time.monotonic) each key was first accepted."""
        self.lock = threading.Lock()

    @property
    def requests(self) -> int:
        with self.lock:
            return sum(self.keys.values())

    @property
    def distinct(self) -> set[str]:
        with self.lock:
            return set(self.keys)

    @property
    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {k: n for k, n in self.keys.items() if n > 1}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver = self.server.receiver
        key, status = self.headers["Idempotency-Key"], receiver.status
        with receiver.lock:
            receiver.keys[key] += 1
        time.sleep(receiver.delay_seconds)
        if status < 300:
            with receiver.lock:
                receiver.accepted[key] += 1
                receiver.accepted_at.setdefault(key, time.monotonic())
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class _Server(ThreadingHTTPServer):
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A killed sender hanging up mid-request is expected."""


@contextmanager
def webhook_receiver(delay_seconds: float = 0.02) -> Iterator[tuple[Receiver, str]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(delay_seconds)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.receiver, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
