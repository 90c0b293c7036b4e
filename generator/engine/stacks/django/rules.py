"""An entity's rules as the Django stack writes them: constraints, messages and test values.

"One row per combination" becomes a ``UniqueConstraint`` (conditional when only rows with a flag
set count), a comparison between two fields a ``CheckConstraint`` that holds while either is
empty. Each carries a readable ``violation_error_message``: Django's ``validate_constraints``
raises it for model forms, the admin and the API's serializers alike, so a broken rule is a
validation error, never a database error. A constraint's source is written once and used in both
models.py and the initial migration, so ``makemigrations --check`` sees no change.

Sample values come from ``spec.comparison_values``: the values the sanitiser proved exist.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from generator.engine import inequalities, naming
from generator.engine.spec import (
    COMPARABLE,
    Comparison,
    Entity,
    FieldSpec,
    FieldType,
    Relationship,
    UniqueTogether,
    comparison_values,
    value_range,
    value_step,
)
from generator.engine.stacks.django.fields import nullable, py

MAX_SHIFT = 1000  # sample numbers of compared fields move together by up to this much
_WORDS = {
    "number": {"gt": "greater than", "gte": "at least", "lt": "less than", "lte": "at most"},
    "date": {"gt": "after", "gte": "on or after", "lt": "before", "lte": "on or before"},
    "time": {"gt": "after", "gte": "at or after", "lt": "before", "lte": "at or before"},
}
_SQL_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_ASSERTIONS = {
    "gt": "assertGreater",
    "gte": "assertGreaterEqual",
    "lt": "assertLess",
    "lte": "assertLessEqual",
}
# Two moments a day apart, the first one first: (big, small) values that break "big > small".
_EARLY_LATE = {
    FieldType.DATE: ("datetime.date(2024, 6, 1)", "datetime.date(2024, 6, 2)"),
    FieldType.DATETIME: (
        "datetime.datetime(2024, 6, 1, 10, 0, tzinfo=datetime.UTC)",
        "datetime.datetime(2024, 6, 1, 11, 0, tzinfo=datetime.UTC)",
    ),
    FieldType.TIME: ("datetime.time(10, 0)", "datetime.time(11, 0)"),
}


@dataclass(frozen=True, slots=True)
class Member:
    """A field or a many-to-one/one-to-one relation named by a unique rule."""

    name: str
    label: str
    relation: Relationship | None

    @property
    def column(self) -> str:
        return f"{self.name}_id" if self.relation else self.name


@dataclass(frozen=True, slots=True)
class UniqueRule:
    members: list[Member]
    when_true: str | None
    table: str
    name: str
    message: str

    @property
    def fields(self) -> list[str]:
        return [m.name for m in self.members]

    @property
    def source(self) -> str:
        parts = [f"fields={py(self.fields)}"]
        if self.when_true:
            parts.append(f"condition=models.Q({self.when_true}=True)")
        parts += [f"name={py(self.name)}", f"violation_error_message={_template(self.message)}"]
        return f"models.UniqueConstraint({', '.join(parts)})"

    @property
    def sql(self) -> str:
        """PostgreSQL for docs/schema.sql: a partial unique index when a flag decides."""
        columns = ", ".join(_quote(m.column) for m in self.members)
        name, table = _quote(self.name), _quote(self.table)
        if self.when_true:
            where = _quote(self.when_true)
            return f"CREATE UNIQUE INDEX {name} ON {table} ({columns}) WHERE {where};"
        return f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({columns});"


@dataclass(frozen=True, slots=True)
class ComparisonRule:
    spec: Comparison
    nullable: tuple[str, ...]  # the compared fields that may be empty
    table: str
    name: str
    message: str
    broken: tuple[str, str]  # Python values of (big, small) that break the rule

    @property
    def field(self) -> str:
        return self.spec.field

    @property
    def other(self) -> str:
        return self.spec.other

    @property
    def big(self) -> str:
        return self.spec.big

    @property
    def small(self) -> str:
        return self.spec.small

    @property
    def assertion(self) -> str:
        """The unittest assertion that a valid pair passes: ``self.<it>(field, other)``."""
        return _ASSERTIONS[self.spec.op]

    @property
    def condition(self) -> str:
        rule = f"models.Q({self.field}__{self.spec.op}=models.F({py(self.other)}))"
        empty = [f"models.Q({name}__isnull=True)" for name in self.nullable]
        return " | ".join([*empty, rule])

    @property
    def source(self) -> str:
        return (
            f"models.CheckConstraint(condition={self.condition}, name={py(self.name)}, "
            f"violation_error_message={_template(self.message)})"
        )

    @property
    def sql(self) -> str:
        rule = f"{_quote(self.field)} {_SQL_OPS[self.spec.op]} {_quote(self.other)}"
        check = " OR ".join([*(f"{_quote(name)} IS NULL" for name in self.nullable), rule])
        return (
            f"ALTER TABLE {_quote(self.table)} ADD CONSTRAINT {_quote(self.name)} CHECK ({check});"
        )


def constraint_name(table: str, key: str, taken: set[str]) -> str:
    """Short (at most 30 characters, like Django's index names), stable, unique in the project."""
    stem = table.split("_", 1)[-1][:12].rstrip("_")
    salt = 0
    while True:
        digest = hashlib.sha256(f"{table}:{key}:{salt}".encode()).hexdigest()[:8]
        name = f"{stem}_{digest}_{key.split(':', 1)[0]}"
        if name not in taken:
            taken.add(name)
            return name
        salt += 1


def unique_rules(
    entity: Entity, relations: list[Relationship], table: str, taken: set[str]
) -> list[UniqueRule]:
    by_name = {r.name: r for r in relations}
    out = []
    for rule in entity.unique_together:
        members = [_member(entity, by_name, name) for name in rule.fields]
        key = f"uniq:{','.join(rule.fields)}:{rule.when_true or ''}"
        out.append(
            UniqueRule(
                members=members,
                when_true=rule.when_true,
                table=table,
                name=constraint_name(table, key, taken),
                message=rule.message or _unique_message(entity, members, rule),
            )
        )
    return out


def comparison_rules(entity: Entity, table: str, taken: set[str]) -> list[ComparisonRule]:
    out = []
    for rule in entity.comparisons:
        compared = [_field(entity, name) for name in (rule.field, rule.other)]
        key = f"check:{rule.field}:{rule.op}:{rule.other}"
        out.append(
            ComparisonRule(
                spec=rule,
                nullable=tuple(f.name for f in compared if nullable(f)),
                table=table,
                name=constraint_name(table, key, taken),
                message=rule.message or _comparison_message(entity, rule),
                broken=_broken(entity, rule),
            )
        )
    return out


def samples(entity: Entity) -> dict[str, str]:
    """Sample sources (over the counter ``n``) that keep every rule of the entity.

    Compared fields take the values the sanitiser found, numbers shifted together by ``n`` so
    that unique fields stay unique; a flag that decides a unique rule starts off, so rows made
    for other tests never collide (the rule's own tests switch it on).
    """
    out = {rule.when_true: "False" for rule in entity.unique_together if rule.when_true}
    if not entity.comparisons:
        return out
    values = comparison_values(entity)
    numbers = [_field(entity, n) for n in values if COMPARABLE[_field(entity, n).type] == "number"]
    rooms = [math.floor(value_range(f)[1] - values[f.name]) for f in numbers]
    shift = min([MAX_SHIFT - 1, *rooms])
    for name, value in values.items():
        out[name] = _sample(_field(entity, name), value, shift)
    return out


def _sample(field: FieldSpec, value: Fraction, shift: int) -> str:
    steps = int(value)
    if field.type == FieldType.DATE:
        return f"_date(n) + datetime.timedelta(days={steps})" if steps else "_date(n)"
    if field.type == FieldType.DATETIME:
        return f"_datetime(n) + datetime.timedelta(minutes={steps})" if steps else "_datetime(n)"
    if field.type == FieldType.TIME:
        return f"datetime.time(n % 23, {steps})"
    literal = _number(field, value)
    return f"{literal} + n % {shift + 1}" if shift > 0 else literal


def _number(field: FieldSpec, value: Fraction) -> str:
    if field.type == FieldType.INTEGER:
        return str(int(value))
    if field.type == FieldType.DECIMAL:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        quantum = Decimal(1).scaleb(-(field.decimal_places or 0))
        return f"Decimal({str(exact.quantize(quantum))!r})"
    return repr(float(value))


def _broken(entity: Entity, rule: Comparison) -> tuple[str, str]:
    """Python values of (big, small), each within its own field's bounds, that break the rule."""
    big, small = _field(entity, rule.big), _field(entity, rule.small)
    if big.type in _EARLY_LATE:
        return _EARLY_LATE[big.type]
    values = comparison_values(entity)
    low = inequalities.up(value_range(big)[0], value_step(big), strict=False)
    high = inequalities.down(value_range(small)[1], value_step(small), strict=False)
    kept_big, kept_small = values[rule.big], values[rule.small]  # a pair that keeps the rule
    tries = [
        (kept_small, kept_small),  # equal: breaks only a strict rule
        (kept_small, kept_big),
        (kept_small, kept_small + value_step(small)),
        (kept_big - value_step(big), kept_big),
        (low, high),  # the sanitiser checked that these break it
    ]
    for b, s in tries:
        fits = _fits(big, b) and _fits(small, s)
        if fits and (b <= s if rule.strict else b < s):
            return _number(big, b), _number(small, s)
    raise AssertionError(f"the sanitiser keeps only rules that can break: {rule}")


def _fits(field: FieldSpec, value: Fraction) -> bool:
    low, high = value_range(field)
    return low <= value <= high and value % value_step(field) == 0


def _field(entity: Entity, name: str) -> FieldSpec:
    found = entity.field(name)
    assert found is not None, name
    return found


def _member(entity: Entity, relations: dict[str, Relationship], name: str) -> Member:
    field = entity.field(name)
    if field is not None:
        return Member(name, field.label, None)
    return Member(name, naming.to_label(name), relations[name])


def _unique_message(entity: Entity, members: list[Member], rule: UniqueTogether) -> str:
    per = [m.label for m in members if m.name != rule.when_true]
    scope = f" per {_and(per)}" if per else ""
    if rule.when_true:
        flag = _field(entity, rule.when_true).label
        return f'Only one {entity.label}{scope} may be marked "{flag}".'
    return f"Only one {entity.label}{scope} is allowed."


def _comparison_message(entity: Entity, rule: Comparison) -> str:
    field, other = _field(entity, rule.field), _field(entity, rule.other)
    group = COMPARABLE[field.type]
    words = _WORDS["time" if group in {"datetime", "time"} else group][rule.op]
    text = f"{field.label} must be {words} {other.label}."
    return text[:1].upper() + text[1:]


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _template(message: str) -> str:
    """Django fills the constraint's name into its message with %: a literal % is doubled."""
    return py(message.replace("%", "%%"))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
