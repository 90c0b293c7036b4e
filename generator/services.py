"""The only writers of projects, generation runs and their events.

The HTML views, the REST API, the admin's actions, the task and the management commands all
call these functions. They validate (``ValidationError`` keyed by field), check rights, save, and
publish events after the commit. Rights: the owner or staff may act on a project; anyone else
gets ``PermissionDenied`` (the pages look objects up through ``visible_to`` and the API through
``for_user`` first, and answer 404, so a stranger never learns the object exists; the exception
is the last line of defence).

A run's life: ``generation_start`` saves a queued run and, after the commit, hands it to the
task backend; the task calls ``generation_run``, which claims it (queued -> running), runs the
engine's pipeline with a :class:`GenerationEventSink`, then stores the outcome and the final
``result`` event in one transaction. Every finished run's history ends with a ``result`` event.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Collection, Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from generator import publishing, registry, runwatch
from generator.constants import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    GENERATION_STATUS_CANCELLED,
    GENERATION_STATUS_FAILED,
    GENERATION_STATUS_INTERRUPTED,
    GENERATION_STATUS_QUEUED,
    GENERATION_STATUS_RUNNING,
    GENERATION_STATUS_SUCCEEDED,
    INTERRUPTED_MESSAGE,
    WORKER_LOST_MESSAGE,
)
from generator.engine import naming
from generator.engine.events import CancelToken, Event, EventType
from generator.engine.leftovers import temp_folder
from generator.engine.pipeline import (
    GenerationError,
    GenerationInputError,
    GenerationRequest,
    GenerationResult,
    generate,
)
from generator.engine.spec import AppSpec, SpecError
from generator.engine.stacks import available_stacks
from generator.engine.versions import BaseVersion, Renames
from generator.models import (
    PROJECT_NAME_MAX,
    VERSION_SOURCE_CHANGE,
    VERSION_SOURCE_PLAN,
    VERSION_SOURCE_REQUIREMENTS,
    VERSION_SOURCE_RESTORE,
    VERSION_SOURCE_SPEC,
    Generation,
    GenerationEvent,
    Project,
    SpecVersion,
    generation_zip_path,
)
from generator.providers import context_problem, model_reading, provider_clean, run_fields
from generator.publishing import ThrottledChannel

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


class RunInProgressError(Exception):
    """The project already has a run queued or running: regenerating would repeat it."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        super().__init__(
            f"Run {generation.number} of this project is still in progress: wait for it to "
            "finish, or cancel it, before regenerating."
        )


class ConcurrencyLimitError(Exception):
    """The user already has as many runs queued or running as they may."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        runs = "generation" if limit == 1 else "generations"
        super().__init__(
            f"You already have {limit} {runs} running; wait for one to finish or cancel it."
        )


# --- projects -------------------------------------------------------------------------------


_ALL_FIELDS = ("name", "description", "requirements", "stack")


def project_clean(
    *,
    name: str,
    description: str = "",
    requirements: str,
    stack: str,
    only: Collection[str] = _ALL_FIELDS,
) -> dict[str, str]:
    """Validate a project's fields; return them stripped or raise ``ValidationError`` by field.

    Requirements are refused for what the analyzer would refuse them for (empty, too long,
    nothing to build: its ``requirements_problem``, which parses the text), so no run starts
    on text it cannot read. ``only`` checks just those fields: the new-project wizard checks
    the steps done so far, and does not parse requirements before their step.
    :func:`project_create` checks everything once.
    """
    name, description, requirements = name.strip(), description.strip(), requirements.strip()
    errors: dict[str, str] = {}
    if "name" in only:
        if not name:
            errors["name"] = "Give the project a name."
        elif len(name) > PROJECT_NAME_MAX:
            errors["name"] = f"Use at most {PROJECT_NAME_MAX} characters."
        elif not naming.app_slug(name):
            errors["name"] = (
                "Use at least one letter or digit, in any script: the generated project's "
                "folder and package are named after it, and emoji or punctuation alone cannot "
                "name them."
            )
    if "requirements" in only:
        limit = settings.TAKOSS_MAX_REQUIREMENTS_CHARS
        if len(requirements) > limit:  # the operator's limit, which may be below the analyzer's
            errors["requirements"] = (
                f"The requirements are too long ({len(requirements)} characters); "
                f"use at most {limit}."
            )
        elif problem := _requirements_problem(requirements):
            errors["requirements"] = problem
    if "stack" in only and stack not in available_stacks():
        errors["stack"] = f"Choose one of the available stacks: {', '.join(available_stacks())}."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description, "requirements": requirements, "stack": stack}


def _requirements_problem(requirements: str) -> str | None:
    # Imported here: the analyzer brings its parser with it (most of a second), which
    # processes that never take requirements (migrate, the admin's commands) should not pay.
    # It keeps its last readings, so the stream API's check before it answers, the same check
    # when it saves, and the run's own analysis read the text once.
    from generator.engine.analysis import requirements_problem

    return requirements_problem(requirements)


def project_create(
    *, owner: User, name: str, description: str = "", requirements: str, stack: str
) -> Project:
    fields = project_clean(
        name=name, description=description, requirements=requirements, stack=stack
    )
    return Project.objects.create(owner=owner, **fields)


def project_create_and_start(
    *,
    owner: User,
    name: str,
    description: str = "",
    requirements: str,
    stack: str,
    provider: str = "",
    model: str = "",
    base_url: str = "",
) -> Generation:
    """Create a project and start its first run, or do neither.

    ``provider`` (empty: the site's default), ``model`` and ``base_url`` choose who reads the
    requirements (generator/providers.py). A ``ValidationError``, ``ConcurrencyLimitError`` or
    ``BudgetExceededError`` leaves no project behind, so the caller can show the message beside
    the text the user typed and let them try again.
    """
    # Checked before the transaction: reading the requirements takes a moment.
    fields = _project_and_model_clean(
        owner=owner,
        project={
            "name": name, "description": description, "requirements": requirements, "stack": stack
        },
        choice={"provider": provider, "model": model, "base_url": base_url},
    )  # fmt: skip
    with transaction.atomic():
        project = Project.objects.create(owner=owner, **fields)
        return generation_start(project=project, user=owner)


def _project_and_model_clean(
    *, owner: User, project: dict[str, str], choice: dict[str, str]
) -> dict[str, str]:
    """project_clean and providers.provider_clean together, every problem reported at once;
    then whether the requirements fit the chosen model's context window."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, str] = {}
    for check in (
        lambda: project_clean(**project),
        lambda: provider_clean(owner=owner, **choice),
    ):
        try:
            fields.update(check())
        except ValidationError as error:
            errors.update(error.message_dict)
    if not errors and (
        problem := context_problem(
            owner=owner,
            choice={k: fields[k] for k in ("provider", "model", "base_url")},
            name=fields["name"],
            description=fields["description"],
            requirements=fields["requirements"],
        )
    ):
        errors["requirements"] = [problem]
    if errors:
        raise ValidationError(errors)
    return fields


def project_delete(*, project: Project, user: User) -> None:
    """Cancel the project's live runs, delete its rows, then (after the commit) its ZIP files.

    Files go last so a failed delete never leaves rows pointing at missing files.
    """
    _check_can_manage(project, user)
    for generation in project.generations.active():
        generation_cancel(generation=generation, user=user)
    storage = _zip_storage()
    names = list(project.generations.exclude(zip="").values_list("zip", flat=True))
    folder = f"generations/{project.pk}"
    with transaction.atomic():
        project.delete()
        transaction.on_commit(lambda: _delete_files(storage, names, folder))


# --- starting, cancelling -------------------------------------------------------------------


def generation_start(
    *,
    project: Project,
    user: User,
    version: SpecVersion | None = None,
    exclusive: bool = False,
) -> Generation:
    """Save a queued run of ``project`` and enqueue its task once the row is committed.

    The run builds ``version``; without one it reads the project's requirements, and the spec
    it reads becomes the project's next version when the run ends. ``exclusive`` refuses
    (``RunInProgressError``) while another run of the project is queued or running.
    """
    _check_can_manage(project, user)
    if version is not None and version.project_id != project.pk:
        raise ValueError("the version belongs to another project")
    with transaction.atomic():
        # Serialises concurrent starts by the same owner (a no-op on SQLite, which has one writer).
        get_user_model().objects.select_for_update().filter(pk=project.owner_id).first()
        if exclusive and (live := Generation.objects.for_project(project).active().first()):
            raise RunInProgressError(live)
        generation_check_capacity(owner_id=project.owner_id)
        model = run_fields(project=project, version=version)  # the budget, too
        last = Generation.objects.for_project(project).aggregate(last=Max("number"))["last"]
        generation = Generation.objects.create(
            project=project, number=(last or 0) + 1, requested_by=user, version=version, **model
        )
        if runwatch.runs_on_workers():
            # The task row commits with the run, or neither does: no queued run without a task.
            _enqueue_for_workers(generation.pk)
        else:
            transaction.on_commit(lambda: _enqueue(generation.pk))
    return generation


def generation_check_capacity(*, owner_id: int) -> None:
    """Raise ``ConcurrencyLimitError`` when the owner may not start another run now.

    :func:`generation_start` checks again under its lock; callers may ask first, before any
    write, to refuse early (the streaming API does, before it answers 200).
    """
    limit = settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER
    if Generation.objects.filter(project__owner_id=owner_id).active().count() >= limit:
        raise ConcurrencyLimitError(limit)


def generation_regenerate(*, project: Project, user: User) -> Generation:
    """Run the project again (a new run number; earlier runs are kept).

    A project with versions builds its latest version again. One without (its first run
    failed before it read the text) reads its requirements again; they are checked first
    (``ValidationError`` by field): a project saved before a rule was added, e.g. with
    requirements the analyzer now refuses, is refused here rather than failing inside the run.
    While a run of the project is queued or running it is refused (``RunInProgressError``): a
    second click would only start the same run twice.
    """
    _check_can_manage(project, user)
    if (latest := version_latest(project)) is not None:
        return generation_start(project=project, user=user, version=latest, exclusive=True)
    project_clean(
        name=project.name,
        description=project.description,
        requirements=project.requirements,
        stack=project.stack,
    )
    return generation_start(project=project, user=user, exclusive=True)


def generation_cancel(*, generation: Generation, user: User) -> Generation:
    """Ask the run to stop: a queued one is cancelled at once, a running one within a second.

    Cancelling a finished run changes nothing.
    """
    _check_can_manage(generation.project, user)
    if generation.status not in FINAL_STATUSES:
        Generation.objects.filter(
            pk=generation.pk, status__in=ACTIVE_STATUSES, cancel_requested_at__isnull=True
        ).update(cancel_requested_at=timezone.now())
        ended = _end_run(
            generation.pk,
            status=GENERATION_STATUS_CANCELLED,
            message="Cancelled before it started.",
            from_statuses={GENERATION_STATUS_QUEUED},
        )
        if not ended:
            registry.cancel(generation.pk)
    generation.refresh_from_db()
    return generation


def generation_mark_interrupted_all() -> int:
    """Mark runs left queued or running by a process that died; return how many.

    Runs this process owns (see :mod:`generator.registry`) are alive and left alone. Called at
    server start-up (takoss/asgi.py) and by ``manage.py takoss_recover``. With worker processes
    only a stopped heartbeat tells a dead run from one alive on another worker.
    """
    if runwatch.runs_on_workers():
        stale_after = timedelta(seconds=settings.TAKOSS_STALE_RUN_SECONDS)
        return generation_mark_stale_interrupted(stale_after=stale_after)
    live = registry.live_ids()
    orphans = Generation.objects.active().exclude(pk__in=live).values_list("pk", flat=True)
    return sum(
        _end_run(
            pk,
            status=GENERATION_STATUS_INTERRUPTED,
            message=INTERRUPTED_MESSAGE,
            from_statuses=ACTIVE_STATUSES,
            error_kind="interrupted",
        )
        for pk in list(orphans)
    )


def generation_mark_stale_interrupted(*, stale_after: timedelta) -> int:
    """Mark running runs whose heartbeat is older than ``stale_after`` interrupted (their worker
    died); return how many. Called by every process's sweeper (generator/runwatch.py).

    A ZIP the dead worker was writing is removed: a run's ZIP is named on its row only by the
    update that ends it successfully, so a file without that update is never served anyway.
    """
    cutoff = timezone.now() - stale_after
    stale = Generation.objects.filter(status=GENERATION_STATUS_RUNNING, heartbeat_at__lt=cutoff)
    count = 0
    for generation in list(stale.only("pk", "project_id")):
        if _end_run(
            generation.pk,
            status=GENERATION_STATUS_INTERRUPTED,
            message=WORKER_LOST_MESSAGE,
            from_statuses={GENERATION_STATUS_RUNNING},
            error_kind="interrupted",
        ):
            count += 1
            storage = _zip_storage()
            leftover = generation_zip_path(generation, "project.zip")
            if storage.exists(leftover):
                storage.delete(leftover)
    return count


# --- events -----------------------------------------------------------------------------------


def generation_record_event(*, generation_id: int, event: Event) -> GenerationEvent:
    """Save one event in the run's history and move the run's progress along with it."""
    with transaction.atomic():
        row = GenerationEvent.objects.create(
            generation_id=generation_id,
            seq=event.seq,
            type=str(event.type),
            phase=event.phase,
            message=event.message,
            progress=event.progress,
            data=event.data,
        )
        Generation.objects.filter(pk=generation_id, last_event_seq__lt=event.seq).update(
            progress=event.progress, current_phase=event.phase, last_event_seq=event.seq
        )
    return row


class GenerationEventSink:
    """The engine's event sink for one run: save every event, then send it live (throttled).

    The ``result`` event is held back (:attr:`result_event`): the run stores its outcome and
    that event together, so a reader that sees ``result`` finds the run already final.
    """

    def __init__(self, generation_id: int) -> None:
        self.generation_id = generation_id
        self.channel = ThrottledChannel(generation_id)
        self.result_event: Event | None = None

    def emit(self, event: Event) -> None:
        if event.type == EventType.RESULT:
            self.result_event = event
            return
        row = generation_record_event(generation_id=self.generation_id, event=event)
        self.channel.publish(row.to_event_dict())

    def close(self) -> None:
        self.channel.close()


# --- running (the task's body) ----------------------------------------------------------------


def generation_run(*, generation_id: int) -> None:
    """Run a queued generation to its end; never leaves it running."""
    token = registry.register(generation_id)
    try:
        generation = _claim(generation_id)
        if generation is None:
            return  # cancelled while queued, deleted, or already handled
        if generation.cancel_requested_at is not None:
            token.cancel()
        with runwatch.watching(generation_id, token):  # on a worker: heartbeat, cancel requests
            _run_pipeline(generation, token)
    except Exception as exc:
        logger.exception("Generation %s failed unexpectedly", generation_id)
        _end_run(
            generation_id,
            status=GENERATION_STATUS_FAILED,
            message=f"The generation failed unexpectedly: {exc}",
            from_statuses={GENERATION_STATUS_RUNNING},
            error_kind="internal",
        )
    finally:
        registry.unregister(generation_id)


def _claim(generation_id: int) -> Generation | None:
    # One conditional UPDATE: of two workers handed the same run, only one moves it to running.
    now = timezone.now()
    claimed = Generation.objects.filter(pk=generation_id, status=GENERATION_STATUS_QUEUED).update(
        status=GENERATION_STATUS_RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return None
    return Generation.objects.select_related("project").get(pk=generation_id)


def _run_pipeline(generation: Generation, token: CancelToken) -> None:
    project = generation.project
    sink = GenerationEventSink(generation.pk)
    try:
        with temp_folder("takoss-run-") as tmp:  # removed when the run ends
            fields: dict[str, Any] = {
                "name": project.name,
                "requirements": project.requirements,
                "description": project.description,
                "stack": project.stack,
            }
            request = GenerationRequest(
                out_dir=Path(tmp) / "project",
                verify=True,
                **{**fields, **_version_input(generation.version)},
            )
            reading = model_reading(generation, sink)  # None: the offline analyzer
            try:
                result = generate(
                    request,
                    sink=reading.sink if reading else sink,
                    cancel=token,
                    analyzer=reading.analyzer if reading else None,
                )
            except GenerationInputError as exc:
                _end_run(
                    generation.pk,
                    status=GENERATION_STATUS_FAILED,
                    message=f"The project cannot be generated: {exc}",
                    from_statuses={GENERATION_STATUS_RUNNING},
                    error_kind="input",
                )
                return
    finally:
        sink.close()
    _store_result(generation, result, sink.result_event)


def _store_result(generation: Generation, result: GenerationResult, event: Event | None) -> None:
    storage = _zip_storage()
    zip_name = ""
    if result.zip_bytes is not None:
        zip_name = storage.save(
            generation.zip.field.generate_filename(generation, "project.zip"),
            ContentFile(result.zip_bytes),
        )
    fields: dict[str, Any] = {
        "status": result.status,
        "spec": result.spec.to_dict() if result.spec else None,
        "complexity": result.complexity.to_dict() if result.complexity else None,
        "verification": result.verification.to_dict() if result.verification else None,
        "timings": result.timings,
        "files": [file.to_dict() for file in result.files],
        "error": result.error.message if result.error else "",
        "error_data": result.error.to_dict() if result.error else None,
        "zip": zip_name,
        "zip_sha256": result.zip_sha256 or "",
        "finished_at": timezone.now(),
    }
    with transaction.atomic():
        if generation.version_id is None and result.spec is not None:
            fields["version"] = _version_from_run(generation, result.spec)
        stored = Generation.objects.filter(
            pk=generation.pk, status=GENERATION_STATUS_RUNNING
        ).update(**fields)
        if stored and event is not None:
            _record_and_send(generation.pk, [_public_result(event)])
    if not stored and zip_name:
        storage.delete(zip_name)  # the run was deleted meanwhile


def _public_result(event: Event) -> Event:
    # The pipeline's output folder was a temporary one on this server: not for clients.
    return dataclasses.replace(event, data={**event.data, "output_dir": None, "zip_path": None})


def _end_run(
    generation_id: int,
    *,
    status: str,
    message: str,
    from_statuses: Collection[str],
    error_kind: str = "",
) -> bool:
    """Finish a run the pipeline did not finish itself; record why, ending with ``result``.

    Returns False (and changes nothing) when the run is not in one of ``from_statuses``.
    """
    cancelled = status == GENERATION_STATUS_CANCELLED
    with transaction.atomic():
        generation = (
            Generation.objects.select_for_update()
            .select_related("project")
            .filter(pk=generation_id, status__in=from_statuses)
            .first()
        )
        if generation is None:
            return False
        phase = generation.current_phase or "initialization"
        error = None if cancelled else GenerationError(error_kind, phase, message)
        Generation.objects.filter(pk=generation_id).update(
            status=status,
            finished_at=timezone.now(),
            error=error.message if error else "",
            error_data=error.to_dict() if error else None,
        )
        result = GenerationResult(status=status, stack=generation.project.stack, error=error)
        seq, progress = generation.last_event_seq + 1, generation.progress
        events = [
            _event(
                seq,
                EventType.CANCELLED if cancelled else EventType.ERROR,
                phase,
                message,
                progress,
                {"phase": phase, "kind": error_kind},
            ),
            _event(
                seq + 1,
                EventType.RESULT,
                "complete",
                f"Generation {status}",
                progress,
                result.to_dict(),
            ),
        ]
        _record_and_send(generation_id, events)
    return True


def _event(
    seq: int, type: EventType, phase: str, message: str, progress: int, data: dict[str, Any]
) -> Event:
    return Event(
        seq=seq,
        type=type,
        phase=phase,
        message=message,
        progress=progress,
        data=data,
        timestamp=time.time(),
    )


def _record_and_send(generation_id: int, events: Iterable[Event]) -> None:
    """Save essential events now and send them once the transaction commits."""
    payloads = [
        generation_record_event(generation_id=generation_id, event=event).to_event_dict()
        for event in events
    ]

    def send() -> None:
        for payload in payloads:
            publishing.channel_send(generation_id, payload)

    transaction.on_commit(send)


# --- helpers ----------------------------------------------------------------------------------


def _check_can_manage(project: Project, user: User) -> None:
    if not (user.is_authenticated and (user.is_staff or project.owner_id == user.pk)):
        raise PermissionDenied("Only the project's owner or staff may do this.")


def _enqueue_for_workers(generation_id: int) -> None:
    from generator.tasks import run_generation  # tasks imports this module

    run_generation.enqueue(generation_id)  # an error rolls the start back


def _enqueue(generation_id: int) -> None:
    from generator.tasks import run_generation  # tasks imports this module

    registry.register(generation_id)  # from now on a cancel reaches the run in this process
    try:
        run_generation.enqueue(generation_id)
    except Exception as exc:
        logger.exception("Could not enqueue generation %s", generation_id)
        registry.unregister(generation_id)
        _end_run(
            generation_id,
            status=GENERATION_STATUS_FAILED,
            message=f"The generation could not be queued: {exc}",
            from_statuses={GENERATION_STATUS_QUEUED},
            error_kind="internal",
        )


def _zip_storage() -> Storage:
    return Generation._meta.get_field("zip").storage  # type: ignore[attr-defined, no-any-return]


def _delete_files(storage: Storage, names: Iterable[str], folder: str) -> None:
    leftovers: list[str] = []
    with contextlib.suppress(FileNotFoundError, NotImplementedError):
        leftovers = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
    for name in {*names, *leftovers}:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete stored file %s", name)


# --- spec versions, the plan (draft), change requests ---------------------------------------
#
# A project's spec lives in numbered versions; a run builds one version. Before a version is
# made, the person may edit a *draft* of the plan (Project.draft): the analysis of new text,
# the result of a change request, or edits on the plan page. Committing the draft makes the
# next version; building builds it. The engine does the reading, editing and diffing
# (generator.engine.changes / editing / diffing); this module stores and checks rights.


@dataclasses.dataclass(frozen=True, slots=True)
class Draft:
    """The plan being edited: a spec, the renames since ``base`` and the words that made it."""

    spec: AppSpec
    renames: Renames
    change_text: str
    source: str
    base: int | None  # the version it grew from; None for a new project's first plan
    notes: tuple[str, ...] = ()  # what the last edit or change request implied, in words
    before: dict[str, Any] | None = None  # the draft a change request was read into, to undo it

    def to_data(self) -> dict[str, Any]:
        return {
            "spec": self.spec.to_dict(),
            "renames": self.renames.to_dict(),
            "change_text": self.change_text,
            "source": self.source,
            "base": self.base,
            "notes": list(self.notes),
            "before": self.before,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        return cls(
            spec=AppSpec.from_data(data["spec"]),
            renames=Renames.from_dict(data.get("renames")),
            change_text=str(data.get("change_text") or ""),
            source=str(data.get("source") or VERSION_SOURCE_PLAN),
            base=data.get("base"),
            notes=tuple(str(note) for note in data.get("notes") or ()),
            before=_trimmed(data.get("before")),
        )


UNDO_DEPTH = 5  # change requests that can be taken back one by one


def _trimmed(before: Any, depth: int = UNDO_DEPTH) -> dict[str, Any] | None:
    if not isinstance(before, dict) or depth <= 0:
        return None
    return {**before, "before": _trimmed(before.get("before"), depth - 1)}


CHANGE_TEXT_MAX = 4000


def version_latest(project: Project) -> SpecVersion | None:
    return project.versions.order_by("-number").first()


def version_spec(version: SpecVersion) -> AppSpec:
    return AppSpec.from_data(version.spec)


def _checked_spec(data: AppSpec | dict[str, Any], key: str = "spec") -> AppSpec:
    """A valid AppSpec, or a ``ValidationError`` naming each problem under ``key``."""
    if isinstance(data, AppSpec):
        return data
    try:
        return AppSpec.from_data(data)
    except SpecError as exc:
        raise ValidationError({key: exc.messages}) from None


def version_create(
    *,
    project: Project,
    user: User,
    spec: AppSpec | dict[str, Any],
    source: str,
    change_text: str = "",
    renames: Renames | None = None,
    restored_from: int | None = None,
) -> SpecVersion:
    """Save ``spec`` as the project's next version (checked first; nothing is built)."""
    _check_can_manage(project, user)
    checked = _checked_spec(spec)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()  # one number each
        last = project.versions.aggregate(last=Max("number"))["last"] or 0
        return SpecVersion.objects.create(
            project=project,
            number=last + 1,
            spec=checked.to_dict(),
            source=source,
            change_text=change_text[:CHANGE_TEXT_MAX],
            renames=(renames or Renames()).to_dict(),
            restored_from=restored_from,
            created_by=user,
        )


def version_build(*, version: SpecVersion, user: User) -> Generation:
    """Start a run that builds ``version``."""
    return generation_start(project=version.project, user=user, version=version)


def version_restore(*, version: SpecVersion, user: User) -> SpecVersion:
    """Make ``version``'s spec the project's next version (the versions after it are kept).

    Renames made since are undone as renames, so a database of the latest version keeps its
    rows when it is migrated back.
    """
    project = version.project
    _check_can_manage(project, user)
    latest = version_latest(project)
    renames = Renames()
    if latest is not None and latest.number != version.number:
        renames = _inverse(_renames_between(project, version.number, latest.number))
    if project.draft:  # a pending plan grew from another version: restoring replaces it
        draft_discard(project=project, user=user)
    return version_create(
        project=project,
        user=user,
        spec=version.spec,
        source=VERSION_SOURCE_RESTORE,
        change_text=f"Restored version {version.number}",
        renames=renames,
        restored_from=version.number,
    )


def _renames_between(project: Project, old: int, new: int) -> Renames:
    """Renames from version ``old``'s names to version ``new``'s (``old`` < ``new``)."""
    renames = Renames()
    for data in (
        project.versions.filter(number__gt=old, number__lte=new)
        .order_by("number")
        .values_list("renames", flat=True)
    ):
        renames = renames.then(Renames.from_dict(data))
    return renames


def _inverse(renames: Renames) -> Renames:
    entities = {new: old for old, new in renames.entities.items()}
    return Renames(
        entities=entities,
        fields={
            renames.entity_old_name(entity): {new: old for old, new in mapping.items()}
            for entity, mapping in renames.fields.items()
        },
    )


def version_build_verified(version: SpecVersion) -> Generation | None:
    """The version's newest verified build that still has its ZIP."""
    return (
        version.builds.filter(status=GENERATION_STATUS_SUCCEEDED)
        .exclude(zip="")
        .order_by("-number")
        .first()
    )


def version_files(version: SpecVersion) -> dict[str, str] | None:
    """The text files of the version's newest verified build; None when it has none."""
    from generator.archive import FileMissing, archive_members, archive_read

    build = version_build_verified(version)
    if build is None:
        return None
    files: dict[str, str] = {}
    try:
        for path in archive_members(build):
            with contextlib.suppress(UnicodeDecodeError):
                files[path] = archive_read(build, path).decode("utf-8")
    except FileMissing:
        return None
    return files


def _base_for(version: SpecVersion) -> BaseVersion | None:
    """The newest earlier version with a verified build: the one this version grows from."""
    for earlier in version.project.versions.filter(number__lt=version.number).order_by("-number"):
        files = version_files(earlier)
        if files is None:
            continue
        return BaseVersion(
            number=earlier.number,
            spec=version_spec(earlier),
            files=files,
            renames=_renames_between(version.project, earlier.number, version.number),
        )
    return None


def _version_input(version: SpecVersion | None) -> dict[str, Any]:
    """What a run of ``version`` hands the pipeline beside the project's fields."""
    if version is None:
        return {}
    return {
        "spec": version_spec(version),
        "requirements": "",  # the version's spec is what it builds
        "version": version.number,
        "base": _base_for(version),
    }


def _version_from_run(generation: Generation, spec: AppSpec) -> SpecVersion:
    """The version a run that read the requirements made (called in the run's transaction)."""
    project = generation.project
    Project.objects.select_for_update().filter(pk=project.pk).first()
    last = project.versions.aggregate(last=Max("number"))["last"] or 0
    return SpecVersion.objects.create(
        project=project,
        number=last + 1,
        spec=spec.to_dict(),
        source=VERSION_SOURCE_REQUIREMENTS,
        created_by=generation.requested_by,
    )


# --- the draft ---------------------------------------------------------------------------------


def draft_get(project: Project) -> Draft | None:
    if not project.draft:
        return None
    try:
        return Draft.from_data(project.draft)
    except (SpecError, KeyError, TypeError):
        logger.warning("Dropping project %s's unreadable draft", project.pk)
        return None


def draft_start(project: Project) -> Draft:
    """The pending draft, or a fresh one from the latest version."""
    if (draft := draft_get(project)) is not None:
        return draft
    latest = version_latest(project)
    if latest is None:
        return _draft_from_requirements(project, change_text="")
    return Draft(version_spec(latest), Renames(), "", VERSION_SOURCE_PLAN, latest.number)


def _draft_save(project: Project, draft: Draft) -> Draft:
    project.draft = draft.to_data()
    project.save(update_fields=["draft", "updated_at"])
    return draft


def _analyze(project: Project) -> AppSpec:
    from generator.engine.analysis import AnalysisError, analyze

    try:
        return analyze(project.requirements, name=project.name, description=project.description)
    except AnalysisError as exc:
        raise ValidationError({"requirements": str(exc)}) from None


def _draft_from_requirements(project: Project, *, change_text: str) -> Draft:
    latest = version_latest(project) if project.pk else None
    return Draft(
        _analyze(project),
        Renames(),
        change_text,
        VERSION_SOURCE_REQUIREMENTS,
        latest.number if latest else None,
    )


def project_plan(
    *, owner: User, name: str, description: str = "", requirements: str, stack: str
) -> Project:
    """Create a project whose plan (the analysis of its requirements) waits for review."""
    fields = project_clean(
        name=name, description=description, requirements=requirements, stack=stack
    )
    project = Project(owner=owner, **fields)
    draft = _draft_from_requirements(project, change_text="")
    project.draft = draft.to_data()
    project.save()
    return project


def draft_apply(*, project: Project, user: User, ops: list[dict[str, Any]]) -> Draft:
    """Apply plan edits (the engine's operations, as data) to the draft and save it.

    Problems raise ``ValidationError`` under ``ops``, one message each, and change nothing.
    """
    _check_can_manage(project, user)
    with transaction.atomic():  # one edit at a time: two quick edits must not lose one
        locked = Project.objects.select_for_update().get(pk=project.pk)
        project.draft = locked.draft
        return _draft_edit(project, ops)


def _draft_edit(project: Project, ops: list[dict[str, Any]]) -> Draft:
    from generator.engine.editing import EditError, apply_ops

    draft = draft_start(project)
    try:
        edited = apply_ops(draft.spec, ops, keep_rows=draft.base is not None)
    except EditError as exc:
        raise ValidationError({"ops": [str(problem) for problem in exc.errors]}) from None
    # An edited reading of the text is the person's plan now; a change request stays one.
    source = VERSION_SOURCE_PLAN if draft.source == VERSION_SOURCE_REQUIREMENTS else draft.source
    if not ops:
        source = draft.source
    return _draft_save(
        project,
        Draft(
            edited.spec,
            draft.renames.then(edited.renames),
            draft.change_text,
            source,
            draft.base,
            tuple(edited.notes),
        ),
    )


def draft_replace(
    *, project: Project, user: User, spec: AppSpec | dict[str, Any], change_text: str = ""
) -> Draft:
    """Make a given spec (pasted or uploaded) the draft; it carries no renames."""
    _check_can_manage(project, user)
    checked = _checked_spec(spec)
    latest = version_latest(project)
    return _draft_save(
        project,
        Draft(
            checked,
            Renames(),
            change_text or "Spec given",
            VERSION_SOURCE_SPEC,
            latest.number if latest else None,
        ),
    )


def draft_discard(*, project: Project, user: User) -> None:
    _check_can_manage(project, user)
    project.draft = None
    project.save(update_fields=["draft", "updated_at"])


def draft_commit(
    *, project: Project, user: User, build: bool = True
) -> tuple[SpecVersion, Generation | None]:
    """Make the draft the next version (and build it). Without a draft, build the latest."""
    _check_can_manage(project, user)
    draft = draft_get(project)
    if draft is None:
        latest = version_latest(project)
        if latest is not None:
            return latest, version_build(version=latest, user=user) if build else None
        draft = draft_start(project)  # never planned: the reading of its requirements
    latest = version_latest(project)
    if latest is not None and draft.base != latest.number:
        raise ValidationError(
            f"This plan was made from {f'version {draft.base}' if draft.base else 'the text'}, "
            f"and version {latest.number} was made since: discard the plan and ask again on "
            "the latest."
        )
    if build:
        generation_check_capacity(owner_id=project.owner_id)
    with transaction.atomic():
        version = version_create(
            project=project,
            user=user,
            spec=draft.spec,
            source=draft.source,
            change_text=draft.change_text,
            renames=draft.renames,
        )
        project.draft = None
        project.save(update_fields=["draft", "updated_at"])
        generation = version_build(version=version, user=user) if build else None
    return version, generation


def change_read(*, project: Project, user: User, text: str) -> tuple[Draft, list[str]]:
    """Read a change request against the draft (or the latest version); save it as the draft.

    Returns the draft and the engine's notes. A change it cannot read raises
    ``ValidationError`` under ``request`` with the engine's words, and keeps the draft.
    """
    _check_can_manage(project, user)
    text = _change_text(text)
    from generator.engine.changes import ChangeError, read_change

    draft = draft_start(project)
    try:
        change = read_change(draft.spec, text, keep_rows=draft.base is not None)
    except ChangeError as exc:
        message = str(exc)
        if draft.change_text and message.startswith("Nothing to change"):
            message += (
                " (Your change that is not confirmed yet already does this: confirm it to "
                "build it, or discard it.)"
            )
        raise ValidationError({"request": message}) from None
    words = f"{draft.change_text}\n{text}".strip() if draft.change_text else text
    source = VERSION_SOURCE_CHANGE if draft.base is not None else draft.source
    saved = _draft_save(
        project,
        Draft(
            change.spec,
            draft.renames.then(change.renames),
            words,
            source,
            draft.base,
            tuple(change.notes),
            before=_trimmed(project.draft),  # None when the change started from the version
        ),
    )
    return saved, list(change.notes)


def change_undo(*, project: Project, user: User) -> bool:
    """Take back the last change request: the draft returns to what it was before it.

    Returns True when earlier plan edits or changes were kept, False when nothing remains
    pending (the plan is the latest version again).
    """
    _check_can_manage(project, user)
    draft = draft_get(project)
    project.draft = draft.before if draft is not None else None
    project.save(update_fields=["draft", "updated_at"])
    return project.draft is not None


def _change_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError(
            {"request": "Say what to change, e.g. 'add a due date to tasks' or 'remove comments'."}
        )
    if len(text) > CHANGE_TEXT_MAX:
        raise ValidationError(
            {
                "request": f"The change is too long ({len(text)} characters); use at most "
                f"{CHANGE_TEXT_MAX}."
            }
        )
    return text


def change_create(
    *, project: Project, user: User, text: str, build: bool = False
) -> tuple[SpecVersion, list[str], Generation | None]:
    """Read a change request against the latest version and save the result as a version.

    The API's path (the web page confirms a draft instead). Returns the version, the engine's
    notes and, with ``build``, the run that builds it.
    """
    from generator.engine.changes import ChangeError, read_change

    _check_can_manage(project, user)
    text = _change_text(text)
    latest = version_latest(project)
    if latest is None:
        raise ValidationError(
            {"request": "The project has no version yet: build it once before changing it."}
        )
    try:
        change = read_change(version_spec(latest), text)
    except ChangeError as exc:
        raise ValidationError({"request": str(exc)}) from None
    if build:
        generation_check_capacity(owner_id=project.owner_id)
    with transaction.atomic():
        version = version_create(
            project=project,
            user=user,
            spec=change.spec,
            source=VERSION_SOURCE_CHANGE,
            change_text=text,
            renames=change.renames,
        )
        generation = version_build(version=version, user=user) if build else None
    return version, list(change.notes), generation


def requirements_update(*, project: Project, user: User, requirements: str) -> Draft:
    """Save edited requirements and make what they now say the draft, to review and build.

    Text only added to the requirements is read as a change to the current plan, so the edits
    and changes made since the first reading stay. Text that rewrites or removes words is read
    again from scratch, and the draft's notes say that the earlier edits are not in it.
    """
    from generator.engine.changes import ChangeError, read_change

    _check_can_manage(project, user)
    fields = project_clean(
        name=project.name,
        description=project.description,
        requirements=requirements,
        stack=project.stack,
        only=("requirements",),
    )
    added = _added_text(project.requirements, fields["requirements"])
    project.requirements = fields["requirements"]
    current = draft_start(project) if project.versions.exists() or project.draft else None
    draft: Draft | None = None
    if current is not None and added:
        with contextlib.suppress(ChangeError):
            change = read_change(current.spec, added, keep_rows=current.base is not None)
            draft = Draft(
                change.spec,
                current.renames.then(change.renames),
                _joined(current.change_text, f"Requirements: added {added!r}"),
                VERSION_SOURCE_CHANGE if current.base is not None else current.source,
                current.base,
                (f"Read the added text as a change: {added}", *change.notes),
            )
    elif current is not None and added == "":
        draft = dataclasses.replace(current, notes=("The requirements say the same as before.",))
    if draft is None:
        draft = _draft_from_requirements(project, change_text="Requirements edited")
        if current is not None:
            since = f"version {current.base}" if current.base else "the first reading"
            draft = dataclasses.replace(
                draft,
                notes=(
                    "The requirements were read again from scratch: plan edits and changes "
                    f"made since {since} are not in this reading. Check what it removes below, "
                    "or ask for the change in the box instead.",
                ),
            )
    project.draft = draft.to_data()
    project.save(update_fields=["requirements", "draft", "updated_at"])
    return draft


def _added_text(old: str, new: str) -> str | None:
    """The sentences of ``new`` that words were added to ("" when nothing was added), or None
    when the edit changed or removed words (then only a new reading tells what it says)."""
    import difflib
    import re

    def tokens(text: str) -> list[re.Match[str]]:
        return list(re.finditer(r"\w+|[^\w\s]", text.lower()))

    before, after = tokens(old), tokens(new)
    added: list[str] = []
    matcher = difflib.SequenceMatcher(
        a=[t.group() for t in before], b=[t.group() for t in after], autojunk=False
    )
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        while tag == "insert" and j1 < j2 and not after[j1].group()[0].isalnum():
            j1 += 1  # a stop put after the old last word starts no sentence of its own
        if tag == "insert" and j1 < j2:
            added.append(_sentence_around(new, after[j1].start(), after[j2 - 1].end()))
        elif tag not in {"equal", "insert"}:
            return None
    parts = dict.fromkeys(part.strip(" .;,\n") for part in added)  # in order, once each
    return ". ".join(part for part in parts if part)


def _sentence_around(text: str, start: int, end: int) -> str:
    """The whole sentence(s) of ``text`` holding ``text[start:end]``."""
    stops = ".!?\n"
    begin = max(text.rfind(stop, 0, start) for stop in stops) + 1
    ends = [i for i in (text.find(stop, end) for stop in stops) if i != -1]
    return text[begin : min(ends) if ends else len(text)]


def _joined(first: str, second: str) -> str:
    return f"{first}\n{second}".strip() if first else second


# --- comparing ----------------------------------------------------------------------------------


def version_diff(*, project: Project, old: SpecVersion, new: SpecVersion) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: the spec, and the files when both were built.

    ``files`` is None (and ``files_note`` says why) when a version has no verified build.
    """
    from generator.engine.diffing import diff_counts, file_diff, spec_diff

    if old.number < new.number:
        renames = _renames_between(project, old.number, new.number)
    else:
        renames = _inverse(_renames_between(project, new.number, old.number))
    result: dict[str, Any] = {
        "from": old.number,
        "to": new.number,
        "spec": spec_diff(version_spec(old), version_spec(new), renames),
        "files": None,
        "counts": None,
        "files_note": "",
    }
    old_files, new_files = version_files(old), version_files(new)
    missing = [v.number for v, f in ((old, old_files), (new, new_files)) if f is None]
    if old_files is None or new_files is None:
        which = " and ".join(f"version {n}" for n in missing)
        result["files_note"] = f"Build {which} to compare files."
        return result
    files = file_diff(old_files, new_files)
    result["files"] = files
    result["counts"] = diff_counts(files)
    return result


def draft_diff(project: Project, draft: Draft) -> dict[str, Any]:
    """The draft against the version it grew from (everything is added for a first plan)."""
    from generator.engine.diffing import data_loss, spec_diff

    base = project.versions.filter(number=draft.base).first() if draft.base else None
    empty = AppSpec(name=draft.spec.name)
    diff = spec_diff(version_spec(base) if base else empty, draft.spec, draft.renames)
    # What a database of a built version would lose (a first plan has no database yet).
    diff["data_loss"] = data_loss(diff) if base is not None and _built_any(base) else []
    return diff


def _built_any(version: SpecVersion) -> bool:
    return version.project.generations.filter(status=GENERATION_STATUS_SUCCEEDED).exists()
