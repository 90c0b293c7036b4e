"""What the browser tests share: Debian's Chromium, the tracker recorder and the common steps.

The fixtures that use them (``browser``, ``page``) are in tests/browser/conftest.py.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TAKOSS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
# Every page's screenshot at each size goes into this artifact folder (kept by CI runs that
# collect it); TAKOSS_ARTIFACTS moves it.
ARTIFACTS = (
    Path(os.environ.get("TAKOSS_ARTIFACTS") or Path(__file__).resolve().parents[2] / "artifacts")
    / "browser"
)
SCREENSHOT = ARTIFACTS / "takoss-finished.png"
# The home page's pictures of the product are taken by the browser tests themselves: always into
# the artifact folder, and into static/img/product/ (committed) under `make screenshots`.
PRODUCT_SHOTS = Path(__file__).resolve().parents[2] / "static" / "img" / "product"


def product_shot(page, name: str) -> None:
    """The visible part of the page as static/img/product/<name>.jpg (see PRODUCT_SHOTS)."""
    targets = [ARTIFACTS / "product" / f"{name}.jpg"]
    if os.environ.get("TAKOSS_PRODUCT_SHOTS"):
        targets.append(PRODUCT_SHOTS / f"{name}.jpg")
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), type="jpeg", quality=80)


RUN_TIMEOUT = 120_000  # ms: one whole generation, verification included
PASSWORD = "a-Long-pass-phrase-42"

# Snapshots of the tracker on every DOM change, in window.__seen (reset by each navigation).
RECORDER = """
(() => {
  window.__seen = [];
  const snap = () => {
    const run = document.querySelector('#run');
    const progress = document.querySelector('#run-progress');
    const phases = {};
    for (const row of document.querySelectorAll('[data-testid=phase]')) {
      phases[row.dataset.phase] = {state: row.dataset.state, seq: Number(row.dataset.seq)};
    }
    const files = [...document.querySelectorAll('#file-list li[data-path]')]
      .map((li) => li.dataset.path);
    window.__seen.push({
      status: run ? run.dataset.status : null,
      live: !!document.querySelector('[data-testid=tracker][data-live=true]'),
      progress: progress ? Number(progress.dataset.progress) : null,
      seq: progress ? Number(progress.dataset.seq) : null,
      phases,
      files,
    });
  };
  document.addEventListener('DOMContentLoaded', () => {
    snap();
    new MutationObserver(snap).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'],
    });
  });
})();
"""


def chromium_or_skip() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium.sh (make test does)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. Under CI the browser tests must run.", pytrace=False)
    pytest.skip(reason)


# --- steps ------------------------------------------------------------------------------------


def sign_up(page, *, level: str) -> str:
    email = f"user-{uuid.uuid4().hex[:10]}@example.com"
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form:has(input[name=password2]) [type=submit]").click()
    page.wait_for_url("**/account/onboarding/")
    page.check(f"input[name=experience_level][value={level}]")
    page.locator("form:has(input[name=experience_level]) [type=submit]").click()
    page.wait_for_url(lambda url: "/onboarding/" not in url)
    return email


def start_task_manager(page, *, wizard: bool) -> str:
    """From the dashboard's empty state, start the Task Manager example; return the run's URL."""
    page.goto("/projects/")
    page.locator("[data-testid=empty-state]").wait_for()
    page.click("[data-testid=example-task-manager]")
    if wizard:
        for step in (1, 2):
            page.locator(f"#new-project[data-kind=wizard][data-step='{step}']").wait_for()
            page.click("[data-testid=wizard-next]")
        page.locator("#new-project[data-kind=wizard][data-step='3']").wait_for()
        assert "task" in page.input_value("textarea[name=requirements]").lower()
        page.click("[data-testid=wizard-create]")
    else:
        page.locator("#new-project[data-kind=quick]").wait_for()
        assert "task" in page.input_value("textarea[name=requirements]").lower()
        page.click("[data-testid=create-button]")
    page.wait_for_url(re.compile(r"/projects/\d+/runs/\d+/$"))
    return page.url


def wait_for_status(page, status: str) -> None:
    page.locator(f"#run[data-testid=run][data-status={status}]").wait_for(timeout=RUN_TIMEOUT)
