"""The new-project page's live panel in a real browser: typing is read as it goes.

A person types requirements into the quick form; the panel beside the text shows the entities,
the relationships in words and the ER diagram, then follows when the text is edited, replaced
and emptied. The panel sits beside the text on a wide screen and under it on a phone.

The browser, the server and signing up come from tests/browser/support.py and conftest.py
(Debian's Chromium driven by Playwright, the app under daphne); Playwright never downloads a
browser.
"""

from __future__ import annotations

import pytest

from tests.browser.support import sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SALON = (
    "A dog grooming salon. Clients have a name, a phone and an email. Each dog belongs to one "
    "client and has a name, a breed and a birth date."
)
VACCINATIONS = " Each dog has vaccinations with a name and a date."
LIBRARY = "A library where members borrow books. A book has a title, an author and an ISBN."
PANEL = "#understanding[aria-live=polite]"


def panel_state(page, state: str) -> None:
    page.locator(f"{PANEL} [data-testid=understanding-state][data-state={state}]").wait_for()


def entities(page) -> list[str]:
    return page.eval_on_selector_all(
        f"{PANEL} .entity-card[data-entity]", "cards => cards.map((c) => c.dataset.entity)"
    )


def diagram(page) -> str:
    return page.locator(f"{PANEL} [data-testid=er-diagram] svg").inner_html()


def open_quick_form(page) -> None:
    sign_up(page, level="experienced")
    page.goto("/projects/new/")
    page.locator("#new-project[data-kind=quick]").wait_for()
    panel_state(page, "empty")
    assert page.locator(f"{PANEL} h2").inner_text().startswith("What Takoss understands")


def test_the_panel_follows_the_typing(page):
    open_quick_form(page)
    text = page.locator("textarea[name=requirements]")

    # Typed, key by key: the panel reads the salon, with its diagram.
    text.press_sequentially(SALON, delay=15)
    page.locator(f"{PANEL} .entity-card[data-entity=Dog]").wait_for()
    panel_state(page, "understood")
    assert {"Client", "Dog"} <= set(entities(page))
    relationships = page.locator(f"{PANEL} [data-testid=spec-relationship]").all_inner_texts()
    assert any("Each Dog belongs to one Client" in r for r in relationships), relationships
    assert "many to one" in " ".join(relationships)
    assert "Client" in diagram(page) and "Dog" in diagram(page)

    # A sentence more: a new entity appears, in the cards and in the diagram.
    text.press("End")
    text.press_sequentially(VACCINATIONS, delay=15)
    page.locator(f"{PANEL} .entity-card[data-entity=Vaccination]").wait_for()
    assert "Vaccination" in diagram(page)

    # Another app altogether: the salon goes, the library comes.
    text.fill(LIBRARY)
    page.locator(f"{PANEL} .entity-card[data-entity=Book]").wait_for()
    assert "Dog" not in entities(page) and "Dog" not in diagram(page)

    # Text with nothing to store: the reason and what to write, in the panel.
    text.fill("hello there")
    panel_state(page, "problem")
    assert "Describe the things your app keeps" in page.locator(PANEL).inner_text()

    # Emptied: the hint again.
    text.fill("")
    panel_state(page, "empty")
    assert page.locator(f"{PANEL}[aria-busy]").count() == 0


@pytest.mark.parametrize(("width", "beside"), [(1280, True), (390, False)])
def test_the_panel_is_beside_the_text_when_wide_and_under_it_on_a_phone(page, width, beside):
    page.set_viewport_size({"width": width, "height": 900})
    open_quick_form(page)
    page.locator("textarea[name=requirements]").fill(SALON)
    page.locator(f"{PANEL} [data-testid=er-diagram] svg").wait_for()

    text = page.locator("textarea[name=requirements]").bounding_box()
    panel = page.locator(PANEL).bounding_box()
    if beside:
        assert panel["x"] >= text["x"] + text["width"], (text, panel)
        assert panel["y"] < text["y"] + text["height"], (text, panel)
    else:
        assert panel["y"] >= text["y"] + text["height"], (text, panel)
        assert abs(panel["x"] - text["x"]) < 40, (text, panel)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
