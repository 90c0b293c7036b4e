"""Cut tagged tokens into clauses, predicates, list items and noun phrases.

Pure structure: this module says where a clause, a verb group or a list item starts and ends,
and what a noun phrase's quantifier, words, choices and prepositional tails are. What those
pieces mean for the app is decided by the clause reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from generator.engine.analysis.lexicon import ATTRIBUTE_NOUNS
from generator.engine.analysis.text import (
    ADJ,
    ADV,
    BE,
    BREAK,
    CONJ,
    DET,
    HAVE,
    MODAL,
    NEG,
    NOUN,
    NUM,
    PREP,
    PRON,
    PUNCT,
    QUANT,
    REL,
    VERB,
    Token,
)

_POSSESSIVES = frozenset({"their", "its", "his", "her", "whose"})
_ITEM_SEPARATORS = frozenset({",", ";", "and", "or", "&", "+", "plus", "nor"})
_VERB_GROUP = frozenset({MODAL, NEG, ADV, BE, HAVE, VERB})
_FINITE_FORMS = frozenset({"base", "s", ""})


@dataclass
class Phrase:
    """One list item read as a noun phrase: "several order items (a, b) with a price"."""

    tokens: list[Token]
    quant: str = ""  # "many", "one" or ""
    determined: bool = False  # had an article or determiner ("a task", "each order")
    possessive: bool = False  # "their statuses": an attribute of something named before
    choices: tuple[str, ...] = ()
    open_choices: bool = False  # "status: draft, published": later items may add choices
    tails: list[tuple[str, list[Token]]] = field(default_factory=list)
    rest: list[Token] = field(default_factory=list)  # the tokens the tails were cut from

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.tokens]

    @property
    def nouns(self) -> list[str]:
        """The noun words, from the first noun on ("new blog posts" -> blog, posts)."""
        first = next((i for i, t in enumerate(self.tokens) if t.tag == NOUN), None)
        if first is None:
            return []
        return [t.word for t in self.tokens[first:] if t.tag in {NOUN, ADJ}]

    @property
    def pronoun(self) -> str:
        return self.tokens[0].word if len(self.tokens) == 1 and self.tokens[0].tag == PRON else ""


@dataclass
class Predicate:
    verbs: list[Token]
    objects: list[Token]

    @property
    def bases(self) -> set[str]:
        return {t.base for t in self.verbs if t.tag == VERB}

    @property
    def passive(self) -> bool:
        tags = [t for t in self.verbs if t.tag in {BE, VERB}]
        return any(a.tag == BE and b.tag == VERB and b.form == "ed" for a, b in pairwise(tags))

    @property
    def possessive(self) -> bool:
        return any(t.tag == HAVE for t in self.verbs) and not self.bases

    @property
    def copula(self) -> bool:
        return any(t.tag == BE for t in self.verbs) and not self.bases

    @property
    def negated(self) -> bool:
        return any(t.tag == NEG for t in self.verbs)


def split_clauses(tokens: list[Token]) -> list[tuple[list[Token], list[Token]]]:
    """Clauses with the subject they inherit ("projects that contain tasks": projects)."""
    clauses: list[tuple[list[Token], list[Token]]] = [([], [])]
    skip = 0
    for index, token in enumerate(tokens):
        current = clauses[-1][0]
        if skip:
            skip -= 1
            continue
        keep = _joins_clauses(tokens, index, current)
        if token.word == ";" or token.tag == BREAK or keep is not None:
            if keep:
                current.extend(tokens[index : index + keep])
                skip = keep - 1
                clauses.append(([], []))
                continue
            clauses.append(([], []))
            if token.word in {"each", "every"}:
                clauses[-1][0].append(token)
        elif token.tag == REL:
            clauses.append(([], _trailing_noun_phrase(current)))
        else:
            current.append(token)
    return [(c, inherited) for c, inherited in clauses if c]


def _joins_clauses(tokens: list[Token], index: int, current: list[Token]) -> int | None:
    """Where a new clause starts inside a sentence, or None.

    A late colon; "each"/"every" right after a noun ("manage classes each class has");
    ", columns contain cards" (a separator, then a subject and a verb). Returns how many
    tokens from ``index`` still belong to the current clause ("and schedule students enroll":
    "and schedule" stays, "students enroll" starts the next).
    """
    token = tokens[index]
    if token.word == ":":  # "...my plants: each plant has a name" (not "priority: low/high")
        after = tokens[index + 1 :]
        end = next((i for i, t in enumerate(after) if t.word == ";"), len(after))
        return 0 if len(current) > 4 and has_finite_verb(after[:end]) else None
    if first_verb(current) is None:
        return None
    if token.word in {"each", "every"} and current and current[-1].tag == NOUN:
        return 0
    if token.word not in {",", "and"}:
        return None
    rest = tokens[index + 1 :]
    position = 0
    while position < len(rest) and rest[position].tag in {DET, QUANT, ADJ}:
        position += 1
    start = position
    while position < len(rest) and rest[position].tag == NOUN:
        position += 1
    if position == start and position < len(rest) and rest[position].tag == PRON:
        position += 1  # ", and i plant crops"
    if position == start or position >= len(rest):
        return None
    verb = rest[position]
    if not (verb.tag in {MODAL, HAVE} or (verb.tag == VERB and verb.form in {"base", "s"})):
        return None
    kept = start
    while kept < position - 1 and rest[kept].word in ATTRIBUTE_NOUNS:
        kept += 1
    return kept + 1 if kept > start else 0


def _trailing_noun_phrase(tokens: list[Token]) -> list[Token]:
    start = len(tokens)
    while start > 0 and tokens[start - 1].tag in {NOUN, ADJ}:
        start -= 1
    return tokens[start:]


def first_verb(tokens: list[Token]) -> int | None:
    """Index where the first predicate starts, if any."""
    for index, token in enumerate(tokens):
        if token.tag in {MODAL, HAVE} or (token.tag == BE and index > 0):
            return index
        if token.tag == VERB and token.form in _FINITE_FORMS | {"ing"}:
            return index
        if token.tag == VERB and token.form == "ed" and index > 0:
            return index
    return None


def split_predicates(tokens: list[Token]) -> list[Predicate]:
    """Verb groups and their objects: "have a name and belong to a category" -> two."""
    predicates: list[Predicate] = []
    index = 0
    while index < len(tokens):
        verbs, index = _verb_group(tokens, index)
        start = index
        while index < len(tokens) and not _starts_predicate(tokens, index):
            index += 1
        objects = tokens[start:index]
        if index < len(tokens) and tokens[index].tag == PREP:
            index += 1  # "to" / "for" in front of a purpose verb
        if verbs or objects:
            predicates.append(Predicate(verbs, objects))
    return predicates


def _verb_group(tokens: list[Token], index: int) -> tuple[list[Token], int]:
    verbs: list[Token] = []
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.tag in _VERB_GROUP and not (token.tag == ADV and not verbs):
            verbs.append(token)
        elif (token.word in {",", "and", "or", "to"} and nxt is not None and nxt.tag == VERB) or (
            token.word in {"to", "up", "out"} and verbs and verbs[-1].tag == VERB
        ):
            pass
        else:
            break
        index += 1
    return verbs, index


def _starts_predicate(tokens: list[Token], index: int) -> bool:
    token = tokens[index]
    prev = tokens[index - 1] if index > 0 else None
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    if (
        token.word in {"to", "for"}
        and nxt is not None
        and nxt.tag == VERB
        and (nxt.form in {"base", "ing"})
    ):
        return index > 0
    if prev is None or prev.word not in _ITEM_SEPARATORS:
        return False
    if token.tag in {MODAL, HAVE, BE}:
        return True
    return token.tag == VERB and token.form in _FINITE_FORMS


def split_items(tokens: list[Token]) -> list[list[Token]]:
    """List items at the top level: "a title, due date and a status" -> three."""
    items: list[list[Token]] = [[]]
    for token in tokens:
        if token.word in _ITEM_SEPARATORS and token.tag in {PUNCT, CONJ}:
            items.append([])
        else:
            items[-1].append(token)
    return [item for item in items if item]


def parse_phrase(tokens: list[Token]) -> Phrase | None:
    """The noun phrase at the start of ``tokens`` and its prepositional tails."""
    phrase = Phrase(tokens=[])
    index = 0
    while index < len(tokens) and tokens[index].tag in {DET, QUANT, NUM, ADV}:
        token = tokens[index]
        if token.tag == QUANT or (token.tag == NUM and token.word not in {"1", "one"}):
            phrase.quant = "one" if token.word in {"one", "single", "exactly", "only"} else "many"
        phrase.determined = phrase.determined or token.tag == DET
        phrase.possessive = phrase.possessive or token.word in _POSSESSIVES
        index += 1
    while (index < len(tokens) and tokens[index].tag in {NOUN, ADJ, PRON, NUM}) or (
        index < len(tokens)
        and tokens[index].tag == VERB
        and tokens[index].form == "ed"
        and not phrase.tokens
    ):
        phrase.tokens.append(tokens[index])
        index += 1
    if not phrase.tokens:
        return None
    phrase.choices = phrase.tokens[-1].paren
    if index < len(tokens) and tokens[index].word == ":":
        phrase.choices = _colon_values(tokens[index + 1 :])
        phrase.open_choices = True
        return phrase
    phrase.rest = tokens[index:]
    phrase.tails = _tails(phrase.rest)
    return phrase


def has_finite_verb(tokens: list[Token]) -> bool:
    """Whether the tokens hold a real predicate, not just "scheduled at" in a list."""
    return any(
        t.tag in {MODAL, HAVE} or (t.tag == VERB and t.form in _FINITE_FORMS) for t in tokens
    )


def _colon_values(tokens: list[Token]) -> tuple[str, ...]:
    values: list[list[str]] = [[]]
    for token in tokens:
        if token.word in {"/", "|", "or"}:
            values.append([])
        else:
            values[-1].append(token.word)
    return tuple(" ".join(v) for v in values if v)


def _tails(tokens: list[Token]) -> list[tuple[str, list[Token]]]:
    tails: list[tuple[str, list[Token]]] = []
    for token in tokens:
        if token.tag == PREP:
            tails.append((token.word, []))
        elif tails:
            tails[-1][1].append(token)
    return [(prep, rest) for prep, rest in tails if rest]
