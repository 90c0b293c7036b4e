"""Field names, types and options from the words that describe one attribute.

Given the words of one list item ("an optional due date", "priority (low, medium, high)",
"unique email") this module decides the field's name, type, choices and whether it is required
or unique. It does not decide whether the item is a field at all (the clause reader does) and
leaves name cleaning to the AppSpec.
"""

from __future__ import annotations

import re

from generator.engine import naming
from generator.engine.analysis import lexicon as lx
from generator.engine.spec import Choice, FieldSpec, FieldType


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words in front of an item that say nothing about the field ("each", "their", "also").
FILLER_WORDS = frozenset(
    {"a", "an", "the", "each", "every", "its", "their", "his", "her", "our", "my", "your",
     "some", "any", "all", "also", "etc", "etc.", "optionally"}
)  # fmt: skip
# "a rating from 1 to 5", "between 1 and 10": the bounds of a number.
RANGE = re.compile(r"\b(?:from|between)\s+(-?\d+)\s+(?:to|and)\s+(-?\d+)\b", re.I)
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
        hours income pay payment price refund rent revenue salary spend subtotal tax
        total wage
        """
        ),
        FieldType.DECIMAL,
    ),
    (
        _words(
            """
        age attendees bathrooms bedrooms calories capacity copies count days
        duration floor floors guests level likes mileage minutes pages
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
        avatar banner cover headshot icon image images logo photo photos picture
        pictures portrait poster screenshot thumbnail
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
        description details directions excerpt feedback instructions letter
        message note notes remarks reply review story summary text
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
        distance elevation height humidity lat latitude lng lon longitude percent
        percentage pressure ratio reading score speed temperature value weight
        """
        ),
        FieldType.FLOAT,
    ),
    (
        _words(
            """
        config data json metadata preferences settings
        """
        ),
        FieldType.JSON,
    ),
)
_BOOLEAN_WORDS = _words(
    """
        active approved archived availability available closed completed confirmed deleted
        done draft enabled featured finished flagged hidden open paid pinned
        private public published read resolved starred urgent vegan vegetarian
        verified visible
    """
)
_BOOLEAN_PREFIXES = ("is", "has", "can", "should", "allow", "allows")
_PER_PERIOD = _words("hourly daily nightly weekly monthly yearly annual")
# Activities whose "time" is a duration ("prep time"); "-ing" words are activities too.
_ACTIVITIES = _words("prep preparation travel response wait lead turnaround cook play run")
_MOMENTS = _words(
    "opening closing starting ending meeting booking boarding landing morning evening"
)
# "X number" names a code ("phone number", "insurance number"): a string. Only ordinals of
# these words count up: "page number", "episode number".
_ORDINAL_NUMBERS = _words(
    """
        chapter episode floor lap level page round season step verse version week
    """
)


def infer_type(name: str) -> FieldType:
    """The field type its snake_case name suggests."""
    words = name.split("_")
    for joint in ("to", "of"):  # "steps_to_reproduce", "date_of_birth": the head comes first
        if joint in words[1:-1]:
            head = words[: words.index(joint)]
            return FieldType.TEXT if joint == "to" else infer_type("_".join(head))
    if "per" in words[1:-1]:  # "target_per_week" counts; "price_per_night" is still money
        head_type = infer_type("_".join(words[: words.index("per")]))
        return FieldType.INTEGER if head_type == FieldType.STRING else head_type
    last = words[-1]
    if last == "rate" and len(words) > 1 and words[-2] in _PER_PERIOD:
        return FieldType.DECIMAL  # "nightly rate", "hourly rate"
    if last == "time" and len(words) > 1 and _is_activity(words[-2]):
        return FieldType.INTEGER  # "cooking time": minutes, not a time of day
    if words[0] in _BOOLEAN_PREFIXES and len(words) > 1:
        return FieldType.BOOLEAN
    if last == "number":
        is_code = len(words) > 1 and words[-2] not in _ORDINAL_NUMBERS
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
    if len(words) == 1 and (last in _BOOLEAN_WORDS or _is_participle(last)):
        return FieldType.BOOLEAN
    for vocabulary, field_type in _LAST_WORD_TYPES:
        if any(word in vocabulary for word in words[:-1]) and field_type in {
            FieldType.EMAIL,
            FieldType.IMAGE,
        }:
            return field_type
    return FieldType.STRING


def _is_participle(word: str) -> bool:
    """ "published", "archived" (but not "breed" or "speed")."""
    return word.endswith("ed") and not word.endswith("eed") and len(word) > 4


def _is_activity(word: str) -> bool:
    return word in _ACTIVITIES or (word.endswith("ing") and word not in _MOMENTS)


# Values each record has one of, even when the text names them in the plural ("their ages").
_ONE_PER_RECORD = frozenset(
    "name age date address email phone birthday nationality gender title surname "
    "price colour color breed species size".split()
)


def field_from_words(words: list[str], choices: tuple[str, ...] = ()) -> FieldSpec | None:
    """A field from an item's words, e.g. ["optional", "due", "date"] -> due_date (date).

    Also reads a unit after "in" ("duration in minutes" -> duration_minutes, an integer; "price
    in euros" -> price, a decimal), "X flag" (a boolean named X), "X list" (a JSON list of X)
    and a "JSON" modifier.
    """
    kept = [w for w in words if w not in _DROP]
    kept, unit_type = _unit(kept)
    forced = unit_type
    if len(kept) > 1 and kept[0] == "whether":
        kept, forced = _yes_no(kept[1:]), FieldType.BOOLEAN
    kept = _kind_of(kept)
    if len(kept) > 1 and kept[-1] == "flag":
        kept, forced = kept[:-1], FieldType.BOOLEAN
    if len(kept) > 1 and kept[-1] in lx.VALUE_LIST_WORDS:
        kept, forced = kept[:-1], FieldType.JSON
    if len(kept) > 1 and kept[0] == "json":
        kept, forced = kept[1:], FieldType.JSON
    if kept and naming.singularize(kept[-1]) in _ONE_PER_RECORD and \
            naming.singularize(kept[-1]) != kept[-1]:  # fmt: skip
        kept = [*kept[:-1], naming.singularize(kept[-1])]  # "children with their first names"
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
    field_type = forced or _hinted_type(values) or infer_type(name)
    if field_type == FieldType.BOOLEAN:
        return FieldSpec(name=name, type=field_type, default=False)
    return FieldSpec(name=name, type=field_type, required=required, unique=unique)


# The words of a "whether" clause that name nobody and nothing: "whether it was serious".
_CLAUSE_FILLER = _words(
    """
    it it's its they he she there we i you is was are were 's be been being has have had will
    would want wants wanted need needs needed like to do does did
    """
)
_CLAUSE_PREPS = frozenset({"in", "at", "on", "by", "with", "for", "from", "to", "of"})
_KIND_WORDS = frozenset({"kind", "type", "sort"})


def _yes_no(words: list[str]) -> list[str]:
    """ "whether it was serious" -> serious, "whether an ambulance was called" -> ambulance
    called, "whether they want half board" -> half board: the clause's content words."""
    kept = [w for w in words if w not in _CLAUSE_FILLER and not w.endswith("ly")] or words
    cut = next((i for i, w in enumerate(kept) if i and w in _CLAUSE_PREPS), len(kept))
    kept = kept[:cut]  # "whether it was fixed in the end" -> fixed
    return kept[-1:] if len(kept) > 2 else kept  # "whether the tool came back damaged"


def _kind_of(words: list[str]) -> list[str]:
    """ "the kind of problem" -> problem type: the head names the kind, the rest what of."""
    if len(words) >= 3 and words[0] in _KIND_WORDS and words[1] == "of":
        return [*words[2:], "type"]
    return words


def ranged_field(words: list[str], choices: tuple[str, ...], text: str) -> FieldSpec | None:
    """field_from_words, bounded by a range in the item's ``text`` ("a rating from 1 to 5" is
    an integer from 1 to 5; the words before the range name it)."""
    bounds = RANGE.search(text)
    if bounds:
        cut = text[: bounds.start()].lower().split()
        words = [w for w in cut if w not in FILLER_WORDS] or words
    spec = field_from_words(words, choices)
    if spec is None or bounds is None:
        return spec
    low, high = sorted((int(bounds.group(1)), int(bounds.group(2))))
    kind = spec.type if spec.type in {FieldType.DECIMAL, FieldType.FLOAT} else FieldType.INTEGER
    return spec.model_copy(update={"type": kind, "min_value": low, "max_value": high})


def _hinted_type(values: list[str]) -> FieldType | None:
    """ "a receipt (PDF)", "a price (EUR)": one word in parentheses that names a type."""
    if len(values) != 1:
        return None
    if values[0] in lx.CURRENCY_UNITS:
        return FieldType.DECIMAL
    hinted = infer_type(values[0])
    return None if hinted in {FieldType.STRING, FieldType.TEXT} else hinted


def _unit(words: list[str]) -> tuple[list[str], FieldType | None]:
    """Strip a trailing "in <unit>"; time and measure units stay in the name."""
    if len(words) < 3 or words[-2] != "in":
        return words, None
    unit = naming.singularize(words[-1])
    if unit in lx.CURRENCY_UNITS:
        return words[:-2], FieldType.DECIMAL
    if unit in lx.TIME_UNITS:
        return [*words[:-2], words[-1]], FieldType.INTEGER
    if unit in lx.MEASURE_UNITS:
        return [*words[:-2], words[-1]], FieldType.FLOAT
    return words, None


def default_field(entity_snake: str) -> list[FieldSpec]:
    """Fields for an entity the text names but does not describe."""
    pairs = lx.DEFAULT_FIELDS.get(entity_snake) or lx.DEFAULT_FIELDS.get(
        entity_snake.split("_")[-1]
    )
    pairs = pairs or (("name", "string"),)
    return [
        FieldSpec(name=name, type=FieldType(kind), default=False if kind == "boolean" else None)
        for name, kind in pairs
    ]
