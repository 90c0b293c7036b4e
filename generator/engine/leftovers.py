"""Temporary folders and sandboxes that know their owner, and the removal of a dead owner's.

A server killed mid-run leaves its ``takoss-run-*`` / ``takoss-verify-*`` (…) folders behind,
and, unsandboxed or on an old kernel, processes too. Every such folder made by
:func:`temp_folder` holds a marker naming its owner, and every sandbox's outermost process
carries the same mark in its environment (:data:`OWNER_ENV`). An owner is a process id with
its start time, so a recycled pid is not mistaken for the owner. :func:`remove_leftovers`, run
at a server's start, removes the folders and kills the processes whose owner is gone; anything
unmarked, or owned by a live process (another server, a test run), is left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

OWNER_ENV = "TAKOSS_SANDBOX_OWNER"
MARKER_NAME = ".takoss-owner"
PREFIXES = (
    "takoss-run-",
    "takoss-verify-",
    "takoss-migrate-",
    "takoss-sandbox-",
    "takoss-preview-",
)
PROC = Path("/proc")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/pid/stat)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    return stat.rpartition(")")[2].split()[19]


def owner_marker(pid: int | None = None) -> str:
    """``pid:start time`` of ``pid`` (this process by default)."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{_start_time(pid)}"


def owner_alive(marker: str) -> bool:
    pid, _, started = marker.strip().partition(":")
    if not pid.isdigit():
        return False
    return _start_time(int(pid)) == started


@contextlib.contextmanager
def temp_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder marked as this process's, removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        (folder / MARKER_NAME).write_text(owner_marker(), encoding="ascii")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(slots=True)
class Leftovers:
    folders: list[Path] = field(default_factory=list)
    processes: list[int] = field(default_factory=list)


def remove_leftovers(temp_dir: Path | None = None) -> Leftovers:
    """Kill the sandboxes and remove the temporary folders of owners that are gone."""
    removed = Leftovers(processes=_kill_orphans())
    root = Path(temp_dir or tempfile.gettempdir())
    for folder in sorted(root.iterdir()):
        if not folder.name.startswith(PREFIXES) or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            marker = (folder / MARKER_NAME).read_text(encoding="ascii")
        except OSError:
            continue  # not ours to judge
        if not owner_alive(marker):
            shutil.rmtree(folder, ignore_errors=True)
            removed.folders.append(folder)
    return removed


def _kill_orphans() -> list[int]:
    killed = []
    needle = f"{OWNER_ENV}=".encode()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            if item.startswith(needle):
                if not owner_alive(item[len(needle) :].decode("ascii", "replace")):
                    _kill(int(entry.name))
                    killed.append(int(entry.name))
                break
    return killed


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:  # a sandbox's leader: its whole group
            os.killpg(pid, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
