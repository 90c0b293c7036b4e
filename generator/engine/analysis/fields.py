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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_OPTIONAL = frozenset({"optional", "optionally", "maybe", "possibly", "nullable", "blank"})
_UNIQUE = frozenset({"unique", "distinct"})
_REQUIRED = frozenset({"required", "mandatory"})
_DROP = _OPTIONAL | _UNIQUE | _REQUIRED | {"their", "its", "his", "her", "own", "a", "an", "the"}

# (words that decide, type). The last word of the name is checked first, then any word.
_LAST_WORD_TYPES: tuple[tuple[frozenset[str], FieldType], ...] = (
    (
        _words(
            """
        e-mail email
        """
        ),
        FieldType.EMAIL,
    ),
    (
        _words(
            """
        homepage link site uri url website
        """
        ),
        FieldType.URL,
    ),
    (
        _words(
            """
        amount balance budget charge cost deposit discount expense fare fee
        income pay payment price refund rent revenue salary spend subtotal tax
        total wage
        """
        ),
        FieldType.DECIMAL,
    ),
    (
        _words(
            """
        age attendees bathrooms bedrooms calories capacity copies count days
        duration floor floors guests hours level likes mileage minutes pages
        points quantity rating reps rooms seats servings sets steps stock views
        votes year
        """
        ),
        FieldType.INTEGER,
    ),
    (
        _words(
            """
        birthdate birthday date day deadline dob
        """
        ),
        FieldType.DATE,
    ),
    (
        _words(
            """
        datetime timestamp
        """
        ),
        FieldType.DATETIME,
    ),
    (
        _words(
            """
        time
        """
        ),
        FieldType.TIME,
    ),
    (
        _words(
            """
        avatar banner cover headshot icon image logo photo picture portrait
        screenshot thumbnail
        """
        ),
        FieldType.IMAGE,
    ),
    (
        _words(
            """
        attachment cv document file pdf resume upload
        """
        ),
        FieldType.FILE,
    ),
    (
        _words(
            """
        about abstract answer bio biography body caption comment content
        description details directions excerpt feedback instructions message
        note notes remarks reply review story summary text
        """
        ),
        FieldType.TEXT,
    ),
    (
        _words(
            """
        slug
        """
        ),
        FieldType.SLUG,
    ),
    (
        _words(
            """
        guid uuid
        """
        ),
        FieldType.UUID,
    ),
    (
        _words(
            """
        distance height humidity lat latitude lng lon longitude percent
        percentage pressure ratio reading score speed temperature value weight
        """
        ),
        FieldType.FLOAT,
    ),
    (
        _words(
            """
        config json metadata preferences settings
        """
        ),
        FieldType.JSON,
    ),
)
_BOOLEAN_WORDS = _words(
    """
        active approved archived available closed completed confirmed deleted
        done draft enabled featured finished flagged hidden open paid pinned
        private public published read resolved starred urgent vegan vegetarian
        verified visible
    """
)
_BOOLEAN_PREFIXES = ("is", "has", "can", "should", "allow", "allows")
_STRING_NUMBERS = _words(
    """
        account case flight id invoice licence license order passport phone
        plate policy reference registration room seat serial table ticket
        tracking vin
    """
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
    if ("date" in words[:-1] and last not in {"time", "at"}) or last == "flag":
        return FieldType.DATE if last != "flag" else FieldType.BOOLEAN
    for vocabulary, field_type in _LAST_WORD_TYPES:
        if last in vocabulary:
            return field_type
    if len(words) == 1 and (last in _BOOLEAN_WORDS or (last.endswith("ed") and len(last) > 4)):
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
