"""Entity candidates: what a noun phrase names, and how sure the text makes us.

The clause reader reports every noun phrase it meets in a role ("subject of 'has'", "object of
'create'", "item of a bare list") with a strength; this module turns the phrase into a class
name, says whether it is the built-in user, a role word, filler or an attribute, and at the end
decides which candidates are entities. It records evidence only; building the AppSpec is left to
the assembler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from generator.engine import naming
from generator.engine.analysis import lexicon as lx
from generator.engine.analysis.fields import infer_type
from generator.engine.spec import USER, FieldSpec, FieldType, RelationKind

WEAK, MEDIUM, STRONG = 1, 2, 3


class Kind(StrEnum):
    ENTITY = "entity"
    USER = "user"  # always the built-in user
    ROLE = "role"  # the built-in user when it only acts, an entity when stored
    FILLER = "filler"
    FEATURE = "feature"
    ATTRIBUTE = "attribute"
    APP = "app"


@dataclass(frozen=True)
class Noun:
    """What a noun phrase names: a PascalCase singular name and its kind."""

    name: str
    kind: Kind
    words: tuple[str, ...]  # singular, lower-case
    plural: bool
    user_prefix: bool = False  # "user profiles": belongs to the built-in user

    @property
    def head(self) -> str:
        return self.words[-1]

    @property
    def snake(self) -> str:
        return "_".join(self.words)


@dataclass
class Candidate:
    name: str
    kind: Kind
    order: int
    strength: int = 0
    mentions: int = 0
    created: bool = False  # the object of a creation verb
    plural_seen: bool = False
    fields: dict[str, FieldSpec] = field(default_factory=dict)


@dataclass
class Link:
    kind: RelationKind
    source: str
    target: str  # a candidate name or USER
    name: str = ""
    weak: bool = False  # kept only when both ends turn out to be entities


@dataclass
class Pending:
    """A singular item of a has-list: a field, unless its words name an entity."""

    owner: str
    field: FieldSpec
    noun: Noun


@dataclass
class Findings:
    candidates: dict[str, Candidate] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    profile_fields: dict[str, FieldSpec] = field(default_factory=dict)
    clause_mentions: list[tuple[str, set[str]]] = field(default_factory=list)
    domain: frozenset[str] = frozenset()
    last_subject: str | None = None
    renamed: dict[str, str] = field(default_factory=dict)  # merged candidate -> entity

    def note(self, noun: Noun, strength: int, *, created: bool = False) -> Candidate | None:
        """Record evidence that ``noun`` is a stored thing; returns its candidate."""
        if noun.kind not in {Kind.ENTITY, Kind.ROLE, Kind.ATTRIBUTE}:
            return None
        candidate = self.candidates.get(noun.name)
        if candidate is None:
            candidate = Candidate(noun.name, noun.kind, order=len(self.candidates))
            self.candidates[noun.name] = candidate
        candidate.strength = max(candidate.strength, strength)
        candidate.mentions += 1
        candidate.created = candidate.created or created
        candidate.plural_seen = candidate.plural_seen or noun.plural
        if self.clause_mentions:
            self.clause_mentions[-1][1].add(noun.name)
        return candidate

    def link(self, kind: RelationKind, source: str, target: str, name: str = "", *,
             weak: bool = False) -> None:  # fmt: skip
        if source == target and kind != RelationKind.MANY_TO_ONE:
            return
        self.links.append(Link(kind, source, target, name, weak))

    def add_field(self, owner: str, spec: FieldSpec) -> None:
        target = self.profile_fields if owner == USER else self.candidates[owner].fields
        target.setdefault(spec.name, spec)

    def accepted(self) -> list[str]:
        """Candidate names that are entities, in the order the text introduced them."""
        kept = {c.name: c for c in self.candidates.values() if _is_entity(c)}
        for name in list(kept):
            merged = _merge_target(name, kept, self.candidates)
            if merged is not None:
                into = kept[merged]
                into.order = min(into.order, kept[name].order)
                for key, spec in kept.pop(name).fields.items():
                    into.fields.setdefault(key, spec)
                self.renamed[name] = merged
        return [c.name for c in sorted(kept.values(), key=lambda c: c.order)]


def _merge_target(name: str, kept: dict[str, Candidate],
                  candidates: dict[str, Candidate]) -> str | None:  # fmt: skip
    """ "Customers open support tickets. A ticket has..." : Ticket is the SupportTicket."""
    words = naming.to_snake(name).split("_")
    if len(words) != 1:
        return None
    longer = [other for other in kept if other != name and
              naming.to_snake(other).split("_")[-1] == words[0]]  # fmt: skip
    if len(longer) != 1:
        return None
    modifier = naming.to_pascal(" ".join(naming.to_snake(longer[0]).split("_")[:-1]))
    return None if modifier in candidates else longer[0]


def _is_entity(candidate: Candidate) -> bool:
    head = naming.to_snake(candidate.name).split("_")[-1]
    single_word = "_" not in naming.to_snake(candidate.name)
    if candidate.kind == Kind.ATTRIBUTE:  # "levels", "attachments": stored when plural
        return candidate.strength >= STRONG or (
            candidate.strength >= MEDIUM and candidate.plural_seen
        )
    if single_word and head in lx.CONDITIONAL_NOUNS:
        return candidate.strength >= STRONG or candidate.created
    if candidate.strength >= MEDIUM:
        return True
    return candidate.kind == Kind.ENTITY and candidate.mentions >= 2


def classify(words: list[str], domain: frozenset[str] = frozenset()) -> Noun | None:
    """Name and kind of a noun phrase given as lower-case words ("blog", "posts")."""
    words = [w.strip("-'") for w in words if w.strip("-'")]
    if not words:
        return None
    plural = naming.is_plural(words[-1]) and words[-1] not in lx.ALWAYS_USER
    singular = [*words[:-1], naming.singularize(words[-1]).lower()]
    user_prefix = False
    joined = " ".join(singular[-2:])
    if joined in lx.ACTOR_COMPOUNDS:
        singular = [lx.ACTOR_COMPOUNDS[joined]]
    while (
        len(singular) > 1
        and (singular[0] in lx.ALWAYS_USER or singular[0] in domain)
        and not (len(singular) == 2 and singular[1] in lx.APP_KIND_NOUNS | lx.APP_HEAD_NOUNS)
    ):
        user_prefix = user_prefix or singular[0] in lx.ALWAYS_USER
        singular = singular[1:]
    singular = singular[-2:]
    kind = Kind.APP if singular == [words[-1]] and words[-1] in domain else _kind(singular)
    if plural and kind == Kind.APP and singular[-1] not in _APP_WORDS:
        kind = Kind.ENTITY  # "hotels have rooms", "submit adoption applications"
    name = naming.to_pascal(" ".join(singular))
    if not name or not name[0].isalpha():
        return None
    return Noun(name, kind, tuple(singular), plural, user_prefix)


_APP_WORDS = frozenset({"app", "site", "website", "platform", "system", "tool", "software"})


def _kind(words: list[str]) -> Kind:
    head = words[-1]
    if head in lx.ALWAYS_USER:
        return Kind.USER
    if head in lx.FEATURE_NOUNS:
        return Kind.FEATURE
    if len(words) > 1 and words[0] in lx.META_MODIFIERS and head not in lx.META_THING_HEADS:
        return Kind.FILLER
    if head in lx.APP_HEAD_NOUNS or (len(words) > 1 and head in lx.APP_KIND_NOUNS):
        return Kind.APP
    if head in lx.FILLER_NOUNS:
        return Kind.FILLER
    if head in lx.DOMAIN_NOUNS:  # "a dental practice", "the warehouse"
        return Kind.APP
    if head in lx.ATTRIBUTE_NOUNS or head.endswith(("_at", "_on")):  # "created_at"
        return Kind.ATTRIBUTE
    if head in lx.ROLE_WORDS or _is_agent(head):
        return Kind.ROLE
    if not head.isascii() or len(head) < 2 or head.isdigit():
        return Kind.FILLER
    return Kind.ENTITY


def _is_agent(word: str) -> bool:
    """ "dentist", "librarian", "inspector", "walker": a person, unless the word names a value
    ("poster" is an image, "number" a figure)."""
    if len(word) <= 5 or word in lx.NOT_AGENTS or infer_type(word) != FieldType.STRING:
        return False
    if word.endswith(lx.AGENT_ENDINGS):
        return True
    if not word.endswith(lx.AGENT_VERB_ENDINGS):
        return False
    stems = {word[:-2], word[:-1], word[:-3]}  # research-er, manage-r, run-ner
    return bool(stems & (lx.VERBS | lx.NOUN_VERBS))
