"""The pages of change requests and versions: ask, review, confirm, discard, history, compare."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from django.urls import reverse

from generator import services
from generator.models import Generation, Project, SpecVersion
from tests.generator.helpers import FILES, LIBRARY, SPEC, make_finished_run, make_live_run

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

SPEC_V2 = copy.deepcopy(SPEC)
SPEC_V2["entities"][1]["fields"].append({"name": "priority", "type": "integer"})
FILES_V2 = {
    "core/models.py": FILES["core/models.py"] + "    priority = models.IntegerField(default=0)\n",
    "README.md": FILES["README.md"],
    "core/tags.py": "TAGS = []\n",
}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def built(project: Project, owner, spec, *, files, number: int, **fields) -> SpecVersion:
    """A version of ``project`` with a succeeded run (number ``number``) that built it."""
    version = services.version_create(project=project, user=owner, spec=spec, **fields)
    run = make_finished_run(project, number=number, files=files)
    Generation.objects.filter(pk=run.pk).update(version=version)
    return version


@pytest.fixture
def versioned(project, owner) -> Project:
    """Version 1 read from the requirements, version 2 from a change request; both built."""
    built(project, owner, SPEC, files=FILES, number=1, source="requirements")
    built(
        project,
        owner,
        SPEC_V2,
        files=FILES_V2,
        number=2,
        source="change",
        change_text="add a priority to tasks",
    )
    return project


def url(name: str, project: Project, *args: object) -> str:
    return reverse(f"generator:{name}", args=[project.pk, *args])


def read_pages(project: Project) -> list[str]:
    return [
        url("changes", project),
        url("versions", project),
        url("version_download", project, 1),
        url("compare", project) + "?from=1&to=2",
    ]


def write_actions(project: Project) -> list[str]:
    return [
        url("changes", project),
        url("change_confirm", project),
        url("change_discard", project),
        url("requirements_edit", project),
        url("version_build", project, 1),
        url("version_restore", project, 1),
    ]


# --- who may see and do what ----------------------------------------------------------------------


def test_the_owner_and_staff_see_every_page(client, owner, staff, versioned):
    for user in (owner, staff):
        client.force_login(user)
        statuses = [client.get(page).status_code for page in read_pages(versioned)]
        assert statuses == [200, 200, 200, 200], user


def test_a_stranger_gets_404_on_every_page_and_action(client, stranger, versioned):
    client.force_login(stranger)
    services.draft_replace(project=versioned, user=versioned.owner, spec=SPEC)

    pages = [client.get(page).status_code for page in read_pages(versioned)]
    actions = [
        client.post(action, {"request": "remove tasks"}) for action in write_actions(versioned)
    ]

    assert pages == [404] * 4
    assert [response.status_code for response in actions] == [404] * 6
    versioned.refresh_from_db()
    assert versioned.draft is not None
    assert versioned.versions.count() == 2 and versioned.generations.count() == 2


def test_signed_out_visitors_are_sent_to_log_in(client, versioned):
    responses = [client.get(page) for page in read_pages(versioned)]
    responses += [client.post(action) for action in write_actions(versioned)]

    for response in responses:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert versioned.versions.count() == 2


def test_staff_can_discard_a_pending_change_on_anyones_project(client, staff, versioned):
    services.draft_replace(project=versioned, user=versioned.owner, spec=SPEC)
    client.force_login(staff)

    response = client.post(url("change_discard", versioned))

    assert response.status_code == 302
    versioned.refresh_from_db()
    assert versioned.draft is None


# --- the project page -----------------------------------------------------------------------------


def test_the_project_page_offers_the_change_box_the_requirements_and_the_history(
    owner_client, versioned
):
    page = owner_client.get(url("project", versioned)).text

    assert 'data-testid="change-panel"' in page
    assert '<label for="change-request">Ask for a change</label>' in page
    assert "add a due date and a priority to tasks" in page  # the placeholder's examples
    assert 'name="requirements"' in page and "small teams" in page
    assert f'hx-get="{url("versions", versioned)}" hx-trigger="load"' in page
    assert 'data-testid="pending-plan-link"' not in page  # nothing pending


def test_every_run_says_which_version_it_built(owner_client, versioned):
    page = owner_client.get(url("project", versioned)).text

    assert "Run 2 · version 2</h2>" in page
    assert page.count('data-testid="run-version"') == 2
    assert "· version 1</span>" in page


def test_a_pending_change_is_loaded_on_the_project_page_and_linked_without_javascript(
    owner_client, versioned
):
    services.draft_replace(project=versioned, user=versioned.owner, spec=SPEC)

    page = owner_client.get(url("project", versioned)).text

    assert 'data-testid="pending-plan-link"' in page
    assert f'hx-get="{url("changes", versioned)}" hx-trigger="load"' in page


# --- change requests ------------------------------------------------------------------------------


def test_a_change_request_shows_the_plan_diff_and_what_to_do_next(owner_client, versioned):
    response = owner_client.post(
        url("changes", versioned), {"request": "add a due date to projects"}, **HTMX
    )

    assert response.status_code == 200
    panel = response.text
    assert panel.lstrip().startswith('<section id="change-panel"')
    assert 'data-testid="plan-review"' in panel and "autofocus" in panel
    assert "What changes from version 2" in panel
    assert 'data-testid="spec-diff-added"' in panel
    assert "due" in panel.split('data-testid="spec-diff-added"')[1].split("</ul>")[0].lower()
    assert 'data-testid="confirm-build"' in panel
    assert f'href="/projects/{versioned.pk}/plan/"' in panel
    assert 'data-testid="discard-change"' in panel
    assert "add a due date to projects" in panel  # what was asked
    assert 'data-testid="plan-notes"' in panel
    assert "Added the field due_date (date) to Project." in panel  # the engine's notes
    versioned.refresh_from_db()
    assert versioned.draft is not None and versioned.versions.count() == 2


def test_without_javascript_a_change_request_redirects_to_the_plan(owner_client, versioned):
    response = owner_client.post(
        url("changes", versioned), {"request": "remove projects"}, follow=True
    )

    assert response.redirect_chain == [(url("changes", versioned), 302)]
    assert 'data-testid="spec-diff-removed"' in response.text
    assert "<html" in response.text and 'data-testid="confirm-build"' in response.text
    assert "Removed the entity Project." in response.text  # the notes, kept across the redirect


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Say what to change"),
        ("make it nicer please", "Nothing in this request could be read as a change"),
    ],
)
def test_a_change_that_cannot_be_read_is_refused_with_the_text_kept(
    owner_client, versioned, text, words
):
    response = owner_client.post(url("changes", versioned), {"request": text}, **HTMX)

    assert response.status_code == 200
    panel = response.text
    assert 'data-testid="change-error"' in panel
    assert words in panel
    assert f">{text}</textarea>" in panel
    assert 'aria-invalid="true"' in panel
    assert 'data-testid="plan-review"' not in panel
    versioned.refresh_from_db()
    assert versioned.draft is None


def test_a_refused_change_without_javascript_shows_the_page_with_the_error(owner_client, versioned):
    response = owner_client.post(url("changes", versioned), {"request": "   "})

    assert response.status_code == 200
    assert "<html" in response.text and 'data-testid="change-error"' in response.text


def test_confirming_builds_the_plan_as_a_new_version_and_shows_its_run(owner_client, versioned):
    services.draft_replace(
        project=versioned, user=versioned.owner, spec=SPEC, change_text="back to one field"
    )

    response = owner_client.post(url("change_confirm", versioned))

    version = versioned.versions.get(number=3)
    run = versioned.generations.get(number=3)
    assert response.status_code == 302
    assert response.url == url("run", versioned, 3)
    assert run.version == version and version.change_text == "back to one field"
    versioned.refresh_from_db()
    assert versioned.draft is None
    page = owner_client.get(response.url).text
    assert "Run 3 · version 3" in page and "building it now" in page


def test_confirming_with_htmx_moves_the_page_to_the_run(owner_client, versioned):
    services.draft_replace(project=versioned, user=versioned.owner, spec=SPEC)

    response = owner_client.post(url("change_confirm", versioned), **HTMX)

    assert response.headers["HX-Redirect"] == url("run", versioned, 3)


def test_confirming_over_the_run_limit_keeps_the_plan_and_says_why(
    owner_client, versioned, settings
):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    make_live_run(versioned, number=3)
    services.draft_replace(project=versioned, user=versioned.owner, spec=SPEC)

    response = owner_client.post(url("change_confirm", versioned), **HTMX)

    assert 'data-testid="plan-error"' in response.text
    assert "You already have 1 generation running" in response.text
    versioned.refresh_from_db()
    assert versioned.draft is not None and versioned.versions.count() == 2


def test_confirming_with_nothing_pending_builds_nothing(owner_client, versioned):
    response = owner_client.post(url("change_confirm", versioned), follow=True)

    assert "There is no pending change to build." in response.text
    assert versioned.generations.count() == 2


def test_discarding_drops_the_plan(owner_client, versioned):
    services.draft_replace(project=versioned, user=versioned.owner, spec=SPEC)

    response = owner_client.post(url("change_discard", versioned), **HTMX)

    assert "Discarded the pending change" in response.text
    assert 'data-testid="plan-review"' not in response.text
    versioned.refresh_from_db()
    assert versioned.draft is None and versioned.versions.count() == 2


# --- requirements ---------------------------------------------------------------------------------


def test_edited_requirements_are_read_again_and_shown_as_a_plan(owner_client, versioned):
    response = owner_client.post(
        url("requirements_edit", versioned), {"requirements": LIBRARY}, **HTMX
    )

    text = response.text
    assert text.lstrip().startswith('<details id="requirements"')
    assert 'id="change-panel" class="panel change-panel"' in text and 'hx-swap-oob="true"' in text
    assert 'data-testid="spec-diff-added"' in text and "Book" in text
    versioned.refresh_from_db()
    assert versioned.requirements == LIBRARY and versioned.draft is not None


def test_edited_requirements_without_javascript_redirect_to_the_plan(owner_client, versioned):
    response = owner_client.post(url("requirements_edit", versioned), {"requirements": LIBRARY})

    assert response.status_code == 302 and response.url == url("changes", versioned)


def test_requirements_that_describe_nothing_are_refused_with_the_text_kept(owner_client, versioned):
    before = versioned.requirements

    response = owner_client.post(
        url("requirements_edit", versioned), {"requirements": "asdf qwer zxcv"}, **HTMX
    )

    assert 'data-testid="requirements-error"' in response.text
    assert ">asdf qwer zxcv</textarea>" in response.text
    assert '<details id="requirements" class="requirements" data-testid="requirements" open>' in (
        response.text
    )
    versioned.refresh_from_db()
    assert versioned.requirements == before and versioned.draft is None


# --- the history ----------------------------------------------------------------------------------


def test_the_history_lists_every_version_newest_first_with_its_builds(owner_client, versioned):
    make_live_run(versioned, number=3)
    Generation.objects.filter(number=3).update(version=versioned.versions.get(number=2))

    response = owner_client.get(url("versions", versioned), **HTMX)

    panel = response.text
    assert panel.lstrip().startswith('<section id="versions"')
    rows = panel.split('data-testid="version-row"')[1:]
    assert [row.split('data-number="')[1].split('"')[0] for row in rows] == ["2", "1"]
    newest, oldest = rows
    assert "Change request" in newest and "add a priority to tasks" in newest
    assert "Read from the requirements" in oldest
    assert "2 entities" in newest
    assert 'data-run="3">Running' in newest and 'data-run="2">Succeeded' in newest
    assert 'data-run="1">Succeeded' in oldest
    assert "Building…" in newest
    assert "?from=1&amp;to=2" in newest and "Compare with version 1" in newest
    assert (
        'data-testid="version-restore"' in oldest and 'data-testid="version-restore"' not in newest
    )
    assert "Restore as version 3" in oldest
    assert url("version_download", versioned, 1) in oldest
    assert 'hx-trigger="every 4s"' in panel  # a build is running: the list keeps itself current


def test_a_version_not_built_offers_no_download_and_its_history_stops_polling(
    owner_client, versioned
):
    services.version_create(project=versioned, user=versioned.owner, spec=SPEC, source="spec")

    panel = owner_client.get(url("versions", versioned), **HTMX).text

    newest = panel.split('data-testid="version-row"')[1]
    assert "Not built yet." in newest and "Build this version" in newest
    assert 'data-testid="version-download"' not in newest
    assert "every 4s" not in panel


def test_the_history_is_a_page_of_its_own_without_javascript(owner_client, versioned):
    page = owner_client.get(url("versions", versioned)).text

    assert "<html" in page and "Versions of Task Manager" in page
    assert page.count('data-testid="version-row"') == 2


def test_restoring_an_old_version_makes_it_the_next_version(owner_client, versioned):
    response = owner_client.post(url("version_restore", versioned, 1))

    assert response.status_code == 302
    assert response.url == url("project", versioned) + "#versions"
    restored = versioned.versions.get(number=3)
    assert (restored.source, restored.restored_from) == ("restore", 1)
    assert restored.spec == versioned.versions.get(number=1).spec
    assert versioned.generations.count() == 2  # nothing is built


def test_restoring_with_htmx_answers_with_the_history_and_says_what_happened(
    owner_client, versioned
):
    response = owner_client.post(url("version_restore", versioned, 1), **HTMX)

    assert "Restored version 1 as version 3: build it" in response.text
    assert "Restored from version 1" in response.text


def test_building_an_old_version_starts_a_run_of_it(owner_client, versioned):
    response = owner_client.post(url("version_build", versioned, 1))

    run = versioned.generations.get(number=3)
    assert response.url == url("run", versioned, 3)
    assert run.version.number == 1


def test_building_over_the_run_limit_says_why(owner_client, versioned, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    make_live_run(versioned, number=3)

    response = owner_client.post(url("version_build", versioned, 1), **HTMX)

    assert 'data-testid="versions-problem"' in response.text
    assert versioned.generations.count() == 3


# --- downloads ------------------------------------------------------------------------------------


def test_a_versions_zip_is_its_newest_verified_build(owner_client, versioned):
    response = owner_client.get(url("version_download", versioned, 2))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        models = archive.read("task-manager/core/models.py").decode()
    assert "priority" in models


def test_a_version_without_a_verified_build_has_no_download(owner_client, versioned):
    services.version_create(project=versioned, user=versioned.owner, spec=SPEC, source="spec")

    response = owner_client.get(url("version_download", versioned, 3))
    missing = owner_client.get(url("version_download", versioned, 9))

    assert response.status_code == 404
    assert "Version 3 has no verified build to download yet: build it first." in response.text
    assert missing.status_code == 404


# --- comparing ------------------------------------------------------------------------------------


def test_comparing_two_built_versions_shows_the_plan_and_each_files_diff(owner_client, versioned):
    response = owner_client.get(url("compare", versioned) + "?from=1&to=2")

    page = response.text
    assert response.status_code == 200
    assert "The plan: version 1 → version 2" in page
    assert 'data-testid="spec-diff-added"' in page and "priority" in page
    files = {
        part.split('data-path="')[1].split('"')[0]: part
        for part in page.split('data-testid="file-diff"')[1:]
    }
    assert set(files) == {"core/models.py", "core/tags.py", "templates/core/task_list.html"}
    models = files["core/models.py"]
    assert "+1</span>" in models and "\u22120</span>" in models
    assert 'class="gi"' in models and "priority" in models  # the added line, highlighted
    assert 'data-status="removed"' in files["templates/core/task_list.html"]
    assert 'data-testid="diff-totals"' in page and "3 files changed" in page


def test_the_file_filter_narrows_the_files(owner_client, versioned):
    response = owner_client.get(
        url("compare", versioned) + "?from=1&to=2&q=models",
        HTTP_HX_TARGET="compare-files",
        **HTMX,
    )

    assert response.text.lstrip().startswith('<div id="compare-files"')
    assert response.text.count('data-testid="file-diff"') == 1
    assert "1 of 3 files match “models”." in response.text


def test_without_numbers_the_latest_is_compared_with_the_one_before(owner_client, versioned):
    page = owner_client.get(url("compare", versioned)).text

    assert "The plan: version 1 → version 2" in page
    assert '<option value="1" selected>' in page and '<option value="2" selected>' in page


def test_comparing_with_a_version_not_built_says_to_build_it(owner_client, versioned):
    services.version_create(project=versioned, user=versioned.owner, spec=SPEC, source="spec")

    page = owner_client.get(url("compare", versioned) + "?from=2&to=3").text

    assert 'data-testid="files-note"' in page and "Build version 3 to compare files." in page
    assert 'data-testid="file-diff"' not in page
    assert 'data-testid="spec-diff-removed"' in page and "priority" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=abc&to=2", "“abc” is not a version number."),
        ("?from=1&to=9", "This project has no version 9."),
        ("?from=1", "Choose a version to compare to."),
        ("?from=2&to=2", "Choose two different versions."),
        ("?from=-1&to=2", "“-1” is not a version number."),
    ],
)
def test_bad_version_numbers_are_explained_on_the_page(owner_client, versioned, query, message):
    response = owner_client.get(url("compare", versioned) + query)

    assert response.status_code == 200
    assert 'data-testid="compare-problem"' in response.text
    assert message in response.text


def test_a_project_with_one_version_has_nothing_to_compare(owner_client, project, owner):
    built(project, owner, SPEC, files=FILES, number=1, source="requirements")

    response = owner_client.get(url("compare", project) + "?from=1&to=2")

    assert response.status_code == 200
    assert "fewer than two versions" in response.text


def test_the_notes_of_each_change_add_up_until_the_plan_is_discarded(owner_client, versioned):
    owner_client.post(url("changes", versioned), {"request": "add a due date to projects"})
    owner_client.post(url("changes", versioned), {"request": "let users tag tasks"})

    both = owner_client.get(url("changes", versioned)).text
    owner_client.post(url("change_discard", versioned))
    owner_client.post(url("changes", versioned), {"request": "remove projects"})
    after = owner_client.get(url("changes", versioned)).text

    assert "Added the field due_date (date) to Project." in both
    assert "Added the entity Tag with name." in both
    assert "add a due date to projects\nlet users tag tasks" in both  # what was asked, in order
    assert "Added the field due_date" not in after and "Removed the entity Project." in after
