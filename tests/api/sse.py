"""A small blocking SSE client over http.client, reading frames as a REST client would."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Frame:
    id: int
    payload: dict[str, Any]
    received_at: float = field(default=0.0, compare=False)

    @property
    def type(self) -> str:
        return str(self.payload["type"])


def parse_frames(text: str) -> list[Frame]:
    """The data frames of a whole stream body (keep-alive comments skipped)."""
    frames = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "data" in fields:
            frames.append(Frame(int(fields.get("id", 0)), json.loads(fields["data"])))
    return frames


class SseStream:
    """One streaming request; ``frames()`` yields data frames, counting keep-alive comments."""

    def __init__(
        self,
        server: str,
        path: str,
        *,
        headers: dict[str, str],
        method: str = "GET",
        body: dict[str, Any] | None = None,
        timeout: float = 60,
    ) -> None:
        self.connection = http.client.HTTPConnection(server, timeout=timeout)
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "text/event-stream", **headers}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        self.started = time.monotonic()
        self.connection.request(method, path, body=payload, headers=all_headers)
        self.response = self.connection.getresponse()
        self.keepalives = 0

    @property
    def status(self) -> int:
        return self.response.status

    def json(self) -> Any:
        return json.loads(self.response.read())

    def frames(self) -> Iterator[Frame]:
        event_id, data = None, []
        while True:
            raw = self.response.readline()
            if not raw:
                return
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data:
                    yield Frame(int(event_id or 0), json.loads("\n".join(data)), time.monotonic())
                event_id, data = None, []
            elif line.startswith(":"):
                self.keepalives += 1
            else:
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "id":
                    event_id = value
                elif name == "data":
                    data.append(value)

    def read_until_result(self) -> list[Frame]:
        received = []
        for frame in self.frames():
            received.append(frame)
            if frame.type == "result":
                return received
        raise AssertionError(f"the stream ended before the result: {received[-3:]}")

    def close(self) -> None:
        self.connection.close()
