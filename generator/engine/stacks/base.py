"""What a stack is: a renderer of AppSpecs into files, plus the checks that verify them.

A stack renders one pipeline phase at a time (database, backend, frontend, deployment) so the
pipeline can report each file as it is written. It also names the commands that verify its
output. It never reports progress itself and never touches the disk outside what it returns.

A stack that can build a new version on an earlier one (:class:`EvolvingStack`) also turns the
database phase's files into ones that carry the earlier build's data forward (its migrations
plus new ones), and checks that they do when given the base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from generator.engine.events import CancelToken
from generator.engine.spec import AppSpec
from generator.engine.versions import BaseVersion

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
    # Files of the check itself (path -> text), written outside the project; argv says {files}.
    files: Mapping[str, str] = field(default_factory=dict)


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


@dataclass(frozen=True, slots=True)
class Evolution:
    files: list[GeneratedFile]  # the database phase's files, growing from the base's
    notes: list[str]  # what was decided, for the person ("no model changed: no new migration")


@runtime_checkable
class EvolvingStack(Stack, Protocol):
    def evolve(
        self,
        files: list[GeneratedFile],
        spec: AppSpec,
        ctx: RenderContext,
        *,
        base: BaseVersion,
        version: int,
        cancel: CancelToken,
    ) -> Evolution:
        """The database phase's ``files`` for ``spec`` made to grow from ``base``."""
        ...

    def carried(self, files: Mapping[str, str]) -> dict[str, str]:
        """The files of a build (path -> text) that a build on it carries over unchanged: its
        history, which cannot be rendered again from the spec alone."""
        ...

    def checks(self, spec: AppSpec, base: BaseVersion | None = None) -> list[Check]: ...
