"""Clean starts: what a server killed mid-verification leaves is removed at the next start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from engine_fakes import gone, processes_with

from generator.engine.leftovers import MARKER_NAME, owner_alive, owner_marker, remove_leftovers

ROOT = Path(__file__).resolve().parents[2]


def dead_marker() -> str:
    """The mark of a process that has ended."""
    process = subprocess.Popen(["sleep", "30"])
    marker = owner_marker(process.pid)
    process.kill()
    process.wait()
    return marker


def kill_server_mid_verification(temp: Path, mode: str) -> tuple[subprocess.Popen[bytes], str]:
    """A server (this checkout, sandbox ``mode``) verifying a project whose check sleeps,
    killed with SIGKILL once the check runs. Returns the dead server and the check's token."""
    token = f"takoss-mid-{uuid.uuid4().hex}"
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from generator.engine.stacks.base import Check
        from generator.engine.verification import verify
        project = Path({str(temp)!r}) / "project"
        project.mkdir()
        sleep = Check("sleepy", "sleepy", ["{{python}}", "-c", "import time; time.sleep(60)",
                      {token!r}], timeout=60.0)
        verify(project, [sleep])
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp), "TAKOSS_SANDBOX": mode}
    server = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    started = 2 if mode == "bwrap" else 1  # bubblewrap and the check, or the check alone
    deadline = time.monotonic() + 20
    while len([pid for pid in processes_with(token) if pid != server.pid]) < started:
        assert time.monotonic() < deadline and server.poll() is None, "the check never started"
        time.sleep(0.05)
    server.kill()
    server.wait()
    return server, token


def verify_folders(temp: Path) -> list[Path]:
    return sorted(temp.glob("takoss-verify-*"))


@pytest.fixture
def temp(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_a_killed_servers_sandbox_dies_with_it_and_its_folder_goes_at_the_next_start(
    temp: Path,
) -> None:
    # Given a server killed with SIGKILL in the middle of a sandboxed verification
    _, token = kill_server_mid_verification(temp, "bwrap")
    # Then its sandbox died with it, but its folder is left behind
    assert gone(token)
    [left] = verify_folders(temp)
    assert not owner_alive((left / MARKER_NAME).read_text())

    # When the next server starts
    removed = remove_leftovers(temp)

    # Then the folder is gone
    assert removed.folders == [left]
    assert verify_folders(temp) == []


def test_an_unsandboxed_orphan_is_killed_at_the_next_start(temp: Path) -> None:
    # Given a server killed mid-verification with TAKOSS_SANDBOX=none: its check lives on
    _, token = kill_server_mid_verification(temp, "none")
    orphans = processes_with(token)
    assert orphans, "an unsandboxed check outlives its server"
    [left] = verify_folders(temp)

    # When the next server starts
    removed = remove_leftovers(temp)

    # Then the orphan and the folder are gone
    assert set(orphans) <= set(removed.processes)
    assert gone(token)
    assert removed.folders == [left] and verify_folders(temp) == []


def test_folders_of_live_owners_and_unmarked_folders_are_kept(temp: Path) -> None:
    live = temp / "takoss-run-live"
    unmarked = temp / "takoss-verify-unmarked"
    dead = temp / "takoss-run-dead"
    other = temp / "someone-else"
    for folder in (live, unmarked, dead, other):
        folder.mkdir()
    (live / MARKER_NAME).write_text(owner_marker())
    (dead / MARKER_NAME).write_text(dead_marker())
    (other / MARKER_NAME).write_text(dead_marker())

    removed = remove_leftovers(temp)

    assert removed.folders == [dead]
    assert sorted(p.name for p in temp.iterdir()) == [
        "someone-else",
        "takoss-run-live",
        "takoss-verify-unmarked",
    ]


def test_a_recycled_pid_is_not_its_old_owner() -> None:
    pid, _, started = owner_marker().partition(":")

    assert owner_alive(f"{pid}:{started}")
    assert not owner_alive(f"{pid}:{int(started) + 1}")  # same pid, another process
    assert not owner_alive("garbage")
