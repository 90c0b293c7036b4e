"""Helpers for generator tests: an example prompt and polling for state other threads write."""

from __future__ import annotations

import time
from collections.abc import Callable

from generator.models import Generation

TASK_MANAGER = (
    "A task manager for small teams: projects have tasks with a title, a due date and a "
    "priority. Users can search and filter tasks."
)


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
