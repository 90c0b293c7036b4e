"""Synthetic AppSpecs of any size for the benchmarks: varied field types and relationships.

Entity ``i`` has a name field plus four fields drawn from a rotation of every field type the
stacks render, a many-to-one link to the entity before it, a many-to-many link every fifth
entity, a one-to-one link every seventh, and an owner (the built-in user) every third.
"""

from __future__ import annotations

from typing import Any

from generator.engine.spec import AppSpec

NOUNS = (
    "Author",
    "Book",
    "Chapter",
    "Library",
    "Shelf",
    "Member",
    "Loan",
    "Review",
    "Publisher",
    "Genre",
    "Project",
    "Task",
    "Milestone",
    "Team",
    "Comment",
    "Label",
    "Sprint",
    "Customer",
    "Invoice",
    "Product",
    "Category",
    "Supplier",
    "Warehouse",
    "Shipment",
    "Clinic",
    "Doctor",
    "Patient",
    "Appointment",
    "Prescription",
    "Room",
    "Event",
    "Venue",
    "Ticket",
    "Speaker",
    "Sponsor",
    "Course",
    "Lesson",
    "Student",
    "Teacher",
    "Grade",
    "Recipe",
    "Ingredient",
    "Menu",
    "Restaurant",
    "Vehicle",
    "Driver",
    "Route",
    "Station",
    "Device",
    "Sensor",
    "Reading",
    "Campaign",
    "Donation",
    "Volunteer",
)

_FIELD_ROTATION: tuple[dict[str, Any], ...] = (
    {"name": "description", "type": "text", "required": False},
    {"name": "quantity", "type": "integer", "min_value": 0, "max_value": 1000},
    {"name": "price", "type": "decimal", "max_digits": 10, "decimal_places": 2, "min_value": 0},
    {"name": "active", "type": "boolean", "default": True},
    {"name": "starts_on", "type": "date"},
    {"name": "updated", "type": "datetime", "required": False},
    {"name": "contact", "type": "email", "required": False},
    {"name": "website", "type": "url", "required": False},
    {
        "name": "status",
        "type": "enum",
        "choices": [{"value": "draft"}, {"value": "active"}, {"value": "archived"}],
        "default": "draft",
    },
    {"name": "score", "type": "float", "required": False},
    {"name": "starts_at", "type": "time", "required": False},
)


def build_spec(entities: int) -> AppSpec:
    if not 1 <= entities <= len(NOUNS):
        raise ValueError(f"between 1 and {len(NOUNS)} entities")
    names = NOUNS[:entities]
    data: dict[str, Any] = {
        "name": f"Bench {entities}",
        "description": f"A synthetic app with {entities} entities.",
        "entities": [_entity(i, name) for i, name in enumerate(names)],
        "relationships": _relationships(names),
        "features": [
            {"name": "Search", "category": "search", "entities": list(names[:3])},
            {"name": "Filter lists", "category": "filtering"},
            {"name": "Pagination", "category": "pagination"},
        ],
    }
    return AppSpec.from_data(data)


def _entity(index: int, name: str) -> dict[str, Any]:
    fields = [{"name": "name", "max_length": 120}]
    for offset in range(4):
        fields.append(dict(_FIELD_ROTATION[(index + offset * 3) % len(_FIELD_ROTATION)]))
    return {"name": name, "fields": fields}


def _relationships(names: tuple[str, ...]) -> list[dict[str, Any]]:
    rels: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        if i >= 1:
            rels.append({"source": name, "target": names[i - 1], "kind": "many_to_one"})
        if i >= 2 and i % 5 == 0:
            rels.append({"source": name, "target": names[i - 2], "kind": "many_to_many"})
        if i >= 3 and i % 7 == 0:
            rels.append(
                {
                    "source": name,
                    "target": names[i - 3],
                    "kind": "one_to_one",
                    "required": False,
                    "on_delete": "set_null",
                }
            )
        if i % 3 == 0:
            rels.append({"source": name, "target": "User", "kind": "many_to_one"})
    return rels
