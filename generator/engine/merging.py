"""Bringing a new version into a project folder a person may have edited, keeping their edits.

A folder generated earlier holds ``takoss.json``: its version, its spec and the sha256 of every
file as it was generated. :func:`read_project` reads it; :func:`generated_files` reconstructs
the files as generated (the *base* of the merge): a file still matching its recorded hash is
taken from the folder, else it is rendered again from the recorded spec, and a file carried from
earlier builds (migrations: :meth:`EvolvingStack.carried`) is taken from the folder even when
edited, since nothing else has it. Where neither matches (another generator version rendered the
folder) the rendering stands in, with a note.

:func:`plan_merge` then merges each file three ways (base; ours: the folder; theirs: the new
version) with ``git merge-file``, a maintained merge tool, and decides deletions the way git
does: a file the new version removes is removed if untouched and kept (a conflict) if edited; a
file the person deleted stays deleted unless the new version changed it (then it comes back, a
conflict). Conflicting text gets git's standard markers. Nothing is written until
:func:`apply_merge`, so a plan that fails leaves the folder as it was. The manifest itself is
not merged: the new version's replaces it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.engine.packaging import MANIFEST_NAME, sha256_bytes
from generator.engine.spec import AppSpec, SpecError
from generator.engine.stacks.base import RENDER_PHASES, EvolvingStack, RenderContext

# What happened to a file.
UPDATED = "updated"  # not edited here: the new version's text
KEPT = "kept"  # edited here, unchanged by the new version: the edit stays
MERGED = "merged"  # edited here and changed by the new version, merged cleanly
CONFLICT = "conflict"  # both changed the same lines: markers in the file
ADDED = "added"  # new in the new version
REMOVED = "removed"  # removed by the new version, not edited here
KEPT_EDITED = "kept-edited"  # removed by the new version but edited here: kept (a conflict)
RESTORED = "restored"  # deleted here but changed by the new version: back (a conflict)
STILL_DELETED = "still-deleted"  # deleted here, unchanged by the new version
CONFLICTING = frozenset({CONFLICT, KEPT_EDITED, RESTORED})


class MergeInputError(ValueError):
    """The folder cannot be merged into: not a generated project, or its history is gone."""


@dataclass(frozen=True, slots=True)
class GeneratedProject:
    directory: Path
    manifest: dict[str, Any]
    spec: AppSpec
    version: int
    stack: str


@dataclass(frozen=True, slots=True)
class FileMerge:
    path: str
    outcome: str
    conflicts: int = 0  # conflicting hunks (1 for a file-level conflict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "outcome": self.outcome, "conflicts": self.conflicts}


@dataclass
class MergePlan:
    files: list[FileMerge] = field(default_factory=list)  # every file that changes or conflicts
    writes: dict[str, bytes] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    executable: set[str] = field(default_factory=set)  # new files to mark executable
    notes: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[FileMerge]:
        return [f for f in self.files if f.outcome in CONFLICTING]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "conflicts": sum(f.conflicts for f in self.conflicts),
            "conflicted_files": [f.path for f in self.conflicts],
            "notes": list(self.notes),
        }


# --- the project as generated ------------------------------------------------------------------


def read_project(directory: Path) -> GeneratedProject:
    if not directory.is_dir():
        raise MergeInputError(f"{directory} is not a directory")
    path = directory / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeInputError(
            f"{directory} has no {MANIFEST_NAME}: it is not a project Takoss generated"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MergeInputError(f"cannot read {path}: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise MergeInputError(f"{path} is not a Takoss manifest")
    try:
        spec = AppSpec.from_data(manifest.get("spec"))
    except SpecError as exc:
        raise MergeInputError(f"the spec in {path} cannot be used: {exc}") from None
    version = manifest.get("version", 1)  # manifests before versions were all first builds
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise MergeInputError(f"{path} records a bad version number: {version!r}")
    return GeneratedProject(directory, manifest, spec, version, str(manifest.get("stack", "")))


def generated_files(
    project: GeneratedProject, stack: EvolvingStack, ctx: RenderContext
) -> tuple[dict[str, str], list[str]]:
    """The project's files as they were generated (path -> text), and notes on guesses."""
    rendered = {
        f.path: f.content
        for phase in RENDER_PHASES
        for f in stack.render_phase(phase, project.spec, ctx)
    }
    recorded = {
        str(entry["path"]): str(entry["sha256"])
        for entry in project.manifest["files"]
        if isinstance(entry, dict) and entry.get("path") != MANIFEST_NAME
    }
    history = stack.carried(dict.fromkeys(recorded, ""))
    files: dict[str, str] = {}
    notes: list[str] = []
    missing: list[str] = []
    for path, digest in sorted(recorded.items()):
        here = _read(project.directory / path)
        if here is not None and sha256_bytes(here) == digest:
            files[path] = here.decode("utf-8")
        elif path in rendered and sha256_bytes(rendered[path].encode("utf-8")) == digest:
            files[path] = rendered[path]
        elif path in history and here is not None:
            files[path] = here.decode("utf-8", "replace")
            notes.append(f"{path} was edited since version {project.version}: built on as it is.")
        elif path in history:
            missing.append(path)
        elif path in rendered:
            files[path] = rendered[path]
            notes.append(f"{path}: its generated text could not be recovered exactly.")
    if missing:
        raise MergeInputError(
            f"{', '.join(missing)} of version {project.version} are missing from "
            f"{project.directory}: a new version builds on them (restore them from that "
            "version's ZIP)"
        )
    own = sorted(set(stack.carried(_files_here(project.directory))) - set(recorded))
    if own:
        notes.append(
            f"{', '.join(own)} are not Takoss's: the new migration does not follow them "
            "(run `manage.py makemigrations --merge` after checking them)."
        )
    return files, notes


_NOT_PROJECT = frozenset({"venv", "node_modules", "__pycache__"})


def _files_here(directory: Path) -> dict[str, str]:
    """The folder's Python files by path (no virtualenvs, caches or hidden folders)."""
    found = {}
    for path in directory.rglob("*.py"):
        parts = path.relative_to(directory).parts
        if not any(p in _NOT_PROJECT or p.startswith(".") for p in parts[:-1]):
            found[Path(*parts).as_posix()] = ""
    return found


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


# --- merging ---------------------------------------------------------------------------------


def plan_merge(
    directory: Path,
    *,
    base: Mapping[str, str],
    theirs: Mapping[str, str],
    executable: set[str],
    labels: tuple[str, str, str],
) -> MergePlan:
    """What merging ``theirs`` into ``directory`` over ``base`` writes and deletes.

    ``labels`` name ours, base and theirs in conflict markers; ``executable`` lists the paths of
    ``theirs`` that are executable.
    """
    plan = MergePlan()
    with tempfile.TemporaryDirectory(prefix="takoss-merge-") as tmp:
        for path in sorted(set(base) | set(theirs)):
            if path == MANIFEST_NAME:
                continue
            old = base[path].encode("utf-8") if path in base else None
            new = theirs[path].encode("utf-8") if path in theirs else None
            _plan_file(plan, path, _read(directory / path), old, new, Path(tmp), labels)
            if path in plan.writes and path in executable and not (directory / path).exists():
                plan.executable.add(path)
    return plan


def _plan_file(
    plan: MergePlan,
    path: str,
    ours: bytes | None,
    base: bytes | None,
    theirs: bytes | None,
    tmp: Path,
    labels: tuple[str, str, str],
) -> None:
    if ours == theirs or (base is None and theirs is None):
        return  # already as the new version has it
    if theirs is None:  # the new version removes it
        if ours == base:
            plan.deletes.append(path)
            plan.files.append(FileMerge(path, REMOVED))
        elif ours is not None:
            plan.files.append(FileMerge(path, KEPT_EDITED, 1))
        return
    if ours is None:
        if base is None:
            plan.files.append(FileMerge(path, ADDED))
        elif base == theirs:
            plan.files.append(FileMerge(path, STILL_DELETED))
            return
        else:
            plan.files.append(FileMerge(path, RESTORED, 1))
        plan.writes[path] = theirs
        return
    if ours == base:
        plan.writes[path] = theirs
        plan.files.append(FileMerge(path, UPDATED))
        return
    if theirs == base:
        plan.files.append(FileMerge(path, KEPT))
        return
    merged, conflicts = merge_file(ours, base or b"", theirs, tmp, labels)
    plan.writes[path] = merged
    plan.files.append(FileMerge(path, CONFLICT if conflicts else MERGED, conflicts))


def merge_file(
    ours: bytes, base: bytes, theirs: bytes, tmp: Path, labels: tuple[str, str, str]
) -> tuple[bytes, int]:
    """``git merge-file`` of three texts: the result and its number of conflicts."""
    names = []
    for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
        target = tmp / name
        target.write_bytes(data)
        names.append(str(target))
    argv = [git_executable(), "merge-file", "-p"]
    for label in labels:
        argv += ["-L", label]
    done = subprocess.run([*argv, *names], capture_output=True, check=False)
    if done.returncode < 0 or done.returncode > 127:  # an error, e.g. a binary file
        return ours, 1  # keep ours as it is, a conflict for the person to resolve
    return done.stdout, done.returncode


def git_executable() -> str:
    found = shutil.which("git")
    if found is None:
        raise MergeInputError("git is needed to merge (apt-get install git)")
    return found


def apply_merge(directory: Path, plan: MergePlan) -> None:
    for path, data in sorted(plan.writes.items()):
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)  # an existing file keeps its mode
        if path in plan.executable:
            target.chmod(0o755)
    for path in plan.deletes:
        target = directory / path
        target.unlink(missing_ok=True)
        _remove_empty_parents(target.parent, directory)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def write_manifest(directory: Path, text: str) -> None:
    target = directory / MANIFEST_NAME
    tmp = target.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
