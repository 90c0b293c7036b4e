"""Who may call what: every route of the API without credentials, strangers, staff.

The route list is read from the URL configuration, so a new endpoint is covered (and must be
listed as public on purpose) without touching this file.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver

from tests.api.test_auth import assert_error

pytestmark = pytest.mark.django_db

# The routes that take no credentials, as the issue lists them (plus the docs page).
PUBLIC = {"health", "examples", "register", "login", "refresh", "schema", "docs"}


def _api_routes() -> list[tuple[str, str]]:
    """(name, path with 1 for every id and a file path) of each route under /api/."""
    (api,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "api"]
    routes = []
    for pattern in api.url_patterns:
        assert isinstance(pattern, URLPattern)
        path = "/api/" + str(pattern.pattern)
        path = re.sub(r"<int:\w+>", "1", path)
        path = re.sub(r"<path:\w+>", "core/models.py", path)
        routes.append((pattern.name or "", path))
    return routes


ROUTES = _api_routes()
PROTECTED = [(name, path) for name, path in ROUTES if name not in PUBLIC]


def test_the_route_list_is_complete():
    assert {name for name, _ in PROTECTED} == {
        "logout",
        "me",
        "api_keys",
        "api_key",
        "generate",
        "generate_stream",
        "generation",
        "generation_events",
        "generation_cancel",
        "projects",
        "project",
        "project_regenerate",
        "project_download",
        "project_files",
        "project_file",
        "project_spec",
        "project_changes",
        "versions",
        "version",
        "version_build",
        "version_restore",
        "project_diff",
        "project_preview",
    }
    assert {name for name, _ in ROUTES} >= PUBLIC


@pytest.mark.parametrize(("name", "path"), PROTECTED, ids=[name for name, _ in PROTECTED])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_every_protected_route_answers_401_json_without_credentials(api, name, path, method):
    response = getattr(api, method)(path, {}, format="json")
    if response.status_code == 405:
        return  # the method is not one of this route's; nothing more to learn
    body = assert_error(response, 401, "not_authenticated")
    assert "Bearer" in body["error"] and "X-API-Key" in body["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("name", "path"), PROTECTED, ids=[name for name, _ in PROTECTED])
def test_a_revoked_api_key_is_401_everywhere(api, owner, name, path):
    from accounts.services import api_key_create, api_key_revoke

    key, raw = api_key_create(user=owner, name="old")
    api_key_revoke(user=owner, key_id=key.pk)
    for method in ("get", "post", "delete"):
        response = getattr(api, method)(path, {}, format="json", HTTP_X_API_KEY=raw)
        if response.status_code != 405:
            assert assert_error(response, 401, "invalid_api_key")["error"] == (
                "The API key was revoked."
            )


def test_staff_see_everyones_work_through_the_api_as_on_the_web(api, stranger, finished_run):
    # One rule on the dashboard, the web pages, the admin and the API: staff see every project.
    stranger.is_staff = True
    stranger.save()
    from tests.api.conftest import bearer

    api.credentials(**bearer(stranger))
    project_id, run_id = finished_run.project_id, finished_run.pk
    for path in (
        f"/api/projects/{project_id}",
        f"/api/projects/{project_id}/files",
        f"/api/projects/{project_id}/files/core/models.py",
        f"/api/projects/{project_id}/download",
        f"/api/generations/{run_id}",
    ):
        assert api.get(path).status_code == 200, path
    listed = api.get("/api/projects").json()["results"]
    assert [(p["id"], p["owner"]) for p in listed] == [(project_id, "owner@example.com")]


def test_a_stranger_who_is_not_staff_sees_nothing_of_anothers_work(api, stranger, finished_run):
    from tests.api.conftest import bearer

    api.credentials(**bearer(stranger))
    project_id, run_id = finished_run.project_id, finished_run.pk
    for path in (f"/api/projects/{project_id}", f"/api/generations/{run_id}/events"):
        assert_error(api.get(path), 404, "not_found")
    assert api.get("/api/projects").json()["results"] == []
    assert_error(api.delete(f"/api/projects/{project_id}"), 404)
    assert_error(api.post(f"/api/generations/{run_id}/cancel"), 404)
