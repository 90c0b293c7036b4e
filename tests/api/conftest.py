"""Fixtures for the REST API: clients with each kind of credentials, runs, a real ASGI server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.tasks import default_task_backend
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from generator.models import Project
from generator.services import project_create
from tests.asgi_server import AsgiServer
from tests.generator.helpers import TASK_MANAGER, make_finished_run


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # rate-limit counters live in the cache; each test starts with none
    yield
    cache.clear()


def bearer(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def as_owner(owner) -> APIClient:
    client = APIClient()
    client.credentials(**bearer(owner))
    return client


@pytest.fixture
def as_stranger(stranger) -> APIClient:
    client = APIClient()
    client.credentials(**bearer(stranger))
    return client


@pytest.fixture
def project(owner) -> Project:
    return project_create(
        owner=owner, name="Task Manager", description="", requirements=TASK_MANAGER, stack="django"
    )


@pytest.fixture
def finished_run(project):
    return make_finished_run(project)


@pytest.fixture
def backend() -> Iterator[Any]:
    """The real in-process task backend; waits for every task to end after the test."""
    yield default_task_backend
    assert default_task_backend.wait_idle(timeout=60), "tasks still running after the test"


# --- a real ASGI server ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def api_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """daphne serving takoss.asgi on a free port, on the tests' own (file) SQLite database."""
    folder = tmp_path_factory.mktemp("api-server")
    server = AsgiServer(
        database=settings.DATABASES["default"]["NAME"],
        media_root=folder / "media",
        log_path=folder / "daphne.log",
        probe_path="/api/health",
        env={
            "TAKOSS_SSE_KEEPALIVE_SECONDS": "1",
            "TAKOSS_MAX_CONCURRENT_RUNS_PER_USER": "4",
            "TAKOSS_API_GENERATE_RATE": "1000/minute",
        },
    )
    with server:
        yield server.address
