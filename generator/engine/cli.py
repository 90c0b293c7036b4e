"""The ``takoss`` command: analyze requirements, generate and change projects, print the schema.

``takoss analyze`` shows what the offline analyzer understood (``--json`` prints the AppSpec,
ready for ``takoss generate --spec``). ``takoss generate`` runs the pipeline with a live
progress display on a terminal, plain lines elsewhere, or one JSON event per line with
``--json-events``. ``takoss change DIR "text"`` (or ``--spec FILE``) builds the next version of
a project generated into DIR and merges it into DIR three ways, keeping the person's edits
(merging.py); conflicts get git's markers. Exit codes: 0 success, 1 generation or verification
failure or merge conflicts, 2 bad input (nothing written, nothing run: e.g. requirements the
analyzer refuses, with its reason, a ``--name`` with no letter or digit, a DIR without
takoss.json, a change that cannot be read), 130 cancelled (Ctrl-C).

The command only parses arguments and renders events and reports; the work is the pipeline's
and the merge's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from generator.engine import GENERATOR_VERSION, merging, naming, pipeline
from generator.engine.complexity import estimate
from generator.engine.events import (
    CallbackSink,
    Cancelled,
    CancelToken,
    Event,
    EventSink,
    EventType,
)
from generator.engine.packaging import MANIFEST_NAME
from generator.engine.pipeline import (
    ERROR_INPUT,
    PHASES,
    STATUS_CANCELLED,
    GenerationInputError,
    GenerationRequest,
    GenerationResult,
)
from generator.engine.providers import (
    PROVIDERS,
    ModelChange,
    ModelProgress,
    ModelReading,
    ModelUsage,
    ProviderConfig,
    ProviderConfigError,
    ProviderError,
    check_model,
    config_from_env,
    model_analyzer,
    read_change_request,
    read_requirements,
)
from generator.engine.providers.check import DEFAULT_TIME_LIMIT
from generator.engine.providers.config import (
    BASE_URL_VARIABLE,
    KEY_VARIABLES,
    OFFLINE,
    OPENAI_COMPATIBLE,
)
from generator.engine.spec import APP_NAME_UNREADABLE, AppSpec, SpecError, spec_json_schema
from generator.engine.stacks import DEFAULT_STACK, UnknownStackError, available_stacks
from generator.engine.stacks.base import EvolvingStack
from generator.engine.versions import BaseVersion, Renames

if TYPE_CHECKING:
    from generator.engine.changes import Change

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130


class InputError(Exception):
    """Bad command-line input: reported on stderr, exit code 2, nothing written."""


# --- arguments ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="takoss",
        description="Describe an app in plain language; get a generated, verified project.",
    )
    parser.add_argument("--version", action="version", version=f"takoss {GENERATOR_VERSION}")
    commands = parser.add_subparsers(dest="command", required=True)

    analyze = commands.add_parser("analyze", help="show what Takoss understands from a text")
    analyze.add_argument("text", nargs="?", help="the requirements (or use -f)")
    analyze.add_argument("-f", "--file", help="read the requirements from a file ('-': stdin)")
    analyze.add_argument("--name", help="the app's name (guessed from the text otherwise)")
    analyze.add_argument("--json", action="store_true", help="print the AppSpec as JSON")
    _add_model_options(analyze)

    generate = commands.add_parser("generate", help="generate, verify and package a project")
    generate.add_argument("--name", default="", help="the app's name")
    source = generate.add_mutually_exclusive_group(required=True)
    source.add_argument("--requirements", help="the requirements text")
    source.add_argument("-f", "--file", help="read the requirements from a file ('-': stdin)")
    source.add_argument("--spec", help="a ready AppSpec (JSON or YAML file)")
    generate.add_argument("--description", default="", help="a one-line description")
    generate.add_argument("--out", required=True, help="the output directory (new or empty)")
    generate.add_argument("--zip", help="also write the project as a ZIP here")
    _add_run_options(generate, "print one JSON event per line on stdout, nothing else")
    generate.add_argument(
        "--stack",
        default=DEFAULT_STACK,
        help=f"output stack (available: {', '.join(available_stacks())})",
    )
    generate.add_argument(
        "--force", action="store_true", help="replace a non-empty output directory"
    )
    _add_model_options(generate)

    change = commands.add_parser(
        "change", help="build the next version of a generated project, keeping your edits"
    )
    change.add_argument("dir", help="the project folder (with its takoss.json)")
    change.add_argument("text", nargs="?", help='the change ("add a due date to tasks")')
    change_source = change.add_mutually_exclusive_group()
    change_source.add_argument("-f", "--file", help="read the change from a file ('-': stdin)")
    change_source.add_argument("--spec", help="the new version's AppSpec (JSON or YAML file)")
    _add_run_options(change, "print one JSON event per line on stdout, the merge report last")
    _add_model_options(change)

    commands.add_parser("schema", help="print the AppSpec JSON Schema")

    check = commands.add_parser(
        "check-model", help="check that a local OpenAI-compatible model can drive Takoss"
    )
    check.add_argument(
        "--base-url", help=f"the server's OpenAI-compatible root (default: ${BASE_URL_VARIABLE})"
    )
    check.add_argument("--model", help="the model to check (default: the server's first)")
    check.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds (default 120)"
    )
    check.add_argument("--context-window", type=int, help="the server's context size, in tokens")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    models = parser.add_argument_group("model provider (default: the offline analyzer)")
    models.add_argument("--provider", choices=PROVIDERS, default=OFFLINE)
    models.add_argument("--model", help="the provider's model (default: its usual one)")
    models.add_argument(
        "--base-url", help=f"the provider's address (openai-compatible: ${BASE_URL_VARIABLE})"
    )
    models.add_argument(
        "--no-fallback",
        action="store_true",
        help="fail (exit 1) when the model fails instead of using the offline analyzer",
    )
    models.add_argument("--context-window", type=int, help="the model's context, in tokens")
    models.add_argument("--timeout", type=float, help="seconds per request (default 120)")
    models.add_argument(
        "--retries", type=int, help="retries of a rate-limited or failed request (default 2)"
    )


def _add_run_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    parser.add_argument("--no-verify", action="store_true", help="skip verification")
    parser.add_argument("--json-events", action="store_true", help=json_help)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    commands = {
        "analyze": cmd_analyze,
        "generate": cmd_generate,
        "change": cmd_change,
        "schema": cmd_schema,
        "check-model": cmd_check_model,
    }
    try:
        return commands[args.command](args)
    except InputError as exc:
        print(f"takoss: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Cancelled as exc:  # Ctrl-C while a model was reading
        print(f"takoss: {exc or 'cancelled'}; nothing was written", file=sys.stderr)
        return EXIT_CANCELLED


def _read_text(text: str | None, path: str | None) -> str:
    if path is not None:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {path}: {exc}") from None
    if text is None:
        raise InputError("give the requirements as an argument or with -f FILE")
    return text


# --- takoss schema ---------------------------------------------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(spec_json_schema(), indent=2))
    return EXIT_OK


# --- takoss analyze --------------------------------------------------------------------------


def cmd_analyze(args: argparse.Namespace) -> int:
    text = _read_text(args.text, args.file)
    _check_name(args.name or "")
    config = _model_config(args)
    if config is None:
        spec = _analyze(text, args.name)
    else:
        try:
            spec = _read_with_model(config, text, args)
        except ProviderError as exc:
            return _model_failed(exc)
    if args.json:
        print(spec.to_json())
    else:
        _print_spec(Console(file=sys.stdout), spec)
    return EXIT_OK


def _analyze(text: str, name: str | None) -> AppSpec:
    from generator.engine.analysis import AnalysisError

    analyze = pipeline.default_analyzer()
    try:
        return analyze(text, name=name)
    except AnalysisError as exc:  # requirements_problem's words: they say what to do
        raise InputError(str(exc)) from None
    except (SpecError, ValueError) as exc:
        raise InputError(f"the requirements cannot be used: {exc}") from None


# --- model providers -------------------------------------------------------------------------


def _model_config(args: argparse.Namespace) -> ProviderConfig | None:
    """The provider config the options ask for (None: offline), keys from the environment."""
    if args.provider == OFFLINE:
        return None
    try:
        return config_from_env(
            args.provider,
            model=args.model,
            base_url=args.base_url,
            context_window=args.context_window,
            timeout=args.timeout,
            max_retries=args.retries,
        ).checked()
    except ProviderConfigError as exc:
        raise InputError(str(exc)) from None


def _read_with_model(config: ProviderConfig, text: str, args: argparse.Namespace) -> AppSpec:
    from generator.engine.analysis import AnalysisError

    progress = _ModelProgressLine(sys.stderr)
    try:
        reading = _cancellable(
            lambda cancel: read_requirements(
                config,
                text,
                name=args.name,
                cancel=cancel,
                fallback=not args.no_fallback,
                offline=pipeline.default_analyzer(),
                progress=progress,
            )
        )
    except AnalysisError as exc:
        raise InputError(str(exc)) from None
    finally:
        progress.close()
    _report_usage(reading.usage)
    return reading.spec


def _cancellable[T](work: Callable[[CancelToken], T]) -> T:
    """Run ``work`` in a thread so Ctrl-C here cancels it there (closing a model's stream)."""
    cancel = CancelToken()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work(cancel)
        except BaseException as exc:  # re-raised in the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="takoss-model", daemon=True)
    worker.start()
    while worker.is_alive():
        try:
            worker.join(timeout=0.1)
        except KeyboardInterrupt:
            cancel.cancel("Cancelled by Ctrl-C")
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def _model_failed(exc: ProviderError) -> int:
    print(f"takoss: error: {exc}", file=sys.stderr)
    print("takoss: --no-fallback: the offline analyzer was not used", file=sys.stderr)
    return EXIT_FAILED


def _report_usage(usage: ModelUsage) -> None:
    """One line on stderr: what the model was asked, what it cost, whether it fell back."""
    for warning in usage.warnings:
        print(f"takoss: warning: {warning}", file=sys.stderr)
    if not usage.requests:
        return
    cost = f"${usage.cost}" if usage.cost is not None else "cost unknown"
    repairs = f", {usage.repair_turns} repair turn(s)" if usage.repair_turns else ""
    print(
        f"takoss: {usage.provider} {usage.model}: {usage.input_tokens:,} tokens in, "
        f"{usage.output_tokens:,} out, {cost}{repairs}, {usage.seconds:.1f} s",
        file=sys.stderr,
    )


class _ModelProgressLine:
    """Tokens so far on one rewritten line, when stderr is a terminal; nothing otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()
        self.shown = False

    def __call__(self, progress: ModelProgress) -> None:
        if not self.live:
            return
        turn = f" (repair {progress.turn - 1})" if progress.turn > 1 else ""
        self.out.write(
            f"\r{progress.provider} {progress.model}{turn}: ~{progress.output_tokens:,} tokens"
        )
        self.out.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.out.write("\n")
            self.out.flush()


# --- takoss check-model ----------------------------------------------------------------------


def cmd_check_model(args: argparse.Namespace) -> int:
    base_url = args.base_url or os.environ.get(BASE_URL_VARIABLE, "")
    if not base_url:
        raise InputError(f"give the server's address with --base-url or ${BASE_URL_VARIABLE}")
    report = check_model(
        base_url,
        model=args.model,
        api_key=os.environ.get(KEY_VARIABLES[OPENAI_COMPATIBLE]) or None,
        time_limit=args.time_limit,
        context_window=args.context_window,
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        listed = ", ".join(report.models) or "none"
        print(f"Server: {report.base_url}", flush=True)
        print(f"Models: {listed}")
        if report.entities:
            print(f"Read from the check's text: {', '.join(report.entities)}")
        print(report.verdict)
    return EXIT_OK if report.usable else EXIT_FAILED


def _check_name(name: str) -> None:
    if name.strip() and not naming.app_slug(name):
        raise InputError(f"--name: {APP_NAME_UNREADABLE}")


def _check_requirements(text: str) -> None:
    """Refuse what the analyzer would refuse, before the run starts rather than inside it."""
    from generator.engine.analysis import requirements_problem  # loads the parser: not at start

    problem = requirements_problem(text)
    if problem:
        raise InputError(problem)


def _print_spec(console: Console, spec: AppSpec) -> None:
    console.print(Text(f"{spec.name}", style="bold") + Text(f"  ({spec.slug})", style="dim"))
    if spec.description:
        console.print(spec.description)
    entities = Table(title="Entities", title_justify="left")
    entities.add_column("Entity", style="bold")
    entities.add_column("Fields")
    entities.add_column("Rules")
    for entity in spec.entities:
        fields = ", ".join(_field_text(f) for f in entity.fields) or "—"
        entities.add_row(entity.name, fields, _rules_text(entity))
    console.print(entities)
    if spec.roles:
        console.print("Roles: " + ", ".join(role.name for role in spec.roles), highlight=False)
    if spec.relationships:
        rels = Table(title="Relationships", title_justify="left")
        for column in ("Source", "Field", "Kind", "Target"):
            rels.add_column(column)
        for rel in spec.relationships:
            rels.add_row(rel.source, rel.name, rel.kind.value.replace("_", "-"), rel.target)
        console.print(rels)
    if spec.features:
        features = Table(title="Features", title_justify="left")
        for column in ("Feature", "Category", "Priority"):
            features.add_column(column)
        for feature in spec.features:
            features.add_row(feature.name, feature.category.value, feature.priority.value)
        console.print(features)
    for note in spec.notes:
        console.print(f"[cyan]note:[/cyan] {note}", highlight=False)
    for warning in spec.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    complexity = estimate(spec)
    console.print(
        f"Confidence {spec.confidence:.0%} · complexity {complexity.total} "
        f"({complexity.recommendation})",
        highlight=False,
    )


_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _rules_text(entity: Any) -> str:
    """ "unique (student, course)", "end_date > start_date", "one is_correct per question"."""
    rules = []
    for rule in entity.unique_together:
        names = ", ".join(rule.fields)
        rules.append(f"one {rule.when_true} per ({names})" if rule.when_true else
                     f"unique ({names})")  # fmt: skip
    rules += [f"{c.field} {_OPS[c.op]} {c.other}" for c in entity.comparisons]
    return "; ".join(rules) or "—"


def _field_text(field: Any) -> str:
    kind = field.type.value
    if field.choices:
        kind += "[" + "|".join(c.value for c in field.choices) + "]"
    optional = "" if field.required else "?"
    return f"{field.name}: {kind}{optional}"


# --- takoss generate -------------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace) -> int:
    request = _generation_request(args)
    try:
        pipeline.validate_request(request)
        stack = pipeline.resolve_stack(request.stack)
    except GenerationInputError as exc:
        raise InputError("; ".join(exc.messages)) from None
    config = _model_config(args) if request.spec is None else None
    if request.spec is None and config is None:
        _check_requirements(request.requirements)
    view = _view(args.json_events)
    readings: list[ModelReading] = []
    analyzer = None
    if config is not None:
        analyzer = model_analyzer(
            config,
            on_reading=readings.append,
            progress=view.model_progress,
            fallback=not args.no_fallback,
            offline=pipeline.default_analyzer(),
        )
    result = _run_with_ctrl_c(request, view, stack, analyzer)
    for reading in readings:  # after the live display, so the lines stay readable
        _report_usage(reading.usage)
    return _finish(args, view, result)


def _view(json_events: bool) -> _View:
    if json_events:
        return _JsonLines(sys.stdout)
    if sys.stdout.isatty():
        return _LiveView(Console(file=sys.stdout))
    return _PlainLines(sys.stdout)


def _generation_request(args: argparse.Namespace) -> GenerationRequest:
    _check_name(args.name)
    spec = None
    requirements = ""
    if args.spec:
        try:
            spec = AppSpec.from_file(args.spec)
        except SpecError as exc:
            raise InputError(f"bad spec {args.spec}: {exc}") from None
    else:
        requirements = _read_text(args.requirements, args.file)
        if not args.name.strip():
            raise InputError("--name is required with --requirements or -f")
    if args.stack not in available_stacks():
        raise InputError(str(UnknownStackError(args.stack)))
    return GenerationRequest(
        out_dir=args.out,
        name=args.name,
        requirements=requirements,
        spec=spec,
        description=args.description,
        stack=args.stack,
        zip_path=args.zip,
        verify=not args.no_verify,
        overwrite=args.force,
    )


# --- takoss change ---------------------------------------------------------------------------


def cmd_change(args: argparse.Namespace) -> int:
    if args.spec is None and args.text is None and args.file is None:
        raise InputError('say what to change: takoss change DIR "text", -f FILE or --spec FILE')
    if args.text is not None and (args.spec is not None or args.file is not None):
        raise InputError("give the change once: as text, with -f FILE or with --spec FILE")
    try:
        project = merging.read_project(Path(args.dir))
        stack = pipeline.resolve_stack(project.stack)
    except (merging.MergeInputError, GenerationInputError) as exc:
        raise InputError(str(exc)) from None
    if not isinstance(stack, EvolvingStack):
        raise InputError(f"the {stack.key} stack cannot build on an earlier version")
    try:
        spec, renames, notes = _changed_spec(project.spec, args)
    except ProviderError as exc:
        return _model_failed(exc)
    if spec.canonical_json() == project.spec.canonical_json():
        print(f"takoss: the change leaves version {project.version} as it is; nothing to do")
        return EXIT_OK
    try:
        base_files, base_notes = merging.generated_files(project, stack, pipeline.render_context())
        merging.git_executable()
    except merging.MergeInputError as exc:
        raise InputError(str(exc)) from None
    base = BaseVersion(project.version, project.spec, base_files, renames)
    view = _view(args.json_events)
    with tempfile.TemporaryDirectory(prefix="takoss-change-") as tmp:
        request = GenerationRequest(
            out_dir=Path(tmp) / "project",
            spec=spec,
            stack=project.stack,
            verify=not args.no_verify,
            base=base,
            version=project.version + 1,
        )
        result = _run_with_ctrl_c(request, view, stack)
        if not result.success:  # its folder goes with tmp: DIR stays as it was
            code = _finish(args, view, dataclasses.replace(result, output_dir=None))
            print(f"takoss: {project.directory} was left as it was", file=sys.stderr)
            return code
        new = Path(tmp) / "project"
        theirs = {
            f.path: (new / f.path).read_text(encoding="utf-8")
            for f in result.files
            if f.path != MANIFEST_NAME
        }
        executable = {path for path in theirs if (new / path).stat().st_mode & 0o111}
        plan = merging.plan_merge(
            project.directory,
            base=base_files,
            theirs=theirs,
            executable=executable,
            labels=(
                f"{project.directory.name} (your edits)",
                f"version {project.version} (generated)",
                f"version {request.version} (generated)",
            ),
        )
        plan.notes[:0] = [*notes, *base_notes]
        merging.apply_merge(project.directory, plan)
        merging.write_manifest(project.directory, (new / MANIFEST_NAME).read_text(encoding="utf-8"))
    _report_merge(args, result, plan, project, request.version)
    return EXIT_FAILED if plan.conflicts else EXIT_OK


def _changed_spec(spec: AppSpec, args: argparse.Namespace) -> tuple[AppSpec, Renames, list[str]]:
    """The new version's spec, the renames it makes and what was done, in words."""
    if args.spec is not None:
        try:
            return AppSpec.from_file(args.spec), Renames(), []
        except SpecError as exc:
            raise InputError(f"bad spec {args.spec}: {exc}") from None
    text = _read_text(args.text, args.file)
    try:
        from generator.engine.changes import ChangeError, read_change
    except ImportError:  # pragma: no cover - the reader ships with the engine
        raise InputError("reading changes is not available here; give --spec FILE") from None
    config = _model_config(args)
    try:
        if config is None:
            change: Change | ModelChange = read_change(spec, text)
        else:
            progress = _ModelProgressLine(sys.stderr)
            try:
                change = _cancellable(
                    lambda cancel: read_change_request(
                        config,
                        spec,
                        text,
                        cancel=cancel,
                        fallback=not args.no_fallback,
                        progress=progress,
                    )
                )
            finally:
                progress.close()
            _report_usage(change.usage)
    except ChangeError as exc:
        raise InputError(str(exc)) from None
    notes = list(change.notes)
    notes += [f"Not understood, left out: {part!r}" for part in change.unread]
    return change.spec, change.renames, notes


def _report_merge(
    args: argparse.Namespace,
    result: GenerationResult,
    plan: merging.MergePlan,
    project: merging.GeneratedProject,
    version: int,
) -> None:
    if args.json_events:
        line = {"type": "merge", "data": {"version": version, **plan.to_dict()}}
        print(json.dumps(line, ensure_ascii=False), flush=True)
        return
    console = Console(file=sys.stdout)
    _print_summary(console, dataclasses.replace(result, output_dir=None))  # merged into DIR
    for note in plan.notes:
        console.print(f"[cyan]note:[/cyan] {note}", highlight=False, soft_wrap=True)
    if plan.files:
        table = Table(title=f"Merged into {project.directory}", title_justify="left")
        for column in ("File", "Outcome", "Conflicts"):
            table.add_column(column)
        for item in plan.files:
            count = str(item.conflicts) if item.outcome in merging.CONFLICTING else ""
            table.add_row(item.path, _OUTCOMES[item.outcome], count)
        console.print(table)
    if plan.conflicts:
        total = sum(f.conflicts for f in plan.conflicts)
        console.print(
            f"[red]{total} conflict(s) in {len(plan.conflicts)} file(s)[/red]: resolve the "
            "<<<<<<< / ======= / >>>>>>> markers (or the files listed) and check the project "
            "again.",
            highlight=False,
        )
    console.print(
        f"{project.directory} is version {version} now (it was version {project.version}).",
        highlight=False,
        soft_wrap=True,
    )


_OUTCOMES = {
    merging.UPDATED: "updated",
    merging.KEPT: "your edit kept",
    merging.MERGED: "merged with your edits",
    merging.CONFLICT: "conflict: markers in the file",
    merging.ADDED: "added",
    merging.REMOVED: "removed",
    merging.KEPT_EDITED: "conflict: removed by the new version, kept for your edits",
    merging.RESTORED: "conflict: you deleted it, the new version changed it: restored",
    merging.STILL_DELETED: "still deleted (you deleted it)",
}


def _run_with_ctrl_c(
    request: GenerationRequest,
    view: _View,
    stack: Any,
    analyzer: pipeline.Analyzer | None = None,
) -> GenerationResult:
    """Run the pipeline in a thread so Ctrl-C here becomes a cooperative cancel there."""
    cancel = CancelToken()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = pipeline.generate(
                request, sink=view.sink(), cancel=cancel, stack=stack, analyzer=analyzer
            )
        except BaseException as exc:  # re-raised in the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="takoss-generate", daemon=True)
    with view:
        worker.start()
        while worker.is_alive():
            try:
                worker.join(timeout=0.1)
            except KeyboardInterrupt:
                cancel.cancel("Cancelled by Ctrl-C")
    if "error" in outcome:
        raise outcome["error"]
    result: GenerationResult = outcome["result"]
    return result


def _finish(args: argparse.Namespace, view: _View, result: GenerationResult) -> int:
    if not args.json_events:
        _print_summary(Console(file=sys.stdout), result)
    if result.status == STATUS_CANCELLED:
        print("takoss: generation cancelled; nothing was written", file=sys.stderr)
        return EXIT_CANCELLED
    if result.success:
        return EXIT_OK
    error = result.error
    if error is not None and args.json_events:
        print(f"takoss: {error.message}", file=sys.stderr)
    if error is not None and error.kind == ERROR_INPUT:
        return EXIT_BAD_INPUT
    return EXIT_FAILED


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _print_summary(console: Console, result: GenerationResult) -> None:
    if result.spec is not None:
        spec = result.spec
        console.print(
            f"[bold]{spec.name}[/bold]: {_count(len(spec.entities), 'entity', 'entities')}, "
            f"{_count(len(spec.relationships), 'relationship', 'relationships')}, "
            f"{_count(len(spec.features), 'feature', 'features')}",
            highlight=False,
        )
    if result.files:
        size = sum(f.size for f in result.files)
        console.print(f"{len(result.files)} files ({size / 1024:.1f} KiB)", highlight=False)
    if result.verification is not None:
        _print_checks(console, result)
    timings = Table(title="Timings", title_justify="left", show_header=False)
    for key, seconds in result.timings.items():
        timings.add_row(key, f"{seconds:.2f}s")
    console.print(timings)
    # Paths stay on one line however narrow the terminal, so they can be copied whole.
    if result.output_dir:
        console.print(f"Project: {result.output_dir}", highlight=False, soft_wrap=True)
    if result.zip_path:
        line = f"ZIP: {result.zip_path} (sha256 {result.zip_sha256})"
        console.print(line, highlight=False, soft_wrap=True)
    if result.error is not None:
        console.print(f"[red]Failed:[/red] {result.error.message}", highlight=False)
    elif result.success:
        verified = "verified" if result.verified else "not verified (--no-verify)"
        console.print(f"[green]Done[/green], {verified}.")


def _print_checks(console: Console, result: GenerationResult) -> None:
    report = result.verification
    assert report is not None
    table = Table(title="Verification", title_justify="left")
    for column in ("Check", "Result", "Tests", "Time"):
        table.add_column(column)
    for check in report.checks:
        verdict = "[green]passed[/green]" if check.passed else f"[red]{check.reason}[/red]"
        tests = f"{check.tests.passed}/{check.tests.run}" if check.tests else ""
        table.add_row(check.label, verdict, tests, f"{check.duration:.2f}s")
    console.print(table)
    for check in report.failed_checks:
        tail = "\n".join(check.output_tail.splitlines()[-30:])
        console.print(f"[bold]{check.label}[/bold] output (last lines):")
        console.print(tail, markup=False, highlight=False)


# --- event views ---------------------------------------------------------------------------


class _View:
    def sink(self) -> EventSink:
        return CallbackSink(self.on_event)

    def model_progress(self, progress: ModelProgress) -> None:
        """A model's answer streaming in: shown by the live view only."""

    def on_event(self, event: Event) -> None:
        raise NotImplementedError

    def __enter__(self) -> _View:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _JsonLines(_View):
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()

    def on_event(self, event: Event) -> None:
        line = json.dumps(event.to_dict(), ensure_ascii=False, default=str)
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()


class _PlainLines(_View):
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def on_event(self, event: Event) -> None:
        line = _plain_line(event)
        if line:
            self.out.write(line + "\n")
            self.out.flush()


def _plain_line(event: Event) -> str:
    kind = event.type
    if kind == EventType.PHASE_START:
        return f"[{event.progress:3d}%] {event.message}"
    if kind == EventType.PHASE_COMPLETE:
        return f"       {event.phase} done in {event.data.get('duration', 0):.2f}s"
    if kind == EventType.PHASE_PROGRESS and "check" in event.data:
        return f"       {event.message}"
    if kind == EventType.LOG:
        return f"       {event.data.get('level', 'info')}: {event.message}"
    if kind in {EventType.ERROR, EventType.CANCELLED}:
        return f"       {kind.value}: {event.message}"
    return ""


_ICONS = {
    "pending": "[dim]·[/dim]",
    "running": "[cyan]▶[/cyan]",
    "done": "[green]✓[/green]",
    "failed": "[red]✗[/red]",
    "cancelled": "[yellow]■[/yellow]",
    "skipped": "[dim]○[/dim]",
}


class _LiveView(_View):
    """A live table of phases with status icons, per-phase bars and the current step."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.lock = threading.Lock()
        self.status = {p.key: "pending" for p in PHASES}
        self.fraction = {p.key: 0.0 for p in PHASES}
        self.durations: dict[str, float] = {}
        self.progress = 0
        self.step = ""
        self.live = Live(self, console=console, refresh_per_second=10, transient=False)

    def __enter__(self) -> _LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.refresh()
        self.live.__exit__(None, None, None)

    def on_event(self, event: Event) -> None:
        with self.lock:
            self._apply(event)

    def model_progress(self, progress: ModelProgress) -> None:
        repair = f" (repair {progress.turn - 1})" if progress.turn > 1 else ""
        with self.lock:
            self.step = (
                f"Reading with {progress.provider} {progress.model}{repair}: "
                f"~{progress.output_tokens:,} tokens"
            )

    def _apply(self, event: Event) -> None:
        phase = next((p for p in PHASES if p.key == event.phase), None)
        self.progress = event.progress
        if phase is not None and phase.end > phase.start:
            span = (event.progress - phase.start) / (phase.end - phase.start)
            self.fraction[phase.key] = max(0.0, min(1.0, span))
        if event.type == EventType.PHASE_START:
            self.status[event.phase] = "running"
        elif event.type == EventType.PHASE_COMPLETE:
            skipped = event.data.get("skipped")
            self.status[event.phase] = "skipped" if skipped else "done"
            self.fraction[event.phase] = 1.0
            self.durations[event.phase] = float(event.data.get("duration", 0.0))
        elif event.type == EventType.ERROR:
            self.status[event.phase] = "failed"
        elif event.type == EventType.CANCELLED:
            self.status[event.phase] = "cancelled"
        if event.type != EventType.RESULT:
            self.step = event.message

    def __rich__(self) -> RenderableType:
        with self.lock:
            table = Table.grid(padding=(0, 1))
            for phase in PHASES:
                key = phase.key
                duration = f"{self.durations[key]:.2f}s" if key in self.durations else ""
                table.add_row(
                    _ICONS[self.status[key]],
                    phase.label,
                    ProgressBar(total=1.0, completed=self.fraction[key], width=24),
                    duration,
                )
            overall = ProgressBar(total=100, completed=self.progress, width=40)
            footer = Table.grid(padding=(0, 1))
            footer.add_row(overall, f"{self.progress:3d}%", Text(self.step[:80], style="dim"))
            return Group(table, footer)


if __name__ == "__main__":
    sys.exit(main())
