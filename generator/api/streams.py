"""The API's Server-Sent Events: ``POST /api/generate/stream`` and ``GET …/{id}/events``.

These are async Django views (DRF has none) returning ``StreamingHttpResponse`` over an async
generator; they need an ASGI server (daphne). They authenticate exactly as the DRF views do
(generator/api/authentication.py) and answer errors in the API's JSON shape.

Frames are the original Takoss format, one per event of the run's permanent history, with the
event's sequence number as the SSE id::

    id: 3
    data: {"type":"phase_start","phase":"analysis","message":"Analyzing requirements…",
           "progress":10,"seq":3,"data":{…}}      (one line on the wire)

``POST /api/generate/stream`` checks everything that can refuse it (auth, rate limit, body,
fields, the concurrent-run cap) before answering, so refusals are JSON errors with their status.
Then, before any write, it sends an ``accepted`` frame (id 0), which is why the first byte comes
within milliseconds. It saves and starts the run and sends a ``queued`` frame (id 0) carrying
``generationId`` and the URLs to reconnect to (or an ``error`` frame, if a race took the last
run slot), then the run's events, ending with ``result`` whose ``data`` is the same dict
``POST /api/generate`` answers. The run is a task of the task backend, not part of the response:
a client that drops leaves it running and can reconnect to ``/events`` with ``Last-Event-ID``
(or ``?after=N``) to get exactly what it missed.
Between events a ``: keep-alive`` comment goes out every TAKOSS_SSE_KEEPALIVE_SECONDS.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.utils.mediatypes import media_type_matches

from accounts.models import User
from generator.api import results
from generator.api.authentication import authenticate
from generator.api.errors import error_response, error_response_for
from generator.api.live import fallback_seconds, redis_wakeups, waker
from generator.api.params import whole_number
from generator.api.serializers import GenerateInput
from generator.api.streamslots import LEASE_SECONDS, slots
from generator.api.throttling import GenerateThrottle
from generator.api.views import check_generation, start_generation
from generator.constants import FINAL_STATUSES
from generator.engine.events import EventType
from generator.models import Generation

# Saves of streamed runs still going (see _started_run): asyncio keeps only weak references.
_saving: set[asyncio.Future[tuple[int, str]]] = set()


def sse_frame(event_id: int, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\ndata: {body}\n\n"


@csrf_exempt  # header auth needs no CSRF token; session auth is checked by DRF's CSRF rules
async def generate_stream(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _not_allowed(request, "POST")
    accepted = await sync_to_async(_accept_for_stream)(request)
    if isinstance(accepted, HttpResponse):
        return accepted
    owner, data, slot = accepted
    frames = _started_run(owner, data, absolute=request.build_absolute_uri)
    return _sse(request, _holding(frames, owner.pk, slot))


async def generation_events(request: HttpRequest, pk: int) -> HttpResponseBase:
    if request.method != "GET":
        return _not_allowed(request, "GET")
    outcome = await sync_to_async(_open_events)(request, pk)
    if isinstance(outcome, HttpResponse):
        return outcome
    after, user_id, slot = outcome
    frames = _frames(pk, after=after, absolute=request.build_absolute_uri)
    return _sse(request, _holding(frames, user_id, slot))


# --- the sync halves (database, auth, validation) ---------------------------------------------


def _accept_for_stream(request: HttpRequest) -> tuple[User, dict[str, Any], str] | HttpResponse:
    """Everything that can refuse the request with a status code, and nothing that writes.

    Auth, rate limit, the body, the project's fields and the concurrent-run cap are checked
    here, so the usual refusals are still plain JSON errors with their status; the run's rows
    are written after the first frame is out (see :func:`_started_run`).
    """
    try:
        user = authenticate(request)
        drf_like = _ThrottleRequest(user, request)
        throttle = GenerateThrottle()
        if not throttle.allow_request(drf_like, None):  # type: ignore[arg-type]
            raise exceptions.Throttled(wait=throttle.wait())
        serializer = GenerateInput(data=_json_body(request))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        check_generation(user, data)
        slot = slots.acquire(user.pk)  # last: a refusal above must not hold a slot
    except Exception as exc:
        return error_response_for(exc)
    return user, data, slot


def _start(owner: User, data: dict[str, Any], absolute: Callable[[str], str]) -> tuple[int, str]:
    """Save and enqueue the run; its ``queued`` frame, or an ``error`` frame (id 0 both)."""
    try:
        generation = start_generation(owner, data)
    except Exception as exc:  # a race past the checks (the run cap), or the database failing
        response = error_response_for(exc)
        body = json.loads(response.content)
        frame = {
            "type": "error",
            "phase": "initialization",
            "message": body["error"],
            "progress": 0,
            "seq": 0,
            "data": {"status": response.status_code, **body},
        }
        return 0, sse_frame(0, frame)
    queued = {
        "type": "queued",
        "phase": "initialization",
        "message": "Generation queued",
        "progress": 0,
        "seq": 0,
        "data": results.generation_accepted(generation, absolute),
    }
    return generation.pk, sse_frame(0, queued)


def _open_events(request: HttpRequest, pk: int) -> tuple[int, int, str] | HttpResponse:
    """Where the replay starts, the user and their stream slot; or the refusal."""
    try:
        user = authenticate(request)
        if not Generation.objects.visible_to(user).filter(pk=pk).exists():
            raise exceptions.NotFound("Not found.")
        after = _after(request)
        return after, user.pk, slots.acquire(user.pk)
    except Exception as exc:
        return error_response_for(exc)


def _after(request: HttpRequest) -> int:
    """Where the replay starts: ``Last-Event-ID`` if sent (a reconnecting EventSource), else
    ``?after=``, else the beginning."""
    after = whole_number(request.GET.get("after", "0"), name="after")
    header = request.headers.get("Last-Event-ID")
    if header is None:
        return after
    return whole_number(header.strip(), name="Last-Event-ID")


def _json_body(request: HttpRequest) -> Any:
    """The body as a JSON object, with the refusals DRF's JSONParser gives the other views."""
    body = request.body  # RequestDataTooBig propagates: a 413
    if not body:
        return {}  # nothing sent: the fields' own "required" errors say what is missing
    if not media_type_matches("application/json", request.content_type or ""):
        raise exceptions.UnsupportedMediaType(request.content_type or "")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise exceptions.ParseError(f"JSON parse error - {exc}") from None
    if not isinstance(data, dict):
        raise exceptions.ParseError("the body must be a JSON object")
    return data


class _ThrottleRequest:
    """What DRF's throttles and our helpers read from a request: the user and META."""

    def __init__(self, user: Any, request: HttpRequest) -> None:
        self.user = user
        self.META = request.META
        self._request = request


# --- the stream -------------------------------------------------------------------------------


def _sse(request: HttpRequest, frames: AsyncIterator[str]) -> Any:
    response = StreamingHttpResponse(frames, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


async def _holding(frames: AsyncIterator[str], user_id: int, slot: str) -> AsyncIterator[str]:
    """``frames``, holding the user's stream slot until they end (or the client leaves)."""
    renewed = time.monotonic()
    try:
        async for frame in frames:
            yield frame
            if time.monotonic() - renewed > LEASE_SECONDS / 3:  # keep-alives come often enough
                await sync_to_async(slots.renew)(user_id, slot)
                renewed = time.monotonic()
    finally:
        await asyncio.shield(sync_to_async(slots.release)(user_id, slot))


async def _started_run(
    owner: User, data: dict[str, Any], *, absolute: Callable[[str], str]
) -> AsyncIterator[str]:
    """``accepted`` at once, then save and start the run, then its frames.

    The first frame goes out before any write: a database write, and the run's worker thread
    starting on the commit, would otherwise stand between the request and its first byte. If
    the client drops meanwhile, the save still completes in its thread and the run goes on.
    """
    yield sse_frame(
        0,
        {
            "type": "accepted",
            "phase": "initialization",
            "message": "Request accepted; saving the project…",
            "progress": 0,
            "seq": 0,
            "data": {"projectName": data["projectName"], "stack": data["stack"]},
        },
    )
    # Shielded: a client that drops right after the first frame cancels this generator, and a
    # cancelled await of a job the worker thread has not picked up yet drops the job (the run
    # would never be saved). The save goes on regardless; _saving holds it until it ends.
    saving = asyncio.ensure_future(sync_to_async(_start)(owner, data, absolute))
    _saving.add(saving)
    saving.add_done_callback(_saving.discard)
    generation_id, frame = await asyncio.shield(saving)
    yield frame
    if generation_id:
        async for frame in _frames(generation_id, after=0, absolute=absolute):
            yield frame


async def _frames(
    generation_id: int, *, after: int, absolute: Callable[[str], str]
) -> AsyncIterator[str]:
    keepalive = settings.TAKOSS_SSE_KEEPALIVE_SECONDS
    last_write = time.monotonic()
    last = after
    await redis_wakeups.ready()  # subscribed before the first read: no commit slips between
    with waker.listen(generation_id) as listener:
        while True:
            listener.clear()  # before reading: a commit after this read still wakes us
            frames, done = await sync_to_async(_read)(generation_id, last, absolute)
            for event_id, frame in frames:
                last = event_id
                yield frame
            if frames:
                last_write = time.monotonic()
            if done:
                return
            if frames:
                continue  # there may be more than one batch waiting
            until_keepalive = keepalive - (time.monotonic() - last_write)
            if until_keepalive <= 0:
                yield ": keep-alive\n\n"
                last_write = time.monotonic()
                continue
            await listener.wait(min(fallback_seconds(), until_keepalive))


def _read(
    generation_id: int, after: int, absolute: Callable[[str], str]
) -> tuple[list[tuple[int, str]], bool]:
    """Frames for the events after ``after``, and whether the stream is over."""
    events = results.events_after(generation_id, after)
    frames: list[tuple[int, str]] = []
    for event in events:
        payload = event.to_event_dict()
        if event.type == EventType.RESULT:
            finished = Generation.objects.select_related("project").get(pk=generation_id)
            payload["data"] = results.generation_result(finished, absolute)
            frames.append((event.seq, sse_frame(event.seq, payload)))
            return frames, True
        frames.append((event.seq, sse_frame(event.seq, payload)))
    if events:
        return frames, False
    generation = Generation.objects.select_related("project").filter(pk=generation_id).first()
    if generation is None:
        gone = {
            "type": "error",
            "phase": "",
            "message": "The generation was deleted.",
            "progress": 0,
            "seq": after,
            "data": {"code": "not_found"},
        }
        return [(after, sse_frame(after, gone))], True
    if generation.status in FINAL_STATUSES and generation.last_event_seq <= after:
        # Finished, and the client has everything: it was already past the result.
        return [], True
    return [], False


def _not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = error_response(
        405, f"Method {request.method} is not allowed here; use {allowed}.", "method_not_allowed"
    )
    response["Allow"] = allowed
    return response
