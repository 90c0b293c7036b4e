"""The SSE endpoints over a real ASGI server (daphne in a subprocess, on the tests' database).

Runs are started through the server's own API, so they run in the server process.
"""

from __future__ import annotations

import http.client
import json
import time

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.services import api_key_create
from generator.api.streams import _start
from generator.constants import FINAL_STATUSES
from generator.engine.analysis import requirements_problem
from generator.models import Generation, GenerationEvent, Project
from tests.api.sse import Frame, SseStream
from tests.generator.helpers import TASK_MANAGER, make_live_run, reload, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BODY = {"projectName": "Tasks", "description": "Team tasks", "requirements": TASK_MANAGER}
SEED_FIELDS = {"type", "phase", "message", "progress"}


def auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def start(api_server: str, user, body=BODY, headers=None) -> SseStream:
    return SseStream(
        api_server, "/api/generate/stream", method="POST", body=body, headers=headers or auth(user)
    )


def wait_until_final(generation_id: int) -> Generation:
    generation = Generation.objects.get(pk=generation_id)
    wait_for(lambda: reload(generation).status in FINAL_STATUSES, timeout=90)
    return generation


def get_json(api_server: str, path: str, headers: dict[str, str]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(api_server, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return response.status, body


def test_frames_arrive_in_order_to_the_result(api_server, owner):
    stream = start(api_server, owner)
    assert stream.status == 200
    assert stream.response.getheader("Content-Type").startswith("text/event-stream")
    frames = stream.read_until_result()
    stream.close()

    # The first frame: accepted, before anything is saved; then queued, with what a client
    # needs to reconnect. Both have id 0: the run's own events are numbered from 1.
    accepted, queued = frames[:2]
    assert (accepted.id, accepted.type) == (0, "accepted")
    assert accepted.payload["data"] == {"projectName": "Tasks", "stack": "django"}
    assert (queued.id, queued.type) == (0, "queued")
    generation_id = queued.payload["data"]["generationId"]
    assert queued.payload["data"]["urls"]["events"].endswith(
        f"/api/generations/{generation_id}/events"
    )
    # Then every event of the history, once, in order, each with the seed's fields.
    for frame in frames:
        assert frame.payload.keys() >= SEED_FIELDS, frame
        assert isinstance(frame.payload["progress"], int)
    history = list(
        GenerationEvent.objects.filter(generation_id=generation_id).values_list("seq", "type")
    )
    assert [(f.id, f.type) for f in frames[2:]] == history
    assert frames[2].type == "phase_start" and frames[2].payload["phase"] == "initialization"
    assert any(f.type == "phase_start" and f.payload["phase"] == "analysis" for f in frames)
    # The result frame carries the same result POST /api/generate answers.
    result = frames[-1].payload["data"]
    assert result["success"] is True, result["error"]
    assert result["generationId"] == generation_id
    assert result["phases"]["verification"]["passed"] is True
    assert result["files"] and result["downloadUrl"]
    assert wait_until_final(generation_id).status == "succeeded"


def test_the_seed_curl_example_is_refused_before_the_stream_opens(api_server, owner):
    # "Build app" names nothing to store: a 400 saying what to describe, not a stream.
    # Waits on the analyzer's domain-content check in requirements_problem.
    body = {"projectName": "Test", "description": "Test", "requirements": "Build app"}
    stream = start(api_server, owner, body=body)
    assert stream.status == 400
    refusal = stream.json()
    assert refusal["code"] == "invalid_input"
    assert refusal["details"]["fields"]["requirements"] == [requirements_problem("Build app")]
    assert not Project.objects.filter(owner=owner).exists()


def test_api_key_auth_and_a_quick_first_frame(api_server, owner):
    _, raw = api_key_create(user=owner, name="stream")
    stream = start(api_server, owner, headers={"X-API-Key": raw})
    frames = stream.frames()
    first, second = next(frames), next(frames)
    elapsed = first.received_at - stream.started
    stream.close()
    assert (first.type, second.type) == ("accepted", "queued")
    assert elapsed < 1.0, f"first frame after {elapsed:.3f} s"  # the 50 ms goal is in bench/
    wait_until_final(second.payload["data"]["generationId"])


def test_a_client_that_drops_after_the_first_frame_still_gets_its_run(api_server, owner):
    stream = start(api_server, owner, body={**BODY, "projectName": "Dropped early"})
    first = next(stream.frames())
    stream.close()  # before the run was saved, most likely
    assert first.type == "accepted"

    def saved() -> Generation | None:
        return Generation.objects.filter(project__name="Dropped early").first()

    wait_for(lambda: saved() is not None, timeout=10)
    assert wait_until_final(saved().pk).status == "succeeded"


def test_reconnect_with_last_event_id_replays_exactly_what_was_missed(api_server, owner):
    headers = auth(owner)
    stream = start(api_server, owner)
    seen: list[Frame] = []
    for frame in stream.frames():
        seen.append(frame)
        if len(seen) == 7:
            break
    stream.close()  # the client drops mid-run
    generation_id = seen[1].payload["data"]["generationId"]
    path = f"/api/generations/{generation_id}/events"

    again = SseStream(api_server, path, headers={**headers, "Last-Event-ID": str(seen[-1].id)})
    rest = again.read_until_result()
    again.close()

    everything = SseStream(api_server, f"{path}?after=0", headers=headers)
    full = everything.read_until_result()
    everything.close()
    assert [(f.id, f.payload) for f in seen[2:] + rest] == [(f.id, f.payload) for f in full]
    assert [f.id for f in full] == list(range(1, len(full) + 1))
    wait_until_final(generation_id)


def test_a_dropped_client_leaves_the_run_finishing(api_server, owner):
    headers = auth(owner)
    stream = start(api_server, owner)
    frames = stream.frames()
    next(frames)  # accepted
    generation_id = next(frames).payload["data"]["generationId"]
    stream.close()

    def finished() -> bool:
        status, body = get_json(api_server, f"/api/generations/{generation_id}", headers)
        return status == 200 and body["status"] in FINAL_STATUSES

    wait_for(finished, timeout=90, interval=0.2)
    _, body = get_json(api_server, f"/api/generations/{generation_id}", headers)
    assert body["status"] == "succeeded", body["error"]
    assert body["result"]["success"] is True


def test_keep_alives_flow_while_nothing_happens(api_server, owner, project):
    run = make_live_run(project)  # running, but no worker writes to it
    stream = SseStream(
        api_server, f"/api/generations/{run.pk}/events?after=3", headers=auth(owner), timeout=10
    )
    frames = []
    for frame in stream.frames():
        frames.append(frame)
        if len(frames) == 2:
            break
    waited = time.monotonic()
    line = stream.response.readline()
    stream.close()
    assert line == b": keep-alive\n", line
    assert time.monotonic() - waited < 3
    assert [f.id for f in frames] == [4, 5]
    Generation.objects.filter(pk=run.pk).update(status="failed")  # leave nothing "running"


def test_stream_errors_are_json(api_server, owner, stranger, project):
    # No credentials
    stream = SseStream(api_server, "/api/generate/stream", method="POST", body=BODY, headers={})
    assert stream.status == 401
    assert stream.json()["code"] == "not_authenticated"
    assert "Bearer" in stream.response.getheader("WWW-Authenticate")
    # A bad body names the field
    stream = start(api_server, owner, body={"projectName": "x"})
    assert stream.status == 400
    body = stream.json()
    assert body["code"] == "missing_field" and "requirements" in body["error"]
    # A blank name is refused before the stream opens, naming the field
    stream = start(api_server, owner, body={**BODY, "projectName": "   "})
    assert stream.status == 400
    assert stream.json()["details"]["fields"]["projectName"] == ["This field may not be blank."]
    # A revoked / unknown key
    stream = start(api_server, owner, headers={"X-API-Key": "tk_unknown"})
    assert stream.status == 401 and stream.json()["code"] == "invalid_api_key"
    # Another user's run is 404; a bad Last-Event-ID is 400
    run = make_live_run(project)
    stream = SseStream(api_server, f"/api/generations/{run.pk}/events", headers=auth(stranger))
    assert stream.status == 404 and set(stream.json()) == {"error", "code", "details"}
    stream = SseStream(
        api_server,
        f"/api/generations/{run.pk}/events",
        headers={**auth(owner), "Last-Event-ID": "abc"},
    )
    assert stream.status == 400 and "Last-Event-ID" in stream.json()["error"]
    Generation.objects.filter(pk=run.pk).update(status="failed")


def test_the_run_cap_refuses_the_stream_before_it_opens(api_server, owner, project):
    runs = [make_live_run(project, number=n) for n in range(1, 5)]  # the server's cap is 4
    stream = start(api_server, owner)
    assert stream.status == 429
    assert stream.json()["code"] == "too_many_runs"
    assert int(stream.response.getheader("Retry-After")) > 0
    Generation.objects.filter(pk__in=[run.pk for run in runs]).update(status="failed")


def test_a_run_cap_race_after_the_first_frame_ends_in_an_error_frame(owner, project, settings):
    # Two streams may both pass the early check; the second to save is refused under the lock
    # and, its 200 already sent, gets the refusal as a frame.
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    run = make_live_run(project)
    data = {"projectName": "Raced", "description": "", "requirements": TASK_MANAGER}
    generation_id, frame = _start(owner, {**data, "stack": "django"}, lambda path: path)
    assert generation_id == 0
    head, _, body = frame.partition("\ndata: ")
    payload = json.loads(body)
    assert head == "id: 0"
    assert payload["type"] == "error" and payload["data"]["code"] == "too_many_runs"
    assert payload["data"]["status"] == 429 and "already have 1 generation" in payload["message"]
    assert not Generation.objects.filter(project__name="Raced").exists()
    Generation.objects.filter(pk=run.pk).update(status="failed")
