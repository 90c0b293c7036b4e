"""What a new version keeps of the build it grows from: its rows, under names that may change.

A change names the entities and fields it renamed (:class:`~generator.engine.versions.Renames`);
a stack turns them into renames of tables and columns instead of drops and re-creations. Before
it does, :func:`renames_between` checks them against both specs and completes them:

- a rename is kept when its old name exists in the base spec, its new name in the new spec, and
  the new name is not taken in the base already (a swap of names cannot be one rename); the
  others are dropped, each with a note saying why;
- renaming an entity renames the links named after it: ``Dog.client``, a link to ``Client``,
  becomes ``Dog.customer`` when ``Client`` became ``Customer``, Dog has a link of the same kind
  named ``customer`` to it and none named ``client`` any more.

:class:`EvolutionRefused` is a change that cannot keep the rows (a required link added to a
table that has some): the person must change the spec, so callers treat it as bad input.
Making the migrations is the stack's business; storing versions the Django side's.
"""

from __future__ import annotations

from generator.engine.spec import AppSpec, Entity, default_link_name
from generator.engine.versions import Renames


class EvolutionRefused(ValueError):
    """The new version cannot be built on its base without losing or inventing data."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


def renames_between(before: AppSpec, after: AppSpec, renames: Renames) -> tuple[Renames, list[str]]:
    """The renames that hold between ``before`` and ``after``, and notes on those dropped."""
    notes: list[str] = []
    entities: dict[str, str] = {}
    for old, new in sorted(renames.entities.items()):
        problem = _entity_problem(before, after, old, new)
        if problem:
            notes.append(f"The rename of {old} to {new} was ignored: {problem}.")
        else:
            entities[old] = new
    kept = Renames(entities=entities)
    fields: dict[str, dict[str, str]] = {}
    for entity, mapping in sorted(renames.fields.items()):
        old_entity = before.entity(kept.entity_old_name(entity))
        new_entity = after.entity(entity)
        for old, new in sorted(mapping.items()):
            problem = _field_problem(before, after, old_entity, new_entity, old, new)
            if problem:
                notes.append(f"The rename of {entity}.{old} to {new} was ignored: {problem}.")
            else:
                fields.setdefault(entity, {})[old] = new
    for source, old, new in _followed_links(before, after, entities, fields):
        fields.setdefault(source, {})[old] = new
    return Renames(entities=entities, fields=fields), notes


def member_names(spec: AppSpec, entity: Entity) -> set[str]:
    """The names of an entity's fields and of its links: its model's field names."""
    return {f.name for f in entity.fields} | {r.name for r in spec.relationships_from(entity.name)}


def _entity_problem(before: AppSpec, after: AppSpec, old: str, new: str) -> str:
    if before.entity(old) is None:
        return f"the version it grows from has no {old}"
    if after.entity(new) is None:
        return f"the new version has no {new}"
    if before.entity(new) is not None:
        return f"{new} exists already"
    return ""


def _field_problem(
    before: AppSpec,
    after: AppSpec,
    old_entity: Entity | None,
    new_entity: Entity | None,
    old: str,
    new: str,
) -> str:
    if old_entity is None or new_entity is None:
        return "its entity is not in both versions"
    if old not in member_names(before, old_entity):
        return f"{old_entity.name} had no {old}"
    if new not in member_names(after, new_entity):
        return f"{new_entity.name} has no {new}"
    if new in member_names(before, old_entity):
        return f"{old_entity.name} had a {new} already"
    return ""


def _followed_links(
    before: AppSpec,
    after: AppSpec,
    entities: dict[str, str],
    fields: dict[str, dict[str, str]],
) -> list[tuple[str, str, str]]:
    """(source's new name, old link name, new link name) of links named after a renamed target."""
    followed = []
    for link in before.relationships:
        new_target = entities.get(link.target)
        if new_target is None or link.name != default_link_name(link.kind, link.target):
            continue
        source = entities.get(link.source, link.source)
        old_source, new_source = before.entity(link.source), after.entity(source)
        new_name = default_link_name(link.kind, new_target)
        renamed = fields.get(source, {})
        if old_source is None or new_source is None or link.name in renamed:
            continue
        matches = [
            r
            for r in after.relationships_from(source)
            if r.name == new_name and r.target == new_target and r.kind == link.kind
        ]
        if (
            matches
            and new_name not in member_names(before, old_source)
            and link.name not in member_names(after, new_source)
            and new_name not in renamed.values()
        ):
            followed.append((source, link.name, new_name))
    return followed
