"""Versions built on versions: renames checked, migrations made by Django's autodetector from
the base's migrations (renames as renames, one-off defaults, refusals), byte-identical output,
and the data_kept check that proves rows survive, and fails when they do not."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from engine_fakes import FakeStack
from version_specs import (
    RENAMES,
    as_base,
    build,
    v1,
    with_additions,
    with_removals,
    with_renames,
)

from generator.engine.events import CallbackSink, CancelToken, Event, EventType, ListSink
from generator.engine.evolution import renames_between
from generator.engine.pipeline import (
    ERROR_INPUT,
    STATUS_CANCELLED,
    GenerationInputError,
    GenerationRequest,
    GenerationResult,
    generate,
)
from generator.engine.spec import AppSpec
from generator.engine.stacks.django.stack import DjangoStack
from generator.engine.verification import ruff_binary, verify
from generator.engine.versions import BaseVersion, Renames

MIGRATIONS = "core/migrations"


def _operations(text: str) -> list[str]:
    return re.findall(r"^        migrations\.(\w+)\($", text, re.MULTILINE)


def _migration(result: GenerationResult, name: str) -> str:
    assert result.output_dir is not None, result.error
    return (Path(result.output_dir) / MIGRATIONS / name).read_text(encoding="utf-8")


def _migrations(result: GenerationResult) -> list[str]:
    assert result.output_dir is not None, result.error
    return sorted(p.name for p in (Path(result.output_dir) / MIGRATIONS).glob("0*.py"))


def _check(result: GenerationResult, key: str) -> tuple[bool, str]:
    assert result.verification is not None, result.error
    check = next(c for c in result.verification.checks if c.key == key)
    return check.passed, check.output_tail


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> BaseVersion:
    result = build(tmp_path_factory.mktemp("v1") / "app", v1())
    return as_base(result, v1(), 1)


# --- renames ------------------------------------------------------------------------------------


def test_an_entity_rename_renames_the_links_named_after_it() -> None:
    renames, notes = renames_between(
        with_additions(v1()), with_renames(with_additions(v1())), RENAMES
    )

    assert renames.entities == {"Client": "Customer"}
    assert renames.fields == {"Customer": {"due": "due_date"}, "Dog": {"client": "customer"}}
    assert notes == []


def test_renames_that_do_not_hold_between_the_specs_are_dropped_with_a_note() -> None:
    asked = Renames(
        entities={"Client": "Dog", "Ghost": "Spirit"},
        fields={"Dog": {"name": "weight", "colour": "color"}},
    )

    renames, notes = renames_between(v1(), v1(), asked)

    assert not renames
    assert "The rename of Client to Dog was ignored: Dog exists already." in notes
    assert "The rename of Ghost to Spirit was ignored: the version it grows from has no Ghost." in (
        notes
    )
    assert "The rename of Dog.name to weight was ignored: Dog had a weight already." in notes
    assert "The rename of Dog.colour to color was ignored: Dog had no colour." in notes


# --- input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "number", "problem"),
    [
        (0, None, "the version number must be a whole number from 1, not 0"),
        (2, 2, "version 2 cannot grow from version 2, which is not older"),
        (3, 0, "the base version number must be a whole number from 1, not 0"),
    ],
)
def test_a_version_must_be_newer_than_its_base(
    tmp_path: Path, version: int, number: int | None, problem: str
) -> None:
    base = BaseVersion(number, v1(), {}) if number is not None else None
    request = GenerationRequest(out_dir=tmp_path / "app", spec=v1(), version=version, base=base)

    with pytest.raises(GenerationInputError) as caught:
        generate(request)

    assert caught.value.messages == [problem]
    assert not (tmp_path / "app").exists()


def test_a_stack_that_cannot_grow_from_a_base_refuses_one(tmp_path: Path) -> None:
    request = GenerationRequest(
        out_dir=tmp_path / "app", spec=v1(), version=2, base=BaseVersion(1, v1(), {})
    )

    with pytest.raises(GenerationInputError, match="the fake stack cannot build on an earlier"):
        generate(request, stack=FakeStack())


def test_a_base_without_migrations_is_bad_input(tmp_path: Path) -> None:
    result = build(tmp_path / "app", v1(), version=2, base=BaseVersion(1, v1(), {"x.py": ""}))

    assert result.error is not None and result.error.kind == ERROR_INPUT
    assert "version 1 has no migrations in core/migrations/" in result.error.message


# --- making the migration (no verification) --------------------------------------------------


def test_the_base_migrations_are_carried_and_one_is_added(
    tmp_path: Path, first: BaseVersion
) -> None:
    sink = ListSink()
    result = generate(
        GenerationRequest(
            out_dir=tmp_path / "app", spec=with_additions(v1()), verify=False, base=first, version=4
        ),
        sink=sink,
    )

    assert _migrations(result) == ["0001_initial.py", "0002_version_4.py"]
    assert _migration(result, "0001_initial.py") == first.files[f"{MIGRATIONS}/0001_initial.py"]
    database_files = [
        e.data["path"] for e in sink.events if e.type == EventType.FILE and e.phase == "database"
    ]
    assert f"{MIGRATIONS}/0002_version_4.py" in database_files
    logs = [e.message for e in sink.events if e.type == EventType.LOG]
    assert "core/migrations/0002_version_4.py migrates version 1's database to version 4." in logs


def test_the_user_model_comes_from_the_first_version_and_is_never_made_again(
    tmp_path: Path, first: BaseVersion
) -> None:
    user_migration = "accounts/migrations/0001_initial.py"
    assert 'name="User"' in first.files[user_migration]
    assert (
        "swappable_dependency(settings.AUTH_USER_MODEL)"
        in first.files[f"{MIGRATIONS}/0001_initial.py"]
    )

    result = build(tmp_path / "app", with_additions(v1()), version=2, base=first)

    out = Path(result.output_dir or "")
    assert sorted(p.name for p in (out / "accounts/migrations").glob("0*.py")) == [
        "0001_initial.py"
    ]
    assert (out / user_migration).read_text(encoding="utf-8") == first.files[user_migration]
    assert 'name="User"' not in _migration(result, "0002_version_2.py")


def test_a_base_built_with_the_built_in_user_is_refused(tmp_path: Path, first: BaseVersion) -> None:
    files = {path: text for path, text in first.files.items() if not path.startswith("accounts/")}
    base = BaseVersion(1, first.spec, files)  # a build from before accounts.User

    result = build(tmp_path / "app", with_additions(v1()), version=2, base=base)

    assert result.error is not None and result.error.kind == ERROR_INPUT
    assert result.error.details["messages"] == [
        "version 1 was built with Django's built-in user model, and its database cannot move to "
        "the project's own (accounts.User) by migrations: build this spec as a new project"
    ]
    assert not (tmp_path / "app").exists()


def test_a_required_column_added_to_a_table_with_rows_gets_a_one_off_default(
    tmp_path: Path, first: BaseVersion
) -> None:
    data = with_additions(v1()).to_dict()
    dog = next(e for e in data["entities"] if e["name"] == "Dog")
    dog["fields"] += [
        {"name": "born", "type": "date"},
        {"name": "walks", "type": "integer", "min_value": 2},
        {"name": "size", "type": "enum", "choices": [{"value": "small"}, {"value": "big"}]},
    ]

    result = build(tmp_path / "app", AppSpec.from_data(data), version=2, base=first)

    text = _migration(result, "0002_version_2.py")
    assert 'name="breed",\n            field=models.CharField(default="", max_length=60)' in text
    assert "field=models.DateField(default=django.utils.timezone.now)" in text
    assert "default=2, validators=[django.core.validators.MinValueValidator(2)]" in text
    assert 'choices=[("small", "small"), ("big", "big")], default="small"' in text
    assert text.count("preserve_default=False") == 4  # the status enum keeps its own default
    assert 'name="status",' in text and 'default="active"' in text


def test_a_required_link_added_to_a_table_with_rows_is_refused(
    tmp_path: Path, first: BaseVersion
) -> None:
    data = with_additions(v1()).to_dict()
    data["relationships"].append({"kind": "many_to_one", "source": "Client", "target": "Tag"})

    result = build(tmp_path / "app", AppSpec.from_data(data), version=2, base=first)

    assert result.error is not None and result.error.kind == ERROR_INPUT
    assert result.error.details["messages"] == [
        "Client.tag is added as required but existing rows have nothing to link to: "
        "make the link optional"
    ]
    assert not (tmp_path / "app").exists()


def test_a_cancel_while_the_migration_is_made_stops_the_run_and_leaves_nothing(
    tmp_path: Path, first: BaseVersion
) -> None:
    token = CancelToken()

    def on_event(event: Event) -> None:
        if event.type == EventType.PHASE_START and event.phase == "database":
            token.cancel("Stop")

    result = generate(
        GenerationRequest(
            out_dir=tmp_path / "app", spec=with_additions(v1()), base=first, version=2
        ),
        sink=CallbackSink(on_event),
        cancel=token,
    )

    assert result.status == STATUS_CANCELLED
    assert result.timings["database"] < 1.0
    assert not (tmp_path / "app").exists()
    assert not list(tmp_path.iterdir())


def test_no_model_change_adds_no_migration(tmp_path: Path, first: BaseVersion) -> None:
    sink = ListSink()
    spec = AppSpec.from_data({**v1().to_dict(), "description": "Now with a description."})

    result = generate(
        GenerationRequest(out_dir=tmp_path / "app", spec=spec, verify=False, base=first, version=2),
        sink=sink,
    )

    assert _migrations(result) == ["0001_initial.py"]
    logs = [e.message for e in sink.events if e.type == EventType.LOG]
    assert "No model changed since version 1: no new migration." in logs


def test_the_same_spec_and_base_give_the_same_bytes(tmp_path: Path, first: BaseVersion) -> None:
    spec = with_renames(with_additions(v1()))
    base = BaseVersion(1, first.spec, first.files, RENAMES)

    one = build(tmp_path / "one", spec, version=2, base=base)
    two = build(tmp_path / "two", spec, version=2, base=base)

    assert one.zip_bytes is not None and one.zip_bytes == two.zip_bytes
    assert _migration(one, "0002_version_2.py") == _migration(two, "0002_version_2.py")


def test_the_manifest_names_the_version_and_its_base(tmp_path: Path, first: BaseVersion) -> None:
    result = build(tmp_path / "app", with_additions(v1()), version=3, base=first)

    manifest = (Path(result.output_dir or "") / "takoss.json").read_text(encoding="utf-8")
    assert '"version": 3' in manifest and '"base_version": 1' in manifest


# --- verified: the data is kept -----------------------------------------------------------------


@pytest.mark.slow
def test_versions_migrate_in_order_and_keep_the_data(tmp_path: Path, first: BaseVersion) -> None:
    # Given version 1, when version 2 adds fields, entities and links
    spec2 = with_additions(v1())
    second = build(tmp_path / "v2", spec2, version=2, base=first, verify=True)
    assert _check(second, "data_kept")[0], _check(second, "data_kept")[1]
    assert second.success, second.error
    assert _operations(_migration(second, "0002_version_2.py")) == [
        "CreateModel",  # Tag
        "CreateModel",  # Walk
        "AddField",  # Client.status, with its default
        "AddField",  # Dog.breed, with a one-off default
        "AddIndex",
        "AddIndex",
        "AddField",  # Dog.tags
        "AddField",  # Walk.dog
        "AddIndex",
    ]

    # when version 3 renames an entity and a field
    spec3 = with_renames(spec2)
    third = build(
        tmp_path / "v3", spec3, version=3, base=as_base(second, spec2, 2, RENAMES), verify=True
    )
    assert third.success, _check(third, "data_kept")[1]
    operations = _operations(_migration(third, "0003_version_3.py"))
    assert operations[:3] == ["RenameModel", "RenameField", "RenameField"]
    assert not {"CreateModel", "DeleteModel", "RemoveField", "AddField"} & set(operations)
    flat = " ".join(_migration(third, "0003_version_3.py").split())
    assert 'RenameModel( old_name="Client", new_name="Customer", )' in flat
    assert 'RenameField( model_name="customer", old_name="due", new_name="due_date", )' in flat
    assert 'RenameField( model_name="dog", old_name="client", new_name="customer", )' in flat

    # when version 4 removes a field and an entity
    spec4 = with_removals(spec3)
    fourth = build(tmp_path / "v4", spec4, version=4, base=as_base(third, spec3, 3), verify=True)

    # then every version's migrations applied in order, and the rows that remain kept their values
    assert fourth.success, _check(fourth, "data_kept")[1]
    assert _migrations(fourth) == [
        "0001_initial.py",
        "0002_version_2.py",
        "0003_version_3.py",
        "0004_version_4.py",
    ]
    assert set(_operations(_migration(fourth, "0004_version_4.py"))) == {
        "RemoveIndex",  # Tag's, before its table goes
        "RemoveField",  # Dog.breed, Dog.tags
        "DeleteModel",  # Tag
    }
    passed, output = _check(fourth, "data_kept")
    assert passed and "Data kept: 12 rows of 4 models" in output


def with_roles(spec: AppSpec, *names: str) -> AppSpec:
    data = spec.to_dict()
    data["roles"] += [{"name": name} for name in names]
    return AppSpec.from_data(data)


def test_roles_and_models_added_later_get_their_groups_and_permissions(tmp_path: Path) -> None:
    # Given version 1 with a role, whose migration makes its group
    spec1 = with_roles(v1(), "Walker")
    first = as_base(build(tmp_path / "v1", spec1), spec1, 1)
    assert f"{MIGRATIONS}/0002_roles.py" in first.files

    # When version 2 adds a role, shared reference data (tags) and an owned entity (walks)
    spec2 = with_roles(with_additions(v1()), "Walker", "Owner")
    second = build(tmp_path / "v2", spec2, version=2, base=first, verify=True)

    # Then a migration after the model change gives what the roles did not have, and the app's
    # own tests (each role manages tags) pass
    assert second.success, (
        [(c.key, c.output_tail[-3000:]) for c in second.verification.failed_checks]
        if second.verification
        else second.error
    )
    assert second.verification is not None and second.verification.tests_run > 0
    assert _migrations(second) == [
        "0001_initial.py",
        "0002_roles.py",
        "0003_version_2.py",
        "0004_roles_version_2.py",
    ]
    grants = _migration(second, "0004_roles_version_2.py")
    assert '("core", "0003_version_2")' in grants
    given: dict[str, Any] = {}
    exec(grants.split("\ndef ")[0], given)  # the module's constants
    new_models = ["add_tag", "change_tag", "delete_tag", "view_tag", "view_walk"]
    assert given["GRANTS"] == {
        "Walker": new_models,
        "Owner": ["view_client", "view_dog", *new_models],
    }

    # And a version that changes no role or model adds no roles migration
    third = build(tmp_path / "v3", spec2, version=3, base=as_base(second, spec2, 2), verify=False)
    assert "0005_roles_version_3.py" not in _migrations(third)


@pytest.mark.slow
def test_data_kept_fails_when_a_column_is_dropped_and_added_again(
    tmp_path: Path, first: BaseVersion
) -> None:
    # Given a rename the migration was not told about: due is dropped, due_date added
    data = v1().to_dict()
    client = data["entities"][0]
    client["fields"][1].update(name="due_date", label="")
    spec = AppSpec.from_data(data)
    unaware = build(tmp_path / "app", spec, version=2, base=first)
    assert _operations(_migration(unaware, "0002_version_2.py")) == ["RemoveField", "AddField"]

    # when the check knows the rename
    told = BaseVersion(1, first.spec, first.files, Renames(fields={"Client": {"due": "due_date"}}))
    checks = [c for c in DjangoStack().checks(spec, told) if c.key == "data_kept"]
    report = verify(Path(unaware.output_dir or ""), checks)

    # then it fails, naming what was lost
    assert not report.passed
    output = report.checks[0].output_tail
    assert "Data lost migrating from 0001_initial to the newest migration:" in output
    assert "Client.due_date (was due): 3 values changed" in output


def test_a_migration_that_imports_the_standard_library_passes_the_projects_lint(
    tmp_path: Path, first: BaseVersion
) -> None:
    spec = v1().to_dict()
    spec["entities"][1]["fields"].append(
        {
            "name": "budget",
            "type": "decimal",
            "max_digits": 8,
            "decimal_places": 2,
            "default": "10.50",
        }
    )
    result = generate(
        GenerationRequest(
            out_dir=tmp_path / "app",
            spec=AppSpec.from_data(spec),
            verify=False,
            base=first,
            version=2,
        )
    )
    text = _migration(result, "0002_version_2.py")
    assert "from decimal import Decimal" in text

    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "m.py").write_text(text, encoding="utf-8")
    lint = subprocess.run(
        [
            ruff_binary(),
            "check",
            "--isolated",
            "--select=I,F",
            "--config",
            "lint.isort.known-first-party=['config','core']",
            "m.py",
        ],
        cwd=tmp_path / "one",
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
