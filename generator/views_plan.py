"""The plan page: a project's draft spec as a model to edit, one edit per post, then build it.

The page shows ``services.draft_start`` (the pending draft, else a fresh one from the latest
version, else the reading of the requirements). Each edit posts one small form
(generator/forms_plan.py) that becomes one engine operation for ``services.draft_apply``. An
htmx request gets the page's ``plan`` partial back, re-rendered: the edit applied and the
diagram redrawn, or the problems beside the form that made them, what was typed kept and the
draft unchanged. A plain post is redirected back to the page (or gets the page with the
problems). Build, Save as version and Discard are plain posts that navigate.

Every form names the part of the plan it edits with a ``key`` ("e0" an entity, "e0-f1" its
second field, "rel-2" a relationship, …) so problems land beside it. The new-project page's
"Review plan" button posts its form here (``formaction``) to ``services.project_plan``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from generator.diagrams import er_diagram_svg
from generator.engine.editing import rule_words
from generator.engine.spec import (
    ACCESS_WORDS,
    USER,
    Access,
    AppSpec,
    Entity,
    FieldSpec,
    FieldType,
    RelationKind,
    Relationship,
    SpecError,
    default_link_name,
)
from generator.engine.stacks import DEFAULT_STACK
from generator.examples import EXAMPLES
from generator.forms import WIZARD_STEPS, ProjectQuickForm, ProjectWizardForm
from generator.forms_plan import (
    ACCESS_LABELS,
    COMPARE_LABELS,
    FEATURE_LABELS,
    FIELD_TYPE_LABELS,
    KIND_LABELS,
    LENGTH_TYPES,
    NUMERIC_TYPES,
    SpecUploadForm,
    choices_text,
    edit_form,
    form_problems,
    number_text,
    on_delete_labels,
)
from generator.models import Project
from generator.services import (
    ConcurrencyLimitError,
    Draft,
    draft_apply,
    draft_commit,
    draft_diff,
    draft_discard,
    draft_get,
    draft_replace,
    draft_start,
    project_clean,
    project_plan,
)
from generator.templatetags.spec_words import relationship_sentence
from generator.views import AuthenticatedHttpRequest, _render_new, _wizard_context

PAGE = "generator/plan.html"
KEY = re.compile(r"[a-z0-9-]{1,40}")
# A field's settings folded under "Limits and wording": they stay unfolded after a change.
MORE = frozenset({"min_value", "max_value", "max_length", "default", "label", "help_text"})


@dataclass(frozen=True, slots=True)
class Failure:
    """An edit that did not apply: which form (``key``), why, and what it posted."""

    key: str
    messages: list[str]
    posted: dict[str, str]

    @property
    def part(self) -> str:
        """The part of the plan the form edits: "e0-f1-change" -> "e0-f1"."""
        return self.key.rsplit("-", 1)[0]


@dataclass(slots=True)
class _Shown:
    """Hands each part of the plan its problems and typed values, and keeps what no part took."""

    failure: Failure | None
    taken: bool = False

    def errors(self, part: str) -> list[str]:
        if self.failure is None or self.failure.part != part:
            return []
        self.taken = True
        return self.failure.messages

    def typed(self, part: str, name: str, default: str) -> str:
        """What the failed form had in ``name``, else ``default``."""
        if self.failure is None or self.failure.part != part:
            return default
        return self.failure.posted.get(name, default)

    def left_over(self) -> list[str]:
        return self.failure.messages if self.failure and not self.taken else []


@dataclass(slots=True)
class FieldRow:
    key: str
    field: FieldSpec
    name: str
    type: str
    choices: str
    errors: list[str]
    min_value: str = ""
    max_value: str = ""
    max_length: str = ""
    default: str = ""
    opened: bool = False  # "Limits and wording" unfolded: it was just changed

    @property
    def is_enum(self) -> bool:
        return self.type == FieldType.ENUM

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def has_length(self) -> bool:
        return self.type in LENGTH_TYPES

    @property
    def is_boolean(self) -> bool:
        return self.type == FieldType.BOOLEAN

    @property
    def can_be_unique(self) -> bool:
        kinds = {FieldType.BOOLEAN, FieldType.ENUM, FieldType.JSON, FieldType.FILE, FieldType.IMAGE}
        return self.type not in kinds


@dataclass(slots=True)
class EntityCard:
    key: str
    entity: Entity
    name: str
    errors: list[str]
    fields: list[FieldRow]
    new_field: dict[str, Any]
    new_field_errors: list[str]
    rules: list[RuleRow]
    members: list[str]  # what a rule may name: its fields, then its links' fields
    rule_errors: list[str]


@dataclass(slots=True)
class RuleRow:
    words: str  # "end_date after start_date", "one per student and course"
    op: str  # the operation that removes it
    fields: list[str]  # its fields (a comparison: the field and the other)


@dataclass(slots=True)
class RelationRow:
    key: str
    relation: Relationship
    sentence: str
    flipped: str  # the sentence after a flip; "" when it cannot flip (a link to the user)
    on_delete: list[tuple[str, str]]
    errors: list[str]

    @property
    def many_to_many(self) -> bool:
        return self.relation.kind == RelationKind.MANY_TO_MANY


def _project(request: AuthenticatedHttpRequest, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user), pk=pk)


def _plural(spec: AppSpec, name: str) -> str:
    entity = spec.entity(name)
    return entity.plural if entity else f"{name}s"


def _field_row(key: str, field: FieldSpec, shown: _Shown, opened: str) -> FieldRow:
    return FieldRow(
        key=key,
        field=field,
        name=shown.typed(key, "new", field.name),
        type=shown.typed(key, "type", field.type.value),
        choices=shown.typed(key, "choices", choices_text(field)),
        errors=shown.errors(key),
        min_value=shown.typed(key, "min_value", number_text(field.min_value)),
        max_value=shown.typed(key, "max_value", number_text(field.max_value)),
        max_length=shown.typed(key, "max_length", str(field.max_length or "")),
        default=shown.typed(key, "default", "" if field.default is None else str(field.default)),
        opened=opened == key,
    )


def _rules(entity: Entity) -> list[RuleRow]:
    rows = [
        RuleRow(rule_words(rule, entity), "remove_comparison", [rule.field, rule.other])
        for rule in entity.comparisons
    ]
    rows += [
        RuleRow(rule_words(rule, entity), "remove_unique_together", list(rule.fields))
        for rule in entity.unique_together
    ]
    return rows


def _members(spec: AppSpec, entity: Entity) -> list[str]:
    links = [
        rel.name or default_link_name(rel.kind, rel.target)
        for rel in spec.relationships_from(entity.name)
        if rel.kind != RelationKind.MANY_TO_MANY
    ]
    return [f.name for f in entity.fields] + links


def _card(spec: AppSpec, index: int, entity: Entity, shown: _Shown, opened: str) -> EntityCard:
    key = f"e{index}"
    new = f"{key}-new"
    return EntityCard(
        key=key,
        entity=entity,
        name=shown.typed(key, "new", entity.name),
        errors=shown.errors(key),
        fields=[
            _field_row(f"{key}-f{number}", item, shown, opened)
            for number, item in enumerate(entity.fields)
        ],
        new_field={
            "name": shown.typed(new, "name", ""),
            "type": shown.typed(new, "type", FieldType.STRING.value),
            "choices": shown.typed(new, "choices", ""),
        },
        new_field_errors=shown.errors(new),
        rules=_rules(entity),
        members=_members(spec, entity),
        rule_errors=shown.errors(f"{key}-rules"),
    )


def _relation_row(
    spec: AppSpec, data: dict[str, Any], index: int, relation: Relationship, shown: _Shown
) -> RelationRow:
    plain = relation.model_dump(mode="json")
    flipped = ""
    if relation.target != USER:
        turned = {**plain, "source": relation.target, "target": relation.source, "name": ""}
        flipped = relationship_sentence(turned, data)
    key = f"rel-{index}"
    return RelationRow(
        key=key,
        relation=relation,
        sentence=relationship_sentence(plain, data),
        flipped=flipped,
        on_delete=[
            (value.value, label)
            for value, label in on_delete_labels(_plural(spec, relation.source)).items()
        ],
        errors=shown.errors(key),
    )


def _start(project: Project) -> tuple[Draft | None, str]:
    """The draft, or None and why: a project without versions whose text reads as nothing."""
    try:
        return draft_start(project), ""
    except ValidationError as error:
        return None, " ".join(error.messages)


def _plan_context(
    project: Project,
    draft: Draft,
    *,
    failure: Failure | None = None,
    upload: SpecUploadForm | None = None,
    opened: str = "",
) -> dict[str, Any]:
    spec = draft.spec
    data = spec.to_dict()
    shown = _Shown(failure)
    context = {
        "project": project,
        "draft": draft,
        "spec": spec,
        "pending": project.draft is not None,
        "edit_url": reverse("generator:plan_edit", args=[project.pk]),
        "cards": [_card(spec, n, entity, shown, opened) for n, entity in enumerate(spec.entities)],
        "compare_labels": COMPARE_LABELS,
        "access_labels": {access.value: label for access, label in ACCESS_LABELS.items()},
        "relations": [
            _relation_row(spec, data, n, r, shown) for n, r in enumerate(spec.relationships)
        ],
        "new_entity": {"name": shown.typed("entity-new", "name", "")},
        "new_entity_errors": shown.errors("entity-new"),
        "new_relation_errors": shown.errors("rel-new"),
        "roles_errors": shown.errors("roles"),
        "features_errors": shown.errors("features"),
        "notes_errors": shown.errors("notes"),
        "type_options": [(t.value, label) for t, label in FIELD_TYPE_LABELS.items()],
        "kind_options": [(k.value, label) for k, label in KIND_LABELS.items()],
        "feature_options": [(c.value, label) for c, label in FEATURE_LABELS.items()],
        "features": [(f, FEATURE_LABELS[f.category]) for f in spec.features],
        "targets": [*(e.name for e in spec.entities), USER],
        "on_delete_options": [
            (value.value, label) for value, label in on_delete_labels("linked records").items()
        ],
        "er_svg": er_diagram_svg(data),
        "diff": draft_diff(project, draft) if draft.base is not None else None,
        "upload": upload or SpecUploadForm(),
    }
    context["general_errors"] = shown.left_over()
    return context


def _render_plan(
    request: AuthenticatedHttpRequest,
    project: Project,
    *,
    status: str = "",
    **extra: Any,
) -> HttpResponse:
    """The page, or its ``plan`` partial (and the status sentence) for htmx."""
    draft, unreadable = _start(project)
    if draft is None:
        upload = extra.get("upload") or SpecUploadForm()
        context = {"project": project, "unreadable": unreadable, "upload": upload}
    else:
        context = _plan_context(project, draft, **extra)
    context["status"] = status
    return render(request, f"{PAGE}#plan-update" if request.htmx else PAGE, context)


def _done(
    request: AuthenticatedHttpRequest,
    project: Project,
    words: str,
    *,
    notes: tuple[str, ...] = (),
    **extra: Any,
) -> HttpResponse:
    """After an edit that applied: the new plan for htmx, a redirect back for a plain post.

    The page shows the engine's ``notes`` (what the edit implied) in the plan; the status line
    says them after ``words`` for screen readers."""
    if request.htmx:
        return _render_plan(request, project, status=" ".join([words, *notes]), **extra)
    messages.success(request, words)
    return redirect("generator:plan", pk=project.pk)


# --- the page and its edits -------------------------------------------------------------------


@login_required
@require_GET
def plan_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_plan(request, _project(request, pk))


@login_required
@require_POST
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    draft, _ = _start(project)
    if draft is None:
        return _render_plan(request, project)
    key = request.POST.get("key", "")
    key = key if KEY.fullmatch(key) else "plan-edit"
    posted = {name: request.POST.get(name, "") for name in request.POST}
    form = edit_form(request.POST, draft.spec)
    if form is None:
        problems = ["This page cannot make that edit; reload it and try again."]
    elif not form.is_valid():
        problems = form_problems(form)
    else:
        if form.changes_nothing():
            return _done(request, project, "Nothing changed.")
        op = form.to_op()
        try:
            draft = draft_apply(project=project, user=request.user, ops=[op])
        except ValidationError as error:
            problems = error.message_dict.get("ops", error.messages)
        else:
            opened = key.rsplit("-", 1)[0] if MORE.intersection(op.get("changes", ())) else ""
            return _done(request, project, describe(op), notes=draft.notes, opened=opened)
    return _render_plan(request, project, failure=Failure(key, problems, posted))


@login_required
@require_POST
def plan_spec(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A whole spec pasted or uploaded becomes the draft (each problem listed when it cannot)."""
    project = _project(request, pk)
    upload = SpecUploadForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            spec = AppSpec.from_text(upload.cleaned_data["text"])
            draft_replace(project=project, user=request.user, spec=spec)
        except (SpecError, ValidationError) as error:
            upload.add_error(None, error.messages)
        else:
            return _done(request, project, "The plan is now the spec you gave.")
    return _render_plan(request, project, upload=upload)


@login_required
@require_POST
def plan_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Build the plan (``action=build``) or save it as the next version without building."""
    project = _project(request, pk)
    build = request.POST.get("action", "build") != "save"
    try:
        if draft_get(project) is None and not project.versions.exists():
            # The plan shown was read from the requirements and never saved: save it as it is.
            draft_apply(project=project, user=request.user, ops=[])
        version, generation = draft_commit(project=project, user=request.user, build=build)
    except (ValidationError, ConcurrencyLimitError) as error:
        words = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, words)
        return redirect("generator:plan", pk=project.pk)
    if generation is None:
        messages.success(request, f"Saved as version {version.number}, not built.")
        return redirect("generator:project", pk=project.pk)
    return redirect("generator:run", pk=project.pk, number=generation.number)


@login_required
@require_POST
def plan_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    draft_discard(project=project, user=request.user)
    messages.info(request, "Discarded the changes to the plan.")
    return redirect("generator:plan", pk=project.pk)


# --- "Review plan" on the new-project page ------------------------------------------------------


@login_required
@require_POST
def project_new_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create the project with its plan waiting for review (no run), and open the plan."""
    wizard = request.POST.get("form_kind") == "wizard"
    form = ProjectWizardForm(request.POST) if wizard else ProjectQuickForm(request.POST)
    form.is_valid()
    values = {name: form.cleaned_data.get(name, "") for name in WIZARD_STEPS}
    stack = form.cleaned_data.get("stack") or DEFAULT_STACK
    try:
        if form.errors:  # a stack the form does not offer: say what else is wrong too
            project_clean(stack=DEFAULT_STACK, **values)
        else:
            project = project_plan(owner=request.user, stack=stack, **values)
            url = reverse("generator:plan", args=[project.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    except ValidationError as error:
        if isinstance(form, ProjectWizardForm):
            first = form.add_service_errors(error, upto=len(WIZARD_STEPS))
            return _render_new(request, _wizard_context(form, first or len(WIZARD_STEPS)))
        form.add_service_errors(error, skip=set(form.errors))
    if isinstance(form, ProjectWizardForm):
        return _render_new(request, _wizard_context(form, len(WIZARD_STEPS)))
    return _render_new(request, {"form": form, "kind": "quick", "examples_all": EXAMPLES})


# --- words --------------------------------------------------------------------------------------


SAID = {
    "add_entity": "Added {name}.",
    "remove_entity": "Removed {name} and its links.",
    "rename_entity": "Renamed {old} to {new}.",
    "add_field": "Added {field[name]} to {entity}.",
    "remove_field": "Removed {entity}'s {name}.",
    "rename_field": "Renamed {entity}'s {old} to {new}.",
    "change_field": "Changed {entity}'s {name}: {changed}.",
    "add_relationship": "Linked {source} to {target}.",
    "remove_relationship": "Removed the link from {source} to {target}.",
    "change_relationship": "Changed the link from {source} to {target}: {changed}.",
    "add_role": "Added the role {name}.",
    "remove_role": "Removed the role {name}.",
    "set_access": "{entity} is now read by {access_words}.",
    "add_feature": "Added the feature {name}.",
    "remove_feature": "Removed the feature {name}.",
    "dismiss_warning": "Dismissed it.",
    "add_comparison": "Added a rule to {entity}: {field} {compare_words} {other}.",
    "remove_comparison": "Removed {entity}'s rule between {field} and {other}.",
    "add_unique_together": "Added a rule to {entity}: one per {fields_words}.",
    "remove_unique_together": "Removed {entity}'s rule: one per {fields_words}.",
}
SETTING_WORDS = {
    "choices": "choices",
    "min_value": "minimum",
    "max_value": "maximum",
    "max_length": "longest length",
    "default": "default",
    "label": "label",
    "help_text": "help text",
    "on_delete": "what happens on deletion",
}


def describe(op: dict[str, Any]) -> str:
    """What an edit did, in a sentence (announced to screen readers, flashed after a post)."""
    return SAID[op["op"]].format(
        **op,
        changed=_changed(op),
        compare_words=COMPARE_LABELS.get(op.get("compare", ""), ""),
        fields_words=" and ".join(op.get("fields", [])),
        access_words=ACCESS_WORDS[Access(op["access"])] if "access" in op else "",
    )


def _changed(op: dict[str, Any]) -> str:
    if op.get("reverse"):
        return "turned around"
    words = []
    for key, value in (op.get("changes") or {}).items():
        if key == "type":
            words.append(f"now {FIELD_TYPE_LABELS[FieldType(value)].lower()}")
        elif key == "kind":
            words.append(f"each one {KIND_LABELS[RelationKind(value)]}")
        elif key == "required":
            words.append("required" if value else "optional")
        elif key == "unique":
            words.append("unique" if value else "not unique")
        else:
            words.append(f"new {SETTING_WORDS.get(key, key)}")
    return ", ".join(words)
