"""The Django stack's view of an AppSpec: what the templates read, computed once per render.

Everything a template would otherwise have to work out lives here, already decided: each model
field's declaration (shared by models.py and the migration), which relation is the owner set from
``request.user`` and each entity's path to its owning user (none for shared reference data),
which required foreign keys must become nullable to break a dependency cycle, URL segments,
admin/API/filter field lists, index and constraint names (rules.py), the fields the generated
tests patch or leave out. Names come from the sanitised spec and are used as they are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from generator.engine import naming
from generator.engine.spec import (
    USER,
    Access,
    AppSpec,
    Entity,
    FeatureCategory,
    FieldSpec,
    FieldType,
    OnDelete,
    RelationKind,
    Relationship,
    Role,
)
from generator.engine.stacks.django.fields import (
    Declaration,
    field_declaration,
    relation_declaration,
)
from generator.engine.stacks.django.rules import (
    ComparisonRule,
    UniqueRule,
    comparison_rules,
    samples,
    unique_rules,
)
from generator.engine.stacks.django.samples import sample

APP_LABEL = "core"
SEARCHABLE = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXT,
        FieldType.EMAIL,
        FieldType.SLUG,
        FieldType.URL,
        FieldType.ENUM,
    }
)
FILTERABLE = frozenset({FieldType.ENUM, FieldType.BOOLEAN, FieldType.DATE, FieldType.DATETIME})
LISTABLE = frozenset(
    {
        FieldType.STRING,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.FLOAT,
        FieldType.BOOLEAN,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.TIME,
        FieldType.EMAIL,
        FieldType.SLUG,
        FieldType.ENUM,
        FieldType.URL,
        FieldType.UUID,
    }
)
PATCHABLE = (
    FieldType.STRING,
    FieldType.TEXT,
    FieldType.EMAIL,
    FieldType.SLUG,
    FieldType.URL,
    FieldType.INTEGER,
)
MAX_LIST_COLUMNS = 4
# First URL segments the project itself uses.
RESERVED_SEGMENTS = frozenset({"admin", "api", "api-auth", "accounts", "static", "media", "health"})
WIDGETS = {
    FieldType.DATE: 'forms.DateInput(attrs={"type": "date"})',
    FieldType.DATETIME: (
        'forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")'
    ),
    FieldType.TIME: 'forms.TimeInput(attrs={"type": "time"})',
}


@dataclass(frozen=True, slots=True)
class FieldView:
    spec: FieldSpec
    declaration: Declaration
    choices_class: str | None
    sample: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def type(self) -> str:
        return self.spec.type.value

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def is_file(self) -> bool:
        return self.spec.type in {FieldType.FILE, FieldType.IMAGE}

    @property
    def must_be_given(self) -> bool:
        """Leaving it out of a form or API payload is a validation error."""
        spec = self.spec
        if not spec.required or spec.type in {FieldType.BOOLEAN, FieldType.JSON}:
            return False
        return spec.default is None and spec.type != FieldType.UUID


@dataclass(frozen=True, slots=True)
class RelationView:
    spec: Relationship
    declaration: Declaration
    required: bool  # after cycle breaking
    cycle_broken: bool  # required in the spec, nullable here to break a dependency cycle
    is_owner: bool
    target_snake: str  # "user" for the built-in user
    on_delete: OnDelete  # as rendered: the spec's choice, or the one its meaning gives

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def factory(self) -> str:
        """The generated test factory call that creates a valid target."""
        return f"make_{self.target_snake}()"

    @property
    def kind(self) -> str:
        return self.spec.kind.value

    @property
    def target(self) -> str:
        return self.spec.target

    @property
    def target_is_user(self) -> bool:
        return self.spec.targets_user

    @property
    def many(self) -> bool:
        return self.spec.kind == RelationKind.MANY_TO_MANY

    @property
    def label(self) -> str:
        return naming.to_label(self.spec.name)


@dataclass(slots=True)
class EntityView:
    spec: Entity
    fields: list[FieldView]
    relations: list[RelationView] = field(default_factory=list)
    incoming: list[RelationView] = field(default_factory=list)
    url: str = ""
    has_created_at: bool = True
    has_updated_at: bool = True
    unique_rules: list[UniqueRule] = field(default_factory=list)
    comparison_rules: list[ComparisonRule] = field(default_factory=list)
    # The relations from a row to its owning user: its own key to the user, or its required
    # parent chain ending in one (a Lesson's course, then the course's owner). Empty: shared data.
    owner_path: list[RelationView] = field(default_factory=list)
    # Who reads its rows: "owner" (and staff), "signed_in" (a catalog, or shared data) or
    # "public" (anonymous visitors too). Changing them is for owners, or managers (shared data).
    readers: str = "owner"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def owner_lookup(self) -> str:
        """The ORM lookup from a row to its owning user ("course__owner"), or ""."""
        return "__".join(r.name for r in self.owner_path)

    @property
    def owner_words(self) -> str:
        """Who owns a row, in words ("its course's instructor"), or ""."""
        names = [r.label for r in self.owner_path]
        return "its " + "'s ".join(names) if names else ""

    @property
    def owner_step(self) -> RelationView | None:
        """The first relation of the owner path: the owner itself, or the parent."""
        return self.owner_path[0] if self.owner_path else None

    @property
    def public(self) -> bool:
        return self.readers == "public"

    @property
    def read_by_strangers(self) -> bool:
        """Owned rows that every signed-in user reads (a catalog): others may see, not change."""
        return bool(self.owner_path) and self.readers != "owner"

    @property
    def owning_relation(self) -> RelationView | None:
        """The parent through which the row is owned: its choices are the user's own rows."""
        step = self.owner_step
        return step if step is not None and not step.is_owner else None

    @property
    def user_pickers(self) -> list[RelationView]:
        """Relations to the user that forms and the API offer (the owner is set by the server)."""
        return [r for r in self.form_relations if r.target_is_user]

    @property
    def snake(self) -> str:
        return self.spec.snake

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def plural_label(self) -> str:
        return self.spec.plural_label

    @property
    def title(self) -> str:
        return self.label[:1].upper() + self.label[1:]

    @property
    def plural_title(self) -> str:
        return self.plural_label[:1].upper() + self.plural_label[1:]

    @property
    def model_lower(self) -> str:
        return self.name.lower()

    @property
    def table(self) -> str:
        return f"{APP_LABEL}_{self.model_lower}"

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def display(self) -> FieldView | None:
        name = self.spec.display_field
        return next((f for f in self.fields if f.name == name), None)

    @property
    def owner(self) -> RelationView | None:
        return next((r for r in self.relations if r.is_owner), None)

    @property
    def single_relations(self) -> list[RelationView]:
        return [r for r in self.relations if not r.many]

    @property
    def many_relations(self) -> list[RelationView]:
        return [r for r in self.relations if r.many]

    @property
    def choice_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.choices_class]

    @property
    def has_files(self) -> bool:
        return any(f.is_file for f in self.fields)

    @property
    def ordering(self) -> list[str]:
        return ["-created_at"] if self.has_created_at else ["-id"]

    @property
    def indexes(self) -> list[tuple[list[str], str]]:
        """(fields, name): the ordering, and each enum (the usual filters)."""
        wanted = [["-created_at"]] if self.has_created_at else []
        wanted += [
            [f.name] for f in self.fields if f.spec.type == FieldType.ENUM and not f.spec.unique
        ]
        return [(fields, index_name(self.table, fields)) for fields in wanted]

    @property
    def search_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.spec.type in SEARCHABLE]

    @property
    def filter_fields(self) -> list[str]:
        names = [f.name for f in self.fields if f.spec.type in FILTERABLE]
        return names + [r.name for r in self.single_relations]

    @property
    def ordering_fields(self) -> list[str]:
        names = [f.name for f in self.fields if f.spec.type in LISTABLE | {FieldType.TEXT}]
        return names + self.stamps

    @property
    def list_columns(self) -> list[FieldView]:
        display = self.display
        rest = [f for f in self.fields if f.spec.type in LISTABLE and f is not display]
        return ([display] if display else []) + rest[: MAX_LIST_COLUMNS - (1 if display else 0)]

    @property
    def extra_columns(self) -> list[FieldView]:
        """List columns after the record's own name."""
        return [f for f in self.list_columns if f is not self.display]

    @property
    def admin_list_display(self) -> list[str]:
        names = ["__str__"] + [f.name for f in self.list_columns if f is not self.display]
        names += [r.name for r in self.single_relations][:2]
        return names + (["created_at"] if self.has_created_at else [])

    @property
    def admin_list_filter(self) -> list[str]:
        return self.filter_fields + (["created_at"] if self.has_created_at else [])

    @property
    def form_relations(self) -> list[RelationView]:
        return [r for r in self.relations if not r.is_owner]

    @property
    def form_fields(self) -> list[str]:
        return [f.name for f in self.fields] + [r.name for r in self.form_relations]

    @property
    def form_widgets(self) -> list[tuple[str, str]]:
        return [(f.name, WIDGETS[f.spec.type]) for f in self.fields if f.spec.type in WIDGETS]

    @property
    def patch_field(self) -> FieldView | None:
        for wanted in PATCHABLE:
            for f in self.fields:
                if f.spec.type == wanted:
                    return f
        return None

    @property
    def required_field(self) -> str | None:
        """A field whose absence a form and the API must reject."""
        for f in self.fields:
            if f.must_be_given:
                return f.name
        for r in self.form_relations:
            if r.required:
                return r.name
        return None

    @property
    def stamps(self) -> list[str]:
        return [
            name
            for name, has in (
                ("created_at", self.has_created_at),
                ("updated_at", self.has_updated_at),
            )
            if has
        ]

    @property
    def api_fields(self) -> list[str]:
        names = [f.name for f in self.fields] + [r.name for r in self.relations]
        return ["id", *names, *self.stamps]

    @property
    def read_only_fields(self) -> list[str]:
        return ["id", *([self.owner.name] if self.owner else []), *self.stamps]

    @property
    def filter_lookups(self) -> dict[str, list[str]]:
        ranged = {FieldType.DATE, FieldType.DATETIME}
        lookups = {
            f.name: ["exact", "gte", "lte"] if f.spec.type in ranged else ["exact"]
            for f in self.fields
            if f.spec.type in FILTERABLE
        }
        lookups.update({r.name: ["exact"] for r in self.single_relations})
        return lookups

    @property
    def related(self) -> list[str]:
        """Relations worth a select_related in list views."""
        return [r.name for r in self.single_relations]

    @property
    def select_related(self) -> str:
        """`.select_related(...)` for the single relations, or nothing."""
        if not self.related:
            return ""
        return f".select_related({', '.join(repr(name) for name in self.related)})"

    @property
    def required_dependencies(self) -> list[RelationView]:
        return [r for r in self.single_relations if r.required and not r.is_owner]

    @property
    def has_rules(self) -> bool:
        return bool(self.unique_rules or self.comparison_rules)

    @property
    def constraints(self) -> list[str]:
        """Sources of the model's Meta.constraints, as models.py and the migration write them."""
        return [r.source for r in self.unique_rules] + [r.source for r in self.comparison_rules]

    @property
    def owner_in_rules(self) -> bool:
        """A unique rule names the owner, which forms leave out: the views must check it."""
        owner = self.owner
        return owner is not None and any(owner.name in rule.fields for rule in self.unique_rules)

    @property
    def protected_by(self) -> RelationView | None:
        """A relation whose rows keep a row of this entity from being deleted."""
        kept = {OnDelete.PROTECT, OnDelete.RESTRICT}
        return next((r for r in self.incoming if not r.many and r.on_delete in kept), None)

    @property
    def deleted_with(self) -> RelationView | None:
        """A relation whose rows go when a row of this entity is deleted."""
        return next(
            (r for r in self.incoming if not r.many and r.on_delete == OnDelete.CASCADE), None
        )

    def relation(self, name: str) -> RelationView:
        return next(r for r in self.relations if r.name == name)

    def duplicate_of(self, rule: UniqueRule) -> tuple[list[str], list[RelationView]]:
        """What a row breaking ``rule`` copies from the first: fields, then relations.

        The rule's own flag is left out (the tests set it). When the rule names a compared
        field, the fields it is compared with are copied too, so the comparisons still hold.
        """
        own = [m.name for m in rule.members if m.relation is None and m.name != rule.when_true]
        compared = [name for r in self.comparison_rules for name in (r.big, r.small)]
        if set(own) & set(compared):
            own += [
                name
                for name in compared
                if name != rule.when_true and not self.spec_field(name).unique
            ]
        relations = [self.relation(m.name) for m in rule.members if m.relation is not None]
        return list(dict.fromkeys(own)), relations

    def spec_field(self, name: str) -> FieldSpec:
        return next(f.spec for f in self.fields if f.name == name)


def index_name(table: str, fields: list[str]) -> str:
    """Django wants explicit index names of at most 30 characters, starting with a letter."""
    digest = hashlib.sha256(f"{table}:{','.join(fields)}".encode()).hexdigest()[:8]
    stem = table.removeprefix(f"{APP_LABEL}_")[:12].rstrip("_")
    return f"{stem}_{digest}_idx"


@dataclass(slots=True)
class ProjectView:
    spec: AppSpec
    entities: list[EntityView]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def auth(self) -> bool:
        return self.spec.has_feature(FeatureCategory.AUTHENTICATION) or self.spec.uses_user

    @property
    def uses_user(self) -> bool:
        return any(r.target_is_user for e in self.entities for r in e.relations)

    @property
    def has_files(self) -> bool:
        return any(e.has_files for e in self.entities)

    @property
    def file_fields(self) -> list[tuple[EntityView, FieldView]]:
        """Every file and image field with its entity: core/media.py finds records by them."""
        return [(e, f) for e in self.entities for f in e.fields if f.is_file]

    @property
    def searchable(self) -> bool:
        return any(e.search_fields for e in self.entities)

    @property
    def relations(self) -> list[tuple[EntityView, RelationView]]:
        return [(e, r) for e in self.entities for r in e.relations]

    @property
    def roles(self) -> list[Role]:
        return self.spec.roles

    @property
    def has_roles(self) -> bool:
        return bool(self.spec.roles)

    @property
    def has_public(self) -> bool:
        return any(e.public for e in self.entities)

    def managed_by(self, role: Role) -> list[EntityView]:
        """The shared reference data ``role`` adds, changes and deletes (the spec's ``manages``;
        all of it when the spec does not say)."""
        return [
            e
            for e in self.entities
            if not e.owner_path and (role.manages is None or e.name in role.manages)
        ]

    def creators_of(self, entity: EntityView) -> list[str]:
        """The roles whose members alone (and staff) add rows of the owned ``entity``; none
        when no role says it creates them (then every signed-in user does)."""
        if not entity.owner_path:
            return []
        return [role.name for role in self.roles if entity.name in role.creates]

    def managers_of(self, entity: EntityView) -> list[str]:
        """The roles that manage ``entity``, by name."""
        return [
            role.name
            for role in self.roles
            if entity.name in {e.name for e in self.managed_by(role)}
        ]

    @property
    def role_grants(self) -> dict[str, list[str]]:
        """Each role's group and the permission codenames it is given, in spec order.

        Roles view every model (the querysets still scope the rows) and add, change and delete
        the shared reference data they manage (core/migrations/0002_roles.py gives these).
        """
        grants = {}
        for role in self.roles:
            managed = {e.name for e in self.managed_by(role)}
            grants[role.name] = [
                f"{action}_{e.model_lower}"
                for e in self.entities
                for action in (
                    ("add", "change", "delete", "view") if e.name in managed else ("view",)
                )
            ]
        return grants

    @property
    def role_content_types(self) -> list[tuple[str, str]]:
        """(model name, verbose name) of every model, for permissions the migration creates."""
        return [(e.model_lower, e.spec.label) for e in self.entities]

    @property
    def has_rules(self) -> bool:
        return any(e.has_rules for e in self.entities)

    @property
    def ruled(self) -> list[EntityView]:
        return [e for e in self.entities if e.has_rules]

    @property
    def compared_types(self) -> frozenset[FieldType]:
        """Types of the fields the rules compare: the rule tests' values and imports follow them."""
        return frozenset(
            e.spec_field(name).type
            for e in self.entities
            for r in e.comparison_rules
            for name in (r.big, r.small)
        )

    @property
    def rules_use_datetime(self) -> bool:
        return bool(self.compared_types & {FieldType.DATE, FieldType.DATETIME, FieldType.TIME})

    @property
    def rules_use_decimal(self) -> bool:
        return FieldType.DECIMAL in self.compared_types

    def entity(self, name: str) -> EntityView:
        return next(e for e in self.entities if e.name == name)


def build(spec: AppSpec) -> ProjectView:
    auth = spec.has_feature(FeatureCategory.AUTHENTICATION) or spec.uses_user
    broken = _cycle_breaks(spec)
    owners = _owners(spec) if auth else set()
    views: dict[str, EntityView] = {}
    urls = set(RESERVED_SEGMENTS)
    for entity in spec.entities:
        view = EntityView(entity, _fields(entity))
        taken = {f.name for f in entity.fields}
        taken |= {r.name for r in spec.relationships_from(entity.name)}
        taken |= {r.related_name for r in spec.relationships_to(entity.name)}
        # A spec field (or reverse accessor) with a timestamp's name wins over the timestamp.
        view.has_created_at = "created_at" not in taken
        view.has_updated_at = "updated_at" not in taken
        view.url = _unique_segment(naming.to_kebab(entity.plural) or entity.snake, urls)
        views[entity.name] = view
    required_links = {
        index
        for index, rel in enumerate(spec.relationships)
        if rel.required and index not in broken and rel.kind != RelationKind.MANY_TO_MANY
    }
    paths = _owner_paths(spec, owners, required_links)
    by_index: dict[int, RelationView] = {}
    for index, rel in enumerate(spec.relationships):
        required = index in required_links
        # A row owned otherwise than through this link refers to someone's row: a reference.
        foreign = rel.source in paths and paths[rel.source][0] != index
        on_delete = _on_delete(
            rel, required=required, auth=auth, reference=rel.target not in paths or foreign
        )
        relation = RelationView(
            spec=rel,
            declaration=relation_declaration(
                kind=rel.kind,
                model_target="settings.AUTH_USER_MODEL" if rel.targets_user else repr(rel.target),
                migration_target=(
                    "settings.AUTH_USER_MODEL"
                    if rel.targets_user
                    else repr(f"{APP_LABEL}.{rel.target.lower()}")
                ),
                related_name=rel.related_name,
                required=required,
                on_delete=on_delete,
            ),
            required=required,
            cycle_broken=index in broken,
            is_owner=index in owners,
            target_snake="user" if rel.targets_user else views[rel.target].snake,
            on_delete=on_delete,
        )
        by_index[index] = relation
        views[rel.source].relations.append(relation)
        if not rel.targets_user:
            views[rel.target].incoming.append(relation)
    for name, path in paths.items():
        views[name].owner_path = [by_index[index] for index in path]
    catalogs = _catalogs(spec, paths, required_links)
    for view in views.values():
        view.readers = _readers(view, catalogs) if auth else "public"
    # Constraint names, like index names, must be unique across the project.
    taken = {name for view in views.values() for _, name in view.indexes}
    for entity in spec.entities:
        view = views[entity.name]
        relations = spec.relationships_from(entity.name)
        view.unique_rules = unique_rules(entity, relations, view.table, taken)
        view.comparison_rules = comparison_rules(entity, view.table, taken)
    return ProjectView(spec, list(views.values()))


def _owner_paths(spec: AppSpec, owners: set[int], required: set[int]) -> dict[str, list[int]]:
    """Each owned entity's path to its owning user, as relationship indexes.

    An entity with an owner is owned through it; others through the shortest chain of required
    single relations to an owned entity (ties go to the relation first in the spec). Computed
    outwards one relation per round, so a cycle of required relations cannot loop. Entities left
    out hold shared reference data.
    """
    paths = {spec.relationships[index].source: [index] for index in sorted(owners)}
    grew = True
    while grew:
        known = dict(paths)  # this round extends only the paths of the rounds before
        for entity in spec.entities:
            if entity.name in known:
                continue
            for index, rel in enumerate(spec.relationships):
                if rel.source == entity.name and index in required and rel.target in known:
                    paths[entity.name] = [index, *known[rel.target]]
                    break
        grew = len(paths) > len(known)
    return paths


def _catalogs(spec: AppSpec, paths: dict[str, list[int]], required: set[int]) -> set[str]:
    """Owned entities that rows of another owner must link to: the course a student enrolls in.

    A required link from an owned entity that is not the first step of its owner path (an
    Enrollment's course, where the enrollment is the student's) needs every signed-in user to
    see the targets, or nobody but their owner could ever make such a row.
    """
    return {
        rel.target
        for index, rel in enumerate(spec.relationships)
        if index in required
        and rel.source in paths
        and rel.target in paths
        and rel.target != rel.source
        and paths[rel.source][0] != index
    }


def _readers(view: EntityView, catalogs: set[str]) -> str:
    """Who reads the entity's rows: the spec's access, or for "auto" the stack's choice."""
    access = view.spec.access
    if access == Access.PUBLIC:
        return "public"
    if not view.owner_path or access == Access.SIGNED_IN:
        return "signed_in"  # nobody owns shared reference data, so it cannot be private
    if access == Access.PRIVATE:
        return "owner"
    return "signed_in" if view.name in catalogs else "owner"


def _on_delete(rel: Relationship, *, required: bool, auth: bool, reference: bool) -> OnDelete:
    """What deleting the target does to the row, by meaning when the spec keeps the default.

    The spec's default is cascade, so only cascade is read as "not chosen": an optional link
    sets null; a required reference protects its target: shared reference data (a category in
    use stays), or a row of an owned entity that the row is not owned through (a course that
    students' enrollments refer to stays: deleting it must not delete others' rows); a required
    link to an owned parent (composition) or to the user cascades.
    """
    if rel.on_delete != OnDelete.CASCADE or rel.kind == RelationKind.MANY_TO_MANY:
        return rel.on_delete
    if not required:
        return OnDelete.SET_NULL
    if auth and reference and not rel.targets_user:
        return OnDelete.PROTECT
    return OnDelete.CASCADE


def _fields(entity: Entity) -> list[FieldView]:
    out: list[FieldView] = []
    classes: set[str] = set()
    ruled = samples(entity)  # values that keep the entity's rules
    attributes = frozenset(f.name for f in entity.fields)  # the class body's own names
    for spec_field in entity.fields:
        choices_class = None
        if spec_field.type == FieldType.ENUM:
            choices_class = _unique_class(naming.to_pascal(spec_field.name) + "Choices", classes)
        declaration = field_declaration(spec_field, choices_class, f"{entity.snake}/", attributes)
        value = ruled.get(spec_field.name) or sample(spec_field)
        out.append(FieldView(spec_field, declaration, choices_class, value))
    return out


def _unique_class(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate


def _unique_segment(segment: str, taken: set[str]) -> str:
    candidate, n = segment, 2
    while candidate in taken:
        candidate, n = f"{segment}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _owners(spec: AppSpec) -> set[int]:
    """Per entity, the relation set from request.user: its first FK to the user, else its O2O."""
    owners: set[int] = set()
    for entity in spec.entities:
        candidates = [
            (rel.kind != RelationKind.MANY_TO_ONE, index)
            for index, rel in enumerate(spec.relationships)
            if rel.source == entity.name
            and rel.targets_user
            and rel.kind != RelationKind.MANY_TO_MANY
        ]
        if candidates:
            owners.add(min(candidates)[1])
    return owners


def _cycle_breaks(spec: AppSpec) -> set[int]:
    """Required FK/O2O relations that would make required dependencies cyclic.

    A factory (and a person) can only create a row after the rows it requires, so the graph of
    required relations between entities must be acyclic. Self-references and the back edges of a
    depth-first search in spec order are rendered nullable instead (noted in models.py).
    """
    edges: dict[str, list[tuple[str, int]]] = {e.name: [] for e in spec.entities}
    broken: set[int] = set()
    for index, rel in enumerate(spec.relationships):
        if not rel.required or rel.kind == RelationKind.MANY_TO_MANY or rel.target == USER:
            continue
        if rel.target == rel.source:
            broken.add(index)
        else:
            edges[rel.source].append((rel.target, index))
    state: dict[str, int] = {}  # 1: on the stack, 2: done

    def visit(node: str) -> None:
        state[node] = 1
        for target, index in edges[node]:
            if state.get(target) == 1:
                broken.add(index)
            elif target not in state:
                visit(target)
        state[node] = 2

    for entity in spec.entities:
        if entity.name not in state:
            visit(entity.name)
    return broken
