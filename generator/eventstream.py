"""django-eventstream plug-ins: who may read a generation's channel, and replay from id 0.

- :class:`GenerationChannelManager` (``EVENTSTREAM_CHANNELMANAGER_CLASS``): a channel
  ``generation-<id>`` is readable by the run's owner and by staff only; anyone else (and anyone
  signed out, or asking for a run that does not exist) gets the library's ``stream-error``
  event with condition ``forbidden``.
- :class:`ReplayStorage` (``EVENTSTREAM_STORAGE_CLASS``): the library's database storage, except
  that a last id of 0 ("I have seen nothing of this channel yet") replays the channel from its
  first event. The stock storage treats id 0 as unknown and answers with ``stream-reset``,
  losing whatever a page rendered before the run's first event would have missed.
- :func:`events`, the stream view: the library's, minus repeats. When events reach a listener
  while it is replaying from storage, django-eventstream 5.3 re-reads storage from the
  connection's *first* last id and sends the replayed events again; we drop every event whose
  id is not past the last one this connection sent, so each event arrives exactly once.
  It also refuses an ``es-meta`` this server did not sign (the library's parameter naming the
  user and channels of a stream, a JWT signed with SECRET_KEY) with a ``forbidden`` stream
  error, where the library would crash with a 500.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import jwt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django_eventstream.channelmanager import DefaultChannelManager
from django_eventstream.event import Event as StreamEvent
from django_eventstream.storage import DjangoModelStorage
from django_eventstream.utils import parse_last_event_id, sse_error_response
from django_eventstream.views import events as library_events

if TYPE_CHECKING:
    from accounts.models import User

CHANNEL_PREFIX = "generation-"


def generation_id_of(channel: str) -> int | None:
    if not channel.startswith(CHANNEL_PREFIX):
        return None
    number = channel.removeprefix(CHANNEL_PREFIX)
    return int(number) if number.isdigit() else None


class GenerationChannelManager(DefaultChannelManager):
    def can_read_channel(self, user: User | None, channel: str) -> bool:
        from generator.models import Generation

        generation_id = generation_id_of(channel)
        if user is None or generation_id is None:
            return False
        return Generation.objects.visible_to(user).filter(pk=generation_id).exists()


class ReplayStorage(DjangoModelStorage):
    def get_events(self, channel: str, last_id: int, limit: int = 100) -> list[Any]:
        if last_id != 0:
            return super().get_events(channel, last_id, limit=limit)  # type: ignore[no-any-return]
        from django_eventstream.models import Event

        rows = Event.objects.filter(channel=channel, eid__gt=0).order_by("eid")[:limit]
        return [
            StreamEvent(row.channel, row.type, json.loads(row.data), id=row.eid) for row in rows
        ]


def events(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
    refusal = _unsigned_meta(request)
    if refusal is not None:
        return refusal
    response = library_events(request, **kwargs)
    if isinstance(response, StreamingHttpResponse) and response.is_async:
        response.streaming_content = _without_repeats(response.streaming_content)  # type: ignore[arg-type]
    return response


def _unsigned_meta(request: HttpRequest) -> HttpResponse | None:
    """A ``forbidden`` stream error if ``es-meta`` is sent without this server's signature."""
    token = request.GET.get("es-meta")
    if not token:
        return None
    try:
        jwt.decode(
            token,
            settings.SECRET_KEY.encode("utf-8"),
            algorithms=["HS256"],
            options={"require": ["exp"]},
        )
    except jwt.PyJWTError as exc:
        return sse_error_response("forbidden", f"Invalid es-meta: {exc}.")
    return None


async def _without_repeats(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Drop events at or before an id already sent; each chunk holds whole events."""
    sent: dict[str, int] = {}
    async for chunk in chunks:
        kept = [block for block in chunk.split(b"\n\n") if _is_new(block, sent)]
        out = b"\n\n".join(kept)
        if out:
            yield out


def _is_new(block: bytes, sent: dict[str, int]) -> bool:
    for line in block.split(b"\n"):
        if not line.startswith(b"id: "):
            continue
        try:
            ids = {k: int(v) for k, v in parse_last_event_id(line[4:].decode()).items()}
        except ValueError:
            return True  # "id: error" and the like
        if ids and all(value <= sent.get(channel, -1) for channel, value in ids.items()):
            return False
        for channel, value in ids.items():
            sent[channel] = max(value, sent.get(channel, -1))
    return True
