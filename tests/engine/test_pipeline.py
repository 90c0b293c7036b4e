"""The pipeline with a fake stack and analyzer: events, files, failures, cancel, determinism."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections import OrderedDict
from pathlib import Path

import pytest
from engine_fakes import FakeStack, fake_analyze, python_check, sleeping_check

from generator.engine import analysis
from generator.engine.analysis import (
    MAX_REQUIREMENTS_CHARS,
    AnalysisError,
    analyze,
    requirements_problem,
)
from generator.engine.events import CallbackSink, CancelToken, Event, EventType, ListSink
from generator.engine.pipeline import (
    ERROR_GENERATION,
    ERROR_INPUT,
    ERROR_VERIFICATION,
    PHASE_KEYS,
    GenerationInputError,
    GenerationRequest,
    GenerationResult,
    generate,
)
from generator.engine.spec import AppSpec
from generator.engine.stacks.base import GeneratedFile

REQUIREMENTS = "reading log with Book, Author and Review"
GIBBERISH = "asdf qwer zxcv hello"
# A real backlog of 19,962 characters (CC BY 4.0, see the folder's README).
LONG_BACKLOG = Path(__file__).parent / "data" / "backlogs" / "g27-culrepo.txt"


def _run(
    tmp_path: Path, stack: FakeStack | None = None, sink: ListSink | None = None, **request: object
) -> tuple[GenerationResult, ListSink]:
    sink = sink or ListSink()
    options: dict = {
        "out_dir": tmp_path / "out",
        "name": "Reading Log",
        "requirements": REQUIREMENTS,
        **request,
    }
    result = generate(
        GenerationRequest(**options), sink=sink, analyzer=fake_analyze, stack=stack or FakeStack()
    )
    return result, sink


def _types(sink: ListSink) -> list[str]:
    return [e.type.value for e in sink.events]


def test_events_follow_the_phases_in_order(tmp_path: Path) -> None:
    result, sink = _run(tmp_path)

    assert result.success, result.error
    seqs = [e.seq for e in sink.events]
    assert seqs == sorted(set(seqs)) and seqs[0] == 1
    progress = [e.progress for e in sink.events]
    assert progress == sorted(progress) and progress[-1] == 100
    assert [e.phase for e in sink.of_type(EventType.PHASE_START)] == list(PHASE_KEYS)
    assert [e.phase for e in sink.of_type(EventType.PHASE_COMPLETE)] == list(PHASE_KEYS)
    for start, end in zip(
        sink.of_type(EventType.PHASE_START), sink.of_type(EventType.PHASE_COMPLETE), strict=True
    ):
        between = [e for e in sink.events if start.seq < e.seq < end.seq]
        assert all(e.phase == start.phase for e in between)
    assert sink.events[0].message == "Preparing the generation…"
    assert _types(sink)[-2:] == ["complete", "result"]
    assert sink.events[-1].data == result.to_dict()


def test_one_progress_event_and_one_file_event_per_file(tmp_path: Path) -> None:
    result, sink = _run(tmp_path)

    files = sink.of_type(EventType.FILE)
    per_file = [e for e in sink.of_type(EventType.PHASE_PROGRESS) if "path" in e.data]
    assert [e.data["path"] for e in files] == [e.data["path"] for e in per_file]
    assert len(files) == len(result.files) == 9  # 2 + 1 + 3 pages + 2 + takoss.json
    assert {e.data["language"] for e in files} >= {"python", "html", "markdown", "json"}
    for event in per_file:
        written = (tmp_path / "out" / event.data["path"]).read_bytes()
        assert event.data["size"] == len(written)
    checks = [e for e in sink.of_type(EventType.PHASE_PROGRESS) if "check" in e.data]
    assert sorted(e.data["check"] for e in checks) == ["lint", "tests"]
    tests = next(e for e in checks if e.data["check"] == "tests")
    assert tests.data["tests"]["run"] == 3 and tests.data["passed"]


def test_result_holds_files_report_timings_and_zip(tmp_path: Path) -> None:
    zip_path = tmp_path / "dist" / "reading-log.zip"
    result, _ = _run(tmp_path, zip_path=zip_path)

    data = result.to_dict()
    assert data["success"] and data["status"] == "succeeded"
    assert set(data["timings"]) == {*PHASE_KEYS, "total"}
    assert all(isinstance(v, float) and v >= 0 for v in data["timings"].values())
    assert data["verification"]["totals"]["tests_run"] == 3
    assert data["output_dir"] == str((tmp_path / "out").absolute())
    assert data["spec"]["name"] == "Reading Log"
    assert data["complexity"]["recommendation"] == "atomic"
    assert zip_path.read_bytes() == result.zip_bytes
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("reading-log/takoss.json"))
    assert "reading-log/app/models.py" in names
    assert manifest == json.loads((tmp_path / "out" / "takoss.json").read_text())
    assert (tmp_path / "out" / "run.sh").stat().st_mode & 0o111


def test_same_spec_twice_gives_the_same_zip(tmp_path: Path, small_spec: AppSpec) -> None:
    first, _ = _run(tmp_path / "a", spec=small_spec, requirements="", verify=False)
    second, _ = _run(tmp_path / "b", spec=small_spec, requirements="")

    assert first.success and second.success
    assert first.zip_sha256 == second.zip_sha256
    assert first.zip_bytes == second.zip_bytes


def test_a_given_spec_can_be_renamed(tmp_path: Path, small_spec: AppSpec) -> None:
    result, _ = _run(tmp_path, spec=small_spec, requirements="", name="Club Books", verify=False)

    assert result.spec is not None
    assert (result.spec.name, result.spec.slug) == ("Club Books", "club-books")
    assert (
        zipfile.ZipFile(io.BytesIO(result.zip_bytes or b"")).namelist()[0].startswith("club-books/")
    )


@pytest.mark.parametrize(
    "request_options",
    [
        {"requirements": "   "},
        {"name": ""},
        {"requirements": "x" * 100_001},
        {"spec": "given", "requirements": "both"},
        {"name": "📚🎉"},
        {"name": "!!!", "spec": "given"},
    ],
)
def test_bad_input_raises_before_anything_happens(
    tmp_path: Path, small_spec: AppSpec, request_options: dict
) -> None:
    if request_options.get("spec") == "given":
        request_options = {**request_options, "spec": small_spec}
    sink = ListSink()

    with pytest.raises(GenerationInputError):
        _run(tmp_path, sink=sink, **request_options)

    assert sink.events == []
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_output_directory_is_refused_unless_overwriting(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")

    with pytest.raises(GenerationInputError, match="not empty"):
        _run(tmp_path)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]

    result, _ = _run(tmp_path, overwrite=True, verify=False)
    assert result.success
    assert not (out / "keep.txt").exists() and (out / "takoss.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_requirements_the_analyzer_rejects_fail_as_input_and_write_nothing(tmp_path: Path) -> None:
    result, sink = _run(tmp_path, requirements="pure nonsense")

    assert result.status == "failed"
    assert result.error is not None and result.error.kind == ERROR_INPUT
    assert result.error.phase == "analysis"
    assert _types(sink)[-2:] == ["error", "result"]
    assert sink.events[-2].data["phase"] == "analysis"
    assert list(tmp_path.iterdir()) == []


def test_refused_requirements_that_reach_the_pipeline_end_in_an_input_error_event(
    tmp_path: Path,
) -> None:
    # Callers check requirements_problem first; text that gets past them still fails cleanly.
    def refusing_analyze(text: str, **options: object) -> AppSpec:
        raise AnalysisError("The requirements describe nothing to build.")

    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="X", requirements="asdf qwer zxcv"),
        sink=(sink := ListSink()),
        analyzer=refusing_analyze,
        stack=FakeStack(),
    )

    assert result.error is not None
    assert (result.error.kind, result.error.phase) == (ERROR_INPUT, "analysis")
    assert "describe nothing to build" in result.error.message
    assert _types(sink)[-2:] == ["error", "result"]
    assert list(tmp_path.iterdir()) == []


def test_gibberish_fails_in_analysis_with_the_analyzers_reason(tmp_path: Path) -> None:
    # The real analyzer: waits on its domain-content check (requirements_problem).
    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="X", requirements=GIBBERISH, verify=False),
        analyzer=analyze,
        stack=FakeStack(),
    )

    problem = requirements_problem(GIBBERISH)
    assert problem is not None
    assert result.error is not None
    assert (result.error.kind, result.error.phase) == (ERROR_INPUT, "analysis")
    assert problem in result.error.message


def test_the_analyzers_notes_and_warnings_reach_the_event_stream(tmp_path: Path) -> None:
    # Given a description with people who act and a person neither stored nor acting
    sink = ListSink()
    text = "Volunteers sign up for shifts. Each shift has a date. Coordinators thank donors."
    # When it is generated with the real analyzer
    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="Shifts", requirements=text, verify=False),
        sink=sink,
        analyzer=analyze,
        stack=FakeStack(),
    )
    # Then each note is an info log and each warning a warning log of the analysis phase
    assert result.success
    logs = [(e.data["level"], e.message) for e in sink.events if e.type == EventType.LOG]
    assert ("info", "'Volunteers' was read as a user role (Volunteer), not a table.") in logs
    assert any(level == "warning" and "'donors'" in message for level, message in logs)
    analysis = next(
        e for e in sink.events if e.type == EventType.PHASE_COMPLETE and e.phase == "analysis"
    )
    assert analysis.data["roles"] == 2 and analysis.data["notes"] == len(result.spec.notes)


class BrokenStack(FakeStack):
    def __init__(self, bad_file: GeneratedFile | None = None) -> None:
        super().__init__()
        self.bad_file = bad_file

    def render_phase(self, phase, spec, ctx):  # type: ignore[no-untyped-def]
        if phase == "frontend":
            if self.bad_file is None:
                raise RuntimeError("template exploded")
            return [self.bad_file]
        return super().render_phase(phase, spec, ctx)


@pytest.mark.parametrize("stack", [BrokenStack(), BrokenStack(GeneratedFile("../evil.py", ""))])
def test_a_failing_stack_leaves_nothing_behind(tmp_path: Path, stack: BrokenStack) -> None:
    result, sink = _run(tmp_path, stack=stack, out_dir=tmp_path / "deep" / "out")

    assert result.error is not None
    assert (result.error.kind, result.error.phase) == (ERROR_GENERATION, "frontend")
    assert sink.of_type(EventType.ERROR)[0].data["phase"] == "frontend"
    assert list(tmp_path.iterdir()) == []
    assert result.files == [] and result.output_dir is None


def test_failed_verification_keeps_the_files_but_writes_no_zip(tmp_path: Path) -> None:
    failing = python_check("boom", "import sys; print('kaboom'); sys.exit(1)")
    zip_path = tmp_path / "app.zip"

    result, sink = _run(tmp_path, stack=FakeStack([failing]), zip_path=zip_path)

    assert not result.success
    assert result.error is not None and result.error.kind == ERROR_VERIFICATION
    assert "boom (exit code 1)" in result.error.message
    failed = result.error.details["failed_checks"]
    assert failed[0]["key"] == "boom" and "kaboom" in failed[0]["output_tail"]
    assert (tmp_path / "out" / "app" / "models.py").exists()
    assert (tmp_path / "out" / "takoss.json").exists()
    assert not zip_path.exists() and result.zip_sha256 is None
    assert result.to_dict()["verification"]["passed"] is False
    assert _types(sink)[-2:] == ["error", "result"]


def test_skipped_verification_is_reported(tmp_path: Path) -> None:
    result, sink = _run(tmp_path, verify=False)

    done = next(e for e in sink.of_type(EventType.PHASE_COMPLETE) if e.phase == "verification")
    assert done.data["skipped"] is True and done.message == "Verification skipped"
    assert result.success and not result.verified and result.verification is None


def test_cancel_mid_verification_stops_within_a_second(tmp_path: Path) -> None:
    cancel = CancelToken()
    cancelled_at: list[float] = []

    def on_event(event: Event) -> None:
        sink.emit(event)
        if event.type == EventType.PHASE_START and event.phase == "verification":

            def later() -> None:
                time.sleep(0.4)
                cancelled_at.append(time.monotonic())
                cancel.cancel("user pressed stop")

            threading.Thread(target=later).start()

    sink = ListSink()

    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="Slow", requirements=REQUIREMENTS),
        sink=CallbackSink(on_event),
        cancel=cancel,
        analyzer=fake_analyze,
        stack=FakeStack([sleeping_check()]),
    )

    assert time.monotonic() - cancelled_at[0] < 1.0
    assert result.status == "cancelled" and not result.success
    assert _types(sink)[-2:] == ["cancelled", "result"]
    assert sink.events[-2].phase == "verification"
    assert sink.events[-1].data["status"] == "cancelled"
    assert list(tmp_path.iterdir()) == []


def test_cancel_during_a_long_analysis_ends_the_run_within_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a real backlog close to the length limit, and the real analyzer's model loaded; no
    # reading of it cached by an earlier test in this process (that would end the analysis at once)
    monkeypatch.setattr(analysis, "_cache", OrderedDict())
    backlog = LONG_BACKLOG.read_text(encoding="utf-8")
    assert 19_000 < len(backlog) <= MAX_REQUIREMENTS_CHARS
    requirements_problem("A library lends books to members.")
    cancel = CancelToken()
    cancelled_at: list[float] = []
    sink = ListSink()

    def on_event(event: Event) -> None:
        sink.emit(event)
        if event.type == EventType.PHASE_START and event.phase == "analysis":

            def later() -> None:
                time.sleep(0.05)
                cancelled_at.append(time.monotonic())
                cancel.cancel("user pressed stop")

            threading.Thread(target=later).start()

    # When the run is cancelled 50 ms into its analysis
    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="Repository", requirements=backlog),
        sink=CallbackSink(on_event),
        cancel=cancel,
        analyzer=analyze,
        stack=FakeStack(),
    )
    ended_at = time.monotonic()

    # Then the analysis itself stops, and the run ends as cancelled within a second
    assert result.status == "cancelled"
    assert _types(sink)[-2:] == ["cancelled", "result"]
    assert sink.events[-2].phase == "analysis"
    assert "analysis" not in [e.phase for e in sink.of_type(EventType.PHASE_COMPLETE)]
    assert ended_at - cancelled_at[0] < 1.0
    assert list(tmp_path.iterdir()) == []


def test_cancel_between_files(tmp_path: Path) -> None:
    cancel = CancelToken()
    sink = ListSink()

    def on_event(event: Event) -> None:
        sink.emit(event)
        if event.type == EventType.FILE and len(sink.of_type(EventType.FILE)) == 2:
            cancel.cancel()

    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="X", requirements=REQUIREMENTS),
        sink=CallbackSink(on_event),
        cancel=cancel,
        analyzer=fake_analyze,
        stack=FakeStack(),
    )

    assert result.status == "cancelled"
    assert len(sink.of_type(EventType.FILE)) == 2
    assert list(tmp_path.iterdir()) == []
