"""AppSpecs for the Django stack's tests: a rich one (every field type, every relation kind,
the user, a self-reference, a required cycle, roles and rules), one about roles and rules, and a
generated chain of N entities for timing."""

from __future__ import annotations

from typing import Any

from generator.engine.spec import AppSpec, FieldType

EVERY_FIELD: list[dict[str, Any]] = [
    {"name": "title", "type": "string", "max_length": 120},
    {
        "name": "body",
        "type": "text",
        "required": False,
        "help_text": 'Long {{ text }} with "quotes", {% tags %} and <b>html</b>',
    },
    {"name": "count", "type": "integer", "min_value": 0, "max_value": 1000},
    {
        "name": "price",
        "type": "decimal",
        "max_digits": 8,
        "decimal_places": 2,
        "min_value": 0.5,
        "default": "1.50",
    },
    {"name": "ratio", "type": "float", "required": False, "max_value": 1.5},
    {"name": "active", "type": "boolean", "default": True},
    {"name": "due", "type": "date", "required": False},
    {"name": "starts_at", "type": "datetime"},
    {"name": "at_time", "type": "time", "required": False},
    {"name": "contact", "type": "email", "unique": True, "label": "Contact e-mail {{ x }}"},
    {"name": "website", "type": "url", "required": False},
    {"name": "handle", "type": "slug", "unique": True, "required": False},
    {"name": "token", "type": "uuid"},
    {"name": "spare_token", "type": "uuid", "required": False},
    {"name": "extra", "type": "json", "required": False},
    {"name": "attachment", "type": "file", "required": False},
    {"name": "picture", "type": "image", "required": False},
    {
        "name": "status",
        "type": "enum",
        "default": "draft",
        "choices": [{"value": "draft", "label": "Draft ü"}, {"value": "done", "label": "Done 'x'"}],
    },
]
assert {f["type"] for f in EVERY_FIELD} == {t.value for t in FieldType}


def rich_spec(*, auth: bool) -> AppSpec:
    data: dict[str, Any] = {
        "name": "Rich Täsk App {{ x }}",
        "description": "Projects with {{ tasks }} & <b>tags</b>.",
        "entities": [
            {
                "name": "Project",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "kind", "type": "enum", "choices": [{"value": "a"}, {"value": "b"}]},
                    {
                        "name": "budget",
                        "type": "decimal",
                        "max_digits": 4,
                        "decimal_places": 2,
                        "required": False,
                    },
                ],
            },
            {
                "name": "Task",
                "fields": EVERY_FIELD,
                "display_field": "title",
                "description": "Something to do.",
                "unique_together": [{"fields": ["project", "title"]}],
                "comparisons": [
                    {
                        "field": "count",
                        "op": "gte",
                        "other": "price",
                        "message": 'Count {{ x }} must cover the "price" | {% tag %}',
                    },
                    {"field": "ratio", "op": "lt", "other": "price"},
                ],
            },
            {
                "name": "Tag",
                "fields": [{"name": "label", "type": "string", "unique": True, "max_length": 3}],
            },
            {
                "name": "Category",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "attachment", "type": "file"},
                ],
                "unique_together": [{"fields": ["parent", "name"]}],  # a self-reference
            },
            {
                "name": "Profile",
                "fields": [{"name": "bio", "type": "text"}, {"name": "avatar", "type": "image"}],
            },
            {
                "name": "Counter",
                "fields": [{"name": "flag", "type": "boolean"}],
                "unique_together": [{"fields": ["task"], "when_true": "flag"}],  # optional FK
            },
            {"name": "Empty", "fields": []},
        ],
        "relationships": [
            {"kind": "many_to_one", "source": "Task", "target": "Project"},
            {"kind": "many_to_many", "source": "Task", "target": "Tag"},
            {"kind": "many_to_one", "source": "Category", "target": "Category", "name": "parent"},
            {"kind": "one_to_one", "source": "Profile", "target": "Project"},
            {"kind": "many_to_many", "source": "Category", "target": "Category", "name": "related"},
            {
                "kind": "many_to_one",
                "source": "Project",
                "target": "Category",
                "on_delete": "protect",
            },
            # closes a required cycle Project -> Category -> Project
            {
                "kind": "many_to_one",
                "source": "Category",
                "target": "Project",
                "name": "home_project",
            },
            {"kind": "many_to_one", "source": "Counter", "target": "Task", "on_delete": "set_null"},
        ],
        "roles": [
            {"name": "Volunteer", "description": 'Helps {{ out }} at "events" | sometimes'},
            {"name": "event coordinators"},
        ],
    }
    if auth:
        data["relationships"] += [
            {"kind": "many_to_one", "source": "Task", "target": "User"},
            {
                "kind": "many_to_one",
                "source": "Task",
                "target": "User",
                "name": "assignee",
                "required": False,
            },
            {"kind": "one_to_one", "source": "Profile", "target": "User"},
            {"kind": "many_to_many", "source": "Project", "target": "User", "name": "members"},
        ]
        task = data["entities"][1]
        task["unique_together"].append({"fields": ["user", "due"]})  # the owner, by its target
    return AppSpec.from_data(data)


def rules_spec() -> AppSpec:
    """Roles, notes, and every kind of rule: unique (plain, per owner, with a flag, a flag alone)
    and comparisons of numbers, decimals, floats, dates, date-times and times."""
    return AppSpec.from_data(
        {
            "name": "Course Hub",
            "roles": [
                # manages no shared data; the coordinator manages all but students (staff's)
                {"name": "Volunteer", "description": "Helps at events", "manages": []},
                {"name": "coordinator", "manages": ["Course", "Question", "Option"]},
            ],
            "notes": ["'volunteers' was read as a user role, not a table"],
            "entities": [
                {
                    "name": "Course",
                    "fields": [
                        {"name": "title"},
                        {"name": "min seats", "type": "integer", "min_value": 1},
                        {"name": "max seats", "type": "integer", "max_value": 100},
                        {"name": "price", "type": "decimal", "min_value": 0},
                        {"name": "discount price", "type": "decimal", "required": False},
                    ],
                    "comparisons": [
                        {"field": "max seats", "op": "gte", "other": "min seats"},
                        {
                            "field": "discount price",
                            "op": "lt",
                            "other": "price",
                            "message": "A discount must be cheaper than the price.",
                        },
                    ],
                },
                {"name": "Student", "fields": [{"name": "name"}]},
                {
                    "name": "Enrollment",
                    "fields": [
                        {"name": "start date", "type": "date"},
                        {"name": "end date", "type": "date", "required": False},
                        {"name": "active", "type": "boolean"},
                        {"name": "starts at", "type": "time", "required": False},
                        {"name": "ends at", "type": "time", "required": False},
                    ],
                    "unique_together": [
                        {"fields": ["student", "course"]},
                        {"fields": ["course"], "when_true": "active"},
                        {"fields": ["owner", "start date"]},
                    ],
                    "comparisons": [
                        {"field": "end date", "op": "gt", "other": "start_date"},
                        {"field": "ends at", "op": "gt", "other": "starts at"},
                    ],
                },
                {"name": "Question", "fields": [{"name": "text"}]},
                {
                    "name": "Option",
                    "fields": [
                        {"name": "label"},
                        {"name": "is correct", "type": "boolean"},
                        {"name": "opens", "type": "datetime"},
                        {"name": "closes", "type": "datetime", "required": False},
                        {"name": "ratio", "type": "float", "min_value": 0, "max_value": 1},
                        {"name": "ceiling", "type": "float", "min_value": 0, "max_value": 1},
                    ],
                    "unique_together": [
                        {"fields": ["question"], "when_true": "is correct"},
                        {"fields": ["is_correct"], "when_true": "is_correct"},
                    ],
                    "comparisons": [
                        {"field": "closes", "op": "gte", "other": "opens"},
                        {"field": "ratio", "op": "lt", "other": "ceiling"},
                    ],
                },
            ],
            "relationships": [
                {"source": "Enrollment", "target": "Student"},
                {"source": "Enrollment", "target": "Course"},
                {"source": "Enrollment", "target": "User"},
                {"source": "Option", "target": "Question"},
            ],
        }
    )


def courses_spec() -> AppSpec:
    """Ownership through parents: a teacher's course, its lessons and their quizzes; shared tags;
    a note with its own author and an optional lesson. Courses are public (anyone reads them)."""
    return AppSpec.from_data(
        {
            "name": "Courses",
            "features": [{"name": "Sign-in", "category": "authentication"}],
            "entities": [
                {
                    "name": "Course",
                    "fields": [{"name": "title", "type": "string"}],
                    "access": "public",
                },
                {"name": "Lesson", "fields": [{"name": "title", "type": "string"}]},
                {"name": "Quiz", "fields": [{"name": "title", "type": "string"}]},
                {"name": "Tag", "fields": [{"name": "name", "type": "string"}]},
                {"name": "Note", "fields": [{"name": "body", "type": "text"}]},
            ],
            "relationships": [
                {"kind": "many_to_one", "source": "Course", "target": "User", "name": "teacher"},
                {"kind": "many_to_one", "source": "Lesson", "target": "Course"},
                {"kind": "many_to_one", "source": "Quiz", "target": "Lesson"},
                # a shorter way to the teacher than through the lesson, but optional
                {"kind": "many_to_one", "source": "Quiz", "target": "Course", "required": False},
                {"kind": "many_to_many", "source": "Quiz", "target": "Tag"},
                {"kind": "many_to_one", "source": "Note", "target": "User", "name": "author"},
                {"kind": "many_to_one", "source": "Note", "target": "Lesson", "required": False},
                {
                    "kind": "many_to_one",
                    "source": "Course",
                    "target": "Tag",
                    "name": "topic",
                    "required": False,
                },
            ],
        }
    )


def chain_spec(count: int) -> AppSpec:
    """``count`` entities of ten fields, each linked to the one before; a third owned by users."""
    entities, relationships = [], []
    for i in range(count):
        entities.append(
            {
                "name": f"Thing {i}",
                "fields": [
                    {"name": "title", "type": "string"},
                    {"name": "notes", "type": "text", "required": False},
                    {"name": "amount", "type": "decimal", "min_value": 0},
                    {"name": "quantity", "type": "integer", "max_value": 100},
                    {
                        "name": "state",
                        "type": "enum",
                        "choices": [{"value": "new"}, {"value": "old"}],
                    },
                    {"name": "day", "type": "date", "required": False},
                    {"name": "flag", "type": "boolean"},
                    {"name": "email", "type": "email", "required": False},
                    {"name": "picture", "type": "image", "required": False},
                    {"name": "data", "type": "json", "required": False},
                ],
            }
        )
        if i:
            relationships.append({"source": f"Thing {i}", "target": f"Thing {i - 1}"})
        if i % 3 == 0:
            relationships.append({"source": f"Thing {i}", "target": "User"})
        if i % 4 == 1:
            relationships.append(
                {
                    "kind": "many_to_many",
                    "source": f"Thing {i}",
                    "target": f"Thing {i // 2}",
                    "name": "links",
                }
            )
    return AppSpec.from_data(
        {"name": f"Chain of {count}", "entities": entities, "relationships": relationships}
    )
