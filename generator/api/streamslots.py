"""A per-user cap on open API event streams, counted across web processes.

Each open ``GET …/events`` or ``POST /api/generate/stream`` holds a slot of its user's
TAKOSS_MAX_OPEN_STREAMS_PER_USER; one more is refused with 429 ``too_many_streams`` and a
Retry-After before it opens (generator/api/streams.py). A slot is a lease: the stream renews it
with each keep-alive and gives it back when it ends, and one not renewed for
:data:`LEASE_SECONDS` (its process died) is free again. With TAKOSS_REDIS_URL the leases live in
Redis, one sorted set per user (member: the stream's token, score: when its lease ends), so
every web process counts the same streams; without it, in this process's memory.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.utils.crypto import get_random_string
from rest_framework import status

from generator.api.errors import ApiError

LEASE_SECONDS = 60
RETRY_AFTER_SECONDS = 5


class TooManyStreams(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} event streams open; close one (or wait for it to end) "
            "before opening another.",
            code="too_many_streams",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            details={"limit": limit, "retryAfter": RETRY_AFTER_SECONDS},
            retry_after=RETRY_AFTER_SECONDS,
        )


class StreamSlots:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local: dict[int, dict[str, float]] = {}
        self._redis: Any = None

    def acquire(self, user_id: int) -> str:
        """A slot's token, or :class:`TooManyStreams`."""
        limit = settings.TAKOSS_MAX_OPEN_STREAMS_PER_USER
        token = get_random_string(24)
        now = time.time()
        if settings.TAKOSS_REDIS_URL:
            key = self._key(user_id)
            with self._client().pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", now)
                pipe.zadd(key, {token: now + LEASE_SECONDS})
                pipe.zcard(key)
                pipe.expire(key, LEASE_SECONDS)
                count = pipe.execute()[2]
            if count > limit:
                self._client().zrem(key, token)
                raise TooManyStreams(limit)
            return token
        with self._lock:
            leases = self._local.setdefault(user_id, {})
            for old in [t for t, until in leases.items() if until <= now]:
                del leases[old]
            if len(leases) >= limit:
                raise TooManyStreams(limit)
            leases[token] = now + LEASE_SECONDS
        return token

    def renew(self, user_id: int, token: str) -> None:
        until = time.time() + LEASE_SECONDS
        if settings.TAKOSS_REDIS_URL:
            key = self._key(user_id)
            with self._client().pipeline(transaction=True) as pipe:
                pipe.zadd(key, {token: until}, xx=True)
                pipe.expire(key, LEASE_SECONDS)
                pipe.execute()
            return
        with self._lock:
            leases = self._local.get(user_id, {})
            if token in leases:
                leases[token] = until

    def release(self, user_id: int, token: str) -> None:
        if settings.TAKOSS_REDIS_URL:
            self._client().zrem(self._key(user_id), token)
            return
        with self._lock:
            leases = self._local.get(user_id, {})
            leases.pop(token, None)
            if not leases:
                self._local.pop(user_id, None)

    def _key(self, user_id: int) -> str:
        return f"takoss:streams:{user_id}"

    def _client(self) -> Any:
        with self._lock:
            if self._redis is None:
                import redis

                self._redis = redis.Redis.from_url(settings.TAKOSS_REDIS_URL)
            return self._redis


slots = StreamSlots()
