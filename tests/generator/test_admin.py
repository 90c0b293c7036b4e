"""Admin: projects and runs listed, searchable, events inline read-only, cancel and re-run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from generator.engine.events import Event, EventType
from generator.models import Generation, Project
from generator.services import generation_record_event, generation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_project_and_generation_pages_load_for_staff(staff_client, project, owner):
    generation = generation_start(project=project, user=owner)
    generation_record_event(
        generation_id=generation.pk,
        event=Event(
            seq=1,
            type=EventType.PHASE_START,
            phase="analysis",
            message="Analyzing requirements…",
            progress=10,
        ),
    )
    pages = [
        reverse("admin:generator_project_changelist") + "?q=owner@example.com",
        reverse("admin:generator_project_change", args=[project.pk]),
        reverse("admin:generator_generation_changelist") + "?status__exact=queued&q=Task",
        reverse("admin:generator_generation_change", args=[generation.pk]),
    ]
    responses = [staff_client.get(url) for url in pages]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert "Task Manager" in responses[0].text
    assert "Analyzing requirements…" in responses[3].text  # the event history, inline
    assert 'name="events-0-message"' not in responses[3].text  # …and read-only


def test_generation_admin_refuses_adding_runs(staff_client):
    response = staff_client.get(reverse("admin:generator_generation_add"))
    assert response.status_code == 403


def test_admin_pages_refuse_non_staff(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:generator_generation_changelist"))
    assert response.status_code == 302


def test_cancel_action(staff_client, project, owner):
    generation = generation_start(project=project, user=owner)
    response = staff_client.post(
        reverse("admin:generator_generation_changelist"),
        {"action": "cancel", "_selected_action": [generation.pk]},
        follow=True,
    )
    assert "Asked 1 generation(s) to stop." in response.text
    generation.refresh_from_db()
    assert generation.status == "cancelled"


def test_rerun_action_starts_a_new_run_of_the_project(staff_client, project, owner, staff):
    first = generation_start(project=project, user=owner)
    response = staff_client.post(
        reverse("admin:generator_generation_changelist"),
        {"action": "rerun", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "Started 1 new generation(s)." in response.text
    newest = Generation.objects.for_project(project).order_by("-number").first()
    assert (newest.number, newest.status, newest.requested_by) == (2, "queued", staff)


def test_rerun_action_reports_the_owners_limit(staff_client, project, owner):
    first = generation_start(project=project, user=owner)
    generation_start(project=project, user=owner)
    response = staff_client.post(
        reverse("admin:generator_generation_changelist"),
        {"action": "rerun", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "You already have 2 generations running" in response.text
    assert Generation.objects.count() == 2


def test_rerun_action_reports_a_project_the_rules_refuse_now(staff_client, project, owner):
    first = generation_start(project=project, user=owner)
    Project.objects.filter(pk=project.pk).update(name="!!!")
    response = staff_client.post(
        reverse("admin:generator_generation_changelist"),
        {"action": "rerun", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "Use at least one letter or digit" in response.text
    assert "Started 0 new generation(s)." in response.text
    assert Generation.objects.count() == 1


def test_spec_versions_are_listed_read_only_and_inline_on_the_project(client, staff, owner):
    from generator.services import version_create
    from tests.generator.helpers import SPEC

    project = Project.objects.create(owner=owner, name="Tasks", requirements="Tasks.")
    version = version_create(project=project, user=owner, spec=SPEC, source="spec")
    client.force_login(staff)

    listing = client.get("/admin/generator/specversion/")
    page = client.get(f"/admin/generator/specversion/{version.pk}/change/")
    inline = client.get(f"/admin/generator/project/{project.pk}/change/")

    assert listing.status_code == page.status_code == inline.status_code == 200
    assert b"Tasks v1" in listing.content
    assert b'name="_save"' not in page.content  # nothing to save on a read-only page
    assert b"Spec given" in inline.content
