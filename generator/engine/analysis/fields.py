"""Field names, types and options from the words that describe one attribute.

Given the words of one list item ("an optional due date", "priority (low, medium, high)",
"unique email") this module decides the field's name, type, choices and whether it is required
or unique. It does not decide whether the item is a field at all (the clause reader does) and
leaves name cleaning to the AppSpec.
"""

from __future__ import annotations

from generator.engine import naming
from generator.engine.analysis.lexicon import DEFAULT_FIELDS
from generator.engine.spec import Choice, FieldSpec, FieldType

_OPTIONAL = frozenset({"optional", "optionally", "maybe", "possibly", "nullable", "blank"})
_UNIQUE = frozenset({"unique", "distinct"})
_REQUIRED = frozenset({"required", "mandatory"})
_DROP = _OPTIONAL | _UNIQUE | _REQUIRED | {"their", "its", "his", "her", "own", "a", "an", "the"}

# (words that decide, type). The last word of the name is checked first, then any word.
_LAST_WORD_TYPES: tuple[tuple[frozenset[str], FieldType], ...] = (
    (frozenset({"email", "e-mail"}), FieldType.EMAIL),
    (frozenset({"url", "website", "link", "homepage", "site", "uri"}), FieldType.URL),
    (
        frozenset(
            """price cost amount salary total budget fee balance tax discount wage revenue
            subtotal deposit rent payment fare charge income expense spend pay refund
            """.split()
        ),
        FieldType.DECIMAL,
    ),
    (
        frozenset(
            """quantity count capacity stock age rating votes views likes reps sets steps
            calories floor floors bedrooms bathrooms year seats pages copies duration minutes
            hours days servings attendees guests rooms points level mileage
            """.split()
        ),
        FieldType.INTEGER,
    ),
    (frozenset({"date", "deadline", "birthday", "dob", "birthdate", "day"}), FieldType.DATE),
    (frozenset({"timestamp", "datetime"}), FieldType.DATETIME),
    (frozenset({"time"}), FieldType.TIME),
    (
        frozenset(
            """photo image avatar picture logo cover thumbnail banner icon headshot portrait
            screenshot""".split()
        ),
        FieldType.IMAGE,
    ),
    (
        frozenset({"file", "attachment", "resume", "cv", "document", "pdf", "upload"}),
        FieldType.FILE,
    ),
    (
        frozenset(
            """description body notes note bio content comment text summary details about
            instructions remarks message biography abstract directions excerpt feedback
            answer reply review story caption""".split()
        ),
        FieldType.TEXT,
    ),
    (frozenset({"slug"}), FieldType.SLUG),
    (frozenset({"uuid", "guid"}), FieldType.UUID),
    (
        frozenset(
            """weight latitude longitude lat lng lon score height distance temperature
            humidity percentage percent ratio pressure speed value reading""".split()
        ),
        FieldType.FLOAT,
    ),
    (frozenset({"metadata", "json", "settings", "preferences", "config"}), FieldType.JSON),
)
_BOOLEAN_WORDS = frozenset(
    """active published completed done archived enabled visible featured verified approved
    available public private paid read resolved flagged pinned starred confirmed finished
    closed open draft deleted hidden vegetarian vegan urgent""".split()
)
_BOOLEAN_PREFIXES = ("is", "has", "can", "should", "allow", "allows")
_STRING_NUMBERS = frozenset(
    """phone invoice order room plate serial account tracking reference registration
    license licence vin passport id policy flight seat table ticket case""".split()
)


def infer_type(name: str) -> FieldType:
    """The field type its snake_case name suggests."""
    words = name.split("_")
    last = words[-1]
    if words[0] in _BOOLEAN_PREFIXES and len(words) > 1:
        return FieldType.BOOLEAN
    if last == "number":
        is_code = len(words) > 1 and words[-2] in _STRING_NUMBERS
        return FieldType.STRING if is_code else FieldType.INTEGER
    if last in {"at", "on"} and len(words) > 1:
        return FieldType.DATETIME if last == "at" else FieldType.DATE
    if name in {"start_date_and_time", "date_and_time", "date_time"}:
        return FieldType.DATETIME
    if "date" in words[:-1] and last not in {"time", "at"} or last == "flag":
        return FieldType.DATE if last != "flag" else FieldType.BOOLEAN
    for vocabulary, field_type in _LAST_WORD_TYPES:
        if last in vocabulary:
            return field_type
    if len(words) == 1 and (last in _BOOLEAN_WORDS or last.endswith("ed") and len(last) > 4):
        return FieldType.BOOLEAN
    for vocabulary, field_type in _LAST_WORD_TYPES:
        if any(word in vocabulary for word in words[:-1]) and field_type in {
            FieldType.EMAIL,
            FieldType.IMAGE,
        }:
            return field_type
    return FieldType.STRING


def field_from_words(words: list[str], choices: tuple[str, ...] = ()) -> FieldSpec | None:
    """A field from an item's words, e.g. ["optional", "due", "date"] -> due_date (date)."""
    kept = [w for w in words if w not in _DROP]
    name = naming.to_snake(" ".join(kept[-4:]))
    if not name:
        return None
    required = not any(w in _OPTIONAL for w in words)
    unique = any(w in _UNIQUE for w in words)
    values = [c for c in (naming.to_snake(choice) for choice in choices) if c]
    if len(values) >= 2:
        field = FieldSpec(
            name=name,
            type=FieldType.ENUM,
            required=required,
            choices=[Choice(value=v, label=naming.to_label(v).capitalize()) for v in values],
            default=values[0],
        )
        return field
    field_type = infer_type(name)
    if field_type == FieldType.BOOLEAN:
        return FieldSpec(name=name, type=field_type, default=False)
    return FieldSpec(name=name, type=field_type, required=required, unique=unique)


def default_field(entity_snake: str) -> list[FieldSpec]:
    """Fields for an entity the text names but does not describe."""
    pairs = DEFAULT_FIELDS.get(entity_snake) or DEFAULT_FIELDS.get(entity_snake.split("_")[-1])
    pairs = pairs or (("name", "string"),)
    return [
        FieldSpec(name=name, type=FieldType(kind), default=False if kind == "boolean" else None)
        for name, kind in pairs
    ]
