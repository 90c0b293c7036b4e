"""The ER diagram in a real browser, on the plan page, at a desktop's and a phone's size: Graphviz's
layout keeps every relationship's label off every box, no two boxes overlap, each box holds its
own text, the picture fits the width, and the zoom buttons, ctrl + wheel, the keyboard and
dragging move it; a diagram swapped in by htmx (after an edit) zooms too. No console errors.

It reuses the browser, the page and the sign-up step of tests/browser/support.py and conftest.py.
"""

from __future__ import annotations

import pytest

from tests.browser.support import SCREENSHOT, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SIZES = [(1366, 900), (390, 844)]
FIGURE = "[data-testid=plan-diagram]"
SPEC = {
    "name": "Community garden",
    "entities": [
        {
            "name": "Garden",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "street_address_including_the_postcode", "type": "text"},
            ],
        },
        {
            "name": "Plot",
            "fields": [
                {"name": "number", "type": "integer"},
                {"name": "square_metres_of_cultivable_ground", "type": "decimal"},
            ],
        },
        {
            "name": "Member",
            "fields": [
                {"name": "full_name", "type": "string"},
                {"name": "emergency_contact_phone_after_hours", "type": "string"},
            ],
        },
        {"name": "Crop", "fields": [{"name": "label", "type": "string"}]},
        {"name": "Harvest", "fields": [{"name": "weighed_on", "type": "date"}]},
        {
            "name": "WaterRota",
            "fields": [{"name": "starts_on", "type": "date"}],
        },
        {"name": "Tool", "fields": [{"name": "label", "type": "string"}]},
    ],
    "relationships": [
        {"kind": "many_to_one", "source": "Plot", "target": "Garden", "name": "garden"},
        {"kind": "one_to_one", "source": "Plot", "target": "Member", "name": "tenant"},
        {"kind": "many_to_many", "source": "Plot", "target": "Crop", "name": "crops"},
        {"kind": "many_to_one", "source": "Harvest", "target": "Plot", "name": "plot"},
        {"kind": "many_to_one", "source": "Harvest", "target": "Crop", "name": "crop"},
        {
            "kind": "many_to_one",
            "source": "WaterRota",
            "target": "Member",
            "name": "member_on_duty_for_the_watering",
        },
        {"kind": "many_to_one", "source": "Tool", "target": "Garden", "name": "kept_in"},
        {"kind": "many_to_one", "source": "Member", "target": "User", "name": "account"},
        {
            "kind": "many_to_one",
            "source": "Member",
            "target": "Member",
            "name": "mentor",
            "required": False,
        },
    ],
}

# Pairs of screen rectangles that overlap by more than half a pixel: [[what, what], ...].
GEOMETRY = """(figure) => {
  const rect = (el) => el.getBoundingClientRect();
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5
    && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const svg = document.querySelector(figure + ' svg.er-diagram');
  const nodes = [...svg.querySelectorAll('g.node')];
  const labels = [...svg.querySelectorAll('g.edge text')];
  const name = (node) => node.dataset.entity;
  const found = {labelsOnBoxes: [], boxesOnBoxes: [], textOutOfBox: []};
  for (const label of labels) {
    for (const node of nodes) {
      if (overlap(rect(label), rect(node))) {
        found.labelsOnBoxes.push([label.textContent.trim(), name(node)]);
      }
    }
  }
  nodes.forEach((a, i) => nodes.slice(i + 1).forEach((b) => {
    if (overlap(rect(a), rect(b))) found.boxesOnBoxes.push([name(a), name(b)]);
  }));
  for (const node of nodes) {
    const box = rect(node.querySelector('polygon.er-box'));
    for (const text of node.querySelectorAll('text')) {
      if (!inside(rect(text), box)) found.textOutOfBox.push([name(node), text.textContent]);
    }
  }
  found.counts = [nodes.length, labels.length];
  return found;
}"""


def _seed_plan(email: str) -> int:
    """A project whose pending plan is SPEC: its plan page draws the diagram."""
    from accounts.models import User
    from generator.engine.spec import AppSpec
    from generator.engine.versions import Renames
    from generator.models import VERSION_SOURCE_PLAN, Project
    from generator.services import Draft

    draft = Draft(AppSpec.from_data(SPEC), Renames(), "", VERSION_SOURCE_PLAN, None)
    project = Project.objects.create(
        owner=User.objects.get(email=email),
        name="Community garden",
        requirements="Gardens have plots; members rent plots and log harvests.",
        draft=draft.to_data(),
    )
    return project.pk


def _scale(page) -> float:
    return float(page.locator(f"{FIGURE} [data-er-zoom]").get_attribute("data-er-scale") or 0)


def _box(page, entity: str) -> dict[str, float]:
    box = page.locator(f"{FIGURE} g.node[data-entity={entity}]").bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["desktop", "phone"])
def test_the_diagram_is_readable_fits_and_zooms(page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    email = sign_up(page, level="experienced")
    pk = _seed_plan(email)

    # Given the plan page of seven entities with long names, and the framework's User
    page.goto(f"/projects/{pk}/plan/")
    page.locator(f"{FIGURE} [data-er-zoom][data-er-ready]").wait_for()
    page.locator(f"{FIGURE} svg").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT.with_name(f"takoss-plan-{width}.png")), full_page=True)
    page.locator(FIGURE).screenshot(path=str(SCREENSHOT.with_name(f"takoss-diagram-{width}.png")))

    # Then no label lies on a box, no box on another, and every box holds its own text
    found = page.evaluate(GEOMETRY, FIGURE)
    assert found["counts"] == [8, 9], found  # 7 entities and User; 9 named relationships
    assert found["labelsOnBoxes"] == []
    assert found["boxesOnBoxes"] == []
    assert found["textOutOfBox"] == []
    # and the picture fits the width: nothing scrolls sideways
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the plan page is {overflow}px wider than the screen: " + str(
        page.evaluate(
            "[...document.querySelectorAll('body *')].filter((el) =>"
            " el.getBoundingClientRect().right > window.innerWidth + 0.5)"
            ".slice(0, 8).map((el) => el.tagName + '.' + el.className + ' '"
            " + Math.round(el.getBoundingClientRect().right))"
        )
    )
    svg = page.locator(f"{FIGURE} svg").bounding_box()
    assert svg is not None and svg["x"] >= 0 and svg["x"] + svg["width"] <= width
    # and a shortened name keeps the whole one as its tooltip
    title = page.locator(f"{FIGURE} g.node[data-entity=Member] text title")
    assert title.first.text_content() == "emergency_contact_phone_after_hours"

    # When zoomed in with the button, the boxes grow; Fit brings them back
    before = _box(page, "Plot")
    assert _scale(page) == 1
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    assert _scale(page) == pytest.approx(1.5625, abs=0.001)
    zoomed = _box(page, "Plot")
    assert zoomed["width"] == pytest.approx(before["width"] * 1.5625, rel=0.02)
    assert page.locator(f"{FIGURE} [data-er-zoom-level]").text_content() == "156%"

    # and dragging moves the picture
    viewport = page.locator(f"{FIGURE} [data-er-viewport]").bounding_box()
    assert viewport is not None
    middle = (viewport["x"] + viewport["width"] / 2, viewport["y"] + viewport["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] + 40, middle[1] + 20, steps=4)
    page.mouse.up()
    dragged = _box(page, "Plot")
    moved = (dragged["x"] - zoomed["x"], dragged["y"] - zoomed["y"])
    assert moved != (0, 0) and moved[0] >= 0 and moved[1] >= 0

    page.get_by_role("button", name="Zoom out").click()
    assert _scale(page) == pytest.approx(1.25, abs=0.001)
    page.get_by_role("button", name="Fit the whole diagram").click()
    assert _scale(page) == 1
    assert _box(page, "Plot")["width"] == pytest.approx(before["width"], rel=0.01)

    # and from the keyboard on the focused frame, and with ctrl + wheel
    page.locator(f"{FIGURE} [data-er-viewport]").focus()
    page.keyboard.press("+")
    assert _scale(page) == pytest.approx(1.25, abs=0.001)
    page.keyboard.press("0")
    assert _scale(page) == 1
    page.mouse.move(*middle)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_function(
        f"Number(document.querySelector('{FIGURE} [data-er-zoom]').dataset.erScale) > 1"
    )
    assert errors == []


def test_a_diagram_swapped_in_by_htmx_zooms_too(page):
    email = sign_up(page, level="experienced")
    pk = _seed_plan(email)
    page.goto(f"/projects/{pk}/plan/")
    page.locator(f"{FIGURE} [data-er-zoom][data-er-ready]").wait_for()

    # When an edit redraws the plan (an htmx swap)
    name = page.locator("[data-testid=plan-entity][data-entity=Tool] [data-testid=entity-name]")
    name.fill("Shed")
    name.press("Tab")
    page.locator(f"{FIGURE} g.node[data-entity=Shed]").wait_for()

    # Then the new diagram's buttons are there and work
    page.locator(f"{FIGURE} [data-er-zoom][data-er-ready]").wait_for()
    page.get_by_role("button", name="Zoom in").click()
    assert _scale(page) == pytest.approx(1.25, abs=0.001)
    assert page.evaluate(GEOMETRY, FIGURE)["labelsOnBoxes"] == []
