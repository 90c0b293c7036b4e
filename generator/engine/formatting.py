"""Formats generated Python source with ruff, many files in one subprocess.

Stacks hand over a batch of ``path -> source``; the batch is written to a temporary directory,
``ruff format`` runs once over it with explicit settings (``--isolated``, so no configuration file
on the machine can change the result) and the formatted text is read back. The same input always
gives the same output. What to format and with which line length is the caller's business.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path


class FormattingError(RuntimeError):
    """ruff is missing or refused the source (a syntax error in a template's output)."""


def ruff_executable() -> str:
    """The ruff installed next to the running interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.is_file():
        return str(beside)
    found = shutil.which("ruff")
    if found is None:
        raise FormattingError("ruff is not installed next to the interpreter nor on PATH")
    return found


def format_python(
    sources: Mapping[str, str],
    *,
    line_length: int = 100,
    target_version: str = "py312",
    first_party: Sequence[str] = (),
) -> dict[str, str]:
    """Return every source formatted by ``ruff format``; keys are relative POSIX paths.

    With ``first_party`` (package names), imports are sorted first, as isort would with those
    packages first-party: for text Takoss did not lay out itself (Django's migration writer).
    """
    if not sources:
        return {}
    with tempfile.TemporaryDirectory(prefix="takoss-format-") as tmp:
        root = Path(tmp)
        for index, (_, text) in enumerate(sorted(sources.items())):
            # Flat numbered names: the paths may be deep, and ruff needs nothing but the text.
            (root / f"f{index}.py").write_text(text, encoding="utf-8")
        if first_party:
            _sort_imports(root, first_party, line_length, target_version)
        argv = [
            ruff_executable(),
            "format",
            "--isolated",
            "--no-cache",
            f"--line-length={line_length}",
            f"--target-version={target_version}",
            ".",
        ]
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise FormattingError(_explain(done.stderr or done.stdout, sorted(sources)))
        return {
            path: (root / f"f{index}.py").read_text(encoding="utf-8")
            for index, path in enumerate(sorted(sources))
        }


def _sort_imports(
    root: Path, first_party: Sequence[str], line_length: int, target_version: str
) -> None:
    known = ",".join(repr(name) for name in first_party)
    argv = [
        ruff_executable(),
        "check",
        "--isolated",
        "--no-cache",
        "--select=I",
        "--fix-only",
        "--exit-zero",
        f"--line-length={line_length}",
        f"--target-version={target_version}",
        "--config",
        f"lint.isort.known-first-party=[{known}]",
        ".",
    ]
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise FormattingError(f"ruff could not sort the imports: {done.stderr.strip()[:2000]}")


def _explain(output: str, paths: list[str]) -> str:
    for index, path in enumerate(paths):
        output = output.replace(f"f{index}.py", path)
    return f"ruff format failed: {output.strip()[:2000]}"
