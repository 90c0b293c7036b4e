"""Live previews: which build of which project runs where, started, limited and stopped here.

One preview per project at most, each a generated app served by its own daphne inside the
sandbox (generator/engine/preview.py) on a unix socket that generator/preview_proxy.py forwards
``/projects/<id>/preview/…`` to. The :class:`Supervisor` owns them in this process:

- starts run on one long-lived thread, because a sandbox dies with the thread that started it
  (bubblewrap's ``--die-with-parent``); the caller waits for the app to answer;
- a build is prepared once (migrated, filled from its factories, demo users made) and later
  starts copy the prepared database, so a warm start is unpack + serve;
- at most ``TAKOSS_PREVIEW_MAX`` run at once: starting one more stops the starter's own oldest
  preview, else another person's that nobody used for two minutes, else is refused (busy);
- a preview nobody requested for ``TAKOSS_PREVIEW_IDLE_SECONDS`` is stopped by a janitor thread;
- every preview is stopped when the process exits (and the kernel kills the trees if it dies).

The services at the bottom (``preview_start``, ``preview_stop``, ``preview_get``) are what the
pages and the API call. Previews are per process: with several web processes a preview is seen
only by the process that started it.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse

from generator.constants import GENERATION_STATUS_SUCCEEDED
from generator.engine import preview as engine
from generator.engine.leftovers import MARKER_NAME, owner_marker
from generator.engine.sandbox import Sandboxed, SandboxUnavailable
from generator.models import Generation, Project

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

logger = logging.getLogger(__name__)

STATUS_STARTING = "starting"
STATUS_RUNNING = "running"
STATUS_STOPPED = "stopped"
STATUS_FAILED = "failed"
START_TIMEOUT_SECONDS = 30
PREPARE_TIMEOUT_SECONDS = 120
PREPARED_KEPT = 16  # prepared builds kept for warm starts (a database each, a few hundred KB)
LOG_TAIL_LINES = 40
# Another person's preview is stopped to make room only after this long unused (seconds).
EVICT_IDLE_SECONDS = 120
LOG_TAIL_BYTES = 16 * 1024
FOLDER_PREFIX = "takoss-preview-"


class PreviewUnavailable(Exception):
    """This project (or version) has nothing to preview; the text says what to do."""


class PreviewNotFound(Exception):
    """The version asked for does not exist."""


class PreviewBusy(Exception):
    """Every preview slot is in use by other people's previews that were used recently."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(slots=True)
class Preview:
    project_id: int
    owner_id: int
    generation_id: int
    run_number: int
    version_number: int | None
    root_path: str  # the URL prefix the app is served under, no trailing slash
    log_path: Path
    status: str = STATUS_STARTING
    error: str = ""
    stop_reason: str = ""
    started_at: float = field(default_factory=time.time)
    last_used: float = field(default_factory=time.monotonic)
    start_seconds: float | None = None
    users: tuple[engine.DemoUser, ...] = ()
    session_cookie: str = "sessionid"
    work: Path | None = None
    process: Sandboxed | None = None

    @property
    def url(self) -> str:
        return f"{self.root_path}/"

    @property
    def socket(self) -> Path | None:
        return engine.socket_path(self.work) if self.work is not None else None

    @property
    def running(self) -> bool:
        return self.status == STATUS_RUNNING

    def user(self, username: str) -> engine.DemoUser | None:
        return next((u for u in self.users if u.username == username), None)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The log's last lines (it grows by one access-log line per request: read its end)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Supervisor:
    """The previews of this process (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._previews: dict[int, Preview] = {}
        self._prepared: OrderedDict[tuple[int, str], engine.Prepared] = OrderedDict()
        self._root: Path | None = None
        self._starter: ThreadPoolExecutor | None = None
        self._janitor: threading.Thread | None = None
        self._serial = 0

    # --- reading -------------------------------------------------------------------------

    def get(self, project_id: int) -> Preview | None:
        with self._lock:
            return self._previews.get(project_id)

    def running(self) -> list[Preview]:
        with self._lock:
            return [p for p in self._previews.values() if p.running]

    def touch(self, project_id: int) -> Preview | None:
        """The project's running preview, marked as just used; None when it is not running."""
        with self._lock:
            preview = self._previews.get(project_id)
            if preview is None or not preview.running:
                return None
            preview.last_used = time.monotonic()
            return preview

    # --- starting and stopping -----------------------------------------------------------

    def start(self, generation: Generation, archive: bytes, *, root_path: str) -> Preview:
        """Start (or restart) the project's preview of ``generation``; wait until it answers."""
        preview = Preview(
            project_id=generation.project_id,
            owner_id=generation.project.owner_id,
            generation_id=generation.pk,
            run_number=generation.number,
            version_number=generation.version.number if generation.version else None,
            root_path=root_path,
            log_path=self._folder() / f"project-{generation.project_id}.log",
        )
        key = (generation.pk, generation.zip_sha256)
        future = self._executor().submit(self._start, preview, key, archive)
        return future.result(timeout=PREPARE_TIMEOUT_SECONDS + START_TIMEOUT_SECONDS + 30)

    def stop(self, project_id: int, reason: str = "Stopped") -> Preview | None:
        with self._lock:
            preview = self._previews.get(project_id)
        if preview is not None:
            self._end(preview, STATUS_STOPPED, reason)
        return preview

    def stop_all(self) -> None:
        with self._lock:
            previews = list(self._previews.values())
        for preview in previews:
            self._end(preview, STATUS_STOPPED, "The server stopped")

    def forget_all(self) -> None:
        """Stop every preview and drop their records (tests; a fresh database)."""
        self.stop_all()
        with self._lock:
            self._previews.clear()

    def _start(self, preview: Preview, key: tuple[int, str], archive: bytes) -> Preview:
        began = time.monotonic()
        self._make_room(preview)  # (may raise PreviewBusy: nothing of this project stopped yet)
        self.stop(preview.project_id, "Restarted")
        with self._lock:
            self._serial += 1
            preview.work = self._folder() / f"p{preview.project_id}-{self._serial}"
            self._previews[preview.project_id] = preview
        work = preview.work
        try:
            work.mkdir()
            with preview.log_path.open("wb") as log:
                engine.unpack(io.BytesIO(archive), work / engine.PROJECT_DIR)
                prepared = self._prepared_for(key, work, log)
                preview.users, preview.session_cookie = prepared.users, prepared.session_cookie
                with self._lock:
                    if preview.status != STATUS_STARTING:
                        return preview  # stopped while it was being prepared
                    preview.process = engine.serve(
                        work, prepared, root_path=preview.root_path, log=log
                    )
            engine.wait_until_ready(preview.process, work, timeout=START_TIMEOUT_SECONDS)
        except (engine.PreviewFailed, SandboxUnavailable, OSError) as exc:
            self._end(preview, STATUS_FAILED, str(exc))
            preview.error = str(exc)
            return preview
        with self._lock:
            if preview.status == STATUS_STARTING:
                preview.status = STATUS_RUNNING
                preview.start_seconds = time.monotonic() - began
                preview.last_used = time.monotonic()
        self._watch()
        return preview

    def _prepared_for(
        self, key: tuple[int, str], work: Path, log: io.BufferedWriter
    ) -> engine.Prepared:
        with self._lock:
            prepared = self._prepared.get(key)
            if prepared is not None:
                self._prepared.move_to_end(key)
        if prepared is not None and prepared.database.is_file():
            engine.restore(prepared, work)
            log.write(b"Sample data: the prepared database of this build.\n")
            return prepared
        cache = self._folder() / "builds" / f"{key[0]}-{key[1][:12] or 'nohash'}"
        prepared = engine.prepare(work, cache, log=log, timeout=PREPARE_TIMEOUT_SECONDS)
        with self._lock:
            self._prepared[key] = prepared
            while len(self._prepared) > PREPARED_KEPT:
                _, dropped = self._prepared.popitem(last=False)
                shutil.rmtree(dropped.database.parent, ignore_errors=True)
        return prepared

    def _make_room(self, preview: Preview) -> None:
        """Make one more preview fit under TAKOSS_PREVIEW_MAX: stop the starter's own oldest
        preview first, then another person's preview idle for over EVICT_IDLE_SECONDS; never
        one someone used just now (PreviewBusy, with how long to wait)."""
        limit = settings.TAKOSS_PREVIEW_MAX
        while True:
            with self._lock:
                others = [
                    p
                    for p in self._previews.values()
                    if p.status in {STATUS_RUNNING, STATUS_STARTING}
                    and p.project_id != preview.project_id
                ]
            if len(others) < limit:
                return
            own = [p for p in others if p.owner_id == preview.owner_id]
            now = time.monotonic()
            idle = [p for p in others if now - p.last_used > EVICT_IDLE_SECONDS]
            if own:
                victim = min(own, key=lambda p: p.started_at)
                reason = f"Stopped to make room for your other preview: at most {limit} run"
            elif idle:
                victim = min(idle, key=lambda p: p.last_used)
                reason = f"Stopped after {int(now - victim.last_used) // 60} idle minutes to " \
                    f"make room: at most {limit} previews run"  # fmt: skip
            else:
                soonest = min(EVICT_IDLE_SECONDS - (now - p.last_used) for p in others)
                raise PreviewBusy(
                    f"All {limit} preview slots are in use by previews people are using right "
                    "now; try again in a minute, or stop one of your own previews.",
                    retry_after=max(1, int(soonest) + 1),
                )
            self._end(victim, STATUS_STOPPED, reason)

    def _end(self, preview: Preview, status: str, reason: str) -> None:
        with self._lock:
            if preview.status in {STATUS_STOPPED, STATUS_FAILED}:
                return
            preview.status, preview.stop_reason = status, reason
            process, preview.process = preview.process, None
        if process is not None:
            process.kill()
        if preview.work is not None:
            shutil.rmtree(preview.work, ignore_errors=True)
        logger.info("Preview of project %s: %s (%s)", preview.project_id, status, reason)

    # --- idle stop -----------------------------------------------------------------------

    def _watch(self) -> None:
        with self._lock:
            if self._janitor is not None and self._janitor.is_alive():
                return
            self._janitor = threading.Thread(
                target=self._janitor_loop, name="takoss-preview-janitor", daemon=True
            )
            self._janitor.start()

    def _janitor_loop(self) -> None:
        while True:
            idle = settings.TAKOSS_PREVIEW_IDLE_SECONDS
            time.sleep(min(5.0, max(0.1, idle / 4)))
            for preview in self.running():
                process = preview.process
                if process is not None and process.poll() is not None:
                    code = process.returncode
                    self._end(preview, STATUS_FAILED, f"The app's server stopped (exit {code})")
                elif time.monotonic() - preview.last_used > idle:
                    self._end(preview, STATUS_STOPPED, f"Stopped after {idle} s without requests")

    # --- the process's folder and thread -------------------------------------------------

    def _folder(self) -> Path:
        with self._lock:
            if self._root is None or not self._root.is_dir():
                self._root = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
                (self._root / MARKER_NAME).write_text(owner_marker(), encoding="ascii")
            return self._root

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._starter is None:
                # One thread for the process's lifetime: the sandboxes it starts live as long.
                self._starter = ThreadPoolExecutor(1, thread_name_prefix="takoss-preview")
            return self._starter

    def shutdown(self) -> None:
        """Stop every preview and remove the folder (at exit)."""
        self.stop_all()
        with self._lock:
            root, self._root = self._root, None
            self._prepared.clear()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


supervisor = Supervisor()
atexit.register(supervisor.shutdown)


@receiver(post_delete, sender=Project)
def _stop_deleted(sender: type[Project], instance: Project, **kwargs: object) -> None:
    supervisor.stop(instance.pk, "The project was deleted")


# --- services -----------------------------------------------------------------------------


def preview_root(project_id: int) -> str:
    """The URL prefix of a project's preview, without the trailing slash."""
    return reverse("generator:preview", kwargs={"pk": project_id, "path": ""}).rstrip("/")


def preview_build(project: Project, version: int | None = None) -> Generation:
    """The run a preview shows: the version's newest verified build, else the newest succeeded
    run with files. PreviewNotFound for an unknown version, PreviewUnavailable when none."""
    runs = project.generations.filter(status=GENERATION_STATUS_SUCCEEDED).exclude(zip="")
    if version is not None:
        if not project.versions.filter(number=version).exists():
            raise PreviewNotFound(f"This project has no version {version}.")
        run = runs.filter(version__number=version).order_by("-number").first()
        if run is None:
            raise PreviewUnavailable(
                f"Version {version} has no succeeded build to preview: build it first."
            )
        return run
    run = runs.select_related("version").order_by("-number").first()
    if run is None:
        raise PreviewUnavailable(
            "This project has no succeeded run to preview yet: generate it first."
        )
    return run


def can_preview(project: Project, user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_staff or project.owner_id == user.pk))


def preview_start(*, project: Project, user: User, version: int | None = None) -> Preview:
    """Start (or restart) the project's preview; PermissionError for anyone but its owner and
    staff. The answer may be a failed preview: its ``error`` and log say why."""
    if not can_preview(project, user):
        raise PermissionError("Only the project's owner or staff may start its preview.")
    run = preview_build(project, version)
    try:
        with run.zip.open("rb") as handle:
            archive = handle.read()
    except FileNotFoundError:
        raise PreviewUnavailable(
            "The files of this run are no longer stored; regenerate the project."
        ) from None
    return supervisor.start(run, archive, root_path=preview_root(project.pk))


def preview_stop(*, project: Project, user: User) -> Preview | None:
    if not can_preview(project, user):
        raise PermissionError("Only the project's owner or staff may stop its preview.")
    return supervisor.stop(project.pk, "Stopped by request")


def preview_get(project: Project) -> Preview | None:
    return supervisor.get(project.pk)
