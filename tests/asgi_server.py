"""The app served by a real ASGI server (daphne) in a subprocess, on a free port of 127.0.0.1.

pytest-django's ``live_server`` is WSGI, where django-eventstream buffers forever; streaming
tests, the browser test and ``bench/stream_load.py`` need this instead. The server shares a file
database with its starter (``DATABASE_URL``), and its django-eventstream listeners live in its
own process, so runs whose events must reach a stream are started through the server's pages.
The process is stopped by its own PID, never by name.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class AsgiServer:
    """``daphne <app>`` on a free port; use as a context manager or call start() and stop().

    It counts as started once ``probe_path`` answers 200.
    """

    def __init__(
        self,
        *,
        database: str | os.PathLike[str],
        media_root: str | os.PathLike[str],
        log_path: str | os.PathLike[str],
        app: str = "takoss.asgi:application",
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 30,
        probe_path: str = "/",
    ) -> None:
        self.port = free_port()
        self.address = f"{HOST}:{self.port}"
        self.url = f"http://{self.address}"
        self.log_path = Path(log_path)
        self.app = app
        self.startup_timeout = startup_timeout
        self.probe_path = probe_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "takoss.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "TAKOSS_MEDIA_ROOT": str(media_root),
            "TAKOSS_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        # A test module may allow async-unsafe calls in its own process (Playwright's sync API
        # runs an event loop); the server must keep Django's guard.
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not started"
        return self.process.pid

    def start(self) -> AsgiServer:
        command = [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(self.port), self.app]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + self.startup_timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"daphne did not start on {self.address}; its log:\n{self.log_tail()}"
                )
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _answers(self) -> bool:
        try:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            connection.request("GET", self.probe_path)
            return connection.getresponse().status == 200
        except OSError:
            return False

    def __enter__(self) -> AsgiServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
