"""Wakes the API's event streams when a run's events are committed in this process.

A stream reads the run's permanent history (``GenerationEvent``) and, when it has read
everything, waits on its :class:`Listener` until the next event of that run is committed (a
``post_save`` receiver that notifies after the commit) or until a short fallback timeout, which
is what covers runs executed by another process. The stream clears its listener *before* each
read, so an event committed between the read and the wait still wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from generator.models import GenerationEvent


class Listener:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def clear(self) -> None:
        self.event.clear()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Waker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: defaultdict[int, set[Listener]] = defaultdict(set)

    @contextmanager
    def listen(self, generation_id: int) -> Iterator[Listener]:
        listener = Listener()
        with self._lock:
            self._listeners[generation_id].add(listener)
        try:
            yield listener
        finally:
            with self._lock:
                listeners = self._listeners.get(generation_id)
                if listeners is not None:
                    listeners.discard(listener)
                    if not listeners:
                        del self._listeners[generation_id]

    def notify(self, generation_id: int) -> None:
        with self._lock:
            listeners = list(self._listeners.get(generation_id, ()))
        for listener in listeners:
            with contextlib.suppress(RuntimeError):  # that stream's loop has closed
                listener.loop.call_soon_threadsafe(listener.event.set)


waker = Waker()


@receiver(post_save, sender=GenerationEvent, dispatch_uid="generator.api.live.event_saved")
def _event_saved(sender: type[GenerationEvent], instance: GenerationEvent, **kwargs: Any) -> None:
    if kwargs.get("created"):
        generation_id = instance.generation_id
        transaction.on_commit(lambda: waker.notify(generation_id))
