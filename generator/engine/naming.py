"""Identifier cleaning, reserved words and English inflection for the engine.

Everything that turns human words into names a renderer can use lives here, so the AppSpec can
sanitise once and no stack ever sees a bad name. It does not decide *what* to rename (that is the
spec's job); it only knows how words and identifiers behave.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from functools import lru_cache

import inflection
from anyascii import anyascii

# Words whose inflection result is wrong or unwanted for entity names. (The `inflection`
# library, a port of Rails' inflector, imports in milliseconds; `inflect` took seconds.)
_SINGULAR_OVERRIDES = {
    "analysis": "analysis",
    "analyses": "analysis",
    "bus": "bus",
    "buses": "bus",
    "campus": "campus",
    "campuses": "campus",
    "status": "status",
    "statuses": "status",
    "data": "data",
    "media": "media",
    "news": "news",
    "series": "series",
    "species": "species",
    "software": "software",
    "equipment": "equipment",
    "feedback": "feedback",
    "inventory": "inventory",
    "inventories": "inventory",
    "staff": "staff",
    "menu": "menu",
    "menus": "menu",
    "alumni": "alumnus",
    "criteria": "criterion",
    "axes": "axis",
    "diagnoses": "diagnosis",
    "diagnosis": "diagnosis",
    "thesis": "thesis",
    "theses": "thesis",
    "canvas": "canvas",
    "virus": "virus",
    "viruses": "virus",
    "bonus": "bonus",
    "bonuses": "bonus",
    "address": "address",
    "addresses": "address",
    "class": "class",
    "classes": "class",
    "business": "business",
    "businesses": "business",
    "leaves": "leave",
    "lives": "life",
    "octopi": "octopus",
}
# Singular nouns that end in "s" like a plural; their plural adds "es" ("gases", "lenses").
# Most words in "-as" and "-ens" are plurals ("ideas", "gardens"), so those singulars are listed
# rather than ruled. "-us", "-is" and "-ss" words are singular by rule, but "-uses" is also the
# plural of "-use" ("houses"), so the "-us" words whose plural must be read are listed too.
_S_SINGULARS = frozenset(
    """
    gas atlas alias canvas bias lens iris pancreas christmas chaos cosmos ethos pathos
    cactus census focus circus syllabus prospectus apparatus genus fungus corpus sinus
    """.split()
)
# Nouns in "-f" whose plural is "-ves" where the inflection library says "-fs".
_VES_PLURALS = frozenset("leaf loaf thief sheaf".split())
_UNCOUNTABLE = {
    "data",
    "media",
    "news",
    "series",
    "species",
    "software",
    "equipment",
    "feedback",
    "staff",
    "information",
    "inventory_data",
    "chassis",
    "kudos",
}


def _split_last(phrase: str) -> tuple[str, str]:
    phrase = phrase.strip()
    head, _, last = phrase.rpartition(" ")
    return (head + " " if head else ""), last


@lru_cache(maxsize=4096)
def singularize(word: str) -> str:
    """Singular form of an English noun or noun phrase ("order items" -> "order item")."""
    head, last = _split_last(word)
    lower = last.lower()
    if not lower:
        return word
    if lower in _SINGULAR_OVERRIDES:
        result = _SINGULAR_OVERRIDES[lower]
    elif lower in _S_SINGULARS or lower in _UNCOUNTABLE:
        result = lower
    elif lower.endswith("es") and lower[:-2] in _S_SINGULARS:
        result = lower[:-2]
    elif lower.endswith("ves") and lower[:-3] + "f" in _VES_PLURALS:
        result = lower[:-3] + "f"
    elif lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        result = lower
    else:
        result = inflection.singularize(lower) or lower
    return head + _match_case(last, result)


@lru_cache(maxsize=4096)
def pluralize(word: str) -> str:
    """Plural form of a singular English noun or noun phrase ("category" -> "categories")."""
    head, last = _split_last(word)
    lower = last.lower()
    if not lower:
        return word
    if lower in _UNCOUNTABLE:
        result = lower
    elif lower in {"status", "bus", "campus", "virus", "bonus", "address", "class", "business"}:
        result = lower + "es"
    elif lower in {"analysis", "thesis", "diagnosis", "axis"}:
        result = lower[:-2] + "es"
    elif lower == "menu":
        result = "menus"
    elif lower in _VES_PLURALS:
        result = lower[:-1] + "ves"
    elif lower in _S_SINGULARS or (lower.endswith(("ss", "us", "is")) and len(lower) > 3):
        plural = inflection.pluralize(lower) or lower
        result = plural if plural != lower else lower + "es"  # "cactus" -> "cactuses"
    else:
        result = inflection.pluralize(lower) or lower
    return head + _match_case(last, result)


def is_plural(word: str) -> bool:
    return singularize(word).lower() != word.lower() or word.lower() in _UNCOUNTABLE


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def ascii_words(text: str) -> list[str]:
    """Split any text into lower-case ASCII words, accents folded, camelCase split."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", folded)
    folded = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", folded)
    return [w for w in re.split(r"[^A-Za-z0-9]+", folded.lower()) if w]


def transliterate(text: str) -> str:
    """ASCII spelling of ``text``: accents folded, other scripts romanised ("Библиотека" ->
    "Biblioteka", "図書館" -> "TuShuGuan"); symbols, emoji and invisible characters dropped.

    Symbols are dropped before romanising because anyascii spells emoji out (":books:"), which
    would turn a name of emoji into words nobody wrote.
    """
    if text.isascii():
        return text
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "SC")
    return anyascii(kept)


def app_slug(name: str) -> str:
    """The kebab-case ASCII slug an app name reads as ("Café Crème" -> "cafe-creme",
    "Библиотека" -> "biblioteka"), or "" when nothing readable is left (emoji, punctuation)."""
    return "-".join(ascii_words(transliterate(name)))


def to_snake(text: str) -> str:
    """ "Order Item" / "orderItem" / "order-item" -> "order_item" (may start with a digit)."""
    return "_".join(ascii_words(text))


def to_pascal(text: str) -> str:
    """ "order item" -> "OrderItem"."""
    return "".join(w[:1].upper() + w[1:] for w in ascii_words(text))


def to_label(text: str) -> str:
    """ "OrderItem" / "order_item" -> "order item"."""
    return " ".join(ascii_words(text))


def to_kebab(text: str) -> str:
    return "-".join(ascii_words(text))


PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"print", "exec"}
PYTHON_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))

# Strictly reserved words of SQL (the SQL standard's core plus PostgreSQL's reserved list):
# using one as a column name breaks hand-written SQL, so fields never get one.
SQL_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between binary both case
    cast check collate column constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user default deferrable desc distinct
    do else end except false fetch for foreign freeze from full grant group having ilike in
    initially inner intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps placing
    primary references returning right select session_user similar some symmetric table
    tablesample then to trailing true union unique user using variadic verbose when where
    window with delete insert update drop alter values index key
    """.split()
)

JS_RESERVED = frozenset(
    """
    await break case catch class const continue debugger default delete do else enum export
    extends false finally for function if implements import in instanceof interface let new
    null package private protected public return static super switch this throw true try
    typeof var void while with yield arguments eval undefined
    """.split()
)

# Attributes every Django model instance already has: a field with one of these names would
# shadow it. Lower-case, compared against snake_case field names.
DJANGO_MODEL_ATTRIBUTES = frozenset(
    """
    id pk objects save delete clean clean_fields full_clean validate_unique validate_constraints
    refresh_from_db get_absolute_url check from_db serializable_value get_deferred_fields
    prepare_database_save unique_error_message date_error_message meta
    doesnotexist multipleobjectsreturned
    """.split()
)

# Names generated code needs for itself: modules a models.py refers to inside class bodies, where
# a field of the same name would shadow them for every later field ("models = models.CharField()"
# breaks the next line), and the first parameter of methods (Model(self=...) is a TypeError).
GENERATED_MODULE_NAMES = frozenset({"models", "settings", "uuid", "self", "cls"})

# Class names a generated Django module already uses or that Django ships as models.
DJANGO_RESERVED_CLASSES = frozenset(
    """
    Model Meta Manager QuerySet Field Form ModelForm Q F User Group Permission ContentType
    Session LogEntry Site Settings Admin Serializer ModelSerializer ViewSet Config Core
    TestCase Decimal
    """.split()
)

IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CLASS_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def reserved_reason(snake: str, *, sql: bool = True) -> str | None:
    """Why a snake_case name may not be used as a field/relation name, or None if it may.

    Relation names are checked with ``sql=False``: a foreign key's column gets an ``_id``
    suffix and a many-to-many has no column, so SQL's reserved words cannot bite them.
    """
    if snake in PYTHON_RESERVED:
        return "a Python keyword"
    if snake in GENERATED_MODULE_NAMES:
        return "a name the generated code already uses"
    if snake in DJANGO_MODEL_ATTRIBUTES:
        return "an attribute every Django model already has"
    if sql and snake in SQL_RESERVED:
        return "a reserved word in SQL"
    if snake in JS_RESERVED:
        return "a reserved word in JavaScript"
    if snake in PYTHON_BUILTINS and snake not in {
        "type",
        "format",
        "input",
        "range",
        "hash",
        "filter",
        "map",
        "max",
        "min",
        "sum",
        "open",
        "object",
        "property",
        "len",
        "id",
        "vars",
        "help",
        "license",
        "copyright",
        "credits",
        "exit",
        "quit",
        "next",
        "iter",
        "round",
        "set",
        "list",
        "dict",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "all",
        "any",
    }:
        return "a Python built-in"
    return None


def entity_reserved_reason(pascal: str) -> str | None:
    """Why a PascalCase name may not be used as an entity (model class) name, or None."""
    snake = to_snake(pascal)
    if pascal in DJANGO_RESERVED_CLASSES:
        return "a name Django or the generated code already uses"
    if pascal in {"None", "True", "False"} or snake in PYTHON_RESERVED:
        return "a Python keyword"
    if snake in GENERATED_MODULE_NAMES:
        return "a name the generated code already uses"
    if snake in JS_RESERVED:
        return "a reserved word in JavaScript"
    return None
