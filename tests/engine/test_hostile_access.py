"""Generated apps attacked over HTTP, and their own suites on a real PostgreSQL server.

The three apps of issue 10 (food-bank volunteers, property management, online courses) are
analysed from their descriptions, rendered, migrated on SQLite with production settings (HTTPS
off, as behind no proxy) and served by ``manage.py runserver``. Alice owns a row of every entity;
Bob, a stranger with rows of his own, and an anonymous client then try to read, change and
delete Alice's rows through the pages and the API. Nothing of hers may show but her catalog rows
(a course students enroll in) and shared reference data, which Bob reads and may not change (a
403); every other attempt is a 404 or a redirect to log in, and the database must be unchanged
at the end. Bob's own rows show, so an empty page cannot pass for a safe one. A protected delete
is a message on the page and a 409 in the API. The property app gets a building photo, so
/media/ is attacked too; the courses app's courses are public, so anonymous visitors read them
and nothing else. A role member manages shared data by the permissions the roles' data
migration gave their group, and a staff member who is no superuser sees only their own rows in
the admin.

Two of the apps then run their generated tests against a throwaway PostgreSQL cluster started
here (skipped when it cannot start, failed when the CI variable is set).
"""

from __future__ import annotations

import email
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import psycopg
import pytest
from test_analysis_issue_texts import COURSES, FOOD_BANK, PROPERTY
from test_django_production import manage, shell
from test_django_stack import render, write

from generator.engine.analysis import analyze
from generator.engine.spec import AppSpec
from generator.engine.stacks.django.project import EntityView, ProjectView, build

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery"
_DROPPED = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL")
PRODUCTION_OVER_HTTP = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "hostile-access-only-4Kp9sV2mQ7xL1zR8tW3yB6nD0hJ5cF",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "0",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "DJANGO_API_THROTTLE_ANON": "100000/minute",
    "DJANGO_API_THROTTLE_USER": "100000/minute",
    "DJANGO_LOG_LEVEL": "ERROR",
    # Mail (password resets) printed to the server's log, where the tests read it.
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
}
ERRORS = (httpx.HTTPError,)
PG_ERRORS = (psycopg.OperationalError,)
# A throwaway cluster need not survive a crash.
FAST = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
TEXTS = {"food-bank": FOOD_BANK, "property": PROPERTY, "courses": COURSES}

# Alice and Bob; a staff member (no superuser) with every admin permission of the app; Rita, a
# member of the first role's group as the roles' migration made it; a superuser. A row of every
# entity for Alice, one of every owned entity for Bob and for the staff member, and for each
# protected entity a row that another row of Alice's refers to.
SEED = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token
from core import models
from core.tests import factories

User = get_user_model()
alice = User.objects.create_user("alice", password={password!r})
bob = User.objects.create_user("bob", password={password!r})
staff = User.objects.create_user("staff", password={password!r}, is_staff=True)
staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="core"))
root = User.objects.create_superuser("root", password={password!r})
rita = User.objects.create_user("rita", password={password!r})
if {role!r}:
    rita.groups.add(Group.objects.get(name={role!r}))
rows = {{}}
for snake, owned, protector, link in {entities!r}:
    make = getattr(factories, f"make_{{snake}}_for")
    rows[snake] = {{"alice": make(alice).pk, "bob": make(bob).pk if owned else None}}
    rows[snake]["staff"] = make(staff).pk if owned else None
    if protector:
        holder = getattr(factories, f"make_{{protector}}_for")(alice)
        rows[snake]["protected"] = getattr(holder, f"{{link}}_id")
files = {{}}
for snake, model, field in {files!r}:
    row = getattr(models, model).objects.get(pk=rows[snake]["alice"])
    files[f"{{snake}}.{{field}}"] = getattr(row, field).url
tokens = {{user.username: Token.objects.create(user=user).key for user in (bob, staff, rita, root)}}
print(json.dumps({{"rows": rows, "files": files, "tokens": tokens}}))
"""
SNAPSHOT = """
import json
from django.apps import apps
from django.core import serializers

rows = {m.__name__: m.objects.order_by("pk") for m in apps.get_app_config("core").get_models()}
print(json.dumps({name: serializers.serialize("json", query) for name, query in rows.items()}))
"""


def with_building_photo(spec: AppSpec) -> AppSpec:
    data = spec.to_dict()
    building = next(e for e in data["entities"] if e["name"] == "Building")
    building["fields"].append({"name": "photo", "type": "image", "required": False})
    return AppSpec.from_data(data)


def with_public_courses(spec: AppSpec) -> AppSpec:
    data = spec.to_dict()
    next(e for e in data["entities"] if e["name"] == "Course")["access"] = "public"
    return AppSpec.from_data(data)


def spec_of(key: str) -> AppSpec:
    spec = analyze(TEXTS[key])
    if key == "property":
        return with_building_photo(spec)
    return with_public_courses(spec) if key == "courses" else spec


def app_env(root: Path, extra: dict[str, str]) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    return environ | PRODUCTION_OVER_HTTP | {"DJANGO_MEDIA_ROOT": str(root / "media")} | extra


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(
    probe: Callable[[], object],
    process: subprocess.Popen[bytes],
    errors: tuple[type[Exception], ...],
) -> bool:
    """Whether ``probe`` succeeds within 30 s while ``process`` runs."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            probe()
            return True
        except errors:
            time.sleep(0.1)  # not up yet
    return False


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stops a process this module started, by its pid."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def served(root: Path, env: dict[str, str]) -> Iterator[str]:
    """The project served by runserver on a free loopback port, stopped afterwards."""
    port = free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        if not answers(lambda: httpx.get(f"{base}/health/").raise_for_status(), process, ERRORS):
            pytest.fail(f"runserver did not start:\n{log.read_text()[-3000:]}")
        yield base
    finally:
        stop(process)


@dataclass
class Served:
    project: ProjectView
    root: Path
    env: dict[str, str]
    base: str
    rows: dict[str, dict[str, int | None]]
    files: dict[str, str]
    tokens: dict[str, str]

    def snapshot(self) -> Any:
        return shell(self.root, self.env, SNAPSHOT)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Token {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=10)

    def logged_in(self, username: str) -> httpx.Client:
        """A browser session of ``username``, logged in through the login page (with CSRF)."""
        client = self.client()
        client.get("/accounts/login/")
        response = client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert response.status_code == 302, response.text[-2000:]
        return client


def posted(client: httpx.Client, url: str, data: dict[str, str] | None = None) -> httpx.Response:
    token = client.cookies.get("csrftoken", "")
    return client.post(url, data={"csrfmiddlewaretoken": token, **(data or {})})


def owned(entity: EntityView) -> bool:
    return bool(entity.owner_path)


@pytest.fixture(scope="module", params=list(TEXTS))
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    spec = spec_of(request.param)
    project = build(spec)
    root = tmp_path_factory.mktemp(request.param)
    write(render(spec), root)
    env = app_env(root, {"DATABASE_URL": f"sqlite:///{root}/db.sqlite3"})
    ok(manage(root, env, "migrate", "--noinput", "-v", "0"))
    ok(manage(root, env, "collectstatic", "--noinput", "-v", "0"))
    entities = [
        (
            e.snake,
            owned(e),
            e.protected_by and project.entity(e.protected_by.spec.source).snake,
            e.protected_by and e.protected_by.name,
        )
        for e in project.entities
    ]
    files = [(e.snake, e.name, f.name) for e, f in project.file_fields]
    role = spec.roles[0].name if spec.roles else ""
    seeded = shell(
        root, env, SEED.format(password=PASSWORD, entities=entities, files=files, role=role)
    )
    with served(root, env) as base:
        yield Served(project, root, env, base, **seeded)


def test_the_three_apps_have_owned_and_shared_rows_and_a_protected_delete() -> None:
    """The matrix below covers what it claims: each kind of row is in some app."""
    projects = [build(spec_of(key)) for key in TEXTS]
    entities = [e for p in projects for e in p.entities]
    assert any(len(e.owner_path) > 1 for e in entities)  # owned through a parent
    assert any(e.owner_path and len(e.owner_path) == 1 for e in entities)  # owned directly
    assert any(not e.owner_path for e in entities)  # shared reference data
    assert sum(1 for p in projects if any(e.protected_by for e in p.entities)) >= 2
    assert any(p.file_fields for p in projects)
    assert any(e.read_by_strangers and not e.public for e in entities)  # a catalog
    assert any(e.public for e in entities)
    assert any(p.roles and any(not e.owner_path for e in p.entities) for p in projects)


def test_pages_show_a_stranger_only_alices_catalog_and_change_nothing(app: Served) -> None:
    before = app.snapshot()
    bob = app.logged_in("bob")
    for e in app.project.entities:
        rows = app.rows[e.snake]
        mine = f"/{e.url}/{rows['alice']}/"
        listed = bob.get(f"/{e.url}/")
        assert listed.status_code == 200, e.name
        if not owned(e) or e.read_by_strangers:  # read by all, changed by owners or managers
            assert f'href="{mine}"' in listed.text, e.name
            shown = bob.get(mine)
            assert shown.status_code == 200, e.name
            assert f'href="{mine}edit/"' not in shown.text, e.name
            for url in (f"{mine}edit/", f"{mine}delete/"):
                assert bob.get(url).status_code == 403, url
                assert posted(bob, url).status_code == 403, url
            continue
        assert f'href="{mine}"' not in listed.text, f"{e.name}: Alice's row listed for Bob"
        assert f'href="/{e.url}/{rows["bob"]}/"' in listed.text, f"{e.name}: Bob's own row"
        for url in (mine, f"{mine}edit/", f"{mine}delete/"):
            assert bob.get(url).status_code == 404, url
        for url in (f"{mine}edit/", f"{mine}delete/"):
            assert posted(bob, url).status_code == 404, url
    assert app.snapshot() == before


def test_pages_send_anonymous_visitors_to_log_in_but_on_public_lists(app: Served) -> None:
    before = app.snapshot()
    anonymous = app.client()
    anonymous.get("/accounts/login/")  # a CSRF cookie, so a refused POST is refused for access
    for e in app.project.entities:
        mine = f"/{e.url}/{app.rows[e.snake]['alice']}/"
        read = (f"/{e.url}/", mine)
        if e.public:
            assert f'href="{mine}"' in anonymous.get(f"/{e.url}/").text, e.name
            shown = anonymous.get(mine)
            assert shown.status_code == 200 and f'href="{mine}edit/"' not in shown.text, e.name
            read = ()
        for url in (*read, f"/{e.url}/new/", f"{mine}edit/", f"{mine}delete/"):
            response = anonymous.get(url)
            assert response.status_code == 302, url
            assert response.headers["location"].startswith("/accounts/login/?next="), url
        for url in (f"{mine}edit/", f"{mine}delete/"):
            response = posted(anonymous, url)
            assert response.status_code == 302, url
            assert response.headers["location"].startswith("/accounts/login/?next="), url
    assert app.snapshot() == before


def test_the_api_gives_a_stranger_and_anonymous_clients_only_what_all_may_read(
    app: Served,
) -> None:
    before = app.snapshot()
    bob, anonymous = app.client(app.tokens["bob"]), app.client()
    for e in app.project.entities:
        rows = app.rows[e.snake]
        mine = f"/api/{e.url}/{rows['alice']}/"
        listed = bob.get(f"/api/{e.url}/")
        assert listed.status_code == 200, e.name
        ids = {row["id"] for row in listed.json()["results"]}
        attack = {f.name: "hacked" for f in e.fields if f.type in {"string", "text"}}
        if owned(e) and not e.read_by_strangers:
            assert rows["alice"] not in ids and rows["bob"] in ids, e.name
            assert bob.get(mine).status_code == 404, mine
            assert bob.patch(mine, json=attack).status_code == 404, mine
            assert bob.put(mine, json=attack).status_code == 404, mine
            assert bob.delete(mine).status_code == 404, mine
        else:
            assert rows["alice"] in ids and bob.get(mine).status_code == 200, e.name
            assert bob.patch(mine, json=attack).status_code == 403, mine
            assert bob.put(mine, json=attack).status_code == 403, mine
            assert bob.delete(mine).status_code == 403, mine
        refused = [anonymous.patch(mine, json=attack), anonymous.delete(mine)]
        if e.public:
            public = anonymous.get(f"/api/{e.url}/").json()["results"]
            assert rows["alice"] in {row["id"] for row in public}, e.name
            assert anonymous.get(mine).json()["id"] == rows["alice"], e.name
        else:
            refused += [anonymous.get(f"/api/{e.url}/"), anonymous.get(mine)]
        for response in refused:
            assert response.status_code in {401, 403}, f"{response.request.method} {mine}"
    assert app.snapshot() == before


def test_a_role_manages_shared_data_by_the_permissions_its_migration_gave(app: Served) -> None:
    shared = [e for e in app.project.entities if not owned(e)]
    if not (app.project.roles and shared):
        pytest.skip(f"{app.project.name} has no role or no shared reference data")
    rita, page = app.client(app.tokens["rita"]), app.logged_in("rita")
    for e in shared:
        mine = f"/{e.url}/{app.rows[e.snake]['alice']}/"
        assert f'href="{mine}edit/"' in page.get(mine).text, e.name
        assert page.get(f"{mine}edit/").status_code == 200, e.name
        assert page.get(f"/{e.url}/new/").status_code == 200, e.name
        assert rita.patch(f"/api/{e.url}/{app.rows[e.snake]['alice']}/", json={}).status_code == 200
    for e in app.project.entities:  # the role gives no rights over others' own rows
        if owned(e) and not e.read_by_strangers:
            assert rita.get(f"/api/{e.url}/{app.rows[e.snake]['alice']}/").status_code == 404


def test_staff_who_are_not_superusers_see_only_their_rows_in_the_admin(app: Served) -> None:
    before = app.snapshot()
    staff = app.logged_in("staff")
    for e in app.project.entities:
        rows = app.rows[e.snake]
        admin = f"/admin/core/{e.model_lower}/"
        listed = staff.get(admin)
        assert listed.status_code == 200, e.name
        alices = f"{admin}{rows['alice']}/change/"
        if not owned(e):  # shared reference data: staff manage it
            assert f'href="{alices}"' in listed.text, e.name
            continue
        assert f'href="{admin}{rows["staff"]}/change/"' in listed.text, f"{e.name}: their own row"
        if e.read_by_strangers:  # seen, read-only
            assert f'href="{alices}"' in listed.text, e.name
            shown = staff.get(alices)
            assert shown.status_code == 200 and 'name="_save"' not in shown.text, e.name
            assert posted(staff, alices).status_code == 403, alices
        else:
            assert f'href="{alices}"' not in listed.text, f"{e.name}: Alice's row in the admin"
            for url in (alices, f"{admin}{rows['alice']}/delete/"):
                assert staff.get(url).status_code == 302, url  # "does not exist"
                assert posted(staff, url).status_code == 302, url
        assert posted(staff, f"{admin}{rows['alice']}/delete/", {"post": "yes"}).status_code in {
            302,
            403,
        }
    assert app.snapshot() == before


def test_a_protected_delete_is_a_message_on_the_page_and_a_409_in_the_api(app: Served) -> None:
    protected = [e for e in app.project.entities if e.protected_by]
    if not protected:
        pytest.skip(f"{app.project.name} has no protected link")
    before = app.snapshot()
    page, api = app.logged_in("root"), app.client(app.tokens["root"])
    for e in protected:
        pk = app.rows[e.snake]["protected"]
        response = posted(page, f"/{e.url}/{pk}/delete/")
        assert response.status_code == 200, e.name
        assert "cannot be deleted" in response.text, e.name
        response = api.delete(f"/api/{e.url}/{pk}/")
        assert response.status_code == 409, f"{e.name}: {response.text[:500]}"
    assert app.snapshot() == before


def test_uploads_go_only_to_those_who_may_see_their_record(app: Served) -> None:
    if not app.files:
        pytest.skip(f"{app.project.name} has no uploads")
    alice, bob, anonymous = app.logged_in("alice"), app.logged_in("bob"), app.client()
    for url in app.files.values():
        assert url.startswith("/media/"), url
        shown = alice.get(url)
        assert shown.status_code == 200 and shown.content.startswith(b"\x89PNG"), url
        assert bob.get(url).status_code == 404, url
        refused = anonymous.get(url)
        assert refused.status_code == 302, url
        assert refused.headers["location"].startswith("/accounts/login/?next="), url
    assert alice.get("/media/../db.sqlite3").status_code == 404
    assert alice.get("/media/building/no-such-file.png").status_code == 404


def mails_to(app: Served, address: str) -> list[str]:
    """Bodies of the mails to ``address`` that the console backend wrote to the server's log."""
    log = (app.root / "server.log").read_text(encoding="utf-8", errors="replace")
    bodies = []
    for chunk in log.split("-" * 79):
        start = chunk.find("Content-Type:")
        if start < 0:
            continue
        message = email.message_from_string(chunk[start:].strip())
        if message["To"] == address:
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            bodies.append(payload.decode(message.get_content_charset() or "utf-8"))
    return bodies


def test_a_forgotten_password_is_reset_by_mail_and_nobody_learns_who_has_an_account(
    app: Served,
) -> None:
    # Given an account with an email address, and a visitor at the reset form
    shell(
        app.root,
        app.env,
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.create_user('carol', 'carol@example.com', {PASSWORD!r})\n"
        "print('null')",
    )
    visitor = app.client()
    assert 'href="/accounts/password-reset/"' in visitor.get("/accounts/login/").text

    # When the visitor asks for an unknown address, then for Carol's
    answers = [
        posted(visitor, "/accounts/password-reset/", {"email": address})
        for address in ("nobody@example.com", "CAROL@example.com")
    ]

    # Then both get the same answer, and one mail goes to Carol alone
    assert [r.status_code for r in answers] == [302, 302]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert mails_to(app, "nobody@example.com") == []
    [body] = mails_to(app, "carol@example.com")
    link = re.search(rf"{re.escape(app.base)}(/accounts/reset/\S+/)", body)
    assert link is not None, body

    # When Carol follows the link and chooses a new password
    carol = app.client()
    form_url = carol.get(link.group(1)).headers["location"]
    assert "Choose a new password" in carol.get(form_url).text
    done = posted(
        carol, form_url, {"new_password1": "a-new-one-9471", "new_password2": "a-new-one-9471"}
    )

    # Then the new password logs in, the old one no longer does, and the link is spent
    assert done.status_code == 302 and done.headers["location"] == "/accounts/reset/done/"
    for password, works in (("a-new-one-9471", True), (PASSWORD, False)):
        client = app.client()
        client.get("/accounts/login/")
        response = posted(client, "/accounts/login/", {"username": "carol", "password": password})
        assert (response.status_code == 302) is works, password
    assert "This link no longer works" in app.client().get(link.group(1)).text


# --- the generated suites on PostgreSQL --------------------------------------------------------


def unavailable(reason: str) -> NoReturn:
    """Skips when PostgreSQL cannot run here; under CI that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(reason)


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory (Debian keeps each version apart)."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions = [p for p in found if p.parent.name.isdigit()]
    return max(versions, key=lambda p: int(p.parent.name), default=None)


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throwaway cluster on a free loopback port: the DATABASE_URL of its server, less the name.

    The server refuses to run as root, so under root it runs as the postgres user, in a
    directory of its own; it is stopped by its pid and its directory removed at the end.
    """
    bindir = postgres_bin()
    if bindir is None:
        unavailable("no /usr/lib/postgresql/*/bin/initdb (Debian: apt-get install postgresql)")
    home = Path(tempfile.mkdtemp(prefix="takoss-pg-"))
    try:
        as_user: dict[str, Any] = {}
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root, and there is no postgres user to run the server")
            os.chown(home, owner.pw_uid, owner.pw_gid)
            as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        data = home / "data"
        initdb = [bindir / "initdb", "-D", data, "-U", "takoss", "-A", "trust", "-E", "UTF8"]
        made = subprocess.run(
            [*initdb, "--locale=C", "--no-sync"],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **as_user,
        )
        if made.returncode != 0:
            unavailable(f"initdb failed:\n{made.stdout[-2000:]}\n{made.stderr[-2000:]}")
        port = free_port()
        log = home / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    bindir / "postgres",
                    "-D",
                    data,
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-k",
                    home,
                    *FAST,
                ],
                cwd=home,
                stdout=out,
                stderr=subprocess.STDOUT,
                **as_user,
            )
        try:
            url = f"postgres://takoss@127.0.0.1:{port}/"
            if not answers(lambda: psycopg.connect(f"{url}postgres").close(), server, PG_ERRORS):
                unavailable(f"the server did not start:\n{log.read_text()[-2000:]}")
            yield url
        finally:
            stop(server, signal.SIGINT)  # a fast shutdown
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.parametrize("key", ["property", "courses"])
def test_generated_suites_pass_on_postgresql(key: str, postgres: str, tmp_path: Path) -> None:
    write(render(spec_of(key)), tmp_path)
    env = app_env(tmp_path, {"DATABASE_URL": f"{postgres}{key}"})
    done = ok(manage(tmp_path, env, "test", "--noinput", "--parallel", "auto", "-v", "2"))
    report = done.stderr[-3000:]
    assert f"'test_{key}'" in done.stderr, report  # on the server, not on SQLite
    assert "Ran " in done.stderr and " 0 tests" not in done.stderr, report
