"""Spec versions through the API: the spec, change requests, the history, builds, restores,
diffs and downloads by version, with strangers, bad input, conflicts and limits."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest

from generator import services
from generator.api.throttling import GenerateThrottle
from generator.models import Generation, Project, SpecVersion
from tests.api.test_auth import assert_error
from tests.generator.helpers import FILES, SPEC, TASK_MANAGER, make_finished_run, make_live_run

pytestmark = pytest.mark.django_db


def _with_priority() -> dict[str, Any]:
    """SPEC with a priority on tasks."""
    spec = copy.deepcopy(SPEC)
    spec["entities"][1]["fields"].append({"name": "priority", "type": "integer"})
    return spec


def _build(version: SpecVersion, files: dict[str, str | bytes] = FILES) -> Generation:
    """A verified build of ``version`` with these files, without running the pipeline."""
    last = version.project.generations.order_by("-number").first()
    run = make_finished_run(version.project, number=(last.number if last else 0) + 1, files=files)
    run.version = version
    run.save(update_fields=["version"])
    return run


@pytest.fixture
def v1(project, owner) -> SpecVersion:
    """The project's first version, built."""
    version = services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    _build(version)
    return version


def _zip_text(response, path: str) -> str:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(data)).read(f"task-manager/{path}").decode()


# --- the spec -----------------------------------------------------------------------------------


def test_get_spec_answers_the_latest_version(as_owner, project, owner, v1):
    services.version_create(project=project, user=owner, spec=_with_priority(), source="spec")

    response = as_owner.get(f"/api/projects/{project.pk}/spec")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert "priority" in [f["name"] for f in body["spec"]["entities"][1]["fields"]]


def test_a_project_without_a_version_has_no_spec_yet(as_owner, project):
    body = assert_error(as_owner.get(f"/api/projects/{project.pk}/spec"), 404, "not_found")
    assert "no version yet" in body["error"]


def test_a_spec_put_is_the_next_version_and_get_answers_it(as_owner, project, v1):
    url = f"/api/projects/{project.pk}/spec"

    put = as_owner.put(url, {"spec": _with_priority(), "version": 1}, format="json")

    assert put.status_code == 201, put.content
    assert put.json()["version"] == 2
    assert as_owner.get(url).json() == put.json()
    saved = project.versions.get(number=2)
    assert (saved.source, saved.created_by) == ("spec", project.owner)
    assert not saved.builds.exists()  # saved, not built


def test_a_first_spec_can_be_put_without_a_version(as_owner, project):
    response = as_owner.put(f"/api/projects/{project.pk}/spec", {"spec": SPEC}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert response.json()["spec"]["entities"][0]["name"] == "Project"


def test_a_spec_edited_from_an_older_version_is_409_and_saves_nothing(as_owner, project, owner, v1):
    services.version_create(project=project, user=owner, spec=_with_priority(), source="spec")

    response = as_owner.put(
        f"/api/projects/{project.pk}/spec", {"spec": SPEC, "version": 1}, format="json"
    )

    body = assert_error(response, 409, "version_conflict")
    assert "changed since version 1" in body["error"]
    assert body["details"] == {"latest": 2, "version": 1}
    assert project.versions.count() == 2


def test_an_invalid_spec_is_400_naming_each_problem(as_owner, project, v1):
    bad = copy.deepcopy(SPEC)
    bad["relationships"] = [{"kind": "many_to_lots", "source": "Task", "target": "Project"}]
    bad["entities"][1]["fields"][1]["type"] = "colour"

    response = as_owner.put(f"/api/projects/{project.pk}/spec", {"spec": bad}, format="json")

    problems = assert_error(response, 400, "invalid_input")["details"]["fields"]["spec"]
    assert len(problems) == 2, problems
    assert problems[0].startswith("entities.1.fields.1.type: "), problems
    assert problems[1].startswith("relationships.0.kind: "), problems
    assert project.versions.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "spec", "missing_field"),
        ({"spec": "name: Tasks"}, "spec", "wrong_type"),
        ({"spec": SPEC, "version": "1"}, "version", "wrong_type"),
        ({"spec": SPEC, "version": 0}, "version", "invalid_input"),
    ],
)
def test_a_bad_spec_body_is_400_naming_the_field(as_owner, project, v1, body, field, code):
    response = as_owner.put(f"/api/projects/{project.pk}/spec", body, format="json")
    assert field in assert_error(response, 400, code)["details"]["fields"]
    assert project.versions.count() == 1


# --- the history --------------------------------------------------------------------------------


def test_versions_are_listed_newest_first_with_their_last_build(as_owner, project, owner, v1):
    services.version_create(
        project=project, user=owner, spec=_with_priority(), source="change", change_text="prio"
    )
    newest = _build(v1)  # its second build

    response = as_owner.get(f"/api/projects/{project.pk}/versions")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    latest, first = body["results"]
    assert latest == {
        "number": 2,
        "source": "change",
        "changeText": "prio",
        "createdAt": latest["createdAt"],
        "entityCount": 2,
        "restoredFrom": None,
        "buildCount": 0,
        "lastBuild": None,
        "url": f"http://testserver/api/projects/{project.pk}/versions/2",
    }
    assert first["buildCount"] == 2
    assert first["lastBuild"] == {"generationId": newest.pk, "number": 2, "status": "succeeded"}


def test_the_version_list_is_paginated_like_the_project_list(as_owner, project, owner, v1):
    for _ in range(2):
        services.version_create(project=project, user=owner, spec=SPEC, source="spec")

    page = as_owner.get(f"/api/projects/{project.pk}/versions?pageSize=2&page=2").json()

    assert page["count"] == 3
    assert [v["number"] for v in page["results"]] == [1]
    assert page["previous"]
    assert_error(as_owner.get(f"/api/projects/{project.pk}/versions?pageSize=x"), 400)


def test_a_version_shows_its_spec_builds_and_download(as_owner, project, v1):
    run = v1.builds.get()

    response = as_owner.get(f"/api/projects/{project.pk}/versions/1")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 1
    assert body["spec"]["name"] == SPEC["name"]
    assert body["renames"] == {"entities": {}, "fields": {}}
    assert [b["generationId"] for b in body["builds"]] == [run.pk]
    assert body["builds"][0]["status"] == "succeeded"
    assert body["builds"][0]["urls"]["status"].endswith(f"/api/generations/{run.pk}")
    assert body["downloadUrl"].endswith(f"/api/projects/{project.pk}/download?version=1")
    assert (
        "version 7"
        in assert_error(as_owner.get(f"/api/projects/{project.pk}/versions/7"), 404)["error"]
    )


# --- building, restoring ------------------------------------------------------------------------


def test_building_a_version_starts_a_run_of_it(as_owner, project, v1):
    # In this (never committed) test transaction the run is saved but never enqueued.
    response = as_owner.post(f"/api/projects/{project.pk}/versions/1/build")

    assert response.status_code == 202, response.content
    body = response.json()
    run = Generation.objects.get(pk=body["generationId"])
    assert run.version == v1
    assert body["status"] == "queued"
    assert body["urls"]["status"].endswith(f"/api/generations/{run.pk}")


def test_building_at_the_run_cap_is_429_and_starts_nothing(as_owner, project, v1, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    make_live_run(project, number=9)

    response = as_owner.post(f"/api/projects/{project.pk}/versions/1/build")

    assert assert_error(response, 429, "too_many_runs")["details"]["limit"] == 1
    assert int(response["Retry-After"]) > 0
    assert project.generations.count() == 2


def test_restoring_makes_the_old_spec_the_next_version(as_owner, project, owner, v1):
    services.version_create(project=project, user=owner, spec=_with_priority(), source="spec")

    response = as_owner.post(f"/api/projects/{project.pk}/versions/1/restore")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["source"], body["restoredFrom"]) == (3, "restore", 1)
    assert body["spec"] == v1.spec
    assert (body["builds"], body["downloadUrl"]) == ([], None)
    assert as_owner.get(f"/api/projects/{project.pk}/spec").json()["version"] == 3
    assert_error(as_owner.post(f"/api/projects/{project.pk}/versions/9/restore"), 404)


# --- downloads by version -----------------------------------------------------------------------


def test_download_by_version_sends_that_versions_newest_verified_zip(as_owner, project, owner, v1):
    second = services.version_create(
        project=project, user=owner, spec=_with_priority(), source="spec"
    )
    _build(second, files={"README.md": "# v2\n"})
    failed = _build(second, files={"README.md": "# broken\n"})
    failed.status = "failed"
    failed.save(update_fields=["status"])
    url = f"/api/projects/{project.pk}/download"

    assert _zip_text(as_owner.get(f"{url}?version=1"), "README.md") == FILES["README.md"]
    assert _zip_text(as_owner.get(f"{url}?version=2"), "README.md") == "# v2\n"
    assert _zip_text(as_owner.get(url), "README.md") == "# broken\n"  # as before: newest ZIP


def test_download_of_a_version_without_a_verified_build_is_404_saying_so(
    as_owner, project, owner, v1
):
    services.version_create(project=project, user=owner, spec=SPEC, source="spec")
    url = f"/api/projects/{project.pk}/download"

    body = assert_error(as_owner.get(f"{url}?version=2"), 404, "not_found")
    assert "Version 2 has no verified build" in body["error"]
    assert "no version 5" in assert_error(as_owner.get(f"{url}?version=5"), 404)["error"]
    for bad in ("x", "0", "-1", ""):
        response = as_owner.get(f"{url}?version={bad}")
        assert "version" in assert_error(response, 400)["details"]["fields"]
    both = as_owner.get(f"{url}?version=1&generation={v1.builds.get().pk}")
    assert "not both" in assert_error(both, 400)["error"]


# --- comparing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", {"from", "to"}),
        ("?from=1", {"to"}),
        ("?from=x&to=1", {"from"}),
        ("?from=1&to=0", {"to"}),
        ("?from=²&to=-2", {"from", "to"}),
    ],
)
def test_a_diff_with_a_bad_or_missing_version_is_400_naming_it(
    as_owner, project, v1, query, fields
):
    response = as_owner.get(f"/api/projects/{project.pk}/diff{query}")
    assert set(assert_error(response, 400, "invalid_input")["details"]["fields"]) == fields


def test_a_diff_with_an_unknown_version_is_404(as_owner, project, v1):
    response = as_owner.get(f"/api/projects/{project.pk}/diff?from=1&to=4")
    assert "no version 4" in assert_error(response, 404, "not_found")["error"]


def test_the_diff_of_two_built_versions_has_the_spec_and_each_file(as_owner, project, owner, v1):
    second = services.version_create(
        project=project, user=owner, spec=_with_priority(), source="spec"
    )
    models = FILES["core/models.py"] + "    priority = models.IntegerField(null=True)\n"
    _build(second, files={**FILES, "core/models.py": models, "core/tags.py": "TAGS = []\n"})

    response = as_owner.get(f"/api/projects/{project.pk}/diff?from=1&to=2")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["filesNote"]) == (1, 2, "")
    assert [(i["kind"], i["name"]) for i in body["spec"]["added"]] == [("field", "Task.priority")]
    assert body["spec"]["removed"] == body["spec"]["changed"] == []
    files = {f["path"]: f for f in body["files"]}
    assert set(files) == {"core/models.py", "core/tags.py"}  # unchanged files are left out
    changed, added = files["core/models.py"], files["core/tags.py"]
    assert (changed["status"], changed["additions"], changed["deletions"]) == ("modified", 1, 0)
    assert "\n+    priority = models.IntegerField(null=True)\n" in changed["diff"]
    assert (added["status"], added["additions"], added["deletions"]) == ("added", 1, 0)
    assert body["counts"] == {"files": 2, "additions": 2, "deletions": 0}


def test_the_diff_with_an_unbuilt_version_has_no_files_and_says_why(as_owner, project, owner, v1):
    services.version_create(project=project, user=owner, spec=_with_priority(), source="spec")

    body = as_owner.get(f"/api/projects/{project.pk}/diff?from=2&to=1").json()

    assert (body["from"], body["to"]) == (2, 1)
    assert body["files"] is None and body["counts"] is None
    assert body["filesNote"] == "Build version 2 to compare files."
    assert [i["name"] for i in body["spec"]["removed"]] == ["Task.priority"]


def test_the_diff_reads_a_rename_as_one_change(as_owner, project, owner, v1):
    as_owner.post(
        f"/api/projects/{project.pk}/changes", {"request": "rename Task to Chore"}, format="json"
    )

    body = as_owner.get(f"/api/projects/{project.pk}/diff?from=1&to=2").json()

    assert body["spec"]["added"] == body["spec"]["removed"] == []
    assert [(i["kind"], i["summary"]) for i in body["spec"]["changed"]] == [
        ("entity", "Task renamed to Chore.")
    ]


def test_the_documented_kinds_of_spec_change_are_the_engines():
    from generator.api.serializers import SPEC_DIFF_KINDS
    from generator.engine.diffing import KINDS

    assert SPEC_DIFF_KINDS == KINDS


# --- change requests ----------------------------------------------------------------------------


def test_a_change_without_building_is_the_next_version_with_its_diff(as_owner, project, v1):
    response = as_owner.post(
        f"/api/projects/{project.pk}/changes",
        {"request": "add a priority to tasks"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2
    assert "priority" in [f["name"] for f in body["spec"]["entities"][1]["fields"]]
    assert [(i["kind"], i["name"]) for i in body["diff"]["added"]] == [("field", "Task.priority")]
    assert body["diff"]["removed"] == body["diff"]["changed"] == []
    assert "Added the field priority (enum) to Task." in body["notes"]
    assert (body["generationId"], body["urls"]) == (None, None)
    version = project.versions.get(number=2)
    assert (version.source, version.change_text) == ("change", "add a priority to tasks")
    assert not version.builds.exists()


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"request": "   "}, "invalid_input", "Say what to change"),
        ({}, "missing_field", "required"),
        ({"request": 3}, "wrong_type", "string"),
        ({"request": "add tags", "build": "yes"}, "wrong_type", "true or false"),
        ({"request": "x" * (services.CHANGE_TEXT_MAX + 1)}, "invalid_input", "4000"),
    ],
)
def test_a_bad_change_request_is_400_naming_it(as_owner, project, v1, body, code, words):
    response = as_owner.post(f"/api/projects/{project.pk}/changes", body, format="json")
    error = assert_error(response, 400, code)
    assert words in error["error"]
    assert project.versions.count() == 1


@pytest.mark.parametrize(
    ("request_text", "words"),
    [
        ("remove invoices", "there is no entity or field 'invoices'"),
        ("asdf qwer", "Nothing in this request could be read as a change"),
    ],
)
def test_a_change_that_cannot_be_read_is_400_in_the_engines_words(
    as_owner, project, v1, request_text, words
):
    response = as_owner.post(
        f"/api/projects/{project.pk}/changes", {"request": request_text}, format="json"
    )
    (message,) = assert_error(response, 400, "invalid_input")["details"]["fields"]["request"]
    assert words in message
    assert project.versions.count() == 1


def test_a_change_to_a_project_without_a_version_is_400(as_owner, project):
    response = as_owner.post(
        f"/api/projects/{project.pk}/changes", {"request": "add tags to tasks"}, format="json"
    )
    body = assert_error(response, 400, "invalid_input")
    assert "no version yet" in body["details"]["fields"]["request"][0]


def test_a_change_to_build_starts_a_run_of_the_new_version(as_owner, project, v1):
    # In this (never committed) test transaction the run is saved but never enqueued.
    response = as_owner.post(
        f"/api/projects/{project.pk}/changes",
        {"request": "add a priority to tasks", "build": True},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    run = Generation.objects.get(pk=body["generationId"])
    assert (run.version.number, run.status, body["version"]) == (2, "queued", 2)
    assert body["urls"]["status"].endswith(f"/api/generations/{run.pk}")
    assert body["urls"]["events"].endswith(f"/api/generations/{run.pk}/events")
    assert body["urls"]["download"] is None


def test_a_change_to_build_at_the_run_cap_is_429_and_makes_no_version(
    as_owner, project, v1, settings
):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    make_live_run(project, number=9)

    response = as_owner.post(
        f"/api/projects/{project.pk}/changes",
        {"request": "add a priority to tasks", "build": True},
        format="json",
    )

    assert_error(response, 429, "too_many_runs")
    assert int(response["Retry-After"]) > 0
    assert project.versions.count() == 1
    assert project.generations.count() == 2


STATUS_AND_RENAME = "add a status (open, done) to tasks and rename the title of tasks to headline"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_change_built_for_real_can_be_compared_and_downloaded(as_owner, owner, backend):
    # Given a project generated from its requirements (version 1, built and verified)
    first = as_owner.post(
        "/api/generate",
        {"projectName": "Tasks", "requirements": TASK_MANAGER},
        format="json",
    ).json()
    assert first["success"] is True, first["error"]
    project = Project.objects.get(pk=first["projectId"])

    # When a change is asked for and built
    response = as_owner.post(
        f"/api/projects/{project.pk}/changes",
        {"request": STATUS_AND_RENAME, "build": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2
    assert [i["name"] for i in body["diff"]["added"]] == ["Task.status"]
    assert [i["summary"] for i in body["diff"]["changed"]] == ["Task.title renamed to headline."]
    assert body["urls"]["status"].endswith(f"/api/generations/{body['generationId']}")
    run = Generation.objects.get(pk=body["generationId"])
    assert backend.wait_idle(timeout=120)
    run.refresh_from_db()

    # Then version 2 is built, verified, and differs from version 1 in its files
    assert run.status == "succeeded", run.error
    assert run.version is not None and run.version.number == 2
    status = as_owner.get(body["urls"]["status"]).json()
    assert status["result"]["success"] is True
    diff = as_owner.get(f"/api/projects/{project.pk}/diff?from=1&to=2").json()
    assert diff["files"], diff["filesNote"]
    models = [f for f in diff["files"] if f["path"].endswith("models.py")]
    assert models and models[0]["additions"] > 0
    assert "+    headline = " in models[0]["diff"] and "-    title = " in models[0]["diff"]
    migration = next(f for f in diff["files"] if f["path"].endswith("0002_version_2.py"))
    assert migration["status"] == "added" and "RenameField" in migration["diff"]
    assert diff["counts"]["additions"] >= models[0]["additions"]
    download = as_owner.get(f"/api/projects/{project.pk}/download?version=2")
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert any(name.endswith("core/migrations/0002_version_2.py") for name in names)
    listed = as_owner.get(f"/api/projects/{project.pk}/versions").json()["results"]
    assert [(v["number"], v["lastBuild"]["status"]) for v in listed] == [
        (2, "succeeded"),
        (1, "succeeded"),
    ]


# --- who may ------------------------------------------------------------------------------------

CALLS = [
    ("get", "spec", None),
    ("put", "spec", {"spec": SPEC}),
    ("post", "changes", {"request": "add a priority to tasks"}),
    ("get", "versions", None),
    ("get", "versions/1", None),
    ("post", "versions/1/build", None),
    ("post", "versions/1/restore", None),
    ("get", "diff?from=1&to=1", None),
    ("get", "download?version=1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
def test_strangers_get_404_and_change_nothing(as_stranger, project, v1, method, path, body):
    response = getattr(as_stranger, method)(
        f"/api/projects/{project.pk}/{path}", body, format="json"
    )
    assert_error(response, 404, "not_found")
    assert project.versions.count() == 1
    assert project.generations.count() == 1


def test_staff_read_anothers_versions_as_on_the_web(as_stranger, stranger, project, v1):
    stranger.is_staff = True
    stranger.save()
    response = as_stranger.get(f"/api/projects/{project.pk}/versions")
    assert response.status_code == 200
    assert [v["number"] for v in response.json()["results"]] == [1]


def test_writes_share_the_generate_rate_and_reads_are_not_limited(
    as_owner, project, v1, monkeypatch
):
    monkeypatch.setattr(GenerateThrottle, "rate", "3/minute", raising=False)
    base = f"/api/projects/{project.pk}"
    assert as_owner.put(f"{base}/spec", {"spec": SPEC}, format="json").status_code == 201
    assert as_owner.post(f"{base}/versions/1/restore").status_code == 201
    assert as_owner.post(f"{base}/regenerate").status_code == 202  # saved; never run here

    for response in (
        as_owner.put(f"{base}/spec", {"spec": SPEC}, format="json"),
        as_owner.post(f"{base}/changes", {"request": "add tags"}, format="json"),
        as_owner.post(f"{base}/versions/1/build"),
        as_owner.post(f"{base}/versions/1/restore"),
    ):
        assert_error(response, 429, "rate_limited")
        assert int(response["Retry-After"]) > 0
    for _ in range(4):
        assert as_owner.get(f"{base}/spec").status_code == 200
        assert as_owner.get(f"{base}/versions").status_code == 200
    assert project.versions.count() == 3
