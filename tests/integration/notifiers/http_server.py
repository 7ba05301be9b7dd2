"""A real HTTP server on 127.0.0.1 (ThreadingHTTPServer in a thread) that records each POST
and answers with the statuses a test scripts."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    headers: dict[str, str]
    body: bytes


@dataclass
class Endpoint:
    """Answers ``statuses`` in turn, then 200; ``stall`` holds each answer until released."""

    statuses: list[int] = field(default_factory=list)
    stall: threading.Event | None = None
    requests: list[Request] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)

    def next_status(self) -> int:
        status = self.statuses.pop(0) if self.statuses else 200
        self.answered.append(status)
        return status


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        endpoint = self.server.endpoint
        endpoint.requests.append(Request(dict(self.headers.items()), body))
        if endpoint.stall is not None:
            endpoint.stall.wait(timeout=5)
        status = endpoint.next_status()
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test asserts on `Endpoint` instead."""


class _Server(ThreadingHTTPServer):
    endpoint: Endpoint

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout test) is expected, not an error."""


@contextmanager
def http_server(endpoint: Endpoint) -> Iterator[str]:
    """Serves ``endpoint`` for the ``with`` block; yields its URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.endpoint = endpoint
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/ildpath"
    finally:
        if endpoint.stall is not None:
            endpoint.stall.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
