"""A real browser against the real ASGI server: Playwright drives Debian's Chromium.

The app runs under daphne in a subprocess (``asgi_server``, tests/conftest.py) on the test
database; everything here goes through the browser, as a person would: sign up, onboarding, a
project from an example prompt, the live tracker over SSE, the code viewer, the ZIP, cancelling a
run and reloading a page mid-run.

Chromium comes from Debian (``scripts/ensure-chromium.sh``, run by ``make test``); Playwright
never downloads a browser. ``TAKOSS_CHROMIUM`` points at another binary. Without Chromium the
tests are skipped, except under CI, where they fail.

Every page records what it shows: an init script snapshots the tracker (progress, sequence
numbers, phase states, files) on each DOM change, so the tests can tell that updates arrived
live, in order, with no gap and no duplicate.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from typing import Any

import pytest

from tests.browser.support import (
    RUN_TIMEOUT,
    SCREENSHOT,
    product_shot,
    sign_up,
    start_task_manager,
    wait_for_status,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),  # the server writes; its rows are flushed after
]


def seen(page) -> list[dict[str, Any]]:
    return page.evaluate("window.__seen")


def live_snapshots(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in snapshots if s["live"]]


def assert_in_order_without_repeats(snapshots: list[dict[str, Any]]) -> None:
    """Progress, sequence numbers and phase states only move forward; no file shows twice."""
    order = {"pending": 0, "running": 1, "done": 2, "failed": 2, "cancelled": 2}
    for before, after in itertools.pairwise(snapshots):
        assert after["progress"] >= before["progress"], (before, after)
        assert after["seq"] >= before["seq"], (before, after)
        for key, phase in after["phases"].items():
            earlier = before["phases"].get(key)
            if earlier is not None:
                assert phase["seq"] >= earlier["seq"], (key, earlier, phase)
                assert order[phase["state"]] >= order[earlier["state"]], (key, earlier, phase)
        assert after["files"][: len(before["files"])] == before["files"], "the file list changed"
    for snapshot in snapshots:
        assert len(snapshot["files"]) == len(set(snapshot["files"])), snapshot["files"]


def phase_states(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "[data-testid=phase]",
        "rows => Object.fromEntries(rows.map((r) => [r.dataset.phase, r.dataset.state]))",
    )


# --- the scenarios --------------------------------------------------------------------------------


def test_sign_up_generate_watch_it_live_read_the_code_and_download_the_zip(page, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_up(page, level="beginner")
    start_task_manager(page, wizard=True)
    page.locator("[data-testid=tracker][data-live=true]").wait_for()
    page.wait_for_function(
        "document.querySelectorAll('#file-list li[data-path]').length >= 3"
        " || !document.querySelector('[data-testid=tracker][data-live=true]')",
        timeout=RUN_TIMEOUT,
    )
    product_shot(page, "live-run")  # the home page's picture of a run in progress
    page.locator("#run-announcer[aria-live=polite]").wait_for(state="attached")

    wait_for_status(page, "succeeded")

    # It streamed: the live tracker moved through intermediate states, in order, to 100 %.
    live = live_snapshots(seen(page))
    assert any(0 < s["progress"] < 100 for s in live), [s["progress"] for s in live]
    assert len({s["seq"] for s in live}) > 3, "too few live updates"
    assert_in_order_without_repeats(live)
    assert live[-1]["progress"] == 100
    assert all(p["state"] == "done" for p in live[-1]["phases"].values()), live[-1]["phases"]
    assert live[-1]["files"], "no file appeared while the run was live"

    # Finished: 100 % with every phase done (inside the closed Phases <details>).
    progress = page.locator("[data-testid=run-progress]")
    assert progress.get_attribute("data-progress") == "100"
    assert page.text_content("[data-testid=run-percent]").strip() == "100%"
    states = phase_states(page)
    assert len(states) >= 8 and set(states.values()) == {"done"}, states
    for part in ("spec-summary", "download-link"):
        assert page.locator(f"[data-testid={part}]").is_visible(), part
    # The workspace's tabs: one panel at a time, each reachable by a click.
    for tab, part in (("diagram", "er-diagram"), ("checks", "verification"), ("code", "file-tree")):
        page.click(f"[data-testid=tab-{tab}]")
        assert page.get_attribute(f"[data-testid=tab-{tab}]", "aria-selected") == "true"
        assert page.locator(f"[data-testid={part}]").is_visible(), part
    assert page.locator("[data-testid=er-diagram] svg").count() == 1
    page.click("[data-testid=tab-diagram]")
    page.evaluate("window.scrollTo(0, 0)")
    product_shot(page, "workspace")  # the home page's picture of the product
    page.click("[data-testid=tab-code]")
    assert page.locator("[data-testid=history-row][data-number='1']").count() == 1

    # A generated file, highlighted, in the viewer.
    page.click("[data-testid=file-tree] a[data-path='core/models.py']")
    viewer = page.locator("#code-viewer[data-testid=code-viewer][data-path='core/models.py']")
    viewer.wait_for()
    assert "class " in viewer.inner_text()
    assert viewer.locator(".highlight span.k, .highlight span.kn").count() > 0, "not highlighted"
    assert viewer.locator("[data-testid=copy-button]").is_visible()
    assert page.url.endswith("/files/core/models.py")

    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The ZIP: downloads, opens, holds the manifest and the models.
    with page.expect_download() as download_info:
        page.click("[data-testid=download-link]")
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert any(name == "takoss.json" or name.endswith("/takoss.json") for name in names), names
    assert any(name.endswith("core/models.py") for name in names), names


def test_cancel_a_running_run(page):
    sign_up(page, level="experienced")
    start_task_manager(page, wizard=False)
    verifying = "[data-testid=phase][data-phase=verification][data-state=running]"
    page.locator(verifying).wait_for(timeout=RUN_TIMEOUT)

    page.click("[data-testid=cancel-button]")

    wait_for_status(page, "cancelled")
    states = phase_states(page)
    assert states["verification"] == "cancelled", states
    keys = list(states)
    position = keys.index("verification")
    assert all(states[key] == "done" for key in keys[:position]), states
    assert all(states[key] == "pending" for key in keys[position + 1 :]), states
    assert page.locator("[data-testid=download-link]").count() == 0
    assert page.locator("[data-testid=run-status]").inner_text().strip().lower() == "cancelled"


def test_reloading_mid_run_continues_with_no_gap_and_no_repeat(page):
    sign_up(page, level="experienced")
    start_task_manager(page, wizard=False)
    page.wait_for_function(
        "document.querySelector('[data-testid=tracker][data-live=true]') && "
        "document.querySelectorAll('#file-list li[data-path]').length >= 3",
        timeout=RUN_TIMEOUT,
    )
    before = live_snapshots(seen(page))[-1]
    page.screenshot(path=str(SCREENSHOT.with_name("takoss-live.png")))

    page.reload()

    page.locator("[data-testid=tracker][data-live=true]").wait_for(timeout=5_000)
    after_reload = live_snapshots(seen(page))
    assert after_reload, "the run ended before the page came back; nothing to check"
    wait_for_status(page, "succeeded")
    live = live_snapshots(seen(page))
    # The reloaded page starts where the old one was (or further), and goes on from there.
    assert_in_order_without_repeats([before, *live])
    assert any(s["seq"] > live[0]["seq"] for s in live), "no live update after the reload"
    assert live[-1]["progress"] == 100
    assert all(p["state"] == "done" for p in live[-1]["phases"].values()), live[-1]["phases"]
    # Every file of the ZIP appeared in the live list, once.
    tree = page.eval_on_selector_all(
        "[data-testid=file-tree] a[data-path]", "links => links.map((a) => a.dataset.path)"
    )
    assert sorted(live[-1]["files"]) == sorted(tree)
    assert set(phase_states(page).values()) == {"done"}


def test_a_stale_fragment_never_moves_the_tracker_back(page):
    # The race, made to happen: the page is rendered from the run's history (seq 5) but its
    # stream starts after the channel's last fragment (seq 3). Just as the stream connects, the
    # fragment of seq 4 is published (late), then seq 6. Seq 4 must be skipped, seq 6 shown.
    from accounts.models import User
    from generator.models import Project
    from generator.publishing import channel_send
    from tests.generator.helpers import TASK_MANAGER, make_live_run, record

    email = sign_up(page, level="experienced")
    project = Project.objects.create(
        owner=User.objects.get(email=email), name="Stale", requirements=TASK_MANAGER
    )
    run = make_live_run(project)  # running, events 1..5, no worker
    history = list(run.events.order_by("seq"))
    for event in history[:3]:
        channel_send(run.pk, event.to_event_dict())

    def publish_late_then_connect(route) -> None:
        channel_send(run.pk, history[3].to_event_dict())  # seq 4: older than the page
        record(run, ("file", "database", "core/admin.py", 32, {"path": "core/admin.py", "size": 9}))
        channel_send(run.pk, run.events.get(seq=6).to_event_dict())
        route.continue_()

    page.route(re.compile(rf"/events/generations/{run.pk}/"), publish_late_then_connect)
    page.goto(f"/projects/{project.pk}/runs/1/")
    page.locator("#run-progress[data-seq='6']").wait_for(timeout=10_000)

    live = live_snapshots(seen(page))
    assert live[0]["seq"] == 5  # rendered from the history
    assert [s["seq"] for s in live] == sorted(s["seq"] for s in live), live
    assert_in_order_without_repeats(live)
    assert live[-1]["files"][-1] == "core/admin.py"
    run.__class__.objects.filter(pk=run.pk).update(status="failed")  # leave nothing running


def test_two_tabs_on_the_same_run_both_stay_live(page):
    sign_up(page, level="experienced")
    run_url = start_task_manager(page, wizard=False)
    other = page.context.new_page()

    other.goto(run_url)

    other.locator("[data-testid=tracker][data-live=true]").wait_for(timeout=5_000)
    for tab in (page, other):
        wait_for_status(tab, "succeeded")
        live = live_snapshots(seen(tab))
        assert len({s["seq"] for s in live}) > 1, "this tab got no live update"
        assert_in_order_without_repeats(live)
        assert live[-1]["progress"] == 100
        assert set(phase_states(tab).values()) == {"done"}
    assert live_snapshots(seen(page))[-1]["files"] == live_snapshots(seen(other))[-1]["files"]
