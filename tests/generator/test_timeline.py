"""A finished run's timeline: its phases in order with their durations, as text and bars."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from generator.models import Generation
from generator.timeline import run_timeline
from generator.tracker import tracker_state
from tests.generator.helpers import make_finished_run, make_live_run, record

pytestmark = pytest.mark.django_db


def test_the_timeline_places_each_phase_after_the_last_on_one_scale(project):
    run = Generation.objects.create(project=project, number=1, status="failed")
    record(
        run,
        ("phase_start", "initialization", "…", 0, {}),
        ("phase_complete", "initialization", "Ready", 5, {}),
        ("phase_start", "analysis", "…", 5, {}),
        ("error", "analysis", "Could not read it", 5, {}),
    )
    timings = {"initialization": 1.0, "analysis": 3.0, "total": 4.5}

    timeline = run_timeline(timings, tracker_state(run.events.all()))

    assert timeline is not None
    first, second, third = timeline.rows[:3]
    assert (first.key, first.seconds, first.start_percent, first.width_percent) == (
        "initialization",
        1.0,
        0.0,
        25.0,
    )
    assert (second.key, second.state, second.start_percent, second.width_percent) == (
        "analysis",
        "failed",
        25.0,
        75.0,
    )
    assert (third.seconds, third.state) == (None, "skipped")
    assert (timeline.phases_seconds, timeline.total_seconds) == (4.0, 4.5)


def test_no_timings_no_timeline(project):
    run = Generation.objects.create(project=project, number=1, status="failed")
    assert run_timeline({}, tracker_state([])) is None
    assert run_timeline(None, tracker_state(run.events.all())) is None


def test_a_finished_runs_page_shows_its_timeline_and_a_live_one_does_not(client, owner, project):
    run = make_finished_run(project)
    Generation.objects.filter(pk=run.pk).update(
        timings={"initialization": 0.25, "analysis": 1.5, "total": 2.0}
    )
    make_live_run(project, number=2)
    client.force_login(owner)

    finished = client.get(reverse("generator:run", args=[project.pk, 1])).text
    live = client.get(reverse("generator:run", args=[project.pk, 2])).text

    assert 'data-testid="timeline"' in finished and 'data-testid="timeline"' not in live
    assert "1.8 s in phases, 2.0 s in all" in finished
    row = re.search(r'<li class="timeline__row[^"]*" data-phase="analysis".*?</li>', finished, re.S)
    assert row is not None
    assert '<span class="timeline__label">Analysis</span>' in row.group(0)
    assert "1.50 s" in row.group(0)
    assert 'aria-hidden="true"' in row.group(0)  # the bar illustrates; the text says it
    assert "--start: 14.29%; --width: 85.71%" in row.group(0)
    assert "not reached" in finished  # the phases it never entered
