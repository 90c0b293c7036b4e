"""Takoss as several processes, for real: PostgreSQL, Redis, two web processes, two workers.

One cluster per test session (starting it takes a while): takoss.scaled starts PostgreSQL and
Redis on free loopback ports (the same code as ``make run-scaled``), tests/asgi_server.py the two
daphne processes, and ``manage.py takoss_worker`` the workers. The tests reach it only over HTTP,
and read its database with psycopg; pytest-django's own database is not involved.

Without PostgreSQL's or Redis's binaries the tests are skipped, except under CI (the ``CI``
variable), where that is a failure, as for tests/browser/support.py's Chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import httpx
import psycopg
import pytest

from takoss.scaled import LocalServices, Unavailable, migrate, start_worker, stop, takoss_env
from tests.asgi_server import AsgiServer

PASSWORD = "a-Long-pass-phrase-42"
# Short, so a killed worker's run is swept within seconds (the default is 15 s).
FAST_SWEEP = {"TAKOSS_HEARTBEAT_SECONDS": "1", "TAKOSS_STALE_RUN_SECONDS": "3"}
# Each test's user starts at most one run; the rate limit's test makes a third request.
GENERATE_RATE = 2
# Each test's user opens at most two API streams at once, but the cap's test.
STREAM_CAP = 2


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL and Redis are required under CI: {reason}")
    pytest.skip(reason)


class Worker:
    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name, self.env, self.log_path = name, env, log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.process = start_worker(self.name, self.env, self._log)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        stop(self.process, signal.SIGINT, wait=10)
        if self._log is not None:
            self._log.close()


class Cluster:
    def __init__(self, services: LocalServices, webs: list[AsgiServer], workers: list[Worker]):
        self.services, self.webs, self.workers = services, webs, workers

    def db(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.services.database_url, autocommit=True)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.db() as connection:
            return connection.execute(sql, params).fetchall()

    def client(self, web: int, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.webs[web].url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def register(self, email: str) -> str:
        response = httpx.post(
            f"{self.webs[0].url}/api/auth/register",
            json={"email": email, "password": PASSWORD, "name": email.split("@")[0]},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def session(self, web: int, email: str) -> httpx.Client:
        """A client signed in to a web process's pages, as a browser is (session cookie)."""
        client = httpx.Client(base_url=self.webs[web].url, timeout=60)
        client.get("/accounts/login/")
        token = client.cookies["csrftoken"]
        response = client.post(
            "/accounts/login/",
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.webs[web].url}/accounts/login/"},
        )
        assert response.status_code == 302, response.text
        return client

    def worker_running(self, generation_id: int) -> Worker:
        """The worker whose task is running this generation (django-tasks-db's record)."""
        rows = self.query(
            "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE args_kwargs->'args'->>0 = %s AND status = 'RUNNING'",
            str(generation_id),
        )
        assert len(rows) == 1, rows
        names = {worker.name: worker for worker in self.workers}
        return names[rows[0][0][-1]]

    def ensure_workers(self) -> None:
        for worker in self.workers:
            if not worker.alive:
                worker.start()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    # Not pytest's tmp_path: PostgreSQL runs as its own user when we are root, and must be able
    # to reach its folder through every parent.
    home = Path(tempfile.mkdtemp(prefix="takoss-scaled-"))
    home.chmod(0o711)
    services = LocalServices(home / "services")
    try:
        services.start()
    except Unavailable as exc:
        unavailable(str(exc))
    media = home / "media"
    env = takoss_env(
        services.env,
        {
            "TAKOSS_MEDIA_ROOT": str(media),
            "TAKOSS_LOG_LEVEL": "INFO",
            "TAKOSS_API_GENERATE_RATE": f"{GENERATE_RATE}/hour",
            "TAKOSS_MAX_OPEN_STREAMS_PER_USER": str(STREAM_CAP),
            **FAST_SWEEP,
        },
    )
    webs: list[AsgiServer] = []
    workers: list[Worker] = []
    try:
        migrate(env)
        for index in (1, 2):
            worker = Worker(f"worker-{index}", env, home / f"worker-{index}.log")
            worker.start()
            workers.append(worker)
        webs = [
            AsgiServer(
                database=home / "unused.sqlite3",  # DATABASE_URL in env wins
                media_root=media,
                log_path=home / f"web-{index}.log",
                env=env,
                startup_timeout=120,
                probe_path="/api/health",
            )
            for index in (1, 2)
        ]
        with ThreadPoolExecutor() as pool:  # each takes seconds to load Django: side by side
            list(pool.map(AsgiServer.start, webs))
        yield Cluster(services, webs, workers)
    finally:
        with ThreadPoolExecutor() as pool:
            list(pool.map(AsgiServer.stop, webs))
        for worker in workers:
            worker.stop()
        services.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def scaled(cluster: Cluster) -> Cluster:
    cluster.ensure_workers()
    return cluster


def wait_until(check: Any, *, timeout: float, interval: float = 0.05) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started
