"""Whole numbers read from a query string or a header, refused with a 400 naming the parameter.

``str.isdigit`` is not enough: it accepts digits ``int`` cannot read ("²", "٣"), which turned
such a parameter into a 500. Only ASCII digits are numbers here.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError


def whole_number(raw: str, *, name: str, minimum: int = 0) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise ValidationError({name: [f"Must be a whole number ≥ {minimum}."]})
    return int(value)
