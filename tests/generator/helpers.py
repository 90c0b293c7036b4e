"""Helpers for generator tests: an example prompt and polling for state other threads write."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from generator.engine.events import Event, EventType
from generator.models import Generation, Project
from generator.services import generation_record_event

TASK_MANAGER = (
    "A task manager for small teams: projects have tasks with a title, a due date and a "
    "priority. Users can search and filter tasks."
)
LIBRARY = "A library where members borrow books and librarians record loans."
BLOG = "A blog where authors write posts and readers leave comments."
# Text with no domain content: requirements_problem refuses it (once its check is in).
GIBBERISH = "asdf qwer zxcv hello"


def wait_for(check: Callable[[], bool], *, timeout: float = 30, interval: float = 0.02) -> float:
    """Poll until ``check()`` holds; return the time it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started


def reload(generation: Generation) -> Generation:
    generation.refresh_from_db()
    return generation


# --- runs in a given state, without running the pipeline --------------------------------------

SPEC = {
    "name": "Task Manager",
    "slug": "task-manager",
    "description": "Tasks for small teams",
    "entities": [
        {
            "name": "Project",
            "fields": [{"name": "name", "type": "string", "required": True}],
        },
        {
            "name": "Task",
            "fields": [
                {"name": "title", "type": "string", "required": True},
                {"name": "due_date", "type": "date", "required": False},
            ],
        },
    ],
    "relationships": [
        {"kind": "many_to_one", "source": "Task", "target": "Project", "name": "project"}
    ],
    "features": [{"name": "Search tasks", "category": "search", "description": ""}],
}
FILES = {
    "core/models.py": "class Task(models.Model):\n    title = models.CharField(max_length=200)\n",
    "README.md": "# Task Manager\n",
    "templates/core/task_list.html": "{% extends 'base.html' %}\n",
}


def zip_bytes(files: dict[str, str | bytes], root: str = "task-manager") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            archive.writestr(f"{root}/{path}", content)
    return buffer.getvalue()


def record(generation: Generation, *events: tuple[str, str, str, int, dict]) -> None:
    """Append events (type, phase, message, progress, data) to the run's history."""
    first = generation.last_event_seq + 1
    for seq, (kind, phase, message, progress, data) in enumerate(events, start=first):
        generation_record_event(
            generation_id=generation.pk,
            event=Event(
                seq=seq,
                type=EventType(kind),
                phase=phase,
                message=message,
                progress=progress,
                data=data,
            ),
        )
    generation.refresh_from_db()


def make_live_run(project: Project, *, number: int = 1) -> Generation:
    """A running run, busy writing its database files."""
    generation = Generation.objects.create(
        project=project, number=number, status="running", started_at=timezone.now()
    )
    record(
        generation,
        ("phase_start", "initialization", "Preparing the generation…", 0, {}),
        ("phase_complete", "initialization", "Ready", 5, {}),
        ("phase_start", "database", "Generating models and migrations…", 25, {}),
        ("file", "database", "core/models.py", 25, {"path": "core/models.py", "size": 80}),
        ("phase_progress", "database", "Wrote core/models.py", 30, {"path": "core/models.py"}),
    )
    return generation


def make_finished_run(
    project: Project, *, number: int = 1, files: dict[str, str | bytes] | None = None
) -> Generation:
    """A succeeded run with a spec, a verification report and a stored ZIP."""
    now = timezone.now()
    generation = Generation.objects.create(
        project=project,
        number=number,
        status="succeeded",
        progress=100,
        spec=SPEC,
        complexity={
            "scores": {
                "entities": 2,
                "relationships": 1,
                "business_logic": 1,
                "integration": 0,
                "ui": 1,
            },
            "total": 12.5,
            "level": "low",
            "recommendation": "generate",
            "reasoning": ["Two entities"],
        },
        verification={
            "passed": True,
            "duration": 3.2,
            "totals": {"checks": 2, "checks_passed": 2, "tests_run": 11, "tests_passed": 11},
            "checks": [
                {
                    "key": "lint",
                    "label": "ruff check",
                    "passed": True,
                    "duration": 0.2,
                    "reason": "",
                    "tests": None,
                    "output_tail": "",
                },
                {
                    "key": "tests",
                    "label": "manage.py test",
                    "passed": True,
                    "duration": 3.0,
                    "reason": "",
                    "tests": {"run": 11, "passed": 11, "failed": 0, "errors": 0, "skipped": 0},
                    "output_tail": "",
                },
            ],
        },
        started_at=now,
        finished_at=now,
    )
    generation.zip.save("project.zip", ContentFile(zip_bytes(files or FILES)), save=True)
    record(
        generation,
        ("phase_start", "initialization", "Preparing the generation…", 0, {}),
        ("phase_complete", "initialization", "Ready", 5, {}),
        ("complete", "complete", "Generation complete", 100, {}),
        ("result", "complete", "Generation succeeded", 100, {"status": "succeeded"}),
    )
    return generation
