"""Fixtures for engine tests; the fakes themselves live in engine_fakes.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_fakes import FakeStack

from generator.engine.spec import AppSpec, Entity, FieldSpec, FieldType
from generator.engine.stacks import _FACTORIES, register_stack


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """The engine has no Django: override the project-wide fixture that needs settings."""


@pytest.fixture
def fake_stack() -> FakeStack:
    return FakeStack()


@pytest.fixture
def fake_registry() -> Iterator[None]:
    """Register the fake stack under "fake" for CLI tests; unregister afterwards."""
    register_stack("fake", FakeStack)
    yield
    _FACTORIES.pop("fake", None)


@pytest.fixture
def small_spec() -> AppSpec:
    return AppSpec(
        name="Book Club",
        entities=[
            Entity(
                name="Book",
                fields=[FieldSpec(name="title"), FieldSpec(name="pages", type=FieldType.INTEGER)],
            ),
            Entity(name="Member", fields=[FieldSpec(name="email", type=FieldType.EMAIL)]),
        ],
    )
