"""Read a finished run's files from its stored ZIP: the tree, one file, highlighted.

Paths from the URL are never joined to a filesystem path: a requested path is looked up as an
exact key among the archive's own members (relative to the archive's single root folder), so
``../``, absolute and encoded paths simply are not found. Highlighting uses Pygments with line
numbers; the page's stylesheet is static/css/pygments.css.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.http import FileResponse
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

from generator.models import Generation

MAX_VIEW_BYTES = 512 * 1024


class FileMissing(Exception):
    """No such file in the run's archive (or the run has no archive); its text says which."""


class ArchiveGone(FileMissing):
    """The run's ZIP is on record but no longer in storage (media wiped or moved)."""

    def __str__(self) -> str:
        return "The files of this run are no longer stored; regenerate the project."


def _open(generation: Generation) -> IO[bytes]:
    if not generation.zip:
        raise FileMissing("This run has no ZIP.")
    try:
        return generation.zip.open("rb")  # type: ignore[return-value]
    except FileNotFoundError:
        raise ArchiveGone(generation.zip.name) from None


@contextmanager
def _archive(generation: Generation) -> Iterator[zipfile.ZipFile]:
    with _open(generation) as handle, zipfile.ZipFile(handle) as archive:
        yield archive


def archive_download(generation: Generation) -> FileResponse:
    """The run's stored ZIP as an attachment named after the app and the run.

    Raises FileMissing (ArchiveGone) when there is no ZIP to send.
    """
    slug = (generation.spec or {}).get("slug") or f"project-{generation.project_id}"
    return FileResponse(
        _open(generation),
        as_attachment=True,
        filename=f"{slug}-run-{generation.number}.zip",
        content_type="application/zip",
    )


@dataclass(frozen=True, slots=True)
class TreeRow:
    depth: int
    name: str
    path: str  # "" for a folder


@dataclass(frozen=True, slots=True)
class ViewedFile:
    path: str
    size: int
    text: str | None  # None when binary or too large to show
    html: str
    language: str


def archive_members(generation: Generation) -> dict[str, str]:
    """The run's files: path relative to the project root -> member name in the ZIP.

    Empty when the run has no ZIP; raises ArchiveGone when its ZIP is no longer stored.
    """
    if not generation.zip:
        return {}
    with _archive(generation) as archive:
        return _members(archive)


def _members(archive: zipfile.ZipFile) -> dict[str, str]:
    members = {}
    for info in archive.infolist():
        _root, _, relative = info.filename.partition("/")
        if relative and not info.is_dir():
            members[relative] = info.filename
    return dict(sorted(members.items()))


def archive_tree(paths: list[str]) -> list[TreeRow]:
    """Folders and files in display order, each with its depth (folders first, then files)."""
    tree: dict[str, dict] = {}
    for path in paths:
        node = tree
        for part in path.split("/"):
            node = node.setdefault(part, {})
    rows: list[TreeRow] = []

    def walk(node: dict[str, dict], prefix: str, depth: int) -> None:
        folders = sorted(k for k, v in node.items() if v)
        files = sorted(k for k, v in node.items() if not v)
        for name in folders:
            rows.append(TreeRow(depth, f"{name}/", ""))
            walk(node[name], f"{prefix}{name}/", depth + 1)
        for name in files:
            rows.append(TreeRow(depth, name, f"{prefix}{name}"))

    walk(tree, "", 0)
    return rows


def archive_read(generation: Generation, path: str) -> bytes:
    """One file of the run, by its path relative to the project root (an exact member only)."""
    with _archive(generation) as archive:  # one open: the ZIP cannot vanish in between
        member = _members(archive).get(path)
        if member is None:
            raise FileMissing(f"No file {path!r} in this project.")
        return archive.read(member)


def archive_view(generation: Generation, path: str) -> ViewedFile:
    data = archive_read(generation, path)
    text: str | None = None
    if len(data) <= MAX_VIEW_BYTES:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if text is None:
        return ViewedFile(path, len(data), None, "", "binary")
    lexer = _lexer(path, text)
    formatter = HtmlFormatter(
        linenos="table",
        cssclass="highlight",
        lineanchors="L",  # #L-12 links to line 12
        linespans="line",  # and its line can be marked (project page CSS)
        anchorlinenos=True,
        wrapcode=True,
    )
    return ViewedFile(path, len(data), text, highlight(text, lexer, formatter), lexer.name)


def _lexer(path: str, text: str) -> Lexer:
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".html"):
        return get_lexer_by_name("html+django")  # generated pages are Django templates
    if name.endswith(".sql"):
        return get_lexer_by_name("sql")
    try:
        return get_lexer_for_filename(name, text)
    except ClassNotFound:
        return TextLexer()
