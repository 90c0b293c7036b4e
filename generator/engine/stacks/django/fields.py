"""Django field declarations, computed once and written twice: in models.py and in 0001_initial.

The initial migration is rendered straight from the spec rather than by ``makemigrations``, so a
field's keyword arguments must deconstruct identically in both files or ``makemigrations --check``
reports a change. Each keyword therefore carries two spellings of one value: the idiomatic one for
models.py (``MinValueValidator(1)``, ``Status.choices``) and the fully qualified one a migration
uses (``django.core.validators.MinValueValidator(1)``, a literal choices list). A keyword also
names the imports its sources need, so the modules' imports follow from the spec's structure and
never from what free text says. Which fields exist and in which order is the project view's
business (project.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from generator.engine.spec import FieldSpec, FieldType, OnDelete, RelationKind

# Narrower columns cannot hold a realistic address; the spec's value is raised to this floor.
MIN_ADDRESS_LENGTH = 64

_FIELD_CLASSES = {
    FieldType.STRING: "CharField",
    FieldType.TEXT: "TextField",
    FieldType.INTEGER: "IntegerField",
    FieldType.DECIMAL: "DecimalField",
    FieldType.FLOAT: "FloatField",
    FieldType.BOOLEAN: "BooleanField",
    FieldType.DATE: "DateField",
    FieldType.DATETIME: "DateTimeField",
    FieldType.TIME: "TimeField",
    FieldType.EMAIL: "EmailField",
    FieldType.URL: "URLField",
    FieldType.SLUG: "SlugField",
    FieldType.UUID: "UUIDField",
    FieldType.JSON: "JSONField",
    FieldType.FILE: "FileField",
    FieldType.IMAGE: "ImageField",
    FieldType.ENUM: "CharField",
}
# Types whose empty value is an empty string: Django stores "" rather than NULL for them.
_STRING_TYPES = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXT,
        FieldType.EMAIL,
        FieldType.URL,
        FieldType.SLUG,
        FieldType.ENUM,
    }
)
_ON_DELETE = {
    OnDelete.CASCADE: "CASCADE",
    OnDelete.PROTECT: "PROTECT",
    OnDelete.SET_NULL: "SET_NULL",
    OnDelete.RESTRICT: "RESTRICT",
}
_RELATION_CLASSES = {
    RelationKind.MANY_TO_ONE: "ForeignKey",
    RelationKind.ONE_TO_ONE: "OneToOneField",
    RelationKind.MANY_TO_MANY: "ManyToManyField",
}


def py(value: object) -> str:
    """A Python literal for a plain value (str, bool, int, float, None)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"no literal for {value!r}")
    return repr(value)


# What a keyword's sources may need imported (stack.Needs has one flag per name).
NEED_UUID = "uuid"
NEED_DECIMAL = "decimal"
NEED_MIN_VALIDATOR = "min_validator"
NEED_MAX_VALIDATOR = "max_validator"
NEED_BUILTINS = "builtins"  # models.py only: a field named like a builtin the class body uses
NEED_UPLOAD_SIZE = "upload_size"
UPLOAD_VALIDATOR = "validate_upload_size"  # core/validators.py


@dataclass(frozen=True, slots=True)
class Kwarg:
    name: str
    model: str  # source in models.py
    migration: str  # source in the migration
    needs: frozenset[str] = frozenset()  # NEED_* names the sources import


@dataclass(frozen=True, slots=True)
class Declaration:
    cls: str  # "CharField"
    kwargs: tuple[Kwarg, ...]
    positional: str = ""  # models.py only: the related model of a relation

    @property
    def model(self) -> str:
        parts = [self.positional] if self.positional else []
        parts += [f"{k.name}={k.model}" for k in self.kwargs if k.model]
        return f"models.{self.cls}({', '.join(parts)})"

    @property
    def migration(self) -> str:
        parts = [f"{k.name}={k.migration}" for k in self.kwargs]
        return f"models.{self.cls}({', '.join(parts)})"


def _same(name: str, source: str, *needs: str) -> Kwarg:
    return Kwarg(name, source, source, frozenset(needs))


def max_length(field: FieldSpec) -> int | None:
    if field.max_length is None:
        return None
    if field.type in {FieldType.EMAIL, FieldType.URL}:
        return max(field.max_length, MIN_ADDRESS_LENGTH)
    return field.max_length if field.type != FieldType.TEXT else None


def bound(field: FieldSpec, value: float | None) -> int | float | Decimal | None:
    """A min/max bound in the field's own number type, or None."""
    if value is None or not math.isfinite(value):
        return None
    if field.type == FieldType.INTEGER:
        return int(value)
    if field.type == FieldType.DECIMAL:
        return Decimal(repr(value))
    return float(value)


def _number(value: int | float | Decimal, *, migration: bool) -> str:
    if isinstance(value, Decimal):
        return f"{'decimal.' if migration else ''}Decimal({str(value)!r})"
    return py(value)


def nullable(field: FieldSpec) -> bool:
    """NULL for an optional non-string field, and for an optional unique string (many blanks)."""
    if field.required or field.type in {FieldType.FILE, FieldType.IMAGE, FieldType.JSON}:
        return False
    return field.type not in _STRING_TYPES or field.unique


def default(
    field: FieldSpec, choices_class: str | None, attributes: frozenset[str] = frozenset()
) -> Kwarg | None:
    """``attributes``: names the model's class body defines, which shadow builtins in it."""
    kind, value = field.type, field.default
    if kind == FieldType.JSON:
        if "dict" in attributes:  # the migration's module scope still sees the builtin
            return Kwarg("default", "builtins.dict", "dict", frozenset({NEED_BUILTINS}))
        return _same("default", "dict")
    if kind == FieldType.UUID and field.required:
        return _same("default", "uuid.uuid4", NEED_UUID)
    if kind == FieldType.BOOLEAN:
        return _same("default", py(bool(value)))
    if value is None:
        return None
    if kind == FieldType.DECIMAL:
        dec = Decimal(str(value))
        return Kwarg(
            "default",
            _number(dec, migration=False),
            _number(dec, migration=True),
            frozenset({NEED_DECIMAL}),
        )
    if kind == FieldType.ENUM and choices_class:
        return Kwarg("default", f"{choices_class}.{member_name(str(value))}", py(value))
    return _same("default", py(value))


def member_name(value: str) -> str:
    """The TextChoices member for a (snake_case, letter-first) choice value."""
    return value.upper()


def field_declaration(
    field: FieldSpec,
    choices_class: str | None,
    upload_to: str,
    attributes: frozenset[str] = frozenset(),
) -> Declaration:
    """``attributes``: the names the model's class body defines (see :func:`default`)."""
    kwargs: list[Kwarg] = []
    kind = field.type
    if not field.required:
        kwargs.append(_same("blank", "True"))
    if nullable(field):
        kwargs.append(_same("null", "True"))
    if kind == FieldType.ENUM and choices_class:
        literal = "[" + ", ".join(f"({py(c.value)}, {py(c.label)})" for c in field.choices) + "]"
        kwargs.append(Kwarg("choices", f"{choices_class}.choices", literal))
    if kind == FieldType.DECIMAL:
        kwargs.append(_same("decimal_places", py(field.decimal_places)))
    found = default(field, choices_class, attributes)
    if found:
        kwargs.append(found)
    if field.help_text:
        kwargs.append(_same("help_text", py(field.help_text)))
    if kind == FieldType.DECIMAL:
        kwargs.append(_same("max_digits", py(field.max_digits)))
    length = max_length(field)
    if length is not None:
        kwargs.append(_same("max_length", py(length)))
    if field.unique:
        kwargs.append(_same("unique", "True"))
    if kind in {FieldType.FILE, FieldType.IMAGE}:
        kwargs.append(_same("upload_to", py(upload_to)))
    validators = _validators(field)
    if validators:
        kwargs.append(validators)
    if field.label != field.name.replace("_", " "):  # Django's own default otherwise
        kwargs.append(_same("verbose_name", py(field.label)))
    return Declaration(_FIELD_CLASSES[kind], tuple(kwargs))


def _validators(field: FieldSpec) -> Kwarg | None:
    model, migration, needs = [], [], set()
    for cls, need, value in (
        ("MinValueValidator", NEED_MIN_VALIDATOR, bound(field, field.min_value)),
        ("MaxValueValidator", NEED_MAX_VALIDATOR, bound(field, field.max_value)),
    ):
        if value is None:
            continue
        model.append(f"{cls}({_number(value, migration=False)})")
        migration.append(f"django.core.validators.{cls}({_number(value, migration=True)})")
        needs |= {need, NEED_DECIMAL} if isinstance(value, Decimal) else {need}
    if field.type in {FieldType.FILE, FieldType.IMAGE}:
        model.append(UPLOAD_VALIDATOR)
        migration.append(f"core.validators.{UPLOAD_VALIDATOR}")
        needs.add(NEED_UPLOAD_SIZE)
    if not model:
        return None
    return Kwarg(
        "validators", f"[{', '.join(model)}]", f"[{', '.join(migration)}]", frozenset(needs)
    )


def relation_declaration(
    *,
    kind: RelationKind,
    model_target: str,
    migration_target: str,
    related_name: str,
    required: bool,
    on_delete: OnDelete,
) -> Declaration:
    kwargs: list[Kwarg] = []
    if kind == RelationKind.MANY_TO_MANY:
        kwargs.append(_same("blank", "True"))
    elif not required:
        kwargs += [_same("blank", "True"), _same("null", "True")]
    if kind != RelationKind.MANY_TO_MANY:
        action = _ON_DELETE[on_delete]
        if action == "SET_NULL" and required:
            action = "CASCADE"
        kwargs.append(_same("on_delete", f"models.{action}"))
    kwargs.append(_same("related_name", py(related_name)))
    kwargs.append(Kwarg("to", "", migration_target))  # models.py names it positionally
    return Declaration(_RELATION_CLASSES[kind], tuple(kwargs), positional=model_target)
