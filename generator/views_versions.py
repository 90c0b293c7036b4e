"""The web pages of change requests and spec versions: ask, review, confirm, compare, restore.

A change request (or edited requirements) becomes the project's draft plan, shown as a diff
against the version it grew from, to confirm and build, edit on the plan page, or discard.
Every version is listed with its builds; any version can be built, restored as the next
version or downloaded; any two can be compared (the spec, and the files once both are built).
The services do the work (generator/services.py); these views parse, call and render, as
generator/views.py does for projects and runs.

The project page (generator/views.py) includes the change box and the requirements editor,
which need only the project, and loads the pending plan and the history from here with htmx.
Without JavaScript its forms post here and land on the full pages here, which show the same
partials. The engine's notes on a change are kept in the session until the draft is confirmed
or dropped: the draft itself does not keep them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer

from generator import archive
from generator.constants import GENERATION_STATUS_SUCCEEDED
from generator.models import Generation, Project, SpecVersion
from generator.services import (
    CHANGE_TEXT_MAX,
    ConcurrencyLimitError,
    change_read,
    change_undo,
    draft_commit,
    draft_diff,
    draft_get,
    requirements_update,
    version_build,
    version_diff,
    version_restore,
)
from generator.views import AuthenticatedHttpRequest, HtmxHttpRequest

CHANGES = "generator/versions/changes.html"
HISTORY = "generator/versions/history.html"
COMPARE = "generator/versions/compare.html"
NOT_BUILT = "generator/versions/not_built.html"
POLL_SECONDS = 4
# A file diff longer than this is summed up, not shown: the ZIPs hold it in full.
MAX_DIFF_CHARS = 200_000
# Compared files start open when there are this few of them.
OPEN_FILES_UP_TO = 8


def _project(request: AuthenticatedHttpRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user), pk=pk)


def _version(project: Project, number: int) -> SpecVersion:
    return get_object_or_404(project.versions, number=number)


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get; htmx follows with a full page load (a run page connects its stream)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _messages_of(error: ValidationError, key: str) -> list[str]:
    if hasattr(error, "error_dict"):
        return list(error.message_dict.get(key) or error.messages)
    return list(error.messages)


# --- the engine's notes on the pending change, kept for the pages after a redirect ------------


def _notes_key(project: Project) -> str:
    return f"takoss:change-notes:{project.pk}"


def _notes_add(request: HtmxHttpRequest, project: Project, notes: list[str]) -> None:
    kept = request.session.get(_notes_key(project), [])
    request.session[_notes_key(project)] = [*kept, *(n for n in notes if n not in kept)]


def _notes_forget(request: HtmxHttpRequest, project: Project) -> None:
    request.session.pop(_notes_key(project), None)


# --- change requests and the requirements -----------------------------------------------------


def _plan(request: HtmxHttpRequest, project: Project) -> dict[str, Any] | None:
    """The pending plan: the draft, its diff and the notes on it; None when nothing is pending."""
    draft = draft_get(project)
    if draft is None:
        _notes_forget(request, project)
        return None
    return {
        "draft": draft,
        "diff": draft_diff(project, draft),
        "notes": request.session.get(_notes_key(project), []),
    }


def _render_changes(
    request: HtmxHttpRequest, project: Project, *, partial: str = "", **context: Any
) -> HttpResponse:
    context = {
        "project": project,
        "plan": _plan(request, project),
        "change_max": CHANGE_TEXT_MAX,
        **context,
    }
    template = f"{CHANGES}#{partial}" if partial and request.htmx else CHANGES
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The change box and the pending plan; a POST reads a change request into the plan."""
    project = _project(request, pk)
    if request.method == "GET":
        return _render_changes(request, project, partial="plan-review")
    text = request.POST.get("request", "")
    try:
        _draft, notes = change_read(project=project, user=request.user, text=text)
    except ValidationError as error:
        return _render_changes(
            request,
            project,
            partial="change-panel",
            change_text=text,
            change_error=_messages_of(error, "request"),
        )
    _notes_add(request, project, notes)
    if request.htmx:
        return _render_changes(request, project, partial="change-panel", focus_plan=True)
    return redirect("generator:changes", pk=project.pk)


@login_required
@require_POST
def requirements_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Save edited requirements; their new reading becomes the plan to review."""
    project = _project(request, pk)
    text = request.POST.get("requirements", "")
    try:
        requirements_update(project=project, user=request.user, requirements=text)
    except ValidationError as error:
        return _render_changes(
            request,
            project,
            partial="requirements",
            requirements_text=text,
            requirements_error=_messages_of(error, "requirements"),
        )
    _notes_forget(request, project)
    if request.htmx:  # the editor, closed on the new text, and the plan beside the change box
        context = {"project": project, "plan": _plan(request, project), "focus_plan": True}
        return render(request, f"{CHANGES}#requirements-saved", context)
    return redirect("generator:changes", pk=project.pk)


@login_required
@require_POST
def change_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Make the pending plan the next version and build it; on to the run's live tracker."""
    project = _project(request, pk)
    if draft_get(project) is None:
        return _plan_problem(request, project, "There is no pending change to build.")
    try:
        version, generation = draft_commit(project=project, user=request.user, build=True)
    except ConcurrencyLimitError as error:
        return _plan_problem(request, project, str(error))
    except ValidationError as error:
        return _plan_problem(request, project, " ".join(error.messages))
    _notes_forget(request, project)
    assert generation is not None  # build=True with a draft always starts a run
    messages.success(request, f"Saved version {version.number}; building it now.")
    return _go(request, reverse("generator:run", args=[project.pk, generation.number]))


def _plan_problem(request: HtmxHttpRequest, project: Project, problem: str) -> HttpResponse:
    if request.htmx:
        return _render_changes(request, project, partial="change-panel", plan_error=problem)
    messages.error(request, problem)
    return redirect("generator:changes", pk=project.pk)


@login_required
@require_POST
def change_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    kept = change_undo(project=project, user=request.user)
    _notes_forget(request, project)
    notice = (
        "Took back the last change; the plan edits and changes before it are still pending."
        if kept
        else "Discarded the pending change; nothing was built."
    )
    if request.htmx:
        return _render_changes(request, project, partial="change-panel", notice=notice)
    messages.info(request, notice)
    return redirect("generator:project", pk=project.pk)


# --- the history --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: SpecVersion
    builds: list[Generation]  # newest first
    built: Generation | None  # the newest verified build with a ZIP: what Download sends
    previous: int | None  # the number of the version before it

    @property
    def building(self) -> bool:
        return any(run.is_active for run in self.builds)


def _newest_verified(builds: list[Generation]) -> Generation | None:
    return next((r for r in builds if r.status == GENERATION_STATUS_SUCCEEDED and r.zip), None)


def _history_rows(project: Project) -> list[VersionRow]:
    builds = Prefetch("builds", queryset=Generation.objects.order_by("-number"))
    versions = list(project.versions.order_by("-number").prefetch_related(builds))
    rows = []
    for index, version in enumerate(versions):
        runs = list(version.builds.all())
        earlier = versions[index + 1].number if index + 1 < len(versions) else None
        rows.append(VersionRow(version, runs, _newest_verified(runs), earlier))
    return rows


def _render_history(
    request: HtmxHttpRequest, project: Project, *, notice: str = "", problem: str = ""
) -> HttpResponse:
    rows = _history_rows(project)
    context = {
        "project": project,
        "rows": rows,
        "next_number": rows[0].version.number + 1 if rows else 1,
        "polling": any(row.building for row in rows),
        "poll_seconds": POLL_SECONDS,
        "notice": notice,
        "problem": problem,
    }
    template = f"{HISTORY}#versions" if request.htmx else HISTORY
    return render(request, template, context)


@login_required
@require_GET
def versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_history(request, _project(request, pk))


@login_required
@require_GET
def version_download(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponseBase:
    """The ZIP of the version's newest verified build."""
    project = _project(request, pk)
    version = _version(project, number)
    built = _newest_verified(list(version.builds.order_by("-number")))
    if built is None:
        problem = f"Version {number} has no verified build to download yet: build it first."
    else:
        try:
            return archive.archive_download(built)
        except archive.FileMissing as missing:
            problem = str(missing)
    context = {"project": project, "version": version, "problem": problem}
    return render(request, NOT_BUILT, context, status=404)


@login_required
@require_POST
def version_build_start(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    project = _project(request, pk)
    version = _version(project, number)
    try:
        generation = version_build(version=version, user=request.user)
    except ConcurrencyLimitError as error:
        if request.htmx:
            return _render_history(request, project, problem=str(error))
        messages.error(request, str(error))
        return redirect(reverse("generator:project", args=[project.pk]) + "#versions")
    return _go(request, reverse("generator:run", args=[project.pk, generation.number]))


@login_required
@require_POST
def version_restore_start(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """Make an old version's plan the next version (nothing is lost, nothing is built)."""
    project = _project(request, pk)
    restored = version_restore(version=_version(project, number), user=request.user)
    notice = f"Restored version {number} as version {restored.number}: build it to get its files."
    if request.htmx:
        return _render_history(request, project, notice=notice)
    messages.success(request, notice)
    return redirect(reverse("generator:project", args=[project.pk]) + "#versions")


# --- comparing two versions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """The two versions asked for, or why they cannot be compared."""

    old: int | None
    new: int | None
    problem: str = ""


def _choose(query: QueryDict, numbers: list[int]) -> Choice:
    """Read ``from`` and ``to``; with neither, the latest version against the one before it."""
    if len(numbers) < 2:
        return Choice(None, None, "This project has fewer than two versions: nothing to compare.")
    raw = {key: query.get(key, "").strip() for key in ("from", "to")}
    if not raw["from"] and not raw["to"]:
        return Choice(numbers[-2], numbers[-1])
    picked: dict[str, int | None] = {}
    problems = []
    for key, value in raw.items():
        picked[key] = int(value) if value.isdigit() else None
        if not value:
            problems.append(f"Choose a version to compare {key}.")
        elif picked[key] is None:
            problems.append(f"“{value}” is not a version number.")
        elif picked[key] not in numbers:
            problems.append(f"This project has no version {value}.")
            picked[key] = None
    if not problems and picked["from"] == picked["to"]:
        problems.append("Choose two different versions.")
    return Choice(picked["from"], picked["to"], " ".join(problems))


@dataclass(frozen=True, slots=True)
class FileDiff:
    path: str
    status: str
    additions: int
    deletions: int
    html: str  # the highlighted diff; empty when summed up or too long to show
    note: str  # the engine's sentence for a binary or huge file


def _highlighted(files: list[dict[str, Any]]) -> list[FileDiff]:
    formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
    lexer = DiffLexer()
    return [
        FileDiff(
            path=file["path"],
            status=file["status"],
            additions=file["additions"],
            deletions=file["deletions"],
            html=""
            if file.get("summarised") or len(file["diff"]) > MAX_DIFF_CHARS
            else highlight(file["diff"], lexer, formatter),
            note=file["diff"] if file.get("summarised") else "",
        )
        for file in files
    ]


@login_required
@require_GET
def compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two versions side by side: what the plan changed, and each file's unified diff."""
    project = _project(request, pk)
    numbers = list(project.versions.order_by("number").values_list("number", flat=True))
    choice = _choose(request.GET, numbers)
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "project": project,
        "numbers": numbers[::-1],
        "choice": choice,
        "query": query,
    }
    if not choice.problem and choice.old is not None and choice.new is not None:
        diff = version_diff(
            project=project, old=_version(project, choice.old), new=_version(project, choice.new)
        )
        files = diff["files"] or []
        shown = [file for file in files if query.lower() in file["path"].lower()]
        context.update(
            diff=diff,
            file_total=len(files),
            files=_highlighted(shown),
            open_files=len(shown) <= OPEN_FILES_UP_TO,
        )
    template = COMPARE
    if request.htmx:
        template += "#compare-files" if request.htmx.target == "compare-files" else "#comparison"
    return render(request, template, context)
