"""End to end: plain-language requirements → real analyzer → Django stack → verified ZIP.

Every app goes through the whole pipeline with verification, so each test runs the generated
project's lint, ``manage.py check``, migration check and its own test suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django_specs import rules_spec

from generator.engine.events import EventType, ListSink
from generator.engine.pipeline import GenerationRequest, GenerationResult, generate
from generator.engine.spec import AppSpec

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MIN_TESTS_PER_ENTITY = 5

APPS = {
    # The three examples Takoss has always shipped, verbatim.
    "takoss-blog": (
        "Create a blog application with user authentication (register, login, logout), create, "
        "edit, delete blog posts, comments on posts, user profiles, search and filter posts",
        {"Post", "Comment", "Profile"},
    ),
    "takoss-task-manager": (
        "A task manager for small teams. Users create projects; each project has many tasks. A "
        "task has a title, due date, priority (low, medium, high), status (todo, doing, done) and "
        "an optional description. Team members can comment on tasks.",
        {"Project", "Task", "Comment"},
    ),
    "takoss-store": (
        "Build an online store. Products have a name, price, stock and belong to a category. "
        "Customers place orders with several order items. Each order has a status (pending, "
        "paid, shipped) and a shipping address.",
        {"Product", "Category", "Order", "OrderItem"},
    ),
    # More varied apps, worded the way people write.
    "blog": (
        "A blog where people sign up, log in and log out. Authors write posts with a title, a "
        "body, a publish date and a published flag. Readers leave comments on posts. Every user "
        "has a profile with a bio and a website. Visitors can search posts by title.",
        {"Post", "Comment", "Profile"},
    ),
    "task-manager": (
        "A task manager for small teams: projects have a name and a description; tasks belong "
        "to a project and have a title, a due date, a priority (low, medium, high) and a status "
        "(todo, in progress, done).",
        {"Project", "Task"},
    ),
    "online-store": (
        "An online store: products have a name, a price and a stock count and belong to a "
        "category; categories have a name. Customers place orders; each order has order items "
        "with a product, a quantity and a unit price.",
        {"Product", "Category", "Order", "OrderItem"},
    ),
    "library": (
        "A library catalogue: books have a title, an ISBN and a publication year and are "
        "written by authors; authors have a name and a biography. Members have a name and a "
        "card number, and borrow books through loans with a due date and a returned flag.",
        {"Book", "Author", "Member", "Loan"},
    ),
    "clinic": (
        "A clinic appointment system: patients have a name, an email and a date of birth; "
        "doctors have a name and a specialty. Appointments link a patient and a doctor with a "
        "start time, a duration in minutes and a status (scheduled, completed, cancelled).",
        {"Patient", "Doctor", "Appointment"},
    ),
    "event-ticketing": (
        "Event ticketing: events have a title, a venue, a start date and a capacity. Tickets "
        "belong to an event and have a price and a seat number. Attendees have a name and an "
        "email and buy tickets.",
        {"Event", "Ticket", "Attendee"},
    ),
}


def _generate(tmp_path: Path, key: str, **options: object) -> tuple[GenerationResult, ListSink]:
    text, _ = APPS[key]
    sink = ListSink()
    request = GenerationRequest(
        out_dir=tmp_path / key,
        name=key.replace("-", " ").title(),
        requirements=text,
        zip_path=tmp_path / f"{key}.zip",
        **options,
    )
    return generate(request, sink=sink), sink


def _failure_text(result: GenerationResult) -> str:
    if result.error is None:
        return ""
    tails = [
        c.get("output_tail", "")[-2500:] for c in result.error.details.get("failed_checks", [])
    ]
    return result.error.message + "\n" + "\n".join(tails)


@pytest.mark.parametrize("key", list(APPS))
def test_example_app_generates_and_verifies(tmp_path: Path, key: str) -> None:
    result, sink = _generate(tmp_path, key)

    assert result.success, _failure_text(result)
    assert result.spec is not None and result.verification is not None
    names = {e.name for e in result.spec.entities}
    assert APPS[key][1] <= names, names
    report = result.verification
    assert report.passed and [c.key for c in report.checks] == [
        "lint",
        "django_check",
        "deploy_check",
        "migrations",
        "tests",
    ]
    assert report.tests_run == report.tests_passed
    assert report.tests_run >= MIN_TESTS_PER_ENTITY * len(result.spec.entities)
    progress = [e for e in sink.of_type(EventType.PHASE_PROGRESS) if "path" in e.data]
    assert len(progress) == len(sink.of_type(EventType.FILE)) == len(result.files)
    with zipfile.ZipFile(tmp_path / f"{key}.zip") as archive:
        manifest = json.loads(archive.read(f"{result.spec.slug}/takoss.json"))
    assert manifest["stack"] == "django"
    assert len(manifest["files"]) == len(result.files) - 1  # all but the manifest itself


def test_the_same_spec_gives_the_same_zip(tmp_path: Path) -> None:
    first, _ = _generate(tmp_path / "a", "online-store", verify=False)
    assert first.spec is not None
    again = generate(
        GenerationRequest(out_dir=tmp_path / "b" / "store", spec=first.spec, verify=False)
    )

    assert first.success and again.success
    assert first.zip_sha256 == again.zip_sha256
    assert first.zip_bytes == again.zip_bytes


def test_cli_generate_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    text, _ = APPS["task-manager"]

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.engine.cli",
            "generate",
            "--name",
            "Team Tasks",
            "--requirements",
            text,
            "--out",
            str(tmp_path / "out"),
            "--zip",
            str(tmp_path / "tasks.zip"),
            "--json-events",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    result = events[-1]
    assert result["type"] == "result" and result["data"]["success"]
    assert result["data"]["verification"]["totals"]["tests_run"] > 0
    assert (tmp_path / "tasks.zip").exists() and (tmp_path / "out" / "manage.py").exists()


def _fifty_entity_spec() -> AppSpec:
    """Fifty entities in a tree of required links (depth 6), a third owned by users."""
    kinds = ["string", "text", "integer", "decimal", "boolean", "date", "email", "url"]
    entities = [
        {
            "name": f"Record {i}",
            "fields": [
                {"name": "title", "type": "string"},
                *({"name": f"{kind}_value", "type": kind, "required": False} for kind in kinds),
            ],
        }
        for i in range(50)
    ]
    relationships: list[dict[str, object]] = [
        {"source": f"Record {i}", "target": f"Record {(i - 1) // 2}"} for i in range(1, 50)
    ]
    relationships += [{"source": f"Record {i}", "target": "User"} for i in range(0, 50, 3)]
    relationships += [
        {"kind": "many_to_many", "source": f"Record {i}", "target": f"Record {i + 1}"}
        for i in range(0, 48, 7)
    ]
    return AppSpec.from_data(
        {"name": "Big App", "entities": entities, "relationships": relationships}
    )


def test_a_fifty_entity_spec_generates_and_verifies(tmp_path: Path) -> None:
    spec = _fifty_entity_spec()

    result = generate(GenerationRequest(out_dir=tmp_path / "big", spec=spec))

    assert result.success, _failure_text(result)
    assert len(result.spec.entities) == 50
    assert result.verification is not None
    assert result.verification.tests_run >= MIN_TESTS_PER_ENTITY * 50


def test_a_spec_with_roles_and_rules_generates_and_verifies(tmp_path: Path) -> None:
    spec = rules_spec()  # roles, notes, unique rules (with a flag, with the owner), comparisons

    result = generate(GenerationRequest(out_dir=tmp_path / "rules", spec=spec, name=spec.name))

    assert result.success, _failure_text(result)
    assert result.spec is not None and result.spec.notes == spec.notes
    report = result.verification
    assert report is not None and report.passed
    assert report.tests_run == report.tests_passed
    rule_tests = 2 * 11 + 2  # model/database and API/form per rule, valid values per entity
    role_tests = 2
    assert report.tests_run >= MIN_TESTS_PER_ENTITY * len(spec.entities) + rule_tests + role_tests
    written = {f.path for f in result.files}
    assert {"core/roles.py", "core/tests/test_roles.py", "core/tests/test_rules.py"} <= written
