"""Any valid spec, however hostile its words, renders to parseable, ruff-clean Python."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_django_stack import (
    assert_samples_keep_the_rules,
    assert_sound,
    render,
    ruff_check,
    write,
)

from generator.engine import naming
from generator.engine.spec import AppSpec, FieldType, OnDelete, RelationKind, SpecError
from generator.engine.stacks.django.render import LEFTOVER_MARKERS

HOSTILE_WORDS = [
    "class",
    "def",
    "import",
    "lambda",
    "None",
    "True",
    "match",
    "select",
    "from",
    "order",
    "group",
    "table",
    "function",
    "var",
    "this",
    "delete",
    "User",
    "user",
    "users",
    "Meta",
    "models",
    "settings",
    "uuid",
    "Decimal",
    "id",
    "pk",
    "objects",
    "save",
    "Model",
    "Form",
    "Admin",
    "Serializer",
    "Config",
    "Core",
    "TestCase",
    "admin",
    "api",
    "static",
    "media",
    "created at",
    "updated_at",
    "owner",
    "owner_id",
    "1st place",
    "42",
    "ñandú",
    "日本語",
    "Straße",
    "x" * 90,
    "Order-Item",
    "order_item",
    "OrderItem",
    "order item",
    "AbC",
    "Abc",
    "self",
    "Q",
    "F",
    "data",
    "sheep",
    "Tasks",
    "task",
    "status",
    "new",
    "edit",
    "list",
]
_safe_text = st.text(max_size=40).filter(lambda t: not any(m in t for m in LEFTOVER_MARKERS))
names = st.one_of(st.sampled_from(HOSTILE_WORDS), _safe_text.filter(str.strip))
numbers = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(list(FieldType)))
    field: dict[str, Any] = {
        "name": draw(names),
        "type": kind.value,
        "required": draw(st.booleans()),
        "unique": draw(st.booleans()),
        "label": draw(_safe_text),
        "help_text": draw(_safe_text),
        "min_value": draw(numbers),
        "max_value": draw(numbers),
    }
    if kind == FieldType.ENUM:
        field["choices"] = draw(
            st.lists(st.builds(dict, value=names, label=_safe_text), max_size=5)
        )
    if kind == FieldType.DECIMAL:
        field["max_digits"] = draw(st.integers(1, 30))
        field["decimal_places"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        field["max_length"] = draw(st.integers(1, 300))
    if draw(st.booleans()):
        field["default"] = draw(
            st.one_of(
                st.booleans(),
                st.integers(-5, 5),
                _safe_text,
                st.sampled_from(["1.5", "draft", "true"]),
            )
        )
    return field


@st.composite
def specs(draw: st.DrawFn) -> AppSpec:
    entity_names = draw(st.lists(names, min_size=1, max_size=5))
    entities = [
        {
            "name": name,
            "plural": draw(st.one_of(st.just(""), names)),
            "description": draw(_safe_text),
            "fields": draw(st.lists(fields(), max_size=6)),
        }
        for name in entity_names
    ]
    for entity in entities:
        entity.update(draw(rules(entity["fields"])))
    targets = [*entity_names, "User"]
    relationships = draw(
        st.lists(
            st.builds(
                dict,
                kind=st.sampled_from([k.value for k in RelationKind]),
                source=st.sampled_from(entity_names),
                target=st.sampled_from(targets),
                name=st.one_of(st.just(""), names),
                required=st.booleans(),
                on_delete=st.sampled_from([o.value for o in OnDelete]),
            ),
            max_size=6,
        )
    )
    features = draw(st.sampled_from([[], [{"name": "Sign in", "category": "authentication"}]]))
    data = {
        "name": draw(names.filter(naming.ascii_words)),
        "description": draw(_safe_text),
        "entities": entities,
        "relationships": relationships,
        "features": features,
        "roles": draw(st.lists(st.builds(dict, name=names, description=_safe_text), max_size=3)),
        "notes": draw(st.lists(_safe_text, max_size=2)),
    }
    # Drop what the sanitiser refuses (a rule over a missing or incomparable field, a role with
    # no letters, an unresolvable target), one part at a time.
    unruled = [{**e, "unique_together": [], "comparisons": []} for e in entities]
    for attempt in (
        data,
        {**data, "entities": unruled},
        {**data, "entities": unruled, "roles": []},
        {**data, "entities": unruled, "roles": [], "relationships": []},
    ):
        try:
            return AppSpec.from_data(attempt)
        except SpecError:
            continue
    raise AssertionError("the last attempt is always valid")


GROUPS = {"integer": "n", "decimal": "n", "float": "n", "date": "d", "datetime": "dt", "time": "t"}


@st.composite
def rules(draw: st.DrawFn, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Unique rules and comparisons over an entity's fields, mostly ones the sanitiser keeps."""
    keyable = [f["name"] for f in fields if f["type"] not in {"json", "file", "image"}]
    flags = [f["name"] for f in fields if f["type"] == "boolean"]
    pairs = [
        (a["name"], b["name"])
        for a in fields
        for b in fields
        if a is not b and GROUPS.get(a["type"], "x") == GROUPS.get(b["type"], "y")
    ]
    out: dict[str, Any] = {}
    if keyable:
        unique = st.builds(
            dict,
            fields=st.lists(st.sampled_from(keyable), min_size=1, max_size=3),
            when_true=st.one_of(st.none(), st.sampled_from(flags)) if flags else st.none(),
            message=_safe_text,
        )
        out["unique_together"] = draw(st.lists(unique, max_size=2))
    if pairs:
        comparison = st.builds(
            lambda pair, op, message: {
                "field": pair[0],
                "op": op,
                "other": pair[1],
                "message": message,
            },
            st.sampled_from(pairs),
            st.sampled_from(["gt", "gte", "lt", "lte"]),
            _safe_text,
        )
        out["comparisons"] = draw(st.lists(comparison, max_size=2))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs())
def test_any_valid_spec_renders_clean_python(spec: AppSpec) -> None:
    files = render(spec)
    assert_sound(files)
    with tempfile.TemporaryDirectory() as tmp:
        write(files, Path(tmp))
        done = ruff_check(Path(tmp))
        assert done.returncode == 0, done.stdout


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs())
def test_any_valid_spec_gets_sample_values_that_keep_its_rules(spec: AppSpec) -> None:
    assert_samples_keep_the_rules(spec)
