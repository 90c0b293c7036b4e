"""Admin: projects and runs listed, searchable, a run's events behind a link, cancel and re-run;
read-only records without Save, JSON folded and indented, one Accounts section, Takoss's titles."""

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
    events = staff_client.get(
        reverse("admin:generator_generationevent_changelist"), {"generation": generation.pk}
    )
    assert "Analyzing requirements…" in events.text  # the event history, behind the run's link
    assert 'name="form-0-message"' not in events.text  # …and read-only


def _run_with_events(project, owner, count: int) -> Generation:
    generation = generation_start(project=project, user=owner)
    for seq in range(1, count + 1):
        generation_record_event(
            generation_id=generation.pk,
            event=Event(
                seq=seq, type=EventType.LOG, phase="backend", message=f"step {seq}", progress=50
            ),
        )
    return generation


def test_a_runs_page_links_to_its_events_instead_of_listing_them(staff_client, project, owner):
    # Given a run with 150 events and another run with 2
    generation = _run_with_events(project, owner, 150)
    _run_with_events(project, owner, 2)
    # When staff open the run's page
    page = staff_client.get(reverse("admin:generator_generation_change", args=[generation.pk]))
    # Then it counts the events and links to them, and lists none of them
    assert page.status_code == 200
    assert "step 17" not in page.text
    link = reverse("admin:generator_generationevent_changelist") + f"?generation={generation.pk}"
    assert f'<a href="{link}">150 events</a>' in page.text
    # And the link shows only that run's events, 50 to a page
    events = staff_client.get(link)
    assert events.status_code == 200
    assert ">step 1<" in events.text and ">step 51<" not in events.text
    assert events.context["cl"].result_count == 150


def test_a_runs_spec_is_indented_json_folded_in_details(staff_client, project, owner):
    generation = generation_start(project=project, user=owner)
    Generation.objects.filter(pk=generation.pk).update(
        spec={"name": "Tasks", "entities": [{"name": "Task"}, {"name": "Tag"}]}
    )
    page = staff_client.get(reverse("admin:generator_generation_change", args=[generation.pk]))
    assert "<summary>Show the spec (2 entities)</summary>" in page.text
    assert "<pre" in page.text and "{\n  &quot;name&quot;: &quot;Tasks&quot;," in page.text


@pytest.mark.parametrize(
    "url",
    [
        "admin:generator_generation_change",
        "admin:generator_generationevent_change",
        "admin:generator_specversion_change",
        "admin:accounts_apikey_change",
    ],
)
def test_read_only_pages_have_no_save_button(staff_client, project, owner, url):
    from accounts.services import api_key_create

    generation = _run_with_events(project, owner, 1)
    api_key, _ = api_key_create(user=owner, name="ci")
    from generator.services import version_create
    from tests.generator.helpers import SPEC

    version = version_create(project=project, user=owner, spec=SPEC, source="spec")
    pk = {
        "admin:generator_generation_change": generation.pk,
        "admin:generator_generationevent_change": generation.events.get().pk,
        "admin:generator_specversion_change": version.pk,
        "admin:accounts_apikey_change": api_key.pk,
    }[url]
    page = staff_client.get(reverse(url, args=[pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert 'name="_continue"' not in page.text


def test_the_admin_says_takoss_and_has_one_accounts_section(staff_client):
    page = staff_client.get(reverse("admin:index"))
    assert "Takoss administration" in page.text
    assert "Django administration" not in page.text
    sections = [app["name"] for app in page.context["app_list"]]
    assert sections.count("Accounts") == 1
    accounts = next(app for app in page.context["app_list"] if app["name"] == "Accounts")
    assert {m["object_name"] for m in accounts["models"]} >= {"User", "ApiKey", "EmailAddress"}
    # allauth's own pages stay where allauth put them
    assert staff_client.get(reverse("admin:account_emailaddress_changelist")).status_code == 200


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
    Generation.objects.filter(pk=first.pk).update(status="succeeded")
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
    Generation.objects.filter(pk=first.pk).update(status="succeeded")
    other = Project.objects.create(owner=owner, name="Other", requirements=project.requirements)
    generation_start(project=other, user=owner)
    generation_start(project=other, user=owner)
    response = staff_client.post(
        reverse("admin:generator_generation_changelist"),
        {"action": "rerun", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "You already have 2 generations running" in response.text
    assert Generation.objects.count() == 3  # the finished one and the two running


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


def test_rerun_action_reports_a_run_in_progress(staff_client, project, owner):
    first = generation_start(project=project, user=owner)
    response = staff_client.post(
        reverse("admin:generator_generation_changelist"),
        {"action": "rerun", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "Run 1 of this project is still in progress" in response.text
    assert "Started 0 new generation(s)." in response.text
    assert Generation.objects.count() == 1
