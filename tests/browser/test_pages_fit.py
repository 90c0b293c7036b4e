"""Every page at a desktop's and a phone's size (issue 12): nothing wider than the screen, no
two boxes of the spec summary or the ER diagram on top of each other, no console errors, and a
screenshot of each page (each workspace tab too) in the artifact folder (support.ARTIFACTS).

The project shown is a real analyzer reading with long names added, built as two versions, with
a finished run of the second whose ZIP holds 40 files, so lists, tables and the diagram are full.
"""

from __future__ import annotations

import pytest

from generator.examples import EXAMPLES
from tests.browser.support import ARTIFACTS, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SIZES = [(1366, 900), (390, 844)]
REQUIREMENTS = (
    "A volunteer scheduling app for a food bank. Volunteers sign up for shifts at different "
    "locations. Each shift has a date, start time, end time and the number of volunteers "
    "needed. Coordinators manage locations and can send announcements to volunteers. "
    "Locations have a name, an address and opening hours. Donations are recorded with a donor "
    "name, an amount and a date; each donation goes to a location."
)
LONG_FIELD = "maximum_number_of_volunteers_needed_for_this_shift_at_peak_time"
LONG_ENTITY = "CoordinatorAnnouncementForAllVolunteersInTheCounty"

# Boxes that overlap by more than a pixel, among the elements a selector matches (visible ones).
OVERLAPS = """
(selector) => {
  const boxes = [...document.querySelectorAll(selector)]
    .filter((e) => e.getClientRects().length)
    .map((e) => {
      const r = e.getBoundingClientRect();
      const name = e.dataset.entity || e.id || (e.textContent || "").trim().slice(0, 30);
      return {name, l: r.left, t: r.top, r: r.right, b: r.bottom};
    });
  const hits = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const apart = a.r - 1 <= b.l || b.r - 1 <= a.l || a.b - 1 <= b.t || b.b - 1 <= a.t;
      if (!apart) hits.push([a.name, b.name]);
    }
  }
  return hits;
}
"""
# The innermost elements that end past the screen's right edge (to say what overflows).
WIDE = """
() => {
  const wide = (e) => e.getBoundingClientRect().right > window.innerWidth + 1;
  return [...document.body.querySelectorAll('*')]
  .filter(wide)
  .filter((e) => ![...e.children].some(wide) || !wide(e.parentElement))
  .slice(0, 5)
  .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}#${e.id}`
    + ` "${(e.textContent || '').trim().slice(0, 40)}"`);
}
"""
# Cards whose content spills past their edge without a scrollbar of their own to reach it.
SPILLS = """
() => [...document.querySelectorAll('.entity-card')].filter((card) => {
  const right = card.getBoundingClientRect().right;
  const out = (e) => e.getBoundingClientRect().right > right + 1;
  const spill = [...card.querySelectorAll('*')].some(out);
  return spill && getComputedStyle(card).overflowX === 'visible';
}).map((card) => card.dataset.entity)
"""


def _record_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


def _check(page, name: str, width: int, *, idle: bool = True) -> None:
    if idle:  # a live run's page keeps its event stream open: never idle
        page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / f"page-{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (
        f"{name} is {overflow}px wider than the {width}px screen: {page.evaluate(WIDE)}"
    )
    assert page.evaluate(OVERLAPS, ".entity-card") == [], f"{name}: entity cards overlap"
    assert page.evaluate(SPILLS) == [], f"{name}: an entity card's table spills out of it"
    nodes = "[data-testid=er-diagram] svg g.node"
    assert page.evaluate(OVERLAPS, nodes) == [], f"{name}: diagram boxes overlap"


def _project_for(email: str) -> int:
    """The volunteers app, read by the analyzer, as versions 1 and 2; run 1 built version 2."""
    from accounts.models import User
    from generator.engine.analysis import analyze
    from generator.models import Project
    from generator.services import version_create
    from tests.generator.helpers import make_finished_run

    owner = User.objects.get(email=email)
    project = Project.objects.create(
        owner=owner,
        name="Food bank volunteer scheduling and donations register for the whole county",
        requirements=REQUIREMENTS,
    )
    spec = analyze(REQUIREMENTS, name="Food bank volunteers").to_dict()
    version_create(project=project, user=owner, spec=spec, source="requirements")
    shift = next(entity for entity in spec["entities"] if entity["name"] == "Shift")
    shift["fields"].append({"name": LONG_FIELD, "type": "integer", "required": True})
    spec["entities"].append(
        {"name": LONG_ENTITY, "fields": [{"name": "title", "type": "string", "required": True}]}
    )
    spec["relationships"].append(
        {"kind": "many_to_one", "source": LONG_ENTITY, "target": "Shift", "name": "shift"}
    )
    second = version_create(project=project, user=owner, spec=spec, source="plan")
    files = {f"core/templates/core/page_{n:02}_with_a_rather_long_file_name.html": "<p>x</p>\n"
             for n in range(36)}  # fmt: skip
    files |= {
        "core/models.py": "class Shift:\n    pass\n" * 40,
        "README.md": "# Food bank\n",
        "docs/er.md": "# Entities\n",
        "manage.py": "print('hello')\n",
    }
    run = make_finished_run(project, files=files)
    run.spec = spec
    run.version = second
    run.save(update_fields=["spec", "version"])
    return project.pk


def _api_key_for(email: str) -> None:
    from accounts.models import User
    from accounts.services import api_key_create

    api_key_create(user=User.objects.get(email=email), name="A key for the deploy pipeline")


def _live_project_for(email: str) -> int:
    """A project whose run is still live, with 40 files written so far."""
    from accounts.models import User
    from generator.models import Project
    from tests.generator.helpers import make_live_run, record

    owner = User.objects.get(email=email)
    project = Project.objects.create(owner=owner, name="Live", requirements=REQUIREMENTS)
    run = make_live_run(project)
    paths = [
        f"core/templates/core/a_rather_long_template_name_number_{n:02}.html" for n in range(40)
    ]
    record(run, *[("file", "frontend", path, 60, {"path": path, "size": 900}) for path in paths])
    return project.pk


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["desktop", "phone"])
def test_every_page_fits_without_overlaps_or_console_errors(
    page, width, height, asgi_server, settings
):
    settings.MEDIA_ROOT = asgi_server.env["TAKOSS_MEDIA_ROOT"]  # the run's ZIP, where it reads
    page.set_viewport_size({"width": width, "height": height})
    errors = _record_errors(page)

    for name, url in [("home", "/"), ("login", "/accounts/login/"),
                      ("signup", "/accounts/signup/"),
                      ("password-reset", "/accounts/password/reset/")]:  # fmt: skip
        page.goto(url)
        _check(page, name, width)
        if name == "home":  # the product's pictures load; the commands and examples show
            sizes = page.eval_on_selector_all("main img", "imgs => imgs.map(i => i.naturalWidth)")
            assert len(sizes) == 2 and all(size > 0 for size in sizes), sizes
            assert "make run" in page.inner_text("main") and "make test" in page.inner_text("main")
            assert page.locator("[data-testid=home-example]").count() == len(EXAMPLES)

    email = sign_up(page, level="experienced")
    pk = _project_for(email)
    _api_key_for(email)
    pages = [
        ("dashboard", "/projects/"),
        ("new-quick", "/projects/new/?form=quick"),
        ("new-wizard", "/projects/new/"),
        ("run-file", f"/projects/{pk}/runs/1/files/core/models.py"),
        ("plan", f"/projects/{pk}/plan/"),
        ("versions", f"/projects/{pk}/versions/"),
        ("compare", f"/projects/{pk}/compare/?from=1&to=2"),
        ("delete", f"/projects/{pk}/delete/"),
        ("settings", "/account/settings/"),
        ("api-keys", "/account/api-keys/"),
        ("onboarding", "/account/onboarding/"),
    ]
    for name, url in pages:
        page.goto(url)
        _check(page, name, width)

    # A live run that has written 40 files: the list scrolls down, never sideways.
    live = _live_project_for(email)
    page.goto(f"/projects/{live}/")
    page.locator("[data-testid=tracker][data-live=true]").wait_for()
    _check(page, "project-live", width, idle=False)
    sideways = page.evaluate(
        "(l => l.scrollWidth - l.clientWidth)(document.getElementById('file-list'))"
    )
    assert sideways <= 0, f"the file list scrolls {sideways}px sideways"

    page.goto(f"/projects/{pk}/")
    page.locator("[data-testid=spec-summary]").wait_for()
    _check(page, "project", width)
    for tab in ("preview", "code", "diagram", "checks", "diff"):
        page.click(f"[data-testid=tab-{tab}]")
        panel = page.locator(f"#panel-{tab}")
        assert panel.is_visible(), tab
        if tab == "diff":
            page.locator("#panel-diff [data-testid=comparison]").wait_for()
        _check(page, f"project-{tab}", width)

    assert errors == []


def test_the_workspace_tabs_by_keyboard_the_file_search_and_one_file_downloaded(
    page, asgi_server, settings, tmp_path
):
    settings.MEDIA_ROOT = asgi_server.env["TAKOSS_MEDIA_ROOT"]
    page.set_viewport_size({"width": 1366, "height": 900})
    errors = _record_errors(page)
    pk = _project_for(sign_up(page, level="experienced"))

    page.goto(f"/projects/{pk}/")
    preview = page.locator("[data-testid=tab-preview]")
    assert preview.get_attribute("aria-selected") == "true"
    assert page.locator("#panel-code").is_hidden()
    preview.focus()
    page.keyboard.press("ArrowRight")
    code = page.locator("[data-testid=tab-code]")
    assert code.get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.dataset.tab") == "code"
    assert page.locator("#panel-code").is_visible() and page.locator("#panel-preview").is_hidden()
    page.keyboard.press("End")
    assert page.get_attribute("[data-testid=tab-diff]", "aria-selected") == "true"
    page.keyboard.press("ArrowRight")  # wraps round to the first tab
    assert preview.get_attribute("aria-selected") == "true"
    assert page.url.endswith("#panel-preview")

    # The chosen tab survives a reload (it is in the address).
    page.click("[data-testid=tab-checks]")
    page.reload()
    assert page.get_attribute("[data-testid=tab-checks]", "aria-selected") == "true"
    assert page.locator("[data-testid=verification]").is_visible()

    # File search: the tree keeps the matching files and their folders.
    page.click("[data-testid=tab-code]")
    search = page.locator("[data-testid=file-search]")
    search.fill("models")
    shown = page.eval_on_selector_all(
        "[data-testid=file-tree] li[data-file]:not([hidden])",
        "rows => rows.map(r => r.dataset.file)",
    )
    assert shown == ["core/models.py"]
    assert page.locator("[data-testid=file-tree] li[data-folder]:not([hidden])").count() == 1
    assert "1 of 40 files match" in page.inner_text("[data-file-search-status]")
    search.fill("")
    assert page.locator("[data-testid=file-tree] li[data-file]:not([hidden])").count() == 40

    # Open it: the viewer has numbered lines that link to themselves, and a file download.
    page.click("[data-testid=file-tree] a[data-path='core/models.py']")
    viewer = page.locator("#code-viewer[data-path='core/models.py']")
    viewer.wait_for()
    assert page.get_attribute("[data-testid=tab-code]", "aria-selected") == "true"
    page.click("#code-viewer td.linenos a[href='#L-3']")
    assert page.url.endswith("#L-3")
    assert page.evaluate("document.querySelector(':target').id") == "L-3"
    marked = page.evaluate("getComputedStyle(document.getElementById('line-3')).backgroundColor")
    assert marked not in ("rgba(0, 0, 0, 0)", "transparent"), "the linked line is not marked"
    page.click("[data-testid=copy-button]")
    page.wait_for_function(
        "document.querySelector('#code-viewer [data-copy-status]').textContent.length > 0"
    )
    with page.expect_download() as download_info:
        page.click("[data-testid=file-download]")
    download = download_info.value
    assert download.suggested_filename == "models.py"
    saved = tmp_path / "models.py"
    download.save_as(saved)
    assert saved.read_text() == "class Shift:\n    pass\n" * 40

    # A file's own address opens the page on the Code tab, its tree scrolled to the file.
    page.goto(f"/projects/{pk}/runs/1/files/manage.py")
    assert page.get_attribute("[data-testid=tab-code]", "aria-selected") == "true"
    current = page.locator("[data-testid=file-tree] a[aria-current=page]")
    assert current.get_attribute("data-path") == "manage.py"
    tree = page.locator("[data-testid=file-tree] ul").bounding_box()
    box = current.bounding_box()
    assert tree and box and tree["y"] <= box["y"] <= tree["y"] + tree["height"], "not in view"
    page.goto(f"/projects/{pk}/runs/1/files/README.md")
    assert "# Food bank" in page.inner_text("#code-viewer")
    assert errors == []


def test_the_plan_is_edited_in_place_on_the_project_page(page, asgi_server, settings):
    settings.MEDIA_ROOT = asgi_server.env["TAKOSS_MEDIA_ROOT"]
    page.set_viewport_size({"width": 1366, "height": 900})
    errors = _record_errors(page)
    pk = _project_for(sign_up(page, level="experienced"))

    page.goto(f"/projects/{pk}/")
    page.click("[data-testid=plan-inline-edit]")
    plan = page.locator("[data-testid=spec-summary] #plan[data-testid=plan]")
    plan.wait_for()
    assert page.url.endswith(f"/projects/{pk}/"), "the editor opened in place"
    assert page.locator("[data-testid=plan-inline-edit]").count() == 0

    location = page.locator("[data-testid=plan-entity][data-entity=Location]")
    location.get_by_label("Name of the new field").fill("capacity")
    location.get_by_label("Type of the new field").select_option("integer")
    location.get_by_role("button", name="Add field").click()
    page.locator("[data-entity=Location] [data-testid=plan-field][data-field=capacity]").wait_for()
    assert "capacity" in page.inner_text("#plan-status")
    assert page.locator("[data-testid=plan]").get_attribute("data-pending") == "true"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(ARTIFACTS / "page-project-plan-inline-1366.png"), full_page=True)
    assert errors == []
