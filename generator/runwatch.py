"""On worker processes: each run's watch (heartbeat, cancel requests) and the stale-run sweeper.

With the database task backend (README "Scaling") a run executes in a worker process, so neither
the in-process cancel token of the web process that was asked to cancel it
(generator/registry.py) nor "is this process alive" can reach it. The database carries both:

- :func:`watching` wraps a run on its worker: a thread reads the run's ``cancel_requested_at``
  every :data:`CANCEL_POLL_SECONDS` and fires the run's token once it is set (so a cancel
  reaches the worker well within a second), and writes ``heartbeat_at`` every
  TAKOSS_HEARTBEAT_SECONDS while the run is running.
- :func:`start_sweeper` starts, once per process (every worker and every web process), a thread
  that marks running runs whose heartbeat is older than TAKOSS_STALE_RUN_SECONDS interrupted:
  their worker died (kill -9, a lost machine) without ending them
  (services.generation_mark_stale_interrupted).

With the in-process backend both are off: the registry's tokens and the start-up recovery do
the same job inside the one process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from generator.constants import GENERATION_STATUS_RUNNING
from generator.engine.events import CancelToken
from generator.models import Generation

logger = logging.getLogger(__name__)

CANCEL_POLL_SECONDS = 0.2


def runs_on_workers() -> bool:
    """Whether runs execute in worker processes (the database task backend)."""
    return bool(settings.TAKOSS_TASK_BACKEND == "database")


@contextmanager
def watching(generation_id: int, token: CancelToken) -> Iterator[None]:
    """Keep the run's heartbeat and forward a cancel request to ``token`` while inside."""
    if not runs_on_workers():
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_watch,
        args=(generation_id, token, stop),
        name=f"takoss-watch-{generation_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _watch(generation_id: int, token: CancelToken, stop: threading.Event) -> None:
    heartbeat = timedelta(seconds=settings.TAKOSS_HEARTBEAT_SECONDS)
    last_beat = timezone.now()
    try:
        while not stop.wait(CANCEL_POLL_SECONDS):
            try:
                requested = (
                    Generation.objects.filter(pk=generation_id)
                    .values_list("cancel_requested_at", flat=True)
                    .first()
                )
                if requested is not None and not token.cancelled:
                    token.cancel("Cancelled by request")
                now = timezone.now()
                if now - last_beat >= heartbeat:
                    Generation.objects.filter(
                        pk=generation_id, status=GENERATION_STATUS_RUNNING
                    ).update(heartbeat_at=now)
                    last_beat = now
            except Exception:  # a database hiccup must not end the watch; the next poll retries
                logger.exception("Could not watch generation %s", generation_id)
                connections.close_all()
    finally:
        connections.close_all()


_sweeper: threading.Thread | None = None
_sweeper_lock = threading.Lock()


def start_sweeper() -> bool:
    """Start this process's sweeper thread (once); False when runs do not run on workers."""
    global _sweeper
    if not runs_on_workers():
        return False
    with _sweeper_lock:
        if _sweeper is None:
            _sweeper = threading.Thread(target=_sweep_forever, name="takoss-sweeper", daemon=True)
            _sweeper.start()
    return True


def sweep_interval() -> float:
    # A third of the staleness: a dead worker's run is marked within 4/3 of it.
    return max(1.0, settings.TAKOSS_STALE_RUN_SECONDS / 3)


def _sweep_forever() -> None:
    from generator.services import generation_mark_stale_interrupted

    stale_after = timedelta(seconds=settings.TAKOSS_STALE_RUN_SECONDS)
    while True:
        try:
            count = generation_mark_stale_interrupted(stale_after=stale_after)
            if count:
                logger.warning("Marked %d generation(s) interrupted: their worker stopped", count)
        except Exception:
            logger.exception("Could not sweep stale generations")
        finally:
            connections.close_all()
        time.sleep(sweep_interval())
