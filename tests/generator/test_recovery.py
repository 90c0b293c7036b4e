"""Runs orphaned by a stopped server are marked interrupted at start-up, never left hanging."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest.mock import patch

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from generator import registry
from generator.constants import INTERRUPTED_MESSAGE
from generator.engine import pipeline, sandbox
from generator.engine.leftovers import MARKER_NAME, owner_marker, temp_folder
from generator.models import Generation
from generator.services import generation_mark_interrupted_all, generation_start
from generator.startup import RecoverOnFirstRequest
from tests.generator.helpers import reload


def make_runs(project) -> dict[str, Generation]:
    runs = {}
    for number, status in enumerate(["queued", "running", "succeeded", "failed"], start=1):
        runs[status] = Generation.objects.create(
            project=project,
            number=number,
            status=status,
            current_phase="database",
            progress=30,
            last_event_seq=4,
        )
    return runs


@pytest.mark.django_db
def test_orphaned_runs_are_marked_interrupted_with_an_error_in_their_history(project):
    runs = make_runs(project)

    assert generation_mark_interrupted_all() == 2

    for status in ("queued", "running"):
        run = reload(runs[status])
        assert run.status == "interrupted"
        assert run.error == INTERRUPTED_MESSAGE
        assert run.finished_at is not None
        events = list(run.events.values_list("seq", "type", "phase", "message"))
        assert events == [
            (5, "error", "database", INTERRUPTED_MESSAGE),
            (6, "result", "complete", "Generation interrupted"),
        ]
    assert reload(runs["succeeded"]).status == "succeeded"
    assert reload(runs["failed"]).status == "failed"
    assert generation_mark_interrupted_all() == 0


@pytest.mark.django_db
def test_runs_this_process_owns_are_left_alone(project):
    runs = make_runs(project)
    registry.register(runs["running"].pk)
    try:
        assert generation_mark_interrupted_all() == 1
    finally:
        registry.unregister(runs["running"].pk)
    assert reload(runs["running"]).status == "running"
    assert reload(runs["queued"]).status == "interrupted"


@pytest.mark.django_db
def test_the_recover_command(project, capsys):
    make_runs(project)
    call_command("takoss_recover")
    marked, removed = capsys.readouterr().out.strip().splitlines()
    assert marked == "Marked 2 generation(s) interrupted."
    assert removed.startswith("Removed ") and "sandbox process(es)" in removed


@pytest.mark.django_db(transaction=True)
def test_the_server_recovers_before_its_first_request_only(project):
    runs = make_runs(project)
    seen = []

    async def app(scope, receive, send):
        status = await sync_to_async(lambda: reload(runs["running"]).status)()
        seen.append(status)

    server = async_to_sync(RecoverOnFirstRequest(app))
    server({"type": "http"}, None, None)
    # A run orphaned later is not looked for again on later requests.
    Generation.objects.filter(pk=runs["queued"].pk).update(status="queued")
    server({"type": "http"}, None, None)

    assert seen == ["interrupted", "interrupted"]
    assert reload(runs["queued"]).status == "queued"


@pytest.mark.django_db(transaction=True)
def test_the_server_removes_a_dead_servers_folders_before_its_first_request():
    # Given a run folder left by a server that was killed, and one of this live process
    dead_server = subprocess.Popen(["sleep", "30"])
    dead_marker = owner_marker(dead_server.pid)
    dead_server.kill()
    dead_server.wait()
    left = Path(tempfile.mkdtemp(prefix="takoss-run-"))
    (left / MARKER_NAME).write_text(dead_marker)
    seen = []

    async def app(scope, receive, send):
        seen.append(left.exists())

    with temp_folder("takoss-verify-") as ours:
        # When the next server serves its first request
        async_to_sync(RecoverOnFirstRequest(app))({"type": "http"}, None, None)

        # Then the dead server's folder was gone before it, and ours is kept
        assert seen == [False]
        assert ours.exists()


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_sandbox_follows_the_setting_and_hides_the_servers_files(tmp_path):
    before = sandbox.mode(), sandbox.hidden()
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "takoss.sqlite3"}
    try:
        with override_settings(
            TAKOSS_SANDBOX="none", DATABASES={"default": database}, MEDIA_ROOT=tmp_path / "media"
        ):
            apps.get_app_config("generator").ready()

            assert sandbox.mode() == "none"
            assert {tmp_path / "takoss.sqlite3", tmp_path / "media"} <= set(sandbox.hidden())
    finally:
        sandbox.configure(mode=before[0], hidden=before[1])
    assert settings.TAKOSS_SANDBOX == sandbox.mode() == "bwrap"


def test_an_unknown_sandbox_setting_stops_the_start():
    env = {**os.environ, "TAKOSS_SANDBOX": "docker", "DJANGO_SETTINGS_MODULE": "takoss.settings"}

    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0
    assert "TAKOSS_SANDBOX='docker' is not supported; use one of bwrap, none." in done.stderr


def folders_of_this_process() -> list[Path]:
    """This process's run and verify folders (a preview's prepared build may outlive a test)."""
    mine = owner_marker()
    return [
        folder
        for folder in Path(tempfile.gettempdir()).glob("takoss-*")
        if folder.name.startswith(("takoss-run-", "takoss-verify-"))
        and (folder / MARKER_NAME).is_file()
        and (folder / MARKER_NAME).read_text() == mine
    ]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_runs_folders_are_removed_when_it_ends(project, owner, backend, channel_sends):
    seen: list[list[Path]] = []
    verify = pipeline.verify

    def verify_and_look(*args, **kwargs):
        seen.append(folders_of_this_process())  # the run's folder exists while it runs
        return verify(*args, **kwargs)

    with patch.object(pipeline, "verify", verify_and_look):
        generation = generation_start(project=project, user=owner)
        assert backend.wait_idle(timeout=120)

    assert reload(generation).status == "succeeded", reload(generation).error
    assert [folder.name[: len("takoss-run-")] for folder in seen[0]] == ["takoss-run-"]
    assert folders_of_this_process() == []
