"""The live preview in a real browser: start it on the project page, use the app in the frame as
the demo user, create a record and see it listed, then search it with the app's htmx.

The project and its succeeded run are written straight to the database the server shares (the
run's ZIP into the server's media folder), so no generation runs here; the preview itself is
started by the server, in its sandbox, from the page's button.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from tests.asgi_server import AsgiServer
from tests.browser.support import sign_up
from tests.generator.preview_app import Built, build_reading_list, built_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def reading_list(tmp_path_factory) -> Built:
    return build_reading_list(tmp_path_factory.mktemp("reading-list"))


NOTE = "Read the second half again"


def test_preview_the_app_sign_in_as_the_demo_user_and_create_a_record(
    page,
    asgi_server: AsgiServer,
    settings,
    reading_list,
):
    email = sign_up(page, level="experienced")
    settings.MEDIA_ROOT = asgi_server.env["TAKOSS_MEDIA_ROOT"]  # the run's ZIP, where it reads
    project = built_project(User.objects.get(email=email), reading_list)

    # Start: the panel shows the app in a frame, signed in as the first role's demo user.
    page.goto(f"/projects/{project.pk}/")
    page.click("[data-testid=preview-start]")
    page.locator("[data-testid=preview-panel][data-status=running]").wait_for()
    assert "version 1" in page.inner_text("[data-testid=preview-version]")
    app = page.frame_locator("[data-testid=preview-frame]")
    app.get_by_text("demo-reader").wait_for()

    # Create a note through the app's own form, in the frame, and find it in the list.
    app.get_by_role("link", name="Notes").first.click()
    app.get_by_role("link", name="New note").click()
    app.locator("input[name=text]").fill(NOTE)
    app.locator("select[name=book]").select_option(index=1)
    app.locator("form:has(input[name=text]) [type=submit]").click()
    frame = page.frame(url=lambda url: "/preview/" in url)
    assert frame is not None
    frame.wait_for_url(re.compile(r"/preview/notes/\d+/$"))  # saved: the note's own page
    app.get_by_role("link", name="Notes").first.click()
    app.get_by_role("link", name=NOTE).wait_for()
    frame.wait_for_function("() => window.htmx && document.readyState === 'complete'")

    # The app's htmx search swaps its results in place, under the preview's prefix.
    with page.expect_response(lambda r: "/preview/notes/?q=second" in r.url) as searched:
        app.locator("input[type=search]").fill("second half")
    assert searched.value.request.headers.get("hx-request") == "true"
    app.locator("#results").get_by_role("link", name=NOTE).wait_for()
    assert app.locator("#results tbody tr").count() == 1

    # Open in a new tab: the same app at the preview's own URL, same session.
    with page.context.expect_page() as opened:
        page.click("[data-testid=preview-open]")
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.endswith(f"/projects/{project.pk}/preview/")
    assert "demo-reader" in tab.content()

    # Stop: the frame's URL now says the preview is not running.
    page.click("[data-testid=preview-stop]")
    page.locator("[data-testid=preview-panel][data-status=stopped]").wait_for()
    assert "not running" in page.request.get(f"/projects/{project.pk}/preview/").text()
