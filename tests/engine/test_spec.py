"""AppSpec validation and sanitising: names are cleaned once, bad specs fail with clear errors."""

from __future__ import annotations

from typing import Any

import pytest

from generator.engine.spec import (
    MAX_ENTITIES,
    MAX_FIELDS_PER_ENTITY,
    USER,
    AppSpec,
    FeatureCategory,
    FieldType,
    RelationKind,
    SpecError,
    spec_json_schema,
)


def _spec(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Task Manager",
        "entities": [
            {"name": "Project", "fields": [{"name": "name"}]},
            {"name": "Task", "fields": [{"name": "title"}, {"name": "due date", "type": "date"}]},
        ],
        "relationships": [{"source": "Task", "target": "Project"}],
    }
    data.update(extra)
    return data


def test_a_plain_spec_validates_with_derived_names() -> None:
    spec = AppSpec.from_data(_spec())
    assert spec.slug == "task-manager"
    task = spec.entity("Task")
    assert task is not None
    assert task.plural == "Tasks"
    assert [f.name for f in task.fields] == ["title", "due_date"]
    assert task.display_field == "title"
    relation = spec.relationships[0]
    assert (relation.kind, relation.name, relation.related_name) == (
        RelationKind.MANY_TO_ONE,
        "project",
        "tasks",
    )
    assert spec.warnings == []


@pytest.mark.parametrize(
    ("field_name", "renamed"),
    [("class", "class_value"), ("order", "order_value"), ("delete", "delete_value"),
     ("function", "function_value"), ("pk", "pk_value")],
)  # fmt: skip
def test_reserved_field_names_are_renamed_with_a_warning(field_name: str, renamed: str) -> None:
    data = _spec()
    data["entities"][1]["fields"].append({"name": field_name})
    spec = AppSpec.from_data(data)
    task = spec.entity("Task")
    assert task is not None and task.field(renamed) is not None
    assert any(renamed in w for w in spec.warnings)


@pytest.mark.parametrize(("entity", "renamed"), [("User", "AppUser"), ("Class", "ClassItem")])
def test_reserved_entity_names_are_renamed_with_a_warning(entity: str, renamed: str) -> None:
    spec = AppSpec.from_data({"name": "X", "entities": [{"name": entity}]})
    assert spec.entities[0].name == renamed
    assert any(renamed in w for w in spec.warnings)


def test_clashing_names_are_renamed() -> None:
    data = {
        "name": "X",
        "entities": [
            {"name": "Task", "fields": [{"name": "Title"}, {"name": "title"}]},
            {"name": "task"},
        ],
    }
    spec = AppSpec.from_data(data)
    assert [e.name for e in spec.entities] == ["Task", "Task2"]
    assert [f.name for f in spec.entities[0].fields] == ["title", "title_2"]
    assert spec.warnings


def test_unknown_relationship_target_is_a_spec_error() -> None:
    data = _spec(relationships=[{"source": "Task", "target": "Sprint"}])
    with pytest.raises(SpecError, match="Sprint"):
        AppSpec.from_data(data)


def test_the_built_in_user_is_a_valid_target_and_brings_authentication() -> None:
    spec = AppSpec.from_data(_spec(relationships=[{"source": "Task", "target": "user"}]))
    relation = spec.relationships[0]
    assert relation.target == USER
    assert relation.name == "owner"
    assert spec.has_feature(FeatureCategory.AUTHENTICATION)


def test_entity_and_field_limits() -> None:
    too_many = [{"name": f"Thing{i}"} for i in range(MAX_ENTITIES + 1)]
    with pytest.raises(SpecError, match="entities"):
        AppSpec.from_data({"name": "X", "entities": too_many})
    fields = [{"name": f"f{i}"} for i in range(MAX_FIELDS_PER_ENTITY + 1)]
    with pytest.raises(SpecError, match="fields"):
        AppSpec.from_data({"name": "X", "entities": [{"name": "Thing", "fields": fields}]})


def test_enum_choices_are_cleaned_and_a_bad_default_dropped() -> None:
    field = {"name": "status", "type": "enum", "default": "nope",
             "choices": [{"value": "To Do"}, {"value": "to-do"}, {"value": "Done"}]}  # fmt: skip
    spec = AppSpec.from_data({"name": "X", "entities": [{"name": "Task", "fields": [field]}]})
    status = spec.entities[0].fields[0]
    assert status.type == FieldType.ENUM
    assert [c.value for c in status.choices] == ["to_do", "done"]
    assert status.default is None
    assert any("default" in w for w in spec.warnings)


@pytest.mark.parametrize("name", ["!!!", "📚🎉"])
def test_an_app_needs_a_usable_name(name: str) -> None:
    with pytest.raises(SpecError, match="name: the app's name needs at least one letter or digit"):
        AppSpec.from_data({"name": name})


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Библиотека", "biblioteka"), ("図書館", "tu-shu-guan"), ("2030 Plan", "app-2030-plan")],
)
def test_an_app_named_in_another_script_keeps_its_name_and_gets_a_readable_slug(
    name: str, slug: str
) -> None:
    spec = AppSpec.from_data({"name": name})
    assert (spec.name, spec.slug) == (name, slug)


def test_a_slug_with_nothing_readable_falls_back_to_the_name() -> None:
    assert AppSpec.from_data({"name": "Library", "slug": "🎉"}).slug == "library"


def test_page_paths_keep_parameters_and_trailing_slashes() -> None:
    pages = [{"name": "Task", "kind": "detail", "path": "/Tasks/<id>/", "entity": "task"}]
    spec = AppSpec.from_data(_spec(pages=pages))
    assert spec.pages[0].path == "/tasks/<id>/"
    assert spec.pages[0].entity == "Task"


def test_json_and_yaml_round_trips_give_an_equal_spec_and_no_new_warnings() -> None:
    data = _spec()
    data["entities"][1]["fields"].append({"name": "class"})
    spec = AppSpec.from_data(data)
    for text in (spec.to_json(), spec.to_yaml()):
        again = AppSpec.from_text(text)
        assert again == spec
        assert again.warnings == spec.warnings


def test_invalid_text_is_a_spec_error() -> None:
    with pytest.raises(SpecError):
        AppSpec.from_text("{not json")
    with pytest.raises(SpecError):
        AppSpec.from_text("- just\n- a list\n")


def test_json_schema_export() -> None:
    schema = spec_json_schema()
    assert schema["title"] == "AppSpec"
    assert "entities" in schema["properties"]


def test_bounds_no_stored_value_could_meet_are_dropped_with_a_warning():
    spec = AppSpec.from_data(
        {
            "name": "Shop",
            "entities": [
                {
                    "name": "Item",
                    "fields": [
                        {
                            "name": "ratio",
                            "type": "decimal",
                            "max_digits": 5,
                            "decimal_places": 4,
                            "min_value": 120,
                        },
                        {"name": "views", "type": "integer", "max_value": -1e12},
                        {"name": "stock", "type": "integer", "min_value": 0, "max_value": 10},
                    ],
                }
            ],
        }
    )

    ratio, views, stock = spec.entities[0].fields
    assert ratio.min_value is None and views.max_value is None
    assert (stock.min_value, stock.max_value) == (0, 10)
    assert any("Item.ratio: minimum 120 is beyond" in w for w in spec.warnings)
    assert any("Item.views: maximum" in w for w in spec.warnings)


def test_a_unique_enum_loses_unique_with_a_warning():
    spec = AppSpec.from_data(
        {
            "name": "Shop",
            "entities": [
                {
                    "name": "Item",
                    "fields": [
                        {
                            "name": "size",
                            "type": "enum",
                            "unique": True,
                            "choices": [{"value": "small"}],
                        }
                    ],
                }
            ],
        }
    )

    assert spec.entities[0].fields[0].unique is False
    assert any("enum field cannot be unique" in w for w in spec.warnings)
