"""Score an analyzer's entities and fields against a corpus of hand-annotated texts.

Used by the corpus test and bench/analyzer_corpus.py, and meant for any analyzer that returns an
AppSpec (an LLM analyzer can be measured the same way). Each case has an "id", a "text", the
"entities" a careful reader lists and, optionally, "fields": ``{Entity: {name: type}}`` for the
entities whose attributes the text describes. A name or a type may list accepted alternatives
with "|" ("duration_minutes|duration: integer", "weight: float|decimal").

Entity names are compared case-insensitively after singularising; field names after
snake-casing. Names the AppSpec renamed for safety ("Class" -> "ClassItem", "type" ->
"type_value") count under the name the text gave them. Relationships are not fields: a case lists
only stored values. Fields of an expected entity the analyzer missed count as missed; fields of
entities a case does not annotate are not scored. Reading the corpus file is left to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.engine import naming
from generator.engine.spec import AppSpec, Entity

_RENAMED_ENTITY = re.compile(r"^Entity '([^']+)' is .*; renamed to '([^']+)'\.$")
_RENAMED_FIELD = re.compile(r"^(\w+): field '([^']+)' is .*; renamed to '([^']+)'\.$")


@dataclass
class Scores:
    correct: int = 0
    produced: int = 0
    expected: int = 0
    misses: list[tuple[str, set[str], set[str]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.produced if self.produced else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass
class FieldScores(Scores):
    """Field names matched per entity; ``typed`` counts matched names with an accepted type."""

    typed: int = 0
    wrong_types: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def type_accuracy(self) -> float:
        return self.typed / self.correct if self.correct else 1.0


@dataclass
class Evaluation:
    entities: Scores
    fields: FieldScores
    texts: int


def entity_key(name: str) -> str:
    return naming.to_snake(naming.singularize(naming.to_label(name)))


def produced_keys(spec: AppSpec) -> set[str]:
    """Entity keys of a spec, undoing the spec's own safety renames."""
    return set(_entities_by_key(spec))


def _entities_by_key(spec: AppSpec) -> dict[str, Entity]:
    original = {}
    for warning in spec.warnings:
        match = _RENAMED_ENTITY.match(warning)
        if match:
            original[match.group(2)] = match.group(1)
    return {entity_key(original.get(e.name, e.name)): e for e in spec.entities}


def _produced_fields(spec: AppSpec, entity: Entity) -> dict[str, str]:
    """Field name -> type of one entity, undoing the spec's field renames."""
    original = {}
    for warning in spec.warnings:
        match = _RENAMED_FIELD.match(warning)
        if match and match.group(1) == entity.name:
            original[match.group(3)] = match.group(2)
    return {naming.to_snake(original.get(f.name, f.name)): f.type.value for f in entity.fields}


def score(cases: Iterable[Mapping[str, Any]], analyzer: Callable[[str], AppSpec]) -> Scores:
    """Micro-averaged entity scores."""
    return evaluate(cases, analyzer).entities


def evaluate(cases: Iterable[Mapping[str, Any]], analyzer: Callable[[str], AppSpec]) -> Evaluation:
    """Micro-averaged entity and field scores over every case."""
    entities, fields, texts = Scores(), FieldScores(), 0
    for case in cases:
        texts += 1
        spec = analyzer(case["text"])
        produced = _entities_by_key(spec)
        _score_entities(str(case["id"]), case["entities"], set(produced), entities)
        for name, expected in (case.get("fields") or {}).items():
            entity = produced.get(entity_key(name))
            got = _produced_fields(spec, entity) if entity is not None else {}
            _score_fields(f"{case['id']}/{name}", expected or {}, got, fields)
    return Evaluation(entities, fields, texts)


def _score_entities(case_id: str, names: Iterable[str], got: set[str], scores: Scores) -> None:
    want = {entity_key(n) for n in names}
    scores.correct += len(want & got)
    scores.produced += len(got)
    scores.expected += len(want)
    if want != got:
        scores.misses.append((case_id, want - got, got - want))


def _score_fields(where: str, expected: Mapping[str, str], got: dict[str, str],
                  scores: FieldScores) -> None:  # fmt: skip
    unmatched = dict(got)
    missed: set[str] = set()
    for names, types in expected.items():
        accepted = [naming.to_snake(n) for n in str(names).split("|")]
        name = next((n for n in accepted if n in unmatched), None)
        if name is None:
            missed.add(accepted[0])
            continue
        kind = unmatched.pop(name)
        scores.correct += 1
        if kind in str(types).split("|"):
            scores.typed += 1
        else:
            scores.wrong_types.append((where, name, kind, str(types)))
    scores.expected += len(expected)
    scores.produced += len(got)
    if missed or unmatched:
        scores.misses.append((where, missed, set(unmatched)))
