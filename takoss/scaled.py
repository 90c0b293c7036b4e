"""``make run-scaled``: Takoss as several processes on loopback, without Docker.

``python -m takoss.scaled --port 8000`` starts, from Debian's and PyPI's packages:

- a throwaway PostgreSQL cluster and a redis-server, their data in a git-ignored folder
  (``.scaled/`` by default; kept between runs, so accounts and projects stay);
- the migrations;
- two web processes (daphne on PORT and PORT+1) and two workers (``manage.py takoss_worker``),
  with TAKOSS_TASK_BACKEND=database, DATABASE_URL and TAKOSS_REDIS_URL pointing at the above.

It then waits; Ctrl-C (or SIGTERM, or any child dying) stops every child it started, by pid:
the web processes and workers first (a worker finishing a run gets a few seconds, then is
killed, and its run is swept into "interrupted" at the next start), then Redis and PostgreSQL.

:class:`LocalServices` (PostgreSQL + Redis) and :func:`start_web` / :func:`start_worker` are
what tests/scaling/ starts too.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# A throwaway cluster need not survive a crash.
FAST_POSTGRES = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
DATABASE = "takoss"
# How long a stopping worker may take to finish its run before it is killed (the run is then
# swept into "interrupted").
GRACE_SECONDS = 30


class Unavailable(RuntimeError):
    """PostgreSQL or Redis cannot run here (not installed, or failed to start)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory (Debian keeps each version apart)."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions = [p for p in found if p.parent.name.isdigit()]
    return max(versions, key=lambda p: int(p.parent.name), default=None)


def redis_bin() -> str | None:
    return shutil.which("redis-server")


def stop(
    process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, wait: float = 20
) -> None:
    """Stop a process we started, by its pid: ``sig``, then SIGKILL after ``wait`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until(
    probe: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if probe():
            return True
        time.sleep(0.1)
    return False


def _tail(path: Path, size: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return "(no log)"


class LocalServices:
    """PostgreSQL and Redis on free loopback ports, their data and logs under ``home``.

    ``env`` is what every Takoss process needs to use them. Use as a context manager.
    """

    def __init__(self, home: Path, *, postgres_port: int = 0, redis_port: int = 0) -> None:
        self.home = home
        self.postgres_port = postgres_port or free_port()
        self.redis_port = redis_port or free_port()
        self.postgres: subprocess.Popen[bytes] | None = None
        self.redis: subprocess.Popen[bytes] | None = None

    @property
    def database_url(self) -> str:
        return f"postgres://takoss@{HOST}:{self.postgres_port}/{DATABASE}"

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    @property
    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "TAKOSS_REDIS_URL": self.redis_url,
            "TAKOSS_TASK_BACKEND": "database",
        }

    def start(self) -> LocalServices:
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            self._start_postgres()
            self._start_redis()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop(self.redis)
        stop(self.postgres, signal.SIGINT)  # PostgreSQL's fast shutdown
        self.redis = self.postgres = None

    def _start_postgres(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise Unavailable(
                "no /usr/lib/postgresql/*/bin/initdb (Debian: apt-get install postgresql)"
            )
        folder = self.home / "postgres"
        folder.mkdir(exist_ok=True)
        as_user: dict[str, Any] = {}
        if os.geteuid() == 0:  # the server refuses to run as root
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root, and there is no postgres user") from None
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        data = folder / "data"
        if not (data / "PG_VERSION").exists():
            initdb: list[str | Path] = [bindir / "initdb", "-D", data, "-U", "takoss"]
            made = subprocess.run(
                [*initdb, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                **as_user,
            )
            if made.returncode != 0:
                raise Unavailable(f"initdb failed:\n{made.stdout[-2000:]}\n{made.stderr[-2000:]}")
        log = folder / "server.log"
        with log.open("ab") as out:
            server: list[str | Path] = [bindir / "postgres", "-D", data, "-h", HOST]
            self.postgres = postgres = subprocess.Popen(
                [*server, "-p", str(self.postgres_port), "-k", str(folder), *FAST_POSTGRES],
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the terminal's Ctrl-C reaches the supervisor only
                **as_user,
            )
        if not _wait_until(self._create_database, postgres, 30):
            raise Unavailable(f"PostgreSQL did not start:\n{_tail(log)}")

    def _create_database(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(
                f"postgres://takoss@{HOST}:{self.postgres_port}/postgres", autocommit=True
            ) as connection:
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
                ).fetchone()
                if not exists:
                    connection.execute(f"CREATE DATABASE {DATABASE}")
        except psycopg.OperationalError:
            return False
        return True

    def _start_redis(self) -> None:
        binary = redis_bin()
        if binary is None:
            raise Unavailable("no redis-server (Debian: apt-get install redis-server)")
        folder = self.home / "redis"
        folder.mkdir(exist_ok=True)
        log = folder / "server.log"
        with log.open("ab") as out:
            command = [binary, "--bind", HOST, "--port", str(self.redis_port), "--dir", str(folder)]
            self.redis = redis = subprocess.Popen(
                [*command, "--save", "", "--appendonly", "no"],  # nothing to keep on disk
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not _wait_until(self._redis_answers, redis, 15):
            raise Unavailable(f"redis-server did not start:\n{_tail(log)}")

    def _redis_answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host=HOST, port=self.redis_port).ping())
        except redis.RedisError:
            return False

    def __enter__(self) -> LocalServices:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def takoss_env(
    services_env: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "takoss.settings",
        **services_env,
        **(extra or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def migrate(env: Mapping[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=dict(env),
        check=True,
        timeout=300,
    )


def start_web(
    port: int, env: Mapping[str, str], log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), "takoss.asgi:application"],
        cwd=ROOT,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
        start_new_session=True,
    )


def start_worker(
    name: str, env: Mapping[str, str], log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "takoss_worker", "--worker-id", name, "--no-startup-delay"],
        cwd=ROOT,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
        start_new_session=True,
    )


def serve(port: int, env: Mapping[str, str], stopping: Callable[[], bool]) -> None:
    """Two web processes and two workers until ``stopping()`` or one of them ends; then stop
    them all, by pid: one SIGINT each (daphne stops, a worker finishes its run first; a second
    would stop it at once), and SIGKILL for whatever still runs after GRACE_SECONDS."""
    children: list[subprocess.Popen[bytes]] = []
    try:
        for offset in (0, 1):
            children.append(start_web(port + offset, env))
            print(f"Takoss web {offset + 1}: http://{HOST}:{port + offset}/", flush=True)
        for index in (1, 2):
            children.append(start_worker(f"worker-{index}-{os.getpid()}", env))
        print("Two web processes and two workers are running; Ctrl-C stops them all.", flush=True)
        while not stopping() and all(child.poll() is None for child in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is not None and not stopping():
                print(f"Process {child.pid} ended ({child.returncode}): stopping.", flush=True)
            elif child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"Process {child.pid} did not stop in time: killing it.", flush=True)
    finally:
        for child in children:
            stop(child, signal.SIGKILL, wait=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m takoss.scaled", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=8000, help="the first web process's port")
    parser.add_argument("--folder", type=Path, default=ROOT / ".scaled", help="data and logs")
    parser.add_argument("--postgres-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--redis-port", type=int, default=0, help="default: a free port")
    args = parser.parse_args(argv)

    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        with LocalServices(
            args.folder, postgres_port=args.postgres_port, redis_port=args.redis_port
        ) as services:
            env = takoss_env(services.env)
            print(f"PostgreSQL: {services.database_url}\nRedis: {services.redis_url}", flush=True)
            migrate(env)
            serve(args.port, env, lambda: stopping)
    except Unavailable as exc:
        print(f"run-scaled: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
