"""A small app in versions, for the tests of versions built on each other (migrations, merges).

Version 1: clients (owned by a user) with a name and a due date; dogs belong to a client.
Each later version is a function of the one before, so a test can build the sequence or a
single step.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from generator.engine.pipeline import GenerationRequest, GenerationResult, generate
from generator.engine.spec import AppSpec
from generator.engine.versions import BaseVersion, Renames

V1: dict[str, Any] = {
    "name": "Dog Walkers",
    "entities": [
        {
            "name": "Client",
            "fields": [
                {"name": "name", "type": "string", "max_length": 120},
                {"name": "due", "type": "date"},
                {"name": "phone", "type": "string", "required": False},
            ],
        },
        {
            "name": "Dog",
            "fields": [
                {"name": "name", "type": "string", "max_length": 80},
                {"name": "weight", "type": "decimal", "max_digits": 5, "decimal_places": 2},
            ],
        },
    ],
    "relationships": [
        {"kind": "many_to_one", "source": "Dog", "target": "Client"},
        {"kind": "many_to_one", "source": "Client", "target": "User"},
    ],
}


def v1() -> AppSpec:
    return AppSpec.from_data(V1)


def with_additions(spec: AppSpec) -> AppSpec:
    """A field with a default, a required field without one, an entity and two links."""
    data = copy.deepcopy(spec.to_dict())
    client, dog = _entity(data, "Client"), _entity(data, "Dog")
    client["fields"].append(
        {
            "name": "status",
            "type": "enum",
            "default": "active",
            "choices": [{"value": "active"}, {"value": "paused"}],
        }
    )
    dog["fields"].append({"name": "breed", "type": "string", "max_length": 60})
    data["entities"] += [
        {"name": "Tag", "fields": [{"name": "label", "type": "string", "unique": True}]},
        {"name": "Walk", "fields": [{"name": "day", "type": "date"}]},
    ]
    data["relationships"] += [
        {"kind": "many_to_many", "source": "Dog", "target": "Tag"},
        {"kind": "many_to_one", "source": "Walk", "target": "Dog"},
    ]
    return AppSpec.from_data(data)


RENAMES = Renames(entities={"Client": "Customer"}, fields={"Customer": {"due": "due_date"}})


def with_renames(spec: AppSpec) -> AppSpec:
    """Client becomes Customer (Dog.client follows, as a person renaming it would expect) and
    Client.due becomes due_date."""
    data = copy.deepcopy(spec.to_dict())
    client = _entity(data, "Client")
    client.update(name="Customer", plural="")
    for field in client["fields"]:
        if field["name"] == "due":
            field.update(name="due_date", label="")
    for rel in data["relationships"]:
        for end in ("source", "target"):
            if rel[end] == "Client":
                rel[end] = "Customer"
        if rel["name"] == "client":
            rel["name"] = "customer"
        rel["related_name"] = ""  # named again after the new names
    return AppSpec.from_data(data)


def with_removals(spec: AppSpec) -> AppSpec:
    """Dog.breed and the Tag entity (with its link) are gone."""
    data = copy.deepcopy(spec.to_dict())
    dog = _entity(data, "Dog")
    dog["fields"] = [f for f in dog["fields"] if f["name"] != "breed"]
    data["entities"] = [e for e in data["entities"] if e["name"] != "Tag"]
    data["relationships"] = [r for r in data["relationships"] if r["target"] != "Tag"]
    return AppSpec.from_data(data)


def _entity(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in data["entities"] if e["name"] == name)


def build(
    out: Path,
    spec: AppSpec,
    *,
    version: int = 1,
    base: BaseVersion | None = None,
    verify: bool = False,
) -> GenerationResult:
    return generate(
        GenerationRequest(out_dir=out, spec=spec, verify=verify, base=base, version=version)
    )


def as_base(
    result: GenerationResult, spec: AppSpec, number: int, renames: Renames | None = None
) -> BaseVersion:
    """The build in ``result`` (published) as the base of the next version."""
    assert result.output_dir is not None, result.error
    root = Path(result.output_dir)
    files = {f.path: (root / f.path).read_text(encoding="utf-8") for f in result.files}
    files.pop("takoss.json")
    return BaseVersion(number, spec, files, renames or Renames())
