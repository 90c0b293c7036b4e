"""Wakes the API's event streams when a run's events are committed, in this process or another.

A stream reads the run's permanent history (``GenerationEvent``) and, when it has read
everything, waits on its :class:`Listener` until the next event of that run is committed or
until a fallback timeout. The stream clears its listener *before* each read, so an event
committed between the read and the wait still wakes it.

Commits in this process wake its listeners directly (a ``post_save`` receiver that notifies
after the commit). With TAKOSS_REDIS_URL set, every commit is also published on Redis
(:data:`REDIS_CHANNEL`, the run's id), and each serving process keeps one async subscription
per event loop (not a thread per stream) that wakes its listeners: runs executed by worker
processes reach every web process within milliseconds, and the fallback timeout is only a
safety net (:func:`fallback_seconds`). Without Redis, runs in another process are found by
that timeout alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from generator.models import GenerationEvent

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "takoss:generation-events"
# Without a wake-up from Redis, look at the history this often.
POLL_SECONDS = 0.5
# With a live Redis subscription, a missed wake-up (Redis restarting) is found this late at most.
SUBSCRIBED_POLL_SECONDS = 5.0


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


class RedisWakeups:
    """Publishes commits on Redis and, per event loop, one subscription that wakes the waker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._publisher: Any = None
        self._subscribed: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return bool(settings.TAKOSS_REDIS_URL)

    def publish(self, generation_id: int) -> None:
        if not self.enabled:
            return
        try:
            with self._lock:
                if self._publisher is None:
                    import redis

                    self._publisher = redis.Redis.from_url(settings.TAKOSS_REDIS_URL)
            self._publisher.publish(REDIS_CHANNEL, str(generation_id))
        except Exception:  # streams still find the event by their fallback timeout
            logger.exception("Could not publish event of generation %s on Redis", generation_id)

    async def ready(self, timeout: float = 2.0) -> bool:
        """Make sure this loop is subscribed; whether it is, now.

        The first stream of a loop starts the subscription and waits for it (up to
        ``timeout``); later ones never wait: while Redis is away the subscription retries in
        the background and streams fall back to reading the history every POLL_SECONDS.
        """
        if not self.enabled:
            return False
        loop = asyncio.get_running_loop()
        subscribed = self._subscribed.get(loop)
        if subscribed is None:
            subscribed = self._subscribed[loop] = asyncio.Event()
            task = loop.create_task(self._subscribe(subscribed))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(subscribed.wait(), timeout)
        return subscribed.is_set()

    def subscribed(self) -> bool:
        try:
            event = self._subscribed.get(asyncio.get_running_loop())
        except RuntimeError:
            return False
        return event is not None and event.is_set()

    async def _subscribe(self, subscribed: asyncio.Event) -> None:
        from redis.asyncio import Redis

        while True:
            client = Redis.from_url(settings.TAKOSS_REDIS_URL)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(REDIS_CHANNEL)
                    subscribed.set()
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            waker.notify(int(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Lost the Redis subscription to run events; retrying")
            finally:
                subscribed.clear()
                await client.aclose()
            await asyncio.sleep(1)


redis_wakeups = RedisWakeups()


def fallback_seconds() -> float:
    """How long a stream waits without a wake-up before it reads the history anyway."""
    return SUBSCRIBED_POLL_SECONDS if redis_wakeups.subscribed() else POLL_SECONDS


def _committed(generation_id: int) -> None:
    waker.notify(generation_id)
    redis_wakeups.publish(generation_id)


@receiver(post_save, sender=GenerationEvent, dispatch_uid="generator.api.live.event_saved")
def _event_saved(sender: type[GenerationEvent], instance: GenerationEvent, **kwargs: Any) -> None:
    if kwargs.get("created"):
        generation_id = instance.generation_id
        transaction.on_commit(lambda: _committed(generation_id))
