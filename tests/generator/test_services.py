"""Services without running the pipeline: validation, limits, rights, cancel, delete.

These tests use ordinary (rolled-back) transactions, in which on-commit callbacks never fire, so
runs they start stay queued and no task runs.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from generator.constants import (
    GENERATION_STATUS_CANCELLED,
    GENERATION_STATUS_QUEUED,
    GENERATION_STATUS_SUCCEEDED,
)
from generator.engine.analysis import requirements_problem
from generator.models import Generation, GenerationEvent, Project
from generator.services import (
    ConcurrencyLimitError,
    generation_cancel,
    generation_regenerate,
    generation_start,
    project_create,
    project_delete,
)
from tests.generator.helpers import BLOG, GIBBERISH

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the project a name."),
        ({"name": "x" * 121}, "name", "Use at most 120 characters."),
        ({"requirements": " \n "}, "requirements", "The requirements are empty"),
        ({"requirements": "x" * 20_001}, "requirements", "too long (20001 characters)"),
        ({"stack": "cobol"}, "stack", "Choose one of the available stacks: django."),
    ],
)
def test_project_create_rejects_bad_input_and_saves_nothing(owner, changes, field, message):
    values = {"name": "Blog", "description": "", "requirements": BLOG, "stack": "django"}
    with pytest.raises(ValidationError) as caught:
        project_create(owner=owner, **{**values, **changes})
    assert list(caught.value.message_dict) == [field]
    assert message in caught.value.message_dict[field][0]
    assert not Project.objects.exists()


def test_project_create_refuses_text_that_describes_nothing_in_the_analyzers_words(owner):
    # Waits on the analyzer's domain-content check in requirements_problem.
    with pytest.raises(ValidationError) as caught:
        project_create(owner=owner, name="Notes", requirements=GIBBERISH, stack="django")
    assert caught.value.message_dict == {"requirements": [requirements_problem(GIBBERISH)]}
    assert not Project.objects.exists()


@pytest.mark.parametrize("name", ["📚🎉", "!!!", "👩\u200d💻 ✨"])
def test_a_name_with_no_letter_or_digit_is_refused(owner, name):
    with pytest.raises(ValidationError) as caught:
        project_create(owner=owner, name=name, requirements=BLOG, stack="django")
    assert list(caught.value.message_dict) == ["name"]
    assert "Use at least one letter or digit" in caught.value.message_dict["name"][0]


@pytest.mark.parametrize("name", ["Библиотека", "図書館", "مكتبة", "Café ☕"])
def test_a_name_in_any_script_is_kept_as_typed(owner, name):
    assert project_create(owner=owner, name=name, requirements=BLOG, stack="django").name == name


def test_project_create_saves_trimmed_values(owner):
    project = project_create(
        owner=owner,
        name="  Blog ",
        description=" Posts ",
        requirements=f" {BLOG}\n",
        stack="django",
    )
    assert (project.owner, project.name, project.description, project.requirements) == (
        owner,
        "Blog",
        "Posts",
        BLOG,
    )


def test_requirements_limit_follows_the_setting(owner, settings):
    settings.TAKOSS_MAX_REQUIREMENTS_CHARS = 100
    with pytest.raises(ValidationError, match="use at most 100"):
        project_create(owner=owner, name="Blog", requirements="x" * 101, stack="django")


def test_start_saves_a_queued_run_numbered_from_one(project, owner):
    generation = generation_start(project=project, user=owner)
    assert (generation.number, generation.status, generation.requested_by) == (
        1,
        GENERATION_STATUS_QUEUED,
        owner,
    )


def test_regenerate_creates_run_number_two(project, owner):
    first = generation_start(project=project, user=owner)
    generation_cancel(generation=first, user=owner)
    second = generation_regenerate(project=project, user=owner)
    assert second.number == 2
    assert list(project.generations.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"requirements": GIBBERISH}, "requirements"), ({"name": "🎉"}, "name")],
)
def test_regenerate_refuses_a_project_the_rules_refuse_now(project, owner, changes, field):
    # Saved before the rule (or past it): checked again rather than failing inside the run.
    # The requirements case waits on the analyzer's domain-content check.
    Project.objects.filter(pk=project.pk).update(**changes)
    project.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        generation_regenerate(project=project, user=owner)

    assert list(caught.value.message_dict) == [field]
    assert not project.generations.exists()


def test_a_stranger_learns_nothing_from_regenerating_a_refused_project(project, stranger):
    Project.objects.filter(pk=project.pk).update(name="🎉")
    project.refresh_from_db()
    with pytest.raises(PermissionDenied):
        generation_regenerate(project=project, user=stranger)


def test_start_enqueues_only_after_commit(project, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        generation_start(project=project, user=owner)
    assert len(callbacks) == 1


def test_per_user_limit_on_concurrent_runs(project, owner, stranger):
    generation_start(project=project, user=owner)
    generation_start(project=project, user=owner)
    with pytest.raises(ConcurrencyLimitError) as caught:
        generation_start(project=project, user=owner)
    assert str(caught.value) == (
        "You already have 2 generations running; wait for one to finish or cancel it."
    )
    assert project.generations.count() == 2
    # Another user's runs are counted separately.
    other = project_create(owner=stranger, name="Blog", requirements=BLOG, stack="django")
    generation_start(project=other, user=stranger)


def test_finished_runs_do_not_count_against_the_limit(project, owner, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    first = generation_start(project=project, user=owner)
    with pytest.raises(ConcurrencyLimitError, match="You already have 1 generation running"):
        generation_start(project=project, user=owner)
    generation_cancel(generation=first, user=owner)
    assert generation_start(project=project, user=owner).number == 2


def test_cancel_of_a_queued_run_ends_it_at_once_with_its_history(project, owner):
    generation = generation_start(project=project, user=owner)
    generation = generation_cancel(generation=generation, user=owner)
    assert generation.status == GENERATION_STATUS_CANCELLED
    assert generation.cancel_requested_at is not None
    assert generation.finished_at is not None
    events = list(generation.events.values_list("seq", "type", "message"))
    assert events == [
        (1, "cancelled", "Cancelled before it started."),
        (2, "result", "Generation cancelled"),
    ]
    assert generation.last_event_seq == 2


def test_cancel_is_idempotent_on_finished_runs(project, owner):
    generation = generation_cancel(
        generation=generation_start(project=project, user=owner), user=owner
    )
    requested_at = generation.cancel_requested_at
    again = generation_cancel(generation=generation, user=owner)
    assert again.status == GENERATION_STATUS_CANCELLED
    assert again.cancel_requested_at == requested_at
    assert again.events.count() == 2
    done = Generation.objects.create(project=project, number=9, status=GENERATION_STATUS_SUCCEEDED)
    assert generation_cancel(generation=done, user=owner).status == GENERATION_STATUS_SUCCEEDED


def test_a_stranger_can_neither_start_cancel_nor_delete(project, owner, stranger):
    generation = generation_start(project=project, user=owner)
    with pytest.raises(PermissionDenied):
        generation_start(project=project, user=stranger)
    with pytest.raises(PermissionDenied):
        generation_cancel(generation=generation, user=stranger)
    with pytest.raises(PermissionDenied):
        project_delete(project=project, user=stranger)
    assert Generation.objects.get().status == GENERATION_STATUS_QUEUED
    assert Project.objects.filter(pk=project.pk).exists()


def test_staff_may_cancel_another_users_run(project, owner, staff):
    generation = generation_start(project=project, user=owner)
    assert generation_cancel(generation=generation, user=staff).status == "cancelled"


def test_project_delete_removes_rows_and_stored_files(
    project, owner, channel_sends, django_capture_on_commit_callbacks
):
    generation = generation_start(project=project, user=owner)
    generation_cancel(generation=generation, user=owner)
    generation.zip.save("ignored.zip", ContentFile(b"PK zip bytes"))
    storage = generation.zip.storage
    stored = generation.zip.name
    assert stored == f"generations/{project.pk}/{generation.pk}.zip"
    assert storage.exists(stored)
    live = generation_start(project=project, user=owner)

    with django_capture_on_commit_callbacks(execute=True):
        project_delete(project=project, user=owner)

    assert not storage.exists(stored)
    assert not Project.objects.exists()
    assert not Generation.objects.exists()
    assert not GenerationEvent.objects.exists()
    # The live run was cancelled first (its listeners heard so), then deleted with the rest.
    assert (live.pk, "cancelled") in [(gid, event["type"]) for gid, event in channel_sends]


def test_visibility_querysets(project, owner, stranger, staff):
    generation = generation_start(project=project, user=owner)
    assert list(Project.objects.visible_to(owner)) == [project]
    assert list(Project.objects.visible_to(stranger)) == []
    assert list(Project.objects.visible_to(staff)) == [project]
    assert list(Project.objects.for_user(staff)) == []
    assert list(Generation.objects.visible_to(owner)) == [generation]
    assert list(Generation.objects.visible_to(stranger)) == []
    assert list(Generation.objects.visible_to(staff)) == [generation]
    assert list(Generation.objects.active()) == [generation]
