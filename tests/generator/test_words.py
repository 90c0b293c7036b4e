"""Words on the pages outside the project page: counts in the singular, whole sentences."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ExperienceLevel
from accounts.services import user_update_settings
from generator.examples import EXAMPLES
from tests.generator.helpers import make_finished_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    user_update_settings(user=owner, experience_level=ExperienceLevel.BEGINNER)
    client.force_login(owner)
    return client


def test_deleting_a_project_with_one_run_says_its_run(owner_client, project):
    make_finished_run(project)
    html = owner_client.get(reverse("generator:project_delete", args=[project.pk])).text
    assert "all 1 of its runs" not in html
    assert "its run, the run\u2019s history and its ZIP file" in html


def test_deleting_a_project_with_runs_counts_them_and_without_runs_names_none(
    owner_client, project
):
    url = reverse("generator:project_delete", args=[project.pk])
    assert "of its runs" not in owner_client.get(url).text
    make_finished_run(project)
    make_finished_run(project, number=2)
    assert "all 2 of its runs, their history" in owner_client.get(url).text


def test_the_wizards_examples_describe_themselves_and_say_use_this_example(owner_client):
    # Given the wizard's first step (the name), whose examples are names alone
    html = owner_client.get(reverse("generator:project_new") + "?form=wizard").text
    # Then each example has its one-line description and a grammatical button
    for example in EXAMPLES:
        assert example.description in html
    assert "Use this name" not in html and "Use this requirements" not in html
    assert html.count(">Use this example<") == len(EXAMPLES)


def test_the_wizards_requirements_step_says_use_this_example(owner_client):
    data = {"form_kind": "wizard", "step": 2, "name": "Shop", "description": "A shop."}
    html = owner_client.post(reverse("generator:project_new"), {**data, "action": "next"}).text
    assert 'data-step="3"' in html
    assert "Use this requirements" not in html
    assert EXAMPLES[0].requirements in html


def test_a_finished_runs_page_names_scores_checks_and_empty_lists_in_words(owner_client, project):
    # Given a finished run (initialization done with no steps, no file events)
    run = make_finished_run(project)
    # When its page is opened
    html = owner_client.get(reverse("generator:run", args=[project.pk, run.number])).text
    # Then scores, checks and empty lists read as words
    assert ">Business logic</th>" in html and ">User interface</th>" in html
    assert "Business_logic" not in html and ">Ui<" not in html
    assert "<strong>manage.py test</strong>: passed" in html
    assert '<li class="muted">No steps to show.</li>' in html


def test_a_live_run_without_files_says_so_in_an_unnumbered_line(owner_client, project):
    from django.utils import timezone

    from generator.models import Generation
    from tests.generator.helpers import record

    run = Generation.objects.create(
        project=project, number=1, status="running", started_at=timezone.now()
    )
    record(run, ("phase_start", "initialization", "Preparing the generation…", 0, {}))
    html = owner_client.get(reverse("generator:run", args=[project.pk, run.number])).text
    assert '<li class="muted file-list__empty">No files yet.</li>' in html
    assert '<li class="muted">Nothing yet.</li>' in html


def test_a_running_phase_without_steps_says_nothing_yet(project):
    from generator.tracker import PhaseState

    assert PhaseState("database", "Database", state="running").no_steps_label == "Nothing yet."
    assert PhaseState("database", "Database", state="done").no_steps_label == "No steps to show."
