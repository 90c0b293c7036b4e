"""Projects, files, downloads, API keys, examples, health, and the JSON error shape everywhere."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from accounts.models import ApiKey
from accounts.services import api_key_create
from generator.models import Generation, Project
from generator.services import project_create
from tests.api.test_auth import assert_error
from tests.generator.helpers import BLOG, FILES, make_finished_run

pytestmark = pytest.mark.django_db


# --- health, examples -------------------------------------------------------------------------


def test_health_checks_the_database_without_credentials(api):
    response = api.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["checks"] == {"database": "ok"}
    assert body["timestamp"]


def test_health_reports_a_broken_database(api, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = api.get("/api/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def test_examples_are_public_and_ready_to_post(api):
    examples = api.get("/api/examples").json()
    titles = {example["title"] for example in examples}
    assert {"Blog", "Task Manager", "E-commerce"} <= titles
    for example in examples:
        assert set(example["request"]) == {"projectName", "description", "requirements"}


# --- API keys ---------------------------------------------------------------------------------


def test_create_shows_the_full_key_once_and_it_works(as_owner, api, owner):
    response = as_owner.post(
        "/api/auth/api-keys", {"name": "ci", "expiresInDays": 30}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("tk_")
    assert body["expiresAt"] is not None
    assert api.get("/api/auth/me", HTTP_X_API_KEY=body["key"]).status_code == 200
    listed = as_owner.get("/api/auth/api-keys").json()
    assert [k["id"] for k in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert listed[0]["masked"] == ApiKey.objects.get().masked
    assert body["key"] not in str(listed)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "k", "expiresInDays": 7}, "expiresInDays"),
        ({"name": "k", "expiresInDays": "30"}, "expiresInDays"),
        ({"name": "\t" + "k" * 100}, "name"),  # the limit (100) counts what was sent
    ],
)
def test_create_rejects_bad_input(as_owner, body, field):
    response = as_owner.post("/api/auth/api-keys", body, format="json")
    assert field in assert_error(response, 400)["details"]["fields"]


def test_keys_are_the_settings_pages_keys(as_owner, owner):
    api_key_create(user=owner, name="made on the settings page")
    assert [k["name"] for k in as_owner.get("/api/auth/api-keys").json()] == [
        "made on the settings page"
    ]


def test_delete_revokes_own_key_and_404s_a_strangers(as_owner, as_stranger, api, owner):
    key, raw = api_key_create(user=owner, name="ci")
    assert_error(as_stranger.delete(f"/api/auth/api-keys/{key.pk}"), 404)
    assert api.get("/api/auth/me", HTTP_X_API_KEY=raw).status_code == 200
    assert as_owner.delete(f"/api/auth/api-keys/{key.pk}").status_code == 204
    assert_error(api.get("/api/auth/me", HTTP_X_API_KEY=raw), 401)
    assert as_owner.get("/api/auth/api-keys").json()[0]["status"] == "revoked"


def test_a_strangers_keys_are_not_listed(as_owner, owner, stranger):
    api_key_create(user=stranger, name="theirs")
    api_key_create(user=owner, name="mine")
    assert [k["name"] for k in as_owner.get("/api/auth/api-keys").json()] == ["mine"]


def test_api_keys_need_credentials(api):
    assert_error(api.get("/api/auth/api-keys"), 401)
    assert_error(api.post("/api/auth/api-keys", {"name": "x"}, format="json"), 401)


# --- projects ---------------------------------------------------------------------------------


def _project(owner, name: str, requirements: str = "A blog with posts and comments.") -> Project:
    return project_create(
        owner=owner, name=name, description="", requirements=requirements, stack="django"
    )


def test_list_shows_own_projects_only_paginated(as_owner, owner, stranger):
    for index in range(3):
        _project(owner, f"Mine {index}")
    _project(stranger, "Theirs")
    body = as_owner.get("/api/projects?pageSize=2").json()
    assert body["count"] == 3
    assert [p["name"] for p in body["results"]] == ["Mine 2", "Mine 1"]
    assert body["next"].endswith("page=2&pageSize=2")
    second = as_owner.get(body["next"]).json()
    assert [p["name"] for p in second["results"]] == ["Mine 0"]


def test_list_is_searchable(as_owner, owner):
    _project(owner, "Bakery", "A bakery where customers place orders of bread and cakes.")
    _project(owner, "Garage", "A garage that keeps cars and their repairs.")
    names = [p["name"] for p in as_owner.get("/api/projects?search=BREAD").json()["results"]]
    assert names == ["Bakery"]


def test_list_bad_page_is_404_json(as_owner):
    assert_error(as_owner.get("/api/projects?page=99"), 404)


@pytest.mark.parametrize("name", ["page", "pageSize"])
@pytest.mark.parametrize("value", ["", "0", "-1", "two", "²", "1e3", " 1", "last", "9" * 5000])
def test_list_paging_that_is_not_a_positive_whole_number_is_400(as_owner, owner, name, value):
    _project(owner, "Mine")
    body = assert_error(as_owner.get("/api/projects", {name: value}), 400, "invalid_input")
    assert body["details"]["fields"] == {name: ["Must be a whole number ≥ 1."]}


def test_detail_for_owner_404_for_stranger(as_owner, as_stranger, finished_run):
    url = f"/api/projects/{finished_run.project_id}"
    body = as_owner.get(url).json()
    assert body["lastRun"]["status"] == "succeeded"
    assert [run["id"] for run in body["runs"]] == [finished_run.pk]
    assert_error(as_stranger.get(url), 404)


def test_delete_by_owner_404_for_stranger(as_owner, as_stranger, finished_run):
    url = f"/api/projects/{finished_run.project_id}"
    assert_error(as_stranger.delete(url), 404)
    assert Project.objects.exists()
    assert as_owner.delete(url).status_code == 204
    assert not Project.objects.exists()
    assert_error(as_owner.get(url), 404)


def test_regenerate_starts_a_new_run(as_owner, as_stranger, finished_run, monkeypatch):
    from generator import services

    monkeypatch.setattr(services, "_enqueue", lambda generation_id: None)  # do not run it
    url = f"/api/projects/{finished_run.project_id}/regenerate"
    assert_error(as_stranger.post(url), 404)
    response = as_owner.post(url)
    assert response.status_code == 202
    run = Generation.objects.get(pk=response.json()["generationId"])
    assert run.number == 2 and run.status == "queued"


def test_download_with_bearer_token_no_cookie(as_owner, as_stranger, finished_run):
    url = f"/api/projects/{finished_run.project_id}/download"
    response = as_owner.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "task-manager/core/models.py" in names
    assert_error(as_stranger.get(url), 404)


def test_download_without_files_is_404(as_owner, project):
    body = assert_error(as_owner.get(f"/api/projects/{project.pk}/download"), 404)
    assert "no generated files" in body["error"]


def test_download_of_a_given_run(as_owner, project):
    first = make_finished_run(project, number=1, files={"a.txt": "one"})
    make_finished_run(project, number=2, files={"a.txt": "two"})
    response = as_owner.get(f"/api/projects/{project.pk}/download?generation={first.pk}")
    data = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).read("task-manager/a.txt") == b"one"
    for bad in ("x", "²", "0", "9" * 5000):
        response = as_owner.get(f"/api/projects/{project.pk}/download?generation={bad}")
        assert_error(response, 400, "invalid_input")
    # A run of another project (or of nobody) is not found.
    other = make_finished_run(_project(project.owner, "Other"))
    assert_error(as_owner.get(f"/api/projects/{project.pk}/download?generation={other.pk}"), 404)


def test_a_zip_gone_from_storage_is_a_404_saying_so(as_owner, client, owner, finished_run):
    finished_run.zip.storage.delete(finished_run.zip.name)
    project_id = finished_run.project_id
    for path in ("download", "files", "files/core/models.py"):
        body = assert_error(as_owner.get(f"/api/projects/{project_id}/{path}"), 404, "not_found")
        assert body["error"] == (
            "The files of this run are no longer stored; regenerate the project."
        )
    # The project page still opens and says the same.
    client.force_login(owner)
    page = client.get(f"/projects/{project_id}/")
    assert page.status_code == 200
    assert b'data-testid="archive-gone"' in page.content
    assert b"no longer stored" in page.content
    assert client.get(f"/projects/{project_id}/runs/1/download/").status_code == 404
    assert client.get(f"/projects/{project_id}/runs/1/files/README.md").status_code == 404


def test_files_tree(as_owner, as_stranger, finished_run):
    url = f"/api/projects/{finished_run.project_id}/files"
    body = as_owner.get(url).json()
    assert body["count"] == len(FILES)
    assert sorted(f["path"] for f in body["files"]) == sorted(FILES)
    top = {node["name"]: node for node in body["tree"]}
    assert top["core"]["type"] == "directory"
    assert top["core"]["children"][0]["path"] == "core/models.py"
    assert top["README.md"]["type"] == "file"
    assert_error(as_stranger.get(url), 404)


def test_file_content(as_owner, as_stranger, finished_run):
    url = f"/api/projects/{finished_run.project_id}/files/core/models.py"
    body = as_owner.get(url).json()
    assert body["content"] == FILES["core/models.py"]
    assert body["binary"] is False
    assert_error(as_stranger.get(url), 404)


def test_a_binary_file_is_flagged_and_has_no_content(as_owner, project):
    run = make_finished_run(project, files={"static/logo.png": b"\x89PNG\r\n\x1a\n\xff\x00"})
    body = as_owner.get(f"/api/projects/{run.project_id}/files/static/logo.png").json()
    assert body == {"path": "static/logo.png", "size": 10, "binary": True, "content": None}


@pytest.mark.parametrize(
    "path",
    [
        "../../../etc/passwd",
        "core/../../settings.py",
        "%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "task-manager/core/models.py",
        "nope.py",
    ],
)
def test_paths_that_escape_or_do_not_exist_are_404(as_owner, finished_run, path):
    response = as_owner.get(f"/api/projects/{finished_run.project_id}/files/{path}")
    assert_error(response, 404)


# --- the error shape for each status -----------------------------------------------------------


def test_unknown_api_url_is_404_json(api):
    body = assert_error(api.get("/api/nothing-here"), 404, "not_found")
    assert "/api/nothing-here" in body["error"]


def test_405_json(as_owner):
    assert_error(as_owner.put("/api/projects", {}, format="json"), 405, "method_not_allowed")


def test_500_is_json_and_hides_the_details(owner, monkeypatch):
    from generator.api import views

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.results, "project_summary", boom)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    project_create(owner=owner, name="x", description="", requirements=BLOG, stack="django")
    response = client.get("/api/projects")
    body = assert_error(response, 500, "server_error")
    assert "secret" not in body["error"]


def test_500_outside_drf_is_json_too(owner, monkeypatch):
    from generator.api import streams

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(streams, "_open_events", boom)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get("/api/generations/1/events")
    assert_error(response, 500, "server_error")


def test_cors_allows_configured_origins_and_the_auth_headers(api, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = api.options(
        "/api/generate",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key, authorization, content-type",
    )
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    allowed = response["Access-Control-Allow-Headers"]
    assert "x-api-key" in allowed and "authorization" in allowed
    other = api.get("/api/health", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other


# --- schema and docs --------------------------------------------------------------------------


def test_schema_documents_the_stream_as_event_stream(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    stream = schema["paths"]["/api/generate/stream"]["post"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert "/api/generations/{id}/events" in schema["paths"]
    assert {"bearerAuth", "apiKeyAuth"} <= set(schema["components"]["securitySchemes"])


def test_docs_are_served_from_vendored_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
