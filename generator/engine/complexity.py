"""How big an app is: Takoss's complexity estimate for an AppSpec.

Five sub-scores, each 0-100 and each the capped sum of simple, documented weights:

- **entities**: 8 per entity + 1 per field;
- **relationships**: 6 per many-to-one or one-to-one, 10 per many-to-many;
- **business logic**: a weight per feature category (authorization 15, realtime 15,
  notifications 10, reporting 10, analytics 10, authentication 5, search 5, "other" 5,
  filtering 3, sorting 2, pagination 2, crud and file-upload 0) + 3 per enum field
  + 1 per validated field (unique, minimum or maximum);
- **integration**: file upload 20 (a file-upload feature or any file/image field),
  notifications 20, realtime 25, payments-like features 30 (payment, checkout, billing,
  invoice, subscription, stripe, paypal), other external services 15 each (webhook, sms, oauth,
  map, third-party API...);
- **UI**: 2 per page; when the spec lists no pages, the stack's default of 4 pages per entity
  (list, detail, form, delete) + a home page.

The total is the weighted mean ``0.30 entities + 0.20 relationships + 0.20 business logic
+ 0.15 integration + 0.15 UI``, rounded to one decimal. At :data:`DECOMPOSITION_THRESHOLD` (60)
or above the recommendation is "needs-decomposition": roughly a dozen related entities plus
several cross-cutting features, more than one reviewable change should hold. The estimate is
advice shown to the user; the pipeline still generates the whole spec in one run.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from generator.engine.spec import USER, AppSpec, FeatureCategory, FieldType, RelationKind

DECOMPOSITION_THRESHOLD = 60.0
ATOMIC = "atomic"
NEEDS_DECOMPOSITION = "needs-decomposition"
MAX_ENTITIES_PER_SUBTASK = 5

WEIGHTS = {
    "entities": 0.30,
    "relationships": 0.20,
    "business_logic": 0.20,
    "integration": 0.15,
    "ui": 0.15,
}

ENTITY_POINTS = 8
FIELD_POINTS = 1
RELATION_POINTS = {
    RelationKind.MANY_TO_ONE: 6,
    RelationKind.ONE_TO_ONE: 6,
    RelationKind.MANY_TO_MANY: 10,
}
FEATURE_LOGIC_POINTS = {
    FeatureCategory.AUTHORIZATION: 15,
    FeatureCategory.REALTIME: 15,
    FeatureCategory.NOTIFICATIONS: 10,
    FeatureCategory.REPORTING: 10,
    FeatureCategory.ANALYTICS: 10,
    FeatureCategory.AUTHENTICATION: 5,
    FeatureCategory.SEARCH: 5,
    FeatureCategory.OTHER: 5,
    FeatureCategory.FILTERING: 3,
    FeatureCategory.SORTING: 2,
    FeatureCategory.PAGINATION: 2,
    FeatureCategory.CRUD: 0,
    FeatureCategory.FILE_UPLOAD: 0,
}
ENUM_POINTS = 3
VALIDATION_POINTS = 1
FILE_UPLOAD_POINTS = 20
NOTIFICATION_POINTS = 20
REALTIME_POINTS = 25
PAYMENT_POINTS = 30
EXTERNAL_SERVICE_POINTS = 15
PAGE_POINTS = 2
DEFAULT_PAGES_PER_ENTITY = 4

_PAYMENT = re.compile(
    r"\b(payments?|pay|checkout|billing|invoic\w*|subscriptions?|stripe|paypal)\b", re.IGNORECASE
)
_EXTERNAL = re.compile(
    r"\b(webhooks?|sms|oauth|maps?|geolocation|third[- ]party|external api"
    r"|integrations?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Subtask:
    title: str
    kind: str  # "entities" | "feature"
    entities: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "kind": self.kind, "entities": list(self.entities)}


@dataclass(frozen=True, slots=True)
class ComplexityScores:
    entities: int
    relationships: int
    business_logic: int
    integration: int
    ui: int


@dataclass(frozen=True, slots=True)
class Complexity:
    scores: ComplexityScores
    total: float
    recommendation: str
    reasoning: tuple[str, ...]
    subtasks: tuple[Subtask, ...] = ()

    @property
    def level(self) -> str:
        if self.total < 30:
            return "low"
        return "medium" if self.total < DECOMPOSITION_THRESHOLD else "high"

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": asdict(self.scores),
            "total": self.total,
            "level": self.level,
            "recommendation": self.recommendation,
            "threshold": DECOMPOSITION_THRESHOLD,
            "reasoning": list(self.reasoning),
            "subtasks": [s.to_dict() for s in self.subtasks],
        }


def estimate(spec: AppSpec) -> Complexity:
    """Score ``spec``; pure and deterministic."""
    scores = ComplexityScores(
        entities=_entity_score(spec),
        relationships=_relationship_score(spec),
        business_logic=_logic_score(spec),
        integration=_integration_score(spec),
        ui=_ui_score(spec),
    )
    total = round(sum(getattr(scores, key) * weight for key, weight in WEIGHTS.items()), 1)
    decompose = total >= DECOMPOSITION_THRESHOLD
    return Complexity(
        scores=scores,
        total=total,
        recommendation=NEEDS_DECOMPOSITION if decompose else ATOMIC,
        reasoning=tuple(_reasoning(spec, scores, total)),
        subtasks=tuple(_subtasks(spec)) if decompose else (),
    )


def _cap(points: float) -> int:
    return int(min(100, round(points)))


def _fields(spec: AppSpec) -> list[Any]:
    return [f for e in spec.entities for f in e.fields]


def _entity_score(spec: AppSpec) -> int:
    return _cap(ENTITY_POINTS * len(spec.entities) + FIELD_POINTS * len(_fields(spec)))


def _relationship_score(spec: AppSpec) -> int:
    return _cap(sum(RELATION_POINTS[r.kind] for r in spec.relationships))


def _logic_score(spec: AppSpec) -> int:
    features = sum(FEATURE_LOGIC_POINTS[f.category] for f in spec.features)
    fields = _fields(spec)
    enums = sum(1 for f in fields if f.type == FieldType.ENUM)
    validated = sum(1 for f in fields if _is_validated(f))
    return _cap(features + ENUM_POINTS * enums + VALIDATION_POINTS * validated)


def _is_validated(field: Any) -> bool:
    return bool(field.unique or field.min_value is not None or field.max_value is not None)


def _feature_text(feature: Any) -> str:
    return f"{feature.name} {feature.description}"


def _integration_score(spec: AppSpec) -> int:
    points = 0
    file_fields = any(f.type in {FieldType.FILE, FieldType.IMAGE} for f in _fields(spec))
    if file_fields or spec.has_feature(FeatureCategory.FILE_UPLOAD):
        points += FILE_UPLOAD_POINTS
    if spec.has_feature(FeatureCategory.NOTIFICATIONS):
        points += NOTIFICATION_POINTS
    if spec.has_feature(FeatureCategory.REALTIME):
        points += REALTIME_POINTS
    if any(_PAYMENT.search(_feature_text(f)) for f in spec.features):
        points += PAYMENT_POINTS
    points += EXTERNAL_SERVICE_POINTS * sum(
        1 for f in spec.features if _EXTERNAL.search(_feature_text(f))
    )
    return _cap(points)


def page_count(spec: AppSpec) -> int:
    """Pages the app will have: the listed ones, or the stack's default set."""
    if spec.pages:
        return len(spec.pages)
    return DEFAULT_PAGES_PER_ENTITY * len(spec.entities) + 1


def _ui_score(spec: AppSpec) -> int:
    return _cap(PAGE_POINTS * page_count(spec))


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _reasoning(spec: AppSpec, scores: ComplexityScores, total: float) -> list[str]:
    fields = len(_fields(spec))
    lines = [
        f"{_count(len(spec.entities), 'entity', 'entities')} with "
        f"{_count(fields, 'field', 'fields')}: entity score {scores.entities}.",
        f"{_count(len(spec.relationships), 'relationship', 'relationships')}: relationship "
        f"score {scores.relationships}.",
        f"{_count(len(spec.features), 'feature', 'features')}, enums and validations: "
        f"business-logic score {scores.business_logic}.",
        f"File uploads, notifications, realtime, payments and external services: integration "
        f"score {scores.integration}.",
        f"{_count(page_count(spec), 'page', 'pages')}: UI score {scores.ui}.",
    ]
    if total >= DECOMPOSITION_THRESHOLD:
        lines.append(
            f"Total {total} is at or above {DECOMPOSITION_THRESHOLD:g}: split the work "
            f"into the subtasks below."
        )
    else:
        lines.append(
            f"Total {total} is below {DECOMPOSITION_THRESHOLD:g}: one generation can hold it."
        )
    return lines


def _entity_groups(spec: AppSpec) -> list[list[str]]:
    """Entities joined by relationships (connected components), in spec order."""
    parent = {e.name: e.name for e in spec.entities}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for rel in spec.relationships:
        if rel.target != USER and rel.target in parent and rel.source in parent:
            parent[find(rel.source)] = find(rel.target)
    groups: dict[str, list[str]] = {}
    for entity in spec.entities:
        groups.setdefault(find(entity.name), []).append(entity.name)
    return list(groups.values())


def _subtasks(spec: AppSpec) -> list[Subtask]:
    tasks: list[Subtask] = []
    for group in _entity_groups(spec):
        for start in range(0, len(group), MAX_ENTITIES_PER_SUBTASK):
            chunk = tuple(group[start : start + MAX_ENTITIES_PER_SUBTASK])
            tasks.append(
                Subtask(
                    title=f"Data model and CRUD for {', '.join(chunk)}",
                    kind="entities",
                    entities=chunk,
                )
            )
    for feature in spec.features:
        if feature.category in {FeatureCategory.CRUD}:
            continue
        tasks.append(
            Subtask(
                title=f"{feature.name} ({feature.category.value})",
                kind="feature",
                entities=tuple(feature.entities),
            )
        )
    return tasks
