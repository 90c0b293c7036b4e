"""The live side without a server: tracker state, channel fragments, who may read a channel,
the run actions (cancel, regenerate, delete) and the ER diagram."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_eventstream.storage import DjangoModelStorage

from generator.diagrams import er_diagram_svg
from generator.engine import diagram
from generator.eventstream import GenerationChannelManager, ReplayStorage
from generator.models import Project
from generator.publishing import channel_name, channel_send
from generator.tracker import live_fragment, tracker_state
from tests.generator.helpers import SPEC, make_finished_run, make_live_run, record

HTMX = {"HTTP_HX_REQUEST": "true"}


def ev(seq, type, phase, message="", progress=0, data=None):
    return SimpleNamespace(
        seq=seq, type=type, phase=phase, message=message, progress=progress, data=data or {}
    )


# --- tracker state ----------------------------------------------------------------------------


def test_tracker_state_follows_the_phases():
    state = tracker_state(
        [
            ev(1, "phase_start", "initialization", "Preparing", 0),
            ev(2, "phase_complete", "initialization", "Ready", 5),
            ev(3, "phase_start", "verification", "Verifying", 75),
            ev(4, "phase_progress", "verification", "ruff check passed", 85, {"passed": True}),
            ev(5, "file", "verification", "x.py", 85, {"path": "x.py", "size": 3}),
            ev(
                6,
                "cancelled",
                "verification",
                "Cancelled by request",
                85,
                {"phase": "verification"},
            ),
        ]
    )

    states = {p.key: p.state for p in state.phases}
    assert states["initialization"] == "done"
    assert states["verification"] == "cancelled"
    assert states["packaging"] == "pending"
    verification = state.phase("verification")
    assert verification.percent == 50  # 85 within 75..95
    assert [s.message for s in verification.steps] == ["ruff check passed"]
    assert [f.path for f in state.files] == ["x.py"]
    assert (state.progress, state.seq) == (85, 6)


# --- fragments and channels -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_fragment_carries_the_touched_parts_as_of_its_event(project):
    live = make_live_run(project)  # seq 4 is the file, seq 5 its sub-step
    record(live, ("file", "database", "core/admin.py", 31, {"path": "core/admin.py", "size": 9}))

    fragment = live_fragment(live.pk, live.events.get(seq=5).to_event_dict())

    assert 'id="run-progress"' in fragment and 'hx-swap-oob="true"' in fragment
    assert 'data-phase="database" data-state="running" data-seq="5"' in fragment
    assert 'id="phase-database-steps"' in fragment
    assert 'data-path="core/models.py"' in fragment
    assert "core/admin.py" not in fragment  # written after seq 5
    assert fragment == live_fragment(live.pk, live.events.get(seq=5).to_event_dict())


@pytest.mark.django_db
def test_the_result_fragment_swaps_in_the_finished_run(project):
    run = make_finished_run(project)
    fragment = live_fragment(run.pk, run.events.last().to_event_dict())

    url = reverse("generator:run", args=[project.pk, run.number])
    assert f'hx-get="{url}" hx-trigger="load" hx-swap="outerHTML"' in fragment
    assert "sse-connect" not in fragment
    assert 'id="run-announcer" hx-swap-oob="innerHTML"' in fragment
    panel = reverse("generator:preview_panel", args=[project.pk])  # the preview panel follows
    assert 'id="preview-slot" hx-swap-oob="true"' in fragment
    assert f'hx-get="{panel}" hx-trigger="load"' in fragment


@pytest.mark.django_db
def test_channel_send_stores_the_html_fragment_for_replay(project):
    live = make_live_run(project)
    before = DjangoModelStorage().get_current_id(channel_name(live.pk))

    channel_send(live.pk, live.events.get(seq=3).to_event_dict())

    stored = DjangoModelStorage().get_events(channel_name(live.pk), before)
    assert [e.type for e in stored] == ["phase_start"]
    assert re.search(r'data-phase="database" data-state="running" data-seq="3"', stored[0].data)


@pytest.mark.django_db
def test_replay_from_id_zero_starts_at_the_first_event(project):
    live = make_live_run(project)
    for seq in (1, 2):
        channel_send(live.pk, live.events.get(seq=seq).to_event_dict())

    replayed = ReplayStorage().get_events(channel_name(live.pk), 0)

    assert [e.type for e in replayed] == ["phase_start", "phase_complete"]


@pytest.mark.django_db
def test_only_the_owner_and_staff_may_read_a_runs_channel(project, owner, stranger, staff):
    live = make_live_run(project)
    manager = GenerationChannelManager()
    channel = channel_name(live.pk)

    assert manager.can_read_channel(owner, channel)
    assert manager.can_read_channel(staff, channel)
    assert not manager.can_read_channel(stranger, channel)
    assert not manager.can_read_channel(None, channel)
    assert not manager.can_read_channel(owner, channel_name(live.pk + 1000))
    assert not manager.can_read_channel(owner, "other")


# --- run actions ------------------------------------------------------------------------------


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.django_db
def test_cancel_asks_the_run_to_stop(owner_client, project):
    live = make_live_run(project)
    url = reverse("generator:run_cancel", args=[project.pk, live.number])

    response = owner_client.post(url, **HTMX)

    assert "Cancelling…" in response.text and "disabled" in response.text
    live.refresh_from_db()
    assert live.cancel_requested_at is not None
    assert owner_client.get(url).status_code == 405  # POST only


@pytest.mark.django_db
def test_cancel_ends_a_queued_run_at_once(owner_client, project, owner):
    from generator.services import generation_start

    queued = generation_start(project=project, user=owner)
    response = owner_client.post(reverse("generator:run_cancel", args=[project.pk, 1]))

    assert response.url == reverse("generator:run", args=[project.pk, 1])
    queued.refresh_from_db()
    assert queued.status == "cancelled"


@pytest.mark.django_db
def test_regenerate_starts_a_new_run(owner_client, project):
    make_finished_run(project)

    response = owner_client.post(reverse("generator:project_regenerate", args=[project.pk]))

    assert response.url == reverse("generator:run", args=[project.pk, 2])
    assert list(project.generations.values_list("number", "status")) == [
        (2, "queued"),
        (1, "succeeded"),
    ]


@pytest.mark.django_db
def test_regenerate_explains_the_concurrency_limit(owner_client, project, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    other = Project.objects.create(owner=project.owner, name="Other", requirements="Tasks.")
    make_live_run(other)  # the owner's one run, in another project

    response = owner_client.post(
        reverse("generator:project_regenerate", args=[project.pk]), follow=True
    )

    assert "You already have 1 generation running" in response.text
    assert project.generations.count() == 0


@pytest.mark.django_db
def test_delete_asks_first_then_removes_the_project_and_its_files(
    owner_client, project, django_capture_on_commit_callbacks
):
    run = make_finished_run(project)
    zip_path = run.zip.path
    url = reverse("generator:project_delete", args=[project.pk])

    confirm = owner_client.get(url)
    assert 'data-testid="confirm-delete"' in confirm.text
    assert 'name="csrfmiddlewaretoken"' in confirm.text
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, follow=True)

    assert "Deleted “Task Manager” and all its runs." in response.text
    assert not type(project).objects.filter(pk=project.pk).exists()
    assert not os.path.exists(zip_path)


# --- the ER diagram ---------------------------------------------------------------------------


def test_the_er_diagram_draws_every_entity_and_relationship():
    svg = er_diagram_svg(SPEC)

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram"')
    assert svg.count('class="node er-entity"') == 2
    assert 'data-entity="Project"' in svg and 'data-entity="Task"' in svg
    assert svg.count('class="edge er-relation"') == 1
    assert "\xa0project\xa0</text>" in svg  # the relationship's name, as its edge label
    assert ">due_date</text>" in svg and ">date</text>" in svg


def test_the_er_diagram_escapes_names():
    spec = {"name": "<x>", "entities": [{"name": "A<script>", "fields": []}], "relationships": []}
    svg = er_diagram_svg(spec)
    assert "<script>" not in svg
    assert "A&lt;script&gt;" in svg


def test_without_graphviz_the_page_gets_a_notice_instead_of_the_diagram(monkeypatch):
    monkeypatch.setattr("generator.engine.diagram.shutil.which", lambda name: None)
    diagram.clear_cache()

    html = er_diagram_svg(SPEC)

    assert "<svg" not in html
    assert html.startswith('<p class="er-unavailable"')
    assert "Diagram unavailable: Graphviz" in html and "make setup" in html


def test_the_stream_view_drops_events_it_already_sent():
    from asgiref.sync import async_to_sync

    from generator.eventstream import _without_repeats

    chunks = [
        b":padding\n\nevent: stream-open\ndata:\n\n",
        b"event: a\nid: generation-1:1\ndata: x\n\nevent: b\nid: generation-1:2\ndata: y\n\n",
        # the library's re-read after a conflict repeats 1 and 2, then carries on with 3
        b"event: a\nid: generation-1:1\ndata: x\n\nevent: b\nid: generation-1:2\ndata: y\n\n"
        b"event: c\nid: generation-1:3\ndata: z\n\n",
        b"event: keep-alive\ndata:\n\n",
    ]

    async def source():
        for chunk in chunks:
            yield chunk

    async def collect():
        return [chunk async for chunk in _without_repeats(source())]

    out = b"".join(async_to_sync(collect)())
    assert out.count(b"id: generation-1:1\n") == 1
    assert out.count(b"id: generation-1:2\n") == 1
    assert b"id: generation-1:3\n" in out
    assert b"event: stream-open" in out and b"event: keep-alive" in out


@pytest.mark.django_db
def test_a_failed_runs_error_event_is_never_named_error_on_the_channel(project, client, owner):
    # An SSE event named "error" would reach the EventSource's onerror (htmx then logs
    # "[object MessageEvent]" and reconnects); it goes out as "run_error", which the page swaps.
    live = make_live_run(project)
    record(live, ("error", "database", "Generation failed: boom", 30, {}))
    before = DjangoModelStorage().get_current_id(channel_name(live.pk))

    channel_send(live.pk, live.events.get(type="error").to_event_dict())

    stored = DjangoModelStorage().get_events(channel_name(live.pk), before)
    assert [e.type for e in stored] == ["run_error"]
    client.force_login(owner)
    page = client.get(reverse("generator:run", args=[project.pk, live.number])).text
    swapped = re.search(r'sse-swap="([^"]*)" hx-swap="none"', page)
    assert swapped is not None
    assert "run_error" in swapped.group(1).split(",")
    assert "error" not in swapped.group(1).split(",")
