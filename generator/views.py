"""The web pages of projects and runs: thin views that parse input, call services, render.

Every object is looked up through ``visible_to`` (the owner's, or any for staff), so a stranger
gets 404 and never learns an object exists. For htmx requests the views answer with a named
partial of the same page template (``page.html#partial``).

The project page renders a live run from its event history and then connects htmx's SSE
extension to the run's channel from the channel's event id read *before* that history (see
:func:`_live_context`): an event landing in between is replayed, never missed, and replaying it
is harmless because every fragment is idempotent (generator/tracker.py).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_eventstream import get_current_event_id
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails
from rest_framework.throttling import UserRateThrottle

from accounts.models import ExperienceLevel, User
from generator import archive
from generator.api.throttling import ClientAddressThrottle
from generator.constants import GENERATION_STATUS_SUCCEEDED
from generator.diagrams import er_diagram_svg
from generator.engine import naming
from generator.engine.stacks import DEFAULT_STACK
from generator.examples import EXAMPLES, example_get
from generator.forms import (
    MODEL_FIELDS,
    WIZARD_STEPS,
    WIZARD_TITLES,
    ProjectQuickForm,
    ProjectWizardForm,
    model_initial,
)
from generator.models import Generation, Project
from generator.providers import BudgetExceededError
from generator.publishing import channel_name
from generator.services import (
    ConcurrencyLimitError,
    RunInProgressError,
    generation_cancel,
    generation_regenerate,
    project_clean,
    project_create_and_start,
    project_delete,
)
from generator.timeline import run_timeline
from generator.tracker import tracker_state
from generator.views_preview import panel_context

PROJECTS_PER_PAGE = 10
PAGE = "generator/project.html"
# The project page's right-hand tabs (templates/generator/project.html, static/js/takoss.js).
WORKSPACE_TABS = [
    ("preview", "Preview"),
    ("code", "Code"),
    ("diagram", "Diagram"),
    ("checks", "Checks"),
    ("diff", "Diff"),
]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """What @login_required and django-htmx's middleware guarantee, for the type checker."""

    user: User


# --- dashboard ------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    projects = Project.objects.visible_to(request.user).search(query).with_last_run()
    projects = projects.select_related("owner")
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    _add_last_success(page.object_list)
    context = {
        "page": page,
        "query": query,
        "examples": EXAMPLES,
        "has_projects": query != "" or page.paginator.count > 0,
    }
    template = "generator/dashboard.html"
    if request.htmx and request.htmx.target == "project-list":
        template += "#project-list"
    return render(request, template, context)


@login_required
@require_GET
def project_row(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One dashboard row, polled while its last run is in progress."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).with_last_run().select_related("owner"), pk=pk
    )
    _add_last_success([project])
    return render(request, "generator/dashboard.html#project-row", {"project": project})


def _add_last_success(projects: Any) -> None:
    """Set ``last_success`` (the newest succeeded run, or None) and ``entity_count`` (its
    spec's, or None) on each project: the dashboard shows them, with the run's download link,
    so two projects of the same name can be told apart."""
    projects = list(projects)
    newest = Generation.objects.filter(
        project=OuterRef("pk"), status=GENERATION_STATUS_SUCCEEDED
    ).order_by("-number")
    ids = Project.objects.filter(pk__in=[p.pk for p in projects]).annotate(
        run_id=Subquery(newest.values("pk")[:1])
    )
    runs = Generation.objects.filter(pk__in=[i for i in ids.values_list("run_id", flat=True) if i])
    by_project = {run.project_id: run for run in runs.only("pk", "project_id", "number", "spec")}
    for project in projects:
        project.last_success = by_project.get(project.pk)
        spec = project.last_success.spec if project.last_success else None
        project.entity_count = len(spec.get("entities") or []) if isinstance(spec, dict) else None


# --- new project ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.POST.get("form_kind") or request.GET.get("form")
    if kind not in {"quick", "wizard"}:
        experienced = request.user.experience_level == ExperienceLevel.EXPERIENCED
        kind = "quick" if experienced else "wizard"
    if kind == "quick":
        return _quick_form(request)
    return _wizard(request)


def _example_initial(request: HtmxHttpRequest) -> dict[str, str]:
    example = example_get(request.GET.get("example", ""))
    if example is None:
        return {}
    return {
        "name": example.name,
        "description": example.description,
        "requirements": example.requirements,
    }


def _quick_form(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProjectQuickForm(request.POST)
        if form.is_valid():
            started = _create_and_start(request, form, **form.cleaned_data)
            if started is not None:
                return started
        else:  # show every problem at once, not the form's first and the service's later
            values = {name: form.cleaned_data.get(name, "") for name in WIZARD_STEPS}
            try:
                project_clean(stack=DEFAULT_STACK, **values)
            except ValidationError as error:
                form.add_service_errors(error, skip=set(form.errors))
    else:
        initial = {"stack": DEFAULT_STACK, **model_initial(), **_example_initial(request)}
        form = ProjectQuickForm(initial=initial)
    return _render_new(request, {"form": form, "kind": "quick", "examples_all": EXAMPLES})


def _wizard(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ProjectWizardForm(initial={**model_initial(), **_example_initial(request)})
        return _render_new(request, _wizard_context(form, 1))
    posted = ProjectWizardForm(request.POST)
    posted.is_valid()  # every field is optional here: cleaning only strips and types them
    values = {name: posted.cleaned_data.get(name, "") for name in WIZARD_STEPS}
    choice = {
        name: posted.cleaned_data.get(name) or posted.data.get(name, "") for name in MODEL_FIELDS
    }
    step = min(max(posted.cleaned_data.get("step") or 1, 1), len(WIZARD_STEPS))
    action = request.POST.get("action", "next")
    example = example_get(request.POST.get("example", ""))
    if example is not None:  # "use this example" fills the current step's field
        values[WIZARD_STEPS[step - 1]] = getattr(example, WIZARD_STEPS[step - 1])
    form = ProjectWizardForm({**values, **choice, "step": step})
    form.is_valid()
    if example is not None:
        return _render_new(request, _wizard_context(form, step))
    if action == "back":
        return _render_new(request, _wizard_context(form, max(step - 1, 1)))
    if step == len(WIZARD_STEPS):  # "create", or Enter pressed in the last step
        started = _create_and_start(request, form, stack=DEFAULT_STACK, **values, **choice)
        if started is not None:
            return started
        first = next((n for n, f in enumerate(WIZARD_STEPS, 1) if form.has_error(f)), step)
        return _render_new(request, _wizard_context(form, first))
    try:  # only the steps done so far: requirements are not read before their step
        project_clean(stack=DEFAULT_STACK, only=WIZARD_STEPS[:step], **values)
    except ValidationError as error:
        first = form.add_service_errors(error, upto=step)
        if first:
            return _render_new(request, _wizard_context(form, first))
    next_form = ProjectWizardForm({**values, **choice})
    return _render_new(request, _wizard_context(next_form, step + 1, fresh=True))


def _wizard_context(form: ProjectWizardForm, step: int, *, fresh: bool = False) -> dict[str, Any]:
    if fresh:  # moving on: show the next step without judging its empty field yet
        names = (*WIZARD_STEPS, *MODEL_FIELDS)
        form = ProjectWizardForm(initial={name: form.data.get(name, "") for name in names})
    field = WIZARD_STEPS[step - 1]
    is_last = step == len(WIZARD_STEPS)
    form.fields[field].widget.attrs["autofocus"] = True
    return {
        "form": form,
        "kind": "wizard",
        "step": step,
        "steps": [(n, WIZARD_TITLES[name]) for n, name in enumerate(WIZARD_STEPS, 1)],
        "step_field": form[field],
        "step_title": WIZARD_TITLES[field],
        "carried": [
            form[name]
            for name in (*WIZARD_STEPS, *([] if is_last else MODEL_FIELDS))
            if name != field
        ],
        "model_fields": [form[name] for name in MODEL_FIELDS] if is_last else [],
        "is_last": is_last,
        "examples": [(e, getattr(e, field)) for e in EXAMPLES],
    }


def _create_and_start(
    request: AuthenticatedHttpRequest,
    form: ProjectQuickForm | ProjectWizardForm,
    *,
    name: str,
    description: str,
    requirements: str,
    stack: str,
    provider: str = "",
    model: str = "",
    base_url: str = "",
) -> HttpResponse | None:
    """Start the project, or put the reason on ``form`` and return None."""
    try:
        generation = project_create_and_start(
            owner=request.user,
            name=name,
            description=description,
            requirements=requirements,
            stack=stack,
            provider=provider,
            model=model,
            base_url=base_url,
        )
    except ValidationError as error:
        if isinstance(form, ProjectWizardForm):
            form.add_service_errors(error, upto=len(WIZARD_STEPS))
        else:
            form.add_service_errors(error)
        return None
    except (ConcurrencyLimitError, BudgetExceededError) as error:
        form.add_error(None, str(error))
        return None
    url = reverse("generator:run", args=[generation.project_id, generation.number])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _render_new(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = "generator/project_new.html"
    if request.htmx:
        template += "#new-project"
    form = context["form"]
    if context["kind"] == "quick" or context["step_field"].name == "requirements":
        values = {name: form[name].value() or "" for name in WIZARD_STEPS}
        context["understanding"] = understanding_read(**values)
    return render(request, template, context)


# --- live understanding -----------------------------------------------------------------------

UNDERSTANDING_BODY = "generator/understanding.html#understanding-body"
UNDERSTAND_RATE = "120/minute"  # typing sends one request per pause: far fewer than this


class UnderstandThrottle(ClientAddressThrottle, UserRateThrottle):
    """The site's rate limiter (DRF's, on the default cache), per user, for the live panel."""

    scope = "understand"

    def get_rate(self) -> str:
        return UNDERSTAND_RATE


def understanding_read(
    *, name: str = "", description: str = "", requirements: str
) -> dict[str, Any]:
    """What the panel shows for ``requirements``: a hint, why the text is refused (the words
    the form would use, at the form's length limit), or the spec read from it and its diagram."""
    if not requirements.strip():
        return {"state": "empty"}
    try:
        project_clean(
            name=name, requirements=requirements, stack=DEFAULT_STACK, only=("requirements",)
        )
    except ValidationError as error:
        return {"state": "problem", "message": " ".join(error.messages)}
    from generator.engine.analysis import analyze  # loads the parser: see services.py

    readable = name if naming.app_slug(name) else ""  # the form, not the panel, says why not
    spec = analyze(requirements.strip(), name=readable, description=description.strip()).to_dict()
    return {"state": "understood", "spec": spec, "er_svg": er_diagram_svg(spec)}


@login_required
@require_POST
def project_understand(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new-project page's live panel: the reading of the requirements typed so far."""
    throttle = UnderstandThrottle()
    if not throttle.allow_request(request, None):  # type: ignore[arg-type]
        wait = math.ceil(throttle.wait() or 1)
        message = f"Too many updates in a row; the panel follows your text again in {wait} s."
        context = {"understanding": {"state": "limited", "message": message}}
        return render(request, UNDERSTANDING_BODY, context, status=429)
    values = {name: request.POST.get(name, "") for name in WIZARD_STEPS}
    return render(request, UNDERSTANDING_BODY, {"understanding": understanding_read(**values)})


# --- a project and its runs ---------------------------------------------------------------


def _project(request: AuthenticatedHttpRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user), pk=pk)


def _run(project: Project, number: int) -> Generation:
    return get_object_or_404(Generation.objects.for_project(project), number=number)


@login_required
@require_GET
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    generation = project.generations.order_by("-number").first()
    return _render_run(request, project, generation)


@login_required
@require_GET
def run_detail(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    project = _project(request, pk)
    return _render_run(request, project, _run(project, number))


@login_required
@require_GET
def run_file(request: AuthenticatedHttpRequest, pk: int, number: int, path: str) -> HttpResponse:
    project = _project(request, pk)
    generation = _run(project, number)
    if request.GET.get("download"):
        return _file_download(generation, path)
    try:
        viewed = archive.archive_view(generation, path)
    except archive.FileMissing as missing:
        raise Http404(str(missing)) from None
    if request.htmx:
        context = {"project": project, "generation": generation, "viewed": viewed}
        return render(request, f"{PAGE}#code-viewer", context)
    return _render_run(request, project, generation, viewed=viewed)


def _file_download(generation: Generation, path: str) -> HttpResponse:
    """One generated file as an attachment (the code viewer's Download button)."""
    try:
        data = archive.archive_read(generation, path)
    except archive.FileMissing as missing:
        raise Http404(str(missing)) from None
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=path.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def run_download(request: AuthenticatedHttpRequest, pk: int, number: int) -> FileResponse:
    project = _project(request, pk)
    generation = _run(project, number)
    try:
        return archive.archive_download(generation)
    except archive.FileMissing as missing:
        raise Http404(str(missing)) from None


@login_required
@require_POST
def run_cancel(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    project = _project(request, pk)
    generation = generation_cancel(generation=_run(project, number), user=request.user)
    if request.htmx:
        context = {"project": project, "generation": generation, "cancelling": True}
        return render(request, f"{PAGE}#cancel-form", context)
    messages.info(request, "Cancelling the run.")
    return redirect("generator:run", pk=project.pk, number=generation.number)


@login_required
@require_POST
def project_regenerate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    try:
        generation = generation_regenerate(project=project, user=request.user)
    except ValidationError as error:
        messages.error(request, f"This project cannot run again: {' '.join(error.messages)}")
        return redirect("generator:project", pk=project.pk)
    except (ConcurrencyLimitError, BudgetExceededError) as error:
        messages.error(request, str(error))
        return redirect("generator:project", pk=project.pk)
    except RunInProgressError as error:
        messages.error(request, str(error))
        return redirect("generator:run", pk=project.pk, number=error.generation.number)
    return redirect("generator:run", pk=project.pk, number=generation.number)


@login_required
@require_http_methods(["GET", "POST"])
def project_delete_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if request.method == "POST":
        name = project.name
        project_delete(project=project, user=request.user)
        messages.success(request, f"Deleted “{name}” and all its runs.")
        return redirect("generator:dashboard")
    return render(request, "generator/project_delete.html", {"project": project})


def _render_run(
    request: HtmxHttpRequest,
    project: Project,
    generation: Generation | None,
    *,
    viewed: archive.ViewedFile | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"project": project, "generation": generation, "viewed": viewed}
    if generation is not None:
        context.update(_run_context(generation))
        context.update(_diff_context(project, generation))
    context["workspace_tabs"] = WORKSPACE_TABS
    live = bool(context.get("live"))  # a live run's files stream into the Code tab
    context["workspace_tab"] = "code" if viewed is not None or live else "preview"
    if request.htmx:
        # The run's own section (e.g. after its last live event), plus the history's new badge
        # (run-refresh marks only the history out-of-band: partials inside #run that htmx took
        # for out-of-band swaps would be pulled out of the new section and lost).
        context.update(_runs_context(project))
        return render(request, f"{PAGE}#run-refresh", context)
    context.update(_runs_context(project))
    context["panel"] = panel_context(project, request)["panel"]
    return render(request, PAGE, context)


def _diff_context(project: Project, generation: Generation) -> dict[str, Any]:
    """The Diff tab compares the version this run built with the version before it."""
    version = generation.version
    if version is None:
        return {}
    number = version.number
    earlier = (
        project.versions.filter(number__lt=number)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return {"diff_from": earlier, "diff_to": number} if earlier is not None else {}


def _runs_context(project: Project) -> dict[str, Any]:
    """The project's runs, newest first, and the one still queued or running (Regenerate is
    disabled while there is one)."""
    runs = list(project.generations.order_by("-number"))
    return {"runs": runs, "live_run": next((run for run in runs if run.is_active), None)}


def _run_context(generation: Generation) -> dict[str, Any]:
    if generation.is_active:
        live = _live_context(generation)
        if live is not None:
            return live
    events = list(generation.events.all())
    context: dict[str, Any] = {"tracker": tracker_state(events), "live": False}
    context["timeline"] = run_timeline(generation.timings, context["tracker"])
    spec = generation.spec or {}
    context["spec"] = spec
    context["er_svg"] = er_diagram_svg(spec) if spec else ""
    context["complexity"] = generation.complexity
    context["verification"] = generation.verification
    if generation.status == GENERATION_STATUS_SUCCEEDED and generation.zip:
        try:
            context["tree"] = archive.archive_tree(list(archive.archive_members(generation)))
        except archive.ArchiveGone as gone:
            context["archive_gone"] = str(gone)
    return context


def _live_context(generation: Generation) -> dict[str, Any] | None:
    """The state of a live run, and where its stream continues; None if it just ended."""
    # The channel's position first, the history second: an event published in between is
    # then both in the history and replayed, never in neither.
    last_id = get_current_event_id([channel_name(generation.pk)])
    generation.refresh_from_db()
    if not generation.is_active:
        return None
    events = list(generation.events.all())
    query = urlencode({"lastEventId": last_id})
    return {
        "tracker": tracker_state(events),
        "live": True,
        "stream_url": f"{reverse('generator:events', args=[generation.pk])}?{query}",
    }
