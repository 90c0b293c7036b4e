"""Entities the text makes public: read by anyone, signed in or not.

"Published posts are public", "anyone can browse the courses", "visitors see the events without
an account": a clause that says so marks the entities it mentions. Only these words count, so a
"public holiday" or "posts are not public" marks nothing; who reads the rest is the stack's
choice (spec.Access.AUTO).
"""

from __future__ import annotations

import re

_PUBLIC = re.compile(
    r"\b(?:is|are|be|being|made|shown|kept|listed) "
    r"(?:publicly visible|public|visible to (?:everyone|anyone|the public))\b"
    r"|\bpublicly (?:visible|available|listed|readable|browsable)\b"
    r"|\b(?:anyone|everyone|visitors|guests) (?:can|may|could) (?:see|read|view|browse|look at)\b"
    r"|\bwithout (?:an account|signing in|logging in|signing up|registering)\b"
)


def public_entities(clauses: list[tuple[str, set[str]]], entities: list[str]) -> list[str]:
    """The entities (of ``entities``, in their order) that a clause makes public.

    ``clauses`` pairs each clause's lower-cased text with the entities it mentions.
    """
    marked = {name for text, mentions in clauses if _PUBLIC.search(text) for name in mentions}
    return [name for name in entities if name in marked]


def public_note(name: str) -> str:
    return f"{name} is public: anyone may read it, signed in or not (change it on the plan)."
