"""Benchmark: the REST API's Server-Sent Events against a real daphne it starts itself.

Run: ``.venv/bin/python bench/api_stream.py [--first-frames 30] [--events 2000]
[--streams 1 10 50]``.

It creates a fresh, migrated SQLite file database and a user with a JWT, starts daphne
(127.0.0.1, a free port, DEBUG off) on it, then measures:

1. **time to first frame** of ``POST /api/generate/stream``: ``--first-frames`` requests one
   after the other, each timed to its first frame (``accepted``), read on to ``queued`` (for
   the run's id) and closed; each run is then cancelled through the API so the next one finds a
   free worker. Measured twice: on an idle server, and with another run generating in the
   same process meanwhile (its worker thread competes for the interpreter);
2. **one live run**: a full generation read to its ``result`` frame (events, seconds, events/s);
3. **events per second, replayed**: a finished run with ``--events`` events in its history,
   read from ``GET /api/generations/{id}/events?after=0`` by N concurrent streams for each N
   of ``--streams`` (each stream its own socket, with asyncio); the figure is all frames
   received / wall time, and per stream.

Every wait is bounded (socket timeouts, a deadline per phase); the server is stopped by its PID.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.asgi_server import HOST, AsgiServer  # noqa: E402

TASKS = (
    "A task manager for small teams: projects have tasks with a title, a due date and a "
    "priority. Users can search and filter tasks."
)
PHASE_TIMEOUT = 180.0  # seconds any one measured phase may take
FIRST_FRAME_GOAL = 0.050  # seconds: the "first frame within 50 ms"


def prepare(path: Path) -> tuple[str, int]:
    """Migrate a new database; make a user, its token and a finished run to replay."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takoss.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["TAKOSS_DEBUG"] = "false"
    os.environ.setdefault("TAKOSS_SECRET_KEY", secrets.token_urlsafe(40))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User

    user = User.objects.create_user(email="bench@example.com", password=secrets.token_hex(8))
    return str(RefreshToken.for_user(user).access_token), user.pk


def make_history(user_id: int, events: int) -> int:
    """A finished run whose history holds ``events`` events ending with ``result``."""
    from django.utils import timezone

    from generator.models import Generation, GenerationEvent, Project

    project = Project.objects.create(owner_id=user_id, name="Replay", requirements=TASKS)
    generation = Generation.objects.create(
        project=project,
        number=1,
        status="succeeded",
        progress=100,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        last_event_seq=events,
    )
    rows = [
        GenerationEvent(
            generation=generation,
            seq=seq,
            type="phase_progress",
            phase="database",
            message=f"Wrote file_{seq}.py",
            progress=min(99, seq * 100 // events),
            data={"path": f"file_{seq}.py", "size": 1234},
        )
        for seq in range(1, events)
    ]
    rows.append(
        GenerationEvent(
            generation=generation, seq=events, type="result", phase="complete", progress=100
        )
    )
    GenerationEvent.objects.bulk_create(rows, batch_size=500)
    return generation.pk


# --- clients ----------------------------------------------------------------------------------


def post_stream(address: str, token: str) -> tuple[http.client.HTTPConnection, float]:
    connection = http.client.HTTPConnection(address, timeout=30)
    body = json.dumps({"projectName": "Bench", "description": "", "requirements": TASKS})
    started = time.perf_counter()
    connection.request(
        "POST",
        "/api/generate/stream",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return connection, started


def read_frames(response: http.client.HTTPResponse, *, until: str, deadline: float) -> list[dict]:
    frames, data = [], []
    while time.monotonic() < deadline:
        line = response.readline()
        if not line:
            break
        line = line.rstrip(b"\r\n")
        if line.startswith(b"data:"):
            data.append(line[5:].strip())
        elif not line and data:
            frame = json.loads(b"\n".join(data))
            frames.append(frame)
            data = []
            if frame["type"] == until:
                break
    return frames


def api_post(address: str, path: str, token: str) -> int:
    connection = http.client.HTTPConnection(address, timeout=30)
    connection.request("POST", path, headers={"Authorization": f"Bearer {token}"})
    status = connection.getresponse().status
    connection.close()
    return status


def wait_idle(address: str, token: str, generation_id: int) -> None:
    deadline = time.monotonic() + PHASE_TIMEOUT
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(address, timeout=30)
        connection.request(
            "GET", f"/api/generations/{generation_id}", headers={"Authorization": f"Bearer {token}"}
        )
        body = json.loads(connection.getresponse().read())
        connection.close()
        if body["status"] not in {"queued", "running"}:
            return
        time.sleep(0.05)


def start_background_run(address: str, token: str) -> int:
    """Start a run with ``"wait": false``; return its id (the run goes on in the server)."""
    connection = http.client.HTTPConnection(address, timeout=30)
    body = json.dumps({"projectName": "Busy", "requirements": TASKS, "wait": False})
    connection.request(
        "POST",
        "/api/generate",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    answer = json.loads(connection.getresponse().read())
    connection.close()
    return int(answer["generationId"])


def first_frames(address: str, token: str, samples: int, *, busy: bool = False) -> list[float]:
    """Time to first frame; with ``busy``, each while another run is generating."""
    timings = []
    for _ in range(samples):
        background = start_background_run(address, token) if busy else None
        if background is not None:
            time.sleep(0.3)  # into its analysis and rendering: the worker thread wants the CPU
        connection, started = post_stream(address, token)
        response = connection.getresponse()
        first = read_frames(response, until="accepted", deadline=time.monotonic() + 30)
        timings.append(time.perf_counter() - started)
        assert first and first[0]["type"] == "accepted", first
        queued = read_frames(response, until="queued", deadline=time.monotonic() + 30)
        connection.close()
        generation_id = queued[-1]["data"]["generationId"]
        for run in (generation_id, background):
            if run is not None:
                api_post(address, f"/api/generations/{run}/cancel", token)
                wait_idle(address, token, run)
    return timings


def live_run(address: str, token: str) -> tuple[int, float, str]:
    connection, started = post_stream(address, token)
    response = connection.getresponse()
    frames = read_frames(response, until="result", deadline=time.monotonic() + PHASE_TIMEOUT)
    elapsed = time.perf_counter() - started
    connection.close()
    status = frames[-1]["data"]["status"] if frames and frames[-1]["type"] == "result" else "?"
    return len(frames), elapsed, status


async def replay_one(address: str, token: str, generation_id: int) -> tuple[int, float]:
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.perf_counter()
    writer.write(
        (
            f"GET /api/generations/{generation_id}/events?after=0 HTTP/1.1\r\n"
            f"Host: {address}\r\nAuthorization: Bearer {token}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    frames = 0
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                frames += 1
                if b'"type":"result"' in line:
                    break
    finally:
        writer.close()
    return frames, time.perf_counter() - started


async def replay(address: str, token: str, generation_id: int, streams: int) -> list:
    tasks = [replay_one(address, token, generation_id) for _ in range(streams)]
    return await asyncio.wait_for(asyncio.gather(*tasks), PHASE_TIMEOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-frames", type=int, default=30)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="takoss-bench-api-") as tmp:
        folder = Path(tmp)
        token, user_id = prepare(folder / "db.sqlite3")
        replay_id = make_history(user_id, args.events)
        server = AsgiServer(
            database=folder / "db.sqlite3",
            media_root=folder / "media",
            log_path=folder / "daphne.log",
            probe_path="/api/health",
            env={
                "TAKOSS_API_GENERATE_RATE": "100000/hour",
                "TAKOSS_MAX_CONCURRENT_RUNS_PER_USER": "50",
            },
        )
        with server:
            print(f"daphne on {server.address} (pid {server.pid}), host {HOST}")
            for busy in (False, True):
                ttff = first_frames(server.address, token, args.first_frames, busy=busy)
                print(
                    f"time to first frame (POST /api/generate/stream, {len(ttff)} runs"
                    f"{', each while another run generates' if busy else ', server idle'}): "
                    f"median {statistics.median(ttff) * 1000:.1f} ms, "
                    f"min {min(ttff) * 1000:.1f} ms, max {max(ttff) * 1000:.1f} ms; "
                    f"{sum(1 for t in ttff if t < FIRST_FRAME_GOAL)}/{len(ttff)} under the "
                    f"{FIRST_FRAME_GOAL * 1000:.0f} ms goal"
                )
            frames, elapsed, status = live_run(server.address, token)
            print(
                f"one live run to its result: {frames} frames in {elapsed:.2f} s "
                f"({frames / elapsed:.0f} events/s, bounded by the generation), status {status}"
            )
            for streams in args.streams:
                started = time.perf_counter()
                outcomes = asyncio.run(replay(server.address, token, replay_id, streams))
                wall = time.perf_counter() - started
                total = sum(frames for frames, _ in outcomes)
                complete = sum(1 for frames, _ in outcomes if frames == args.events)
                per_stream = statistics.median(frames / secs for frames, secs in outcomes)
                print(
                    f"replay of {args.events} events x {streams} streams: {total} frames in "
                    f"{wall:.2f} s = {total / wall:.0f} events/s overall, "
                    f"median {per_stream:.0f} events/s per stream, "
                    f"{complete}/{streams} streams complete"
                )


if __name__ == "__main__":
    main()
