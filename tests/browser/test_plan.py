"""The plan page in a real browser: Review plan from the new-project page, edits that apply as
they are made (htmx) with the diagram following, Build, and the page at a phone's width.

It reuses the browser, the page and the sign-up step of tests/browser/support.py and
conftest.py (Debian's Chromium through Playwright, never a downloaded browser; the app
under daphne).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import (
    RUN_TIMEOUT,
    SCREENSHOT,
    sign_up,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def review_task_manager(page) -> None:
    """From the quick form with the Task Manager example, open its plan."""
    page.goto("/projects/new/?form=quick&example=task-manager")
    page.click("[data-testid=review-plan-button]")
    page.wait_for_url(re.compile(r"/projects/\d+/plan/$"))
    page.locator("[data-testid=plan-entity][data-entity=Task]").wait_for()


def test_review_the_plan_edit_it_and_build_it(page):
    sign_up(page, level="experienced")
    review_task_manager(page)
    assert page.locator("[data-testid=plan] [data-testid=plan-build]").is_visible()

    # Rename an entity: it applies when the name box is left, and the diagram follows.
    name = page.locator("[data-testid=plan-entity][data-entity=Project] [data-testid=entity-name]")
    name.fill("Board")
    name.press("Tab")
    page.locator("[data-testid=plan-entity][data-entity=Board]").wait_for()
    page.locator("[data-testid=plan-diagram] g.er-entity[data-entity=Board]").wait_for()
    assert page.locator("[data-testid=plan-entity][data-entity=Project]").count() == 0
    assert "Each Task belongs to one Board" in page.inner_text("#plan-relations")
    assert page.inner_text("#plan-status") == "Renamed Project to Board."

    # Add a field to Task.
    task = page.locator("[data-testid=plan-entity][data-entity=Task]")
    task.get_by_label("Name of the new field").fill("estimate")
    task.get_by_label("Type of the new field").select_option("integer")
    task.get_by_role("button", name="Add field").click()
    page.locator("[data-entity=Task] [data-testid=plan-field][data-field=estimate]").wait_for()
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=plan-diagram] g[data-entity=Task] text')]"
        ".some((text) => text.textContent === 'estimate')"
    )

    # A name already taken: refused beside the card, the draft unchanged.
    name = page.locator("[data-testid=plan-entity][data-entity=Task] [data-testid=entity-name]")
    name.fill("Board")
    name.press("Enter")
    problems = page.locator("[data-entity=Task] [data-testid=plan-errors]")
    problems.wait_for()
    assert "Board" in problems.inner_text()
    assert page.locator("[data-testid=plan-diagram] g.er-entity[data-entity=Task]").count() == 1

    page.screenshot(path=str(SCREENSHOT.with_name("takoss-plan.png")), full_page=True)

    # Build: the new version's run, live, on the project's run page.
    page.click("[data-testid=plan-build]")
    page.wait_for_url(re.compile(r"/projects/\d+/runs/1/$"))
    ended = "#run[data-testid=run]:is([data-status=succeeded], [data-status=failed])"
    page.locator(ended).wait_for(timeout=RUN_TIMEOUT)
    assert page.get_attribute("#run", "data-status") == "succeeded", page.inner_text("#run")[:300]
    summary = page.inner_text("[data-testid=spec-summary]")
    assert "Board" in summary and "estimate" in summary


def test_the_plan_works_without_javascript(browser, asgi_server):
    context = browser.new_context(base_url=asgi_server.url, java_script_enabled=False)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        sign_up(page, level="experienced")
        review_task_manager(page)

        card = page.locator("[data-testid=plan-entity][data-entity=Project]")
        card.locator("[data-testid=entity-name]").fill("Board")
        card.get_by_role("button", name="Rename Project", exact=True).click()

        page.locator("[data-testid=plan-entity][data-entity=Board]").wait_for()
        assert "Renamed Project to Board." in page.inner_text(".messages")
        assert page.locator("[data-testid=plan-diagram] g.er-entity[data-entity=Board]").count()
    finally:
        context.close()


def test_the_plan_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_up(page, level="experienced")
    review_task_manager(page)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    page.screenshot(path=str(SCREENSHOT.with_name("takoss-plan-390.png")), full_page=True)
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    for selector in ("[data-testid=plan-build]", "[data-testid=add-field] button"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, selector
