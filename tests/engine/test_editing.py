"""Spec operations: each edit, what it implies, the renames it records and the errors it gives."""

from __future__ import annotations

from typing import Any

import pytest

from generator.engine.editing import (
    OP_NAMES,
    AddEntity,
    EditError,
    RenameEntity,
    apply_ops,
    op_json_schema,
    parse_ops,
)
from generator.engine.spec import (
    USER,
    Access,
    AppSpec,
    FeatureCategory,
    FieldType,
    OnDelete,
    RelationKind,
)
from generator.engine.versions import Renames


@pytest.fixture
def clinic() -> AppSpec:
    """A small vet clinic: clients own dogs, dogs have visits, users write notes."""
    return AppSpec.from_data(
        {
            "name": "Vet Clinic",
            "entities": [
                {
                    "name": "Client",
                    "fields": [
                        {"name": "name"},
                        {"name": "email", "type": "email"},
                        {"name": "phone"},
                    ],
                },
                {
                    "name": "Dog",
                    "fields": [{"name": "name"}, {"name": "birth_date", "type": "date"}],
                },
                {
                    "name": "Visit",
                    "fields": [
                        {"name": "starts_at", "type": "datetime"},
                        {"name": "ends_at", "type": "datetime"},
                        {"name": "reason", "type": "text"},
                    ],
                    "comparisons": [{"field": "ends_at", "op": "gt", "other": "starts_at"}],
                    "unique_together": [{"fields": ["dog", "starts_at"]}],
                },
                {"name": "Note", "fields": [{"name": "body", "type": "text"}]},
            ],
            "relationships": [
                {"source": "Dog", "target": "Client"},
                {"source": "Visit", "target": "Dog"},
                {"source": "Note", "target": "User"},
            ],
            "features": [
                {"name": "Manage records", "category": "crud", "entities": ["Client", "Dog"]},
                {"name": "Search", "category": "search", "entities": ["Dog"]},
            ],
            "pages": [
                {"name": "Clients", "kind": "list", "path": "/clients/", "entity": "Client"},
            ],
            "roles": [{"name": "Vet"}],
            "warnings": ["'owner' is mentioned but was not modelled."],
            "notes": ["Dog was read as a record."],
        }
    )


def _problems(spec: AppSpec, ops: list[dict[str, Any]], **kw: Any) -> list[str]:
    with pytest.raises(EditError) as caught:
        apply_ops(spec, ops, **kw)
    return [str(problem) for problem in caught.value.errors]


def _link(spec: AppSpec, source: str, target: str) -> Any:
    return next(r for r in spec.relationships if r.source == source and r.target == target)


# --- entities ----------------------------------------------------------------------------------


def test_add_entity_with_fields_gets_pages_and_crud(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {
                "op": "add_entity",
                "name": "Category",
                "fields": [{"name": "name"}, {"name": "description", "type": "text"}],
            }
        ],
    )
    category = edited.spec.entity("Category")
    assert category is not None
    assert [(f.name, f.type) for f in category.fields] == [
        ("name", FieldType.STRING),
        ("description", FieldType.TEXT),
    ]
    assert "Category" in edited.spec.features[0].entities
    assert {p.path for p in edited.spec.pages if p.entity == "Category"} >= {
        "/categories/",
        "/categories/<id>/edit/",
    }
    assert edited.renames == Renames()


def test_add_entity_without_fields_gets_usual_ones_and_says_so(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "add_entity", "name": "Comment"}])
    comment = edited.spec.entity("Comment")
    assert comment is not None and [f.name for f in comment.fields] == ["body"]
    assert any("Comment was given no fields" in note for note in edited.notes)


def test_add_entity_that_exists_is_refused_in_any_spelling(clinic: AppSpec) -> None:
    for name in ("Client", "clients", "CLIENT"):
        assert _problems(clinic, [{"op": "add_entity", "name": name}]) == [
            "An entity named Client already exists."
        ]


def test_remove_entity_removes_its_links_and_says_so(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "remove_entity", "name": "dogs"}])
    spec = edited.spec
    assert spec.entity("Dog") is None
    assert all("Dog" not in (r.source, r.target) for r in spec.relationships)
    assert all("Dog" not in f.entities for f in spec.features)
    # Visit's unique rule named its link to Dog, so it went too
    visit = spec.entity("Visit")
    assert visit is not None and visit.unique_together == []
    assert any("Removing Dog also removed its links" in n for n in edited.notes)
    assert any("Visit's rule 'one per dog and starts_at' was removed" in n for n in edited.notes)


def test_remove_unknown_entity_lists_the_entities(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "remove_entity", "name": "Cat"}]) == [
        "There is no entity 'Cat' (the app has Client, Dog, Visit and Note)."
    ]


def test_rename_entity_cascades_to_links_features_pages(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "rename_entity", "old": "Client", "new": "Customer"}])
    spec = edited.spec
    assert spec.entity("Client") is None
    customer = spec.entity("Customer")
    assert customer is not None and customer.plural == "Customers"
    link = _link(spec, "Dog", "Customer")
    assert (link.name, link.related_name) == ("customer", "dogs")
    assert spec.features[0].entities == ["Customer", "Dog"]
    assert [p.entity for p in spec.pages] == ["Customer"]
    assert edited.renames.to_dict() == {
        "entities": {"Client": "Customer"},
        "fields": {"Dog": {"client": "customer"}},
    }


def test_rename_entity_moves_its_default_pages(clinic: AppSpec) -> None:
    added = apply_ops(clinic, [{"op": "add_entity", "name": "Category"}]).spec
    renamed = apply_ops(added, [{"op": "rename_entity", "old": "Category", "new": "Topic"}]).spec
    assert {p.path for p in renamed.pages if p.entity == "Topic"} == {
        "/topics/",
        "/topics/<id>/",
        "/topics/new/",
        "/topics/<id>/edit/",
        "/topics/<id>/delete/",
    }


def test_rename_entity_keeps_rules_on_a_renamed_link(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "rename_entity", "old": "Dog", "new": "Pet"}])
    visit = edited.spec.entity("Visit")
    assert visit is not None
    assert visit.unique_together[0].fields == ["pet", "starts_at"]
    assert _link(edited.spec, "Visit", "Pet").name == "pet"
    assert _link(edited.spec, "Pet", "Client").related_name == "pets"
    assert edited.renames.to_dict()["fields"] == {"Visit": {"dog": "pet"}}


def test_rename_entity_onto_another_is_refused(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "rename_entity", "old": "Client", "new": "dog"}]) == [
        "An entity named Dog already exists."
    ]


def test_renames_are_cumulative_and_only_of_things_that_existed(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {"op": "rename_entity", "old": "Client", "new": "Customer"},
            {"op": "rename_entity", "old": "Customer", "new": "Owner"},
            {"op": "rename_field", "entity": "Owner", "old": "phone", "new": "mobile"},
            {"op": "add_entity", "name": "Tag"},
            {"op": "rename_entity", "old": "Tag", "new": "Label"},
        ],
    )
    assert edited.renames.entities == {"Client": "Owner"}
    assert edited.renames.fields == {"Owner": {"phone": "mobile"}, "Dog": {"client": "owner"}}


# --- fields ------------------------------------------------------------------------------------


def test_add_field(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [{"op": "add_field", "entity": "Dog", "field": {"name": "Due Date", "type": "date"}}],
    )
    dog = edited.spec.entity("Dog")
    assert dog is not None and dog.field("due_date") is not None


def test_add_field_that_exists_or_clashes_with_a_link(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "add_field", "entity": "Dog", "field": {"name": "name"}}]) == [
        "Dog already has a field or link named 'name'."
    ]
    assert _problems(
        clinic, [{"op": "add_field", "entity": "Dog", "field": {"name": "client"}}]
    ) == ["Dog already has a field or link named 'client'."]


def test_add_enum_field_needs_choices(clinic: AppSpec) -> None:
    assert _problems(
        clinic, [{"op": "add_field", "entity": "Dog", "field": {"name": "size", "type": "enum"}}]
    ) == ["Give the choices of Dog.size, e.g. open, in progress, done."]


def test_remove_field_drops_rules_naming_it(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "remove_field", "entity": "Visit", "name": "starts_at"}])
    visit = edited.spec.entity("Visit")
    assert visit is not None
    assert visit.field("starts_at") is None
    assert visit.comparisons == [] and visit.unique_together == []
    assert any("'ends_at after starts_at'" in n for n in edited.notes)


def test_remove_unknown_field_says_what_the_entity_has(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "remove_field", "entity": "Dog", "name": "due"}]) == [
        "Dog has no field 'due' (it has name and birth_date)."
    ]


def test_remove_field_that_is_a_link_points_to_the_relationship(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "remove_field", "entity": "Dog", "name": "client"}]) == [
        "Dog.client is a link to Client: remove the relationship instead."
    ]


def test_rename_field_cascades_to_rules_and_display(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {"op": "rename_field", "entity": "Visit", "old": "starts_at", "new": "begins_at"},
            {"op": "rename_field", "entity": "Dog", "old": "name", "new": "call_name"},
        ],
    )
    visit, dog = edited.spec.entity("Visit"), edited.spec.entity("Dog")
    assert visit is not None and dog is not None
    assert (visit.comparisons[0].field, visit.comparisons[0].other) == ("ends_at", "begins_at")
    assert visit.unique_together[0].fields == ["dog", "begins_at"]
    assert dog.display_field == "call_name"
    assert dog.field("call_name") is not None and dog.fields[0].label == "call name"
    assert edited.renames.fields == {
        "Visit": {"starts_at": "begins_at"},
        "Dog": {"name": "call_name"},
    }


def test_rename_field_renames_a_link_too(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic, [{"op": "rename_field", "entity": "Dog", "old": "client", "new": "owner"}]
    )
    assert _link(edited.spec, "Dog", "Client").name == "owner"
    assert edited.renames.fields == {"Dog": {"client": "owner"}}


def test_change_field_settings(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {
                "op": "change_field",
                "entity": "clients",
                "name": "email",
                "changes": {"unique": True},
            },
            {
                "op": "change_field",
                "entity": "Client",
                "name": "phone",
                "changes": {"required": False},
            },
            {
                "op": "change_field",
                "entity": "Dog",
                "name": "name",
                "changes": {"max_length": 80, "label": "Call name", "help_text": "As it answers"},
            },
        ],
    )
    client, dog = edited.spec.entity("Client"), edited.spec.entity("Dog")
    assert client is not None and dog is not None
    assert client.field("email").unique is True  # type: ignore[union-attr]
    assert client.field("phone").required is False  # type: ignore[union-attr]
    name = dog.field("name")
    assert name is not None
    assert (name.max_length, name.label, name.help_text) == (80, "Call name", "As it answers")


def test_change_field_type_to_enum_and_back(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {
                "op": "change_field",
                "entity": "Visit",
                "name": "reason",
                "changes": {"type": "enum", "choices": ["Check-up", "Vaccination"]},
            }
        ],
    )
    reason = edited.spec.entity("Visit").field("reason")  # type: ignore[union-attr]
    assert reason is not None and reason.type == FieldType.ENUM
    assert [c.value for c in reason.choices] == ["check_up", "vaccination"]
    back = apply_ops(
        edited.spec,
        [{"op": "change_field", "entity": "Visit", "name": "reason", "changes": {"type": "text"}}],
    )
    text = back.spec.entity("Visit").field("reason")  # type: ignore[union-attr]
    assert text is not None and text.choices == [] and back.spec.warnings == edited.spec.warnings


def test_change_field_to_enum_without_choices_is_refused(clinic: AppSpec) -> None:
    assert _problems(
        clinic,
        [{"op": "change_field", "entity": "Dog", "name": "name", "changes": {"type": "enum"}}],
    ) == ["Give the choices of Dog.name, e.g. open, in progress, done."]


def test_change_field_type_drops_rules_it_cannot_keep(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {
                "op": "change_field",
                "entity": "Visit",
                "name": "ends_at",
                "changes": {"type": "string"},
            }
        ],
    )
    visit = edited.spec.entity("Visit")
    assert visit is not None and visit.comparisons == []
    assert visit.unique_together  # the unique rule does not name ends_at
    assert any("Visit.ends_at is now string" in n for n in edited.notes)


def test_change_field_clears_a_bound_with_none(clinic: AppSpec) -> None:
    spec = apply_ops(
        clinic,
        [
            {
                "op": "add_field",
                "entity": "Dog",
                "field": {"name": "weight", "type": "integer", "min_value": 1, "max_value": 90},
            },
            {
                "op": "change_field",
                "entity": "Dog",
                "name": "weight",
                "changes": {"max_value": None},
            },
        ],
    ).spec
    weight = spec.entity("Dog").field("weight")  # type: ignore[union-attr]
    assert weight is not None and (weight.min_value, weight.max_value) == (1, None)


def test_a_bad_setting_is_named(clinic: AppSpec) -> None:
    assert _problems(
        clinic,
        [{"op": "change_field", "entity": "Dog", "name": "name", "changes": {"colour": "red"}}],
    ) == ["change_field: 'changes.colour' is not a setting of change_field."]


# --- relationships -----------------------------------------------------------------------------


def test_a_link_added_to_an_existing_entity_is_optional(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic, [{"op": "add_relationship", "source": "Note", "target": "Dog", "required": True}]
    )
    link = _link(edited.spec, "Note", "Dog")
    assert link.required is False
    note = "Existing Note rows have no dog yet, so the link from Note to Dog is optional."
    assert note in edited.notes and note in edited.spec.notes


def test_a_link_from_a_new_entity_or_in_an_unbuilt_plan_stays_required(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {"op": "add_entity", "name": "Review"},
            {"op": "add_relationship", "source": "Review", "target": "Dog"},
        ],
    )
    assert _link(edited.spec, "Review", "Dog").required is True
    unbuilt = apply_ops(
        clinic, [{"op": "add_relationship", "source": "Note", "target": "Dog"}], keep_rows=False
    )
    assert _link(unbuilt.spec, "Note", "Dog").required is True


def test_a_required_field_added_to_a_table_with_rows_is_optional_unless_it_has_a_default(
    clinic: AppSpec,
) -> None:
    ops: list[dict[str, Any]] = [
        {"op": "add_field", "entity": "Dog", "field": {"name": "notes", "type": "text"}},
        {"op": "add_field", "entity": "Dog", "field": {"name": "size", "default": "small"}},
    ]
    edited = apply_ops(clinic, ops)
    dog = edited.spec.entity("Dog")
    assert dog is not None
    fields = {f.name: f for f in dog.fields}
    assert fields["notes"].required is False
    assert fields["size"].required is True  # its default fills the rows there are
    assert any("Dog.notes is optional" in note for note in edited.notes)
    unbuilt = apply_ops(clinic, ops, keep_rows=False).spec.entity("Dog")
    assert unbuilt is not None and all(f.required for f in unbuilt.fields if f.name == "notes")


def test_add_relationship_twice_needs_a_name(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "add_relationship", "source": "Dog", "target": "Client"}]) == [
        "Dog already has a link to Client; give this one a name."
    ]
    edited = apply_ops(
        clinic,
        [{"op": "add_relationship", "source": "Dog", "target": "Client", "name": "vet_contact"}],
    )
    assert {r.name for r in edited.spec.relationships_from("Dog")} == {"client", "vet_contact"}


def test_add_relationship_to_the_user_and_many_to_many(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {"op": "add_relationship", "source": "Dog", "target": "users", "name": "walker"},
            {"op": "add_relationship", "kind": "many_to_many", "source": "Dog", "target": "Visit"},
        ],
    )
    assert _link(edited.spec, "Dog", USER).name == "walker"
    assert _link(edited.spec, "Dog", "Visit").kind == RelationKind.MANY_TO_MANY


def test_remove_relationship_and_its_rules(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "remove_relationship", "source": "Visit", "target": "Dog"}])
    assert edited.spec.relationships_from("Visit") == []
    assert edited.spec.entity("Visit").unique_together == []  # type: ignore[union-attr]


def test_remove_a_link_that_goes_the_other_way_says_so(clinic: AppSpec) -> None:
    assert _problems(
        clinic, [{"op": "remove_relationship", "source": "Client", "target": "Dog"}]
    ) == ["There is no link from Client to Dog (there is one from Dog to Client)."]


def test_change_relationship_settings(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {
                "op": "change_relationship",
                "source": "Dog",
                "target": "Client",
                "changes": {"on_delete": "protect", "required": False},
            }
        ],
    )
    link = _link(edited.spec, "Dog", "Client")
    assert (link.on_delete, link.required) == (OnDelete.PROTECT, False)


def test_reverse_a_relationship(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [{"op": "change_relationship", "source": "Dog", "target": "Client", "reverse": True}],
    )
    link = _link(edited.spec, "Client", "Dog")
    assert (link.name, link.required) == ("dog", False)
    assert edited.spec.relationships_from("Dog") == []
    assert any("Existing Client rows have no dog yet" in n for n in edited.notes)


def test_a_link_to_the_user_cannot_be_reversed(clinic: AppSpec) -> None:
    assert _problems(
        clinic,
        [{"op": "change_relationship", "source": "Note", "target": "User", "reverse": True}],
    ) == [
        "A link to the built-in user cannot be turned around: users are not an entity of this app."
    ]


def test_change_kind_to_many_to_many_renames_and_drops_rules(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {
                "op": "change_relationship",
                "source": "Visit",
                "target": "Dog",
                "changes": {"kind": "many_to_many"},
            }
        ],
    )
    link = _link(edited.spec, "Visit", "Dog")
    assert (link.kind, link.name) == (RelationKind.MANY_TO_MANY, "dogs")
    assert edited.spec.entity("Visit").unique_together == []  # type: ignore[union-attr]
    assert edited.renames == Renames()  # a key is not a link table: nothing to rename


# --- roles, features, warnings, rules -----------------------------------------------------------


def test_roles(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic, [{"op": "add_role", "name": "receptionist"}, {"op": "remove_role", "name": "vets"}]
    )
    assert [r.name for r in edited.spec.roles] == ["Receptionist"]
    assert _problems(clinic, [{"op": "add_role", "name": "vet"}]) == [
        "A role named Vet already exists."
    ]
    assert _problems(clinic, [{"op": "remove_role", "name": "Nurse"}]) == [
        "There is no role 'Nurse' (the roles are: Vet)."
    ]


def test_access(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "set_access", "entity": "dogs", "access": "public"}])
    assert edited.spec.entity("Dog").access == Access.PUBLIC  # type: ignore[union-attr]
    assert edited.spec.entity("Client").access == Access.AUTO  # type: ignore[union-attr]
    assert _problems(clinic, [{"op": "set_access", "entity": "Cat", "access": "public"}]) == [
        "There is no entity 'Cat' (the app has Client, Dog, Visit and Note)."
    ]
    assert _problems(clinic, [{"op": "set_access", "entity": "Dog", "access": "everyone"}])


def test_what_roles_manage_follows_entity_renames_and_removals(clinic: AppSpec) -> None:
    data = clinic.to_dict()
    data["roles"][0]["manages"] = ["Dog", "Visit"]
    spec = AppSpec.from_data(data)
    edited = apply_ops(
        spec,
        [
            {"op": "rename_entity", "old": "Dog", "new": "Pet"},
            {"op": "remove_entity", "name": "Visit"},
        ],
    )
    assert edited.spec.roles[0].manages == ["Pet"]


def test_features(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {"op": "add_feature", "name": "Visit reminders", "category": "notifications"},
            {"op": "remove_feature", "name": "search"},
        ],
    )
    assert [f.category for f in edited.spec.features] == [
        FeatureCategory.CRUD,
        FeatureCategory.AUTHENTICATION,
        FeatureCategory.NOTIFICATIONS,
    ]
    assert _problems(clinic, [{"op": "remove_feature", "name": "Export"}]) == [
        "There is no feature 'Export' (the features are: 'Manage records', 'Search' and "
        "'User authentication')."
    ]


def test_sign_in_stays_while_records_belong_to_users(clinic: AppSpec) -> None:
    assert _problems(clinic, [{"op": "remove_feature", "name": "User authentication"}]) == [
        "Sign-in cannot be removed while records belong to users (Note)."
    ]


def test_dismiss_a_warning_or_a_note(clinic: AppSpec) -> None:
    edited = apply_ops(
        clinic,
        [
            {"op": "dismiss_warning", "text": "'owner' is mentioned  but was not modelled."},
            {"op": "dismiss_warning", "text": "Dog was read as a record."},
        ],
    )
    assert edited.spec.notes == []
    assert "'owner' is mentioned but was not modelled." not in edited.spec.warnings
    assert _problems(clinic, [{"op": "dismiss_warning", "text": "nothing like this"}]) == [
        "There is no such warning or note (it may have been dismissed already)."
    ]


def test_comparison_rules(clinic: AppSpec) -> None:
    spec = apply_ops(
        clinic,
        [
            {
                "op": "remove_comparison",
                "entity": "Visit",
                "field": "starts_at",
                "other": "ends_at",
            },
            {
                "op": "add_comparison",
                "entity": "Visit",
                "field": "ends_at",
                "compare": "gte",
                "other": "starts_at",
            },
        ],
    ).spec
    rule = spec.entity("Visit").comparisons[0]  # type: ignore[union-attr]
    assert (rule.field, rule.op, rule.other) == ("ends_at", "gte", "starts_at")
    assert _problems(
        clinic,
        [{"op": "add_comparison", "entity": "Visit", "field": "reason", "other": "starts_at"}],
    ) == [
        "Visit.comparisons[1]: 'reason' is a text field; only numbers, dates, date-times and "
        "times can be compared"
    ]


def test_unique_together_rules(clinic: AppSpec) -> None:
    spec = apply_ops(
        clinic,
        [
            {"op": "remove_unique_together", "entity": "Visit", "fields": ["starts_at", "dog"]},
            {"op": "add_unique_together", "entity": "Dog", "fields": ["name", "client"]},
        ],
    ).spec
    assert spec.entity("Visit").unique_together == []  # type: ignore[union-attr]
    assert spec.entity("Dog").unique_together[0].fields == ["name", "client"]  # type: ignore[union-attr]
    assert _problems(
        clinic, [{"op": "add_unique_together", "entity": "Dog", "fields": ["colour"]}]
    ) == ["Dog has no field 'colour' (it has name and birth_date)."]


# --- the list as a whole -----------------------------------------------------------------------


def test_nothing_is_changed_when_one_edit_fails(clinic: AppSpec) -> None:
    before = clinic.to_dict()
    with pytest.raises(EditError) as caught:
        apply_ops(
            clinic,
            [
                {"op": "add_entity", "name": "Tag"},
                {"op": "remove_field", "entity": "Tag", "name": "x"},
            ],
        )
    assert [(p.op_index, p.field) for p in caught.value.errors] == [(1, "name")]
    assert clinic.to_dict() == before


def test_bad_operations_are_each_named(clinic: AppSpec) -> None:
    with pytest.raises(EditError) as caught:
        parse_ops([{"op": "paint", "name": "x"}, {"name": "x"}, {"op": "add_role"}, "add"])  # type: ignore[list-item]
    problems = [(p.op_index, str(p)) for p in caught.value.errors]
    assert problems[0] == (0, f"Unknown edit 'paint' (known: {', '.join(OP_NAMES)}).")
    assert problems[1][0] == 1 and problems[1][1].startswith("Say which edit to make")
    assert problems[2] == (2, "add_role: 'name' is missing.")
    assert problems[3] == (3, "Each edit must be a mapping (a JSON object) with an 'op'.")


def test_ops_round_trip_as_data_and_have_a_schema() -> None:
    ops = parse_ops(
        [
            {"op": "add_entity", "name": "Tag", "fields": [{"name": "name", "unique": True}]},
            {"op": "change_field", "entity": "Tag", "name": "name", "changes": {"default": None}},
        ]
    )
    again = parse_ops([op.to_dict() for op in ops])
    assert again == ops
    assert again[1].to_dict()["changes"] == {"default": None}
    schema = op_json_schema()
    assert set(schema["items"]["discriminator"]["mapping"]) == set(OP_NAMES)


def test_typed_operations_can_be_passed_directly(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [AddEntity(name="Tag"), RenameEntity(old="Tag", new="Label")])
    assert edited.spec.entity("Label") is not None
    assert edited.renames == Renames()


def test_sanitiser_warnings_become_notes(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [{"op": "add_field", "entity": "Dog", "field": {"name": "class"}}])
    assert edited.spec.entity("Dog").field("class_value") is not None  # type: ignore[union-attr]
    assert any("'class' is a Python keyword" in n for n in edited.notes)


def test_an_empty_list_changes_nothing(clinic: AppSpec) -> None:
    edited = apply_ops(clinic, [])
    assert edited.spec == clinic and edited.renames == Renames() and edited.notes == []
