"""The generation pipeline: ordered phases from requirements to a verified, packaged project.

Phases are small keyed units in one ordered tuple, :data:`PHASES`. Each does its work and
returns a summary; the orchestrator (:func:`generate`) alone emits ``phase_start`` /
``phase_complete``, checks the cancel token between steps and records per-phase timings. Phases
emit only sub-step events (``phase_progress``, ``file``, ``log``) through the run's helpers.

Files and failures:

- the request is validated before anything runs; bad input raises :class:`GenerationInputError`
  and writes nothing (callers map it to "bad request" / exit code 2);
- files are written as they are rendered into a hidden staging folder beside ``out_dir`` and
  moved into place with one rename at the end, so a failure or a cancellation before that leaves
  nothing behind (not even a half-written project);
- when *verification* fails the project is still moved into ``out_dir`` (with its manifest) so
  it can be inspected, but no ZIP is written: a ZIP means "verified" (or verification was
  explicitly skipped), and the result says which checks failed.

A request may name the earlier build it grows from (``base``, a
:class:`~generator.engine.versions.BaseVersion`) and its own ``version`` number. The stack then
makes the database phase's files carry the base's data forward (for Django: the base's
migrations plus one for the change) and adds a check that they do; a change that cannot keep
the rows is bad input. The manifest records both numbers.

The pipeline never knows who reads its events: a terminal, a web page or a REST client.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.engine import GENERATOR_VERSION, naming
from generator.engine.complexity import NEEDS_DECOMPOSITION, Complexity, estimate
from generator.engine.events import (
    Cancelled,
    CancelToken,
    EventSink,
    EventType,
    ListSink,
    Reporter,
)
from generator.engine.evolution import EvolutionRefused
from generator.engine.packaging import (
    MANIFEST_NAME,
    UnsafePathError,
    build_manifest,
    build_zip,
    check_files,
    manifest_file,
    sha256_bytes,
)
from generator.engine.spec import APP_NAME_UNREADABLE, AppSpec, SpecError
from generator.engine.stacks import DEFAULT_STACK, UnknownStackError, get_stack
from generator.engine.stacks.base import EvolvingStack, GeneratedFile, RenderContext, Stack
from generator.engine.verification import (
    DEFAULT_WORKERS,
    CheckResult,
    VerificationReport,
    verify,
)
from generator.engine.versions import BaseVersion

STATUS_SUCCEEDED = "succeeded"
STATUS_FAILED = "failed"
STATUS_CANCELLED = "cancelled"
FINAL_STATUSES = frozenset({STATUS_SUCCEEDED, STATUS_FAILED, STATUS_CANCELLED})

# What went wrong, for callers that map failures to exit codes or HTTP statuses.
ERROR_INPUT = "input"  # the requirements or spec cannot be used
ERROR_VERIFICATION = "verification"  # the project was generated but a check failed
ERROR_GENERATION = "generation"  # a stack or the engine failed

DEFAULT_MAX_REQUIREMENTS_CHARS = 20_000
# Distributions whose installed versions generated projects pin (what Takoss runs with).
PINNED_DISTRIBUTIONS = (
    "django",
    "djangorestframework",
    "django-filter",
    "django-htmx",
    "whitenoise",
    "ruff",
    "pytest",
    "pytest-django",
    "gunicorn",
    "psycopg",
    "pillow",
    "jinja2",
)

Analyzer = Callable[..., AppSpec]


class GenerationInputError(ValueError):
    """The request cannot be run; nothing was written."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


class VerificationFailed(Exception):
    def __init__(self, report: VerificationReport) -> None:
        self.report = report
        failed = ", ".join(f"{c.key} ({c.reason})" for c in report.failed_checks)
        super().__init__(f"verification failed: {failed}")


@dataclass(frozen=True)
class GenerationRequest:
    out_dir: str | Path
    name: str = ""
    requirements: str = ""
    spec: AppSpec | None = None
    description: str = ""
    stack: str = DEFAULT_STACK
    zip_path: str | Path | None = None
    verify: bool = True
    overwrite: bool = False
    base: BaseVersion | None = None  # the earlier build this one grows from
    version: int = 1  # this build's version number


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: str
    size: int
    sha256: str
    phase: str
    language: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "phase": self.phase,
            "language": self.language,
        }


@dataclass(frozen=True, slots=True)
class GenerationError:
    kind: str
    phase: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "phase": self.phase,
            "message": self.message,
            "details": self.details,
        }


@dataclass
class GenerationResult:
    status: str
    stack: str
    spec: AppSpec | None = None
    complexity: Complexity | None = None
    files: list[WrittenFile] = field(default_factory=list)
    verification: VerificationReport | None = None
    verified: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    output_dir: str | None = None
    zip_path: str | None = None
    zip_sha256: str | None = None
    zip_bytes: bytes | None = field(default=None, repr=False)
    error: GenerationError | None = None

    @property
    def success(self) -> bool:
        return self.status == STATUS_SUCCEEDED

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "status": self.status,
            "stack": self.stack,
            "generator_version": GENERATOR_VERSION,
            "spec": self.spec.to_dict() if self.spec else None,
            "complexity": self.complexity.to_dict() if self.complexity else None,
            "files": [f.to_dict() for f in self.files],
            "verification": self.verification.to_dict() if self.verification else None,
            "verified": self.verified,
            "timings": dict(self.timings),
            "output_dir": self.output_dir,
            "zip_path": self.zip_path,
            "zip_sha256": self.zip_sha256,
            "error": self.error.to_dict() if self.error else None,
        }


# --- one run --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phase:
    key: str
    label: str
    message: str  # shown when the phase starts
    done: str  # shown when it completes
    start: int  # progress when it starts
    end: int  # progress when it completes
    run: Callable[[_Run, Phase], dict[str, Any]]


class _Run:
    """The state of one generation, shared by the phases."""

    def __init__(
        self,
        request: GenerationRequest,
        reporter: Reporter,
        cancel: CancelToken,
        stack: Stack,
        analyzer: Analyzer | None,
        verify_workers: int,
    ) -> None:
        self.request = request
        self.reporter = reporter
        self.cancel = cancel
        self.stack = stack
        self.analyzer = analyzer
        self.verify_workers = verify_workers
        self.out_dir = Path(request.out_dir).absolute()
        self.zip_path = Path(request.zip_path).absolute() if request.zip_path else None
        self.ctx: RenderContext | None = None
        self.spec: AppSpec | None = None
        self.complexity: Complexity | None = None
        self.generated: list[GeneratedFile] = []
        self.written: list[WrittenFile] = []
        self.report: VerificationReport | None = None
        self.staging: Path | None = None
        self.created_parents: list[Path] = []
        self.published = False
        self.zip_bytes: bytes | None = None
        self.timings: dict[str, float] = {}
        self.current = "initialization"

    # helpers for phases
    def progress(
        self, phase: Phase, message: str, done: int, total: int, data: dict[str, Any]
    ) -> None:
        span = phase.end - phase.start
        value = phase.start + (span * done // total if total else span)
        self.reporter.emit(EventType.PHASE_PROGRESS, phase.key, message, progress=value, data=data)

    def log(self, phase: Phase, message: str, level: str = "warning") -> None:
        self.reporter.emit(EventType.LOG, phase.key, message, data={"level": level})

    def staging_dir(self) -> Path:
        if self.staging is None:
            self.created_parents = _make_parents(self.out_dir.parent)
            self.staging = Path(
                tempfile.mkdtemp(prefix=f".{self.out_dir.name}.takoss-", dir=self.out_dir.parent)
            )
            self.staging.chmod(0o755)  # mkdtemp's 0700 would carry over to out_dir
        return self.staging

    def write(self, phase: Phase, file: GeneratedFile, done: int, total: int) -> None:
        self.cancel.raise_if_cancelled()
        data = file.content.encode("utf-8")
        target = self.staging_dir() / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if file.executable:
            target.chmod(0o755)
        written = WrittenFile(
            path=file.path,
            size=len(data),
            sha256=sha256_bytes(data),
            phase=phase.key,
            language=language_of(file.path),
        )
        if file.path != MANIFEST_NAME:
            self.generated.append(file)
        self.written.append(written)
        self.reporter.emit(
            EventType.FILE,
            phase.key,
            file.path,
            data={
                "path": written.path,
                "size": written.size,
                "phase": phase.key,
                "language": written.language,
            },
        )
        self.progress(
            phase,
            f"Wrote {file.path}",
            done,
            total,
            {"path": written.path, "size": written.size, "sha256": written.sha256},
        )

    def publish(self) -> None:
        """Move the staging folder into place (one rename)."""
        staging = self.staging_dir()
        _replace_dir(staging, self.out_dir, overwrite=self.request.overwrite)
        self.published = True

    def discard(self) -> None:
        if self.staging is not None and not self.published:
            shutil.rmtree(self.staging, ignore_errors=True)
            for parent in self.created_parents:
                try:
                    parent.rmdir()
                except OSError:
                    break


# --- phases ---------------------------------------------------------------------------------


def _initialize(run: _Run, phase: Phase) -> dict[str, Any]:
    run.ctx = render_context()
    return {
        "stack": run.stack.key,
        "generator_version": GENERATOR_VERSION,
        "python_version": run.ctx.python_version,
    }


def _analyze(run: _Run, phase: Phase) -> dict[str, Any]:
    request = run.request
    if request.spec is not None:
        spec = _named_spec(request.spec, request.name)
    else:
        analyzer = run.analyzer or default_analyzer()
        spec = analyzer(
            request.requirements,
            name=request.name or None,
            description=request.description,
            cancel=run.cancel,  # reading a long text can take a while: it must stop on cancel
        )
    run.spec = spec
    for note in spec.notes:
        run.log(phase, note, level="info")
    for warning in spec.warnings:
        run.log(phase, warning)
    return {
        "entities": len(spec.entities),
        "relationships": len(spec.relationships),
        "features": len(spec.features),
        "pages": len(spec.pages),
        "warnings": len(spec.warnings),
        "roles": len(spec.roles),
        "notes": len(spec.notes),
        "confidence": spec.confidence,
        "source": "spec" if request.spec is not None else "requirements",
    }


def _estimate(run: _Run, phase: Phase) -> dict[str, Any]:
    run.complexity = estimate(_spec(run))
    if run.complexity.recommendation == NEEDS_DECOMPOSITION:
        run.log(
            phase,
            f"Complexity {run.complexity.total} suggests splitting this app into "
            f"{len(run.complexity.subtasks)} subtasks; generating it in one go.",
            level="info",
        )
    return {"total": run.complexity.total, "recommendation": run.complexity.recommendation}


def _render(run: _Run, phase: Phase) -> dict[str, Any]:
    assert run.ctx is not None
    files = run.stack.render_phase(phase.key, _spec(run), run.ctx)
    base = run.request.base
    if phase.key == "database" and base is not None:
        assert isinstance(run.stack, EvolvingStack), "generate() refuses a base it cannot use"
        evolution = run.stack.evolve(
            files,
            _spec(run),
            run.ctx,
            base=base,
            version=run.request.version,
            cancel=run.cancel,
        )
        files = evolution.files
        for note in evolution.notes:
            run.log(phase, note, level="info")
    check_files([*run.generated, *files])  # safe paths, no clash with earlier phases
    for index, file in enumerate(sorted(files, key=lambda f: f.path), start=1):
        run.write(phase, file, index, len(files))
    return {"files": len(files), "bytes": sum(len(f.content.encode("utf-8")) for f in files)}


def _verify(run: _Run, phase: Phase) -> dict[str, Any]:
    if not run.request.verify:
        run.log(phase, "Verification skipped on request.", level="info")
        return {"skipped": True}
    base = run.request.base
    if base is None:
        checks = run.stack.checks(_spec(run))
    else:
        assert isinstance(run.stack, EvolvingStack), "generate() refuses a base it cannot use"
        checks = run.stack.checks(_spec(run), base)
    done = 0

    def on_check(result: CheckResult) -> None:
        nonlocal done
        done += 1
        verdict = "passed" if result.passed else f"failed: {result.reason}"
        run.progress(
            phase,
            f"{result.label} {verdict}",
            done,
            len(checks),
            {
                "check": result.key,
                "label": result.label,
                "passed": result.passed,
                "duration": round(result.duration, 3),
                "tests": result.tests.to_dict() if result.tests else None,
            },
        )

    run.report = verify(
        run.staging_dir(), checks, cancel=run.cancel, on_check=on_check, workers=run.verify_workers
    )
    if not run.report.passed:
        raise VerificationFailed(run.report)
    return {"skipped": False, "passed": True, **run.report.totals()}


def _package(run: _Run, phase: Phase) -> dict[str, Any]:
    spec = _spec(run)
    manifest = _manifest(run)
    run.write(phase, manifest_file(manifest), 1, 2)
    run.cancel.raise_if_cancelled()
    run.zip_bytes = build_zip(run.generated, root=spec.slug, manifest=manifest)
    digest = sha256_bytes(run.zip_bytes)
    run.progress(
        phase, "Built the ZIP archive", 2, 2, {"zip_sha256": digest, "zip_size": len(run.zip_bytes)}
    )
    return {"zip_sha256": digest, "zip_size": len(run.zip_bytes), "files": len(run.generated)}


def _complete(run: _Run, phase: Phase) -> dict[str, Any]:
    run.cancel.raise_if_cancelled()
    run.publish()
    if run.zip_path is not None and run.zip_bytes is not None:
        _write_atomically(run.zip_path, run.zip_bytes)
    return {"output_dir": str(run.out_dir), "zip_path": str(run.zip_path) if run.zip_path else None}


PHASES: tuple[Phase, ...] = (
    Phase(
        "initialization", "Initialization", "Preparing the generation…", "Ready", 0, 5, _initialize
    ),
    Phase(
        "analysis", "Analysis", "Analyzing requirements…", "Requirements analyzed", 10, 20, _analyze
    ),
    Phase(
        "complexity",
        "Complexity",
        "Estimating complexity…",
        "Complexity estimated",
        20,
        25,
        _estimate,
    ),
    Phase(
        "database",
        "Database",
        "Generating models and migrations…",
        "Models and migrations generated",
        25,
        40,
        _render,
    ),
    Phase("backend", "Backend", "Generating the API…", "API generated", 40, 55, _render),
    Phase("frontend", "Frontend", "Generating pages…", "Pages generated", 55, 70, _render),
    Phase(
        "deployment",
        "Deployment",
        "Generating deployment files…",
        "Deployment files generated",
        70,
        75,
        _render,
    ),
    Phase(
        "verification",
        "Verification",
        "Verifying the generated project…",
        "All checks passed",
        75,
        95,
        _verify,
    ),
    Phase("packaging", "Packaging", "Packaging the project…", "Project packaged", 95, 99, _package),
    Phase("complete", "Complete", "Finishing…", "Project ready", 100, 100, _complete),
)
PHASE_KEYS = tuple(p.key for p in PHASES)


# --- the orchestrator -----------------------------------------------------------------------


def generate(
    request: GenerationRequest,
    *,
    sink: EventSink | None = None,
    cancel: CancelToken | None = None,
    analyzer: Analyzer | None = None,
    stack: Stack | None = None,
    verify_workers: int = DEFAULT_WORKERS,
) -> GenerationResult:
    """Run every phase of ``request``; return the result (also sent as the final event).

    Raises :class:`GenerationInputError` before emitting or writing anything when the request
    itself is unusable. Every other failure, and cancellation, ends in a result event.
    """
    stack = stack or resolve_stack(request.stack)
    validate_request(request)
    if request.base is not None and not isinstance(stack, EvolvingStack):
        raise GenerationInputError([f"the {stack.key} stack cannot build on an earlier version"])
    reporter = Reporter(sink or ListSink())
    run = _Run(request, reporter, cancel or CancelToken(), stack, analyzer, verify_workers)
    started = time.monotonic()
    status, error = STATUS_SUCCEEDED, None
    try:
        for phase in PHASES:
            run.cancel.raise_if_cancelled()
            _run_phase(run, phase)
        reporter.emit(
            EventType.COMPLETE,
            "complete",
            "Generation complete",
            progress=100,
            data={"output_dir": str(run.out_dir)},
        )
    except Cancelled as exc:
        run.discard()
        status = STATUS_CANCELLED
        reporter.emit(
            EventType.CANCELLED, run.current, str(exc) or "Cancelled", data={"phase": run.current}
        )
    except Exception as exc:  # every failure becomes an error event and a failed result
        error = _describe_failure(run, exc)
        _keep_or_discard(run, exc)
        status = STATUS_FAILED
        reporter.emit(
            EventType.ERROR,
            error.phase,
            error.message,
            data={"phase": error.phase, "kind": error.kind, "details": error.details},
        )
    finally:
        run.timings["total"] = round(time.monotonic() - started, 4)
        run.discard()
    result = _result(run, status, error)
    reporter.emit(EventType.RESULT, "complete", f"Generation {status}", data=result.to_dict())
    return result


def _run_phase(run: _Run, phase: Phase) -> None:
    run.current = phase.key
    run.reporter.emit(
        EventType.PHASE_START,
        phase.key,
        phase.message,
        progress=phase.start,
        data={"label": phase.label},
    )
    started = time.monotonic()
    try:
        summary = phase.run(run, phase)
    finally:
        run.timings[phase.key] = round(time.monotonic() - started, 4)
    message = "Verification skipped" if summary.get("skipped") else phase.done
    run.reporter.emit(
        EventType.PHASE_COMPLETE,
        phase.key,
        message,
        progress=phase.end,
        data={"duration": run.timings[phase.key], **summary},
    )


def _describe_failure(run: _Run, exc: Exception) -> GenerationError:
    phase = run.current
    if isinstance(exc, VerificationFailed):
        failed = [
            {"key": c.key, "label": c.label, "reason": c.reason, "output_tail": c.output_tail}
            for c in exc.report.failed_checks
        ]
        names = ", ".join(f"{c['label']} ({c['reason']})" for c in failed)
        return GenerationError(
            ERROR_VERIFICATION,
            phase,
            f"Verification failed: {names}",
            {"failed_checks": failed, "output_dir": str(run.out_dir)},
        )
    if isinstance(exc, EvolutionRefused):
        return GenerationError(
            ERROR_INPUT,
            phase,
            f"The change cannot keep the data of the version it grows from: {exc}",
            {"messages": list(exc.messages)},
        )
    if isinstance(exc, (SpecError, *_analysis_error_types())):
        messages = getattr(exc, "messages", None) or [str(exc)]
        return GenerationError(
            ERROR_INPUT,
            phase,
            f"The requirements cannot be used: {exc}",
            {"messages": list(messages)},
        )
    if isinstance(exc, UnsafePathError):
        return GenerationError(
            ERROR_GENERATION,
            phase,
            f"The stack produced a bad path: {exc}",
            {"exception": type(exc).__name__},
        )
    return GenerationError(
        ERROR_GENERATION,
        phase,
        f"{phase} failed: {exc}",
        {
            "exception": type(exc).__name__,
            "traceback": traceback.format_exc(limit=8)[-4000:],
        },
    )


def _keep_or_discard(run: _Run, exc: Exception) -> None:
    """Keep a project whose checks failed (for inspection); drop anything else."""
    if isinstance(exc, VerificationFailed) and run.spec is not None:
        try:
            run.write(PHASES[PHASE_KEYS.index("verification")], manifest_file(_manifest(run)), 1, 1)
            run.publish()
        except Exception:  # keeping is best effort; the verification error is what matters
            run.discard()
    else:
        run.discard()


def _result(run: _Run, status: str, error: GenerationError | None) -> GenerationResult:
    succeeded = status == STATUS_SUCCEEDED
    return GenerationResult(
        status=status,
        stack=run.stack.key,
        spec=run.spec,
        complexity=run.complexity,
        files=list(run.written) if run.published else [],
        verification=run.report,
        verified=run.report is not None and run.report.passed,
        timings=dict(run.timings),
        output_dir=str(run.out_dir) if run.published else None,
        zip_path=str(run.zip_path) if succeeded and run.zip_path else None,
        zip_sha256=sha256_bytes(run.zip_bytes) if succeeded and run.zip_bytes else None,
        zip_bytes=run.zip_bytes if succeeded else None,
        error=error,
    )


# --- input checks -----------------------------------------------------------------------------


def validate_request(request: GenerationRequest) -> None:
    """Raise GenerationInputError for a request that cannot run; touches nothing."""
    problems: list[str] = []
    if request.spec is None:
        text = request.requirements or ""
        if not text.strip():
            problems.append("the requirements are empty: describe the app to build")
        elif len(text) > max_requirements_chars():
            problems.append(
                f"the requirements are too long ({len(text)} characters; at most "
                f"{max_requirements_chars()} are allowed)"
            )
        if not (request.name or "").strip():
            problems.append("the app needs a name")
    elif request.requirements and request.requirements.strip():
        problems.append("give either requirements or a spec, not both")
    if (request.name or "").strip() and not naming.app_slug(request.name):
        problems.append(APP_NAME_UNREADABLE)
    problems.extend(_version_problems(request.version, request.base))
    problems.extend(_out_dir_problems(Path(request.out_dir), request.overwrite))
    if request.zip_path is not None:
        zip_path = Path(request.zip_path)
        if zip_path.is_dir():
            problems.append(f"the ZIP path {zip_path} is a directory")
    if problems:
        raise GenerationInputError(problems)


def _version_problems(version: int, base: BaseVersion | None) -> list[str]:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return [f"the version number must be a whole number from 1, not {version!r}"]
    if base is None:
        return []
    if base.number < 1:
        return [f"the base version number must be a whole number from 1, not {base.number!r}"]
    if version <= base.number:
        return [f"version {version} cannot grow from version {base.number}, which is not older"]
    return []


def _out_dir_problems(out_dir: Path, overwrite: bool) -> list[str]:
    if not str(out_dir).strip():
        return ["the output directory is missing"]
    if out_dir.exists() and not out_dir.is_dir():
        return [f"the output path {out_dir} exists and is not a directory"]
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        return [
            f"the output directory {out_dir} is not empty (use overwrite/--force to replace it)"
        ]
    for parent in out_dir.absolute().parents:
        if parent.exists():
            if not parent.is_dir() or not os.access(parent, os.W_OK):
                return [f"cannot create the output directory under {parent}"]
            break
    return []


def resolve_stack(key: str) -> Stack:
    try:
        return get_stack(key)
    except UnknownStackError as exc:
        raise GenerationInputError([str(exc)]) from None


def _named_spec(spec: AppSpec, name: str) -> AppSpec:
    if not name.strip() or name.strip() == spec.name:
        return spec
    return AppSpec.from_data({**spec.to_dict(), "name": name, "slug": ""})


def _spec(run: _Run) -> AppSpec:
    assert run.spec is not None, "analysis runs before every phase that needs the spec"
    return run.spec


def _manifest(run: _Run) -> dict[str, Any]:
    complexity = run.complexity.to_dict() if run.complexity else None
    base = run.request.base
    return build_manifest(
        spec=_spec(run),
        stack_key=run.stack.key,
        complexity=complexity or {},
        files=run.generated,
        version=run.request.version,
        base_version=base.number if base is not None else None,
    )


# --- defaults that depend on the other engine packages -----------------------------------------


def default_analyzer() -> Analyzer:
    from generator.engine.analysis import analyze

    return analyze


def _analysis_error_types() -> tuple[type[Exception], ...]:
    try:
        from generator.engine.analysis import AnalysisError
    except ImportError:
        return ()
    return (AnalysisError,)


def max_requirements_chars() -> int:
    try:
        from generator.engine.analysis import MAX_REQUIREMENTS_CHARS
    except ImportError:
        return DEFAULT_MAX_REQUIREMENTS_CHARS
    return int(MAX_REQUIREMENTS_CHARS)


def render_context() -> RenderContext:
    pins = {}
    for name in PINNED_DISTRIBUTIONS:
        try:
            pins[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return RenderContext(
        generator_version=GENERATOR_VERSION,
        python_version=f"{sys.version_info.major}.{sys.version_info.minor}",
        pins=pins,
    )


# --- files --------------------------------------------------------------------------------------

_LANGUAGES = {
    ".py": "python",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".js": "javascript",
    ".json": "json",
    ".md": "markdown",
    ".txt": "text",
    ".toml": "toml",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".cfg": "ini",
    ".ini": "ini",
    ".sh": "shell",
    ".sql": "sql",
    ".example": "dotenv",
    ".env": "dotenv",
    ".svg": "xml",
    ".xml": "xml",
}
_NAMED_LANGUAGES = {
    "Dockerfile": "dockerfile",
    "Makefile": "makefile",
    ".gitignore": "text",
    ".dockerignore": "text",
    "Procfile": "text",
}


def language_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in _NAMED_LANGUAGES:
        return _NAMED_LANGUAGES[name]
    return _LANGUAGES.get(Path(name).suffix.lower(), "text")


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing ancestors; return the created ones, deepest first."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _replace_dir(staging: Path, target: Path, *, overwrite: bool) -> None:
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    if not target.exists():
        os.replace(staging, target)
        return
    if not overwrite:
        raise FileExistsError(f"{target} appeared while generating; it was left untouched")
    old = target.with_name(f".{target.name}.takoss-old-{uuid.uuid4().hex[:8]}")
    os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
