"""The live event stream over a real ASGI server (daphne, in a subprocess, sharing the test DB).

The runs are started through the server's own pages, so they run in the server process, where
django-eventstream's listeners are; the test reads ``/events/generations/<id>/`` with
``http.client`` like a browser's EventSource would, logged in with a session cookie.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from generator.constants import FINAL_STATUSES
from generator.engine.events import ESSENTIAL_TYPES
from generator.models import Generation
from tests.asgi_server import AsgiServer
from tests.generator.helpers import reload, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CSRF = "a" * 32  # a well-formed CSRF secret: sent as cookie and header, as a browser would


@dataclass
class SseEvent:
    name: str
    id: str
    data: str

    @property
    def storage_id(self) -> int:
        return int(self.id.rsplit(":", 1)[1])

    @property
    def seq(self) -> int:
        marker = 'data-seq="'
        start = self.data.index(marker) + len(marker)
        return int(self.data[start : self.data.index('"', start)])


@pytest.fixture
def server(asgi_server: AsgiServer) -> str:
    return asgi_server.address


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def post(server: str, path: str, cookie: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(server, timeout=10)
    headers = {"Cookie": f"{cookie}; csrftoken={CSRF}", "X-CSRFToken": CSRF}
    connection.request("POST", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response


def start_run(server: str, project, cookie: str) -> Generation:
    response = post(server, f"/projects/{project.pk}/regenerate/", cookie)
    assert response.status == 302, response.status
    number = int(urlsplit(response.getheader("Location")).path.rstrip("/").rsplit("/", 1)[1])
    return Generation.objects.get(project=project, number=number)


class Stream:
    """One EventSource-like connection; yields events as they arrive."""

    def __init__(
        self,
        server: str,
        generation_id: int,
        cookie: str,
        *,
        last_id: str | None = None,
        header_id: str | None = None,
    ) -> None:
        path = f"/events/generations/{generation_id}/"
        if last_id is not None:
            path += f"?lastEventId={quote(last_id)}"
        headers = {"Cookie": cookie, "Accept": "text/event-stream"}
        if header_id is not None:
            headers["Last-Event-ID"] = header_id
        self.connection = http.client.HTTPConnection(server, timeout=15)
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def events(self) -> Iterator[SseEvent]:
        name, event_id, data = "message", "", []
        while True:
            raw = self.response.readline()  # decodes the chunked body
            if not raw:
                return
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data or name != "message":
                    yield SseEvent(name, event_id, "\n".join(data))
                name, event_id, data = "message", "", []
            elif line.startswith(":"):
                continue
            else:
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "id":
                    event_id = value
                elif field == "data":
                    data.append(value)

    def read_until(self, name: str) -> list[SseEvent]:
        received = []
        for event in self.events():
            if event.name in {"stream-open", "keep-alive"}:
                continue
            received.append(event)
            if event.name in {name, "stream-error"}:
                return received
        raise AssertionError(f"the stream ended before {name!r}")

    def close(self) -> None:
        self.connection.close()


def wait_until_final(generation: Generation) -> Generation:
    wait_for(lambda: reload(generation).status in FINAL_STATUSES, timeout=60)
    return generation


def test_events_arrive_in_order_from_start_to_the_result(server, project, owner):
    cookie = session_cookie(owner)
    generation = start_run(server, project, cookie)

    stream = Stream(server, generation.pk, cookie, last_id=f"generation-{generation.pk}:0")
    received = stream.read_until("result")
    stream.close()

    wait_until_final(generation)
    assert generation.status == "succeeded", generation.error
    # Every channel event, once, in order, from the first phase to the result.
    ids = [event.storage_id for event in received]
    assert ids == list(range(1, len(ids) + 1))
    assert received[0].name == "phase_start" and 'data-phase="initialization"' in received[0].data
    assert received[-1].name == "result"
    seqs = [event.seq for event in received]
    assert seqs == sorted(seqs)
    essential = list(generation.events.filter(type__in=ESSENTIAL_TYPES).values_list("seq", "type"))
    assert [(e.seq, e.name) for e in received if e.name in ESSENTIAL_TYPES] == essential
    assert f'hx-get="/projects/{project.pk}/runs/{generation.number}/"' in received[-1].data


def test_reconnecting_with_last_event_id_replays_exactly_what_was_missed(server, project, owner):
    cookie = session_cookie(owner)
    generation = start_run(server, project, cookie)
    first_id = f"generation-{generation.pk}:0"

    # Given a reader that saw the first few events and dropped
    stream = Stream(server, generation.pk, cookie, last_id=first_id)
    seen = []
    for event in stream.events():
        if event.name not in {"stream-open", "keep-alive"}:
            seen.append(event)
        if len(seen) == 5:
            break
    stream.close()
    wait_until_final(generation)

    # When it reconnects with the last id it saw (the browser sends it as Last-Event-ID)
    again = Stream(server, generation.pk, cookie, last_id=first_id, header_id=seen[-1].id)
    rest = again.read_until("result")
    again.close()

    # Then it gets exactly the events after that one: no gap, no repeat
    everything = Stream(server, generation.pk, cookie, last_id=first_id)
    full = everything.read_until("result")
    everything.close()
    assert [(e.id, e.name, e.data) for e in seen + rest] == [(e.id, e.name, e.data) for e in full]


def test_a_stranger_is_refused(server, project, owner, stranger):
    generation = start_run(server, project, session_cookie(owner))

    for cookie in (session_cookie(stranger), ""):
        stream = Stream(server, generation.pk, cookie, last_id=f"generation-{generation.pk}:0")
        received = stream.read_until("stream-error")
        stream.close()
        assert [e.name for e in received] == ["stream-error"]
        assert json.loads(received[0].data)["condition"] == "forbidden"
    wait_until_final(generation)


def test_cancel_ends_the_run_as_cancelled_within_a_second(server, project, owner):
    cookie = session_cookie(owner)
    generation = start_run(server, project, cookie)
    stream = Stream(server, generation.pk, cookie, last_id=f"generation-{generation.pk}:0")

    # Given a run busy verifying the generated project
    for event in stream.events():
        if event.name == "phase_start" and 'data-phase="verification"' in event.data:
            break

    # When its owner presses Cancel
    cancelled_at = time.monotonic()
    response = post(server, f"/projects/{project.pk}/runs/{generation.number}/cancel/", cookie)
    assert response.status == 302
    received = stream.read_until("result")
    elapsed = time.monotonic() - cancelled_at
    stream.close()

    # Then the stream shows the phase cancelled and the run ended, within a second
    names = [event.name for event in received]
    assert "cancelled" in names, names
    cancelled = received[names.index("cancelled")]
    assert 'data-phase="verification" data-state="cancelled"' in cancelled.data
    assert elapsed <= 1.0, f"took {elapsed:.2f} s"
    assert wait_until_final(generation).status == "cancelled"
