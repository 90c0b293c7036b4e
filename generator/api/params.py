"""Whole numbers read from a query string or a header, refused with a 400 naming the parameter.

``str.isdigit`` is not enough: it accepts digits ``int`` cannot read ("²", "٣"), which turned
such a parameter into a 500, and ``int`` refuses strings of more than 4,300 digits. Only up to
18 ASCII digits are a number here (every id and position fits in 64 bits); surrounding spaces
are not allowed, as in the schema's ``integer``.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

MAX_DIGITS = 18


def whole_number(raw: str, *, name: str, minimum: int = 0) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS) or int(raw) < minimum:
        raise ValidationError({name: [f"Must be a whole number ≥ {minimum}."]})
    return int(raw)
