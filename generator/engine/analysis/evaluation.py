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
from pathlib import Path
from typing import Any

import yaml

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
    relationships: Scores = field(default_factory=Scores)
    roles: Scores = field(default_factory=Scores)
    by_genre: dict[str, Evaluation] = field(default_factory=dict)
    confidence: list[tuple[float, float]] = field(default_factory=list)  # (confidence, entity F1)


_RELATION = re.compile(r"^\s*(.+?)\s+(->|1-1|\*-\*)\s+(.+?)\s*$")
_KINDS = {"->": "many_to_one", "1-1": "one_to_one", "*-*": "many_to_many"}


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Cases of one corpus file; a case naming a ``file`` reads its text from backlogs/."""
    cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for case in cases:
        if "file" in case and "text" not in case:
            case["text"] = (path.parent / "backlogs" / case["file"]).read_text(encoding="utf-8")
    return cases


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
    """Micro-averaged entity, field, relationship and role scores over every case, overall and
    per genre."""
    total = Evaluation(Scores(), FieldScores(), 0)
    for case in cases:
        spec = _run(analyzer, case["text"])
        one = Evaluation(Scores(), FieldScores(), 0)
        _score_case(case, spec, one)
        genre = str(case.get("genre", "prose"))
        part = total.by_genre.setdefault(genre, Evaluation(Scores(), FieldScores(), 0))
        for target in (total, part):
            _add(target, one)
        total.confidence.append((spec.confidence, one.entities.f1))
    return total


def _run(analyzer: Callable[[str], AppSpec], text: str) -> AppSpec:
    """The analyzer's spec; text it refuses counts as an empty model."""
    try:
        return analyzer(text)
    except ValueError:
        return AppSpec(name="Refused", confidence=0.0)


def _add(into: Evaluation, one: Evaluation) -> None:
    into.texts += 1
    for name in ("entities", "fields", "relationships", "roles"):
        mine, theirs = getattr(into, name), getattr(one, name)
        mine.correct += theirs.correct
        mine.produced += theirs.produced
        mine.expected += theirs.expected
        mine.misses += theirs.misses
    into.fields.typed += one.fields.typed
    into.fields.wrong_types += one.fields.wrong_types


def _score_case(case: Mapping[str, Any], spec: AppSpec, out: Evaluation) -> None:
    case_id = str(case["id"])
    produced = _entities_by_key(spec)
    alternatives = [_alternatives(n) for n in case["entities"]]
    _score_entities(case_id, alternatives, set(produced), out.entities)
    for name, expected in (case.get("fields") or {}).items():
        entity = next((produced[k] for k in sorted(_alternatives(name)) if k in produced), None)
        got = _produced_fields(spec, entity) if entity is not None else {}
        _score_fields(f"{case_id}/{name}", expected or {}, got, out.fields)
    if "relationships" in case or len(case["entities"]) > 1:
        _score_relationships(case_id, case.get("relationships") or [], spec, out.relationships)
    if "roles" in case:
        roles = {entity_key(r.name) for r in getattr(spec, "roles", [])}
        _score_entities(case_id, [_alternatives(r) for r in case["roles"]], roles, out.roles)


def _alternatives(name: str) -> set[str]:
    return {entity_key(n) for n in str(name).split("|") if n.strip()}


def _score_entities(case_id: str, wanted: list[set[str]], got: set[str], scores: Scores) -> None:
    unmatched = set(got)
    missed: set[str] = set()
    for options in wanted:
        hit = sorted(options & unmatched)
        if hit:
            unmatched.discard(hit[0])
            scores.correct += 1
        else:
            missed.add(sorted(options)[0])
    scores.produced += len(got)
    scores.expected += len(wanted)
    if missed or unmatched:
        scores.misses.append((case_id, missed, unmatched))


def _score_relationships(case_id: str, expected: list[str], spec: AppSpec,
                         scores: Scores) -> None:  # fmt: skip
    names = {e.name: k for k, e in _entities_by_key(spec).items()}
    names["User"] = "user"
    got = [(r.kind.value, names.get(r.source, entity_key(r.source)),
            names.get(r.target, entity_key(r.target))) for r in spec.relationships]  # fmt: skip
    unmatched = list(got)
    missed: set[str] = set()
    for text in expected:
        match = _RELATION.match(str(text))
        if match is None:
            raise ValueError(f"{case_id}: cannot read relationship {text!r}")
        kind = _KINDS[match.group(2)]
        sources, targets = _alternatives(match.group(1)), _alternatives(match.group(3))
        found = next((g for g in unmatched if g[0] == kind and (
            (g[1] in sources and g[2] in targets) or
            (kind == "many_to_many" and g[2] in sources and g[1] in targets))), None)  # fmt: skip
        if found is None:
            missed.add(str(text))
        else:
            unmatched.remove(found)
            scores.correct += 1
    scores.produced += len(got)
    scores.expected += len(expected)
    if missed or unmatched:
        extra = {f"{s} {'->' if k == 'many_to_one' else k} {t}" for k, s, t in unmatched}
        scores.misses.append((case_id, missed, extra))


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
