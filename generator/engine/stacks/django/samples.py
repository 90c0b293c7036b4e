"""Valid sample values for the generated tests, as Python source over a counter ``n``.

The generated ``core/tests/factories.py`` defines the small helpers named here (``_text``,
``_integer``…); each expression yields a fresh value that passes the field's validation, so
factories can build instances and form/API payloads of every entity. Unique fields stay unique
because ``n`` never repeats within a test run.
"""

from __future__ import annotations

from generator.engine.spec import FieldSpec, FieldType
from generator.engine.stacks.django.fields import bound, max_length, py


def _bound(field: FieldSpec, value: float | None) -> str:
    number = bound(field, value)
    if number is None:
        return "None"
    if field.type == FieldType.DECIMAL:
        return f"Decimal({str(number)!r})"
    return py(number)


def sample(field: FieldSpec) -> str:
    kind, name = field.type, field.name
    low, high = _bound(field, field.min_value), _bound(field, field.max_value)
    if kind == FieldType.STRING:
        return f"_text({py(name)}, n, {max_length(field)})"
    if kind == FieldType.SLUG:
        return f"_text({py(name)}, n, {max_length(field)}, sep='-')"
    if kind == FieldType.TEXT:
        return f"_text({py(name)}, n, None)"
    if kind == FieldType.INTEGER:
        return f"_integer(n, {low}, {high})"
    if kind == FieldType.FLOAT:
        return f"_float(n, {low}, {high})"
    if kind == FieldType.DECIMAL:
        return f"_decimal(n, {field.max_digits}, {field.decimal_places}, {low}, {high})"
    if kind == FieldType.ENUM:
        return f"_choice(n, {py([c.value for c in field.choices])})"
    simple = {
        FieldType.BOOLEAN: "True",
        FieldType.DATE: "_date(n)",
        FieldType.DATETIME: "_datetime(n)",
        FieldType.TIME: "_time(n)",
        FieldType.EMAIL: 'f"person{n}@example.com"',
        FieldType.URL: 'f"https://example.com/{n}"',
        FieldType.UUID: "uuid.uuid4()",
        FieldType.JSON: '{"n": n}',
        FieldType.FILE: '_upload(f"file{n}.txt", b"sample file")',
        FieldType.IMAGE: '_upload(f"image{n}.png", TINY_PNG)',
    }
    return simple[kind]
