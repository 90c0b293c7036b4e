"""A change request in a real browser: build, ask for a change, confirm, build, compare.

The same Chromium and ASGI server as tests/browser/test_browser.py (the fixtures in
conftest.py and the steps in support.py): everything goes through the pages, as a person would.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import (
    RUN_TIMEOUT,
    SCREENSHOT,
    sign_up,
    start_task_manager,
    wait_for_status,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

CHANGE = "add a due date to projects"
PHONE = {"width": 390, "height": 844}


def test_ask_for_a_change_confirm_build_and_compare_the_two_versions(page):
    sign_up(page, level="experienced")
    first_run = start_task_manager(page, wizard=False)
    project_url = re.sub(r"runs/\d+/$", "", first_run)
    wait_for_status(page, "succeeded")
    assert "Run 1 · version 1" in page.inner_text("#run-title")

    # Ask for a change: the plan's diff appears in place, in words, with the engine's notes.
    page.fill("[data-testid=change-request]", CHANGE)
    page.click("[data-testid=change-submit]")
    review = page.locator("[data-testid=plan-review]")
    review.wait_for()
    assert "What changes from version 1" in review.inner_text()
    added = page.locator("[data-testid=spec-diff-added]")
    assert "due" in added.inner_text().lower()
    assert page.locator("[data-testid=edit-plan]").get_attribute("href").endswith("/plan/")
    assert page.evaluate("document.activeElement.dataset.testid") == "plan-review"

    # Confirm and build: the new run's live tracker, then its results.
    page.click("[data-testid=confirm-build]")
    page.wait_for_url(re.compile(r"/runs/2/$"))
    finished = "#run[data-testid=run]:not([data-status=queued]):not([data-status=running])"
    page.locator(f"{finished}:not([data-status=finishing])").wait_for(timeout=RUN_TIMEOUT)
    error = page.locator("[data-testid=run-error]")
    assert error.count() == 0, error.inner_text()
    wait_for_status(page, "succeeded")
    assert "Run 2 · version 2" in page.inner_text("#run-title")

    # The history (loaded into the page) leads to the comparison of the two versions.
    page.goto(project_url)
    newest = page.locator("[data-testid=version-row][data-number='2']")
    newest.wait_for()
    assert CHANGE in newest.inner_text()
    assert newest.locator("[data-testid=version-build]").inner_text().strip() == "Succeeded"
    newest.locator("[data-testid=version-compare]").click()
    page.wait_for_url(re.compile(r"/compare/\?from=1&to=2$"))

    assert "due" in page.inner_text("[data-testid=spec-diff-added]").lower()
    models = page.locator("[data-testid=file-diff][data-path='core/models.py']")
    assert models.count() == 1
    if models.get_attribute("open") is None:  # many files changed: each starts closed
        models.locator("summary").click()
    assert models.locator(".highlight .gi").count() > 0, "no added line highlighted"
    assert re.search(r"\+\d+", models.locator("[data-testid=file-counts]").inner_text())
    assert "file" in page.inner_text("[data-testid=diff-totals]")

    # The filter narrows the files as one types.
    total = page.locator("[data-testid=file-diff]").count()
    page.fill("[data-testid=file-filter]", "models.py")
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=file-diff]').length < {total}"
        " || document.querySelectorAll('[data-testid=file-diff]').length === 1"
    )
    paths = page.eval_on_selector_all(
        "[data-testid=file-diff]", "els => els.map((e) => e.dataset.path)"
    )
    assert paths and all("models.py" in path for path in paths), paths

    # Usable on a phone: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOT.with_name("takoss-compare-390.png")), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(project_url)
    page.locator("[data-testid=version-row]").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
