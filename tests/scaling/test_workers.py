"""Generations on worker processes, seen from two web processes (README "Scaling").

Submitted through one web process, a run executes on a worker and streams live from the other;
a cancel sent to either reaches the worker within a second; a worker killed with SIGKILL leaves
its run interrupted within seconds and no ZIP; two workers never run the same generation.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.scaling.conftest import GENERATE_RATE, STREAM_CAP, Cluster, wait_until

pytestmark = pytest.mark.slow

TASKS = (
    "A task manager for small teams: projects have tasks with a title, a due date and a "
    "priority; each task belongs to a project."
)


def user(cluster: Cluster) -> str:
    return cluster.register(email())


def email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


def page_events(session: httpx.Client, generation_id: int) -> list[tuple[int, str]]:
    """The run's web page stream (django-eventstream) from its first event to ``result``:
    (storage id, event name) pairs."""
    received: list[tuple[int, str]] = []
    path = f"/events/generations/{generation_id}/?lastEventId=generation-{generation_id}:0"
    headers = {"Accept": "text/event-stream"}
    with session.stream("GET", path, headers=headers, timeout=180) as stream:
        assert stream.status_code == 200
        name, event_id = "message", ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("id: "):
                event_id = line.removeprefix("id: ")
            elif line == "":
                if name not in {"message", "stream-open", "keep-alive"}:
                    received.append((int(event_id.rsplit(":", 1)[1]), name))
                    if name in {"result", "stream-error"}:
                        return received
                name, event_id = "message", ""
    raise AssertionError(f"the page stream ended before the result: {received}")


def submit(client: httpx.Client, name: str = "Team Tasks") -> int:
    response = client.post(
        "/api/generate", json={"projectName": name, "requirements": TASKS, "wait": False}
    )
    assert response.status_code == 202, response.text
    return int(response.json()["generationId"])


def frames(client: httpx.Client, generation_id: int) -> Iterator[tuple[float, dict[str, Any]]]:
    """The run's SSE frames as they arrive, with the time each arrived."""
    with client.stream("GET", f"/api/generations/{generation_id}/events", timeout=180) as stream:
        assert stream.status_code == 200
        for line in stream.iter_lines():
            if line.startswith("data: "):
                yield time.monotonic(), json.loads(line.removeprefix("data: "))


def status(client: httpx.Client, generation_id: int) -> dict[str, Any]:
    response = client.get(f"/api/generations/{generation_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def running_past_analysis(cluster: Cluster, generation_id: int) -> bool:
    rows = cluster.query(
        "SELECT status, last_event_seq FROM generator_generation WHERE id = %s", generation_id
    )
    return rows[0][0] == "running" and rows[0][1] >= 8


def test_a_run_submitted_through_web_1_runs_once_on_a_worker_and_streams_live_from_web_2(
    scaled,
):
    address = email()
    token = scaled.register(address)
    web1, web2 = scaled.client(0, token), scaled.client(1, token)
    page2 = scaled.session(1, address)
    generation_id = submit(web1)
    # Given the run's task queued three more times (a client retrying, a duplicated message)…
    duplicate_tasks(scaled, generation_id, 3)

    with ThreadPoolExecutor(1) as pool:  # the web page's stream from web 2 at the same time
        page = pool.submit(page_events, page2, generation_id)
        received = list(frames(web2, generation_id))
        page_received = page.result(timeout=120)

    # …it streams from the other web process, every event once, in order, live…
    seqs = [frame["seq"] for _, frame in received]
    assert seqs == list(range(1, len(seqs) + 1)), "every event once, in order, no gap"
    assert received[-1][1]["type"] == "result"
    assert received[-1][1]["data"]["status"] == "succeeded"
    first_at, last_at = received[0][0], received[-1][0]
    assert last_at - first_at > 1.0, "events arrived while the run went on, not in one batch"
    # …the web page's stream too, through Redis (each event once, in order, to the result)…
    assert [event_id for event_id, _ in page_received] == list(range(1, len(page_received) + 1))
    assert page_received[-1][1] == "result"
    assert page_received[0][1] == "phase_start"
    # …and ran once, on a worker: the workers took all four tasks, one of them ran the pipeline.
    starts = [f for _, f in received if f["type"] == "phase_start" and f["phase"] == "analysis"]
    assert len(starts) == 1
    wait_until(lambda: len(tasks_of(scaled, generation_id, "SUCCESSFUL")) == 4, timeout=60)
    assert {name for ids in tasks_of(scaled, generation_id, "SUCCESSFUL") for name in ids} <= {
        "worker-1",
        "worker-2",
    }
    download = web2.get(f"/api/projects/{status(web2, generation_id)['projectId']}/download")
    assert download.status_code == 200
    assert download.content.startswith(b"PK")


def tasks_of(cluster: Cluster, generation_id: int, task_status: str) -> list[list[str]]:
    """The worker ids of the run's tasks in that status (django-tasks-db's records)."""
    rows = cluster.query(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
        "WHERE args_kwargs->'args'->>0 = %s AND status = %s",
        str(generation_id),
        task_status,
    )
    return [row[0] for row in rows]


def duplicate_tasks(cluster: Cluster, generation_id: int, copies: int) -> None:
    columns = [
        name
        for (name,) in cluster.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'django_tasks_database_dbtaskresult' AND column_name <> 'id'"
        )
    ]
    fresh = {"status": "'READY'", "worker_ids": "'[]'::jsonb", "started_at": "NULL"}
    fresh |= {"finished_at": "NULL", "last_attempted_at": "NULL"}
    listed = ", ".join(columns)
    values = ", ".join(fresh.get(column, column) for column in columns)
    with cluster.db() as connection, connection.transaction():
        for _ in range(copies):
            connection.execute(
                f"INSERT INTO django_tasks_database_dbtaskresult (id, {listed}) "
                f"SELECT %s, {values} FROM django_tasks_database_dbtaskresult "
                "WHERE args_kwargs->'args'->>0 = %s LIMIT 1",
                (uuid.uuid4(), str(generation_id)),
            )


def test_a_cancel_sent_to_either_web_process_reaches_the_worker_within_a_second(scaled):
    token = user(scaled)
    web1, web2 = scaled.client(0, token), scaled.client(1, token)
    generation_id = submit(web1)
    wait_until(lambda: running_past_analysis(scaled, generation_id), timeout=120)

    response = web2.post(f"/api/generations/{generation_id}/cancel")
    assert response.status_code in (200, 202), response.text

    received = [frame for _, frame in frames(web1, generation_id)]
    assert [f["type"] for f in received[-2:]] == ["cancelled", "result"]
    assert status(web1, generation_id)["status"] == "cancelled"
    # From the request (web 2's write) to the worker's cancelled event, by the database's clock.
    [(delay,)] = scaled.query(
        "SELECT extract(epoch FROM e.created_at - g.cancel_requested_at) "
        "FROM generator_generationevent e JOIN generator_generation g ON g.id = e.generation_id "
        "WHERE g.id = %s AND e.type = 'cancelled'",
        generation_id,
    )
    assert 0 <= float(delay) < 1.0


def test_a_worker_killed_mid_run_leaves_its_run_interrupted_and_no_zip(scaled):
    token = user(scaled)
    web1, web2 = scaled.client(0, token), scaled.client(1, token)
    generation_id = submit(web1)
    wait_until(lambda: running_past_analysis(scaled, generation_id), timeout=120)

    scaled.worker_running(generation_id).kill()

    # Heartbeat every 1 s, stale after 3 s, swept every second: marked within about 4 s.
    took = wait_until(lambda: status(web2, generation_id)["status"] == "interrupted", timeout=15)
    assert took < 10
    run = status(web2, generation_id)
    assert run["urls"]["download"] is None
    assert web2.get(f"/api/projects/{run['projectId']}/download").status_code != 200
    received = [frame for _, frame in frames(web2, generation_id)]
    assert [f["type"] for f in received[-2:]] == ["error", "result"]
    media = Path(scaled.workers[0].env["TAKOSS_MEDIA_ROOT"])
    assert list(media.glob(f"generations/*/{generation_id}*.zip")) == []


def test_a_users_rate_limit_counts_requests_to_every_web_process(scaled):
    token = user(scaled)
    webs = [scaled.client(0, token), scaled.client(1, token)]

    # Requests refused for their body still count (DRF throttles before it parses).
    answers = [webs[n % 2].post("/api/generate", json={}).status_code for n in range(3)]

    assert answers == [400] * GENERATE_RATE + [429]
    refused = webs[1].post("/api/generate", json={})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_a_users_open_streams_are_capped_across_web_processes(scaled):
    token = user(scaled)
    webs = [scaled.client(0, token), scaled.client(1, token)]
    generation_id = submit(webs[0])
    path = f"/api/generations/{generation_id}/events"

    with ExitStack() as open_streams:
        streams = [
            open_streams.enter_context(webs[n % 2].stream("GET", path, timeout=60))
            for n in range(STREAM_CAP)
        ]
        assert [s.status_code for s in streams] == [200] * STREAM_CAP

        refused = webs[0].get(path)
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_streams"
        assert int(refused.headers["Retry-After"]) > 0

        streams[0].close()  # a client that leaves gives its slot back

        def opens() -> bool:
            with webs[1].stream("GET", path, timeout=60) as again:
                return again.status_code == 200

        wait_until(opens, timeout=10, interval=0.2)
    webs[0].post(f"/api/generations/{generation_id}/cancel")
