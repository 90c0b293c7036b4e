"""What the reading rules found, before anything is decided: the things the text names, the
links between them, the people who act and the fields each thing is given.

Every rule in reading.py writes here; modelling.py alone decides which things are entities,
which people are roles and which links survive. Keys are snake_case singular names
("lesson_progress"); the built-in user is the key USER_KEY.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.engine.spec import FieldSpec, RelationKind

USER_KEY = "user"
WEAK, MEDIUM, STRONG = 1, 2, 3


@dataclass
class Thing:
    key: str
    order: int
    surface: str = ""  # how the text first wrote it ("volunteers")
    person: bool = False
    acts: bool = False  # the subject of an action ("volunteers sign up")
    strength: int = 0
    mentions: int = 0
    stories: set[int] = field(default_factory=set)  # the user stories that act on it
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    link: tuple[str, str, bool] | None = None  # a link entity: (person side, thing side, unique)
    app: bool = False  # names the app or its domain ("a food bank")
    managed: bool = False  # a person someone else manages ("teachers manage students")
    listed: bool = False  # named as kept: in a list ("clients, dogs, walks") or as made by someone


@dataclass
class Link:
    kind: RelationKind
    source: str
    target: str
    name: str = ""
    strength: int = MEDIUM


@dataclass
class Pending:
    """A singular has-list item: a link when its noun turns out to be an entity, else a field."""

    owner: str
    target: str
    field: FieldSpec


@dataclass
class Evidence:
    things: dict[str, Thing] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    clauses: list[tuple[str, set[str]]] = field(default_factory=list)
    one_true: list[tuple[str, str, str]] = field(default_factory=list)  # (child, owner, flag)
    negated: dict[str, str] = field(default_factory=dict)  # key -> how the text wrote it
    focus: str = ""  # the thing the last sentence was about, for a list that follows it
    stories: int = 0

    def thing(self, key: str, surface: str = "") -> Thing:
        found = self.things.get(key)
        if found is None:
            found = Thing(key, order=len(self.things), surface=surface or key.replace("_", " "))
            self.things[key] = found
        return found

    def note(self, key: str, strength: int, *, surface: str = "", story: int | None = None,
             person: bool = False) -> Thing:  # fmt: skip
        """Record that the text names ``key`` in a role of the given strength."""
        found = self.thing(key, surface)
        found.strength = max(found.strength, strength)
        found.mentions += 1
        found.person = found.person or person
        if story is not None:
            found.stories.add(story)
        if self.clauses:
            self.clauses[-1][1].add(key)
        return found

    def link(self, kind: RelationKind, source: str, target: str, name: str = "",
             strength: int = MEDIUM) -> None:  # fmt: skip
        if source == target and (kind != RelationKind.MANY_TO_ONE or strength < MEDIUM):
            return
        self.links.append(Link(kind, source, target, name, strength))

    def add_field(self, owner: str, spec: FieldSpec) -> None:
        self.thing(owner).fields.setdefault(spec.name, spec)
