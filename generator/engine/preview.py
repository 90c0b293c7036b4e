"""Runs a generated Django project for a live preview: unpacked, migrated, seeded, served.

A preview lives in one folder, the sandbox's ``work``: ``work/project`` (the unpacked ZIP, with
its own SQLite database) and ``work/run/preview.sock``, where the app's own ASGI server (daphne
``-u``) answers. Everything generated runs through :mod:`generator.engine.sandbox`, so the app
keeps its loopback-only network namespace; the host reaches it through the socket only.

Preparing a build (``migrate``, sample rows from the project's own factories in
``core/tests/factories.py``, one demo user per role, or one staff demo user when the app has no
roles, each with a session) is the slow part, so it is done once per build: :func:`prepare`
leaves a :class:`Prepared` (the seeded database and the demo users) that later starts of the
same build copy. The preview's settings come from the environment the generated
``config/settings.py`` reads: development mode (static files from WhiteNoise's finders, no HTTPS
redirect), any host (only the proxy can reach the socket), the forwarded scheme trusted.

Who may see a preview, how many run, when they stop and how requests reach them is the Django
side's business (generator/preview.py, generator/preview_proxy.py).
"""

from __future__ import annotations

import http.client
import json
import secrets
import shutil
import socket
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from generator.engine.sandbox import Limits, Sandboxed, base_env, start

SOCKET_NAME = "preview.sock"
PROJECT_DIR = "project"
# The sandbox cannot write into ``work`` itself (its top folder stays the server's): the socket
# and what the preparation reports live in this folder beside the project.
RUN_DIR = "run"
DATABASE_NAME = "db.sqlite3"
HEALTH_PATH = "/health/"
DEMO_PASSWORD = "demo-preview-password"
SAMPLE_ROWS_PER_USER = 3
POLL_SECONDS = 0.05
# A preview may serve for hours; the CPU limit is for runaway loops, not for its lifetime.
PREVIEW_LIMITS = Limits(cpu_seconds=4 * 3600)

# Run inside the sandbox with cwd = the project: migrate, fill, make the demo users and their
# sessions, and write what was made to the file named by argv[1] (JSON).
SEED_SCRIPT = f"""
import json, os, sys, traceback
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.getcwd())
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

call_command("migrate", interactive=False, verbosity=1)
try:
    from core.roles import ROLES
except ImportError:
    ROLES = {{}}
User = get_user_model()
users = []
for role in list(ROLES) or [None]:
    name = "demo" if role is None else "demo-" + "-".join(role.lower().split())
    user = User.objects.create_user(
        username=name, email=name + "@example.com", password={DEMO_PASSWORD!r},
        is_staff=role is None,
    )
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    users.append((role, user))
rows = {{}}
try:
    from core.tests import factories
except ImportError:
    factories = None
    print("No factories in core/tests/factories.py: no sample rows.")
# The factories make an owner user for many rows, each with a password hash that takes a
# good part of a second; nobody signs in as them, so a fast hasher will do (the demo users
# above keep the app's own, so their password works).
fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
if factories is not None:
    fast_hashing.enable()
    makers = sorted(n for n in dir(factories) if n.startswith("make_") and n.endswith("_for"))
    for maker in makers:
        made = 0
        for _role, user in users:
            for _ in range({SAMPLE_ROWS_PER_USER}):
                try:
                    with transaction.atomic():
                        getattr(factories, maker)(user)
                    made += 1
                except Exception:
                    print("Sample row failed:", maker)
                    traceback.print_exc(limit=1)
        rows[maker[5:-4]] = made
    fast_hashing.disable()
engine = import_module(settings.SESSION_ENGINE)
out = []
for role, user in users:
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(30 * 24 * 3600)
    session.save()
    key = session.session_key
    out.append({{"role": role or "", "username": user.username, "session_key": key}})
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({{"users": out, "rows": rows, "session_cookie": settings.SESSION_COOKIE_NAME}}, f)
print("Sample rows:", ", ".join(f"{{k}} {{v}}" for k, v in rows.items()) or "none")
"""


# The ASGI module daphne serves: the app's own, with every URL under the proxy's prefix. Django
# prefixes a relative STATIC_URL with the script prefix of the thread that first reads it, and
# WhiteNoise reads it before any request: the prefix is set here instead, once, for everything.
ASGI_MODULE = "takoss_preview_asgi"
ASGI_SOURCE = """import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
ROOT = os.environ["TAKOSS_PREVIEW_ROOT"].rstrip("/") + "/"
settings.FORCE_SCRIPT_NAME = ROOT
settings.STATIC_URL = ROOT + "static/"
settings.MEDIA_URL = ROOT + "media/"

from config.asgi import application  # noqa: E402
"""


class PreviewFailed(RuntimeError):
    """The project could not be prepared or did not start; the text says why (log tail)."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    role: str  # "" when the app has no roles
    username: str
    session_key: str

    @property
    def label(self) -> str:
        return self.role or "Demo user"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A build made ready once: its seeded database, its secret key, its demo users."""

    database: Path
    secret_key: str
    users: tuple[DemoUser, ...]
    session_cookie: str
    rows: dict[str, int]


def unpack(archive: IO[bytes], target: Path) -> None:
    """The ZIP's single root folder's contents into ``target`` (no path leaves it)."""
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            _top, _, relative = info.filename.partition("/")
            if not relative or info.is_dir():
                continue
            path = (root / relative).resolve()
            if not path.is_relative_to(root):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(zipped.read(info))


def preview_env(
    work: Path, *, secret_key: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    project = work / PROJECT_DIR
    return base_env(
        work / RUN_DIR,
        {
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "PYTHONPATH": str(work / RUN_DIR),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_SECRET_KEY": secret_key,
            # Only the proxy reaches the socket, and it sends the host the browser used.
            "DJANGO_ALLOWED_HOSTS": "*",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "INFO",
            "DATABASE_URL": f"sqlite:///{project / DATABASE_NAME}",
            "DJANGO_MEDIA_ROOT": str(project / "media"),
            **(extra or {}),
        },
    )


def prepare(work: Path, cache: Path, *, log: IO[bytes], timeout: float = 120) -> Prepared:
    """Migrate and fill the project unpacked in ``work``; keep the result in ``cache``."""
    secret_key = secrets.token_urlsafe(50)
    (work / RUN_DIR).mkdir(exist_ok=True)
    result = work / RUN_DIR / "prepared.json"
    proc = start(
        [sys.executable, "-c", SEED_SCRIPT, str(result)],
        work=work,
        cwd=work / PROJECT_DIR,
        env=preview_env(work, secret_key=secret_key),
        limits=PREVIEW_LIMITS,
        stdout=log,
    )
    try:
        code = proc.wait(timeout=timeout)
    except Exception:
        proc.kill()
        raise PreviewFailed(f"Preparing the preview took longer than {timeout:g} s.") from None
    if code != 0 or not result.is_file():
        raise PreviewFailed(f"Preparing the preview failed (exit code {code}).")
    made: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(work / PROJECT_DIR / DATABASE_NAME, cache / DATABASE_NAME)
    return Prepared(
        database=cache / DATABASE_NAME,
        secret_key=secret_key,
        users=tuple(DemoUser(**user) for user in made["users"]),
        session_cookie=str(made.get("session_cookie") or "sessionid"),
        rows={str(k): int(v) for k, v in (made.get("rows") or {}).items()},
    )


def restore(prepared: Prepared, work: Path) -> None:
    """Give the project unpacked in ``work`` a fresh copy of the prepared database."""
    shutil.copyfile(prepared.database, work / PROJECT_DIR / DATABASE_NAME)


def serve(work: Path, prepared: Prepared, *, root_path: str, log: IO[bytes]) -> Sandboxed:
    """Start daphne on ``work/run/preview.sock`` with URLs under ``root_path``; return at once."""
    (work / RUN_DIR).mkdir(exist_ok=True)
    (work / RUN_DIR / f"{ASGI_MODULE}.py").write_text(ASGI_SOURCE, encoding="utf-8")
    sock = socket_path(work)
    sock.unlink(missing_ok=True)
    argv = [
        sys.executable,
        "-m",
        "daphne",
        "-u",
        str(sock),
        "--root-path",
        root_path,
        "--access-log",
        "-",
        f"{ASGI_MODULE}:application",
    ]
    return start(
        argv,
        work=work,
        cwd=work / PROJECT_DIR,
        env=preview_env(
            work, secret_key=prepared.secret_key, extra={"TAKOSS_PREVIEW_ROOT": root_path}
        ),
        limits=PREVIEW_LIMITS,
        stdout=log,
    )


def socket_path(work: Path) -> Path:
    return work / RUN_DIR / SOCKET_NAME


def wait_until_ready(proc: Sandboxed, work: Path, *, timeout: float) -> None:
    """Poll the socket's /health/ until it answers 200; PreviewFailed when it never does."""
    sock = socket_path(work)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PreviewFailed(f"The app's server stopped (exit code {proc.returncode}).")
        if sock.exists() and health(sock) == 200:
            return
        time.sleep(POLL_SECONDS)
    raise PreviewFailed(f"The app did not answer within {timeout:g} s.")


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def health(sock: Path, timeout: float = 2.0) -> int | None:
    """The status of GET /health/ over the socket; None when nothing answers."""
    connection = _UnixConnection(sock, timeout)
    try:
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()
