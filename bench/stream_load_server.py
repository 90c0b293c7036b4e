"""The ASGI app bench/stream_load.py serves: Takoss, plus two bench-only endpoints.

django-eventstream delivers an event only to listeners in the process that sends it (other
processes need Redis), so the synthetic events must be published inside the server. This module
is served by the bench's own daphne (``daphne bench.stream_load_server:application``), never by
``make run``:

- ``POST /bench/publish/`` with ``{"ids": [...], "count": E, "rate": R}`` starts one thread that
  publishes, for every generation id, ``E`` ``phase_progress`` events at ``R`` per second through
  the live path of real runs (``generator.publishing.ThrottledChannel``: the HTML fragment, the
  replay storage, the listeners' queues). Each event's message carries its number and the wall
  clock time just before it was handed over: ``bench seq=<n> sent=<unix time>``.
- ``GET /bench/status/`` answers how far that got (and is the server's start-up probe).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from takoss.asgi import application as takoss_application

state: dict[str, Any] = {"running": False, "published": 0, "errors": 0, "elapsed": 0.0}
_lock = threading.Lock()


class _CountErrors(logging.Handler):
    """ThrottledChannel logs (and swallows) failed sends; count them."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            state["errors"] += 1


logging.getLogger("generator.publishing").addHandler(_CountErrors())


def _publish(ids: list[int], count: int, rate: float) -> None:
    from django.db import connections

    from generator.publishing import ThrottledChannel

    channels = {generation_id: ThrottledChannel(generation_id) for generation_id in ids}
    started = time.monotonic()
    try:
        for number in range(1, count + 1):
            delay = started + (number - 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for generation_id in ids:
                channels[generation_id].publish(
                    {
                        "type": "phase_progress",
                        "seq": number,
                        "phase": "database",
                        "message": f"bench seq={number} sent={time.time():.6f}",
                        "progress": min(number, 99),
                        "data": {},
                    }
                )
                state["published"] += 1
    finally:
        for channel in channels.values():
            channel.close()
        connections.close_all()
        state["elapsed"] = time.monotonic() - started
        state["running"] = False


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _json(send: Any, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    path = scope.get("path", "")
    if scope["type"] != "http" or not path.startswith("/bench/"):
        await takoss_application(scope, receive, send)
        return
    if path == "/bench/status/":
        await _json(send, 200, {**state, "threads": threading.active_count()})
    elif path == "/bench/publish/" and scope["method"] == "POST":
        request = json.loads(await _body(receive))
        with _lock:
            if state["running"]:
                await _json(send, 409, {"error": "already publishing"})
                return
            state.update(running=True, published=0, errors=0, elapsed=0.0)
        args = ([int(i) for i in request["ids"]], int(request["count"]), float(request["rate"]))
        threading.Thread(target=_publish, args=args, name="bench-publisher", daemon=True).start()
        await _json(send, 202, {"started": True})
    else:
        await _json(send, 404, {"error": "no such bench endpoint"})
