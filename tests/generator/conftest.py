"""Fixtures for the generator app: projects, stored files in a temporary folder, the backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.tasks import default_task_backend

from generator import publishing
from generator.models import Project
from generator.services import project_create
from tests.generator.helpers import TASK_MANAGER


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project(owner) -> Project:
    return project_create(
        owner=owner, name="Task Manager", description="", requirements=TASK_MANAGER, stack="django"
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(email="staff@example.com", password="pw-s-3")


@pytest.fixture
def backend() -> Iterator[Any]:
    """The real in-process backend; waits for every task to end after the test."""
    yield default_task_backend
    assert default_task_backend.wait_idle(timeout=30), "tasks still running after the test"


@pytest.fixture
def channel_sends(monkeypatch) -> list[tuple[int, dict[str, Any]]]:
    """Record what goes to the eventstream channels (the database side stays real)."""
    sent: list[tuple[int, dict[str, Any]]] = []
    monkeypatch.setattr(publishing, "channel_send", lambda gid, event: sent.append((gid, event)))
    return sent
