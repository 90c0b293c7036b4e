"""Verification: real subprocesses in a throw-away copy, with timeouts, cancel and no network."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from engine_fakes import gone, lint_check, python_check, sleeping_check, unit_tests_check

from generator.engine.events import Cancelled, CancelToken
from generator.engine.verification import (
    NETWORK_DISABLED,
    CheckResult,
    parse_test_counts,
    verify,
)
from generator.engine.verification import (
    TestCounts as Counts,
)

TESTS = """import unittest


class T(unittest.TestCase):
    def test_one(self):
        self.assertEqual(1 + 1, 2)

    def test_two(self):
        self.assertTrue(True)
"""

FAILING_TESTS = (
    TESTS
    + """
    def test_broken(self):
        self.assertEqual(1, 2)
"""
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "test_sample.py").write_text(TESTS)
    return root


def test_passing_checks_report_counts_and_call_back(project: Path) -> None:
    seen: list[CheckResult] = []

    report = verify(project, [lint_check(), unit_tests_check()], on_check=seen.append)

    assert report.passed
    assert [c.key for c in report.checks] == ["lint", "tests"]
    assert sorted(c.key for c in seen) == ["lint", "tests"]
    tests = report.checks[1].tests
    assert tests == Counts(run=2, passed=2)
    assert report.totals() == {"checks": 2, "checks_passed": 2, "tests_run": 2, "tests_passed": 2}
    assert "Ran 2 tests" in report.checks[1].output_tail


def test_failing_checks_say_why(project: Path) -> None:
    (project / "test_sample.py").write_text(FAILING_TESTS)
    crash = python_check("crash", "import sys; print('boom'); sys.exit(3)")

    report = verify(project, [crash, unit_tests_check()])

    assert not report.passed
    crashed, tests = report.checks
    assert (crashed.passed, crashed.exit_code, crashed.reason) == (False, 3, "exit code 3")
    assert "boom" in crashed.output_tail
    assert tests.tests == Counts(run=3, passed=2, failed=1)
    assert not tests.passed
    assert [c.key for c in report.failed_checks] == ["crash", "tests"]


def test_a_test_check_that_runs_no_tests_fails(project: Path) -> None:
    (project / "test_sample.py").unlink()

    report = verify(project, [unit_tests_check()])

    assert not report.passed
    assert report.checks[0].reason == "no tests ran"


def test_checks_run_in_a_copy_that_is_removed(project: Path) -> None:
    code = "import os; open('junk.txt', 'w').write('x'); print('cwd=' + os.getcwd())"

    report = verify(project, [python_check("writes", code)])

    assert report.passed, report.checks[0].output_tail
    assert not (project / "junk.txt").exists()
    copy_dir = Path(report.checks[0].output_tail.split("cwd=")[1].strip())
    assert copy_dir != project
    assert not copy_dir.exists()


def test_environment_does_not_leak_takoss_settings(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "takoss.settings")
    monkeypatch.setenv("PYTHONPATH", "/work/main")
    code = (
        "import os, sys; assert 'DJANGO_SETTINGS_MODULE' not in os.environ; "
        "assert '/work/main' not in sys.path, sys.path; "
        "assert os.environ['PIP_NO_INDEX'] == '1'"
    )

    report = verify(project, [python_check("env", code)])

    assert report.passed, report.checks[0].output_tail


def test_timeout_kills_the_whole_process_tree(project: Path) -> None:
    token = f"takoss-hang-{uuid.uuid4().hex}"  # the child's argv, to find it from outside
    code = (
        "import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {token!r}]); "
        "print('child started', flush=True); time.sleep(60)"
    )
    check = python_check("hangs", code, timeout=1.0)
    started = time.monotonic()

    report = verify(project, [check])

    assert time.monotonic() - started < 4
    result = report.checks[0]
    assert result.timed_out and not result.passed
    assert result.reason == "timed out after 1s"
    assert "child started" in result.output_tail
    assert gone(token)


def test_cancel_stops_verification_within_a_second(project: Path) -> None:
    cancel = CancelToken()
    cancelled_at: list[float] = []

    def cancel_soon() -> None:
        time.sleep(0.5)
        cancelled_at.append(time.monotonic())
        cancel.cancel("stop")

    threading.Thread(target=cancel_soon).start()
    with pytest.raises(Cancelled, match="stop"):
        verify(project, [sleeping_check(), sleeping_check(), unit_tests_check()], cancel=cancel)

    assert time.monotonic() - cancelled_at[0] < 1.0


def test_independent_checks_run_concurrently(project: Path) -> None:
    nap = "import time; time.sleep(1)"
    started = time.monotonic()

    report = verify(project, [python_check("a", nap), python_check("b", nap)], workers=2)

    assert report.passed
    assert time.monotonic() - started < 1.9  # one after the other: over 2 s


def test_network_is_disabled_but_loopback_works(project: Path) -> None:
    outside = python_check(
        "outside", "import socket; socket.create_connection(('93.184.216.34', 80), timeout=3)"
    )
    lookup = python_check("lookup", "import socket; socket.getaddrinfo('example.com', 443)")
    raw = python_check("raw", "import socket; s = socket.socket(); s.connect(('8.8.8.8', 53))")
    loopback = python_check(
        "loopback",
        (
            "import socket\n"
            "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen()\n"
            "client = socket.create_connection(server.getsockname(), timeout=3)\n"
            "client.close(); server.close()\n"
        ),
    )

    report = verify(project, [outside, lookup, raw, loopback])

    by_key = {c.key: c for c in report.checks}
    for key in ("outside", "lookup", "raw"):
        assert not by_key[key].passed
        assert NETWORK_DISABLED in by_key[key].output_tail
    assert by_key["loopback"].passed, by_key["loopback"].output_tail


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("....\n----\nRan 4 tests in 0.010s\n\nOK\n", Counts(run=4, passed=4)),
        ("Ran 5 tests in 0.1s\n\nOK (skipped=1)\n", Counts(run=5, passed=4, skipped=1)),
        ("Ran 1 test in 0.1s\n\nOK\n", Counts(run=1, passed=1)),
        (
            "Ran 9 tests in 0.2s\n\nFAILED (failures=2, errors=1, skipped=1)\n",
            Counts(run=9, passed=5, failed=2, errors=1, skipped=1),
        ),
        ("==== 7 passed, 2 skipped in 0.31s ====", Counts(run=9, passed=7, skipped=2)),
        ("== 1 failed, 3 passed, 1 error in 1.20s ==", Counts(run=5, passed=3, failed=1, errors=1)),
        ("nothing to see", None),
    ],
)
def test_parse_test_counts(output: str, expected: Counts | None) -> None:
    assert parse_test_counts(output) == expected
