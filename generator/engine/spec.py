"""The AppSpec: one typed, validated, serialisable model of the application to build.

Analyzers produce it, a power user may hand one in as JSON/YAML, and stacks render it. All name
cleaning happens here, once: identifiers are normalised, reserved words and clashes are renamed
with a recorded warning, references to unknown entities are errors, and size limits are enforced.
Rules between fields (unique together, comparisons) are resolved through those renames and
checked too: a comparison that validated can be kept by some row (comparison_values finds one).
A spec that validated is safe to render; renderers never re-check names.

This module knows nothing about Django or any output stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.engine import inequalities, naming

SPEC_VERSION = 1
USER = "User"  # the built-in user model; a valid relationship target, never an entity name

MAX_ENTITIES = 60
MAX_FIELDS_PER_ENTITY = 60
MAX_RELATIONSHIPS = 300
MAX_FEATURES = 100
MAX_PAGES = 500
MAX_CHOICES = 50
MAX_NAME_LENGTH = 40
MAX_APP_NAME_LENGTH = 80
MAX_TEXT_LENGTH = 2000
MAX_ROLES = 30
MAX_NOTES = 100
MAX_UNIQUE_TOGETHER = 20  # per entity
MAX_COMPARISONS = 20  # per entity
MAX_RULE_MESSAGE_LENGTH = 300
# Why a name whose slug would be empty (see naming.app_slug) cannot name an app.
APP_NAME_UNREADABLE = (
    "the app's name needs at least one letter or digit (in any script): its folder and package "
    "are named after it, and emoji or punctuation alone cannot name them"
)


class SpecError(ValueError):
    """A spec that cannot be used, with messages a person can act on."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


class FieldType(StrEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    EMAIL = "email"
    URL = "url"
    SLUG = "slug"
    UUID = "uuid"
    JSON = "json"
    FILE = "file"
    IMAGE = "image"
    ENUM = "enum"


NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.FLOAT})
LENGTH_TYPES = frozenset(
    {FieldType.STRING, FieldType.EMAIL, FieldType.URL, FieldType.SLUG, FieldType.ENUM}
)
TEXTUAL_TYPES = LENGTH_TYPES | {FieldType.TEXT}
INTEGER_LIMIT = 2_147_483_647  # the range of an integer column on every database Django supports
DEFAULT_MAX_LENGTH = {
    FieldType.STRING: 200,
    FieldType.EMAIL: 254,
    FieldType.URL: 200,
    FieldType.SLUG: 50,
}


class RelationKind(StrEnum):
    MANY_TO_ONE = "many_to_one"
    ONE_TO_ONE = "one_to_one"
    MANY_TO_MANY = "many_to_many"


class OnDelete(StrEnum):
    CASCADE = "cascade"
    PROTECT = "protect"
    SET_NULL = "set_null"
    RESTRICT = "restrict"


class FeatureCategory(StrEnum):
    AUTHENTICATION = "authentication"
    AUTHORIZATION = "authorization"
    CRUD = "crud"
    SEARCH = "search"
    FILTERING = "filtering"
    SORTING = "sorting"
    PAGINATION = "pagination"
    NOTIFICATIONS = "notifications"
    REALTIME = "realtime"
    FILE_UPLOAD = "file-upload"
    REPORTING = "reporting"
    ANALYTICS = "analytics"
    OTHER = "other"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class PageKind(StrEnum):
    HOME = "home"
    LIST = "list"
    DETAIL = "detail"
    FORM = "form"
    DELETE = "delete"
    AUTH = "auth"
    DASHBOARD = "dashboard"
    CUSTOM = "custom"


class Access(StrEnum):
    """Who reads an entity's rows. Changing them is always for their owner (or managers).

    ``auto`` leaves it to the stack: a Django app makes an owned entity that another owner's
    rows must link to (the course a student enrolls in) readable by every signed-in user, and
    keeps the rest to their owners. ``private``: owners (and staff) alone; ``signed_in``: every
    signed-in user; ``public``: anyone, anonymous visitors included.
    """

    AUTO = "auto"
    PRIVATE = "private"
    SIGNED_IN = "signed_in"
    PUBLIC = "public"


ACCESS_WORDS = {
    Access.AUTO: "whoever the stack decides",
    Access.PRIVATE: "its owners alone",
    Access.SIGNED_IN: "every signed-in user",
    Access.PUBLIC: "anyone",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=True)


class Choice(_Model):
    value: str
    label: str = ""


class FieldSpec(_Model):
    name: str
    type: FieldType = FieldType.STRING
    label: str = ""
    required: bool = True
    unique: bool = False
    default: str | int | float | bool | None = None
    max_length: int | None = Field(default=None, ge=1, le=10000)
    min_value: float | None = None
    max_value: float | None = None
    max_digits: int | None = Field(default=None, ge=1, le=30)
    decimal_places: int | None = Field(default=None, ge=0, le=10)
    choices: list[Choice] = Field(default_factory=list)
    help_text: str = ""


class UniqueTogether(_Model):
    """One row per combination ("one enrollment per student and course").

    ``fields`` names the entity's fields and/or its many-to-one and one-to-one relationships (a
    relationship by its name, or by the snake_case target when it has none). With ``when_true``,
    a boolean field, only rows where it is true count ("one correct option per question").
    """

    fields: list[str]
    when_true: str | None = None
    message: str = ""


ComparisonOp = Literal["gt", "gte", "lt", "lte"]


class Comparison(_Model):
    """A rule between two fields of one entity: ``field`` ``op`` ``other`` ("end after start").

    Both are numbers, or both dates, date-times or times. A rule holds while either is empty.
    """

    field: str
    op: ComparisonOp
    other: str
    message: str = ""

    @property
    def strict(self) -> bool:
        return self.op in {"gt", "lt"}

    @property
    def big(self) -> str:
        """The field that must be the larger (or later) one."""
        return self.field if self.op in {"gt", "gte"} else self.other

    @property
    def small(self) -> str:
        return self.other if self.op in {"gt", "gte"} else self.field


class Entity(_Model):
    name: str
    plural: str = ""
    description: str = ""
    display_field: str | None = None
    fields: list[FieldSpec] = Field(default_factory=list)
    unique_together: list[UniqueTogether] = Field(default_factory=list)
    comparisons: list[Comparison] = Field(default_factory=list)
    access: Access = Access.AUTO

    @property
    def snake(self) -> str:
        return naming.to_snake(self.name)

    @property
    def plural_snake(self) -> str:
        return naming.to_snake(self.plural)

    @property
    def label(self) -> str:
        return naming.to_label(self.name)

    @property
    def plural_label(self) -> str:
        return naming.to_label(self.plural)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


class Relationship(_Model):
    kind: RelationKind = RelationKind.MANY_TO_ONE
    source: str
    target: str
    name: str = ""
    related_name: str = ""
    required: bool = True
    on_delete: OnDelete = OnDelete.CASCADE
    description: str = ""

    @property
    def targets_user(self) -> bool:
        return self.target == USER


class Feature(_Model):
    name: str
    category: FeatureCategory = FeatureCategory.OTHER
    description: str = ""
    priority: Priority = Priority.MEDIUM
    entities: list[str] = Field(default_factory=list)


class PageSpec(_Model):
    name: str
    kind: PageKind = PageKind.CUSTOM
    path: str = ""
    entity: str | None = None
    description: str = ""


class Role(_Model):
    """A kind of person who uses the app ("Volunteer", "Coordinator"): PascalCase, singular.

    ``manages`` names the entities whose shared reference data (rows nobody owns) the role's
    members add, change and delete; None (the default) is all of it, [] none. ``creates`` names
    owned entities whose rows only members of the roles that list them (and staff) add
    ("instructors create courses"); an entity no role lists is added by every signed-in user.
    """

    name: str
    description: str = ""
    manages: list[str] | None = None
    creates: list[str] = Field(default_factory=list)


class AppSpec(_Model):
    spec_version: int = SPEC_VERSION
    name: str
    slug: str = ""
    description: str = ""
    entities: list[Entity] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    features: list[Feature] = Field(default_factory=list)
    pages: list[PageSpec] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # The analyzer's decisions, shown to the person ("'volunteers' was read as a user role").
    notes: list[str] = Field(default_factory=list)
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _sanitise(self) -> AppSpec:
        _Sanitiser(self).run()
        return self

    # --- lookups used by renderers -------------------------------------------------------
    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name == name), None)

    def relationships_from(self, entity: str) -> list[Relationship]:
        return [r for r in self.relationships if r.source == entity]

    def relationships_to(self, entity: str) -> list[Relationship]:
        return [r for r in self.relationships if r.target == entity]

    def has_feature(self, category: FeatureCategory) -> bool:
        return any(f.category == category for f in self.features)

    @property
    def uses_user(self) -> bool:
        return any(r.targets_user for r in self.relationships)

    # --- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, ensure_ascii=False)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def canonical_json(self) -> str:
        """Stable text for hashing: sorted keys, no whitespace."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_data(cls, data: Any) -> AppSpec:
        """Validate plain data, turning pydantic's errors into a SpecError."""
        if not isinstance(data, dict):
            raise SpecError(["the spec must be a mapping (a JSON object or YAML mapping)"])
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise SpecError(_friendly_errors(exc)) from None

    @classmethod
    def from_text(cls, text: str, *, fmt: str = "auto") -> AppSpec:
        try:
            if fmt == "json" or (fmt == "auto" and text.lstrip().startswith("{")):
                try:
                    data = json.loads(text)
                except json.JSONDecodeError:
                    if fmt == "json":
                        raise
                    data = yaml.safe_load(text)  # YAML's flow style starts with "{" too
            else:
                data = yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise SpecError([f"the spec is not valid JSON or YAML: {exc}"]) from None
        except RecursionError:
            # Both parsers recurse once per level: thousands of levels exhaust the stack.
            raise SpecError(
                ["the spec is nested too deeply to read; a spec needs only a few levels"]
            ) from None
        return cls.from_data(data)

    @classmethod
    def from_file(cls, path: str | Path) -> AppSpec:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError([f"cannot read spec file {p}: {exc}"]) from None
        fmt = "json" if p.suffix.lower() == ".json" else "auto"
        return cls.from_text(text, fmt=fmt)


def spec_json_schema() -> dict[str, Any]:
    return AppSpec.model_json_schema()


def _friendly_errors(exc: ValidationError) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        messages.append(f"{loc}: {msg}" if loc else msg)
    return messages


# --- sanitising ------------------------------------------------------------------------------

_USER_ATTRIBUTES = frozenset(
    [
        "username",
        "first_name",
        "last_name",
        "email",
        "password",
        "groups",
        "user_permissions",
        "is_staff",
        "is_active",
        "is_superuser",
        "last_login",
        "date_joined",
        "logentry",
        "auth_token",
        "emailaddress",
        "socialaccount",
    ]
)


def _letters(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class _Sanitiser:
    """Cleans an AppSpec in place; raises ValueError for what cannot be fixed."""

    def __init__(self, spec: AppSpec) -> None:
        self.spec = spec
        self.warnings: list[str] = list(spec.warnings)
        self.errors: list[str] = []
        self.entity_names: dict[str, str] = {}  # any accepted spelling -> final class name
        # per entity (final name): any accepted spelling of a field / relationship -> final name
        self.field_names: dict[str, dict[str, str]] = {}
        self.relation_names: dict[str, dict[str, str]] = {}

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def run(self) -> None:
        spec = self.spec
        self._app()
        self._limits()
        self._roles()
        if self.errors:
            raise ValueError("; ".join(self.errors))
        self._entities()
        self._relationships()
        if self.errors:
            raise ValueError("; ".join(self.errors))
        for entity in spec.entities:
            self._unique_together(entity)
            self._comparisons(entity)
        if self.errors:
            raise ValueError("; ".join(self.errors))
        self._features()
        self._pages()
        for role in spec.roles:
            where = f"role {role.name!r}"
            if role.manages is not None:
                role.manages = _unique(self._known_entities(role.manages, where))
            role.creates = _unique(self._known_entities(role.creates, where))
        spec.constraints = _unique(
            [_clip(c.strip(), MAX_TEXT_LENGTH) for c in spec.constraints if c.strip()]
        )
        spec.notes = _unique(
            [_clip(" ".join(n.split()), MAX_TEXT_LENGTH) for n in spec.notes if n.strip()]
        )
        spec.warnings = self.warnings

    # app ----------------------------------------------------------------------------------
    def _app(self) -> None:
        spec = self.spec
        name = " ".join(spec.name.split())
        if not naming.app_slug(name):
            self.errors.append(f"name: {APP_NAME_UNREADABLE}")
            return
        if len(name) > MAX_APP_NAME_LENGTH:
            name = name[:MAX_APP_NAME_LENGTH].rstrip()
            self.warn(f"The app name was shortened to {MAX_APP_NAME_LENGTH} characters.")
        spec.name = name
        slug = (naming.app_slug(spec.slug) or naming.app_slug(name))[:MAX_APP_NAME_LENGTH]
        slug = slug.strip("-")
        if not slug[:1].isalpha():
            slug = "app-" + slug
        spec.slug = slug
        spec.description = _clip(spec.description.strip(), MAX_TEXT_LENGTH)
        if spec.spec_version != SPEC_VERSION:
            self.errors.append(f"spec_version: only version {SPEC_VERSION} is supported")

    def _limits(self) -> None:
        spec = self.spec
        checks = [
            ("entities", len(spec.entities), MAX_ENTITIES),
            ("relationships", len(spec.relationships), MAX_RELATIONSHIPS),
            ("features", len(spec.features), MAX_FEATURES),
            ("pages", len(spec.pages), MAX_PAGES),
            ("roles", len(spec.roles), MAX_ROLES),
            ("notes", len(spec.notes), MAX_NOTES),
        ]
        for label, count, limit in checks:
            if count > limit:
                self.errors.append(f"{label}: {count} given, at most {limit} are allowed")
        for entity in spec.entities:
            for what, count, limit in (
                ("fields", len(entity.fields), MAX_FIELDS_PER_ENTITY),
                ("unique_together rules", len(entity.unique_together), MAX_UNIQUE_TOGETHER),
                ("comparisons", len(entity.comparisons), MAX_COMPARISONS),
            ):
                if count > limit:
                    self.errors.append(
                        f"entity {entity.name!r}: {count} {what} given, at most {limit} are allowed"
                    )

    def _roles(self) -> None:
        kept: list[Role] = []
        seen: set[str] = set()
        for index, role in enumerate(self.spec.roles):
            name = naming.to_pascal(naming.transliterate(role.name))[:MAX_NAME_LENGTH]
            if not name:
                self.errors.append(
                    f"roles[{index}]: a role needs a name with at least one letter or digit"
                )
                continue
            if name.lower() in seen:
                self.warn(f"Role {role.name!r} appears twice; the second was dropped.")
                continue
            seen.add(name.lower())
            role.name = name
            role.description = _clip(role.description.strip(), MAX_TEXT_LENGTH)
            kept.append(role)
        self.spec.roles = kept

    # entities -----------------------------------------------------------------------------
    def _entities(self) -> None:
        taken: set[str] = set()
        for index, entity in enumerate(self.spec.entities):
            original = entity.name
            name = self._entity_name(original, index)
            # Case-insensitively: Django knows models by their lower-cased names.
            base, n = name, 2
            while name.lower() in taken:
                name, n = f"{base}{n}", n + 1
            if name != base:
                self.warn(f"Entity {original!r} clashes with another entity; renamed to {name!r}.")
            taken.add(name.lower())
            for spelling in (
                original,
                original.strip(),
                naming.to_pascal(original),
                naming.to_snake(original),
                name,
            ):
                self.entity_names.setdefault(spelling, name)
                self.entity_names.setdefault(spelling.lower(), name)
            entity.name = name
            plural = naming.to_pascal(entity.plural) if entity.plural else ""
            if not plural:
                plural = naming.to_pascal(naming.pluralize(naming.to_label(name)))
            if plural.lower() == name.lower():
                # Uncountable words ("News"): list and detail need different names.
                plural = name + "Items"
            entity.plural = plural[: MAX_NAME_LENGTH + 8]
            entity.description = _clip(entity.description.strip(), MAX_TEXT_LENGTH)
            self._fields(entity)

    def _entity_name(self, original: str, index: int) -> str:
        name = naming.to_pascal(original)
        if not name:
            name = f"Entity{index + 1}"
            self.warn(f"Entity {original!r} has no usable letters; named {name!r}.")
        if name[0].isdigit():
            name = "N" + name
            self.warn(f"Entity {original!r} starts with a digit; renamed to {name!r}.")
        if len(name) > MAX_NAME_LENGTH:
            name = name[:MAX_NAME_LENGTH]
            self.warn(f"Entity {original!r} was shortened to {name!r}.")
        reason = naming.entity_reserved_reason(name)
        if reason:
            new = (
                ("App" + name)
                if name in {"User", "Group", "Permission", "Site", "Session"}
                else name + "Item"
            )
            self.warn(f"Entity {name!r} is {reason}; renamed to {new!r}.")
            name = new
        return name

    def _fields(self, entity: Entity) -> None:
        taken: set[str] = set()
        spellings = self.field_names.setdefault(entity.name, {})
        for index, field in enumerate(entity.fields):
            original = field.name
            name = naming.to_snake(original)
            if not name:
                name = f"field_{index + 1}"
                self.warn(
                    f"{entity.name}: field {original!r} has no usable letters; named {name!r}."
                )
            if name[0].isdigit():
                name = "f_" + name
            if _letters(name) != _letters(original):  # more than case and separators changed
                self.warn(
                    f"{entity.name}: field {original!r} is named {name!r} (a name of letters, "
                    "digits and underscores that starts with a letter)."
                )
            if len(name) > MAX_NAME_LENGTH:
                name = name[:MAX_NAME_LENGTH].rstrip("_")
                self.warn(f"{entity.name}: field {original!r} was shortened to {name!r}.")
            reason = naming.reserved_reason(name)
            if reason:
                new = f"{name}_value"
                self.warn(f"{entity.name}: field {name!r} is {reason}; renamed to {new!r}.")
                name = new
            if name in taken:
                new = _dedupe(name, taken, lambda base, n: f"{base}_{n}")
                self.warn(
                    f"{entity.name}: field {name!r} appears twice; the second is named {new!r}."
                )
                name = new
            taken.add(name)
            for spelling in (original, original.strip(), naming.to_snake(original), name):
                spellings.setdefault(spelling, name)
            field.name = name
            field.label = _clip(" ".join(field.label.split()), 100) or naming.to_label(name)
            field.help_text = _clip(field.help_text.strip(), 500)
            self._field_details(entity, field)
        if entity.display_field:
            display = naming.to_snake(entity.display_field)
            match = entity.field(display) or entity.field(f"{display}_value")
            entity.display_field = match.name if match else None
        if entity.display_field is None:
            entity.display_field = _guess_display_field(entity.fields)

    def _field_details(self, entity: Entity, field: FieldSpec) -> None:
        where = f"{entity.name}.{field.name}"
        if field.type == FieldType.ENUM:
            self._choices(where, field)
        elif field.choices:
            self.warn(f"{where}: choices only apply to enum fields; they were dropped.")
            field.choices = []
        if field.type in LENGTH_TYPES:
            if field.type == FieldType.ENUM:
                longest = max((len(c.value) for c in field.choices), default=1)
                field.max_length = max(field.max_length or 0, _round_up(longest))
            elif field.max_length is None:
                field.max_length = DEFAULT_MAX_LENGTH[field.type]
        else:
            field.max_length = None if field.type != FieldType.TEXT else field.max_length
        if field.type in NUMERIC_TYPES:
            if (
                field.min_value is not None
                and field.max_value is not None
                and field.min_value > field.max_value
            ):
                self.warn(f"{where}: minimum was above maximum; they were swapped.")
                field.min_value, field.max_value = field.max_value, field.min_value
            if field.type == FieldType.INTEGER:
                field.min_value = None if field.min_value is None else float(int(field.min_value))
                field.max_value = None if field.max_value is None else float(int(field.max_value))
        else:
            field.min_value = field.max_value = None
        if field.type == FieldType.DECIMAL:
            field.max_digits = field.max_digits or 12
            field.decimal_places = 2 if field.decimal_places is None else field.decimal_places
            if field.decimal_places >= field.max_digits:
                field.max_digits = field.decimal_places + 1
        else:
            field.max_digits = field.decimal_places = None
        if field.type in NUMERIC_TYPES:
            self._numeric_range(where, field)
        if field.type == FieldType.ENUM and field.unique:
            self.warn(
                f"{where}: an enum field cannot be unique (it has a fixed set of values); "
                "'unique' was dropped."
            )
            field.unique = False
        if field.type in {FieldType.BOOLEAN}:
            field.required = True  # a checkbox always has a value
            field.unique = False
        if field.type in {FieldType.JSON, FieldType.FILE, FieldType.IMAGE, FieldType.TEXT}:
            field.unique = False if field.type != FieldType.TEXT else field.unique
        field.default = self._default(where, field)

    def _numeric_range(self, where: str, field: FieldSpec) -> None:
        """Drop bounds no stored value could satisfy, so a valid value always exists."""
        if field.type == FieldType.DECIMAL:
            places = field.decimal_places or 0
            limit = float(10 ** ((field.max_digits or 12) - places)) - 10.0**-places
        elif field.type == FieldType.INTEGER:
            limit = float(INTEGER_LIMIT)
        else:
            limit = float("inf")
        for attr in ("min_value", "max_value"):
            value = getattr(field, attr)
            if value is None:
                continue
            if value != value or abs(value) == float("inf"):
                self.warn(
                    f"{where}: {attr.replace('_value', 'imum')} {value} is not a number; "
                    "it was dropped."
                )
                setattr(field, attr, None)
            elif (attr == "min_value" and value > limit) or (
                attr == "max_value" and value < -limit
            ):
                self.warn(
                    f"{where}: {attr.replace('_value', 'imum')} {value:g} is beyond what "
                    f"the field can hold (±{limit:g}); it was dropped."
                )
                setattr(field, attr, None)

    def _choices(self, where: str, field: FieldSpec) -> None:
        cleaned: list[Choice] = []
        seen: set[str] = set()
        for choice in field.choices[:MAX_CHOICES]:
            value = naming.to_snake(choice.value) or naming.to_snake(choice.label)
            if not value:
                continue
            if value[0].isdigit():
                value = "v_" + value
            value = value[:50]
            if value in seen:
                continue
            seen.add(value)
            label = " ".join((choice.label or choice.value).split())[:100]
            cleaned.append(Choice(value=value, label=label or value))
        if len(field.choices) > MAX_CHOICES:
            self.warn(f"{where}: only the first {MAX_CHOICES} choices were kept.")
        if not cleaned:
            self.warn(f"{where}: an enum needs choices; it became a plain string.")
            field.type = FieldType.STRING
        field.choices = cleaned

    def _default(self, where: str, field: FieldSpec) -> str | int | float | bool | None:
        value = field.default
        if value is None:
            return None
        kind = field.type
        try:
            if kind == FieldType.BOOLEAN:
                if isinstance(value, str):
                    lowered = value.strip().lower()
                    if lowered not in {"true", "false", "yes", "no", "1", "0"}:
                        raise ValueError(value)
                    return lowered in {"true", "yes", "1"}
                return bool(value)
            if kind == FieldType.INTEGER:
                if isinstance(value, bool):
                    raise ValueError(value)
                number = int(str(value).strip())
                return _clamp_default(where, number, field, self)
            if kind == FieldType.FLOAT:
                number_f = float(str(value).strip())
                if number_f != number_f or number_f in {float("inf"), float("-inf")}:
                    raise ValueError(value)
                return _clamp_default(where, number_f, field, self)
            if kind == FieldType.DECIMAL:
                dec = Decimal(str(value).strip())
                if not dec.is_finite():
                    raise ValueError(value)
                quant = Decimal(1).scaleb(-(field.decimal_places or 0))
                dec = dec.quantize(quant)
                if len(dec.as_tuple().digits) > (field.max_digits or 12):
                    raise ValueError(value)
                return str(dec)
            if kind == FieldType.ENUM:
                wanted = naming.to_snake(str(value))
                values = [c.value for c in field.choices]
                if wanted not in values:
                    raise ValueError(value)
                return wanted
            if kind in {FieldType.STRING, FieldType.TEXT, FieldType.SLUG}:
                text = str(value)
                if kind == FieldType.SLUG:
                    text = naming.to_kebab(text)
                if field.max_length:
                    text = text[: field.max_length]
                return text
        except (ValueError, InvalidOperation, TypeError):
            self.warn(f"{where}: default {value!r} does not fit a {kind} field; it was dropped.")
            return None
        self.warn(f"{where}: {kind} fields take no default; it was dropped.")
        return None

    # relationships ------------------------------------------------------------------------
    def _resolve(self, name: str) -> str | None:
        if name in self.entity_names:
            return self.entity_names[name]
        for spelling in (
            name.strip(),
            name.lower(),
            naming.to_pascal(name),
            naming.to_pascal(naming.singularize(naming.to_label(name))),
        ):
            if spelling in self.entity_names:
                return self.entity_names[spelling]
            if spelling.lower() in self.entity_names:
                return self.entity_names[spelling.lower()]
        if naming.to_pascal(naming.singularize(naming.to_label(name))) == USER:
            return USER
        return None

    def _relationships(self) -> None:
        spec = self.spec
        entities = {e.name: e for e in spec.entities}
        # names already used on each model: its fields, then relation fields as we add them
        used: dict[str, set[str]] = {e.name: {f.name for f in e.fields} for e in spec.entities}
        used[USER] = set(_USER_ATTRIBUTES)
        # the related names of entities are checked against the target's own names too
        for index, rel in enumerate(spec.relationships):
            where = f"relationships[{index}]"
            source = self._resolve(rel.source)
            target = self._resolve(rel.target)
            if source is None or source == USER:
                self.errors.append(f"{where}: source {rel.source!r} is not an entity of this app")
                continue
            if target is None:
                self.errors.append(
                    f"{where}: target {rel.target!r} is not an entity of this app "
                    f"(nor {USER!r}, the built-in user)"
                )
                continue
            given_name, given_target = rel.name, rel.target
            rel.source, rel.target = source, target
            src, tgt = entities[source], entities.get(target)
            default_name = default_link_name(rel.kind, target)
            rel.name = self._relation_name(
                where,
                rel.name or default_name,
                used[source],
                f"{source} field",
                column=rel.kind != RelationKind.MANY_TO_MANY,
            )
            wanted_related = rel.related_name or default_related_name(rel, src)
            rel.related_name = self._relation_name(
                where, wanted_related, used[target], f"{target} reverse accessor"
            )
            if rel.on_delete == OnDelete.SET_NULL:
                rel.required = False
            if rel.kind == RelationKind.MANY_TO_MANY:
                rel.required = False
                rel.on_delete = OnDelete.CASCADE
            if tgt is None and target != USER:
                self.errors.append(f"{where}: target {rel.target!r} is not an entity")
            rel.description = _clip(rel.description.strip(), MAX_TEXT_LENGTH)
            spellings = self.relation_names.setdefault(source, {})
            given = (
                [given_name, given_name.strip(), naming.to_snake(given_name)]
                if given_name
                else [naming.to_snake(given_target), naming.to_snake(target), default_name]
            )
            if not given_name and target == USER:
                given.append("user")
            for spelling in (rel.name, *given):
                spellings.setdefault(spelling, rel.name)
        if self.spec.uses_user and not self.spec.has_feature(FeatureCategory.AUTHENTICATION):
            self.spec.features.append(
                Feature(
                    name="User authentication",
                    category=FeatureCategory.AUTHENTICATION,
                    description="Sign up, log in and log out; records belong to users.",
                    priority=Priority.HIGH,
                )
            )
            self.warn("Records belong to users, so user authentication was added.")

    def _relation_name(
        self, where: str, wanted: str, taken: set[str], what: str, *, column: bool = False
    ) -> str:
        """A free name; with ``column``, its ``<name>_id`` column name must be free too."""
        name = naming.to_snake(wanted) or "related"
        if name[0].isdigit():
            name = "r_" + name
        name = name[:MAX_NAME_LENGTH].rstrip("_")
        reason = naming.reserved_reason(name, sql=False)
        if reason:
            new = f"{name}_value"
            self.warn(f"{where}: {what} {name!r} is {reason}; renamed to {new!r}.")
            name = new
        blocked = taken | (
            {t.removesuffix("_id") for t in taken if t.endswith("_id")} if column else set()
        )
        if name in blocked:
            new = _dedupe(name, blocked, lambda base, n: f"{base}_{n}")
            self.warn(
                f"{where}: {what} {name!r} clashes with an existing name; renamed to {new!r}."
            )
            name = new
        taken.add(name)
        if column:
            taken.add(f"{name}_id")
        return name

    # rules between fields -----------------------------------------------------------------
    def _member(self, entity: Entity, name: str) -> FieldSpec | Relationship | None:
        """A field or relationship of ``entity`` by its final name, else by a spelling it had."""
        fields = {f.name: f for f in entity.fields}
        relations = {r.name: r for r in self.spec.relationships_from(entity.name)}
        wanted = list(dict.fromkeys((name, name.strip(), naming.to_snake(name))))
        for spelling in wanted:
            if spelling in fields:
                return fields[spelling]
            if spelling in relations:
                return relations[spelling]
        field_names = self.field_names.get(entity.name, {})
        relation_names = self.relation_names.get(entity.name, {})
        for spelling in wanted:
            if spelling in field_names:
                return fields[field_names[spelling]]
            if spelling in relation_names:
                return relations[relation_names[spelling]]
        return None

    def _unique_together(self, entity: Entity) -> None:
        kept: list[UniqueTogether] = []
        seen: dict[tuple[frozenset[str], str | None], int] = {}
        known = [f.name for f in entity.fields] + [
            r.name
            for r in self.spec.relationships_from(entity.name)
            if r.kind != RelationKind.MANY_TO_MANY
        ]
        for index, rule in enumerate(entity.unique_together):
            where = f"{entity.name}.unique_together[{index}]"
            errors = len(self.errors)
            if not rule.fields:
                self.errors.append(f"{where}: name at least one field or relationship")
            members: list[FieldSpec | Relationship] = []
            for name in rule.fields:
                member = self._member(entity, name)
                if member is None:
                    self.errors.append(
                        f"{where}: {name!r} is not a field or a many-to-one/one-to-one "
                        f"relationship of {entity.name} (it has: {', '.join(known) or 'none'})"
                    )
                elif isinstance(member, Relationship) and member.kind == RelationKind.MANY_TO_MANY:
                    self.errors.append(
                        f"{where}: {name!r} is a many-to-many relationship; a unique rule can "
                        "only name fields and many-to-one or one-to-one relationships"
                    )
                elif isinstance(member, FieldSpec) and member.type in _NOT_UNIQUE_TYPES:
                    self.errors.append(
                        f"{where}: {name!r} is a {member.type} field, which cannot be part of "
                        "a unique rule"
                    )
                else:
                    members.append(member)
            when_true = None
            if rule.when_true is not None:
                flag = self._member(entity, rule.when_true)
                if isinstance(flag, FieldSpec) and flag.type == FieldType.BOOLEAN:
                    when_true = flag.name
                else:
                    self.errors.append(
                        f"{where}: when_true {rule.when_true!r} must be a boolean (yes/no) "
                        f"field of {entity.name}"
                    )
            if len(self.errors) > errors:
                continue
            names = _unique(m.name for m in members)
            if len(names) < len(members):
                self.warn(f"{where}: a field was named twice; it counts once.")
            rule.fields, rule.when_true = names, when_true
            rule.message = _clip(" ".join(rule.message.split()), MAX_RULE_MESSAGE_LENGTH)
            implied = next(
                (
                    m.name
                    for m in members
                    if (isinstance(m, FieldSpec) and m.unique)
                    or (isinstance(m, Relationship) and m.kind == RelationKind.ONE_TO_ONE)
                ),
                None,
            )
            if implied:
                self.warn(
                    f"{where}: {implied!r} is unique on its own, so the rule adds nothing; "
                    "it was dropped."
                )
                continue
            finite = {FieldType.ENUM, FieldType.BOOLEAN}
            if when_true is None and all(
                isinstance(m, FieldSpec) and m.type in finite for m in members
            ):
                # Like a unique enum: a fixed set of values allows a handful of rows at most.
                self.warn(
                    f"{where}: a unique rule over enum and yes/no fields alone allows only a "
                    "few rows; it was dropped."
                )
                continue
            key = (frozenset(names), when_true)
            if key in seen:
                self.warn(
                    f"{where}: the same rule as {entity.name}.unique_together[{seen[key]}]; "
                    "it was dropped."
                )
                continue
            seen[key] = index
            kept.append(rule)
        entity.unique_together = kept

    def _comparisons(self, entity: Entity) -> None:
        kept: list[Comparison] = []
        seen: dict[tuple[str, str, bool], int] = {}
        errors = len(self.errors)
        for index, rule in enumerate(entity.comparisons):
            where = f"{entity.name}.comparisons[{index}]"
            pair = [self._compared_field(entity, where, name) for name in (rule.field, rule.other)]
            first, second = pair
            if first is None or second is None:
                continue
            if first.name == second.name:
                self.errors.append(f"{where}: compares {first.name!r} with itself")
                continue
            if COMPARABLE[first.type] != COMPARABLE[second.type]:
                self.errors.append(
                    f"{where}: {first.name!r} ({first.type}) and {second.name!r} "
                    f"({second.type}) cannot be compared: both must be numbers, or both dates, "
                    "date-times or times"
                )
                continue
            rule.field, rule.other = first.name, second.name
            rule.message = _clip(" ".join(rule.message.split()), MAX_RULE_MESSAGE_LENGTH)
            key = (rule.big, rule.small, rule.strict)
            if key in seen:
                self.warn(
                    f"{where}: the same rule as {entity.name}.comparisons[{seen[key]}]; "
                    "it was dropped."
                )
                continue
            if not can_break(entity, rule):
                self.warn(
                    f"{where}: {rule.field!r} {_OP_WORDS[rule.op]} {rule.other!r} whatever "
                    "values their minimum and maximum allow; the rule was dropped."
                )
                continue
            seen[key] = index
            kept.append(rule)
        entity.comparisons = kept
        if len(self.errors) > errors:
            return
        rules = [inequalities.Above(r.big, r.small, r.strict) for r in kept]
        loop = inequalities.cycle(rules)
        if loop:
            strict = {(r.big, r.small): r.strict for r in rules}
            steps = [
                f"{big} {'>' if strict[big, small] else '>='} " for big, small in pairwise(loop)
            ]
            self.errors.append(
                f"{entity.name}.comparisons: the rules go round in a circle "
                f"({''.join(steps)}{loop[-1]}), so no row could meet them all"
            )
            return
        try:
            comparison_values(entity)
        except inequalities.NoRoom as exc:
            self.errors.append(
                f"{entity.name}.comparisons: no value of {exc.name!r} meets both its own "
                "minimum/maximum and the comparisons"
            )

    def _compared_field(self, entity: Entity, where: str, name: str) -> FieldSpec | None:
        member = self._member(entity, name)
        if member is None:
            self.errors.append(f"{where}: {name!r} is not a field of {entity.name}")
        elif isinstance(member, Relationship):
            self.errors.append(
                f"{where}: {name!r} is a relationship; comparisons are between two fields"
            )
        elif member.type not in COMPARABLE:
            self.errors.append(
                f"{where}: {name!r} is a {member.type} field; only numbers, dates, date-times "
                "and times can be compared"
            )
        else:
            return member
        return None

    # features and pages -------------------------------------------------------------------
    def _features(self) -> None:
        seen: set[tuple[str, str]] = set()
        kept: list[Feature] = []
        for feature in self.spec.features:
            feature.name = _clip(" ".join(feature.name.split()), 120) or feature.category.value
            feature.description = _clip(feature.description.strip(), MAX_TEXT_LENGTH)
            feature.entities = _unique(
                self._known_entities(feature.entities, f"feature {feature.name!r}")
            )
            key = (feature.category.value, feature.name.lower())
            if key in seen:
                continue
            seen.add(key)
            kept.append(feature)
        self.spec.features = kept

    def _pages(self) -> None:
        kept: list[PageSpec] = []
        for page in self.spec.pages:
            page.name = _clip(" ".join(page.name.split()), 120) or page.kind.value
            if page.entity is not None:
                resolved = self._known_entities([page.entity], f"page {page.name!r}")
                if not resolved:
                    continue
                page.entity = resolved[0]
            page.path = _clean_path(page.path)
            kept.append(page)
        self.spec.pages = kept

    def _known_entities(self, names: Iterable[str], owner: str) -> list[str]:
        out = []
        for name in names:
            resolved = self._resolve(name)
            if resolved is None or resolved == USER:
                self.warn(f"{owner} mentions unknown entity {name!r}; it was ignored.")
                continue
            out.append(resolved)
        return out


# --- relationship names ----------------------------------------------------------------------


_PLAIN_USER_LINKS = frozenset({"owner", "author", "user", "created_by"})


def default_link_name(kind: RelationKind, target: str) -> str:
    """The name a relationship gets when it is given none: its target, plural for a
    many-to-many ("tags"), "owner" for a key to the built-in user."""
    if kind == RelationKind.MANY_TO_MANY:
        return naming.to_snake(naming.pluralize(naming.to_label(target)))
    return "owner" if target == USER else naming.to_snake(target)


def default_related_name(rel: Relationship, source: Entity) -> str:
    """The reverse accessor ``rel`` (named already) gets on its target when it is given none."""
    if rel.kind == RelationKind.ONE_TO_ONE:
        return source.snake
    plural = naming.to_snake(source.plural)
    if rel.target in (USER, source.name) and rel.name not in _PLAIN_USER_LINKS:
        return f"{plural}_as_{rel.name}"  # two links to one model need two reverse names
    return plural


# --- comparisons -----------------------------------------------------------------------------

# What can be compared with what: numbers with numbers, and each kind of time with itself.
COMPARABLE = {
    FieldType.INTEGER: "number",
    FieldType.DECIMAL: "number",
    FieldType.FLOAT: "number",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.TIME: "time",
}
_NOT_UNIQUE_TYPES = frozenset({FieldType.JSON, FieldType.FILE, FieldType.IMAGE})
_OP_WORDS = {"gt": "is above", "gte": "is at least", "lt": "is below", "lte": "is at most"}
FLOAT_LIMIT = Fraction(10**300)
# Dates, date-times and times are compared as steps from a common start (days, minutes,
# minutes); a time's steps must stay within one hour, and 60 fields need at most 59 of them.
_STEP_LIMIT = {"date": Fraction(10**6), "datetime": Fraction(10**6), "time": Fraction(59)}


def value_range(field: FieldSpec) -> tuple[Fraction, Fraction]:
    """The lowest and highest value a compared field may take (its bounds, else its type's)."""
    group = COMPARABLE[field.type]
    if group != "number":
        return Fraction(0), _STEP_LIMIT[group]
    if field.type == FieldType.INTEGER:
        limit = Fraction(INTEGER_LIMIT)
    elif field.type == FieldType.DECIMAL:
        places = field.decimal_places or 0
        limit = Fraction(10) ** ((field.max_digits or 12) - places) - Fraction(1, 10**places)
    else:
        limit = FLOAT_LIMIT
    low = -limit if field.min_value is None else max(-limit, Fraction(repr(field.min_value)))
    high = limit if field.max_value is None else min(limit, Fraction(repr(field.max_value)))
    return low, high


def value_step(field: FieldSpec, *, coarse: bool = False) -> Fraction:
    """The grid a field's values lie on: whole numbers, cents, a millionth for floats."""
    if coarse or field.type not in {FieldType.DECIMAL, FieldType.FLOAT}:
        return Fraction(1)
    places = 6 if field.type == FieldType.FLOAT else field.decimal_places or 0
    return Fraction(1, 10**places)


def can_break(entity: Entity, rule: Comparison) -> bool:
    """Whether some pair of values within the two fields' own bounds breaks the rule."""
    big, small = entity.field(rule.big), entity.field(rule.small)
    assert big is not None and small is not None
    lowest = inequalities.up(value_range(big)[0], value_step(big), strict=False)
    highest = inequalities.down(value_range(small)[1], value_step(small), strict=False)
    return lowest <= highest if rule.strict else lowest < highest


def comparison_values(entity: Entity) -> dict[str, Fraction]:
    """Values of an entity's compared fields that meet every comparison and bound.

    Numbers are the values themselves, as round as the bounds allow; dates, date-times and times
    are steps (days, minutes, minutes) from a common start. Raises inequalities.NoRoom when the
    bounds leave no room for the rules.
    """
    names = _unique(name for rule in entity.comparisons for name in (rule.big, rule.small))
    fields = [f for f in entity.fields if f.name in names]
    rules = [inequalities.Above(r.big, r.small, r.strict) for r in entity.comparisons]
    for coarse in (True, False):
        variables = [
            inequalities.Variable(
                name=f.name,
                step=value_step(f, coarse=coarse),
                low=value_range(f)[0],
                high=value_range(f)[1],
                start=Fraction(1 if COMPARABLE[f.type] == "number" else 0),
            )
            for f in fields
        ]
        try:
            return inequalities.lowest(variables, rules)
        except inequalities.NoRoom:
            if not coarse:
                raise
    raise AssertionError("unreachable")


_PATH_PARAMETER = re.compile(r"^<(?:(?:int|str|slug|uuid|path):)?[a-z_][a-z0-9_]*>$")


def _clean_path(path: str) -> str:
    """ "/Order Items/<id>/edit/" -> "/order-items/<id>/edit/": parameters kept verbatim."""
    parts = []
    for part in path.split("/"):
        if _PATH_PARAMETER.match(part.strip()):
            parts.append(part.strip())
        elif naming.to_kebab(part):
            parts.append(naming.to_kebab(part))
    cleaned = "/" + "/".join(parts)
    return cleaned + "/" if parts and path.rstrip().endswith("/") else cleaned


def _guess_display_field(fields: list[FieldSpec]) -> str | None:
    preferred = (
        "name",
        "title",
        "label",
        "full_name",
        "username",
        "code",
        "subject",
        "headline",
        "email",
        "slug",
        "number",
        "sku",
    )
    for wanted in preferred:
        for field in fields:
            if field.name == wanted and field.type in TEXTUAL_TYPES - {FieldType.TEXT}:
                return field.name
    for field in fields:
        if field.type in {FieldType.STRING, FieldType.EMAIL, FieldType.SLUG}:
            return field.name
    return None


def _clamp_default(where: str, number: Any, field: FieldSpec, s: _Sanitiser) -> Any:
    if field.min_value is not None and number < field.min_value:
        raise ValueError(number)
    if field.max_value is not None and number > field.max_value:
        raise ValueError(number)
    return number


def _dedupe(name: str, taken: set[str], make: Any) -> str:
    if name not in taken:
        return name
    n = 2
    while make(name, n) in taken:
        n += 1
    return str(make(name, n))


def _round_up(length: int) -> int:
    for size in (20, 50, 100, 200):
        if length <= size:
            return size
    return length


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
