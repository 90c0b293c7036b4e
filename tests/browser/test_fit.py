"""The login page and the dashboard at a desktop's and a phone's size: nothing wider than the
screen, no console errors (a missing favicon counts), and the requirements' live character count.

It reuses the browser, the page and the sign-up step of tests/browser/support.py and conftest.py.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.browser.support import SCREENSHOT, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SIZES = [(1366, 900), (390, 844)]


def _record_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _assert_fits(page, name: str, width: int) -> None:
    page.screenshot(path=str(SCREENSHOT.with_name(f"takoss-{name}-{width}.png")), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the {width}px screen"


def _projects_for(email: str) -> None:
    """Two projects of the same long name; one has a verified run (entities and a ZIP link)."""
    from accounts.models import User
    from generator.models import Generation, Project

    owner = User.objects.get(email=email)
    name = "Community allotment society membership and plot allocation register"
    first = Project.objects.create(owner=owner, name=name, requirements="Plots and members.")
    Project.objects.create(owner=owner, name=name, requirements="Plots and members.")
    spec = {"name": name, "entities": [{"name": "Plot"}, {"name": "Member"}]}
    Generation.objects.create(project=first, number=1, status="succeeded", progress=100, spec=spec)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["desktop", "phone"])
def test_the_login_page_and_the_dashboard_fit_with_no_console_errors(page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    errors = _record_errors(page)

    page.goto("/accounts/login/")
    _assert_fits(page, "login", width)
    label = page.locator("label[for=id_remember]").bounding_box()
    box = page.locator("#id_remember").bounding_box()
    assert label and box and abs(label["y"] - box["y"]) < 12, "Remember me sits beside its box"

    email = sign_up(page, level="experienced")
    _projects_for(email)
    page.goto("/projects/")
    page.locator("[data-testid=download-link]").wait_for()
    _assert_fits(page, "dashboard", width)
    rows = page.evaluate(
        "new Set([...document.querySelectorAll('.brand, .site-nav > *')]"
        ".map((item) => Math.round(item.getBoundingClientRect().top))).size"
    )
    assert rows <= 2, f"the header takes {rows} lines"
    page.click("[data-testid=user-menu] summary")
    settings_link = page.locator("[data-testid=user-menu] a", has_text="Settings")
    assert settings_link.is_visible()
    _assert_fits(page, "dashboard-menu", width)
    page.keyboard.press("Escape")
    assert not settings_link.is_visible()
    assert page.locator("[data-testid=project-row]").count() == 2
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=project-row] td')]"
        ".map((cell) => cell.getBoundingClientRect().right))"
    )
    assert right <= width, f"a dashboard cell ends at {right}px, past the {width}px screen"

    assert errors == []


def test_the_requirements_count_their_characters_live(page):
    limit = settings.TAKOSS_MAX_REQUIREMENTS_CHARS
    sign_up(page, level="experienced")
    page.goto("/projects/new/?form=quick")
    counter = page.locator("#id_requirements-count")

    page.fill("textarea[name=requirements]", "A shop with products.")
    assert counter.inner_text().startswith(f"21 / {limit:,} characters")

    page.fill("textarea[name=requirements]", "x" * (limit + 5))
    assert counter.inner_text().startswith(f"5 characters over the limit of {limit:,}")
    assert "char-count--over" in (counter.get_attribute("class") or "")
    described = page.get_attribute("textarea[name=requirements]", "aria-describedby") or ""
    assert "id_requirements-count" in described.split()
