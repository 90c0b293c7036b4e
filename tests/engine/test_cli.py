"""The takoss command, in-process (with the fake stack and analyzer) and as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from engine_fakes import fake_analyze

from generator.engine import pipeline
from generator.engine.analysis import analyze, requirements_problem
from generator.engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
FAKES = Path(__file__).resolve().parent
# Read by the real requirements check, then by the fake analyzer (entities: Book, Author).
READING_LOG = "reading log where members track each Book and its Author"


@pytest.fixture(autouse=True)
def _fake_analyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "default_analyzer", lambda: fake_analyze)


def _generate(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "generate",
        "--name",
        "Reading Log",
        "--requirements",
        READING_LOG,
        "--out",
        str(tmp_path / "out"),
        "--stack",
        "fake",
        *extra,
    ]


def test_generate_with_json_events(
    tmp_path: Path, fake_registry: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_generate(tmp_path, "--json-events", "--zip", str(tmp_path / "app.zip")))

    out = capsys.readouterr().out
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert events[0]["type"] == "phase_start" and events[-1]["type"] == "result"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["data"]["success"] is True
    assert events[-1]["data"]["zip_path"] == str(tmp_path / "app.zip")
    assert (tmp_path / "app.zip").exists()


def test_generate_prints_a_summary(
    tmp_path: Path, fake_registry: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_generate(tmp_path))

    out = capsys.readouterr().out
    assert code == 0
    assert "Reading Log: 2 entities" in out
    assert "unit tests" in out and "2/2" in out
    assert f"Project: {tmp_path / 'out'}" in out
    assert "Done, verified." in out


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--name", "X", "--requirements", "  ", "--out", "{out}", "--stack", "fake"],
        ["generate", "--requirements", READING_LOG, "--out", "{out}", "--stack", "fake"],
        [
            "generate",
            "--name",
            "X",
            "--requirements",
            READING_LOG,
            "--out",
            "{out}",
            "--stack",
            "nope",
        ],
        ["generate", "--name", "X", "--spec", "{tmp}/missing.json", "--out", "{out}"],
        ["generate", "--name", "X", "--out", "{out}"],
        ["analyze"],
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, fake_registry: None, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    argv = [a.format(out=tmp_path / "out", tmp=tmp_path) for a in args]

    assert main(argv) == 2

    assert capsys.readouterr().err.strip()
    assert list(tmp_path.iterdir()) == []


def test_bad_spec_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "X", "entities": [{"name": "A", "fields": 3}]}))

    assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out")]) == 2

    assert "bad spec" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_non_empty_output_needs_force(tmp_path: Path, fake_registry: None) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("old")

    assert main(_generate(tmp_path, "--no-verify")) == 2
    assert main(_generate(tmp_path, "--no-verify", "--force")) == 0
    assert not (tmp_path / "out" / "old.txt").exists()


def test_unusable_requirements_exit_2(tmp_path: Path, fake_registry: None) -> None:
    argv = [
        "generate",
        "--name",
        "X",
        "--requirements",
        "nonsense",
        "--out",
        str(tmp_path / "out"),
        "--stack",
        "fake",
        "--json-events",
    ]

    assert main(argv) == 2
    assert list(tmp_path.iterdir()) == []


def test_failed_verification_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine_fakes import FakeStack, python_check

    from generator.engine.stacks import _FACTORIES, register_stack

    register_stack("failing", lambda: FakeStack([python_check("nope", "raise SystemExit(2)")]))
    try:
        code = main(
            [
                "generate",
                "--name",
                "X",
                "--requirements",
                READING_LOG,
                "--out",
                str(tmp_path / "out"),
                "--stack",
                "failing",
            ]
        )
    finally:
        _FACTORIES.pop("failing", None)

    out = capsys.readouterr().out
    assert code == 1
    assert "Failed: Verification failed: nope (exit code 2)" in out
    assert (tmp_path / "out" / "takoss.json").exists()


def test_analyze_json_and_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "shop with Product and Order", "--json"]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in spec["entities"]] == ["Product", "Order"]

    assert main(["analyze", "shop with Product and Order", "--name", "Shop"]) == 0
    out = capsys.readouterr().out
    assert "Entities" in out and "Product" in out and "name: string" in out
    assert "Confidence 100%" in out


def test_analyze_reads_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "req.txt"
    text.write_text("clinic with Patient")

    assert main(["analyze", "-f", str(text), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entities"][0]["name"] == "Patient"


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "AppSpec" and "entities" in schema["properties"]


# --- refused text and names: exit 2 with the reason, before anything runs ----------------------

GIBBERISH = "asdf qwer zxcv hello"
NAME_REFUSED = "--name: the app's name needs at least one letter or digit"


@pytest.fixture
def real_analyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "default_analyzer", lambda: analyze)


def test_analyze_refuses_text_that_describes_nothing(
    real_analyzer: None, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = requirements_problem(GIBBERISH)
    assert problem is not None

    assert main(["analyze", GIBBERISH]) == 2

    captured = capsys.readouterr()
    assert captured.err.strip() == f"takoss: error: {problem}"
    assert captured.out == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [("  \n ", "The requirements are empty"), ("x" * 20_001, "20,001 characters long")],
)
def test_analyze_refuses_empty_or_too_long_text(
    real_analyzer: None, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    assert main(["analyze", text]) == 2
    assert message in capsys.readouterr().err


def test_generate_refuses_text_that_describes_nothing_before_the_run_starts(
    tmp_path: Path, fake_registry: None, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = requirements_problem(GIBBERISH)
    assert problem is not None
    argv = ["generate", "--name", "Notes", "--requirements", GIBBERISH]
    argv += ["--out", str(tmp_path / "out"), "--stack", "fake", "--json-events"]

    assert main(argv) == 2

    captured = capsys.readouterr()
    assert captured.err.strip() == f"takoss: error: {problem}"
    assert captured.out == ""  # not one event: no run started
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["📚🎉", "!!!"])
@pytest.mark.parametrize(
    "command",
    [
        ["analyze", READING_LOG, "--name", "{name}"],
        ["generate", "--name", "{name}", "--requirements", READING_LOG, "--out", "{out}"],
        ["generate", "--name", "{name}", "--spec", "{spec}", "--out", "{out}"],
    ],
)
def test_a_name_with_nothing_readable_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: list[str]
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "Reading Log", "entities": [{"name": "Book"}]}))
    argv = [a.format(name=name, out=tmp_path / "out", spec=spec) for a in command]

    assert main(argv) == 2

    captured = capsys.readouterr()
    assert NAME_REFUSED in captured.err and captured.out == ""
    assert [p.name for p in tmp_path.iterdir()] == ["spec.json"]


def test_a_name_in_another_script_names_the_project_folder_readably(
    tmp_path: Path, fake_registry: None, capsys: pytest.CaptureFixture[str]
) -> None:
    zip_path = tmp_path / "app.zip"
    argv = ["generate", "--name", "Библиотека", "--requirements", READING_LOG]
    argv += ["--out", str(tmp_path / "out"), "--stack", "fake", "--no-verify"]

    assert main([*argv, "--zip", str(zip_path), "--json-events"]) == 0

    result = json.loads(capsys.readouterr().out.splitlines()[-1])["data"]
    assert (result["spec"]["name"], result["spec"]["slug"]) == ("Библиотека", "biblioteka")
    with zipfile.ZipFile(zip_path) as archive:
        assert {name.split("/")[0] for name in archive.namelist()} == {"biblioteka"}


def test_analyze_keeps_a_name_in_another_script(
    real_analyzer: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", "--json", "--name", "図書館", READING_LOG]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert (spec["name"], spec["slug"]) == ("図書館", "tu-shu-guan")


# --- as a real process ----------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{FAKES}"
    return env


def test_module_entry_point_exit_codes(tmp_path: Path) -> None:
    analyzed = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.engine.cli",
            "analyze",
            "--json",
            "A task manager: projects have tasks with a title and a due date.",
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert analyzed.returncode == 0, analyzed.stderr
    spec = json.loads(analyzed.stdout)  # the real analyzer, nothing but JSON on stdout
    assert {"Project", "Task"} <= {e["name"] for e in spec["entities"]}

    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.engine.cli",
            "generate",
            "--name",
            "X",
            "--requirements",
            "",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "requirements are empty" in bad.stderr and bad.stdout == ""
    assert not (tmp_path / "out").exists()


SLOW_CLI = """
import sys
from engine_fakes import FakeStack, fake_analyze, sleeping_check
from generator.engine import pipeline
from generator.engine.cli import main
from generator.engine.stacks import register_stack

pipeline.default_analyzer = lambda: fake_analyze
register_stack("slow", lambda: FakeStack([sleeping_check()]))
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_cancels_with_exit_130(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-c",
        SLOW_CLI,
        "generate",
        "--name",
        "X",
        "--requirements",
        READING_LOG,
        "--out",
        str(tmp_path / "out"),
        "--stack",
        "slow",
        "--json-events",
    ]
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if json.loads(line)["phase"] == "verification":
            break
    time.sleep(0.3)
    interrupted = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=10)

    assert proc.returncode == 130
    assert time.monotonic() - interrupted < 2.0
    assert "cancelled" in err
    last = json.loads(rest.splitlines()[-1])
    assert last["type"] == "result" and last["data"]["status"] == "cancelled"
    assert not (tmp_path / "out").exists()
