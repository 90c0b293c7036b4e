"""Benchmark: N concurrent SSE streams against the real ASGI server, one generation each.

Run: ``.venv/bin/python bench/stream_load.py [--streams 100 1000] [--events 10] [--rate 1]``.

For each N it:

1. creates a fresh SQLite file database (migrated), starts daphne on it (127.0.0.1, a free port)
   serving ``bench/stream_load_server.py`` (Takoss plus a bench-only publisher), with DEBUG off;
2. creates one user and N running generations, and a session cookie for the user;
3. opens N event streams (``/events/generations/<id>/``, what the project page's htmx SSE
   extension reads), each from its own socket with asyncio, connecting with a last id as the
   page does, and waits for each one's ``stream-open``;
4. reads the server's RSS, threads and open files before and after (memory per open stream);
5. has the server publish ``--events`` events per generation at ``--rate`` per second through
   the live path of real runs (ThrottledChannel: HTML fragment, replay storage, listener
   queues), each stamped with its send time, and measures per-event delivery latency
   (receive time - send time, same machine clock), and lost or repeated events per stream;
6. closes the streams and stops the server it started (by its PID).

Every wait is bounded; failures to connect (refused, reset, timed out, non-200) are counted and
reported, not fatal. The soft open-files limit is raised to the hard one first (N sockets here,
and per stream a socket, a thread and a database connection in the server).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import secrets
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from tests.asgi_server import HOST, AsgiServer  # noqa: E402

STAMP = re.compile(rb"bench seq=(\d+) sent=([0-9.]+)")
OPEN_CONCURRENCY = 100  # connections being opened at once
OPEN_TIMEOUT = 60.0  # seconds for one stream to answer and send stream-open
console = Console(width=200)


@dataclass
class Stream:
    generation_id: int
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    error: str = ""
    received: dict[int, float] = field(default_factory=dict)  # seq -> latency (s)
    repeats: int = 0
    writer: asyncio.StreamWriter | None = None


@dataclass
class Result:
    streams: int
    opened: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    open_seconds: float = 0.0
    rss_before: int = 0
    rss_after: int = 0
    threads_before: int = 0
    threads_after: int = 0
    fds_before: int = 0
    fds_after: int = 0
    expected: int = 0
    received: int = 0
    repeats: int = 0
    streams_with_loss: int = 0
    published: int = 0
    publish_errors: int = 0
    publish_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    note: str = ""


# --- the server's side: database, rows, process figures -------------------------------------


def prepare_database(path: Path) -> None:
    """Point this process's Django at a new SQLite file and migrate it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takoss.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    # As in production (DEBUG keeps every query of every connection in memory), and the server
    # inherits both: it must accept the session this process signs.
    os.environ["TAKOSS_DEBUG"] = "false"
    os.environ.setdefault("TAKOSS_SECRET_KEY", secrets.token_urlsafe(40))
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = str(path)  # for the second N and after
    call_command("migrate", verbosity=0, interactive=False)


def create_rows(n: int) -> tuple[list[int], str]:
    """One user with n running generations (one project each); return their ids and a cookie."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from generator.models import Generation, Project

    user = get_user_model().objects.create_user(
        email=f"bench-{secrets.token_hex(4)}@example.com", password=secrets.token_hex(16)
    )
    projects = Project.objects.bulk_create(
        Project(owner=user, name=f"Bench {i}", requirements="A bench.", stack="django")
        for i in range(n)
    )
    now = timezone.now()
    generations = Generation.objects.bulk_create(
        Generation(project=p, number=1, status="running", started_at=now) for p in projects
    )
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [g.pk for g in generations], cookie


def process_figures(pid: int) -> tuple[int, int, int]:
    """RSS (bytes), threads and open file descriptors of a process, from /proc."""
    rss = threads = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("Threads:"):
            threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, threads, fds


def bench_request(server: AsgiServer, path: str, payload: dict | None = None) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(server.url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# --- the client side: N event streams over raw asyncio sockets ------------------------------


async def open_stream(stream: Stream, port: int, cookie: str, gate: asyncio.Semaphore) -> None:
    last_id = quote(f"generation-{stream.generation_id}:0")
    path = f"/events/generations/{stream.generation_id}/?lastEventId={last_id}"
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nCookie: {cookie}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    ).encode()
    async with gate:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(HOST, port), OPEN_TIMEOUT
            )
            stream.writer = writer
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), OPEN_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError) as error:
            stream.error = type(error).__name__
            return
        except OSError as error:
            stream.error = type(error).__name__
            return
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status:
        stream.error = f"HTTP {status.decode(errors='replace')[9:12]}"
        return
    chunked = b"transfer-encoding: chunked" in head.lower()
    try:
        await read_events(stream, reader, chunked)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        if not stream.opened.is_set():
            stream.error = type(error).__name__


async def read_events(stream: Stream, reader: asyncio.StreamReader, chunked: bool) -> None:
    raw = b""
    body = b""
    while True:
        data = await reader.read(65536)
        if not data:
            if not stream.opened.is_set():
                stream.error = "closed"
            return
        received_at = time.time()
        if chunked:
            raw += data
            while True:
                line_end = raw.find(b"\r\n")
                if line_end < 0:
                    break
                size = int(raw[:line_end].split(b";")[0], 16)
                if len(raw) < line_end + 2 + size + 2:
                    break
                body += raw[line_end + 2 : line_end + 2 + size]
                raw = raw[line_end + 2 + size + 2 :]
                if size == 0:
                    return
        else:
            body += data
        *events, body = body.split(b"\n\n")
        for event in events:
            handle_event(stream, event, received_at)


def handle_event(stream: Stream, event: bytes, received_at: float) -> None:
    if b"event: stream-open" in event:
        stream.opened.set()
        return
    if b"event: stream-error" in event:
        stream.error = "stream-error"
        stream.opened.set()
        return
    found = STAMP.search(event)
    if found is None:
        return
    seq, sent = int(found[1]), float(found[2])
    if seq in stream.received:
        stream.repeats += 1
    else:
        stream.received[seq] = received_at - sent


async def run_streams(
    server: AsgiServer, ids: list[int], cookie: str, events: int, rate: float, result: Result
) -> None:
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    streams = [Stream(i) for i in ids]
    started = time.monotonic()
    tasks = [asyncio.create_task(open_stream(s, server.port, cookie, gate)) for s in streams]

    async def opened_or_failed(stream: Stream, task: asyncio.Task) -> None:
        waiter = asyncio.create_task(stream.opened.wait())
        await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()

    try:
        await asyncio.wait_for(
            asyncio.gather(*(opened_or_failed(s, t) for s, t in zip(streams, tasks, strict=True))),
            timeout=OPEN_TIMEOUT * (1 + len(ids) / OPEN_CONCURRENCY),
        )
    except TimeoutError:
        result.note = "some streams never opened"
    result.open_seconds = time.monotonic() - started
    live = [s for s in streams if s.opened.is_set() and not s.error]
    result.opened = len(live)
    for stream, task in zip(streams, tasks, strict=True):
        if task.done() and not task.cancelled() and task.exception() is not None:
            stream.error = stream.error or repr(task.exception())
        if not (stream.opened.is_set() and not stream.error):
            reason = stream.error or "no stream-open"
            result.errors[reason] = result.errors.get(reason, 0) + 1

    await asyncio.sleep(2)  # let the server settle before reading its figures
    result.rss_after, result.threads_after, result.fds_after = process_figures(server.pid)

    if live and events:
        await asyncio.to_thread(
            bench_request,
            server,
            "/bench/publish/",
            {"ids": [s.generation_id for s in live], "count": events, "rate": rate},
        )
        deadline = time.monotonic() + events / rate + 60 + len(live) * events / 200
        while time.monotonic() < deadline:
            status = await asyncio.to_thread(bench_request, server, "/bench/status/")
            if not status["running"]:
                break
            await asyncio.sleep(0.5)
        else:
            result.note = "the publisher did not finish in time"
        result.published = status["published"]
        result.publish_errors = status["errors"]
        result.publish_seconds = status["elapsed"]
        # Deliveries still in flight: wait until every stream has all, or for 15 s more.
        grace = time.monotonic() + 15
        while time.monotonic() < grace:
            if all(len(s.received) >= events for s in live):
                break
            await asyncio.sleep(0.2)

    for stream in live:
        result.expected += events
        result.received += len(stream.received)
        result.repeats += stream.repeats
        result.streams_with_loss += len(stream.received) < events
        result.latencies.extend(stream.received.values())
    for stream in streams:
        if stream.writer is not None:
            stream.writer.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def measure(n: int, events: int, rate: float, folder: Path) -> Result:
    database = folder / f"stream-load-{n}.db"
    prepare_database(database)
    result = Result(streams=n)
    server = AsgiServer(
        database=database,
        media_root=folder / "media",
        log_path=folder / f"daphne-{n}.log",
        app="bench.stream_load_server:application",
        env={"TAKOSS_LOG_LEVEL": "ERROR"},
        probe_path="/bench/status/",
    )
    with server:
        # The first request to the app marks runs of a dead server interrupted: let it happen
        # before the bench's runs exist (a stream for no run answers "forbidden" at once).
        urllib.request.urlopen(f"{server.url}/events/generations/0/", timeout=30).read()
        ids, cookie = create_rows(n)
        # Warm up: one stream opened and closed, so start-up allocations are not counted.
        warm = Result(streams=1)
        asyncio.run(run_streams(server, ids[:1], cookie, 0, rate, warm))
        time.sleep(1)
        result.rss_before, result.threads_before, result.fds_before = process_figures(server.pid)
        try:
            asyncio.run(run_streams(server, ids, cookie, events, rate, result))
        finally:
            if server.process is not None and server.process.poll() is not None:
                result.note += f" server died; log:\n{server.log_tail()}"
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def raise_open_files_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--events", type=int, default=10, help="events per stream")
    parser.add_argument("--rate", type=float, default=1.0, help="events per second per stream")
    args = parser.parse_args()
    limit = raise_open_files_limit()
    console.print(
        f"open-files limit {limit}; {args.events} events per stream at {args.rate}/s; "
        f"{os.cpu_count()} CPUs"
    )
    table = Table(title="SSE stream load (daphne, SQLite, eventstream storage on)")
    for column in (
        "streams",
        "opened",
        "open time",
        "conn. errors",
        "RSS/stream",
        "threads",
        "fds",
        "published",
        "pub. time",
        "received",
        "lost",
        "repeats",
        "p50",
        "p99",
        "max",
    ):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory(prefix="takoss-stream-load-") as tmp:
        for n in args.streams:
            console.print(f"[bold]N = {n}[/bold] …")
            result = measure(n, args.events, args.rate, Path(tmp))
            per_stream = (result.rss_after - result.rss_before) / max(result.opened, 1)
            lost = result.expected - result.received
            errors = ", ".join(f"{k}: {v}" for k, v in result.errors.items()) or "0"
            ms = [1000 * x for x in result.latencies]
            table.add_row(
                str(n),
                str(result.opened),
                f"{result.open_seconds:.1f} s",
                errors,
                f"{per_stream / 1024:.0f} KiB",
                f"{result.threads_before} → {result.threads_after}",
                f"{result.fds_before} → {result.fds_after}",
                f"{result.published} ({result.publish_errors} err.)",
                f"{result.publish_seconds:.1f} s",
                f"{result.received}/{result.expected}",
                f"{lost} ({result.streams_with_loss} streams)",
                str(result.repeats),
                f"{percentile(ms, 50):.0f} ms",
                f"{percentile(ms, 99):.0f} ms",
                f"{max(ms, default=float('nan')):.0f} ms",
            )
            if result.note:
                console.print(f"[yellow]N = {n}: {result.note.strip()}[/yellow]")
    console.print(table)


if __name__ == "__main__":
    main()
