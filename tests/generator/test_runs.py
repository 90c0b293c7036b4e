"""Runs through the real in-process task backend and, where marked slow, the real pipeline.

Worker threads must see the rows the test commits, hence ``transaction=True``.
"""

from __future__ import annotations

import hashlib
import time
import zipfile

import pytest

from generator import services
from generator.constants import (
    FINAL_STATUSES,
    GENERATION_STATUS_CANCELLED,
    GENERATION_STATUS_FAILED,
    GENERATION_STATUS_SUCCEEDED,
)
from generator.engine.analysis import requirements_problem
from generator.engine.events import ESSENTIAL_TYPES
from generator.engine.pipeline import GenerationInputError
from generator.models import Generation, Project
from generator.services import generation_cancel, generation_run, generation_start
from tests.generator.helpers import GIBBERISH, reload, wait_for

run_db = pytest.mark.django_db(transaction=True)


@pytest.mark.slow
@run_db
def test_a_run_succeeds_with_its_zip_and_complete_history(project, owner, backend, channel_sends):
    generation = generation_start(project=project, user=owner)

    assert backend.wait_idle(timeout=60)

    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_SUCCEEDED, generation.error
    assert (generation.progress, generation.error) == (100, "")
    assert generation.started_at <= generation.finished_at
    assert generation.spec["name"] == "Task Manager"
    assert generation.verification["passed"] is True
    assert generation.complexity["total"] > 0
    assert "verification" in generation.timings
    # The ZIP is stored through the storage API, under the run's own name, and is the one built.
    assert generation.zip.name == f"generations/{project.pk}/{generation.pk}.zip"
    data = generation.zip.read()
    assert hashlib.sha256(data).hexdigest() == generation.zip_sha256
    with zipfile.ZipFile(generation.zip.open()) as archive:
        names = archive.namelist()
    assert {f["path"] for f in generation.files} <= {name.split("/", 1)[1] for name in names}
    # Every event is kept, numbered 1..n without gaps, ending with the result.
    history = list(generation.events.all())
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert generation.last_event_seq == len(history)
    assert history[0].type == "phase_start"
    assert history[-1].type == "result"
    assert history[-1].data["status"] == "succeeded"
    assert history[-1].data["output_dir"] is None  # no server paths leak to clients
    # Every essential event reached the channel, in order; sub-steps were coalesced there only.
    sent = [event for gid, event in channel_sends if gid == generation.pk]
    essential = [e.seq for e in history if e.type in ESSENTIAL_TYPES]
    assert [e["seq"] for e in sent if e["type"] in ESSENTIAL_TYPES] == essential
    assert [e["seq"] for e in sent] == sorted(e["seq"] for e in sent)
    assert len(sent) < len(history)
    assert sent[-1] == history[-1].to_event_dict()


@pytest.mark.slow
@run_db
def test_cancelling_a_running_generation_ends_it_within_a_second(
    project, owner, backend, channel_sends
):
    generation = generation_start(project=project, user=owner)
    # Given a run busy verifying the generated project (the longest phase)
    wait_for(
        lambda: generation.events.filter(type="phase_start", phase="verification").exists(),
        timeout=30,
    )
    assert reload(generation).status == "running"

    # When its owner cancels it
    cancelled_at = time.monotonic()
    generation_cancel(generation=generation, user=owner)
    elapsed = wait_for(lambda: reload(generation).status in FINAL_STATUSES, timeout=10)

    # Then it ends as cancelled within a second, with no ZIP, its history ending in the result
    assert time.monotonic() - cancelled_at <= 1.0, f"took {elapsed:.2f} s"
    assert generation.status == GENERATION_STATUS_CANCELLED
    assert not generation.zip
    assert generation.cancel_requested_at is not None
    types = list(generation.events.values_list("type", flat=True))
    assert types[-2:] == ["cancelled", "result"]
    assert backend.wait_idle(timeout=10)


@run_db
def test_an_unexpected_error_fails_the_run_with_its_message(
    project, owner, backend, channel_sends, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "generate", explode)
    generation = generation_start(project=project, user=owner)
    assert backend.wait_idle(timeout=10)

    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_FAILED
    assert generation.error == "The generation failed unexpectedly: disk on fire"
    assert generation.error_data["kind"] == "internal"
    assert list(generation.events.values_list("type", flat=True)) == ["error", "result"]
    assert [event["type"] for _, event in channel_sends] == ["error", "result"]


@run_db
def test_unusable_input_fails_the_run(project, owner, backend, channel_sends, monkeypatch):
    def refuse(*args, **kwargs):
        raise GenerationInputError(["the app needs a name"])

    monkeypatch.setattr(services, "generate", refuse)
    generation = generation_start(project=project, user=owner)
    assert backend.wait_idle(timeout=10)

    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_FAILED
    assert generation.error == "The project cannot be generated: the app needs a name"


@run_db
def test_refused_requirements_that_reach_a_run_fail_it_in_analysis(owner, backend, channel_sends):
    # A project saved past the entry checks (here: directly) still fails cleanly, as bad input.
    # Waits on the analyzer's domain-content check in requirements_problem.
    project = Project.objects.create(
        owner=owner, name="Notes", requirements=GIBBERISH, stack="django"
    )
    generation = generation_start(project=project, user=owner)
    assert backend.wait_idle(timeout=30)

    generation = reload(generation)
    problem = requirements_problem(GIBBERISH)
    assert generation.status == GENERATION_STATUS_FAILED
    assert (generation.error_data["kind"], generation.error_data["phase"]) == ("input", "analysis")
    assert problem is not None and problem in generation.error
    types = list(generation.events.values_list("type", flat=True))
    assert types[-2:] == ["error", "result"]


@pytest.mark.django_db
def test_a_run_cancelled_while_queued_never_starts(project, owner, monkeypatch):
    monkeypatch.setattr(services, "generate", lambda *a, **k: pytest.fail("must not run"))
    generation = generation_cancel(
        generation=generation_start(project=project, user=owner), user=owner
    )

    generation_run(generation_id=generation.pk)

    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_CANCELLED
    assert generation.started_at is None
    assert generation.events.count() == 2


@pytest.mark.django_db
def test_a_deleted_run_is_ignored_by_its_task(project, owner):
    generation = generation_start(project=project, user=owner)
    Generation.objects.filter(pk=generation.pk).delete()
    generation_run(generation_id=generation.pk)  # nothing to do, nothing raised
    assert not Generation.objects.exists()
