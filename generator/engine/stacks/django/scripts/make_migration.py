"""Makes the next migration of a generated project, the way ``makemigrations`` would, unasked.

The project's migrations are the base version's; its models are the new version's. Django's
autodetector compares the base's migration state with the models and writes what changed, after
the renames the change asked for: those are applied first, as RenameModel and RenameField
operations, because the autodetector only guesses a rename when the definitions are identical,
and a renamed entity's links and upload folders change with its name. It guesses nothing else.

A required column added to a table that has rows gets a one-off default by type, as a person
would type it at the makemigrations prompt. What no default can fill (a required link, a unique
value) is refused with a message saying why.

Parameters (JSON): ``app``, ``name`` (the migration's name after its number), ``renames``
(``entities``: old -> new; ``fields``: new entity -> old -> new). The result is written beside
them as ``result.json``: ``{"migrations": [{"name", "text"}], "refused": [messages]}``.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.migrations import Migration, operations
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.questioner import MigrationQuestioner
from django.db.migrations.state import ProjectState
from django.db.migrations.writer import MigrationWriter
from django.utils import timezone


def main(params_path: str) -> int:
    params_file = Path(params_path)
    params = json.loads(params_file.read_text(encoding="utf-8"))
    sys.path.insert(0, os.getcwd())  # the project, not this script's folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # after the settings module is named
    result = make(params["app"], params["name"], params["renames"])
    params_file.with_name("result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


def make(app: str, name: str, renames: dict[str, Any]) -> dict[str, Any]:
    from django.apps import apps  # ready only after django.setup()

    loader = MigrationLoader(None, ignore_no_migrations=True)
    from_state = loader.project_state()
    to_state = ProjectState.from_apps(apps)
    rename_ops = rename_operations(app, renames, from_state)
    questioner = Questioner(app, to_state)
    detector = MigrationAutodetector(from_state, to_state, questioner)
    changes = detector.changes(
        graph=loader.graph, trim_to_apps={app}, convert_apps={app}, migration_name=name
    )
    if questioner.refused:
        return {"migrations": [], "refused": questioner.refused}
    migrations = changes.get(app, [])
    if rename_ops and not migrations:
        alone = {app: [Migration(name, app)]}
        migrations = detector.arrange_for_graph(alone, loader.graph, name)[app]
    if rename_ops:
        # The first migration's operations start from the renamed state (Django, too, sets
        # operations per instance).
        migrations[0].operations = [*rename_ops, *migrations[0].operations]  # type: ignore[misc]
    return {
        "migrations": [
            {"name": m.name, "text": MigrationWriter(m, include_header=False).as_string()}
            for m in migrations
        ],
        "refused": [],
    }


def rename_operations(app: str, renames: dict[str, Any], state: ProjectState) -> list[Operation]:
    """RenameModel, then RenameField operations, applied to ``state`` as they are made."""
    made: list[Operation] = []
    for old, new in sorted(renames.get("entities", {}).items()):
        made.append(operations.RenameModel(old_name=old, new_name=new))
    for entity, fields in sorted(renames.get("fields", {}).items()):
        for old, new in sorted(fields.items()):
            made.append(
                operations.RenameField(model_name=entity.lower(), old_name=old, new_name=new)
            )
    for operation in made:
        operation.state_forwards(app, state)
    return made


class Questioner(MigrationQuestioner):
    """Answers the autodetector's questions the way the change means them, without a prompt.

    Renames and merges keep Django's own answer, no: the change's renames are operations already.
    """

    def __init__(self, app: str, to_state: ProjectState) -> None:
        super().__init__(specified_apps={app}, dry_run=False)
        self.app = app
        self.to_state = to_state
        self.refused: list[str] = []

    def ask_not_null_addition(self, field_name: str, model_name: str) -> Any:
        return self._one_off_default(field_name, model_name, "is added as required")

    def ask_not_null_alteration(self, field_name: str, model_name: str) -> Any:
        field = self._field(field_name, model_name)
        if field.is_relation:  # no link to guess: rows without one make the migration fail
            return models.NOT_PROVIDED
        return self._one_off_default(field_name, model_name, "becomes required")

    def ask_auto_now_add_addition(self, field_name: str, model_name: str) -> Any:
        return timezone.now

    def ask_unique_callable_default_addition(self, field_name: str, model_name: str) -> None:
        self.refused.append(
            f"{self._where(field_name, model_name)} is added as unique, and existing rows "
            "would all get the same value: add it as optional, fill it, then make it unique"
        )

    def _one_off_default(self, field_name: str, model_name: str, what: str) -> Any:
        field = self._field(field_name, model_name)
        where = self._where(field_name, model_name)
        if field.is_relation:
            self.refused.append(
                f"{where} {what} but existing rows have nothing to link to: make the link optional"
            )
            return None
        if field.unique:
            self.refused.append(
                f"{where} {what} and unique, but existing rows would all get the same value: "
                "make it optional first"
            )
            return None
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, models.DateField | models.TimeField):  # DateTimeField too
            return timezone.now
        if isinstance(field, models.BooleanField):
            return False
        if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
            return lowest_number(field)
        if field.empty_strings_allowed:
            return ""
        self.refused.append(f"{where} {what} and Takoss has no default for its type")
        return None

    def _field(self, field_name: str, model_name: str) -> Any:
        return self.to_state.models[self.app, model_name].get_field(field_name)

    def _where(self, field_name: str, model_name: str) -> str:
        model = self.to_state.models[self.app, model_name].name
        return f"{model}.{field_name}"


def lowest_number(field: Any) -> Any:
    """Zero, or the field's lowest allowed value when zero is out of its bounds."""
    value: Any = 0
    for validator in field.validators:
        if isinstance(validator, MinValueValidator) and validator.limit_value > value:
            value = validator.limit_value
        if isinstance(validator, MaxValueValidator) and validator.limit_value < value:
            value = validator.limit_value
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return Decimal(str(value))
    return float(value) if kind == "FloatField" else int(value)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
