"""The API streams' Redis wake-ups when Redis is away: streams still open, without waiting on it
each time (tests/scaling/ runs them with Redis)."""

from __future__ import annotations

import asyncio
import time

from generator.api.live import RedisWakeups
from tests.asgi_server import free_port


def test_without_a_reachable_redis_only_the_first_stream_waits_and_streams_poll(settings):
    settings.TAKOSS_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    wakeups = RedisWakeups()

    async def open_streams() -> tuple[float, float, bool]:
        started = time.monotonic()
        first = await wakeups.ready(timeout=0.5)
        first_took = time.monotonic() - started
        started = time.monotonic()
        await wakeups.ready(timeout=0.5)
        second_took = time.monotonic() - started
        for task in list(wakeups._tasks):  # the retrying subscription ends with the loop
            task.cancel()
        return first_took, second_took, first

    first_took, second_took, subscribed = asyncio.run(open_streams())

    assert not subscribed
    assert first_took < 1.5
    assert second_took < 0.1
    wakeups.publish(1)  # logs the failure, raises nothing: the run goes on
