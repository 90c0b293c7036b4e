"""The one way Takoss runs generated code: an isolated, limited process tree (bubblewrap).

Everything that executes a generated project (verification's checks, the migration
autodetector, the preview server later) starts it through :func:`start`. With the default mode,
``bwrap``, the process tree gets:

- its own network namespace with loopback only: nothing outside the sandbox is reachable, raw
  sockets and non-Python children included;
- its own PID, IPC, UTS and cgroup namespaces, a fresh ``/proc`` and ``/dev``, and a private
  ``/tmp`` and ``/dev/shm`` in memory, each of a limited size;
- a read-only view of what running Python code needs and nothing more: ``/usr`` (and the
  merged-usr links), a few files of ``/etc`` (users, hosts, time zone, MIME types, certificates),
  the interpreter's prefix, the virtual environment and the folder of the program it runs. The
  home folders, Takoss's checkout, its database and media are simply not there; a path to hide
  that lies under a bound folder anyway is masked (:func:`configure`);
- one private writable folder, ``work``, bound at its own path (so paths stay the same inside
  and out), which holds the generated project; the code runs as uid/gid 65534 (nobody). When
  Takoss runs as root, bubblewrap runs privileged and ``setpriv`` drops the tree to the real
  uid 65534 with no capabilities and no-new-privs; otherwise bubblewrap maps the server's own
  user to 65534 in a user namespace. ``work`` is handed over to that user (its top folder stays
  the server's, so a marker there cannot be touched from inside);
- a clean environment: only what the caller passes (see :func:`base_env`), never the server's;
- limits set by ``prlimit`` inside the sandbox, after the drop: CPU seconds, address space,
  file size and processes (:class:`Limits`). The process count is per user: as root the tree is
  counted with every other uid-65534 process of the machine; unprivileged, per sandbox (its
  user namespace);
- death with its owner: ``--die-with-parent`` kills the tree when the thread that started it or
  the server dies (so start long-lived sandboxes from a long-lived thread: the kernel's
  parent-death signal follows the starting thread), and :meth:`Sandboxed.kill` kills the PID
  namespace's first process, which takes the whole namespace with it, and bubblewrap's
  process group. The caller owns the wall-clock timeout (verification polls and kills).

The mode ``none`` runs the same command unisolated (still with the clean environment, the
limits and its own process group) and logs a warning on every start; it must be chosen
explicitly (``TAKOSS_SANDBOX=none``). With the default mode and no ``bwrap`` on the machine,
:func:`start` raises :class:`SandboxUnavailable` rather than run anything.

The preview will serve the generated app over a **unix socket inside ``work``** (e.g.
``work/preview.sock``, served by an ASGI server that can bind one), so it keeps the same
network namespace as verification: the host reaches the socket through the bound folder, the
app reaches nothing. No mode shares the host's network. daphne (``-u``), uvicorn (``--uds``)
and gunicorn (``--bind unix:``) can serve on such a socket; the proxy connects to it as the
server's user (root, or the user the socket's owner is mapped from).

Takoss's own tools that only read generated text run outside: ``ruff format`` (formatting.py,
``--isolated``, so no configuration is read from the text) and ``git merge-file``
(merging.py) parse files and never execute them.

Every sandbox's outermost process carries ``TAKOSS_SANDBOX_OWNER`` (the server's pid and start
time, see :mod:`generator.engine.leftovers`) in its environment, so sandboxes of a server that
died can be found and killed at the next start. What to run, and what its results mean, is the
caller's business.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from generator.engine.leftovers import MARKER_NAME, OWNER_ENV, owner_marker

logger = logging.getLogger(__name__)

MODE_BWRAP = "bwrap"
MODE_NONE = "none"
MODES = (MODE_BWRAP, MODE_NONE)
SETTING = "TAKOSS_SANDBOX"
SANDBOX_UID = 65534
SANDBOX_GID = 65534
KILL_GRACE_SECONDS = 0.5
# Read-only files and folders of /etc that Python code may need (users, names, time, MIME, TLS).
ETC_ENTRIES = (
    "passwd",
    "group",
    "hosts",
    "nsswitch.conf",
    "localtime",
    "timezone",
    "mime.types",
    "ssl",
    "ca-certificates",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
UNSANDBOXED_WARNING = (
    "Running generated code WITHOUT a sandbox (TAKOSS_SANDBOX=none): it can read this server's "
    "files and environment and reach the network"
)


class SandboxUnavailable(RuntimeError):
    """Generated code cannot be run: the sandbox tool is missing or the mode is unknown."""


@dataclass(frozen=True, slots=True)
class Limits:
    cpu_seconds: int = 900
    memory_bytes: int = 4 << 30  # address space per process: threads and arenas reserve a lot
    file_bytes: int = 1 << 30
    processes: int = 256
    tmp_bytes: int = 512 << 20  # each of the private /tmp and /dev/shm, in memory

    def prlimit_argv(self) -> list[str]:
        return [
            "prlimit",
            f"--cpu={self.cpu_seconds}",
            f"--as={self.memory_bytes}",
            f"--fsize={self.file_bytes}",
            f"--nproc={self.processes}",
            "--",
        ]


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class _Config:
    mode: str
    hidden: tuple[Path, ...] = ()


_config = _Config(mode=os.environ.get(SETTING, MODE_BWRAP).strip().lower() or MODE_BWRAP)


def configure(*, mode: str, hidden: Iterable[str | Path] = ()) -> None:
    """Set the mode (``bwrap`` or ``none``) and paths that must never be visible inside.

    The Django side calls this at start-up with ``TAKOSS_SANDBOX`` and its database file and
    media folder; without it the mode comes from the ``TAKOSS_SANDBOX`` environment variable.
    """
    if mode not in MODES:
        raise SandboxUnavailable(f"{SETTING}={mode!r} is not supported; use bwrap or none.")
    _config.mode = mode
    _config.hidden = tuple(Path(p).resolve() for p in hidden)


def mode() -> str:
    return _config.mode


def hidden() -> tuple[Path, ...]:
    return _config.hidden


def require() -> None:
    """Raise :class:`SandboxUnavailable` unless generated code can be run in the chosen mode."""
    if _config.mode == MODE_NONE:
        return
    if _config.mode != MODE_BWRAP:
        raise SandboxUnavailable(
            f"{SETTING}={_config.mode!r} is not supported; use bwrap (default) or none."
        )
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, and Takoss runs generated code only inside it: "
            "install it (apt-get install bubblewrap, or `make setup`) or set "
            f"{SETTING}=none to run generated code unsandboxed."
        )
    if shutil.which("prlimit") is None or (os.geteuid() == 0 and shutil.which("setpriv") is None):
        raise SandboxUnavailable("prlimit and setpriv (util-linux) are needed by the sandbox.")


def base_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a sandboxed process: a path, a home (writable), a locale."""
    bin_dirs = [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
    env = {
        "PATH": os.pathsep.join(dict.fromkeys(bin_dirs)),
        "HOME": str(home),
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
    }
    env.update(extra or {})
    return env


class Sandboxed:
    """A started sandbox: wait for it, poll it, kill its whole tree."""

    def __init__(self, process: subprocess.Popen[bytes], info: int | None = None) -> None:
        self.process = process
        self._info = info  # read end of bubblewrap's --info-fd: the namespace's first pid
        self._info_text = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """Kill the whole tree and reap it.

        Sandboxed: SIGKILL the PID namespace's first process (the kernel then kills everything
        in it, even a tree whose bubblewrap was killed before it could arm --die-with-parent)
        and bubblewrap's group. Unsandboxed: SIGTERM the process group, SIGKILL what is left
        after the grace period.
        """
        if self._info is not None:
            init = self._namespace_init() if self.process.poll() is None else None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            if init is not None:  # not reaped by bubblewrap yet, so not a recycled pid
                with contextlib.suppress(ProcessLookupError):
                    os.kill(init, signal.SIGKILL)
            self.process.wait()
            os.close(self._info)
            self._info = None
            return
        kill_tree(self.process)

    def _namespace_init(self, within: float = 2.0) -> int | None:
        """The pid (seen from here) of the namespace's first process, once bubblewrap says."""
        assert self._info is not None
        deadline = time.monotonic() + within
        while b"}" not in self._info_text:
            ready, _, _ = select.select([self._info], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                return None  # still setting up after ``within``: the group kill must do
            chunk = os.read(self._info, 4096)
            if not chunk:
                return None  # bubblewrap ended before it had a namespace
            self._info_text += chunk
        pid = json.loads(self._info_text.decode()).get("child-pid")
        return int(pid) if pid else None


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        process.wait()
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=KILL_GRACE_SECONDS)
    with contextlib.suppress(ProcessLookupError):  # children may outlive the leader
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def start(
    argv: Sequence[str],
    *,
    work: Path,
    cwd: Path | None = None,
    env: Mapping[str, str],
    limits: Limits = DEFAULT_LIMITS,
    stdout: IO[bytes] | int | None = None,
    stderr: IO[bytes] | int | None = subprocess.STDOUT,
) -> Sandboxed:
    """Start ``argv`` in a sandbox whose one writable folder is ``work`` (cwd: ``cwd`` or it).

    ``env`` is the whole environment inside (start from :func:`base_env`). Raises
    :class:`SandboxUnavailable` when the sandbox cannot be had, OSError when ``argv`` cannot be
    started.
    """
    require()
    work = work.resolve()
    cwd = (cwd or work).resolve()
    command = [*limits.prlimit_argv(), *argv]
    if _config.mode == MODE_NONE:
        logger.warning("%s: %s", UNSANDBOXED_WARNING, " ".join(argv[:3]))
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**env, OWNER_ENV: owner_marker()},
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        return Sandboxed(process)
    hand_over(work)
    info, info_w = os.pipe()
    try:
        process = subprocess.Popen(
            bwrap_argv(command, work=work, cwd=cwd, env=env, limits=limits, info_fd=info_w),
            cwd=cwd,
            env={"PATH": "/usr/bin:/bin", OWNER_ENV: owner_marker()},
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            pass_fds=(info_w,),
        )
    except BaseException:
        os.close(info)
        raise
    finally:
        os.close(info_w)
    return Sandboxed(process, info)


def bwrap_argv(
    command: Sequence[str],
    *,
    work: Path,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits = DEFAULT_LIMITS,
    info_fd: int | None = None,
) -> list[str]:
    """bubblewrap's argv around ``command`` (prlimit's argv included)."""
    privileged = os.geteuid() == 0
    argv = [
        "bwrap",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
    ]
    if info_fd is not None:
        argv += ["--info-fd", str(info_fd)]
    if privileged:
        # No user namespace: the tree must be the real uid 65534, so that the process limit
        # applies (root's processes are never counted) and files are nobody's.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        argv += ["--cap-add", "CAP_SETPCAP"]
    else:
        argv += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]
    argv += _mounts(command, work, limits)
    argv += ["--chdir", str(cwd), "--clearenv"]
    for name, value in sorted(env.items()):
        argv += ["--setenv", name, value]
    argv.append("--")
    if privileged:
        argv += [
            "setpriv",
            f"--reuid={SANDBOX_UID}",
            f"--regid={SANDBOX_GID}",
            "--clear-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
        ]
    return argv + list(command)


def _mounts(command: Sequence[str], work: Path, limits: Limits) -> list[str]:
    argv: list[str] = []
    made: set[Path] = {Path("/")}
    for system in SYSTEM_DIRS:
        path = Path(system)
        if path.is_symlink():  # merged /usr: /lib -> usr/lib
            argv += ["--symlink", os.readlink(path), system]
        elif path.is_dir():
            argv += ["--ro-bind", system, system]
    for entry in ETC_ENTRIES:
        argv += ["--ro-bind-try", f"/etc/{entry}", f"/etc/{entry}"]
    argv += ["--dev", "/dev", "--proc", "/proc"]
    # Writable by everyone, like the host's: multiprocessing keeps shared memory in /dev/shm.
    for tmp in ("/dev/shm", "/tmp"):
        argv += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", tmp]
    made.add(Path("/tmp"))
    # After the private /tmp, so that a checkout or virtual environment under /tmp shows through.
    for path in _program_dirs(command, work):
        if not any(path.is_relative_to(d) for d in (Path(s) for s in SYSTEM_DIRS)):
            argv += [*_parents(path, made), "--ro-bind", str(path), str(path)]
    argv += [*_parents(work, made), "--bind", str(work), str(work)]
    for hidden in _config.hidden:
        argv += _mask(hidden, work, command)
    return argv


def _program_dirs(command: Sequence[str], work: Path) -> list[Path]:
    """The interpreter's prefix, the virtual environment, the folder of the program run (after
    prlimit's ``--``) when it is an absolute path outside ``work``."""
    dirs = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()]
    program = Path(command[command.index("--") + 1])
    if program.is_absolute() and program.exists() and not program.is_relative_to(work):
        dirs += [program.parent.resolve(), program.resolve().parent]
    kept: list[Path] = []
    for path in sorted(set(dirs), key=lambda p: len(p.parts)):
        if not any(path.is_relative_to(k) for k in kept):
            kept.append(path)
    return kept


def _parents(path: Path, made: set[Path]) -> list[str]:
    """Traversable (0755) folders down to ``path``: bwrap would make them 0700 as root."""
    argv: list[str] = []
    for parent in reversed(path.parents):
        if parent not in made:
            made.add(parent)
            argv += ["--perms", "0755", "--dir", str(parent)]
    return argv


def _mask(hidden: Path, work: Path, command: Sequence[str]) -> list[str]:
    bound = [work, *_program_dirs(command, work), *(Path(s) for s in SYSTEM_DIRS)]
    if not any(hidden.is_relative_to(b) for b in bound) or not hidden.exists():
        return []
    if hidden.is_dir():
        return ["--tmpfs", str(hidden)]
    return ["--ro-bind", "/dev/null", str(hidden)]


def hand_over(work: Path) -> None:
    """Make ``work``'s contents the sandbox user's (as root); ``work`` itself stays ours."""
    if os.geteuid() != 0:
        return
    work.chmod(0o711)  # traversable, not listable, not writable from inside
    for root, dirs, files in os.walk(work):
        for name in [*dirs, *files]:
            path = os.path.join(root, name)
            if root == str(work) and name == MARKER_NAME:
                continue
            with contextlib.suppress(FileNotFoundError):  # a running check's file, gone
                os.chown(path, SANDBOX_UID, SANDBOX_GID, follow_symlinks=False)
