"""The Django + DRF + HTMX stack: renders an AppSpec into a Django project, and names its checks.

The project has fixed package names that no user word can collide with (``config/`` for the
project, one app ``core/``). Each phase renders its templates from files.PHASE_FILES over one
project view (project.py) and formats the Python files with a single ruff call. What the files
contain is the templates' business; running the checks is verification's. A version built on an
earlier one carries that build's migrations and adds Django's own for the change
(migrations.py), and checks that they keep its rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from generator.engine.events import CancelToken
from generator.engine.formatting import format_python
from generator.engine.spec import AppSpec
from generator.engine.stacks.base import (
    RENDER_PHASES,
    Check,
    Evolution,
    GeneratedFile,
    RenderContext,
)
from generator.engine.stacks.django import migrations
from generator.engine.stacks.django.files import PHASE_FILES
from generator.engine.stacks.django.project import ProjectView, build
from generator.engine.stacks.django.render import environment
from generator.engine.versions import BaseVersion

LINE_LENGTH = 100
TARGET_VERSION = "py312"
# Used when the render context does not pin a distribution.
DEFAULT_PINS = {
    "django": "6.1.3",
    "djangorestframework": "3.18.3",
    "django-filter": "26.2",
    "django-htmx": "1.29.0",
    "whitenoise": "6.12.0",
    "pillow": "13.0.0",
    "gunicorn": "23.0.0",
    "psycopg": "3.3.9",
    "ruff": "0.17.6",
}
FIRST_PARTY = ("accounts", "config", "core")  # the generated packages (its isort settings)
CHECK_ENV = {"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "takoss-verification-only"}
# Production settings for `check --deploy`: a key as long and varied as a real one (not one).
DEPLOY_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "takoss-deploy-check-only-9fQ2xL7vR4mK8pZ1sW6tY3nB5hJ0cD",
    "DJANGO_ALLOWED_HOSTS": "app.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://app.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
}


@dataclass(frozen=True, slots=True)
class Needs:
    """Optional imports of models.py and the migration, one flag per fields.NEED_* name."""

    uuid: bool
    decimal: bool
    min_validator: bool
    max_validator: bool
    builtins: bool
    upload_size: bool


def _needs(project: ProjectView) -> Needs:
    # Each keyword names what its sources import: decided by field types and the validators
    # set, never by searching the sources (a string default may say "uuid." or "Decimal(").
    wanted = {
        need
        for e in project.entities
        for f in e.fields
        for k in f.declaration.kwargs
        for need in k.needs
    }
    return Needs(**{flag.name: flag.name in wanted for flag in fields(Needs)})


def pins(ctx: RenderContext) -> dict[str, str]:
    lowered = {name.lower(): version for name, version in ctx.pins.items()}
    return {name: lowered.get(name, default) for name, default in DEFAULT_PINS.items()}


class DjangoStack:
    key = "django"
    label = "Django + DRF + HTMX"

    def render_phase(self, phase: str, spec: AppSpec, ctx: RenderContext) -> list[GeneratedFile]:
        return _formatted(self.render_unformatted(phase, spec, ctx))

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
        """The database phase's files with the base's migrations and one more for the change."""
        loadable = [*files, *self.render_unformatted("backend", spec, ctx)]  # settings, the app
        made, notes = migrations.make_migrations(
            loadable, spec=spec, base=base, version=version, env=CHECK_ENV, cancel=cancel
        )
        carried = migrations.base_migrations(base)
        grants = migrations.new_grants(base.spec, spec)
        if grants:
            after, name = migrations.next_migration_name(
                {**carried, **made}, f"roles_version_{version}"
            )
            made[f"{migrations.MIGRATIONS}{name}.py"] = self._template(
                "core/migrations/0002_roles.py.j2",
                spec,
                ctx,
                grants=grants,
                after=after,
                version=version,
            )
        kept = [f for f in files if not f.path.startswith(migrations.MIGRATIONS)]
        if f"{migrations.MIGRATIONS}__init__.py" not in carried:
            kept += [f for f in files if f.path == f"{migrations.MIGRATIONS}__init__.py"]
        new = _formatted(
            [GeneratedFile(path, text) for path, text in sorted(made.items())],
            first_party=FIRST_PARTY,  # Django's writer orders imports its own way
        )
        if new:
            notes.append(
                f"{', '.join(f.path for f in new)} migrates version {base.number}'s database "
                f"to version {version}."
            )
        else:
            notes.append(f"No model changed since version {base.number}: no new migration.")
        carried_files = [GeneratedFile(path, text) for path, text in carried.items()]
        return Evolution(sorted([*kept, *carried_files, *new], key=lambda f: f.path), notes)

    def render_unformatted(
        self, phase: str, spec: AppSpec, ctx: RenderContext
    ) -> list[GeneratedFile]:
        """The templates' output before ruff format (for debugging a template)."""
        if phase not in RENDER_PHASES:
            raise ValueError(f"unknown phase {phase!r}; expected one of {RENDER_PHASES}")
        project = build(spec)
        context = _context(project, ctx)
        env = environment()
        files: list[GeneratedFile] = []
        for item in PHASE_FILES[phase]:
            if item.when and not getattr(project, item.when):
                continue
            template = env.get_template(item.template)
            if item.per_entity:
                for entity in project.entities:
                    path = item.path.replace("{snake}", entity.snake)
                    text = template.render(context, entity=entity)
                    files.append(GeneratedFile(path, text, item.executable))
            else:
                files.append(GeneratedFile(item.path, template.render(context), item.executable))
        return sorted(files, key=lambda f: f.path)

    def _template(self, template: str, spec: AppSpec, ctx: RenderContext, **extra: Any) -> str:
        """One template's output, unformatted, with ``extra`` beside the usual context."""
        return environment().get_template(template).render(_context(build(spec), ctx), **extra)

    def render(self, spec: AppSpec, ctx: RenderContext) -> list[GeneratedFile]:
        """Every phase at once (tests and tools; the pipeline renders phase by phase)."""
        return [f for phase in RENDER_PHASES for f in self.render_phase(phase, spec, ctx)]

    def carried(self, files: Mapping[str, str]) -> dict[str, str]:
        return migrations.carried_migrations(files)

    def checks(self, spec: AppSpec, base: BaseVersion | None = None) -> list[Check]:
        kept = [migrations.data_kept_check(spec, base, CHECK_ENV)] if base is not None else []
        return [
            Check("lint", "ruff check", ["{ruff}", "check", "."], timeout=60.0),
            Check(
                "django_check",
                "manage.py check",
                ["{python}", "manage.py", "check", "--fail-level", "WARNING"],
                env=dict(CHECK_ENV),
            ),
            Check(
                "deploy_check",
                "manage.py check --deploy",
                ["{python}", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                env=dict(DEPLOY_ENV),
            ),
            Check(
                "migrations",
                "migrations up to date",
                ["{python}", "manage.py", "makemigrations", "--check", "--dry-run"],
                env=dict(CHECK_ENV),
            ),
            Check(
                "tests",
                "manage.py test",
                # One test process per core: halves the run for 10+ entities on 2 cores.
                ["{python}", "manage.py", "test", "--noinput", "--parallel", "auto", "-v", "2"],
                timeout=120.0 + 10.0 * len(spec.entities),  # deep required chains are slow
                counts_tests=True,
                env=dict(CHECK_ENV),
            ),
            *kept,
        ]


def _context(project: ProjectView, ctx: RenderContext) -> dict[str, Any]:
    return {
        "project": project,
        "needs": _needs(project),
        "ctx": ctx,
        "pins": pins(ctx),
        "line_length": LINE_LENGTH,
        "target_version": TARGET_VERSION,
    }


def _formatted(
    files: list[GeneratedFile], *, first_party: tuple[str, ...] = ()
) -> list[GeneratedFile]:
    python = {f.path: f.content for f in files if f.path.endswith(".py")}
    formatted = format_python(
        python, line_length=LINE_LENGTH, target_version=TARGET_VERSION, first_party=first_party
    )
    return [GeneratedFile(f.path, formatted.get(f.path, f.content), f.executable) for f in files]
