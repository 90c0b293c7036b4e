"""Deterministic packaging: the manifest (``takoss.json``) and a byte-reproducible ZIP.

The same AppSpec and generator version give the same bytes: entries are sorted, every entry is
stamped 1980-01-01 00:00:00 with fixed Unix modes (0644, or 0755 for executables), compressed
with DEFLATE at a fixed level, under one top-level folder named after the spec's slug.

The manifest lives inside the ZIP and beside the files. It records the generator, the stack,
the spec's version number and the one it was built on (null for a first build), the full spec
and its sha256 (of ``AppSpec.canonical_json()``), the complexity estimate and every file's path,
sha256 and size, sorted by path: enough to tell, later, which files a person has edited since
and what the build they came from was. It holds no timestamps and **no
verification results**: durations vary from run to run and a check may time out on a loaded
machine, so including them would make the archive depend on the machine rather than on the
spec. The verification report travels in the generation result instead.

Paths are checked here once more, whatever the stack promised: only relative POSIX paths with
no empty, "." or ".." parts, no backslashes and no drive letters get in.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.engine import GENERATOR_VERSION
from generator.engine.spec import AppSpec
from generator.engine.stacks.base import GeneratedFile

GENERATOR_NAME = "takoss"
MANIFEST_NAME = "takoss.json"
MANIFEST_VERSION = 1
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
_UNIX_REGULAR = 0o100000
_UNIX_SYSTEM = 3
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafePathError(ValueError):
    """A generated path that could escape the project folder or means different things on
    different systems."""


def safe_path(path: str) -> str:
    """``path`` unchanged if it is a safe relative POSIX path; raise UnsafePathError if not."""
    problem = _path_problem(path)
    if problem:
        raise UnsafePathError(f"unsafe path {path!r}: {problem}")
    return path


def _path_problem(path: str) -> str:
    if not path:
        return "empty"
    if "\\" in path:
        return "backslashes are not allowed"
    if "\x00" in path:
        return "NUL characters are not allowed"
    if path.startswith("/"):
        return "absolute paths are not allowed"
    if _DRIVE.match(path):
        return "drive letters are not allowed"
    parts = path.split("/")
    if any(part == "" for part in parts):
        return "empty path parts are not allowed"
    if any(part in {".", ".."} for part in parts):
        return "'.' and '..' parts are not allowed"
    return ""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    sha256: str
    size: int

    @classmethod
    def of(cls, file: GeneratedFile) -> FileEntry:
        data = file.content.encode("utf-8")
        return cls(path=file.path, sha256=sha256_bytes(data), size=len(data))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


def check_files(files: Iterable[GeneratedFile]) -> list[GeneratedFile]:
    """The files sorted by path, after checking every path and that none repeats."""
    ordered = sorted(files, key=lambda f: f.path)
    seen: set[str] = set()
    for file in ordered:
        safe_path(file.path)
        if file.path == MANIFEST_NAME:
            raise UnsafePathError(f"{MANIFEST_NAME!r} is reserved for the manifest")
        folded = file.path.casefold()
        if folded in seen:
            raise UnsafePathError(
                f"duplicate path {file.path!r} (paths must differ in more than letter case)"
            )
        seen.add(folded)
    return ordered


def build_manifest(
    *,
    spec: AppSpec,
    stack_key: str,
    complexity: dict[str, Any],
    files: Sequence[GeneratedFile],
    version: int = 1,
    base_version: int | None = None,
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "generator": {"name": GENERATOR_NAME, "version": GENERATOR_VERSION},
        "stack": stack_key,
        "version": version,
        "base_version": base_version,
        "spec_sha256": sha256_text(spec.canonical_json()),
        "spec": spec.to_dict(),
        "complexity": complexity,
        "files": [FileEntry.of(f).to_dict() for f in check_files(files)],
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def manifest_file(manifest: dict[str, Any]) -> GeneratedFile:
    return GeneratedFile(path=MANIFEST_NAME, content=manifest_text(manifest))


def build_zip(
    files: Sequence[GeneratedFile], *, root: str, manifest: dict[str, Any] | None = None
) -> bytes:
    """The archive bytes: ``root/<path>`` for every file, plus ``root/takoss.json``."""
    safe_path(root)
    if "/" in root:
        raise UnsafePathError(f"the top-level folder {root!r} must be a single name")
    entries = check_files(files)
    if manifest is not None:
        entries = sorted([*entries, manifest_file(manifest)], key=lambda f: f.path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(
        buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as archive:
        for file in entries:
            archive.writestr(
                _zip_info(f"{root}/{file.path}", file.executable),
                file.content.encode("utf-8"),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=COMPRESS_LEVEL,
            )
    return buffer.getvalue()


def _zip_info(name: str, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = _UNIX_SYSTEM
    mode = EXECUTABLE_MODE if executable else FILE_MODE
    info.external_attr = (_UNIX_REGULAR | mode) << 16
    return info
