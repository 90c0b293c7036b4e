"""Browser-test plumbing: Debian's Chromium under Playwright, a page on the ASGI server, and each
test's report on its item, so a failure can leave a screenshot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.asgi_server import AsgiServer
from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    RECORDER,
    SCREENSHOT,
    chromium_or_skip,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module", autouse=True)
def _sync_playwright_beside_django() -> Iterator[None]:
    # Playwright's sync API keeps an event loop running in this thread, and Django then refuses
    # database calls (e.g. pytest-django's flush after each test) as "async-unsafe". The tests
    # touch the database only through the server, which keeps the guard (AsgiServer drops this).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium_or_skip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if os.environ.get("CI"):
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, asgi_server: AsgiServer, request) -> Iterator[Any]:
    context = browser.new_context(
        base_url=asgi_server.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(20_000)
    context.add_init_script(RECORDER)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        tab.screenshot(path=str(SCREENSHOT.with_name(f"takoss-failed-{request.node.name}.png")))
        print(f"daphne log:\n{asgi_server.log_tail()}")
    context.close()
