"""Edits to an AppSpec: a small closed set of JSON-able operations, applied and validated.

The plan page, the API and the change-request reader (changes.py) all edit a spec the same way:
as a list of operations, each a mapping with an ``op`` ("add_entity", "rename_field", …; see
:data:`Op` and :func:`op_json_schema`). :func:`apply_ops` applies them in order, each to the
result of the one before, and validates every result through ``AppSpec.from_data``, so what
comes out is a spec a stack can render. A problem raises :class:`EditError`, one
:class:`EditProblem` per problem, in words a person can act on ("Task has no field 'due'"), and
nothing is changed.

What an operation implies is done with it, and said in ``Edited.notes``:

- renaming an entity renames it in relationships, features and pages, and a link still named
  after its old target follows it ("Dog.client" becomes "Dog.customer");
- renaming a field renames it in the display field and the entity's rules;
- removing an entity removes its relationships; removing a field or a link removes the rules
  that name it; a type change drops the rules the new type cannot keep.

``Edited.renames`` holds the renames, cumulative over the list and limited to names that existed
before and still exist after, so a migration can rename tables and columns instead of dropping
them. With ``keep_rows`` (the default: the spec was built, its database has rows), a link added
from an entity that existed before is optional, since its rows have nothing to point at yet;
that decision is kept in the spec's notes too, where the person sees it and may dismiss it.

Reading words is changes.py's job, comparing specs diffing.py's, storing them the services'.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from generator.engine import naming
from generator.engine.analysis import pages
from generator.engine.analysis.fields import default_field
from generator.engine.spec import (
    ACCESS_WORDS,
    COMPARABLE,
    MAX_NOTES,
    USER,
    Access,
    AppSpec,
    Choice,
    Comparison,
    ComparisonOp,
    Entity,
    Feature,
    FeatureCategory,
    FieldSpec,
    FieldType,
    OnDelete,
    Priority,
    RelationKind,
    Relationship,
    Role,
    SpecError,
    UniqueTogether,
    default_link_name,
    default_related_name,
)
from generator.engine.versions import Renames

MAX_OPS = 100


def _name() -> Any:
    return Field(min_length=1, max_length=200)


_NOT_UNIQUE = frozenset({FieldType.JSON, FieldType.FILE, FieldType.IMAGE})


# --- results and problems ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditProblem:
    """One problem: the operation's position in the list (None for the list itself), the key
    of the operation it concerns ("" for the whole operation) and what is wrong, in words."""

    op_index: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"op_index": self.op_index, "field": self.field, "message": self.message}


class EditError(ValueError):
    """The operations cannot be applied; ``errors`` says why, one problem each."""

    def __init__(self, errors: list[EditProblem]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(problem) for problem in errors))


@dataclass(frozen=True, slots=True)
class Edited:
    spec: AppSpec  # the validated result
    renames: Renames  # from the given spec's names to the result's
    notes: list[str] = field(default_factory=list)  # what the edits implied, in words


class _Refused(Exception):
    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.message, self.key = message, key


# --- looking things up by the names people use ----------------------------------------------

_POSSESSIVE = re.compile(r"'s?$")  # "client's", "clients'"


def _plain(name: str) -> str:
    return _POSSESSIVE.sub("", " ".join(name.replace("\u2019", "'").split()))


def find_entity(spec: AppSpec, name: str) -> Entity | None:
    """The entity ``name`` means: exactly, else by any case, singular or plural, or possessive
    ("clients", "Client", "client's", "order items")."""
    wanted = _plain(name)
    exact = spec.entity(wanted)
    if exact is not None or not wanted:
        return exact
    pascal = naming.to_pascal(wanted).lower()
    singular = naming.to_pascal(naming.singularize(naming.to_label(wanted))).lower()
    for entity in spec.entities:
        if entity.name.lower() in {pascal, singular} or entity.plural.lower() == pascal:
            return entity
    return None


def find_field(entity: Entity, name: str) -> FieldSpec | None:
    """The field ``name`` means: its name, snake_case spelling, singular, or label."""
    wanted = _plain(name)
    snake = naming.to_snake(wanted)
    for candidate in (wanted, snake, naming.to_snake(naming.singularize(naming.to_label(wanted)))):
        if (found := entity.field(candidate)) is not None:
            return found
    return next((f for f in entity.fields if f.label.lower() == wanted.lower()), None)


def find_link(spec: AppSpec, entity: Entity, name: str) -> Relationship | None:
    """The relationship from ``entity`` named ``name`` (its field name, or its target's)."""
    snake = naming.to_snake(_plain(name))
    links = spec.relationships_from(entity.name)
    by_target = [r for r in links if r.target == (find_target(spec, name) or "")]
    return next((r for r in links if r.name == snake), by_target[0] if by_target else None)


def find_target(spec: AppSpec, name: str) -> str | None:
    """An entity's name, or the built-in user's ("user", "users")."""
    entity = find_entity(spec, name)
    if entity is not None:
        return entity.name
    user = naming.to_pascal(naming.singularize(naming.to_label(_plain(name))))
    return USER if user == USER else None


def listing(names: Iterable[str]) -> str:
    """ "a, b and c" """
    items = list(names)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _entity(spec: AppSpec, name: str, key: str) -> Entity:
    found = find_entity(spec, name)
    if found is None:
        raise _Refused(unknown_entity(spec, name), key)
    return found


def unknown_entity(spec: AppSpec, name: str) -> str:
    names = [e.name for e in spec.entities]
    has = f"the app has {listing(names)}" if names else "the app has no entities yet"
    return f"There is no entity '{name}' ({has})."


def _field(entity: Entity, name: str, key: str) -> FieldSpec:
    found = find_field(entity, name)
    if found is None:
        raise _Refused(unknown_field(entity, name), key)
    return found


def unknown_field(entity: Entity, name: str) -> str:
    names = [f.name for f in entity.fields]
    has = f"it has {listing(names)}" if names else "it has no fields"
    return f"{entity.name} has no field '{name}' ({has})."


def _member_names(spec: AppSpec, entity: Entity) -> set[str]:
    """Names used on the entity's model: its fields and the relationships from it."""
    return {f.name for f in entity.fields} | {r.name for r in spec.relationships_from(entity.name)}


def _free_member(spec: AppSpec, entity: Entity, name: str, key: str) -> str:
    snake = naming.to_snake(name)
    if not snake:
        raise _Refused(f"'{name}' cannot name a field: use letters.", key)
    if snake in _member_names(spec, entity):
        raise _Refused(f"{entity.name} already has a field or link named '{snake}'.", key)
    return snake


def _entity_name(spec: AppSpec, name: str, key: str, *, renaming: Entity | None = None) -> str:
    if not naming.to_pascal(name):
        raise _Refused(f"'{name}' cannot name an entity: use letters.", key)
    taken = find_entity(spec, name)
    if taken is not None and taken is not renaming:
        raise _Refused(f"An entity named {taken.name} already exists.", key)
    return name.strip()


# --- the work one operation does ----------------------------------------------------------------


@dataclass
class _Work:
    """One operation's view: a copy of the spec to change, the spec before the whole list, and
    what the operation says back."""

    spec: AppSpec
    before: AppSpec
    renames: Renames  # from ``before``'s names to the names in ``spec``
    keep_rows: bool
    notes: list[str] = field(default_factory=list)
    # renames whose final names are known only once the sanitiser has run (by position)
    marks: list[Callable[[AppSpec], Renames]] = field(default_factory=list)

    def had_rows(self, entity: str) -> bool:
        """Whether ``entity`` (a current name) existed in the spec given to apply_ops."""
        return (
            self.keep_rows and self.before.entity(self.renames.entity_old_name(entity)) is not None
        )

    def keep(self, note: str) -> None:
        """A decision the person should see on the plan later too."""
        self.notes.append(note)
        if note not in self.spec.notes and len(self.spec.notes) < MAX_NOTES:
            self.spec.notes.append(note)

    def mark_entity(self, index: int, old: str) -> None:
        self.marks.append(lambda done: Renames(entities={old: done.entities[index].name}))

    def mark_field(self, entity_index: int, field_index: int, old: str) -> None:
        def renames(done: AppSpec) -> Renames:
            entity = done.entities[entity_index]
            return Renames(fields={entity.name: {old: entity.fields[field_index].name}})

        self.marks.append(renames)

    def mark_link(self, index: int, old: str) -> None:
        def renames(done: AppSpec) -> Renames:
            rel = done.relationships[index]
            return Renames(fields={rel.source: {old: rel.name}})

        self.marks.append(renames)

    def drop_rules(self, entity: Entity, names: set[str], why: str) -> None:
        """Remove the entity's rules that name any of ``names``, saying so."""
        self.drop(
            entity,
            why,
            comparisons=lambda r: bool({r.field, r.other} & names),
            unique=lambda r: bool(_rule_names(r) & names),
        )

    def drop(
        self,
        entity: Entity,
        why: str,
        *,
        comparisons: Callable[[Comparison], bool] = lambda _: False,
        unique: Callable[[UniqueTogether], bool] = lambda _: False,
    ) -> None:
        """Remove the entity's rules that ``comparisons`` or ``unique`` pick, saying so."""
        dropped: list[Comparison | UniqueTogether] = [
            r for r in entity.comparisons if comparisons(r)
        ]
        dropped += [r for r in entity.unique_together if unique(r)]
        entity.comparisons = [r for r in entity.comparisons if r not in dropped]
        entity.unique_together = [r for r in entity.unique_together if r not in dropped]
        if dropped:
            rules = listing(f"'{rule_words(r, entity)}'" for r in dropped)
            self.notes.append(f"{why}, so {entity.name}'s rule {rules} was removed.")


def _rule_names(rule: UniqueTogether) -> set[str]:
    return set(rule.fields) | ({rule.when_true} if rule.when_true else set())


_NUMBER_WORDS = {"gt": "above", "gte": "at least", "lt": "below", "lte": "at most"}
_TIME_WORDS = {"gt": "after", "gte": "at or after", "lt": "before", "lte": "at or before"}


def rule_words(rule: Comparison | UniqueTogether, entity: Entity | None = None) -> str:
    """ "end_date after start_date", "price above cost", "one per student and course";
    dates and times read as after/before when ``entity`` says their types."""
    if isinstance(rule, Comparison):
        either = entity and (entity.field(rule.field) or entity.field(rule.other))
        timely = either and COMPARABLE.get(either.type) not in {None, "number"}
        return f"{rule.field} {(_TIME_WORDS if timely else _NUMBER_WORDS)[rule.op]} {rule.other}"
    when = f" where {rule.when_true}" if rule.when_true else ""
    return f"one per {' and '.join(rule.fields)}{when}"


# --- operations ---------------------------------------------------------------------------------


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: str  # each operation narrows it to its own name

    def apply(self, work: _Work) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        """What the operation does, as a sentence for the person."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, **self.model_dump(mode="json", exclude_unset=True)}


class AddEntity(_Op):
    op: Literal["add_entity"] = "add_entity"
    name: str = _name()
    fields: list[FieldSpec] = Field(default_factory=list)
    description: str = ""

    def apply(self, work: _Work) -> None:
        spec = work.spec
        name = _entity_name(spec, self.name, "name")
        fields = [f.model_copy(deep=True) for f in self.fields]
        if not fields:
            fields = default_field(naming.to_snake(name))
            work.notes.append(
                f"{naming.to_pascal(name)} was given no fields, so it has "
                f"{listing(f.name for f in fields)}; change them on the plan."
            )
        entity = Entity(name=name, description=self.description, fields=fields)
        spec.entities.append(entity)
        shown = _sanitised(entity)
        spec.pages += pages.entity_pages(shown)
        for feature in spec.features:
            if feature.category == FeatureCategory.CRUD:
                feature.entities.append(shown.name)

    def describe(self) -> str:
        with_fields = f" with {listing(f.name for f in self.fields)}" if self.fields else ""
        return f"Added the entity {naming.to_pascal(self.name)}{with_fields}."


class RemoveEntity(_Op):
    op: Literal["remove_entity"] = "remove_entity"
    name: str = _name()

    def apply(self, work: _Work) -> None:
        spec = work.spec
        entity = _entity(spec, self.name, "name")
        gone = [r for r in spec.relationships if entity.name in (r.source, r.target)]
        if gone:
            work.notes.append(
                f"Removing {entity.name} also removed its "
                f"link{'s' if len(gone) > 1 else ''} {listing(_link_words(r) for r in gone)}."
            )
        for rel in gone:
            other = spec.entity(rel.source)
            if other is not None and other is not entity:
                work.drop_rules(other, {rel.name}, f"{rel.source}.{rel.name} is gone")
        spec.relationships = [r for r in spec.relationships if r not in gone]
        spec.entities = [e for e in spec.entities if e is not entity]
        spec.pages = [p for p in spec.pages if p.entity != entity.name]
        for feature in spec.features:
            feature.entities = [e for e in feature.entities if e != entity.name]
        for role in spec.roles:
            if role.manages is not None:
                role.manages = [e for e in role.manages if e != entity.name]

    def describe(self) -> str:
        return f"Removed the entity {naming.to_pascal(self.name)}."


class RenameEntity(_Op):
    op: Literal["rename_entity"] = "rename_entity"
    old: str = _name()
    new: str = _name()

    def apply(self, work: _Work) -> None:
        spec = work.spec
        entity = _entity(spec, self.old, "old")
        renamed = _sanitised(Entity(name=_entity_name(spec, self.new, "new", renaming=entity)))
        before = entity.model_copy(deep=True)
        old, new = before.name, renamed.name
        work.mark_entity(spec.entities.index(entity), old)
        entity.name, entity.plural = new, renamed.plural
        for position, rel in enumerate(spec.relationships):
            source = entity if rel.source == old else spec.entity(rel.source)
            assert source is not None
            if rel.source == old and rel.related_name == default_related_name(rel, before):
                rel.related_name = ""  # derived from the old name: derive it again
            if rel.target == old and rel.name == default_link_name(rel.kind, old):
                link = default_link_name(rel.kind, new)
                if link not in _member_names(spec, source):  # "Dog.client" -> "Dog.customer"
                    work.mark_link(position, rel.name)
                    for rule in source.unique_together:
                        rule.fields = [link if f == rel.name else f for f in rule.fields]
                    rel.name = link
            rel.source = new if rel.source == old else rel.source
            rel.target = new if rel.target == old else rel.target
        _rename_pages(spec, before, renamed)
        for feature in spec.features:
            feature.entities = [new if e == old else e for e in feature.entities]
        for role in spec.roles:
            if role.manages is not None:
                role.manages = [new if e == old else e for e in role.manages]

    def describe(self) -> str:
        return f"Renamed {naming.to_pascal(self.old)} to {naming.to_pascal(self.new)}."


def _rename_pages(spec: AppSpec, before: Entity, after: Entity) -> None:
    """The entity's own pages follow its name when they are the ones it was given."""
    own = [p for p in spec.pages if p.entity == before.name]
    if own and own == pages.entity_pages(before):
        start = spec.pages.index(own[0])
        rest = [p for p in spec.pages if p.entity != before.name]
        spec.pages = [*rest[:start], *pages.entity_pages(after), *rest[start:]]
    else:
        for page in own:
            page.entity = after.name


class AddField(_Op):
    op: Literal["add_field"] = "add_field"
    entity: str = _name()
    field: FieldSpec

    def apply(self, work: _Work) -> None:
        entity = _entity(work.spec, self.entity, "entity")
        new = self.field.model_copy(deep=True)
        new.name = _free_member(work.spec, entity, new.name, "field.name")
        if new.type == FieldType.ENUM and not new.choices:
            raise _Refused(_choices_needed(entity, new.name), "field.choices")
        if new.type == FieldType.BOOLEAN and new.default is None:
            new.default = False
        if new.required and new.default is None and work.had_rows(entity.name):
            new.required = False
            work.keep(
                f"Existing {entity.name} rows have no {naming.to_label(new.name).lower()} yet, "
                f"so {entity.name}.{new.name} is optional (make it required once they have one)."
            )
        entity.fields.append(new)

    def describe(self) -> str:
        return (
            f"Added the field {naming.to_snake(self.field.name)} ({self.field.type.value}) "
            f"to {naming.to_pascal(self.entity)}."
        )


def _choices_needed(entity: Entity, name: str) -> str:
    return f"Give the choices of {entity.name}.{name}, e.g. open, in progress, done."


class RemoveField(_Op):
    op: Literal["remove_field"] = "remove_field"
    entity: str = _name()
    name: str = _name()

    def apply(self, work: _Work) -> None:
        entity = _entity(work.spec, self.entity, "entity")
        found = find_field(entity, self.name)
        if found is None:
            link = find_link(work.spec, entity, self.name)
            if link is not None:
                raise _Refused(
                    f"{entity.name}.{link.name} is a link to {link.target}: remove the "
                    "relationship instead.",
                    "name",
                )
            raise _Refused(unknown_field(entity, self.name), "name")
        entity.fields = [f for f in entity.fields if f is not found]
        if entity.display_field == found.name:
            entity.display_field = None
        work.drop_rules(entity, {found.name}, f"{entity.name}.{found.name} is gone")

    def describe(self) -> str:
        return (
            f"Removed the field {naming.to_snake(self.name)} from {naming.to_pascal(self.entity)}."
        )


class RenameField(_Op):
    """Renames a field, or a link by its name on the entity (a foreign key is a field too)."""

    op: Literal["rename_field"] = "rename_field"
    entity: str = _name()
    old: str = _name()
    new: str = _name()

    def apply(self, work: _Work) -> None:
        spec = work.spec
        entity = _entity(spec, self.entity, "entity")
        found = find_field(entity, self.old)
        link = None if found is not None else find_link(spec, entity, self.old)
        if found is not None:
            old = found.name
            if naming.to_snake(self.new) == old:
                return
            new = _free_member(spec, entity, self.new, "new")
            work.mark_field(spec.entities.index(entity), entity.fields.index(found), old)
            found.name = new
            if found.label == naming.to_label(old):
                found.label = ""  # derived from the old name: derive it again
        elif link is not None:
            old = link.name
            if naming.to_snake(self.new) == old:
                return
            new = _free_member(spec, entity, self.new, "new")
            work.mark_link(spec.relationships.index(link), old)
            link.name = new
        else:
            raise _Refused(unknown_field(entity, self.old), "old")
        if entity.display_field == old:
            entity.display_field = new
        for rule in entity.comparisons:
            rule.field = new if rule.field == old else rule.field
            rule.other = new if rule.other == old else rule.other
        for together in entity.unique_together:
            together.fields = [new if f == old else f for f in together.fields]
            together.when_true = new if together.when_true == old else together.when_true

    def describe(self) -> str:
        return (
            f"Renamed {naming.to_pascal(self.entity)}.{naming.to_snake(self.old)} to "
            f"{naming.to_snake(self.new)}."
        )


class FieldChanges(BaseModel):
    """The settings to change; a key left out stays as it is (``None`` clears a default, a
    bound, a label or the choices)."""

    model_config = ConfigDict(extra="forbid")
    type: FieldType | None = None
    required: bool | None = None
    unique: bool | None = None
    choices: list[Choice] | None = None
    default: str | int | float | bool | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = Field(default=None, ge=1, le=10000)
    max_digits: int | None = Field(default=None, ge=1, le=30)
    decimal_places: int | None = Field(default=None, ge=0, le=10)
    label: str | None = None
    help_text: str | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _plain_choices(cls, value: Any) -> Any:
        """Choices may be given as plain words: "open" is {"value": "open", "label": "open"}."""
        if isinstance(value, list):
            return [{"value": c, "label": c} if isinstance(c, str) else c for c in value]
        return value


class ChangeField(_Op):
    op: Literal["change_field"] = "change_field"
    entity: str = _name()
    name: str = _name()
    changes: FieldChanges = Field(default_factory=FieldChanges)

    def apply(self, work: _Work) -> None:
        entity = _entity(work.spec, self.entity, "entity")
        found = _field(entity, self.name, "name")
        given = self.changes.model_fields_set
        old_type = found.type
        for key in sorted(given):
            value = getattr(self.changes, key)
            if key in {"type", "required", "unique"} and value is None:
                continue
            if key in {"label", "help_text"}:
                value = value or ""
            setattr(found, key, [] if key == "choices" and value is None else value)
        if found.type != old_type:
            self._retype(work, entity, found, old_type)
        if found.type == FieldType.ENUM and not found.choices:
            raise _Refused(_choices_needed(entity, found.name), "changes.choices")

    def _retype(self, work: _Work, entity: Entity, found: FieldSpec, old: FieldType) -> None:
        given = self.changes.model_fields_set
        if "choices" not in given and old == FieldType.ENUM:
            found.choices = []
        if "default" not in given:
            found.default = False if found.type == FieldType.BOOLEAN else None
        if "max_length" not in given:
            found.max_length = None
        name, group = found.name, COMPARABLE.get(found.type)

        def incomparable(rule: Comparison) -> bool:
            other = entity.field(rule.other if rule.field == name else rule.field)
            return name in (rule.field, rule.other) and (
                group is None or other is None or COMPARABLE.get(other.type) != group
            )

        def not_unique(rule: UniqueTogether) -> bool:
            member = name in rule.fields and found.type in _NOT_UNIQUE
            return member or (rule.when_true == name and found.type != FieldType.BOOLEAN)

        why = f"{entity.name}.{name} is now {found.type.value}"
        work.drop(entity, why, comparisons=incomparable, unique=not_unique)

    def describe(self) -> str:
        what = f"{naming.to_pascal(self.entity)}.{naming.to_snake(self.name)}"
        return f"{what} is now {_setting_words(self.changes) or 'unchanged'}."


_SETTING_WORDS: dict[str, Callable[[Any], str]] = {
    "type": lambda v: f"{'an' if v.value[0] in 'aeiou' else 'a'} {v.value} field" if v else "",
    "required": lambda v: {True: "required", False: "optional"}.get(v, ""),
    "unique": lambda v: {True: "unique", False: "not unique"}.get(v, ""),
    "choices": lambda v: f"one of {listing(c.label or c.value for c in v)}" if v else "no choices",
    "default": lambda v: "without a default" if v is None else f"{v} by default",
    "min_value": lambda v: "without a minimum" if v is None else f"at least {v:g}",
    "max_value": lambda v: "without a maximum" if v is None else f"at most {v:g}",
    "max_length": lambda v: f"at most {v} characters long" if v else "",
    "max_digits": lambda v: f"{v} digits long at most" if v else "",
    "decimal_places": lambda v: f"with {v} decimal places" if v is not None else "",
    "label": lambda v: f"labelled '{v}'" if v else "labelled after its name",
    "help_text": lambda v: "explained as given" if v else "without help text",
    "kind": lambda v: f"{v.value.replace('_', '-')}" if v else "",
    "on_delete": lambda v: f"on delete: {v.value.replace('_', ' ')}" if v else "",
}


def _setting_words(changes: BaseModel) -> str:
    """ "optional, unique and one of Low, Medium and High" """
    given = [k for k in type(changes).model_fields if k in changes.model_fields_set]
    return listing(w for k in given if (w := _SETTING_WORDS[k](getattr(changes, k))))


_KIND_WORDS = {
    RelationKind.MANY_TO_ONE: "each {s} belongs to one {t}",
    RelationKind.ONE_TO_ONE: "each {s} has exactly one {t}",
    RelationKind.MANY_TO_MANY: "{s} and {t} are linked many-to-many",
}


def link_words(kind: RelationKind, source: str, target: str) -> str:
    """ "each Dog belongs to one Client" """
    return _KIND_WORDS[kind].format(s=source, t=target)


def _link_words(rel: Relationship) -> str:
    return f"{rel.source}.{rel.name} ({link_words(rel.kind, rel.source, rel.target)})"


class AddRelationship(_Op):
    op: Literal["add_relationship"] = "add_relationship"
    kind: RelationKind = RelationKind.MANY_TO_ONE
    source: str = _name()
    target: str = _name()
    name: str = ""
    required: bool | None = None
    on_delete: OnDelete | None = None
    description: str = ""

    def apply(self, work: _Work) -> None:
        spec = work.spec
        source = _entity(spec, self.source, "source")
        target = find_target(spec, self.target)
        if target is None:
            raise _Refused(unknown_entity(spec, self.target), "target")
        name = _free_member(spec, source, self.name, "name") if self.name else ""
        if not name:
            same = [r for r in spec.relationships_from(source.name) if r.target == target]
            if any(r.name == default_link_name(self.kind, target) for r in same):
                raise _Refused(
                    f"{source.name} already has a link to {target}; give this one a name.", "name"
                )
        rel = Relationship(kind=self.kind, source=source.name, target=target, name=name)
        rel.description = self.description
        if self.on_delete is not None:
            rel.on_delete = self.on_delete
        if self.required is not None:
            rel.required = self.required
        _optional_for_old_rows(work, rel)
        spec.relationships.append(rel)

    def describe(self) -> str:
        return f"Added a link: {link_words(self.kind, self.source, self.target)}."


def _optional_for_old_rows(work: _Work, rel: Relationship) -> None:
    """A new key on a table that has rows cannot be required: those rows point nowhere yet."""
    if rel.kind == RelationKind.MANY_TO_MANY or not rel.required or not work.had_rows(rel.source):
        return
    rel.required = False
    what = naming.to_label(rel.name or rel.target)
    work.keep(
        f"Existing {rel.source} rows have no {what} yet, so the link from {rel.source} to "
        f"{rel.target} is optional."
    )


class _LinkOp(_Op):
    source: str = _name()
    target: str = _name()
    name: str = ""

    def _find(self, spec: AppSpec) -> Relationship:
        source = _entity(spec, self.source, "source")
        target = find_target(spec, self.target)
        if target is None:
            raise _Refused(unknown_entity(spec, self.target), "target")
        found = [r for r in spec.relationships_from(source.name) if r.target == target]
        if self.name:
            wanted = naming.to_snake(self.name)
            found = [r for r in found if r.name == wanted]
        if len(found) == 1:
            return found[0]
        if found:
            raise _Refused(
                f"{source.name} has {len(found)} links to {target} "
                f"({listing(r.name for r in found)}); say which by its name.",
                "name",
            )
        back = [r for r in spec.relationships if r.source == target and r.target == source.name]
        hint = f" (there is one from {target} to {source.name})" if back else ""
        named = f" named '{self.name}'" if self.name else ""
        raise _Refused(f"There is no link{named} from {source.name} to {target}{hint}.", "target")


class RemoveRelationship(_LinkOp):
    op: Literal["remove_relationship"] = "remove_relationship"

    def apply(self, work: _Work) -> None:
        spec = work.spec
        rel = self._find(spec)
        source = spec.entity(rel.source)
        assert source is not None
        work.drop_rules(source, {rel.name}, f"{rel.source}.{rel.name} is gone")
        spec.relationships = [r for r in spec.relationships if r is not rel]

    def describe(self) -> str:
        return (
            f"Removed the link from {naming.to_pascal(self.source)} to "
            f"{naming.to_pascal(self.target)}."
        )


class RelationshipChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: RelationKind | None = None
    required: bool | None = None
    on_delete: OnDelete | None = None


class ChangeRelationship(_LinkOp):
    """Changes a link's kind, required flag or on-delete; ``reverse`` turns it around (the
    target gets the key and becomes the source)."""

    op: Literal["change_relationship"] = "change_relationship"
    changes: RelationshipChanges = Field(default_factory=RelationshipChanges)
    reverse: bool = False

    def apply(self, work: _Work) -> None:
        spec = work.spec
        rel = self._find(spec)
        source = spec.entity(rel.source)
        assert source is not None
        old_kind = rel.kind
        for key in ("kind", "required", "on_delete"):
            value = getattr(self.changes, key)
            if value is not None:
                setattr(rel, key, value)
        new_column = self.reverse or (
            old_kind == RelationKind.MANY_TO_MANY and rel.kind != RelationKind.MANY_TO_MANY
        )
        if self.reverse:
            if rel.target == USER:
                raise _Refused(
                    "A link to the built-in user cannot be turned around: users are not an "
                    "entity of this app.",
                    "reverse",
                )
            work.drop_rules(source, {rel.name}, f"{rel.source}.{rel.name} now goes the other way")
            rel.source, rel.target = rel.target, rel.source
            rel.name = rel.related_name = ""
            if self.changes.required is None:
                rel.required = True
        elif rel.kind == RelationKind.MANY_TO_MANY and old_kind != rel.kind:
            work.drop_rules(source, {rel.name}, f"{rel.source}.{rel.name} is now many-to-many")
        if rel.kind != old_kind and rel.name == default_link_name(old_kind, rel.target):
            rel.name = ""  # "tags" for many, "tag" for one: follow the kind
        if new_column:
            _optional_for_old_rows(work, rel)

    def describe(self) -> str:
        link = f"The link from {naming.to_pascal(self.source)} to {naming.to_pascal(self.target)}"
        settings = _setting_words(self.changes)
        if self.reverse:
            return f"{link} was turned around{f' and is now {settings}' if settings else ''}."
        return f"{link} is now {settings or 'unchanged'}."


class AddRole(_Op):
    op: Literal["add_role"] = "add_role"
    name: str = _name()
    description: str = ""

    def apply(self, work: _Work) -> None:
        name = naming.to_pascal(naming.transliterate(self.name))
        if not name:
            raise _Refused(f"'{self.name}' cannot name a role: use letters.", "name")
        if any(r.name.lower() == name.lower() for r in work.spec.roles):
            raise _Refused(f"A role named {name} already exists.", "name")
        work.spec.roles.append(Role(name=name, description=self.description))

    def describe(self) -> str:
        return f"Added the role {naming.to_pascal(self.name)}."


class RemoveRole(_Op):
    op: Literal["remove_role"] = "remove_role"
    name: str = _name()

    def apply(self, work: _Work) -> None:
        wanted = {naming.to_pascal(n).lower() for n in (self.name, naming.singularize(self.name))}
        kept = [r for r in work.spec.roles if r.name.lower() not in wanted]
        if len(kept) == len(work.spec.roles):
            roles = listing(r.name for r in work.spec.roles) or "none"
            raise _Refused(f"There is no role '{self.name}' (the roles are: {roles}).", "name")
        work.spec.roles = kept

    def describe(self) -> str:
        return f"Removed the role {naming.to_pascal(self.name)}."


class SetAccess(_Op):
    """Who reads an entity's rows (its owners, everyone signed in, anyone); see spec.Access."""

    op: Literal["set_access"] = "set_access"
    entity: str = _name()
    access: Access

    def apply(self, work: _Work) -> None:
        _entity(work.spec, self.entity, "entity").access = self.access

    def describe(self) -> str:
        return f"{naming.to_pascal(self.entity)} is read by {ACCESS_WORDS[self.access]}."


class AddFeature(_Op):
    op: Literal["add_feature"] = "add_feature"
    name: str = _name()
    category: FeatureCategory = FeatureCategory.OTHER
    description: str = ""
    priority: Priority = Priority.MEDIUM
    entities: list[str] = Field(default_factory=list)

    def apply(self, work: _Work) -> None:
        spec = work.spec
        name = " ".join(self.name.split())
        if any(
            f.category == self.category and f.name.lower() == name.lower() for f in spec.features
        ):
            raise _Refused(f"The feature '{name}' is already planned.", "name")
        entities = [_entity(spec, e, "entities").name for e in self.entities]
        spec.features.append(
            Feature(
                name=name,
                category=self.category,
                description=self.description,
                priority=self.priority,
                entities=entities,
            )
        )

    def describe(self) -> str:
        return f"Added the feature {self.name}."


class RemoveFeature(_Op):
    """Removes a feature by its name, or by its kind ("search") when one feature has it."""

    op: Literal["remove_feature"] = "remove_feature"
    name: str = Field(min_length=1, max_length=200)

    def apply(self, work: _Work) -> None:
        spec = work.spec
        wanted = " ".join(self.name.split()).lower()
        found = [f for f in spec.features if f.name.lower() == wanted] or [
            f for f in spec.features if f.category.value == naming.to_kebab(wanted)
        ]
        if len(found) != 1:
            names = listing(f"'{f.name}'" for f in (found or spec.features)) or "none"
            which = "Several features match" if found else f"There is no feature '{self.name}'"
            raise _Refused(f"{which} (the features are: {names}).", "name")
        if found[0].category == FeatureCategory.AUTHENTICATION and spec.uses_user:
            owners = listing(sorted({r.source for r in spec.relationships if r.targets_user}))
            raise _Refused(
                f"Sign-in cannot be removed while records belong to users ({owners}).", "name"
            )
        spec.features = [f for f in spec.features if f is not found[0]]

    def describe(self) -> str:
        return f"Removed the feature {self.name}."


class DismissWarning(_Op):
    """Drops a warning or a note (the text as shown) from the spec."""

    op: Literal["dismiss_warning"] = "dismiss_warning"
    text: str = Field(min_length=1, max_length=4000)

    def apply(self, work: _Work) -> None:
        spec = work.spec
        wanted = " ".join(self.text.split())
        for attribute in ("warnings", "notes"):
            items: list[str] = getattr(spec, attribute)
            kept = [item for item in items if " ".join(item.split()) != wanted]
            if len(kept) != len(items):
                setattr(spec, attribute, kept)
                return
        raise _Refused(
            "There is no such warning or note (it may have been dismissed already).", "text"
        )

    def describe(self) -> str:
        return f"Dismissed: {self.text}"


class AddComparison(_Op):
    """A rule between two fields: ``field`` ``op`` ``other`` ("end_date gt start_date")."""

    op: Literal["add_comparison"] = "add_comparison"
    entity: str = _name()
    field: str = _name()
    compare: ComparisonOp = "gt"
    other: str = _name()
    message: str = ""

    def apply(self, work: _Work) -> None:
        entity = _entity(work.spec, self.entity, "entity")
        first = _field(entity, self.field, "field").name
        second = _field(entity, self.other, "other").name
        rule = Comparison(field=first, op=self.compare, other=second, message=self.message)
        if any((r.big, r.small) == (rule.big, rule.small) for r in entity.comparisons):
            words = rule_words(rule, entity)
            raise _Refused(f"{entity.name} already has the rule '{words}'.", "field")
        entity.comparisons.append(rule)

    def describe(self) -> str:
        rule = Comparison(field=naming.to_snake(self.field), op=self.compare, other=self.other)
        return f"Added the rule {naming.to_pascal(self.entity)}: {rule_words(rule)}."


class RemoveComparison(_Op):
    op: Literal["remove_comparison"] = "remove_comparison"
    entity: str = _name()
    field: str = _name()
    other: str = _name()

    def apply(self, work: _Work) -> None:
        entity = _entity(work.spec, self.entity, "entity")
        pair = {naming.to_snake(self.field), naming.to_snake(self.other)}
        kept = [r for r in entity.comparisons if {r.field, r.other} != pair]
        if len(kept) == len(entity.comparisons):
            raise _Refused(
                f"{entity.name} has no rule between '{self.field}' and '{self.other}'.", "field"
            )
        entity.comparisons = kept

    def describe(self) -> str:
        return (
            f"Removed the rule between {naming.to_snake(self.field)} and "
            f"{naming.to_snake(self.other)} from {naming.to_pascal(self.entity)}."
        )


class AddUniqueTogether(_Op):
    """One row per combination of fields and/or links ("one review per product and user")."""

    op: Literal["add_unique_together"] = "add_unique_together"
    entity: str = _name()
    fields: list[str] = Field(min_length=1, max_length=10)
    when_true: str | None = None
    message: str = ""

    def apply(self, work: _Work) -> None:
        spec = work.spec
        entity = _entity(spec, self.entity, "entity")
        names = [_member(spec, entity, name) for name in self.fields]
        when = _field(entity, self.when_true, "when_true").name if self.when_true else None
        if any(set(r.fields) == set(names) and r.when_true == when for r in entity.unique_together):
            raise _Refused(f"{entity.name} already has that rule.", "fields")
        entity.unique_together.append(
            UniqueTogether(fields=names, when_true=when, message=self.message)
        )

    def describe(self) -> str:
        return (
            f"Added the rule {naming.to_pascal(self.entity)}: one per {' and '.join(self.fields)}."
        )


def _member(spec: AppSpec, entity: Entity, name: str) -> str:
    found = find_field(entity, name)
    if found is not None:
        return found.name
    link = find_link(spec, entity, name)
    if link is None:
        raise _Refused(unknown_field(entity, name), "fields")
    return link.name


class RemoveUniqueTogether(_Op):
    op: Literal["remove_unique_together"] = "remove_unique_together"
    entity: str = _name()
    fields: list[str] = Field(min_length=1, max_length=10)

    def apply(self, work: _Work) -> None:
        entity = _entity(work.spec, self.entity, "entity")
        wanted = {naming.to_snake(name) for name in self.fields}
        kept = [r for r in entity.unique_together if set(r.fields) != wanted]
        if len(kept) == len(entity.unique_together):
            raise _Refused(
                f"{entity.name} has no rule 'one per {' and '.join(sorted(wanted))}'.", "fields"
            )
        entity.unique_together = kept

    def describe(self) -> str:
        return (
            f"Removed the rule 'one per {' and '.join(self.fields)}' from "
            f"{naming.to_pascal(self.entity)}."
        )


Op = Annotated[
    AddEntity
    | RemoveEntity
    | RenameEntity
    | AddField
    | RemoveField
    | RenameField
    | ChangeField
    | AddRelationship
    | RemoveRelationship
    | ChangeRelationship
    | AddRole
    | RemoveRole
    | SetAccess
    | AddFeature
    | RemoveFeature
    | DismissWarning
    | AddComparison
    | RemoveComparison
    | AddUniqueTogether
    | RemoveUniqueTogether,
    Field(discriminator="op"),
]
_ONE = TypeAdapter(Op)
_ALL = TypeAdapter(list[Op])
OP_NAMES = tuple(sorted(_ONE.json_schema()["discriminator"]["mapping"]))


def op_json_schema() -> dict[str, Any]:
    """The JSON Schema of a list of operations."""
    return _ALL.json_schema()


# --- reading and applying -------------------------------------------------------------------------


def parse_ops(ops: Sequence[_Op | Mapping[str, Any]]) -> list[_Op]:
    """Operations from data, each checked; raises EditError naming every bad one."""
    if len(ops) > MAX_OPS:
        raise EditError([EditProblem(None, "", f"At most {MAX_OPS} edits can be made at once.")])
    parsed: list[_Op] = []
    problems: list[EditProblem] = []
    for index, item in enumerate(ops):
        if isinstance(item, _Op):
            parsed.append(item)
            continue
        try:
            parsed.append(_ONE.validate_python(item))
        except ValidationError as exc:
            problems += [EditProblem(index, key, text) for key, text in _friendly(exc)]
    if problems:
        raise EditError(problems)
    return parsed


def _friendly(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        kind = err["type"]
        if kind == "union_tag_not_found":
            out.append(("op", f"Say which edit to make ('op': one of {', '.join(OP_NAMES)})."))
            continue
        if kind == "union_tag_invalid":
            tag = err.get("input", {}).get("op") if isinstance(err.get("input"), dict) else None
            out.append(("op", f"Unknown edit '{tag}' (known: {', '.join(OP_NAMES)})."))
            continue
        if kind in {"model_type", "model_attributes_type", "dict_type"} and len(loc) <= 1:
            out.append(("", "Each edit must be a mapping (a JSON object) with an 'op'."))
            continue
        op, key = (loc[0], ".".join(loc[1:])) if loc else ("", "")
        if kind == "missing":
            out.append((key, f"{op}: '{key}' is missing."))
        elif kind == "extra_forbidden":
            out.append((key, f"{op}: '{key}' is not a setting of {op}."))
        else:
            out.append((key, f"{op}: {key}: {err['msg']}."))
    return out


def apply_ops(
    spec: AppSpec, ops: Sequence[_Op | Mapping[str, Any]], *, keep_rows: bool = True
) -> Edited:
    """Apply ``ops`` in order to a copy of ``spec``; raise EditError at the first that fails.

    ``keep_rows``: whether ``spec``'s entities have rows (it was built); see the module's text.
    """
    parsed = parse_ops(ops)
    current = spec
    renames = Renames()
    notes: list[str] = []
    for index, op in enumerate(parsed):
        work = _Work(current.model_copy(deep=True), spec, renames, keep_rows)
        try:
            op.apply(work)
            done = AppSpec.from_data(work.spec.to_dict())
        except _Refused as exc:
            raise EditError([EditProblem(index, exc.key, exc.message)]) from None
        except SpecError as exc:
            raise EditError([EditProblem(index, "", m) for m in exc.messages]) from None
        for mark in work.marks:
            renames = renames.then(mark(done))
        notes += work.notes + [w for w in done.warnings if w not in current.warnings]
        current = done
    return Edited(current, _lasting(renames, spec, current), list(dict.fromkeys(notes)))


def _sanitised(entity: Entity) -> Entity:
    """The entity as the spec will name it (class name, plural), alone in a spec."""
    alone = AppSpec.from_data({"name": "app", "entities": [{"name": entity.name}]})
    return alone.entities[0]


def _lasting(renames: Renames, before: AppSpec, after: AppSpec) -> Renames:
    """The renames of things that existed before and still exist after."""
    entities = {
        old: new
        for old, new in renames.entities.items()
        if before.entity(old) is not None and after.entity(new) is not None
    }
    fields: dict[str, dict[str, str]] = {}
    for entity, mapping in renames.fields.items():
        old_entity = before.entity(renames.entity_old_name(entity))
        new_entity = after.entity(entity)
        if old_entity is None or new_entity is None:
            continue
        kept = {
            old: new
            for old, new in mapping.items()
            if old in _member_names(before, old_entity) and new in _member_names(after, new_entity)
        }
        if kept:
            fields[entity] = kept
    return Renames(entities=entities, fields=fields)
