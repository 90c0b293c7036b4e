"""What a person reads off an analyzed AppSpec, in the corpus's notation, for the analysis tests.

Relationships read "Lesson -> Course" (many-to-one, the key on Lesson), "Profile 1-1 User" and
"Post *-* Tag" (many-to-many, ends in alphabetical order), as in tests/engine/data/README.md.
"""

from __future__ import annotations

from generator.engine import naming
from generator.engine.spec import AppSpec, Entity, RelationKind

_ARROWS = {
    RelationKind.MANY_TO_ONE: "->",
    RelationKind.ONE_TO_ONE: "1-1",
    RelationKind.MANY_TO_MANY: "*-*",
}


def entities(spec: AppSpec) -> set[str]:
    return {e.name for e in spec.entities}


def fields(spec: AppSpec, entity: str) -> dict[str, str]:
    """Field name -> type of one entity; fails the test when the entity is missing."""
    return {f.name: f.type.value for f in _entity(spec, entity).fields}


def choices(spec: AppSpec, entity: str, field: str) -> list[str]:
    found = _entity(spec, entity).field(field)
    assert found is not None, f"{entity} has no field {field!r}: {fields(spec, entity)}"
    return [c.value for c in found.choices]


def links(spec: AppSpec) -> set[str]:
    out = set()
    for r in spec.relationships:
        source, target = r.source, r.target
        if r.kind == RelationKind.MANY_TO_MANY:
            source, target = sorted((source, target))
        out.add(f"{source} {_ARROWS[r.kind]} {target}")
    return out


def named_links(spec: AppSpec) -> set[str]:
    """Relationships with the names that differ from their target's: "Enrollment -> User
    (student)", but "Enrollment -> Course" for a key named "course"."""
    out = set()
    for r in spec.relationships:
        name = "" if r.name in {"", naming.to_snake(r.target)} else f" ({r.name})"
        out.add(f"{r.source} {_ARROWS[r.kind]} {r.target}{name}")
    return out


def roles(spec: AppSpec) -> set[str]:
    return {r.name for r in spec.roles}


def notes(spec: AppSpec) -> str:
    return "\n".join(spec.notes)


def unique_rules(spec: AppSpec, entity: str) -> list[tuple[list[str], str | None]]:
    return [(rule.fields, rule.when_true) for rule in _entity(spec, entity).unique_together]


def comparisons(spec: AppSpec, entity: str) -> list[tuple[str, str, str]]:
    return [(c.field, c.op, c.other) for c in _entity(spec, entity).comparisons]


def _entity(spec: AppSpec, name: str) -> Entity:
    found = spec.entity(name)
    assert found is not None, f"no entity {name!r} in {sorted(entities(spec))}"
    return found
