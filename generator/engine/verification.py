"""Runs a stack's checks against a generated project: copied, sandboxed, time-limited.

Each :class:`~generator.engine.stacks.base.Check` runs as a process of the same interpreter
inside a temporary copy of the project (the original is never touched, and the copy is removed
afterwards), started through :mod:`generator.engine.sandbox`: no network, a clean environment,
an unprivileged user, limits, and the copy's folder as the one writable place. A check's own
files (a script, its parameters) are written beside the copy, never into it; its argv and env
name their folder ``{files}``. :func:`sandbox` makes such a copy for other jobs on generated code
(making a migration) too. A timeout or a cancellation kills the check's whole tree (SIGTERM,
then SIGKILL half a second later). A generated ``sitecustomize`` also refuses every socket
connection and name lookup that is not loopback, so that a refused connection says why (and
``TAKOSS_SANDBOX=none`` keeps that much); proxies point at a closed loopback port and pip may
not use an index.

Checks are independent (lint, framework check, migrations, tests), so they run concurrently on
``workers`` threads, longest (test-counting) checks first. Results are reported, in completion
order, through a callback called from the calling thread; the report lists them in the stack's
order. What to check is the stack's business; what the results mean for a generation is the
pipeline's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.engine.events import Cancelled, CancelToken
from generator.engine.leftovers import temp_folder
from generator.engine.sandbox import base_env, require, start
from generator.engine.stacks.base import Check

OUTPUT_TAIL_CHARS = 4000
POLL_SECONDS = 0.1
DEFAULT_WORKERS = 2
NETWORK_DISABLED = "network disabled during verification"
UNROUTABLE_PROXY = "http://127.0.0.1:9"

SITECUSTOMIZE = f'''"""Written by Takoss verification: no network except loopback."""
import ipaddress
import socket

_MESSAGE = {NETWORK_DISABLED!r}
_LOCAL_NAMES = {{"localhost", "localhost.localdomain", "ip6-localhost", ""}}


def _is_loopback(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0]
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(address):
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths stay local
    return _is_loopback(address[0])


def _refuse(what):
    raise OSError(101, f"{{_MESSAGE}}: refused {{what}}")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo
_create_connection = socket.create_connection
_gethostbyname = socket.gethostbyname


def connect(self, address):
    if not _allowed(address):
        _refuse(address)
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(address):
        _refuse(address)
    return _connect_ex(self, address)


def sendto(self, data, *args):
    if not _allowed(args[-1]):
        _refuse(args[-1])
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)


def create_connection(address, *args, **kwargs):
    if not _allowed(address):
        _refuse(address)
    return _create_connection(address, *args, **kwargs)


def gethostbyname(host):
    if not _is_loopback(host):
        _refuse(host)
    return _gethostbyname(host)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
socket.create_connection = create_connection
socket.gethostbyname = gethostbyname
'''


@dataclass(frozen=True, slots=True)
class TestCounts:
    run: int
    passed: int
    failed: int = 0
    errors: int = 0
    skipped: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "run": self.run,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "skipped": self.skipped,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    key: str
    label: str
    passed: bool
    duration: float
    exit_code: int | None
    output_tail: str
    tests: TestCounts | None = None
    timed_out: bool = False
    reason: str = ""  # why it failed, in words ("exit code 1", "timed out after 5s", ...)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "passed": self.passed,
            "duration": round(self.duration, 3),
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "reason": self.reason,
            "tests": self.tests.to_dict() if self.tests else None,
            "output_tail": self.output_tail,
        }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    checks: tuple[CheckResult, ...]
    duration: float

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    @property
    def tests_run(self) -> int:
        return sum(c.tests.run for c in self.checks if c.tests)

    @property
    def tests_passed(self) -> int:
        return sum(c.tests.passed for c in self.checks if c.tests)

    def totals(self) -> dict[str, int]:
        return {
            "checks": len(self.checks),
            "checks_passed": sum(1 for c in self.checks if c.passed),
            "tests_run": self.tests_run,
            "tests_passed": self.tests_passed,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "duration": round(self.duration, 3),
            "totals": self.totals(),
            "checks": [c.to_dict() for c in self.checks],
        }


# --- parsing test output ----------------------------------------------------------------------

_DJANGO_RAN = re.compile(r"^Ran (\d+) tests? in ", re.MULTILINE)
_DJANGO_OUTCOME = re.compile(r"^(OK|FAILED)(?: \(([^)]*)\))?\s*$", re.MULTILINE)
_PYTEST_SUMMARY = re.compile(
    r"^=+ (.*\d+ (?:passed|failed|error|errors|skipped).*) in [\d.]+s", re.MULTILINE
)
_PYTEST_PART = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")


def parse_test_counts(output: str) -> TestCounts | None:
    """Counts from Django's runner ("Ran N tests" + OK/FAILED) or pytest's summary line."""
    return _parse_django(output) or _parse_pytest(output)


def _parse_django(output: str) -> TestCounts | None:
    ran = _DJANGO_RAN.findall(output)
    if not ran:
        return None
    run = int(ran[-1])
    outcomes = _DJANGO_OUTCOME.findall(output)
    details: dict[str, int] = {}
    if outcomes:
        for part in outcomes[-1][1].split(","):
            name, _, value = part.strip().partition("=")
            if value.isdigit():
                details[name] = int(value)
    failed, errors = details.get("failures", 0), details.get("errors", 0)
    skipped = details.get("skipped", 0)
    failed += details.get("unexpected_successes", 0)
    if not outcomes:  # a crash after "Ran": count nothing as passed
        return TestCounts(run=run, passed=0, failed=0, errors=run, skipped=0)
    return TestCounts(
        run=run,
        passed=max(0, run - failed - errors - skipped),
        failed=failed,
        errors=errors,
        skipped=skipped,
    )


def _parse_pytest(output: str) -> TestCounts | None:
    summaries = _PYTEST_SUMMARY.findall(output)
    if not summaries:
        return None
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for number, kind in _PYTEST_PART.findall(summaries[-1]):
        if kind in {"error", "errors"}:
            counts["errors"] += int(number)
        elif kind in {"passed", "xpassed"}:
            counts["passed"] += int(number)
        elif kind in {"skipped", "xfailed"}:
            counts["skipped"] += int(number)
        elif kind == "failed":
            counts["failed"] += int(number)
    run = counts["passed"] + counts["failed"] + counts["errors"] + counts["skipped"]
    return TestCounts(run=run, **counts)


# --- the sandbox --------------------------------------------------------------------------------


def ruff_binary() -> str:
    """The ruff next to this interpreter (the venv's), else the one on PATH, else "ruff"."""
    candidate = Path(sys.executable).with_name("ruff")
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("ruff") or "ruff"


def expand_argv(argv: Sequence[str], files: Path) -> list[str]:
    """``{python}`` and ``{ruff}`` as arguments, ``{files}`` anywhere in one."""
    replacements = {"{python}": sys.executable, "{ruff}": ruff_binary()}
    return [replacements.get(arg, arg).replace("{files}", str(files)) for arg in argv]


def check_files_dir(check: Check, workdir: Path) -> Path:
    """Where ``check``'s own files are written: beside the project copy, never in it."""
    return workdir / "files" / check.key


def sandbox_env(
    project: Path, sitecustomize_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """A check's whole environment: nothing of the server's, the project as its home."""
    env = base_env(project)
    env.update(
        {
            "PYTHONPATH": str(sitecustomize_dir),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "NO_PROXY": "",
            "no_proxy": "",
        }
    )
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ):
        env[name] = UNROUTABLE_PROXY
    env.update(extra or {})
    return env


def _tail(path: Path) -> str:
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - OUTPUT_TAIL_CHARS * 4))
        text = f.read().decode("utf-8", "replace")
    return text[-OUTPUT_TAIL_CHARS:]


class _Stop:
    """The caller's cancel token, or-ed with our own stop flag (a failure elsewhere)."""

    def __init__(self, cancel: CancelToken | None) -> None:
        self.outer = cancel
        self.inner = CancelToken()

    @property
    def cancelled(self) -> bool:
        return self.inner.cancelled or (self.outer is not None and self.outer.cancelled)

    @property
    def reason(self) -> str:
        if self.outer is not None and self.outer.cancelled:
            return self.outer.reason
        return self.inner.reason


def run_check(
    check: Check,
    project: Path,
    *,
    workdir: Path,
    cancel: CancelToken | _Stop | None = None,
    timeout_scale: float = 1.0,
) -> CheckResult:
    """Run one check in ``project`` (already a sandbox copy); raise Cancelled if cancelled."""
    log = workdir / f"{check.key}.log"
    files = check_files_dir(check, workdir)
    write_files(files, check.files)
    env = sandbox_env(
        project,
        workdir / "site",
        {k: v.replace("{files}", str(files)) for k, v in check.env.items()},
    )
    timeout = check.timeout * timeout_scale
    started = time.monotonic()
    with log.open("wb") as out:
        try:
            proc = start(
                expand_argv(check.argv, files), work=workdir, cwd=project, env=env, stdout=out
            )
        except OSError as exc:
            return CheckResult(
                key=check.key,
                label=check.label,
                passed=False,
                duration=0.0,
                exit_code=None,
                output_tail=str(exc),
                reason=f"could not start: {exc}",
            )
        timed_out = False
        while True:
            try:
                proc.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            if cancel is not None and cancel.cancelled:
                proc.kill()
                raise Cancelled(cancel.reason)
            if time.monotonic() - started > timeout:
                timed_out = True
                proc.kill()
                break
    duration = time.monotonic() - started
    output = _tail(log)
    return _result(check, proc.returncode, output, duration, timed_out, timeout)


def _result(
    check: Check, code: int | None, output: str, duration: float, timed_out: bool, timeout: float
) -> CheckResult:
    tests = parse_test_counts(output) if check.counts_tests else None
    reason = ""
    if timed_out:
        reason = f"timed out after {timeout:g}s"
    elif check.counts_tests and tests is not None and tests.run == 0:
        reason = "no tests ran"
    elif code != 0:
        reason = f"exit code {code}"
    elif check.counts_tests and tests is None:
        reason = "no test results found in the output"
    elif tests is not None and (tests.failed or tests.errors):
        reason = f"{tests.failed} failed, {tests.errors} errors"
    return CheckResult(
        key=check.key,
        label=check.label,
        passed=not reason,
        duration=duration,
        exit_code=None if timed_out else code,
        output_tail=output,
        tests=tests,
        timed_out=timed_out,
        reason=reason,
    )


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` (relative POSIX path -> text) under ``root``."""
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Sandbox:
    workdir: Path  # removed afterwards
    project: Path  # the copy checks run in

    def run(self, check: Check, *, cancel: CancelToken | None = None) -> CheckResult:
        return run_check(check, self.project, workdir=self.workdir, cancel=cancel)

    def read_json(self, check: Check, name: str) -> Any:
        """A JSON file ``check`` wrote into its files folder ({files}/name)."""
        path = check_files_dir(check, self.workdir) / name
        return json.loads(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def sandbox(
    project: Path | Mapping[str, str], *, prefix: str = "takoss-sandbox-"
) -> Iterator[Sandbox]:
    """A temporary copy of ``project`` (a folder, or files by path) to run checks in."""
    with temp_folder(prefix) as workdir:
        copy = workdir / "project"
        if isinstance(project, Path):
            shutil.copytree(
                project,
                copy,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "node_modules"),
            )
        else:
            write_files(copy, project)
        write_files(workdir / "site", {"sitecustomize.py": SITECUSTOMIZE})
        yield Sandbox(workdir, copy)


def verify(
    project: str | Path,
    checks: Sequence[Check],
    *,
    cancel: CancelToken | None = None,
    on_check: Callable[[CheckResult], None] | None = None,
    workers: int = DEFAULT_WORKERS,
    timeout_scale: float = 1.0,
) -> VerificationReport:
    """Run ``checks`` against a temporary copy of ``project``.

    ``on_check`` is called from this thread as each check finishes. Raises
    :class:`~generator.engine.events.Cancelled` (after killing every running check and removing
    the copy) when ``cancel`` fires.
    """
    require()  # before any copying: no sandbox, no run
    started = time.monotonic()
    with sandbox(Path(project), prefix="takoss-verify-") as box:
        results = _run_all(
            checks, box.project, box.workdir, cancel, on_check, max(1, workers), timeout_scale
        )
    return VerificationReport(checks=tuple(results), duration=time.monotonic() - started)


def _run_all(
    checks: Sequence[Check],
    copy: Path,
    workdir: Path,
    cancel: CancelToken | None,
    on_check: Callable[[CheckResult], None] | None,
    workers: int,
    timeout_scale: float,
) -> list[CheckResult]:
    # Longest first: the test run dominates, the quick checks fill the other worker.
    order = sorted(range(len(checks)), key=lambda i: not checks[i].counts_tests)
    results: dict[int, CheckResult] = {}
    stop = _Stop(cancel)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="takoss-check") as pool:
        pending: dict[Future[CheckResult], int] = {
            pool.submit(
                run_check,
                checks[i],
                copy,
                workdir=workdir,
                cancel=stop,
                timeout_scale=timeout_scale,
            ): i
            for i in order
        }
        try:
            while pending:
                done, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    results[index] = future.result()
                    if on_check is not None:
                        on_check(results[index])
                if cancel is not None and cancel.cancelled:
                    raise Cancelled(cancel.reason)
        except BaseException:
            stop.inner.cancel("Verification stopped")
            for future in pending:
                future.cancel()
            raise
    return [results[i] for i in range(len(checks))]
