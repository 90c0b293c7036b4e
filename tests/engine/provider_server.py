"""A local HTTP server that replays recorded provider responses, for the real SDK clients.

Tests queue responses (a fixture file from data/providers/, a status, headers); each request
takes the next one and is recorded (method, path, headers, JSON body). A response can stop after
its first bytes and hold the connection open (``hold=True``), or hold before answering at all
(``stall=True``): the server then waits until the client closes the connection, and records when.
Nothing is patched: the SDKs talk HTTP to 127.0.0.1.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "providers"
HOLD_LIMIT = 60.0  # seconds a held connection is kept at most, so a broken test cannot hang


def fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@dataclass
class Reply:
    body: str = ""
    status: int = 200
    content_type: str = "text/event-stream"
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # send the body, then keep the connection open
    stall: bool = False  # send nothing, keep the connection open


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ProviderServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Seen] = []
        self.closed_by_client = threading.Event()  # a held connection was closed by the client
        self.closed_at = 0.0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, body: str = "", **options: Any) -> None:
        self.replies.append(Reply(body=body, **options))

    def reply_file(self, name: str, **options: Any) -> None:
        if name.endswith(".json"):
            options.setdefault("content_type", "application/json")
        self.reply(fixture(name), **options)

    def start(self) -> ProviderServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: ProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection does

        def log_message(self, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            server.requests.append(Seen(self.command, self.path, dict(self.headers), body))
            reply = server.replies.popleft() if server.replies else Reply("{}", status=500)
            if reply.stall:
                self._hold()
                return
            data = reply.body.encode("utf-8")
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if not reply.hold:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            if reply.hold:
                self._hold()

        def _hold(self) -> None:
            """Wait until the client closes the connection (or HOLD_LIMIT passes)."""
            conn: socket.socket = self.connection
            deadline = time.monotonic() + HOLD_LIMIT
            while time.monotonic() < deadline:
                readable, _, _ = select.select([conn], [], [], 0.02)
                if readable:
                    try:
                        if not conn.recv(1024, socket.MSG_PEEK):
                            break
                        conn.recv(1024)  # something unexpected: drop it, keep waiting
                    except OSError:
                        break
            else:
                return
            server.closed_at = time.monotonic()
            server.closed_by_client.set()

    return Handler


def running() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    try:
        yield server
    finally:
        server.stop()
