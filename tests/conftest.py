"""Fixtures shared by every test package: named users with different rights, a real ASGI server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.asgi_server import AsgiServer


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers take ~0.5 s per password on purpose; tests need no such protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(email="owner@example.com", password="pw-owner-1")


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(email="stranger@example.com", password="pw-x-2")


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[AsgiServer]:
    """The app under daphne in a subprocess, sharing the (file) test database; one per session.

    Tests that use it need ``django_db(transaction=True)``: the server must see their rows, and
    the rows it writes are flushed after each test.
    """
    from django.conf import settings

    with AsgiServer(
        database=settings.DATABASES["default"]["NAME"],
        media_root=tmp_path_factory.mktemp("server-media"),
        log_path=tmp_path_factory.mktemp("server-log") / "daphne.log",
    ) as server:
        yield server
