"""The runs this process owns, each with its cancel token.

A run is registered when it is handed to the task backend and unregistered when its task ends,
so the registry answers two questions no database row can: "can this process stop that run
now?" (``cancel``) and "is that run still alive here?" (``live_ids``, used at start-up to tell
orphans from runs in progress). It is per process: with several server processes, a cancel
reaches only the process running the generation (a queue-backed backend would poll
``Generation.cancel_requested_at`` instead).
"""

from __future__ import annotations

import threading

from generator.engine.events import CancelToken

_lock = threading.Lock()
_tokens: dict[int, CancelToken] = {}


def register(generation_id: int) -> CancelToken:
    """The run's token, created on first use (enqueueing and the task both call this)."""
    with _lock:
        return _tokens.setdefault(generation_id, CancelToken())


def unregister(generation_id: int) -> None:
    with _lock:
        _tokens.pop(generation_id, None)


def cancel(generation_id: int, reason: str = "Cancelled by request") -> bool:
    """Fire the run's token; False when this process does not own the run."""
    with _lock:
        token = _tokens.get(generation_id)
    if token is None:
        return False
    token.cancel(reason)
    return True


def live_ids() -> frozenset[int]:
    with _lock:
        return frozenset(_tokens)
