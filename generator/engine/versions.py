"""What a new version of a project knows about the one before it.

A project evolves by versions: each is a full AppSpec. To build version N so that a database
made by an earlier build keeps its data, the pipeline needs that earlier build (its spec and
its files, whose migrations are carried over) and the renames the change asked for, so the
migration renames a table or a column instead of dropping and re-creating it.

:class:`Renames` records them by name: entities old -> new, and fields per entity (keyed by the
entity's *new* name) old -> new. :class:`BaseVersion` is the earlier build a new one grows from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.engine.spec import AppSpec


@dataclass(frozen=True, slots=True)
class Renames:
    entities: dict[str, str] = field(default_factory=dict)  # old entity name -> new
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # new entity -> {old: new}

    def __bool__(self) -> bool:
        return bool(self.entities) or any(self.fields.values())

    def entity_old_name(self, new: str) -> str:
        """The name ``new`` had before these renames (itself when it was not renamed)."""
        return next((old for old, now in self.entities.items() if now == new), new)

    def field_old_name(self, entity: str, new: str) -> str:
        """The name field ``new`` of entity ``entity`` (its new name) had before."""
        mapping = self.fields.get(entity, {})
        return next((old for old, now in mapping.items() if now == new), new)

    def then(self, later: Renames) -> Renames:
        """These renames followed by ``later`` (old names here, newest names there)."""
        entities = {old: later.entities.get(mid, mid) for old, mid in self.entities.items()}
        for mid, new in later.entities.items():
            if mid not in self.entities.values():
                entities.setdefault(mid, new)
        fields: dict[str, dict[str, str]] = {}
        for entity, mapping in self.fields.items():  # keyed by the middle entity name
            now = later.entities.get(entity, entity)
            later_fields = later.fields.get(now, {})
            fields[now] = {old: later_fields.get(mid, mid) for old, mid in mapping.items()}
        for entity, mapping in later.fields.items():
            before = self.fields.get(later.entity_old_name(entity), {})
            mine = fields.setdefault(entity, {})
            for mid, new in mapping.items():
                if mid not in before.values():
                    mine.setdefault(mid, new)
        return Renames(
            entities={old: new for old, new in entities.items() if old != new},
            fields={
                entity: {old: new for old, new in mapping.items() if old != new}
                for entity, mapping in fields.items()
                if any(old != new for old, new in mapping.items())
            },
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": dict(sorted(self.entities.items())),
            "fields": {
                entity: dict(sorted(mapping.items()))
                for entity, mapping in sorted(self.fields.items())
                if mapping
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Renames:
        data = data or {}
        return cls(
            entities={str(k): str(v) for k, v in (data.get("entities") or {}).items()},
            fields={
                str(entity): {str(k): str(v) for k, v in mapping.items()}
                for entity, mapping in (data.get("fields") or {}).items()
            },
        )


@dataclass(frozen=True, slots=True)
class BaseVersion:
    """An earlier, built version that a new build grows from."""

    number: int  # its version number
    spec: AppSpec  # the spec it was built from
    files: dict[str, str]  # its generated files, path -> text (its migrations are carried over)
    renames: Renames = field(default_factory=Renames)  # from this version's names to the new
