"""AppSpec validation and sanitising: names are cleaned once, bad specs fail with clear errors."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from generator.engine.spec import (
    MAX_COMPARISONS,
    MAX_ENTITIES,
    MAX_FIELDS_PER_ENTITY,
    MAX_NOTES,
    MAX_ROLES,
    MAX_TEXT_LENGTH,
    MAX_UNIQUE_TOGETHER,
    USER,
    AppSpec,
    FeatureCategory,
    FieldType,
    RelationKind,
    SpecError,
    comparison_values,
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


# --- roles, notes and rules between fields ------------------------------------------------------


def _ruled(**task: Any) -> dict[str, Any]:
    """Courses and enrollments; ``task`` adds unique_together/comparisons to Enrollment."""
    return {
        "name": "Courses",
        "entities": [
            {"name": "Course", "fields": [{"name": "title"}]},
            {"name": "Student", "fields": [{"name": "name"}]},
            {
                "name": "Enrollment",
                "fields": [
                    {"name": "start date", "type": "date"},
                    {"name": "end date", "type": "date", "required": False},
                    {"name": "class", "type": "integer", "min_value": 0, "max_value": 10},
                    {"name": "seats", "type": "integer"},
                    {"name": "fee", "type": "decimal", "decimal_places": 2},
                    {"name": "starts at", "type": "datetime"},
                    {"name": "opens", "type": "time"},
                    {"name": "active", "type": "boolean"},
                    {"name": "level", "type": "enum", "choices": [{"value": "a"}, {"value": "b"}]},
                    {"name": "notes", "type": "json", "required": False},
                    {"name": "code", "unique": True},
                ],
                **task,
            },
        ],
        "relationships": [
            {"source": "Enrollment", "target": "Students"},
            {"source": "Enrollment", "target": "Course", "name": "Course Taken"},
            {"source": "Enrollment", "target": "User"},
            {"kind": "many_to_many", "source": "Enrollment", "target": "Course"},
        ],
    }


def _enrollment(spec: AppSpec) -> Any:
    entity = spec.entity("Enrollment")
    assert entity is not None
    return entity


def test_old_specs_stay_valid_and_the_new_parts_default_to_empty() -> None:
    spec = AppSpec.from_data(_spec())
    assert (spec.roles, spec.notes) == ([], [])
    assert all(e.unique_together == [] == e.comparisons for e in spec.entities)


def test_roles_are_cleaned_and_deduplicated() -> None:
    roles = [
        {"name": "event coordinator", "description": "  Runs   events "},
        {"name": "Volunteer"},
        {"name": "volunteer", "description": "again"},
        {"name": "Библиотекарь"},
    ]
    spec = AppSpec.from_data(_spec(roles=roles))
    assert [(r.name, r.description) for r in spec.roles] == [
        ("EventCoordinator", "Runs   events"),
        ("Volunteer", ""),
        ("Bibliotekar", ""),
    ]
    assert "Role 'volunteer' appears twice; the second was dropped." in spec.warnings


def test_what_a_role_manages_names_known_entities() -> None:
    spec = AppSpec.from_data(
        {
            "name": "Shop",
            "entities": [{"name": "Category"}, {"name": "Product"}],
            "roles": [
                {"name": "Clerk", "manages": ["categories", "Nothing", "Category"]},
                {"name": "Buyer"},
            ],
        }
    )

    assert spec.roles[0].manages == ["Category"]
    assert spec.roles[1].manages is None  # all shared data, as before the field existed
    assert "role 'Clerk' mentions unknown entity 'Nothing'; it was ignored." in spec.warnings


def test_a_role_needs_a_name() -> None:
    with pytest.raises(SpecError) as caught:
        AppSpec.from_data(_spec(roles=[{"name": "Volunteer"}, {"name": "!!"}]))
    assert caught.value.messages == [
        "roles[1]: a role needs a name with at least one letter or digit"
    ]


def test_notes_are_trimmed_deduplicated_and_clipped() -> None:
    notes = [
        "  'volunteers' was read as a role ",
        "",
        "'volunteers' was read as a role",
        "x" * 3000,
    ]
    spec = AppSpec.from_data(_spec(notes=notes))
    assert spec.notes[0] == "'volunteers' was read as a role"
    assert len(spec.notes) == 2 and len(spec.notes[1]) == MAX_TEXT_LENGTH


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"roles": [{"name": f"Role {i}"} for i in range(MAX_ROLES + 1)]}, "roles: 31 given"),
        ({"notes": [f"note {i}" for i in range(MAX_NOTES + 1)]}, "notes: 101 given"),
    ],
)
def test_role_and_note_limits(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        AppSpec.from_data(_spec(**extra))


def test_rule_limits_per_entity() -> None:
    rules = [{"fields": ["seats", "students"]}] * (MAX_UNIQUE_TOGETHER + 1)
    with pytest.raises(SpecError, match="21 unique_together rules given, at most 20"):
        AppSpec.from_data(_ruled(unique_together=rules))
    rules = [{"field": "seats", "op": "gt", "other": "class"}] * (MAX_COMPARISONS + 1)
    with pytest.raises(SpecError, match="21 comparisons given, at most 20"):
        AppSpec.from_data(_ruled(comparisons=rules))


def test_unique_rules_follow_the_names_the_sanitiser_chose() -> None:
    rules = [
        {"fields": ["Students", "Course Taken"]},  # relation spellings: target, given name
        {"fields": ["class", "user"], "message": "  One   per class "},  # reserved, the owner
        {"fields": ["student"], "when_true": "Active"},
    ]
    data = _ruled(unique_together=rules)
    data.update(roles=[{"name": "Teacher", "description": "Runs courses"}], notes=["A note."])
    spec = AppSpec.from_data(data)
    enrollment = _enrollment(spec)
    assert [(r.fields, r.when_true, r.message) for r in enrollment.unique_together] == [
        (["student", "course_taken"], None, ""),
        (["class_value", "owner"], None, "One per class"),
        (["student"], "active", ""),
    ]
    for text in (spec.to_yaml(), spec.to_json()):
        again = AppSpec.from_text(text)
        assert again == spec and again.warnings == spec.warnings
        assert (again.roles[0].name, again.notes) == ("Teacher", ["A note."])


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"fields": ["teacher"]},
            "Enrollment.unique_together[0]: 'teacher' is not a field or a many-to-one/one-to-one "
            "relationship of Enrollment (it has: start_date, end_date, class_value, seats, fee, "
            "starts_at, opens, active, level, notes, code, student, course_taken, owner)",
        ),
        ({"fields": []}, "Enrollment.unique_together[0]: name at least one field or relationship"),
        (
            {"fields": ["courses"]},
            "Enrollment.unique_together[0]: 'courses' is a many-to-many relationship; a unique "
            "rule can only name fields and many-to-one or one-to-one relationships",
        ),
        (
            {"fields": ["notes", "student"]},
            "Enrollment.unique_together[0]: 'notes' is a json field, which cannot be part of a "
            "unique rule",
        ),
        (
            {"fields": ["student"], "when_true": "seats"},
            "Enrollment.unique_together[0]: when_true 'seats' must be a boolean (yes/no) field "
            "of Enrollment",
        ),
        (
            {"fields": ["student"], "when_true": "paid"},
            "Enrollment.unique_together[0]: when_true 'paid' must be a boolean (yes/no) field "
            "of Enrollment",
        ),
    ],
)
def test_a_unique_rule_that_cannot_be_kept_is_a_spec_error(
    rule: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        AppSpec.from_data(_ruled(unique_together=[rule]))
    assert caught.value.messages == [message]


@pytest.mark.parametrize(
    ("rules", "warning"),
    [
        (
            [{"fields": ["student", "seats"]}, {"fields": ["seats", "students"]}],
            "Enrollment.unique_together[1]: the same rule as Enrollment.unique_together[0]; "
            "it was dropped.",
        ),
        (
            [{"fields": ["code", "student"]}],
            "Enrollment.unique_together[0]: 'code' is unique on its own, so the rule adds "
            "nothing; it was dropped.",
        ),
        (
            [{"fields": ["level", "active"]}],
            "Enrollment.unique_together[0]: a unique rule over enum and yes/no fields alone "
            "allows only a few rows; it was dropped.",
        ),
    ],
)
def test_a_unique_rule_that_adds_nothing_is_dropped_with_a_warning(
    rules: list[dict[str, Any]], warning: str
) -> None:
    spec = AppSpec.from_data(_ruled(unique_together=rules))
    assert len(_enrollment(spec).unique_together) == len(rules) - 1
    assert warning in spec.warnings


def test_a_flag_alone_can_make_one_row_special() -> None:
    rule = {"fields": ["active"], "when_true": "active"}  # "only one active enrollment"
    spec = AppSpec.from_data(_ruled(unique_together=[rule]))
    assert _enrollment(spec).unique_together[0].fields == ["active"]


def test_comparisons_follow_renames_and_drop_duplicates() -> None:
    rules = [
        {"field": "end date", "op": "gt", "other": "Start Date", "message": " After! "},
        {"field": "start_date", "op": "lt", "other": "end_date"},  # the same rule, mirrored
        {"field": "seats", "op": "gte", "other": "class"},  # renamed to class_value
        {"field": "fee", "op": "lte", "other": "seats"},  # decimal with integer
    ]
    spec = AppSpec.from_data(_ruled(comparisons=rules))
    comparisons = _enrollment(spec).comparisons
    assert [(c.field, c.op, c.other, c.message) for c in comparisons] == [
        ("end_date", "gt", "start_date", "After!"),
        ("seats", "gte", "class_value", ""),
        ("fee", "lte", "seats", ""),
    ]
    assert (
        "Enrollment.comparisons[1]: the same rule as Enrollment.comparisons[0]; it was dropped."
        in spec.warnings
    )
    again = AppSpec.from_text(spec.to_json())
    assert again == spec and again.warnings == spec.warnings


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"field": "finish", "op": "gt", "other": "start_date"},
            "Enrollment.comparisons[0]: 'finish' is not a field of Enrollment",
        ),
        (
            {"field": "student", "op": "gt", "other": "start_date"},
            "Enrollment.comparisons[0]: 'student' is a relationship; comparisons are between "
            "two fields",
        ),
        (
            {"field": "code", "op": "gt", "other": "start_date"},
            "Enrollment.comparisons[0]: 'code' is a string field; only numbers, dates, "
            "date-times and times can be compared",
        ),
        (
            {"field": "start_date", "op": "gte", "other": "start date"},
            "Enrollment.comparisons[0]: compares 'start_date' with itself",
        ),
        (
            {"field": "starts_at", "op": "gt", "other": "start_date"},
            "Enrollment.comparisons[0]: 'starts_at' (datetime) and 'start_date' (date) cannot be "
            "compared: both must be numbers, or both dates, date-times or times",
        ),
        (
            {"field": "opens", "op": "lt", "other": "seats"},
            "Enrollment.comparisons[0]: 'opens' (time) and 'seats' (integer) cannot be "
            "compared: both must be numbers, or both dates, date-times or times",
        ),
    ],
)
def test_a_comparison_that_cannot_be_kept_is_a_spec_error(
    rule: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        AppSpec.from_data(_ruled(comparisons=[rule]))
    assert caught.value.messages == [message]


def test_an_unknown_operator_is_a_spec_error() -> None:
    rule = {"field": "end_date", "op": "after", "other": "start_date"}
    with pytest.raises(SpecError, match=r"comparisons\.0\.op"):
        AppSpec.from_data(_ruled(comparisons=[rule]))


def test_comparisons_that_go_round_in_a_circle_are_a_spec_error() -> None:
    rules = [
        {"field": "seats", "op": "gt", "other": "class"},
        {"field": "fee", "op": "gte", "other": "seats"},
        {"field": "class", "op": "gte", "other": "fee"},
    ]
    with pytest.raises(SpecError) as caught:
        AppSpec.from_data(_ruled(comparisons=rules))
    assert caught.value.messages == [
        "Enrollment.comparisons: the rules go round in a circle (seats > class_value >= fee >= "
        "seats), so no row could meet them all"
    ]


def test_comparisons_the_bounds_leave_no_room_for_are_a_spec_error() -> None:
    data = _ruled(
        comparisons=[
            {"field": "seats", "op": "gt", "other": "class"},
            {"field": "class", "op": "gt", "other": "fee"},
        ]
    )
    seats = data["entities"][2]["fields"][3]
    seats["max_value"] = 5  # class (0..10) must sit between fee and seats: fee < class < 5
    fee = data["entities"][2]["fields"][4]
    fee["min_value"] = 3.5  # fee >= 3.5, so class >= 4 and seats >= 5: still fits
    assert AppSpec.from_data(data)
    fee["min_value"] = 4  # class >= 5, seats >= 6 > 5
    with pytest.raises(SpecError) as caught:
        AppSpec.from_data(data)
    assert caught.value.messages == [
        "Enrollment.comparisons: no value of 'fee' meets both its own minimum/maximum and the "
        "comparisons"
    ]


def test_a_comparison_the_bounds_always_keep_is_dropped_with_a_warning() -> None:
    data = _ruled(comparisons=[{"field": "seats", "op": "gte", "other": "class"}])
    data["entities"][2]["fields"][3]["min_value"] = 10  # class is at most 10
    spec = AppSpec.from_data(data)
    assert _enrollment(spec).comparisons == []
    assert (
        "Enrollment.comparisons[0]: 'seats' is at least 'class_value' whatever values their "
        "minimum and maximum allow; the rule was dropped." in spec.warnings
    )


def test_comparison_values_meet_every_rule_and_bound() -> None:
    data = _ruled(
        comparisons=[
            {"field": "seats", "op": "gt", "other": "class"},
            {"field": "fee", "op": "lt", "other": "class"},
            {"field": "end_date", "op": "gte", "other": "start_date"},
        ]
    )
    data["entities"][2]["fields"][4].update(min_value=0.5, max_value=0.75)
    values = comparison_values(_enrollment(AppSpec.from_data(data)))
    assert values == {
        "fee": Fraction("0.75"),  # as near 1 as its maximum allows, on its own grid (cents)
        "class_value": 1,
        "seats": 2,
        "start_date": 0,
        "end_date": 0,
    }


def test_the_json_schema_describes_roles_notes_and_rules() -> None:
    schema = spec_json_schema()
    assert {"roles", "notes"} <= set(schema["properties"])
    entity = schema["$defs"]["Entity"]["properties"]
    assert {"unique_together", "comparisons"} <= set(entity)
    assert schema["$defs"]["Comparison"]["properties"]["op"]["enum"] == ["gt", "gte", "lt", "lte"]
    assert set(schema["$defs"]["UniqueTogether"]["properties"]) == {
        "fields",
        "when_true",
        "message",
    }


def test_yaml_in_flow_style_is_read_and_its_errors_are_yamls() -> None:
    assert AppSpec.from_text("{name: Shop, entities: [{name: Item}]}").name == "Shop"
    with pytest.raises(SpecError) as caught:
        AppSpec.from_text("{not: [valid yaml")
    assert "flow sequence" in caught.value.messages[0]


def test_a_field_name_that_had_to_change_more_than_its_spelling_is_warned_about() -> None:
    spec = AppSpec.from_data(
        {
            "name": "Shop",
            "entities": [
                {"name": "Item", "fields": [{"name": "2 for 1"}, {"name": "unitPrice"}]},
            ],
        }
    )
    item = spec.entity("Item")
    assert item is not None and [f.name for f in item.fields] == ["f_2_for_1", "unit_price"]
    assert spec.warnings == [
        "Item: field '2 for 1' is named 'f_2_for_1' (a name of letters, digits and underscores "
        "that starts with a letter)."
    ]
