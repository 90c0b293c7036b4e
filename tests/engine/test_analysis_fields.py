"""Field names and words to typed fields (fields.py), the piece of the analyzer that knows "price"
is money and "an optional status (draft, published)" is an optional choice with a default."""

from __future__ import annotations

import pytest

from generator.engine.analysis.fields import field_from_words, infer_type
from generator.engine.spec import FieldType


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("email", FieldType.EMAIL), ("contact_email", FieldType.EMAIL),
        ("website", FieldType.URL), ("url", FieldType.URL), ("link", FieldType.URL),
        ("price", FieldType.DECIMAL), ("total_amount", FieldType.DECIMAL),
        ("salary", FieldType.DECIMAL), ("budget", FieldType.DECIMAL), ("fee", FieldType.DECIMAL),
        ("quantity", FieldType.INTEGER), ("stock", FieldType.INTEGER), ("age", FieldType.INTEGER),
        ("capacity", FieldType.INTEGER), ("rating", FieldType.INTEGER),
        ("number", FieldType.INTEGER), ("phone_number", FieldType.STRING),
        ("due_date", FieldType.DATE), ("deadline", FieldType.DATE),
        ("birthday", FieldType.DATE), ("date_of_birth", FieldType.DATE),
        ("created_at", FieldType.DATETIME), ("timestamp", FieldType.DATETIME),
        ("start_time", FieldType.TIME),
        ("is_active", FieldType.BOOLEAN), ("has_paid", FieldType.BOOLEAN),
        ("published", FieldType.BOOLEAN), ("completed", FieldType.BOOLEAN),
        ("done", FieldType.BOOLEAN),
        ("photo", FieldType.IMAGE), ("avatar", FieldType.IMAGE), ("cover_image", FieldType.IMAGE),
        ("logo", FieldType.IMAGE),
        ("attachment", FieldType.FILE), ("resume", FieldType.FILE), ("pdf", FieldType.FILE),
        ("description", FieldType.TEXT), ("body", FieldType.TEXT), ("bio", FieldType.TEXT),
        ("notes", FieldType.TEXT), ("summary", FieldType.TEXT),
        ("slug", FieldType.SLUG), ("uuid", FieldType.UUID),
        ("weight", FieldType.FLOAT), ("latitude", FieldType.FLOAT), ("score", FieldType.FLOAT),
        ("title", FieldType.STRING), ("colour", FieldType.STRING),
    ],
)  # fmt: skip
def test_field_type_inference(name: str, expected: FieldType) -> None:
    assert infer_type(name) == expected


def test_field_from_words_reads_modifiers_and_choices() -> None:
    field = field_from_words(["an", "optional", "status"], ("Draft", "Published", "Archived"))
    assert field is not None
    assert field.type == FieldType.ENUM and not field.required
    assert [c.value for c in field.choices] == ["draft", "published", "archived"]
    assert field.default == "draft"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["receipt"], FieldType.FILE),
        (["target", "per", "week"], FieldType.INTEGER),
        (["price", "per", "night"], FieldType.DECIMAL),
        (["json", "permissions"], FieldType.JSON),
    ],
)
def test_type_hints_in_parentheses_per_and_json(words: list[str], expected: FieldType) -> None:
    choices = ("pdf",) if words == ["receipt"] else ()
    spec = field_from_words(words, choices)
    assert spec is not None and spec.type == expected
