"""A new version's migrations: the base's, unchanged, plus the one Django makes for the change.

A project built on an earlier version must migrate that version's database, so its
``core/migrations/`` holds the base's migration files as they were, and no fresh
``0001_initial``. The next migration is made by Django's own autodetector
(``scripts/make_migration.py``), run in a sandboxed copy of the new project with the base's
migrations in place, from their state to the new models, with the change's renames
(:func:`generator.engine.evolution.renames_between`). No model change, no migration.

:func:`data_kept_check` is the proof: a verification check that fills the base version's tables
with sample rows (the generated tests' own sample values) and migrates them to the new version
(``scripts/data_kept.py``). Formatting the migration is the stack's business; the sandbox is
verification's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.engine.events import CancelToken
from generator.engine.evolution import EvolutionRefused, renames_between
from generator.engine.spec import AppSpec
from generator.engine.stacks.base import Check, GeneratedFile
from generator.engine.stacks.django.project import APP_LABEL, EntityView, build
from generator.engine.verification import sandbox
from generator.engine.versions import BaseVersion

MIGRATIONS = f"{APP_LABEL}/migrations/"
# The project's own user model; builds before it used Django's built-in user.
USER_MIGRATION = "accounts/migrations/0001_initial.py"
SCRIPTS = Path(__file__).with_name("scripts")
MAKE_TIMEOUT = 60.0
SAMPLE_ROWS = 3  # per model: enough for unique values and links to differ
_NUMBERED = re.compile(r"^(\d{4})_\w+$")


class MigrationError(RuntimeError):
    """Django's autodetector could not be run on the new project (a bug, not the change's)."""


def carried_migrations(files: Mapping[str, str]) -> dict[str, str]:
    """The migration package of a build (path -> text), as it must be carried over."""
    return {
        path: text
        for path, text in files.items()
        if path.startswith(MIGRATIONS)
        and path.endswith(".py")
        and "/" not in path[len(MIGRATIONS) :]
    }


def last_migration(migrations: Mapping[str, str]) -> str | None:
    """The name of the highest-numbered migration (``0003_version_3``), or None."""
    names = [Path(path).stem for path in migrations]
    numbered = sorted(name for name in names if _NUMBERED.match(name))
    return numbered[-1] if numbered else None


def base_migrations(base: BaseVersion) -> dict[str, str]:
    """The base build's migrations; EvolutionRefused when it has none to grow from.

    A base built before the project's own user model (accounts.User) is refused too: its
    database's tables and applied migrations name Django's built-in user, and no migration can
    move them to another user model (Django's migrate stops on the inconsistent history).
    """
    carried = carried_migrations(base.files)
    if last_migration(carried) is None:
        raise EvolutionRefused(
            [f"version {base.number} has no migrations in {MIGRATIONS}: nothing to build on"]
        )
    if USER_MIGRATION not in base.files:
        raise EvolutionRefused(
            [
                f"version {base.number} was built with Django's built-in user model, and its "
                "database cannot move to the project's own (accounts.User) by migrations: "
                "build this spec as a new project"
            ]
        )
    return carried


def make_migrations(
    project: Sequence[GeneratedFile],
    *,
    spec: AppSpec,
    base: BaseVersion,
    version: int,
    env: Mapping[str, str],
    cancel: CancelToken,
) -> tuple[dict[str, str], list[str]]:
    """The new migrations (path -> unformatted text) and notes, for ``project``'s models.

    ``project`` holds the new version's files Django needs to load its models (settings, the
    app, models.py); its own migrations are replaced by the base's; ``env`` is the stack's
    settings for its checks. Raises EvolutionRefused
    when the change cannot keep the rows, MigrationError when the autodetector fails, and
    Cancelled when ``cancel`` fires.
    """
    carried = base_migrations(base)
    renames, notes = renames_between(base.spec, spec, base.renames)
    files = {f.path: f.content for f in project if not f.path.startswith(MIGRATIONS)}
    files.update({f"{MIGRATIONS}__init__.py": "", **carried})
    check = Check(
        "make_migration",
        "make the migration",
        ["{python}", "{files}/make_migration.py", "{files}/params.json"],
        timeout=MAKE_TIMEOUT,
        env={**env, "PYTHONHASHSEED": "0"},  # set orders in Django stay put
        files={
            "make_migration.py": (SCRIPTS / "make_migration.py").read_text(encoding="utf-8"),
            "params.json": json.dumps(
                {"app": APP_LABEL, "name": f"version_{version}", "renames": renames.to_dict()}
            ),
        },
    )
    with sandbox(files, prefix="takoss-migrate-") as box:
        result = box.run(check, cancel=cancel)
        if not result.passed:
            raise MigrationError(
                f"making the migration failed ({result.reason}): {result.output_tail[-2000:]}"
            )
        made = box.read_json(check, "result.json")
    if made["refused"]:
        raise EvolutionRefused(list(made["refused"]))
    return {f"{MIGRATIONS}{m['name']}.py": m["text"] for m in made["migrations"]}, notes


def new_grants(base: AppSpec, spec: AppSpec) -> dict[str, list[str]]:
    """What each role of ``spec`` must be given beyond ``base``'s grants: a new role's group
    with all its permissions, an existing role the permissions of new or newly shared models.

    Empty when nothing is new. Grants taken away (a removed model or role) are left alone.
    """
    before = build(base).role_grants
    wanted = {}
    for role, codenames in build(spec).role_grants.items():
        had = set(before.get(role, ()))
        missing = [name for name in codenames if name not in had]
        if missing or role not in before:
            wanted[role] = missing
    return wanted


def next_migration_name(migrations: Mapping[str, str], label: str) -> tuple[str, str]:
    """(the highest-numbered migration's name, the name of one more called ``label``)."""
    last = last_migration(migrations)
    assert last is not None  # base_migrations refuses a base without one
    return last, f"{int(last[:4]) + 1:04d}_{label}"


def data_kept_check(spec: AppSpec, base: BaseVersion, env: Mapping[str, str]) -> Check:
    """Migrate a database filled at the base's last migration to the newest: no row lost.

    ``env`` is the stack's settings for its checks; the check adds a database and a media
    folder of its own.
    """
    carried = base_migrations(base)
    renames, _ = renames_between(base.spec, spec, base.renames)
    entities = _creation_order(build(base.spec).entities)
    params = {
        "app": APP_LABEL,
        "base_migration": last_migration(carried),
        "rows": SAMPLE_ROWS,
        "helpers": f"{APP_LABEL}.tests.factories",
        "entities": [_sampled(entity) for entity in entities],
        "renames": renames.to_dict(),
    }
    return Check(
        "data_kept",
        f"data kept from version {base.number}",
        ["{python}", "{files}/data_kept.py", "{files}/params.json"],
        timeout=60.0 + 5.0 * len(entities),
        env={
            **env,
            "DATABASE_URL": "sqlite:///{files}/data.sqlite3",
            "DJANGO_MEDIA_ROOT": "{files}/media",
        },
        files={
            "data_kept.py": (SCRIPTS / "data_kept.py").read_text(encoding="utf-8"),
            "params.json": json.dumps(params),
        },
    )


def _sampled(entity: EntityView) -> dict[str, Any]:
    return {
        "name": entity.name,
        "values": {f.name: f.sample for f in entity.fields},
        "links": [
            {"name": r.name, "target": "user" if r.target_is_user else r.target, "many": r.many}
            for r in entity.relations
        ],
    }


def _creation_order(entities: list[EntityView]) -> list[EntityView]:
    """Targets of required links before their sources (the project view keeps them acyclic)."""
    by_name = {e.name: e for e in entities}
    ordered: dict[str, EntityView] = {}

    def visit(entity: EntityView) -> None:
        if entity.name in ordered:
            return
        for link in entity.single_relations:
            if link.required and not link.target_is_user and link.target != entity.name:
                visit(by_name[link.target])
        ordered[entity.name] = entity

    for entity in entities:
        visit(entity)
    return list(ordered.values())
