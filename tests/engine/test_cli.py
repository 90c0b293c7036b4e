"""The takoss command, in-process (with the fake stack and analyzer) and as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from engine_fakes import fake_analyze

from generator.engine import pipeline
from generator.engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
FAKES = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _fake_analyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "default_analyzer", lambda: fake_analyze)


def _generate(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "generate",
        "--name",
        "Reading Log",
        "--requirements",
        "log of Book and Author",
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
        ["generate", "--requirements", "Book", "--out", "{out}", "--stack", "fake"],
        ["generate", "--name", "X", "--requirements", "Book", "--out", "{out}", "--stack", "nope"],
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
                "Book",
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
        "Book",
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
