"""Spec diffs in words (renames read as renames) and file diffs with their counts."""

from __future__ import annotations

from typing import Any

import pytest

from generator.engine.changes import read_change
from generator.engine.diffing import MAX_DIFF_LINES, data_loss, diff_counts, file_diff, spec_diff
from generator.engine.editing import apply_ops
from generator.engine.spec import AppSpec
from generator.engine.versions import Renames


@pytest.fixture
def clinic() -> AppSpec:
    return AppSpec.from_data(
        {
            "name": "Vet Clinic",
            "entities": [
                {"name": "Client", "fields": [{"name": "name"}, {"name": "phone"}]},
                {
                    "name": "Visit",
                    "fields": [
                        {"name": "starts_at", "type": "datetime"},
                        {"name": "ends_at", "type": "datetime"},
                    ],
                },
                {"name": "Dog", "fields": [{"name": "name"}]},
            ],
            "relationships": [
                {"source": "Dog", "target": "Client"},
                {"source": "Visit", "target": "Dog"},
            ],
            "features": [
                {"name": "Manage records", "category": "crud", "entities": ["Client", "Dog"]}
            ],
            "roles": [{"name": "Vet"}],
        }
    )


def _edit(spec: AppSpec, *ops: dict[str, Any]) -> tuple[AppSpec, Renames]:
    edited = apply_ops(spec, list(ops))
    return edited.spec, edited.renames


def _summaries(diff: dict[str, Any], side: str) -> list[str]:
    return [item["summary"] for item in diff[side]]


def test_no_change_is_an_empty_diff(clinic: AppSpec) -> None:
    assert spec_diff(clinic, clinic) == {"added": [], "removed": [], "changed": []}


def test_an_added_entity_field_and_link(clinic: AppSpec) -> None:
    new = read_change(
        clinic,
        "add a due date to visits. Add a Review with a rating from 1 to 5 for each dog",
    ).spec
    diff = spec_diff(clinic, new)
    assert [(i["kind"], i["name"]) for i in diff["added"]] == [
        ("entity", "Review"),
        ("field", "Visit.due_date"),
        ("relationship", "Review.dog"),
    ]
    assert _summaries(diff, "added") == [
        "Added Review with rating.",
        "Added Visit.due_date (date, optional).",
        "Added a link: each Review belongs to one Dog.",
    ]
    review = diff["added"][0]
    assert review["before"] is None and review["after"]["fields"][0]["max_value"] == 5
    # the CRUD feature now covers Review
    assert _summaries(diff, "changed") == ["Manage records: now for Review."]


def test_a_removed_entity_takes_its_fields_and_links_with_it(clinic: AppSpec) -> None:
    new, renames = _edit(clinic, {"op": "remove_entity", "name": "Dog"})
    diff = spec_diff(clinic, new, renames)
    assert [(i["kind"], i["name"]) for i in diff["removed"]] == [
        ("entity", "Dog"),
        ("relationship", "Dog.client"),
        ("relationship", "Visit.dog"),
    ]
    assert diff["removed"][0]["summary"] == "Removed Dog with name."
    assert diff["added"] == []


def test_an_entity_rename_is_one_change(clinic: AppSpec) -> None:
    new, renames = _edit(clinic, {"op": "rename_entity", "old": "Client", "new": "Customer"})
    diff = spec_diff(clinic, new, renames)
    assert diff["added"] == [] and diff["removed"] == []
    assert diff["changed"] == [
        {
            "kind": "entity",
            "name": "Customer",
            "summary": "Client renamed to Customer.",
            "before": {"name": "Client"},
            "after": {"name": "Customer"},
            "properties": ["name"],
        }
    ]


def test_without_renames_a_rename_is_a_removal_and_an_addition(clinic: AppSpec) -> None:
    new, _ = _edit(clinic, {"op": "rename_entity", "old": "Client", "new": "Customer"})
    diff = spec_diff(clinic, new)
    assert [i["name"] for i in diff["removed"]] == ["Client", "Dog.client"]
    assert [i["name"] for i in diff["added"]] == ["Customer", "Dog.customer"]


def test_a_field_rename_and_changes_list_the_properties(clinic: AppSpec) -> None:
    new, renames = _edit(
        clinic,
        {"op": "rename_field", "entity": "Client", "old": "phone", "new": "mobile"},
        {
            "op": "change_field",
            "entity": "Client",
            "name": "mobile",
            "changes": {"required": False},
        },
        {
            "op": "change_field",
            "entity": "Dog",
            "name": "name",
            "changes": {"type": "enum", "choices": ["Rex", "Fido"]},
        },
    )
    diff = spec_diff(clinic, new, renames)
    assert diff["added"] == [] and diff["removed"] == []
    mobile, dog_name = diff["changed"]
    assert mobile["name"] == "Client.mobile"
    assert mobile["summary"] == "Client.phone renamed to mobile; now optional."
    assert mobile["properties"] == ["name", "required"]
    assert (mobile["before"], mobile["after"]) == (
        {"name": "phone", "required": True},
        {"name": "mobile", "required": False},
    )
    assert dog_name["summary"] == (
        "Dog.name: type string → enum; max length 200 → 20; choices rex and fido."
    )
    assert dog_name["properties"] == ["type", "max_length", "choices"]


def test_an_access_change_says_who_reads(clinic: AppSpec) -> None:
    new, renames = _edit(clinic, {"op": "set_access", "entity": "Dog", "access": "signed_in"})
    (dog,) = spec_diff(clinic, new, renames)["changed"]
    assert dog["summary"] == "Dog is read by every signed-in user."
    assert (dog["before"], dog["after"]) == ({"access": "auto"}, {"access": "signed_in"})


def test_a_link_turned_around_is_one_change(clinic: AppSpec) -> None:
    new, renames = _edit(
        clinic, {"op": "change_relationship", "source": "Dog", "target": "Client", "reverse": True}
    )
    diff = spec_diff(clinic, new, renames)
    assert diff["added"] == [] and diff["removed"] == []
    (item,) = diff["changed"]
    assert item["kind"] == "relationship"
    assert item["summary"] == (
        "The link between Client and Dog turned around: each Client belongs to one Dog; "
        "now optional."
    )
    assert item["properties"] == ["source", "target", "name", "required"]


def test_a_link_made_many_to_many(clinic: AppSpec) -> None:
    new, renames = _edit(
        clinic,
        {
            "op": "change_relationship",
            "source": "Visit",
            "target": "Dog",
            "changes": {"kind": "many_to_many"},
        },
    )
    (item,) = spec_diff(clinic, new, renames)["changed"]
    assert item["name"] == "Visit.dogs"
    assert item["summary"] == (
        "Visit.dogs changed: Visit and Dog are linked many-to-many; now optional."
    )


def test_an_entity_rename_does_not_report_what_follows_from_it(clinic: AppSpec) -> None:
    new, renames = _edit(clinic, {"op": "rename_entity", "old": "Dog", "new": "Pet"})
    diff = spec_diff(clinic, new, renames)
    assert [i["kind"] for i in diff["changed"]] == ["entity"]


def test_rules_roles_and_features(clinic: AppSpec) -> None:
    new, renames = _edit(
        clinic,
        {"op": "add_comparison", "entity": "Visit", "field": "ends_at", "other": "starts_at"},
        {"op": "add_unique_together", "entity": "Dog", "fields": ["name", "client"]},
        {"op": "remove_role", "name": "Vet"},
        {"op": "add_role", "name": "Nurse"},
        {"op": "add_feature", "name": "Search", "category": "search", "entities": ["Dog"]},
    )
    diff = spec_diff(clinic, new, renames)
    assert [(i["kind"], i["name"]) for i in diff["added"]] == [
        ("rule", "Dog: one per name and client"),
        ("rule", "Visit: ends_at after starts_at"),
        ("role", "Nurse"),
        ("feature", "Search"),
    ]
    assert _summaries(diff, "added")[-1] == "Added the feature Search for Dog."
    assert [(i["kind"], i["name"]) for i in diff["removed"]] == [("role", "Vet")]
    # a renamed field keeps its rules: nothing added or removed
    later, more = _edit(
        new, {"op": "rename_field", "entity": "Visit", "old": "ends_at", "new": "finishes_at"}
    )
    assert [i["kind"] for i in spec_diff(new, later, more)["changed"]] == ["field"]


def test_what_a_role_manages_is_a_change_and_follows_renames(clinic: AppSpec) -> None:
    data = clinic.to_dict()
    data["roles"][0]["manages"] = ["Dog"]
    managing = AppSpec.from_data(data)
    (vet,) = spec_diff(clinic, managing)["changed"]
    assert vet["summary"] == "The role Vet manages Dog."
    assert (vet["before"], vet["after"]) == ({"manages": None}, {"manages": ["Dog"]})
    renamed, renames = _edit(managing, {"op": "rename_entity", "old": "Dog", "new": "Pet"})
    assert [i["kind"] for i in spec_diff(managing, renamed, renames)["changed"]] == ["entity"]


def test_the_diff_from_an_empty_spec_adds_everything(clinic: AppSpec) -> None:
    diff = spec_diff(AppSpec(name=clinic.name), clinic)
    assert [i["kind"] for i in diff["added"]] == [
        "entity",
        "entity",
        "entity",
        "relationship",
        "relationship",
        "role",
        "feature",
    ]
    assert diff["removed"] == [] and diff["changed"] == []


def test_the_order_is_fixed(clinic: AppSpec) -> None:
    new = read_change(clinic, "add a zebra to dogs. add an apple to clients. add tags to dogs").spec
    first, second = spec_diff(clinic, new), spec_diff(clinic, new)
    assert first == second
    assert [i["name"] for i in first["added"]] == [
        "Tag",
        "Client.apple",
        "Dog.zebra",
        "Dog.tags",
    ]


# --- files ----------------------------------------------------------------------------------


def test_file_diff_statuses_counts_and_order() -> None:
    old = {"b.py": "x = 1\ny = 2\n", "gone.txt": "bye\n", "same.py": "pass\n"}
    new = {"b.py": "x = 1\ny = 3\nz = 4\n", "a/new.py": "print()\n", "same.py": "pass\n"}
    files = file_diff(old, new)
    assert [(f["path"], f["status"], f["additions"], f["deletions"]) for f in files] == [
        ("a/new.py", "added", 1, 0),
        ("b.py", "modified", 2, 1),
        ("gone.txt", "removed", 0, 1),
    ]
    assert files[1]["diff"] == (
        "--- a/b.py\n+++ b/b.py\n@@ -1,2 +1,3 @@\n x = 1\n-y = 2\n+y = 3\n+z = 4\n"
    )
    assert files[0]["diff"].startswith("--- /dev/null\n+++ b/a/new.py\n")
    assert not any(f["summarised"] for f in files)
    assert diff_counts(files) == {"files": 3, "additions": 3, "deletions": 2}


def test_file_diff_context_and_a_missing_final_newline() -> None:
    old = "\n".join(str(i) for i in range(20)) + "\n"
    new = old.replace("10\n", "ten\n")
    (narrow,) = file_diff({"f": old}, {"f": new}, context=1)
    assert "@@ -10,3 +10,3 @@" in narrow["diff"]
    (ending,) = file_diff({"f": "a\n"}, {"f": "a"})
    assert ending["diff"].endswith("-a\n+a\n\\ No newline at end of file\n")
    assert (ending["additions"], ending["deletions"]) == (1, 1)


def test_binary_and_huge_files_are_summarised() -> None:
    huge_old = "".join(f"line {i}\n" for i in range(MAX_DIFF_LINES + 1))
    huge_new = huge_old.replace("line 5\n", "line five\n")
    files = file_diff(
        {"logo.png": "\x89PNG\x00\x01", "big.txt": huge_old},
        {"logo.png": "\x89PNG\x00\x02", "big.txt": huge_new},
    )
    big, logo = files
    assert big["summarised"] and logo["summarised"]
    assert logo["diff"] == "Binary files a/logo.png and b/logo.png differ\n"
    assert (big["additions"], big["deletions"]) == (1, 1)
    assert big["diff"] == "big.txt is too large to show (10,001 lines): +1 -1\n"


def test_no_files_changed() -> None:
    assert file_diff({"a": "1"}, {"a": "1"}) == []
    assert diff_counts([]) == {"files": 0, "additions": 0, "deletions": 0}


def test_data_loss_names_what_a_migrated_database_loses(clinic: AppSpec) -> None:
    new, renames = _edit(
        clinic,
        {"op": "remove_entity", "name": "Visit"},
        {"op": "remove_field", "entity": "Client", "name": "phone"},
        {"op": "change_field", "entity": "Dog", "name": "name", "changes": {"type": "integer"}},
        {"op": "change_relationship", "source": "Dog", "target": "Client", "reverse": True},
    )

    assert data_loss(spec_diff(clinic, new, renames)) == [
        "Every stored Visit is deleted with its table.",
        "The stored values of Client.phone are deleted.",
        "The stored links of Visit.dog are deleted.",
        "Dog.name changes from string to integer: stored values are converted, and one that "
        "cannot be stops the migration.",
        "The stored links of Dog.client are deleted: the link changes shape.",
    ]
    assert data_loss(spec_diff(clinic, _edit(clinic, {"op": "add_role", "name": "Nurse"})[0])) == []
