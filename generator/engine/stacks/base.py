"""What a stack is: a renderer of AppSpecs into files, plus the checks that verify them.

A stack renders one pipeline phase at a time (database, backend, frontend, deployment) so the
pipeline can report each file as it is written. It also names the commands that verify its
output. It never reports progress itself and never touches the disk outside what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from generator.engine.spec import AppSpec

RENDER_PHASES = ("database", "backend", "frontend", "deployment")


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    path: str  # POSIX, relative, no ".." parts
    content: str
    executable: bool = False


@dataclass(frozen=True, slots=True)
class Check:
    """One verification command, run in the generated project's root."""

    key: str  # "lint", "django_check", "migrations", "tests"
    label: str  # "ruff check"
    argv: Sequence[str]  # "{python}" and "{ruff}" are replaced by the runner
    timeout: float = 120.0
    counts_tests: bool = False  # parse test counts from the output
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderContext:
    generator_version: str
    python_version: str  # "3.13"
    pins: dict[str, str]  # distribution name -> version Takoss itself runs with


class Stack(Protocol):
    key: str  # "django"
    label: str  # "Django + DRF + HTMX"

    def render_phase(self, phase: str, spec: AppSpec, ctx: RenderContext) -> list[GeneratedFile]:
        """Files of one phase, already formatted, deterministic for the same inputs."""
        ...

    def checks(self, spec: AppSpec) -> list[Check]: ...
