"""Progress events and the sink interface every reader of a generation uses.

The pipeline emits typed events through an :class:`EventSink`; it never knows whether the
reader is a terminal, a web page, a REST client or a test. Events follow the original Takoss
stream shape (``type``, ``phase``, ``message``, ``progress``, ``data``) plus a sequence number
and a timestamp. Turning them into SSE frames or HTML is the reader's job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class EventType(StrEnum):
    PHASE_START = "phase_start"
    PHASE_PROGRESS = "phase_progress"
    PHASE_COMPLETE = "phase_complete"
    FILE = "file"
    LOG = "log"
    COMPLETE = "complete"
    ERROR = "error"
    CANCELLED = "cancelled"
    RESULT = "result"


TERMINAL_TYPES = frozenset({EventType.RESULT})
# Events a throttling reader must never drop.
ESSENTIAL_TYPES = frozenset(
    {
        EventType.PHASE_START,
        EventType.PHASE_COMPLETE,
        EventType.COMPLETE,
        EventType.ERROR,
        EventType.CANCELLED,
        EventType.RESULT,
    }
)


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    type: EventType
    phase: str
    message: str
    progress: int
    data: dict[str, Any] = field(default_factory=dict)
    timestamp: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["type"] = self.type.value
        return out


class EventSink(Protocol):
    def emit(self, event: Event) -> None: ...


class ListSink:
    """Keeps every event in memory (tests, the blocking API)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, kind: EventType) -> list[Event]:
        return [e for e in self.events if e.type == kind]


class CallbackSink:
    def __init__(self, callback: Callable[[Event], None]) -> None:
        self.callback = callback

    def emit(self, event: Event) -> None:
        self.callback(event)


class FanoutSink:
    def __init__(self, *sinks: EventSink) -> None:
        self.sinks = sinks

    def emit(self, event: Event) -> None:
        for sink in self.sinks:
            sink.emit(event)


class Reporter:
    """Numbers events and stamps them; the only thing that talks to the sink.

    ``first_seq`` lets a reader continue numbering after events it already holds.
    """

    def __init__(
        self, sink: EventSink, *, first_seq: int = 1, clock: Callable[[], float] = time.time
    ) -> None:
        self.sink = sink
        self._next = first_seq
        self._clock = clock
        self._lock = threading.Lock()
        self.progress = 0

    def emit(
        self,
        type: EventType,
        phase: str,
        message: str,
        *,
        progress: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        with self._lock:
            if progress is not None:
                self.progress = max(0, min(100, int(progress)))
            event = Event(
                seq=self._next,
                type=type,
                phase=phase,
                message=message,
                progress=self.progress,
                data=data or {},
                timestamp=self._clock(),
            )
            self._next += 1
        self.sink.emit(event)
        return event


class Cancelled(Exception):
    """Raised inside the pipeline when its cancel token fires."""


class CancelToken:
    """Cooperative cancellation: set from any thread, checked between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "Cancelled by request") -> None:
        self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason)

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)
