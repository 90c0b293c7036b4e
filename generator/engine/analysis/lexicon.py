"""Units and default fields: what the field rules cannot read from the words themselves.

"a duration in minutes" is an integer, "a price in euros" a decimal, "a distance in km" a
float; an entity the text names without describing it gets the fields listed here ("a comment"
has a body). Everything else the parser says (see nlp.py) or hints.py knows.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Last words that make a field a list of values: "an allergens list" -> allergens (JSON).
VALUE_LIST_WORDS = _words("list array")

# Units after "in" that say a field's type: "a duration in minutes", "a price in euros".
TIME_UNITS = _words("second minute hour day week month year")

MEASURE_UNITS = _words(
    """
    metre meter kilometre kilometer km mile cm mm centimetre centimeter millimetre millimeter
    foot feet inch kg kilo kilogram gram g lb pound ounce oz litre liter ml celsius fahrenheit
    degree percent kwh watt kilowatt kw tonne ton
    """
)

CURRENCY_UNITS = _words(
    """
    usd eur euro dollar gbp sterling yen jpy chf franc cad aud inr rupee cent currency
    """
)

# Default fields for entities the text names without describing.
DEFAULT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "comment": (("body", "text"),),
    "reply": (("body", "text"),),
    "message": (("body", "text"),),
    "note": (("body", "text"),),
    "review": (("rating", "integer"), ("body", "text")),
    "rating": (("score", "integer"),),
    "vote": (("value", "integer"),),
    "like": (("created_at", "datetime"),),
    "profile": (("bio", "text"),),
    "post": (("title", "string"), ("body", "text")),
    "article": (("title", "string"), ("body", "text")),
    "task": (("title", "string"), ("done", "boolean")),
    "item": (("name", "string"), ("quantity", "integer")),
    "order_item": (("quantity", "integer"), ("unit_price", "decimal")),
    "booking": (("start_date", "date"), ("end_date", "date")),
    "reservation": (("date", "date"),),
    "appointment": (("scheduled_at", "datetime"),),
    "payment": (("amount", "decimal"), ("paid_at", "datetime")),
    "invoice": (("number", "string"), ("total", "decimal")),
    "event": (("title", "string"), ("starts_at", "datetime")),
    "tag": (("name", "string"),),
    "attempt": (("score", "integer"), ("taken_at", "datetime")),
    "book": (("title", "string"),),
    "movie": (("title", "string"),),
    "film": (("title", "string"),),
    "song": (("title", "string"),),
    "album": (("title", "string"),),
    "episode": (("title", "string"),),
    "ticket": (("subject", "string"),),
    "issue": (("title", "string"),),
    "meeting": (("starts_at", "datetime"),),
    "announcement": (("title", "string"), ("message", "text")),
    "enrollment": (("enrolled_on", "date"),),
    "enrolment": (("enrolled_on", "date"),),
    "signup": (("signed_up_at", "datetime"),),
    "progress": (("completed", "boolean"), ("completed_at", "datetime")),
    "loan": (("borrowed_on", "date"), ("due_date", "date"), ("returned", "boolean")),
    "membership": (("joined_on", "date"),),
    "subscription": (("started_on", "date"),),
    "registration": (("registered_at", "datetime"),),
    "attendance": (("present", "boolean"),),
    "application": (("submitted_at", "datetime"),),
    "rental": (("start_date", "date"), ("end_date", "date")),
    "follow": (("created_at", "datetime"),),
    "favorite": (("created_at", "datetime"),),
    "bookmark": (("created_at", "datetime"),),
    "notice": (("title", "string"), ("message", "text")),
    "newsletter": (("subject", "string"), ("body", "text")),
    "lesson": (("title", "string"), ("content", "text")),
    "course": (("title", "string"), ("description", "text")),
    "quiz": (("title", "string"),),
    "question": (("text", "text"),),
    "option": (("text", "string"),),
    "answer": (("text", "text"),),
}
