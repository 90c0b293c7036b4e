"""Benchmark: generations per minute on worker processes, and cross-process delivery latency.

Run: ``.venv/bin/python bench/workers.py [--runs 4] [--workers 1 2]``.

It starts what ``make run-scaled`` starts (takoss.scaled: a throwaway PostgreSQL cluster and a
redis-server on loopback, the migrations, one daphne), then for each worker count of
``--workers``: starts that many ``manage.py takoss_worker`` processes, submits ``--runs``
generations at once through ``POST /api/generate`` (each by its own user, so the per-user run
cap does not queue them) and reports the wall time until the last one is final and the
generations per minute. During the first run it also follows ``GET …/events`` on the web
process and reports, per event, the delay from the event's row being saved by the worker
(PostgreSQL's clock) to the frame arriving (this machine's clock: same host), i.e. how long an
event takes to travel worker → PostgreSQL → Redis → web process → client.

Every process is stopped by its pid at the end. Figures depend on the machine's load: the
machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from takoss.scaled import LocalServices, migrate, start_worker, stop, takoss_env  # noqa: E402
from tests.asgi_server import AsgiServer  # noqa: E402

TASKS = (
    "A task manager for small teams: projects have tasks with a title, a due date and a "
    "priority; each task belongs to a project."
)
PASSWORD = "a-Long-pass-phrase-42"


def token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/auth/register",
        json={"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": PASSWORD, "name": "B"},
        timeout=60,
    )
    response.raise_for_status()
    return str(response.json()["token"])


def follow(base: str, bearer: str, generation_id: int, arrivals: dict[int, float]) -> None:
    headers = {"Authorization": f"Bearer {bearer}"}
    url = f"{base}/api/generations/{generation_id}/events"
    with httpx.stream("GET", url, headers=headers, timeout=600) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                frame = json.loads(line.removeprefix("data: "))
                arrivals[frame["seq"]] = time.time()
                if frame["type"] == "result":
                    return


def batch(base: str, database_url: str, runs: int) -> tuple[float, list[float]]:
    """Seconds until ``runs`` generations submitted at once are final; the first one's delivery
    delays (ms)."""
    bearers = [token(base) for _ in range(runs)]
    started = time.monotonic()
    ids = []
    for bearer in bearers:
        response = httpx.post(
            f"{base}/api/generate",
            json={"projectName": "Bench", "requirements": TASKS, "wait": False},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=60,
        )
        response.raise_for_status()
        ids.append(int(response.json()["generationId"]))
    arrivals: dict[int, float] = {}
    follower = threading.Thread(target=follow, args=(base, bearers[0], ids[0], arrivals))
    follower.start()
    with psycopg.connect(database_url, autocommit=True) as connection:
        while True:
            (unfinished,) = connection.execute(
                "SELECT count(*) FROM generator_generation "
                "WHERE id = ANY(%s) AND status IN ('queued', 'running')",
                (ids,),
            ).fetchone() or (0,)
            if unfinished == 0:
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        follower.join(timeout=60)
        saved = dict(
            connection.execute(
                "SELECT seq, extract(epoch FROM created_at) FROM generator_generationevent "
                "WHERE generation_id = %s",
                (ids[0],),
            ).fetchall()
        )
        statuses = connection.execute(
            "SELECT status, count(*) FROM generator_generation WHERE id = ANY(%s) GROUP BY 1",
            (ids,),
        ).fetchall()
    print(f"    statuses: {dict(statuses)}")
    delays = [(arrivals[seq] - float(at)) * 1000 for seq, at in saved.items() if seq in arrivals]
    return elapsed, delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="takoss-bench-workers-"))
    home.chmod(0o711)
    with LocalServices(home / "services") as services:
        env = takoss_env(
            services.env,
            {
                "TAKOSS_MEDIA_ROOT": str(home / "media"),
                "TAKOSS_LOG_LEVEL": "WARNING",
                "TAKOSS_DEBUG": "0",
                "TAKOSS_SECRET_KEY": os.urandom(40).hex(),
                "TAKOSS_API_GENERATE_RATE": "1000/hour",
                "TAKOSS_API_AUTH_RATE": "1000/minute",
            },
        )
        migrate(env)
        server = AsgiServer(
            database=home / "unused.sqlite3",
            media_root=home / "media",
            log_path=home / "web.log",
            env=env,
            startup_timeout=120,
            probe_path="/api/health",
        )
        with server:
            print(f"load average before: {os.getloadavg()}")
            for count in args.workers:
                workers = [
                    start_worker(f"bench-{count}-{n}", env, (home / f"w{count}-{n}.log").open("wb"))
                    for n in range(count)
                ]
                try:
                    time.sleep(10)  # the workers load Django and the parser
                    elapsed, delays = batch(server.url, services.database_url, args.runs)
                finally:
                    for worker in workers:
                        stop(worker, signal.SIGINT, wait=30)
                per_minute = args.runs / elapsed * 60
                print(
                    f"{count} worker(s): {args.runs} generations in {elapsed:.1f} s "
                    f"= {per_minute:.1f}/min; load average {os.getloadavg()[0]:.1f}"
                )
                if delays:
                    delays.sort()
                    p95 = delays[int(len(delays) * 0.95) - 1]
                    print(
                        f"    event delivery worker -> web -> client over {len(delays)} events: "
                        f"median {statistics.median(delays):.0f} ms, p95 {p95:.0f} ms, "
                        f"max {delays[-1]:.0f} ms"
                    )


if __name__ == "__main__":
    main()
