"""The project pages: dashboard, project and run pages, files, downloads; owner vs stranger."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from generator.engine.analysis import analyze
from generator.models import Generation, Project
from generator.services import project_create
from tests.generator.helpers import FILES, TASK_MANAGER, make_finished_run, make_live_run

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def stranger_client(client, stranger):
    client.force_login(stranger)
    return client


@pytest.fixture
def finished(project):
    return make_finished_run(project)


def make_projects(owner, count: int, prefix: str = "App") -> list[Project]:
    return [
        project_create(
            owner=owner, name=f"{prefix} {n:02}", requirements=TASK_MANAGER, stack="django"
        )
        for n in range(count)
    ]


def page_urls(project: Project, generation: Generation) -> list[str]:
    pk, number = project.pk, generation.number
    return [
        reverse("generator:project", args=[pk]),
        reverse("generator:project_row", args=[pk]),
        reverse("generator:project_delete", args=[pk]),
        reverse("generator:run", args=[pk, number]),
        reverse("generator:run_file", args=[pk, number, "core/models.py"]),
        reverse("generator:run_file", args=[pk, number, "core/models.py"]) + "?download=1",
        reverse("generator:run_download", args=[pk, number]),
    ]


# --- dashboard --------------------------------------------------------------------------------


def test_the_empty_dashboard_offers_the_example_prompts(owner_client):
    response = owner_client.get(reverse("generator:dashboard"))

    assert response.status_code == 200
    text = response.text
    assert 'data-testid="empty-state"' in text
    for title, key in [
        ("Blog", "blog"),
        ("Task Manager", "task-manager"),
        ("E-commerce", "e-commerce"),
    ]:
        assert f"Start from “{title}”" in text
        assert f"/projects/new/?example={key}" in text


def test_home_shows_the_dashboard_when_signed_in_and_the_landing_page_otherwise(client, owner):
    assert "takoss generate" in client.get("/").text
    owner.experience_level = "beginner"
    owner.save()
    client.force_login(owner)
    assert "Your projects" in client.get("/").text


def test_the_dashboard_lists_only_my_projects_with_their_last_run(owner_client, project, stranger):
    make_finished_run(project)
    make_projects(stranger, 1, prefix="Secret")

    response = owner_client.get(reverse("generator:dashboard"))

    assert "Task Manager" in response.text
    assert "Secret" not in response.text
    assert 'data-status="succeeded"' in response.text


def test_a_running_project_row_polls_for_its_progress(owner_client, project):
    make_live_run(project)

    response = owner_client.get(reverse("generator:project_row", args=[project.pk]))

    assert 'hx-trigger="every 2s"' in response.text
    assert 'value="30"' in response.text  # the progress bar


def test_dashboard_search_and_pagination(owner_client, owner):
    make_projects(owner, 12, prefix="App")
    make_projects(owner, 1, prefix="Blog")

    first = owner_client.get(reverse("generator:dashboard"))
    second = owner_client.get(reverse("generator:dashboard") + "?page=2")
    found = owner_client.get(reverse("generator:dashboard") + "?q=blog")
    none = owner_client.get(reverse("generator:dashboard") + "?q=zebra")

    assert first.text.count('data-testid="project-row"') == 10
    assert "Page 1 of 2" in first.text
    assert second.text.count('data-testid="project-row"') == 3
    assert found.text.count('data-testid="project-row"') == 1
    assert "Blog 00" in found.text
    assert "No projects match “zebra”." in none.text


def test_dashboard_search_answers_htmx_with_the_list_only(owner_client, owner):
    make_projects(owner, 2)

    response = owner_client.get(
        reverse("generator:dashboard") + "?q=App", HTTP_HX_TARGET="project-list", **HTMX
    )

    assert response.text.lstrip().startswith('<div id="project-list"')
    assert "<html" not in response.text


# --- access -----------------------------------------------------------------------------------


def test_the_owner_sees_every_page_of_the_project(owner_client, project, finished):
    statuses = [owner_client.get(url).status_code for url in page_urls(project, finished)]
    assert statuses == [200] * 7


def test_staff_see_every_page_of_anyones_project(client, staff, project, finished):
    client.force_login(staff)
    statuses = [client.get(url).status_code for url in page_urls(project, finished)]
    assert statuses == [200] * 7  # the dashboard row too: staff see all


def test_a_stranger_gets_404_on_every_page_file_and_download(stranger_client, project, finished):
    statuses = [stranger_client.get(url).status_code for url in page_urls(project, finished)]
    assert statuses == [404] * 7


def test_a_stranger_cannot_cancel_regenerate_or_delete(stranger_client, project):
    live = make_live_run(project)
    posts = [
        reverse("generator:run_cancel", args=[project.pk, live.number]),
        reverse("generator:project_regenerate", args=[project.pk]),
        reverse("generator:project_delete", args=[project.pk]),
    ]

    statuses = [stranger_client.post(url).status_code for url in posts]

    assert statuses == [404, 404, 404]
    live.refresh_from_db()
    assert (live.status, live.cancel_requested_at) == ("running", None)
    assert project.generations.count() == 1
    assert Project.objects.filter(pk=project.pk).exists()


def test_regenerating_a_project_the_rules_refuse_now_says_why_and_starts_nothing(
    owner_client, project
):
    # Saved before the name rule; the page says what to fix instead of starting a doomed run.
    Project.objects.filter(pk=project.pk).update(name="🎉")

    response = owner_client.post(
        reverse("generator:project_regenerate", args=[project.pk]), follow=True
    )

    assert response.redirect_chain == [(reverse("generator:project", args=[project.pk]), 302)]
    assert "This project cannot run again: Use at least one letter or digit" in response.text
    assert project.generations.count() == 0


def test_signed_out_visitors_are_sent_to_log_in(client, project, finished):
    for url in page_urls(project, finished):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_forms_need_a_csrf_token(owner, project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("generator:project_regenerate", args=[project.pk]))

    assert response.status_code == 403
    assert project.generations.count() == 0


# --- the run page -----------------------------------------------------------------------------


def test_a_live_run_renders_its_history_and_connects_from_the_last_event_id(owner_client, project):
    live = make_live_run(project)

    response = owner_client.get(reverse("generator:project", args=[project.pk]))

    text = response.text
    assert (
        f'sse-connect="/events/generations/{live.pk}/?lastEventId=generation-{live.pk}%3A0"' in text
    )
    assert 'data-phase="initialization" data-state="done"' in text
    assert 'data-phase="database" data-state="running"' in text
    assert 'data-phase="backend" data-state="pending"' in text
    assert 'data-path="core/models.py"' in text  # the growing file list
    assert "Wrote core/models.py" in text  # a sub-step
    assert 'data-testid="cancel-button"' in text
    assert 'aria-live="polite"' in text
    assert 'data-progress="30"' in text


def test_a_finished_run_shows_its_results_and_keeps_no_stream_open(owner_client, project, finished):
    response = owner_client.get(reverse("generator:run", args=[project.pk, finished.number]))

    text = response.text
    assert "sse-connect" not in text
    assert 'data-testid="download-link"' in text
    assert 'data-entity="Task"' in text and "due_date" in text  # the spec summary
    assert "Task</strong> → <strong>Project" in text
    assert "Search tasks" in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram"' in text
    assert "manage.py test" in text and "11 passed, 0 failed" in text
    assert "Complexity: 12.5" in text
    assert 'data-path="core/models.py"' in text  # the file tree
    assert 'data-phase="complete"' in text


def test_the_run_page_answers_htmx_with_the_run_and_the_history(owner_client, project, finished):
    response = owner_client.get(
        reverse("generator:run", args=[project.pk, finished.number]), **HTMX
    )

    assert response.text.lstrip().startswith('<section id="run"')
    assert 'id="run-history" class="panel" aria-labelledby="history-title" hx-swap-oob="true"' in (
        response.text
    )


def test_past_runs_are_listed_and_each_is_viewable(owner_client, project):
    make_finished_run(project, number=1)
    make_live_run(project, number=2)

    page = owner_client.get(reverse("generator:project", args=[project.pk]))
    first = owner_client.get(reverse("generator:run", args=[project.pk, 1]))

    assert page.text.count('data-testid="history-row"') == 2
    assert 'data-number="2" aria-labelledby="run-title"' in page.text  # the newest run is shown
    assert 'data-status="succeeded" data-number="1"' in first.text
    assert owner_client.get(reverse("generator:run", args=[project.pk, 3])).status_code == 404


# --- files ------------------------------------------------------------------------------------


def test_the_code_viewer_highlights_with_line_numbers_and_a_copy_button(
    owner_client, project, finished
):
    url = reverse("generator:run_file", args=[project.pk, finished.number, "core/models.py"])

    page = owner_client.get(url)
    partial = owner_client.get(url, **HTMX)

    assert 'class="highlight"' in page.text
    assert 'class="linenos"' in page.text
    assert '<span class="k">class</span>' in page.text  # Python keywords are highlighted
    assert 'data-testid="copy-button"' in page.text
    assert "class Task(models.Model):" in page.text  # the raw text the copy button copies
    assert partial.text.lstrip().startswith('<div id="code-viewer"')


@pytest.mark.parametrize(
    "path",
    [
        "../../../etc/passwd",
        "..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "core/../core/models.py",
        "./core/models.py",
        "task-manager/core/models.py",
        "core/missing.py",
        "core",
    ],
)
def test_file_paths_cannot_escape_the_project(owner_client, project, finished, path):
    base = reverse("generator:run", args=[project.pk, finished.number])
    response = owner_client.get(f"{base}files/{path}")
    assert response.status_code == 404


def test_a_file_can_only_come_from_a_run_with_an_archive(owner_client, project):
    live = make_live_run(project)
    url = reverse("generator:run_file", args=[project.pk, live.number, "core/models.py"])
    assert owner_client.get(url).status_code == 404
    download = reverse("generator:run_download", args=[project.pk, live.number])
    assert owner_client.get(download).status_code == 404


def test_one_file_downloads_as_an_attachment_and_a_missing_one_is_a_404(
    owner_client, project, finished
):
    url = reverse("generator:run_file", args=[project.pk, finished.number, "core/models.py"])

    response = owner_client.get(url + "?download=1")
    missing = owner_client.get(url.replace("models.py", "nothing.py") + "?download=1")

    assert response["Content-Disposition"] == 'attachment; filename="models.py"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response.content.decode() == FILES["core/models.py"]
    assert missing.status_code == 404
    page = owner_client.get(url)
    assert 'data-testid="file-download"' in page.text
    assert 'href="#L-1"' in page.text  # each line number links to its line


def test_the_workspace_tabs_follow_a_run_that_ends(owner_client, project, finished):
    # The run's section swapped in by htmx when a live run ends carries the tabs' new content
    # out of band: files, diagram and checks appear without a reload.
    response = owner_client.get(reverse("generator:run", args=[project.pk, 1]), **HTMX)
    page = owner_client.get(reverse("generator:project", args=[project.pk]))

    for panel in ("workspace-code", "workspace-diagram", "workspace-checks", "workspace-diff"):
        assert f'id="{panel}" class="{panel}" hx-swap-oob="true"' in response.text, panel
        assert f'id="{panel}" class="{panel}">' in page.text, panel
    assert 'data-testid="file-tree"' in response.text
    assert 'role="tablist"' in page.text and 'data-default-tab="preview"' in page.text


def test_the_zip_download(owner_client, project, finished):
    response = owner_client.get(reverse("generator:run_download", args=[project.pk, 1]))

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="task-manager-run-1.zip"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert sorted(archive.namelist()) == sorted(f"task-manager/{p}" for p in FILES)
        assert archive.read("task-manager/README.md") == b"# Task Manager\n"


def test_the_run_page_says_how_the_description_was_read(owner_client, project):
    # Given a run of a description with people who act, a rule and a noun Takoss left out
    spec = analyze(
        "A volunteer scheduling app for a food bank. Volunteers sign up for shifts at different "
        "locations. Each shift has a date, start time, end time and the number of volunteers "
        "needed. Coordinators manage locations and thank donors."
    )
    generation = make_finished_run(project)
    generation.spec = spec.to_dict()
    generation.save(update_fields=["spec"])
    # When the owner opens the run
    text = owner_client.get(reverse("generator:run", args=[project.pk, generation.number])).text
    # Then the page shows the roles, the reading notes, what was left out and the rules
    assert 'data-testid="spec-roles"' in text and "Volunteer, Coordinator" in text
    assert "read as a user role (Volunteer), not a table" in text
    assert "&#x27;donors&#x27; is mentioned but was not modelled" in text
    assert f"Confidence {round(spec.confidence * 100)}%" in text
    assert "<code>end_time</code> &gt; <code>start_time</code>" in text
    assert "one per <code>volunteer</code> and <code>shift</code>" in text
    assert "integer (≥ 1)" in text  # the number of volunteers needed
