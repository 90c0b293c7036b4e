"""The complexity estimate: hand-computed scores for three specs of growing size."""

from __future__ import annotations

import pytest

from generator.engine.complexity import ATOMIC, NEEDS_DECOMPOSITION, estimate
from generator.engine.spec import (
    AppSpec,
    Choice,
    Entity,
    Feature,
    FeatureCategory,
    FieldSpec,
    FieldType,
    PageSpec,
    RelationKind,
    Relationship,
)


def test_small_spec_is_atomic(small_spec: AppSpec) -> None:
    # 2 entities, 3 fields -> 16 + 3 = 19; no relationships, features, enums or validations;
    # no pages listed -> 4 * 2 + 1 = 9 default pages -> 18.
    c = estimate(small_spec)

    assert (
        c.scores.entities,
        c.scores.relationships,
        c.scores.business_logic,
        c.scores.integration,
        c.scores.ui,
    ) == (19, 0, 0, 0, 18)
    assert c.total == 8.4  # 0.30 * 19 + 0.15 * 18
    assert c.recommendation == ATOMIC
    assert c.level == "low"
    assert c.subtasks == ()


def _project_spec() -> AppSpec:
    return AppSpec(
        name="Projects",
        entities=[
            Entity(
                name="Project",
                fields=[
                    FieldSpec(name="name"),
                    FieldSpec(
                        name="status",
                        type=FieldType.ENUM,
                        choices=[Choice(value="open"), Choice(value="closed")],
                    ),
                    FieldSpec(name="budget", type=FieldType.DECIMAL, min_value=0),
                ],
            ),
            Entity(
                name="Task",
                fields=[
                    FieldSpec(name="title"),
                    FieldSpec(
                        name="priority",
                        type=FieldType.ENUM,
                        choices=[Choice(value="low"), Choice(value="high")],
                    ),
                    FieldSpec(name="attachment", type=FieldType.FILE, required=False),
                    FieldSpec(name="estimate", type=FieldType.INTEGER, min_value=1, max_value=100),
                ],
            ),
            Entity(name="Tag", fields=[FieldSpec(name="name", unique=True)]),
        ],
        relationships=[
            Relationship(source="Task", target="Project"),
            Relationship(source="Task", target="Tag", kind=RelationKind.MANY_TO_MANY),
            Relationship(source="Project", target="User"),
        ],
        features=[
            Feature(name="Role-based permissions", category=FeatureCategory.AUTHORIZATION),
            Feature(name="Email reminders", category=FeatureCategory.NOTIFICATIONS),
            Feature(name="Live updates", category=FeatureCategory.REALTIME),
            Feature(name="Monthly report", category=FeatureCategory.REPORTING),
            Feature(name="Stripe payments", category=FeatureCategory.OTHER),
            Feature(name="Webhook integration", category=FeatureCategory.OTHER),
        ],
        pages=[PageSpec(name=f"Page {n}") for n in range(5)],
    )


def test_every_sub_score_by_hand() -> None:
    c = estimate(_project_spec())

    # entities: 3 * 8 + 8 fields = 32
    assert c.scores.entities == 32
    # relationships: 2 many-to-one * 6 + 1 many-to-many * 10 = 22
    assert c.scores.relationships == 22
    # logic: authorization 15 + notifications 10 + realtime 15 + reporting 10 + 2 "other" * 5
    # + authentication 5 (added because projects belong to users) = 65;
    # 2 enums * 3 = 6; 3 validated fields (budget min, estimate min/max, unique tag name) = 3
    assert c.scores.business_logic == 74
    # integration: file field 20 + notifications 20 + realtime 25 + payments 30 + webhook 15
    # = 110, capped at 100
    assert c.scores.integration == 100
    # UI: 5 listed pages * 2
    assert c.scores.ui == 10
    # 0.30 * 32 + 0.20 * 22 + 0.20 * 74 + 0.15 * 100 + 0.15 * 10
    assert c.total == 45.3
    assert c.recommendation == ATOMIC
    assert c.level == "medium"


def _big_spec() -> AppSpec:
    entities = [
        Entity(name=f"Thing{chr(65 + i)}", fields=[FieldSpec(name=f"f{n}") for n in range(5)])
        for i in range(12)
    ]
    # two separate chains of six entities each: A-B-C-D-E-F and G-H-I-J-K-L
    relationships = [
        Relationship(source=entities[i + 1].name, target=entities[i].name)
        for i in range(11)
        if i != 5
    ]
    features = [
        Feature(name="Permissions", category=FeatureCategory.AUTHORIZATION),
        Feature(name="Alerts", category=FeatureCategory.NOTIFICATIONS),
        Feature(name="Live board", category=FeatureCategory.REALTIME),
        Feature(name="Reports", category=FeatureCategory.REPORTING),
        Feature(name="Manage records", category=FeatureCategory.CRUD),
    ]
    return AppSpec(name="Big", entities=entities, relationships=relationships, features=features)


def test_big_spec_needs_decomposition_with_subtasks() -> None:
    c = estimate(_big_spec())

    # entities 12 * 8 + 60 = 156 -> 100; relationships 10 * 6 = 60; logic 15 + 10 + 15 + 10
    # = 50; integration notifications 20 + realtime 25 = 45; UI 12 * 4 + 1 = 49 pages -> 98
    assert (
        c.scores.entities,
        c.scores.relationships,
        c.scores.business_logic,
        c.scores.integration,
        c.scores.ui,
    ) == (100, 60, 50, 45, 98)
    # 30 + 12 + 10 + 6.75 + 14.7
    assert c.total == pytest.approx(73.45, abs=0.06)
    assert c.recommendation == NEEDS_DECOMPOSITION
    assert c.level == "high"
    # each chain of six becomes a subtask of five and one of one; CRUD gets no subtask
    entity_tasks = [t for t in c.subtasks if t.kind == "entities"]
    assert [len(t.entities) for t in entity_tasks] == [5, 1, 5, 1]
    assert entity_tasks[0].entities == ("ThingA", "ThingB", "ThingC", "ThingD", "ThingE")
    feature_tasks = [t.title for t in c.subtasks if t.kind == "feature"]
    assert feature_tasks == [
        "Permissions (authorization)",
        "Alerts (notifications)",
        "Live board (realtime)",
        "Reports (reporting)",
    ]
    assert any("at or above 60" in line for line in c.reasoning)


def test_to_dict_is_plain_data() -> None:
    data = estimate(_big_spec()).to_dict()

    assert data["recommendation"] == "needs-decomposition"
    assert data["threshold"] == 60.0
    assert set(data["scores"]) == {
        "entities",
        "relationships",
        "business_logic",
        "integration",
        "ui",
    }
    assert data["subtasks"][0]["entities"] == ["ThingA", "ThingB", "ThingC", "ThingD", "ThingE"]
    assert len(data["reasoning"]) == 6


def test_the_reasoning_counts_in_words_that_agree_with_the_number() -> None:
    spec = AppSpec.from_data({"name": "One", "entities": [{"name": "Task", "fields": [
        {"name": "title", "type": "string"}]}], "features": [{"name": "Search",
        "category": "search", "description": "Find tasks."}]})  # fmt: skip
    lines = estimate(spec).reasoning
    assert lines[0].startswith("1 entity with 1 field:")
    assert lines[2].startswith("1 feature, enums")
    assert not any(" 1 features" in line or line.startswith("1 features") for line in lines)
