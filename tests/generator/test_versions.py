"""Spec versions and the draft plan: the services that store them (the engine reads and diffs)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from generator import services
from generator.engine.versions import Renames
from generator.models import Generation, Project, SpecVersion
from tests.generator.helpers import SPEC, TASK_MANAGER

pytestmark = pytest.mark.django_db


def _spec(**changes):
    return {**SPEC, **changes}


def test_versions_are_numbered_from_one_and_keep_their_words(project, owner):
    first = services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    second = services.version_create(
        project=project,
        user=owner,
        spec=_spec(description="v2"),
        source="change",
        change_text="describe it better",
    )

    assert (first.number, second.number) == (1, 2)
    assert second.change_text == "describe it better"
    assert services.version_latest(project) == second
    assert services.version_spec(second).description == "v2"


def test_a_bad_spec_is_refused_naming_each_problem_and_saves_nothing(project, owner):
    bad = _spec(relationships=[{"kind": "many_to_one", "source": "Task", "target": "Nowhere"}])

    with pytest.raises(ValidationError) as caught:
        services.version_create(project=project, user=owner, spec=bad, source="spec")

    problems = caught.value.message_dict["spec"]
    assert any("Nowhere" in p for p in problems), problems
    assert not project.versions.exists()


def test_a_stranger_cannot_make_or_restore_versions(project, owner, stranger):
    version = services.version_create(project=project, user=owner, spec=SPEC, source="spec")

    with pytest.raises(PermissionDenied):
        services.version_create(project=project, user=stranger, spec=SPEC, source="spec")
    with pytest.raises(PermissionDenied):
        services.version_restore(version=version, user=stranger)
    with pytest.raises(PermissionDenied):
        services.draft_commit(project=project, user=stranger)
    assert project.versions.count() == 1


def test_renames_compose_across_versions_and_restoring_undoes_them(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    renamed = _spec(
        entities=[
            {"name": "Board", "fields": [{"name": "name", "type": "string"}]},
            SPEC["entities"][1],
        ],
        relationships=[{"kind": "many_to_one", "source": "Task", "target": "Board"}],
    )
    services.version_create(
        project=project,
        user=owner,
        spec=renamed,
        source="change",
        renames=Renames(entities={"Project": "Board"}),
    )
    services.version_create(
        project=project,
        user=owner,
        spec=renamed,
        source="change",
        renames=Renames(fields={"Task": {"title": "headline"}}),
    )

    chain = services._renames_between(project, 1, 3)
    assert chain.entities == {"Project": "Board"}
    assert chain.fields == {"Task": {"title": "headline"}}

    restored = services.version_restore(version=project.versions.get(number=1), user=owner)

    assert (restored.number, restored.source, restored.restored_from) == (4, "restore", 1)
    assert restored.spec == project.versions.get(number=1).spec
    back = Renames.from_dict(restored.renames)
    assert back.entities == {"Board": "Project"}
    assert back.fields == {"Task": {"headline": "title"}}


def test_a_planned_project_waits_for_review_with_the_analysis_as_its_draft(owner):
    project = services.project_plan(
        owner=owner, name="Tasks", requirements=TASK_MANAGER, stack="django"
    )

    draft = services.draft_get(project)
    assert draft is not None and draft.base is None
    assert {e.name for e in draft.spec.entities} >= {"Task"}
    assert not project.generations.exists() and not project.versions.exists()

    version, run = services.draft_commit(project=project, user=owner, build=False)

    project.refresh_from_db()
    assert (version.number, version.source, run) == (1, "requirements", None)
    assert project.draft is None
    assert services.version_spec(version) == draft.spec


def test_a_planned_project_refuses_text_that_describes_nothing(owner):
    with pytest.raises(ValidationError) as caught:
        services.project_plan(
            owner=owner, name="Nothing", requirements="asdf qwer zxcv hello", stack="django"
        )
    assert "requirements" in caught.value.message_dict
    assert not Project.objects.exists()


def test_committing_with_build_starts_a_run_of_the_new_version(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.draft_replace(project=project, user=owner, spec=_spec(description="v2"))

    version, run = services.draft_commit(project=project, user=owner, build=True)

    assert version.number == 2 and version.source == "spec"
    assert run is not None and run.version == version
    assert Generation.objects.get(pk=run.pk).version_id == version.pk


def test_a_run_over_the_cap_leaves_the_draft_and_makes_no_version(project, owner, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    services.generation_start(project=project, user=owner)
    services.draft_replace(project=project, user=owner, spec=SPEC)

    with pytest.raises(services.ConcurrencyLimitError):
        services.draft_commit(project=project, user=owner, build=True)

    project.refresh_from_db()
    assert project.draft is not None
    assert not project.versions.exists()


def test_regenerating_a_project_with_versions_builds_its_latest(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    latest = services.version_create(
        project=project, user=owner, spec=_spec(description="v2"), source="spec"
    )

    run = services.generation_regenerate(project=project, user=owner)

    assert run.version == latest


def test_edited_requirements_become_a_draft_to_review(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")

    draft = services.requirements_update(
        project=project,
        user=owner,
        requirements="A library where members borrow books. Books have a title and an ISBN.",
    )

    project.refresh_from_db()
    assert "borrow books" in project.requirements
    assert draft.base == 1 and draft.source == "requirements"
    assert "Book" in {e.name for e in draft.spec.entities}
    assert services.draft_get(project) == draft
    assert "read again from scratch" in draft.notes[0]  # rewritten text: earlier edits are gone


def test_text_added_to_the_requirements_is_a_change_to_the_current_plan(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.change_read(project=project, user=owner, text="rename Project to Board")

    draft = services.requirements_update(
        project=project,
        user=owner,
        requirements=project.requirements + " Tasks have a status (open, done).",
    )

    assert draft.renames.entities == {"Project": "Board"}  # the earlier change stays
    assert draft.spec.entity("Board") is not None
    status = next(f for f in draft.spec.entity("Task").fields if f.name == "status")
    assert [c.value for c in status.choices] == ["open", "done"]
    assert draft.notes[0] == "Read the added text as a change: Tasks have a status (open, done)"
    assert draft.source == "change" and draft.base == 1


def test_edited_requirements_that_describe_nothing_are_refused_and_kept_out(project, owner):
    before = project.requirements
    with pytest.raises(ValidationError):
        services.requirements_update(project=project, user=owner, requirements="asdf qwer")
    project.refresh_from_db()
    assert project.requirements == before and project.draft is None


def test_an_unreadable_draft_is_dropped_not_a_crash(project, owner):
    Project.objects.filter(pk=project.pk).update(draft={"spec": {"nonsense": True}})
    project.refresh_from_db()
    assert services.draft_get(project) is None


def test_runs_made_before_versions_get_versions_from_their_specs(project, owner):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("generator.migrations.0002_spec_versions")
    runs = [
        Generation.objects.create(project=project, number=n, spec=spec)
        for n, spec in ((1, SPEC), (2, SPEC), (3, _spec(description="v2")), (4, None))
    ]

    migration.versions_from_runs(apps, None)

    numbers = [Generation.objects.get(pk=r.pk).version.number if r.spec else None for r in runs]
    assert numbers == [1, 1, 2, None]
    assert SpecVersion.objects.filter(project=project).count() == 2


def test_a_change_request_becomes_a_draft_with_its_diff_and_keeps_rows(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")

    draft, _notes = services.change_read(
        project=project, user=owner, text="add a priority to tasks and rename Project to Board"
    )

    assert draft.base == 1 and draft.source == "change"
    assert draft.renames.entities == {"Project": "Board"}
    task = draft.spec.entity("Task")
    assert task is not None and "priority" in {f.name for f in task.fields}
    diff = services.draft_diff(project, draft)
    assert any(item["name"] == "Task.priority" for item in diff["added"]), diff
    assert any("renamed" in item["summary"] for item in diff["changed"]), diff
    assert services.draft_get(project) == draft  # saved
    version, run = services.draft_commit(project=project, user=owner, build=False)
    assert (version.number, version.source, run) == (2, "change", None)
    assert "rename Project to Board" in version.change_text
    assert Renames.from_dict(version.renames).entities == {"Project": "Board"}


def test_a_change_it_cannot_read_is_refused_and_the_draft_is_kept(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.change_read(project=project, user=owner, text="add a priority to tasks")

    with pytest.raises(ValidationError) as caught:
        services.change_read(project=project, user=owner, text="make it pop")

    assert "request" in caught.value.message_dict
    draft = services.draft_get(project)
    assert draft is not None and "priority" in {f.name for f in draft.spec.entity("Task").fields}


def test_asking_again_for_what_the_unconfirmed_change_does_says_so(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.change_read(project=project, user=owner, text="add a priority to tasks")

    with pytest.raises(ValidationError) as caught:
        services.change_read(project=project, user=owner, text="add a priority to tasks")

    message = caught.value.message_dict["request"][0]
    assert message.startswith("Nothing to change")
    assert "not confirmed yet already does this" in message


def test_plan_edits_go_through_validation_and_say_what_they_implied(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")

    draft = services.draft_apply(
        project=project, user=owner, ops=[{"op": "remove_entity", "name": "Project"}]
    )
    assert draft.spec.entity("Project") is None and not draft.spec.relationships
    assert draft.notes  # the link that went with it is named

    with pytest.raises(ValidationError) as caught:
        services.draft_apply(
            project=project, user=owner, ops=[{"op": "rename_entity", "old": "Nope", "new": "X"}]
        )
    assert caught.value.message_dict["ops"]
    assert services.draft_get(project).spec.entity("Task") is not None


def test_a_first_plan_never_built_gets_required_links(owner):
    project = services.project_plan(
        owner=owner, name="Tasks", requirements=TASK_MANAGER, stack="django"
    )
    draft = services.draft_apply(
        project=project,
        user=owner,
        ops=[
            {"op": "add_entity", "name": "Milestone", "fields": [{"name": "name"}]},
            {
                "op": "add_relationship",
                "kind": "many_to_one",
                "source": "Task",
                "target": "Milestone",
            },
        ],
    )
    link = next(r for r in draft.spec.relationships if r.target == "Milestone")
    assert link.required  # no rows exist yet, so nothing forces it optional


def test_the_api_change_path_makes_a_version_at_once(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")

    version, _notes, run = services.change_create(
        project=project, user=owner, text="remove the due date from tasks"
    )

    assert (version.number, run) == (2, None)
    assert "due_date" not in {f["name"] for f in version.spec["entities"][1]["fields"]}
    diff = services.version_diff(project=project, old=project.versions.get(number=1), new=version)
    assert [item["name"] for item in diff["spec"]["removed"]] == ["Task.due_date"]
    assert diff["files"] is None and "Build version 1 and version 2" in diff["files_note"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_change_builds_on_the_last_build_and_its_database_keeps_its_rows(
    project, owner, backend, channel_sends
):
    import zipfile

    from generator.constants import GENERATION_STATUS_SUCCEEDED

    first = services.generation_start(project=project, user=owner)
    assert backend.wait_idle(timeout=120)
    first.refresh_from_db()
    assert first.status == GENERATION_STATUS_SUCCEEDED, first.error
    assert first.version is not None and first.version.number == 1  # read from the text

    version, _notes, second = services.change_create(
        project=project,
        user=owner,
        text="add a status (open, done) to tasks and rename the title of tasks to headline",
        build=True,
    )
    assert backend.wait_idle(timeout=120)
    second.refresh_from_db()

    assert second.status == GENERATION_STATUS_SUCCEEDED, (second.error, second.error_data)
    assert second.version == version and version.number == 2
    checks = {c["key"]: c for c in second.verification["checks"]}
    assert checks["data_kept"]["passed"], checks["data_kept"]
    with zipfile.ZipFile(second.zip.open()) as archive:
        names = sorted(n.split("/", 1)[1] for n in archive.namelist())
        migration = archive.read(
            next(n for n in archive.namelist() if n.endswith("0002_version_2.py"))
        ).decode()
    assert "core/migrations/0001_initial.py" in names
    assert "RenameField" in migration and "headline" in migration

    diff = services.version_diff(project=project, old=first.version, new=version)
    paths = {f["path"]: f for f in diff["files"]}
    assert paths["core/migrations/0002_version_2.py"]["status"] == "added"
    assert paths["core/models.py"]["additions"] > 0
    assert diff["counts"]["files"] == len(diff["files"])


def test_a_plan_made_from_an_older_version_is_not_built_over_a_newer_one(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.change_read(project=project, user=owner, text="add a priority to tasks")
    services.version_create(
        project=project, user=owner, spec=_spec(description="v2"), source="spec"
    )

    with pytest.raises(ValidationError) as caught:
        services.draft_commit(project=project, user=owner, build=False)

    assert "made from version 1" in caught.value.messages[0]
    assert project.versions.count() == 2


def test_restoring_replaces_a_pending_plan_and_notes_are_kept_with_the_plan(project, owner):
    first = services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.version_create(
        project=project, user=owner, spec=_spec(description="v2"), source="spec"
    )
    draft, notes = services.change_read(project=project, user=owner, text="add a priority to tasks")
    project.refresh_from_db()
    assert notes and services.draft_get(project).notes == draft.notes

    services.version_restore(version=first, user=owner)

    project.refresh_from_db()
    assert project.draft is None


def test_building_a_project_never_planned_builds_the_reading_of_its_text(project, owner):
    version, run = services.draft_commit(project=project, user=owner, build=True)

    assert (version.number, version.source) == (1, "requirements")
    assert run is not None and run.version == version


def test_a_plan_says_what_stored_data_it_removes_once_a_version_was_built(project, owner):
    version = services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    draft, _ = services.change_read(
        project=project, user=owner, text="remove the due date from tasks"
    )
    assert services.draft_diff(project, draft)["data_loss"] == []  # nothing built: no database

    Generation.objects.create(project=project, number=1, version=version, status="succeeded")

    loss = services.draft_diff(project, draft)["data_loss"]
    assert loss == ["The stored values of Task.due_date are deleted."]


def test_taking_back_a_change_keeps_the_plan_edits_made_before_it(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.draft_apply(
        project=project,
        user=owner,
        ops=[{"op": "add_field", "entity": "Task", "field": {"name": "age", "type": "integer"}}],
    )
    services.change_read(project=project, user=owner, text="add a color to tasks")
    services.change_read(project=project, user=owner, text="add a size to tasks")

    assert services.change_undo(project=project, user=owner) is True
    fields = {f.name for f in services.draft_get(project).spec.entity("Task").fields}
    assert {"age", "color"} <= fields and "size" not in fields
    assert services.change_undo(project=project, user=owner) is True
    fields = {f.name for f in services.draft_get(project).spec.entity("Task").fields}
    assert "age" in fields and "color" not in fields


def test_taking_back_the_only_change_leaves_nothing_pending(project, owner):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    services.change_read(project=project, user=owner, text="add a color to tasks")

    assert services.change_undo(project=project, user=owner) is False
    project.refresh_from_db()
    assert project.draft is None


def test_an_edited_reading_of_the_text_is_saved_as_the_persons_plan(owner):
    project = services.project_plan(
        owner=owner, name="Tasks", requirements=TASK_MANAGER, stack="django"
    )
    services.draft_apply(project=project, user=owner, ops=[{"op": "add_role", "name": "Manager"}])

    version, _ = services.draft_commit(project=project, user=owner, build=False)

    assert version.source == "plan"
