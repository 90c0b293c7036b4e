"""Checks that a generated project's new migrations keep the rows of its base version.

Migrates a fresh database to the base version's last migration, fills every model of that
historical state with sample rows (targets of links first; values from the same sample sources
as the generated tests, so every rule and bound holds), migrates to the newest migration and
compares: every model that still exists (under its new name) must have the same rows, and every
column that survives (under its new name) the same values, links included. Prints each loss
and exits 1 when there is one.

Parameters (JSON): ``app``; ``base_migration``; ``rows`` (per model); ``entities`` in creation
order, each ``{"name", "values": {field: Python source over n}, "links": [{"name", "target",
"many"}]}`` (a link's target is ``"user"`` for the user model); ``renames`` (``entities``:
old -> new; ``fields``: new entity -> old -> new); ``helpers``: the module whose names the
value sources use.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

Rows = dict[Any, dict[str, Any]]  # pk -> field name -> value (a link's: the linked pk)
Links = dict[Any, set[Any]]  # pk -> linked pks
Snapshot = dict[str, tuple[Rows, dict[str, Links]]]  # model -> (rows, many-to-many name -> links)


def main(params_path: str) -> int:
    params = json.loads(Path(params_path).read_text(encoding="utf-8"))
    sys.path.insert(0, os.getcwd())  # the project, not this script's folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # after the settings module is named
    app, base = params["app"], params["base_migration"]
    call_command("migrate", app, base, verbosity=0, interactive=False)
    old_apps = MigrationLoader(connection).project_state((app, base), at_end=True).apps
    fill(old_apps, params)
    before = snapshot(old_apps, app)
    call_command("migrate", verbosity=0, interactive=False)
    new_apps = MigrationLoader(connection).project_state().apps
    problems = list(compare(before, new_apps, params))
    if problems:
        print(f"Data lost migrating from {base} to the newest migration:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    count = sum(len(rows) for rows, _ in before.values())
    print(f"Data kept: {count} rows of {len(before)} models survive every new migration.")
    return 0


# --- filling the base version's tables --------------------------------------------------------


def fill(apps: Apps, params: dict[str, Any]) -> None:
    """``rows`` rows per model; row i links to row i of each target (one-to-one links and
    unique combinations stay unique), many-to-many fields to every target row."""
    helpers = vars(importlib.import_module(params["helpers"]))
    numbers = itertools.count(1)
    count = params["rows"]
    made: dict[str, list[Any]] = {}
    if any(link["target"] == "user" for e in params["entities"] for link in e["links"]):
        users = apps.get_model(settings.AUTH_USER_MODEL)._default_manager
        made["user"] = [
            users.create(username=f"takoss-sample-{i}", password="!").pk for i in range(count)
        ]
    later: list[tuple[Any, str, str, int]] = []  # (row, link, target, index)
    for entity in params["entities"]:
        model = apps.get_model(params["app"], entity["name"])
        sources = {
            name: compile(source, f"<{entity['name']}.{name}>", "eval")
            for name, source in entity["values"].items()
        }
        made[entity["name"]] = []
        for index in range(count):
            n = next(numbers)
            values = {name: eval(code, {**helpers, "n": n}) for name, code in sources.items()}
            for link in entity["links"]:
                targets = made.get(link["target"], [])
                if not link["many"]:  # a target made later (or this row itself) comes after
                    values[f"{link['name']}_id"] = targets[index] if index < len(targets) else None
            row = model._default_manager.create(**values)
            made[entity["name"]].append(row.pk)
            later += [(row, link["name"], link["target"], index) for link in entity["links"]]
    for row, link, target, index in later:
        field = row._meta.get_field(link)
        if field.many_to_many:
            getattr(row, link).set(made[target])
        elif getattr(row, field.attname) is None:
            setattr(row, field.attname, made[target][index])
            row.save(update_fields=[link])


def snapshot(apps: Apps, app: str) -> Snapshot:
    out: Snapshot = {}
    for model in apps.get_app_config(app).get_models():
        fields = model._meta.concrete_fields
        rows = {
            values["id"]: {f.name: values[f.attname] for f in fields}
            for values in model._default_manager.values(*(f.attname for f in fields))
        }
        out[model.__name__] = (rows, _links_of(model))
    return out


def _links_of(model: type[models.Model]) -> dict[str, Links]:
    rows = list(model._default_manager.all())
    return {
        field.name: {
            row.pk: set(getattr(row, field.name).values_list("pk", flat=True)) for row in rows
        }
        for field in model._meta.many_to_many
    }


# --- comparing ------------------------------------------------------------------------------


def compare(before: Snapshot, apps: Apps, params: dict[str, Any]) -> Iterator[str]:
    renames = params["renames"]
    for old_name, (rows, links) in sorted(before.items()):
        new_name = renames["entities"].get(old_name, old_name)
        try:
            model = apps.get_model(params["app"], new_name)
        except LookupError:
            continue  # the entity was removed, its rows with it
        label = old_name if new_name == old_name else f"{new_name} (was {old_name})"
        after = {values["id"]: values for values in model._default_manager.values()}
        lost = sorted(set(rows) - set(after))
        if lost:
            yield f"{label}: {len(lost)} of {len(rows)} rows are gone (ids {_ids(lost)})"
        field_renames = renames["fields"].get(new_name, {})
        yield from _columns(label, rows, after, model, field_renames)
        yield from _links(label, links, model, field_renames)


def _columns(
    label: str, rows: Rows, after: Rows, model: type[models.Model], renames: dict[str, str]
) -> Iterator[str]:
    names = {name for values in rows.values() for name in values} - {"id"}
    for name in sorted(names):
        new = _field(model, renames.get(name, name))
        if new is None:
            continue  # the field was removed
        where = _where(label, new.name, name)
        if new.many_to_many:
            yield f"{where}: was a single value, is a many-to-many now: the values were lost"
            continue
        changed = [
            pk
            for pk, values in rows.items()
            if pk in after and not _same(new, values[name], after[pk].get(new.attname))
        ]
        if changed:
            pk = changed[0]
            was, now = rows[pk][name], after[pk].get(new.attname)
            yield f"{where}: {len(changed)} values changed (id {pk}: {was!r} became {now!r})"


def _links(
    label: str, links: dict[str, Links], model: type[models.Model], renames: dict[str, str]
) -> Iterator[str]:
    now_links = _links_of(model)
    for name, pairs in sorted(links.items()):
        new = _field(model, renames.get(name, name))
        if new is None:
            continue  # the link was removed
        where = _where(label, new.name, name)
        if not new.many_to_many:
            yield f"{where}: was a many-to-many, is a single link now: the links were lost"
            continue
        now = now_links[new.name]
        changed = [pk for pk, linked in pairs.items() if pk in now and now[pk] != linked]
        if changed:
            yield f"{where}: the links of {len(changed)} rows changed (ids {_ids(changed)})"


def _field(model: type[models.Model], name: str) -> Any:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None  # a reverse accessor is no column


def _where(label: str, name: str, old: str) -> str:
    return f"{label}.{name}" + ("" if name == old else f" (was {old})")


def _same(field: Any, was: Any, now: Any) -> bool:
    if was == now:
        return True
    try:
        return bool(field.to_python(was) == now)
    except Exception:  # a value the new type cannot read is a changed value
        return False


def _ids(pks: list[Any]) -> str:
    shown = ", ".join(str(pk) for pk in sorted(pks)[:5])
    return shown + (", …" if len(pks) > 5 else "")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
