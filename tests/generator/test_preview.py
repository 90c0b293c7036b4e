"""Live previews, for real: a generated app (migrated, seeded) served by its own daphne in the
sandbox, reached through Takoss's proxy. Nothing is mocked.

The app is generated once per module (without verification: the files are the same) and stored
as a succeeded run of each test's project; its prepared database is reused across tests, so a
start after the first one is a warm start (unpack + serve).
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.services import api_key_create
from generator import preview as preview_module
from generator import services
from generator.models import Project
from generator.preview import STATUS_RUNNING, STATUS_STOPPED, preview_root, supervisor
from tests.asgi_server import AsgiServer
from tests.generator.helpers import wait_for
from tests.generator.preview_app import Built, build_reading_list, built_project

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def reading_list(tmp_path_factory) -> Built:
    return build_reading_list(tmp_path_factory.mktemp("reading-list"))


@pytest.fixture(autouse=True)
def _stop_previews() -> Iterator[None]:
    yield
    supervisor.forget_all()  # project ids come back with the next test's fresh database


class Browser:
    """Django's AsyncClient driven from sync tests: the proxy is an async view that streams."""

    def __init__(self, user: Any = None, headers: dict[str, str] | None = None) -> None:
        self.client = AsyncClient()
        self.headers = headers or {}  # sent with every request (AsyncClient's own are not)
        if user is not None:
            async_to_sync(self.client.aforce_login)(user)

    def request(self, method: str, path: str, **kwargs: Any) -> tuple[Any, bytes]:
        kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}

        async def go() -> tuple[Any, bytes]:
            response = await getattr(self.client, method)(path, **kwargs)
            if response.streaming:
                body = b"".join([chunk async for chunk in response.streaming_content])
            else:
                body = response.content
            return response, body

        return async_to_sync(go)()

    def get(self, path: str, data: Any = None, **kwargs: Any) -> tuple[Any, str]:
        response, body = self.request("get", path, data=data, **kwargs)
        return response, body.decode("utf-8", "replace")


def start(browser: Browser, project: Project) -> Any:
    response, _ = browser.request("post", reverse("generator:preview_start", args=[project.pk]))
    assert response.status_code == 302
    preview = supervisor.get(project.pk)
    assert preview is not None and preview.status == STATUS_RUNNING, preview and preview.log_tail()
    return preview


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


@pytest.fixture
def owner_browser(owner) -> Browser:
    return Browser(owner)


@pytest.fixture
def running(owner, owner_browser, reading_list) -> tuple[Project, Any]:
    project = built_project(owner, reading_list)
    return project, start(owner_browser, project)


def test_the_owner_sees_the_app_signed_in_as_a_demo_user_with_links_under_the_prefix(
    running, owner_browser
):
    project, preview = running
    prefix = preview_root(project.pk)

    response, page = owner_browser.get(f"{prefix}/notes/")

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the project page frames it
    assert [u.username for u in preview.users] == ["demo-reader", "demo-editor"]
    assert "demo-reader" in page  # signed in by Start as the first role's demo user
    assert f'href="{prefix}/notes/new/"' in page
    assert f'href="{prefix}/static/css/app.css"' in page
    assert len(re.findall(rf'href="{prefix}/notes/\d+/"', page)) >= 3  # sample rows


def test_static_files_are_the_apps_own(running, owner_browser, reading_list):
    project, _ = running

    response, body = owner_browser.request("get", f"{preview_root(project.pk)}/static/css/app.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert body == (reading_list.files / "static/css/app.css").read_bytes()


def test_a_form_post_creates_a_record_that_is_listed(running, owner_browser):
    project, _ = running
    prefix = preview_root(project.pk)
    _, form = owner_browser.get(f"{prefix}/notes/new/")
    book = re.search(r'<option value="(\d+)"', form)
    assert book, form

    response, _ = owner_browser.request(
        "post",
        f"{prefix}/notes/new/",
        data={
            "csrfmiddlewaretoken": csrf_token(form),
            "text": "Chapter three is the best",
            "book": book.group(1),
        },
    )

    assert response.status_code == 302, response
    assert response["Location"].startswith(f"{prefix}/notes/")
    _, listed = owner_browser.get(f"{prefix}/notes/")
    assert "Chapter three is the best" in listed


def test_an_htmx_request_gets_the_apps_partial(running, owner_browser):
    project, _ = running
    prefix = preview_root(project.pk)
    _, page = owner_browser.get(f"{prefix}/notes/")
    first = html.unescape(re.findall(rf'href="{prefix}/notes/\d+/">([^<]+)<', page)[0])

    response, partial = owner_browser.get(
        f"{prefix}/notes/", {"q": first}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in partial and 'id="results"' in partial
    assert first in partial


def test_cookies_are_renamed_and_takoss_cookies_stay_out(running):
    project, _ = running
    prefix = preview_root(project.pk)
    anonymous_in_preview = Browser(project.owner)  # Takoss's session, no preview session yet
    _, login = anonymous_in_preview.get(f"{prefix}/accounts/login/")
    assert "demo-reader" not in login  # Takoss's own sessionid did not sign it in

    response, _ = anonymous_in_preview.request(
        "post",
        f"{prefix}/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(login),
            "username": "demo-editor",
            "password": "demo-preview-password",
        },
    )

    assert response.status_code == 302
    assert set(response.cookies) == {"preview_sessionid", "preview_csrftoken"}
    assert response.cookies["preview_sessionid"]["path"] == f"{prefix}/"
    _, page = anonymous_in_preview.get(f"{prefix}/notes/")
    assert "demo-editor" in page
    takoss, _ = anonymous_in_preview.get(reverse("generator:project", args=[project.pk]))
    assert takoss.status_code == 200  # Takoss's own session survived


def test_the_chooser_signs_in_as_another_demo_user(running, owner_browser):
    project, _ = running

    response, _ = owner_browser.request(
        "post",
        reverse("generator:preview_sign_in", args=[project.pk]),
        data={"username": "demo-editor"},
    )

    assert response.status_code == 302
    _, page = owner_browser.get(f"{preview_root(project.pk)}/notes/")
    assert "demo-editor" in page and "demo-reader" not in page
    _, panel = owner_browser.get(reverse("generator:project", args=[project.pk]))
    assert 'value="demo-editor" selected' in panel  # the chooser says who is signed in
    assert "fresh sample data each time" in panel  # and that Restart drops what was made


def test_the_project_page_shows_the_panel(running, owner_browser):
    project, preview = running

    _, page = owner_browser.get(reverse("generator:project", args=[project.pk]))

    assert 'data-testid="preview-panel" data-status="running"' in page
    assert f'src="{preview.url}"' in page
    assert "Run 1 · version 1" in page
    assert "Starting server at unix:" in page  # the log's last lines


def test_stop_with_htmx_swaps_the_panel_and_the_prefix_says_it_is_not_running(
    running, owner_browser
):
    project, preview = running

    response, panel = owner_browser.request(
        "post", reverse("generator:preview_stop", args=[project.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert b'data-testid="preview-panel" data-status="stopped"' in panel
    assert b"Stopped by request" in panel and b"preview-frame" not in panel
    assert not preview.running
    off, page = owner_browser.get(f"{preview_root(project.pk)}/notes/")
    assert off.status_code == 503 and "is not running" in page


def test_start_without_a_succeeded_run_says_why(owner, owner_browser):
    project = Project.objects.create(owner=owner, name="Empty", requirements="Books.")

    response, panel = owner_browser.request(
        "post",
        reverse("generator:preview_start", args=[project.pk]),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"no succeeded run to preview yet" in panel
    assert supervisor.get(project.pk) is None


def test_strangers_and_anonymous_get_404_and_staff_gets_through(running, stranger, staff):
    project, _ = running
    url = f"{preview_root(project.pk)}/notes/"

    assert Browser(stranger).get(url)[0].status_code == 404
    assert Browser().get(url)[0].status_code == 404
    by_staff, _ = Browser(staff).get(url)
    # Staff reach the app, which asks them to sign in (Start signed in only the one who pressed it).
    assert by_staff.status_code == 302
    assert by_staff["Location"].startswith(f"{preview_root(project.pk)}/accounts/login/")


def test_the_api_credentials_open_the_preview(running, owner, stranger):
    project, _ = running
    url = f"{preview_root(project.pk)}/accounts/login/"
    token = str(RefreshToken.for_user(owner).access_token)
    _, raw_key = api_key_create(user=owner, name="preview")
    stranger_token = str(RefreshToken.for_user(stranger).access_token)

    by_token, page = Browser(headers={"Authorization": f"Bearer {token}"}).get(url)
    by_key, _ = Browser(headers={"X-API-Key": raw_key}).get(url)
    by_stranger, _ = Browser(headers={"Authorization": f"Bearer {stranger_token}"}).get(url)

    assert (by_token.status_code, by_key.status_code, by_stranger.status_code) == (200, 200, 404)
    assert "csrfmiddlewaretoken" in page  # the app's own login form


def test_an_idle_preview_stops(running, owner_browser, settings):
    project, preview = running
    process = preview.process
    settings.TAKOSS_PREVIEW_IDLE_SECONDS = 1

    wait_for(lambda: not preview.running, timeout=15, interval=0.2)

    assert preview.status == STATUS_STOPPED and "without requests" in preview.stop_reason
    assert process is not None  # the sandbox goes too (killed just after the status turns)
    wait_for(lambda: process.poll() is not None, timeout=10, interval=0.1)
    response, page = owner_browser.get(f"{preview_root(project.pk)}/notes/")
    assert response.status_code == 503 and "not running" in page


def test_at_most_max_previews_run_and_the_oldest_stops(
    owner, owner_browser, reading_list, settings
):
    settings.TAKOSS_PREVIEW_MAX = 2
    projects = [built_project(owner, reading_list, name=f"Reading {n}") for n in range(3)]

    first, second, third = (start(owner_browser, project) for project in projects)

    assert first.status == STATUS_STOPPED and "at most 2" in first.stop_reason
    assert second.running and third.running
    assert {p.project_id for p in supervisor.running()} == {projects[1].pk, projects[2].pk}


def test_a_full_house_never_stops_a_preview_someone_else_is_using(
    owner, owner_browser, stranger, reading_list, settings
):
    settings.TAKOSS_PREVIEW_MAX = 1
    alice = start(owner_browser, built_project(owner, reading_list, name="Alice's"))
    bobs = built_project(stranger, reading_list, name="Bob's")

    _, panel = Browser(stranger).request(
        "post", reverse("generator:preview_start", args=[bobs.pk]), headers={"HX-Request": "true"}
    )
    answer, body = api(stranger).request("post", api_url(bobs))

    assert alice.running  # Alice is using hers: Bob's starts are refused, saying why
    assert b"preview slots are in use" in panel
    assert answer.status_code == 429 and int(answer["Retry-After"]) >= 1
    assert json.loads(body)["code"] == "preview_busy"

    alice.last_used -= preview_module.EVICT_IDLE_SECONDS + 1  # now Alice's sat unused
    bobs_preview = start(Browser(stranger), bobs)
    assert bobs_preview.running and not alice.running and "idle" in alice.stop_reason


def test_deleting_the_project_stops_its_preview(running, owner):
    project, preview = running

    services.project_delete(project=project, user=owner)

    assert preview.status == STATUS_STOPPED and "deleted" in preview.stop_reason


def test_stopping_all_kills_every_sandbox(running):
    _, preview = running
    process = preview.process
    assert process is not None

    supervisor.stop_all()  # what the server's exit does

    assert process.poll() is not None
    assert not os.path.exists(preview.socket)


# --- the API ---------------------------------------------------------------------------------


def api(user: Any) -> Browser:
    return Browser(headers={"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"})


def api_url(project: Project) -> str:
    return reverse("api:project_preview", args=[project.pk])


def test_the_api_starts_reads_and_stops_a_preview_of_a_version(owner, reading_list):
    project = built_project(owner, reading_list, versions=2)
    client = api(owner)

    started, body = client.request("post", api_url(project) + "?version=1")
    read, _ = client.request("get", api_url(project))
    page, _ = client.get(f"{preview_root(project.pk)}/accounts/login/")
    stopped, _ = client.request("delete", api_url(project))

    assert started.status_code == 200, body
    answer = started.json()
    assert answer["status"] == "running" and answer["version"] == 1 and answer["run"] == 1
    assert answer["url"] == f"http://testserver{preview_root(project.pk)}/"
    assert [u["username"] for u in answer["users"]] == ["demo-reader", "demo-editor"]
    assert read.json()["status"] == "running"
    assert page.status_code == 200
    assert stopped.json()["status"] == "stopped"
    assert client.request("get", api_url(project))[0].json()["status"] == "stopped"


def test_the_api_previews_the_newest_build_by_default(owner, reading_list):
    project = built_project(owner, reading_list, versions=2)

    response, _ = api(owner).request("post", api_url(project))

    assert response.json()["version"] == 2 and response.json()["run"] == 2


def test_the_api_explains_what_cannot_be_previewed(owner, stranger, reading_list):
    empty = Project.objects.create(owner=owner, name="Empty", requirements="Books.")
    project = built_project(owner, reading_list)
    client = api(owner)

    nothing, _ = client.request("post", api_url(empty))
    no_version, _ = client.request("post", api_url(project) + "?version=7")
    bad_version, _ = client.request("post", api_url(project) + "?version=x")
    strangers, _ = api(stranger).request("post", api_url(project))

    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_to_preview"
    assert "no succeeded run" in nothing.json()["error"]
    assert no_version.status_code == 404 and "no version 7" in no_version.json()["error"]
    assert bad_version.status_code == 400
    assert strangers.status_code == 404
    assert supervisor.get(project.pk) is None


# --- the server's exit ------------------------------------------------------------------------


def _preview_servers() -> set[int]:
    """Pids of the processes serving a preview's app (daphne on the preview's module)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"takoss_preview_asgi" in command and b"bwrap" not in command:
                found.add(int(entry.name))
    return found


@pytest.mark.django_db(transaction=True)
def test_the_previews_stop_with_the_server(owner, reading_list, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = built_project(owner, reading_list)
    before = _preview_servers()
    server = AsgiServer(
        database=settings.DATABASES["default"]["NAME"],
        media_root=settings.MEDIA_ROOT,
        log_path=tmp_path / "daphne.log",
    )
    with server:
        token = RefreshToken.for_user(owner).access_token
        answer = httpx.post(
            f"{server.url}/api/projects/{project.pk}/preview",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert answer.status_code == 200, answer.text
        started = _preview_servers() - before  # the app's server (and, for a moment, its wrapper)
        assert started, server.log_tail()
        folders = [
            folder
            for folder in Path(tempfile.gettempdir()).glob("takoss-preview-*")
            if (folder / ".takoss-owner").read_text().startswith(f"{server.pid}:")
        ]
        assert len(folders) == 1

    wait_for(lambda: not (started & _preview_servers()), timeout=10, interval=0.1)
    assert not any(folder.exists() for folder in folders)  # its work and prepared builds too
