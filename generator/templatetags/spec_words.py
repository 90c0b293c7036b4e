"""Plain words for a spec on a page: field types, relationship kinds and directions, features.

A spec keeps machine values ("many_to_one", "datetime"); people read "many to one" and "Each Dog
belongs to one Client". generator/spec_summary.html uses these on the run page and in the
new-project page's live panel. Specs reach templates as plain data (a run's stored JSON or
``AppSpec.to_dict()``), so these read mappings, and fall back to the value with its separators
turned into spaces for anything a newer spec may add.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from generator.engine import naming
from generator.engine.spec import FeatureCategory, FieldType, RelationKind

register = template.Library()

FIELD_TYPES: dict[str, str] = {
    FieldType.STRING: "text",
    FieldType.TEXT: "long text",
    FieldType.INTEGER: "integer",
    FieldType.DECIMAL: "decimal",
    FieldType.FLOAT: "number",
    FieldType.BOOLEAN: "yes/no",
    FieldType.DATE: "date",
    FieldType.DATETIME: "date and time",
    FieldType.TIME: "time",
    FieldType.EMAIL: "email",
    FieldType.URL: "web address",
    FieldType.SLUG: "slug",
    FieldType.UUID: "unique id",
    FieldType.JSON: "JSON data",
    FieldType.FILE: "file",
    FieldType.IMAGE: "image",
    FieldType.ENUM: "choice",
}
RELATION_KINDS: dict[str, str] = {
    RelationKind.MANY_TO_ONE: "many to one",
    RelationKind.ONE_TO_ONE: "one to one",
    RelationKind.MANY_TO_MANY: "many to many",
}
COMPLEXITY_SCORES: dict[str, str] = {
    "business_logic": "Business logic",
    "ui": "User interface",
}
FEATURE_CATEGORIES: dict[str, str] = {
    FeatureCategory.CRUD: "create, view, edit, delete",
    FeatureCategory.FILE_UPLOAD: "file upload",
}


def _spaced(value: object) -> str:
    return str(value).replace("_", " ").replace("-", " ")


@register.filter
def field_type(value: object) -> str:
    """ "datetime" -> "date and time"."""
    return FIELD_TYPES.get(str(value), _spaced(value))


@register.filter
def relation_kind(value: object) -> str:
    """ "many_to_one" -> "many to one"."""
    return RELATION_KINDS.get(str(value), _spaced(value))


@register.filter
def feature_category(value: object) -> str:
    """ "file-upload" -> "file upload"."""
    return FEATURE_CATEGORIES.get(str(value), _spaced(value))


@register.filter
def complexity_score(value: object) -> str:
    """ "business_logic" -> "Business logic", "ui" -> "User interface"."""
    return COMPLEXITY_SCORES.get(str(value), _spaced(value).capitalize())


_AN_BEFORE = ("hour", "honest", "honor", "heir")  # a silent h
_A_BEFORE = ("uni", "use", "usu", "eu", "one", "once")  # a vowel letter sounding "y" or "w"


@register.filter
def indefinite(value: object) -> str:
    """ "Invoice" -> "an Invoice", "Unit" -> "a Unit" (by the first letters' usual sound)."""
    word = str(value)
    lower = word.lower()
    vowel = lower[:1] in {"a", "e", "i", "o", "u"} and not lower.startswith(_A_BEFORE)
    return f"{'an' if vowel or lower.startswith(_AN_BEFORE) else 'a'} {word}"


@register.simple_tag
def relationship_sentence(relationship: Mapping[str, Any], spec: Mapping[str, Any]) -> str:
    """The relationship read both ways: "Each Dog belongs to one Client; each Client can have
    many Dogs." A name other than the one Takoss would give is said too ("(its owner)")."""
    source, target = str(relationship["source"]), str(relationship["target"])
    plurals = {str(e["name"]): e.get("plural") for e in spec.get("entities") or []}

    def plural(name: str) -> str:
        return plurals.get(name) or naming.pluralize(name)

    kind = str(relationship.get("kind") or RelationKind.MANY_TO_ONE)
    name = str(relationship.get("name") or "")
    usual = naming.to_snake(plural(target) if kind == RelationKind.MANY_TO_MANY else target)
    called = f" (its {naming.to_label(name)})" if name and name != usual else ""
    if kind == RelationKind.MANY_TO_MANY:
        return (
            f"Each {source} can have many {plural(target)}{called}; "
            f"each {target} can belong to many {plural(source)}."
        )
    one = "belongs to one" if relationship.get("required", True) else "may belong to one"
    other = f"at most one {source}" if kind == RelationKind.ONE_TO_ONE else f"many {plural(source)}"
    return f"Each {source} {one} {target}{called}; each {target} can have {other}."
