"""Background jobs, declared through Django's tasks API (``django.tasks``).

A task is a thin entry point: the work and every write live in services.py, so the same run can
be driven by any backend (the in-process one in task_backend.py, or a queue-backed one later).
"""

from __future__ import annotations

from django.tasks import task

from generator import services


@task
def run_generation(generation_id: int) -> None:
    services.generation_run(generation_id=generation_id)
