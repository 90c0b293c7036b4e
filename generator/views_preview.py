"""The project page's Preview panel: start, restart, stop, sign in as a demo user.

Buttons are plain POST forms that redirect back to the project page (htmx swaps the panel
instead). Starting signs the browser into the preview as the first demo user; the chooser
switches to another one. The preview itself is served by generator/preview_proxy.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from generator.engine.preview import DemoUser
from generator.models import Project
from generator.preview import (
    Preview,
    PreviewBusy,
    PreviewNotFound,
    PreviewUnavailable,
    preview_build,
    preview_get,
    preview_start,
    preview_stop,
)
from generator.preview_proxy import COOKIE_PREFIX

if TYPE_CHECKING:
    from generator.views import AuthenticatedHttpRequest

PANEL = "generator/preview.html#preview-panel"


def _project(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user), pk=pk)


_CHOSEN = "preview-user-{}"  # the session key of the demo user chosen for a project's preview


def panel_context(project: Project, request: HttpRequest) -> dict[str, Any]:
    """What the panel shows: the preview (if any), its build, the versions, who is signed in."""
    try:
        build = preview_build(project)
    except PreviewUnavailable:
        build = None
    versions = (
        project.versions.filter(builds__status="succeeded").distinct().order_by("-number")
        if build is not None
        else []
    )
    preview = preview_get(project)
    signed_in = ""
    if preview is not None:  # the preview's cookie is scoped to its prefix: the session says
        chosen = request.session.get(_CHOSEN.format(project.pk), "") if hasattr(
            request, "session") else ""  # fmt: skip
        key = request.COOKIES.get(COOKIE_PREFIX + preview.session_cookie)
        signed_in = next((u.username for u in preview.users if u.session_key == key), chosen)
    return {
        "project": project,
        "panel": {"preview": preview, "build": build, "versions": versions, "signed_in": signed_in},
    }


def _answer(request: HttpRequest, project: Project, problem: str = "") -> HttpResponse:
    """The panel (htmx) or the project page at the panel, with ``problem`` shown."""
    if getattr(request, "htmx", False):
        context = panel_context(project, request)
        context["panel"]["problem"] = problem
        return render(request, PANEL, context)
    if problem:
        messages.error(request, problem)
    return redirect(reverse("generator:project", args=[project.pk]) + "#preview")


def remember(request: HttpRequest, preview: Preview, user: DemoUser) -> None:
    if hasattr(request, "session"):
        request.session[_CHOSEN.format(preview.project_id)] = user.username


def sign_in(response: HttpResponse, request: HttpRequest, preview: Preview, user: DemoUser) -> None:
    """Give the browser the preview's session of ``user`` (renamed and scoped like the proxy's),
    and remember the choice for the panel (which never sees the preview's cookie)."""
    remember(request, preview, user)
    response.set_cookie(
        COOKIE_PREFIX + preview.session_cookie,
        user.session_key,
        path=preview.url,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


@login_required
@require_GET
def preview_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, PANEL, panel_context(_project(request, pk), request))


@login_required
@require_POST
def preview_start_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    raw = request.POST.get("version", "").strip()
    version = int(raw) if raw.isascii() and raw.isdigit() else None
    try:
        preview = preview_start(project=project, user=request.user, version=version)
    except (PreviewUnavailable, PreviewNotFound, PreviewBusy) as problem:
        return _answer(request, project, str(problem))
    if not preview.running:
        reason = preview.error or preview.stop_reason
        return _answer(request, project, f"The preview did not start: {reason}")
    if preview.users:
        remember(request, preview, preview.users[0])
    response = _answer(request, project)
    if preview.users:
        sign_in(response, request, preview, preview.users[0])
    return response


@login_required
@require_POST
def preview_stop_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    preview_stop(project=project, user=request.user)
    return _answer(request, project)


@login_required
@require_POST
def preview_sign_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    preview = preview_get(project)
    user = preview.user(request.POST.get("username", "")) if preview is not None else None
    if preview is None or user is None or not preview.running:
        return _answer(request, project, "Start the preview, then choose one of its demo users.")
    remember(request, preview, user)
    response = _answer(request, project)
    sign_in(response, request, preview, user)
    return response
