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
