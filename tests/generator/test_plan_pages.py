"""The plan page: who may open it, each kind of edit through the view, problems shown inline with
the draft unchanged, a pasted or uploaded spec, Build, Save and Discard, and Review plan."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generator import services
from generator.forms_plan import SPEC_UPLOAD_MAX
from generator.models import Project
from tests.generator.helpers import SPEC, TASK_MANAGER

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "plan"}


@pytest.fixture
def planned(owner) -> Project:
    """A new project whose plan (Task belongs to Project) waits for review."""
    return services.project_plan(
        owner=owner, name="Task Manager", requirements=TASK_MANAGER, stack="django"
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def plan_url(project: Project) -> str:
    return reverse("generator:plan", args=[project.pk])


def edit(client, project: Project, *, htmx: bool = True, **data: str):
    """Post one edit, as the page's forms do (``key`` names the part of the plan it edits)."""
    data.setdefault("key", "plan-edit")
    headers = HTMX if htmx else {}
    return client.post(reverse("generator:plan_edit", args=[project.pk]), data, **headers)


def spec_of(project: Project):
    project.refresh_from_db()
    return services.draft_start(project).spec


def names(project: Project) -> list[str]:
    return [entity.name for entity in spec_of(project).entities]


def fields(project: Project, entity: str) -> dict[str, object]:
    found = spec_of(project).entity(entity)
    assert found is not None, entity
    return {field.name: field for field in found.fields}


def errors_beside(response, part: str) -> list[str]:
    """The problems shown in the part of the plan with id ``part`` (an entity card, a row…)."""
    html = response.content.decode()
    start = html.index(f'id="{part}"')
    block = re.search(r'id="[^"]*-errors"[^>]*data-testid="plan-errors">(.*?)</ul>', html[start:])
    assert block, f"no problems shown in {part}"
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S)


# --- who may open it -------------------------------------------------------------------------


def test_the_owner_sees_the_plan_as_an_editable_model(owner_client, planned):
    response = owner_client.get(plan_url(planned))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="plan-entity" data-entity="Task"' in html
    assert 'name="new" value="due_date"' in html
    assert "Each Task belongs to one Project" in html  # words, not many_to_one
    assert "many_to_one" not in re.sub(r'(value|data-kind)="[^"]*"', "", html)
    assert 'data-testid="plan-diagram"' in html and "<svg" in html
    assert 'data-testid="plan-build"' in html


def test_staff_may_open_and_edit_another_owners_plan(client, staff, planned):
    client.force_login(staff)

    assert client.get(plan_url(planned)).status_code == 200
    edit(client, planned, op="add_entity", name="Label")
    assert "Label" in names(planned)


def test_a_stranger_gets_404_everywhere_and_changes_nothing(client, stranger, planned):
    client.force_login(stranger)
    before = planned.draft
    pk = planned.pk

    assert client.get(plan_url(planned)).status_code == 404
    assert edit(client, planned, op="add_entity", name="Label").status_code == 404
    for name in ("plan_spec", "plan_commit", "plan_discard"):
        assert client.post(reverse(f"generator:{name}", args=[pk])).status_code == 404
    planned.refresh_from_db()
    assert planned.draft == before
    assert not planned.versions.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, planned):
    response = client.get(plan_url(planned))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_project_page_links_to_its_plan(owner_client, planned):
    html = owner_client.get(reverse("generator:project", args=[planned.pk])).content.decode()

    assert f'href="{plan_url(planned)}"' in html


# --- edits ----------------------------------------------------------------------------------------


def test_renaming_an_entity_answers_with_the_plan_and_its_diagram_redrawn(owner_client, planned):
    response = edit(
        owner_client, planned, op="rename_entity", key="e0-rename", old="Project", new="Board"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan"')
    assert 'data-entity="Board"' in html and 'data-entity="Project"' not in html
    assert "Entities: Board, Task" in html  # the diagram's description
    assert "Renamed Project to Board." in html  # the status line, out of band
    assert names(planned) == ["Board", "Task"]


def test_removing_an_entity_says_its_links_went_with_it(owner_client, planned):
    response = edit(owner_client, planned, op="remove_entity", key="e0-remove", name="Project")

    implied = re.search(r'data-testid="plan-implied">(.*?)</div>', response.content.decode(), re.S)
    assert implied and "also removed its link" in implied.group(1)
    assert names(planned) == ["Task"] and spec_of(planned).relationships == []


def test_adding_retyping_and_removing_a_field(owner_client, planned):
    edit(
        owner_client,
        planned,
        op="add_field",
        key="e1-new-add",
        entity="Task",
        name="estimate",
        type="integer",
        required="false",
    )
    added = fields(planned, "Task")["estimate"]
    assert (added.type, added.required) == ("integer", False)

    edit(
        owner_client,
        planned,
        op="change_field",
        key="e1-f3-change",
        entity="Task",
        name="estimate",
        type="decimal",
        min_value="0",
    )
    changed = fields(planned, "Task")["estimate"]
    assert (changed.type, changed.min_value) == ("decimal", 0)

    edit(
        owner_client, planned, op="remove_field", key="e1-f3-remove", entity="Task", name="estimate"
    )
    assert "estimate" not in fields(planned, "Task")


def test_unticking_required_makes_a_field_optional_and_changes_nothing_else(owner_client, planned):
    before = fields(planned, "Task")["title"]

    edit(
        owner_client,
        planned,
        op="change_field",
        key="e1-f0-change",
        entity="Task",
        name="title",
        type="string",
        required="false",
        unique="false",
        max_length=str(before.max_length),
    )

    after = fields(planned, "Task")["title"]
    assert after.required is False
    assert after.model_dump(exclude={"required"}) == before.model_dump(exclude={"required"})


def test_renaming_a_field(owner_client, planned):
    edit(
        owner_client,
        planned,
        op="rename_field",
        key="e1-f0-rename",
        entity="Task",
        old="title",
        new="headline",
    )

    assert "headline" in fields(planned, "Task") and "title" not in fields(planned, "Task")


def test_a_choice_field_keeps_its_stored_values_when_its_labels_are_edited(owner_client, planned):
    def choose(lines: str) -> list[tuple[str, str]]:
        change = {"entity": "Task", "name": "priority", "type": "enum", "choices": lines}
        edit(owner_client, planned, op="change_field", key="e1-f2-change", **change)
        return [(c.value, c.label) for c in fields(planned, "Task")["priority"].choices]

    assert choose("Low\nMedium\nHigh") == [("low", "Low"), ("medium", "Medium"), ("high", "High")]

    edited = choose("low\nMedium\nVery high\nUrgent now")

    assert edited == [
        ("low", "low"),
        ("medium", "Medium"),
        ("very_high", "Very high"),
        ("urgent_now", "Urgent now"),
    ]


def test_a_choice_field_needs_its_choices_and_says_so_beside_the_field(owner_client, planned):
    response = edit(
        owner_client,
        planned,
        op="change_field",
        key="e1-f2-change",
        entity="Task",
        name="priority",
        type="enum",
        choices="",
    )

    assert any("choices" in p for p in errors_beside(response, "e1-f2"))
    html = response.content.decode()
    assert 'id="e1-f2-choices"' in html  # the choices box shows, to be filled in
    assert fields(planned, "Task")["priority"].type == "string"


def test_adding_flipping_and_removing_a_relationship(owner_client, planned):
    edit(
        owner_client,
        planned,
        op="add_relationship",
        key="rel-new-add",
        source="Task",
        kind="many_to_many",
        target="User",
    )
    links = {(r.source, r.target, r.kind) for r in spec_of(planned).relationships}
    assert ("Task", "User", "many_to_many") in links

    response = edit(
        owner_client,
        planned,
        op="change_relationship",
        key="rel-0-flip",
        source="Task",
        target="Project",
        name="project",
        flip="true",
    )
    assert "Each Project belongs to one Task" in response.content.decode()
    flipped = spec_of(planned).relationships
    assert any((r.source, r.target) == ("Project", "Task") for r in flipped)

    link = next(r for r in flipped if r.source == "Project")
    edit(
        owner_client,
        planned,
        op="remove_relationship",
        key="rel-0-remove",
        source="Project",
        target="Task",
        name=link.name,
    )
    assert all(r.source != "Project" for r in spec_of(planned).relationships)


def test_changing_what_happens_when_the_target_is_deleted(owner_client, planned):
    edit(
        owner_client,
        planned,
        op="change_relationship",
        key="rel-0-change",
        source="Task",
        target="Project",
        name="project",
        kind="many_to_one",
        required="false",
        on_delete="set_null",
    )

    link = spec_of(planned).relationships[0]
    assert (link.required, link.on_delete) == (False, "set_null")


def test_adding_and_removing_a_role(owner_client, planned):
    edit(owner_client, planned, op="add_role", key="roles-add", name="Manager")
    assert [r.name for r in spec_of(planned).roles] == ["Manager"]

    edit(owner_client, planned, op="remove_role", key="roles-remove", name="Manager")
    assert spec_of(planned).roles == []


def test_choosing_who_reads_an_entity(owner_client, planned):
    card = f"e{names(planned).index('Task')}"
    page = owner_client.get(plan_url(planned)).content.decode()
    assert '<option value="auto" selected>' in page  # the default, before any choice

    response = edit(
        owner_client, planned, op="set_access", key=card, entity="Task", access="public"
    )

    assert spec_of(planned).entity("Task").access == "public"
    assert "Task is now read by anyone." in response.content.decode()
    assert '<option value="public" selected>' in response.content.decode()
    response = edit(owner_client, planned, op="set_access", key=card, entity="Task", access="all")
    assert errors_beside(response, card) == ["Who reads it: Choose who reads it from the list."]
    assert spec_of(planned).entity("Task").access == "public"


def test_adding_and_removing_a_feature(owner_client, planned):
    edit(
        owner_client,
        planned,
        op="add_feature",
        key="features-add",
        name="Export to CSV",
        category="reporting",
    )
    assert any(f.name == "Export to CSV" for f in spec_of(planned).features)

    edit(owner_client, planned, op="remove_feature", key="features-remove", name="Export to CSV")
    assert all(f.name != "Export to CSV" for f in spec_of(planned).features)


def test_dismissing_a_warning_with_one_click(owner_client, owner, planned):
    warned = {**SPEC, "warnings": ["Priority was read as text; make it a choice?"]}
    services.draft_replace(project=planned, user=owner, spec=warned)
    assert "make it a choice?" in owner_client.get(plan_url(planned)).content.decode()

    edit(
        owner_client, planned, op="dismiss_warning", key="notes-dismiss", text=warned["warnings"][0]
    )

    assert spec_of(planned).warnings == []


def test_without_javascript_an_edit_redirects_back_to_the_page(owner_client, planned):
    response = edit(
        owner_client, planned, htmx=False, op="add_entity", key="entity-new-add", name="Label"
    )

    assert response.status_code == 302
    assert response["Location"] == plan_url(planned)
    assert "Label" in names(planned)
    assert "Added Label." in owner_client.get(plan_url(planned)).content.decode()


# --- problems shown where the edit was made, the draft unchanged ---------------------------------


def test_a_duplicate_name_is_refused_beside_the_entity_and_keeps_what_was_typed(
    owner_client, planned
):
    before = spec_of(planned)

    response = edit(
        owner_client, planned, op="rename_entity", key="e1-rename", old="Task", new="Project"
    )

    assert response.status_code == 200
    problems = errors_beside(response, "e1")
    assert problems and any("Project" in p for p in problems)
    assert 'id="e1-name" name="new" value="Project"' in response.content.decode()
    assert spec_of(planned) == before


def test_an_unknown_type_is_refused_beside_the_field(owner_client, planned):
    before = spec_of(planned)

    response = edit(
        owner_client,
        planned,
        op="change_field",
        key="e1-f0-change",
        entity="Task",
        name="title",
        type="colour",
    )

    assert errors_beside(response, "e1-f0") == ["Type: Choose a type from the list."]
    assert spec_of(planned) == before


def test_without_javascript_problems_come_back_on_the_page(owner_client, planned):
    response = edit(
        owner_client, planned, htmx=False, op="add_entity", key="entity-new-add", name="Task"
    )

    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert errors_beside(response, "plan-entities")
    assert names(planned) == ["Project", "Task"]


# --- a whole spec, pasted or uploaded ------------------------------------------------------------

GOOD_YAML = """
name: Library
entities:
  - name: Book
    fields: [{name: title}, {name: isbn, unique: true}]
  - name: Member
    fields: [{name: email, type: email}]
relationships:
  - {kind: many_to_many, source: Member, target: Book, name: loans}
"""


def paste(client, project: Project, text: str = "", upload=None, htmx: bool = True):
    data = {"text": text} if upload is None else {"text": text, "file": upload}
    headers = HTMX if htmx else {}
    return client.post(reverse("generator:plan_spec", args=[project.pk]), data, **headers)


def test_a_pasted_yaml_spec_becomes_the_plan(owner_client, planned):
    response = paste(owner_client, planned, GOOD_YAML)

    assert response.status_code == 200
    assert names(planned) == ["Book", "Member"]
    assert 'data-entity="Member"' in response.content.decode()


def test_an_uploaded_json_spec_becomes_the_plan(owner_client, planned):
    upload = SimpleUploadedFile("spec.json", b'{"name": "Notes", "entities": [{"name": "Note"}]}')

    paste(owner_client, planned, upload=upload, htmx=False)

    assert names(planned) == ["Note"]


def test_a_bad_spec_lists_each_problem_and_keeps_the_plan(owner_client, planned):
    bad = (
        "name: Shop\n"
        "relationships:\n"
        "  - {source: Order, target: Nowhere}\n"
        "  - {source: Cart, target: Shelf}\n"
    )

    response = paste(owner_client, planned, bad)

    html = response.content.decode()
    assert "Nowhere" in html and "Shelf" in html
    assert 'data-testid="spec-form"' in html and "<details open" in html
    assert names(planned) == ["Project", "Task"]


def test_a_spec_too_big_or_not_text_is_refused(owner_client, planned):
    big = SimpleUploadedFile("spec.yaml", b"#" * (SPEC_UPLOAD_MAX + 1))
    binary = SimpleUploadedFile("spec.yaml", b"\xff\xfe\x00")

    assert "at most" in paste(owner_client, planned, upload=big).content.decode()
    assert "not UTF-8" in paste(owner_client, planned, upload=binary).content.decode()
    assert names(planned) == ["Project", "Task"]


# --- build, save, discard -------------------------------------------------------------------------


def commit(client, project: Project, action: str):
    return client.post(reverse("generator:plan_commit", args=[project.pk]), {"action": action})


def test_build_makes_a_version_and_starts_its_run(owner_client, planned):
    edit(owner_client, planned, op="add_entity", name="Label")

    response = commit(owner_client, planned, "build")

    version = planned.versions.get()
    run = planned.generations.get()
    assert run.version == version
    assert "Label" in [e["name"] for e in version.spec["entities"]]
    assert response["Location"] == reverse("generator:run", args=[planned.pk, run.number])
    planned.refresh_from_db()
    assert planned.draft is None


def test_build_a_plan_that_was_only_read_from_the_requirements(owner_client, project):
    assert project.draft is None and not project.versions.exists()

    commit(owner_client, project, "build")

    version = project.versions.get()
    assert project.generations.get().version == version
    assert version.source == "requirements"


def test_save_makes_a_version_without_a_run(owner_client, planned):
    response = commit(owner_client, planned, "save")

    assert planned.versions.count() == 1 and not planned.generations.exists()
    assert response["Location"] == reverse("generator:project", args=[planned.pk])


def test_build_over_the_run_cap_keeps_the_plan_and_says_why(owner_client, owner, planned, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    other = services.project_create(
        owner=owner, name="Other", requirements=TASK_MANAGER, stack="django"
    )
    services.generation_start(project=other, user=owner)

    response = commit(owner_client, planned, "build")

    assert response["Location"] == plan_url(planned)
    assert "running" in owner_client.get(plan_url(planned)).content.decode()
    assert not planned.versions.exists()


def test_discard_drops_the_changes_back_to_the_latest_version(owner_client, owner, planned):
    services.draft_commit(project=planned, user=owner, build=False)
    edit(owner_client, planned, op="add_entity", name="Label")
    assert "Label" in names(planned)

    response = owner_client.post(reverse("generator:plan_discard", args=[planned.pk]))

    assert response["Location"] == plan_url(planned)
    assert names(planned) == ["Project", "Task"]
    planned.refresh_from_db()
    assert planned.draft is None


def test_a_draft_grown_from_a_version_lists_what_it_changes(owner_client, owner, planned):
    services.draft_commit(project=planned, user=owner, build=False)
    edit(owner_client, planned, op="add_entity", name="Label")

    html = owner_client.get(plan_url(planned)).content.decode()

    diff = html[
        html.index('data-testid="plan-diff"') : html.index(
            "</section>", html.index('data-testid="plan-diff"')
        )
    ]
    assert 'data-testid="spec-diff-added"' in diff and "Label" in diff
    assert "spec-diff-removed" not in diff


def test_a_new_projects_first_plan_lists_no_changes(owner_client, planned):
    assert 'data-testid="plan-diff"' not in owner_client.get(plan_url(planned)).content.decode()


# --- Review plan, from the new-project page -----------------------------------------------------


def review(client, **data: str):
    return client.post(reverse("generator:project_new_plan"), data)


def test_review_plan_from_the_quick_form_opens_the_plan_without_a_run(owner_client, owner):
    new = owner_client.get(reverse("generator:project_new") + "?form=quick").content.decode()
    assert f'formaction="{reverse("generator:project_new_plan")}"' in new

    response = review(
        owner_client, form_kind="quick", name="Tasks", requirements=TASK_MANAGER, stack="django"
    )

    project = Project.objects.get(owner=owner)
    assert response["Location"] == plan_url(project)
    assert project.draft is not None and not project.generations.exists()


def test_review_plan_from_the_wizards_last_step(owner_client, owner):
    response = owner_client.post(
        reverse("generator:project_new_plan"),
        {"form_kind": "wizard", "step": "3", "name": "Tasks", "requirements": TASK_MANAGER},
        **HTMX,
    )

    project = Project.objects.get(owner=owner)
    assert response["HX-Redirect"] == plan_url(project)


def test_review_plan_with_bad_fields_shows_them_on_the_form(owner_client):
    response = review(
        owner_client,
        form_kind="quick",
        name="",
        requirements="asdf qwer zxcv hello",
        stack="django",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="new-project"' in html and "errorlist" in html
    assert not Project.objects.exists()


def test_rules_between_fields_are_added_and_removed_on_the_plan(owner_client, planned):
    edit(
        owner_client,
        planned,
        op="add_field",
        key="e1-new",
        entity="Task",
        name="start_date",
        type="date",
        required="true",
    )
    shown = edit(
        owner_client,
        planned,
        op="add_comparison",
        key="e1-rules-edit",
        entity="Task",
        field="due_date",
        compare="gt",
        other="start_date",
    )
    task = spec_of(planned).entity("Task")
    assert [(r.field, r.op, r.other) for r in task.comparisons] == [
        ("due_date", "gt", "start_date")
    ]
    assert "due_date after start_date" in shown.content.decode()

    edit(
        owner_client,
        planned,
        op="add_unique_together",
        key="e1-rules-edit",
        entity="Task",
        members=["title", "project"],
    )
    task = spec_of(planned).entity("Task")
    assert [r.fields for r in task.unique_together] == [["title", "project"]]
    page = owner_client.get(plan_url(planned)).content.decode()
    assert "one per title and project" in page

    edit(
        owner_client,
        planned,
        op="remove_comparison",
        key="e1-rules-edit",
        entity="Task",
        field="due_date",
        other="start_date",
    )
    edit(
        owner_client,
        planned,
        op="remove_unique_together",
        key="e1-rules-edit",
        entity="Task",
        members=["title", "project"],
    )
    task = spec_of(planned).entity("Task")
    assert task.comparisons == [] and task.unique_together == []


def test_a_rule_that_cannot_hold_is_refused_beside_the_rules(owner_client, planned):
    shown = edit(
        owner_client,
        planned,
        op="add_comparison",
        key="e1-rules-edit",
        entity="Task",
        field="title",
        compare="gt",
        other="due_date",
    )
    html = shown.content.decode()
    assert 'id="e1-rules-errors"' in html
    assert spec_of(planned).entity("Task").comparisons == []
    nothing = edit(
        owner_client, planned, op="add_unique_together", key="e1-rules-edit", entity="Task"
    )
    assert "Choose the fields" in nothing.content.decode()


@pytest.mark.parametrize(
    "text", ["[" * 10_000, '{"name": ' * 10_000, "{a: " * 10_000, "name: " + "[" * 10_000]
)
def test_a_spec_nested_thousands_deep_is_refused_on_the_page(owner_client, planned, text):
    response = paste(owner_client, planned, text)

    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()
    assert names(planned) == ["Project", "Task"]
