"""The per-user cap on open API event streams (generator/api/streamslots.py), in one process;
tests/scaling/ checks that web processes share it through Redis."""

from __future__ import annotations

import pytest

from generator.api import streamslots
from generator.api.streamslots import StreamSlots, TooManyStreams


@pytest.fixture
def cap(settings):
    settings.TAKOSS_REDIS_URL = ""
    settings.TAKOSS_MAX_OPEN_STREAMS_PER_USER = 2


def test_a_user_over_the_cap_is_refused_until_a_stream_closes(cap):
    slots = StreamSlots()
    first = slots.acquire(1)
    slots.acquire(1)
    slots.acquire(2)  # another user has a cap of their own

    with pytest.raises(TooManyStreams) as refused:
        slots.acquire(1)
    assert refused.value.status_code == 429
    assert refused.value.wait == streamslots.RETRY_AFTER_SECONDS

    slots.release(1, first)
    slots.acquire(1)


def test_a_lease_not_renewed_frees_its_slot(cap, monkeypatch):
    slots = StreamSlots()
    now = [1000.0]
    monkeypatch.setattr(streamslots.time, "time", lambda: now[0])
    kept, dropped = slots.acquire(1), slots.acquire(1)

    now[0] += streamslots.LEASE_SECONDS - 1
    slots.renew(1, kept)
    now[0] += 2  # the other stream's process died: its lease ran out

    slots.acquire(1)
    with pytest.raises(TooManyStreams):
        slots.acquire(1)
    assert dropped  # never released
