"""A human name for the app, from the phrase that says what it is.

"a task manager for small teams" -> "Task Manager"; "Create a blog application" -> "Blog";
"crm: contacts, deals" -> "CRM". Also returns the domain words ("blog", "store") that the
entity rules strip from compounds ("blog posts" -> Post). Falls back to "My App".
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.engine.analysis import lexicon as lx
from generator.engine.analysis.text import ADJ, HAVE, NOUN, VERB, Token, tokenize

FALLBACK_NAME = "My App"
_ACRONYMS = frozenset({"crm", "hr", "lms", "erp", "iot", "cms", "api", "faq", "pos", "rsvp"})
_QUALITY = lx.ADJECTIVES - {
    "online",
    "personal",
    "social",
    "digital",
    "mobile",
    "public",
    "private",
    "internal",
    "daily",
    "weekly",
    "local",
    "global",
}


def app_phrase(sentences: list[str]) -> list[str]:
    """Words of the first phrase that names the app, e.g. ["online", "store"]."""
    for sentence in sentences[:3]:
        tokens = tokenize(sentence)
        for start, end in _noun_runs(tokens):
            words = [t.word for t in tokens[start:end]]
            head = words[-1]
            if head in lx.APP_HEAD_NOUNS | lx.APP_KIND_NOUNS or (
                head in lx.DOMAIN_NOUNS and (start == 0 or tokens[start - 1].tag != "PREP")
            ):
                kept = [w for w in words if w not in _QUALITY]
                if kept:
                    return kept
    return []


def _noun_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, token in enumerate([*tokens, Token("", "END")]):
        if token.tag in {NOUN, ADJ}:
            start = index if start is None else start
        elif start is not None:
            runs.append((start, index))
            start = None
    return runs


def domain_words(phrase: list[str], sentences: Sequence[str] = ()) -> frozenset[str]:
    """Domain words of the app phrase, plus the places the text only calls "the X" and the
    head of a title the text never speaks of again ("Sports league manager: teams have...")."""
    named = {w for w in phrase if w in lx.DOMAIN_NOUNS and w not in lx.APP_KIND_NOUNS}
    title, body = _title(sentences)
    subjects, other_uses = _uses(body)
    return frozenset(named | (subjects - other_uses) | (title - other_uses))


def _title(sentences: Sequence[str]) -> tuple[set[str], list[list[Token]]]:
    """The head noun of "Food truck ordering: ..." and the tokens of the text after it."""
    tokens = [tokenize(s) for s in sentences]
    if not tokens:
        return set(), []
    first = tokens[0]
    colon = next((i for i, t in enumerate(first) if t.word == ":"), None)
    if colon is None or colon > 4 or any(t.tag not in {NOUN, ADJ, VERB} for t in first[:colon]):
        return set(), tokens
    nouns = [t.base for t in first[:colon] if t.tag == NOUN]
    nouns = [w for w in nouns if w not in lx.APP_HEAD_NOUNS | lx.APP_KIND_NOUNS]
    return set(nouns[-1:]), [first[colon + 1 :], *tokens[1:]]


def _uses(sentences: list[list[Token]]) -> tuple[set[str], set[str]]:
    """ "The campsite has pitches": a place the app serves, when the text never speaks of
    "a campsite", "each campsite" or "campsites" (as a modifier, "campsite bookings", is fine).
    Returns the places and the words the text also uses as a head noun."""
    subjects: set[str] = set()
    other_uses: set[str] = set()
    for tokens in sentences:
        for index, token in enumerate(tokens):
            if token.tag != NOUN:
                continue
            before = tokens[index - 1].word if index else ""
            after = tokens[index + 1].tag if index + 1 < len(tokens) else ""
            if before == "the" and index == 1 and after == HAVE and token.word == token.base:
                subjects.add(token.word)
            elif after != NOUN and (before != "the" or token.word != token.base):
                other_uses.add(token.base)  # a head noun ("campsite bookings" is no use)
    return subjects, other_uses


def app_name(phrase: list[str]) -> str:
    words = [w for w in phrase if w not in lx.APP_HEAD_NOUNS]
    if not words or (words[-1] in {"management", "data"} and len(words) == 1):
        return FALLBACK_NAME
    return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words[-4:])
