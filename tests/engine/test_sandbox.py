"""The sandbox, proven from inside: a generated project's own test run (through verification)
or a process started in it. Nothing here is mocked: bubblewrap runs for real."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_fakes import FakeStack, fake_analyze, gone, processes_with, unit_tests_check

from generator.engine import sandbox
from generator.engine.leftovers import temp_folder
from generator.engine.pipeline import GenerationRequest, generate
from generator.engine.sandbox import Limits, SandboxUnavailable
from generator.engine.verification import verify

ROOT = Path(__file__).resolve().parents[2]  # Takoss's checkout: never visible inside


@pytest.fixture(autouse=True)
def _bwrap_mode() -> Iterator[None]:
    """Every test starts in the default mode; a test that changes it gets it back."""
    before = sandbox.mode(), sandbox.hidden()
    sandbox.configure(mode=sandbox.MODE_BWRAP, hidden=before[1])
    yield
    sandbox.configure(mode=before[0], hidden=before[1])


def run_inside_tests(tmp_path: Path, tests: str) -> None:
    """Verify a project whose own unittest module is ``tests``: every test must pass."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_inside.py").write_text(textwrap.dedent(tests))
    expected = tests.count("    def test_")

    report = verify(project, [unit_tests_check()])

    check = report.checks[0]
    assert check.tests is not None, check.output_tail
    assert (check.tests.run, check.tests.passed) == (expected, expected), check.output_tail


def run_in_sandbox(code: str, work: Path, limits: Limits, timeout: float = 20.0) -> str:
    """Run ``code`` in ``work/project`` in a sandbox with ``limits``; its output (it must end
    by itself)."""
    project = work / "project"
    project.mkdir(exist_ok=True)
    proc = sandbox.start(
        [sys.executable, "-c", code],
        work=work,
        cwd=project,
        env=sandbox.base_env(project),
        limits=limits,
        stdout=subprocess.PIPE,
    )
    try:
        out, _ = proc.process.communicate(timeout=timeout)
    finally:
        proc.kill()
    return out.decode()


def test_the_network_is_unreachable_raw_sockets_and_other_programs_too(tmp_path: Path) -> None:
    # Given a server on the host's loopback (reachable by anything sharing its network)
    with socket.create_server(("127.0.0.1", 0)) as host_server:
        port = host_server.getsockname()[1]
        # When the project's tests try it, bypassing Python's socket module and in a child
        # interpreter without any site customisation
        run_inside_tests(
            tmp_path,
            f"""
            import _socket, errno, socket, subprocess, sys, unittest

            class Network(unittest.TestCase):
                def test_only_loopback_exists(self):
                    self.assertEqual([name for _, name in socket.if_nameindex()], ["lo"])

                def test_the_hosts_loopback_is_another_one(self):
                    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
                    with self.assertRaises(ConnectionRefusedError):
                        raw.connect(("127.0.0.1", {port}))

                def test_a_raw_connect_outside_fails(self):
                    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
                    with self.assertRaises(OSError) as caught:
                        raw.connect(("1.1.1.1", 53))
                    self.assertEqual(caught.exception.errno, errno.ENETUNREACH)

                def test_a_plain_child_process_cannot_connect(self):
                    code = "import socket; socket.create_connection(('1.1.1.1', 53), 3)"
                    done = subprocess.run(
                        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True
                    )
                    self.assertNotEqual(done.returncode, 0)
                    self.assertIn("Network is unreachable", done.stderr)

                def test_loopback_inside_works(self):
                    with socket.create_server(("127.0.0.1", 0)) as server:
                        socket.create_connection(server.getsockname(), 3).close()
            """,
        )


def test_takoss_environment_is_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"fake-secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("TAKOSS_SECRET_KEY", secret)
    monkeypatch.setenv("TAKOSS_EMAIL_PASSWORD", secret)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)

    run_inside_tests(
        tmp_path,
        f"""
        import os, unittest

        class Environment(unittest.TestCase):
            def test_no_takoss_variable(self):
                self.assertEqual([k for k in os.environ if k.startswith("TAKOSS")], [])

            def test_the_secret_is_nowhere_in_any_environment(self):
                for pid in os.listdir("/proc"):
                    if pid.isdigit():
                        try:
                            environ = open(f"/proc/{{pid}}/environ", "rb").read()
                        except OSError:
                            continue
                        self.assertNotIn({secret!r}.encode(), environ)

            def test_only_what_the_check_needs(self):
                allowed = {{"PATH", "HOME", "TMPDIR", "LANG", "PWD", "NO_PROXY", "no_proxy"}}
                extra = {{
                    k for k in os.environ
                    if k not in allowed and not k.startswith(("PYTHON", "PIP_"))
                    and not k.lower().endswith("_proxy")
                }}
                self.assertEqual(extra, set())

            def test_an_unprivileged_user(self):
                self.assertEqual((os.getuid(), os.getgid()), (65534, 65534))
                status = open("/proc/self/status").read()
                self.assertIn("CapEff:\\t0000000000000000", status)
                self.assertIn("NoNewPrivs:\\t1", status)
        """,
    )


def test_writing_outside_the_work_folder_fails(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"

    run_inside_tests(
        tmp_path,
        f"""
        import os, unittest

        class Files(unittest.TestCase):
            def test_the_project_copy_is_writable(self):
                open("scratch.txt", "w").write("ok")

            def test_private_tmp_is_writable_and_private(self):
                open("/tmp/inside-only.txt", "w").write("ok")
                self.assertFalse(os.path.exists({str(tmp_path)!r}))

            def test_nothing_else_is(self):
                work = os.path.dirname(os.getcwd())
                for path in (
                    {str(outside)!r},
                    os.path.join(work, "beside-the-copy.txt"),
                    os.path.join(work, ".takoss-owner"),
                    "/usr/lib/evil.txt",
                    "/etc/evil.txt",
                    "{sys.prefix}/evil.txt",
                    "/evil.txt",
                ):
                    with self.assertRaises(OSError, msg=path):
                        open(path, "w").write("x")

            def test_takoss_own_files_are_not_there(self):
                self.assertFalse(os.path.exists({str(ROOT / "manage.py")!r}))
                self.assertFalse(os.path.exists({str(ROOT / "db.sqlite3")!r}))
                self.assertFalse(os.path.exists({str(ROOT / "media")!r}))
        """,
    )
    assert not outside.exists()
    assert not Path("/tmp/inside-only.txt").exists()


def test_a_fork_bomb_is_stopped_by_the_process_limit(tmp_path: Path) -> None:
    token = f"takoss-bomb-{uuid.uuid4().hex}"
    code = textwrap.dedent(
        f"""
        import os, sys, time
        forks = 0
        while forks < 10_000:
            try:
                pid = os.fork()
            except BlockingIOError:
                print("fork refused after", forks, flush=True)
                break
            if pid == 0:
                sleep = [sys.executable, "-c", "import time; time.sleep(60)", {token!r}]
                os.execv(sys.executable, sleep)
            forks += 1
        """
    )
    with temp_folder("takoss-sandbox-") as work:
        out = run_in_sandbox(code, work, Limits(processes=20))

    assert "fork refused after" in out, out
    assert int(out.split("fork refused after")[1].split()[0]) < 20
    assert gone(token)  # the sleepers died with the sandbox


def test_a_memory_hog_is_stopped_by_the_memory_limit(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        try:
            hog = bytearray(512 << 20)
        except MemoryError:
            print("memory refused", flush=True)
        else:
            print("allocated", len(hog), flush=True)
        """
    )
    with temp_folder("takoss-sandbox-") as work:
        out = run_in_sandbox(code, work, Limits(memory_bytes=256 << 20))

    assert "memory refused" in out, out


def test_cpu_time_and_file_size_are_limited(tmp_path: Path) -> None:
    spin = "import time\nstarted = time.monotonic()\nwhile time.monotonic() - started < 30: pass\n"
    big = (
        "try:\n    open('big.bin', 'wb').write(b'x' * (4 << 20))\n"
        "except OSError as exc:\n    print('file refused', exc.errno, flush=True)\n"
    )
    with temp_folder("takoss-sandbox-") as work:
        started = time.monotonic()
        proc = sandbox.start(
            [sys.executable, "-c", spin],
            work=work,
            env=sandbox.base_env(work),
            limits=Limits(cpu_seconds=1),
        )
        code = proc.wait(timeout=20)
        assert code != 0 and time.monotonic() - started < 10
        out = run_in_sandbox(big, work, Limits(file_bytes=1 << 20))
        assert (work / "project" / "big.bin").stat().st_size <= 1 << 20

    assert "file refused 27" in out, out  # EFBIG


def test_killing_a_sandbox_kills_its_whole_tree(tmp_path: Path) -> None:
    token = f"takoss-tree-{uuid.uuid4().hex}"
    sleep = [sys.executable, "-c", "import time; time.sleep(60)", token]
    middle = f"import subprocess, time; subprocess.Popen({sleep!r}); time.sleep(60)"
    code = (
        f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {middle!r}]); "
        "time.sleep(60)"
    )
    with temp_folder("takoss-sandbox-") as work:
        proc = sandbox.start([sys.executable, "-c", code], work=work, env=sandbox.base_env(work))
        # bubblewrap, the top process, the middle one and the sleeper all name the token
        _wait_for(lambda: len(processes_with(token)) >= 4)
        proc.kill()

    assert proc.returncode is not None
    assert gone(token)


def test_a_sandbox_killed_while_it_starts_leaves_nothing(tmp_path: Path) -> None:
    # A cancel right after the start: bubblewrap may be killed mid-setup
    for _ in range(5):
        token = f"takoss-early-{uuid.uuid4().hex}"
        code = f"import time; time.sleep(60)  # {token}"
        with temp_folder("takoss-sandbox-") as work:
            proc = sandbox.start([sys.executable, "-c", code], work=work, env={})
            proc.kill()

        assert gone(token)


def test_the_tree_dies_with_the_server(tmp_path: Path) -> None:
    # Given a server process that started a sandboxed sleeper
    token = f"takoss-orphan-{uuid.uuid4().hex}"
    server = _server(
        f"""
        import sys, time
        from pathlib import Path
        from generator.engine import sandbox
        work = Path({str(tmp_path)!r}) / "work"
        work.mkdir()
        sandbox.start(
            [sys.executable, "-c", "import time; time.sleep(60)", {token!r}],
            work=work,
            env=sandbox.base_env(work),
        )
        time.sleep(60)
        """
    )
    try:
        _wait_for(lambda: bool(processes_with(token)))
        # When the server is killed outright
        server.send_signal(signal.SIGKILL)
        server.wait()
    finally:
        server.kill()
    # Then nothing of the sandbox is left
    assert gone(token)


def test_no_bwrap_and_the_default_mode_refuse_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without bubblewrap
    (tmp_path / "project").mkdir()

    with pytest.raises(SandboxUnavailable, match=r"install it \(apt-get install bubblewrap"):
        verify(tmp_path / "project", [unit_tests_check()])

    with pytest.raises(SandboxUnavailable, match="TAKOSS_SANDBOX=none"):
        sandbox.start(["true"], work=tmp_path, env={})


def test_a_generation_without_bwrap_fails_saying_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without bubblewrap

    result = generate(
        GenerationRequest(out_dir=tmp_path / "out", name="Log", requirements="Books with a title."),
        analyzer=fake_analyze,
        stack=FakeStack(),
    )

    assert not result.success and result.error is not None
    assert result.error.phase == "verification"
    assert "apt-get install bubblewrap" in result.error.message
    assert "TAKOSS_SANDBOX=none" in result.error.message
    assert not (tmp_path / "out").exists()


def test_unsandboxed_runs_only_when_asked_and_warn_every_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.configure(mode=sandbox.MODE_NONE)
    code = "import os; print(os.getuid())"

    with caplog.at_level("WARNING", logger="generator.engine.sandbox"):
        outputs = [run_in_sandbox(code, tmp_path, sandbox.DEFAULT_LIMITS) for _ in range(2)]

    assert outputs == [f"{os.getuid()}\n"] * 2  # the server's own user: no isolation
    warnings = [r for r in caplog.records if "WITHOUT a sandbox" in r.getMessage()]
    assert len(warnings) == 2


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(SandboxUnavailable, match="bwrap or none"):
        sandbox.configure(mode="docker")


def test_hidden_paths_under_a_bound_folder_are_masked(tmp_path: Path) -> None:
    # Given a "database" and a "media" folder inside the work folder (bound read-write)
    with temp_folder("takoss-sandbox-") as work:
        project = work / "project"
        (project / "media").mkdir(parents=True)
        (project / "db.sqlite3").write_text("secret rows")
        (project / "media" / "upload.txt").write_text("secret upload")
        hidden = [project / "db.sqlite3", project / "media"]
        sandbox.configure(mode=sandbox.MODE_BWRAP, hidden=hidden)
        code = (
            "import os\n"
            "try:\n    print('db:', open('db.sqlite3').read() or 'empty')\n"
            "except OSError as exc:\n    print('db: refused', exc.errno)\n"
            "print('media:', os.listdir('media'))\n"
        )

        out = run_in_sandbox(code, work, sandbox.DEFAULT_LIMITS)

    assert "secret" not in out and "media: []" in out, out
    assert "db: empty" in out or "db: refused" in out, out


def _server(code: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT)


def _wait_for(condition, within: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_a_checkout_under_tmp_shows_through_the_private_tmp(tmp_path):
    """The program's folders are bound after the private /tmp, so a checkout (and its virtual
    environment) under /tmp, as in a CI's fresh clone, is still there inside."""
    argv = sandbox.bwrap_argv(
        ["prlimit", "--", sys.executable, "-c", "pass"], work=tmp_path, cwd=tmp_path, env={}
    )
    private_tmp = next(i for i, a in enumerate(argv) if a == "--tmpfs" and argv[i + 1] == "/tmp")
    prefix = str(Path(sys.prefix).resolve())
    bound = next(i for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1] == prefix)
    assert private_tmp < bound
