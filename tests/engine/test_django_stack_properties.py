"""Any valid spec, however hostile its words, renders to parseable, ruff-clean Python."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_django_stack import assert_sound, render, ruff_check, write

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
    }
    try:
        return AppSpec.from_data(data)
    except SpecError:
        return AppSpec.from_data({**data, "relationships": []})  # e.g. an unresolvable target


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs())
def test_any_valid_spec_renders_clean_python(spec: AppSpec) -> None:
    files = render(spec)
    assert_sound(files)
    with tempfile.TemporaryDirectory() as tmp:
        write(files, Path(tmp))
        done = ruff_check(Path(tmp))
        assert done.returncode == 0, done.stdout
