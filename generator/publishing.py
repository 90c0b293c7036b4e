"""The live side of a run's events: its django-eventstream channel, with progress throttled.

Events are saved first (services.generation_record_event, the permanent history) and only then
handed here. django-eventstream keeps at most 10 pending events per listener and re-reads its
storage on overflow, so bursts of sub-step events (``phase_progress``, ``file``, ``log``) are
coalesced: at most one every :data:`PROGRESS_INTERVAL` seconds per run reaches the channel, the
newest one, and a held one is flushed before the next essential event and by a timer. Phase
boundaries and terminal events (``events.ESSENTIAL_TYPES``) are always sent, in order. A reader
that needs every sub-step (the file list of a run) reads the database, not the channel.

The channel carries HTML: for each event, a fragment rendered from the project page's template
partials (generator/tracker.py, ``live_fragment``) under the SSE event name of the event's type,
which htmx's SSE extension swaps in. Each fragment is the state of what the event touches as of
that event, so coalescing and repeats are harmless. :func:`channel_send` is the one place that
talks to django-eventstream. REST clients read the permanent history (``GenerationEvent``), not
this channel.

For pages: read the stream position (``django_eventstream.get_current_event_id``) *before*
reading the run's state; then a race can only repeat an event, never skip one, so render events
idempotently (keyed by ``seq`` or by stable element ids).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django_eventstream import send_event

from generator.engine.events import ESSENTIAL_TYPES
from generator.tracker import live_fragment

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.05  # seconds between two sub-step events on one run's channel


def channel_name(generation_id: int) -> str:
    return f"generation-{generation_id}"


# SSE event names that differ from the engine's event types. A server-sent event named "error"
# reaches the browser's EventSource as its ``onerror`` (the connection-failure handler): htmx's SSE
# extension then logs "[object MessageEvent]" and reconnects. A failed run's event goes out as
# "run_error" instead; the project page swaps it in like the others.
SSE_EVENT_NAMES = {"error": "run_error"}


def channel_send(generation_id: int, event: dict[str, Any]) -> None:
    """Send one event, as its HTML fragment, to the run's channel (and its replay storage)."""
    html = live_fragment(generation_id, event)
    name = SSE_EVENT_NAMES.get(event["type"], event["type"])
    send_event(channel_name(generation_id), name, html, json_encode=False)


class ThrottledChannel:
    """Sends one run's events to its channel, coalescing sub-step events."""

    def __init__(
        self,
        generation_id: int,
        *,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.generation_id = generation_id
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last_sent = -math.inf
        self._held: dict[str, Any] | None = None
        self._timer: threading.Timer | None = None

    def publish(self, event: dict[str, Any]) -> None:
        with self._lock:
            if event["type"] in ESSENTIAL_TYPES:
                self._flush_held()
                self._send(event)
                return
            wait = self._last_sent + self.interval - self._clock()
            if wait <= 0:
                self._held = None
                self._send(event)
                return
            self._held = event  # a newer sub-step replaces an older held one
            if self._timer is None:
                self._timer = threading.Timer(wait, self._flush_on_timer)
                self._timer.daemon = True
                self._timer.start()

    def close(self) -> None:
        """Send whatever is held; the run has ended."""
        with self._lock:
            self._flush_held()

    def _flush_held(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._held is not None:
            held, self._held = self._held, None
            self._send(held)

    def _flush_on_timer(self) -> None:
        try:
            with self._lock:
                self._timer = None
                if self._held is not None:
                    held, self._held = self._held, None
                    self._send(held)
        finally:
            connections.close_all()  # the eventstream storage opened one in this thread

    def _send(self, event: dict[str, Any]) -> None:
        self._last_sent = self._clock()
        try:
            channel_send(self.generation_id, event)
        except Exception:  # a live view missing an event must not fail the run
            logger.exception(
                "Could not send event %s of generation %s", event.get("seq"), self.generation_id
            )
