"""Runs on worker processes: cancel through the database, heartbeats, and the stale-run sweeper.

These run in one process on SQLite with TAKOSS_TASK_BACKEND switched to "database" in settings
only; tests/scaling/ runs the same paths across real processes on PostgreSQL and Redis.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from generator import registry, runwatch
from generator.constants import WORKER_LOST_MESSAGE
from generator.engine.events import CancelToken
from generator.models import Generation, generation_zip_path
from generator.services import (
    _claim,
    generation_cancel,
    generation_mark_interrupted_all,
    generation_mark_stale_interrupted,
)
from tests.generator.helpers import reload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_workers(settings):
    settings.TAKOSS_TASK_BACKEND = "database"
    settings.TAKOSS_HEARTBEAT_SECONDS = 1
    settings.TAKOSS_STALE_RUN_SECONDS = 3


def running(project, number: int = 1, *, beat_age: float = 0) -> Generation:
    beat = timezone.now() - timedelta(seconds=beat_age)
    return Generation.objects.create(
        project=project,
        number=number,
        status="running",
        started_at=beat,
        heartbeat_at=beat,
        current_phase="backend",
        progress=40,
        last_event_seq=7,
    )


def test_a_cancel_request_reaches_the_run_on_its_worker_within_a_second(project, owner, on_workers):
    run = running(project)
    token = CancelToken()
    with runwatch.watching(run.pk, token):
        # This process does not own the run: only the database can carry the request.
        assert not registry.cancel(run.pk)
        asked = time.monotonic()
        generation_cancel(generation=run, user=owner)
        assert token.wait(timeout=1.0), "the run's token was not fired within a second"
        assert time.monotonic() - asked < 1.0
    assert reload(run).status == "running"  # the pipeline ends it, on seeing its token


def test_the_watch_keeps_the_heartbeat_of_a_running_run(project, on_workers):
    run = running(project, beat_age=60)
    with runwatch.watching(run.pk, CancelToken()):
        time.sleep(1.6)
    assert timezone.now() - reload(run).heartbeat_at < timedelta(seconds=1.5)


def test_a_run_whose_heartbeat_stopped_is_interrupted_and_its_partial_zip_removed(
    project, on_workers
):
    dead, alive = running(project, 1, beat_age=10), running(project, 2, beat_age=0)
    # The dead worker got as far as writing part of its ZIP; the row never named it.
    leftover = default_storage.save(generation_zip_path(dead, "project.zip"), ContentFile(b"PK"))

    assert generation_mark_stale_interrupted(stale_after=timedelta(seconds=3)) == 1

    dead = reload(dead)
    assert (dead.status, dead.error, dead.zip.name) == ("interrupted", WORKER_LOST_MESSAGE, "")
    assert list(dead.events.values_list("seq", "type")) == [(8, "error"), (9, "result")]
    assert not default_storage.exists(leftover)
    assert reload(alive).status == "running"
    assert generation_mark_stale_interrupted(stale_after=timedelta(seconds=3)) == 0


def test_start_up_recovery_leaves_runs_alive_on_other_workers_alone(project, on_workers):
    alive, dead = running(project, 1, beat_age=0), running(project, 2, beat_age=60)
    queued = Generation.objects.create(project=project, number=3)  # waits in the database queue

    assert generation_mark_interrupted_all() == 1

    assert [reload(r).status for r in (alive, dead, queued)] == ["running", "interrupted", "queued"]


def test_only_one_of_two_claims_of_a_queued_run_wins(project):
    queued = Generation.objects.create(project=project, number=1)

    first, second = _claim(queued.pk), _claim(queued.pk)

    assert first is not None and second is None
    assert reload(queued).heartbeat_at is not None
