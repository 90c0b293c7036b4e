"""Score an analyzer's entities against a corpus of texts with hand-listed entity names.

Used by the corpus test and bench/analyzer_corpus.py, and meant for any analyzer that returns an
AppSpec (an LLM analyzer can be measured the same way). Names are compared case-insensitively
after singularising; an entity the AppSpec renamed for safety ("Class" -> "ClassItem") counts
under the name the text gave it. Reading the corpus file is left to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.engine import naming
from generator.engine.spec import AppSpec

_RENAMED = re.compile(r"^Entity '([^']+)' is .*; renamed to '([^']+)'\.$")


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


def entity_key(name: str) -> str:
    return naming.to_snake(naming.singularize(naming.to_label(name)))


def produced_keys(spec: AppSpec) -> set[str]:
    """Entity keys of a spec, undoing the spec's own safety renames."""
    original = {}
    for warning in spec.warnings:
        match = _RENAMED.match(warning)
        if match:
            original[match.group(2)] = match.group(1)
    return {entity_key(original.get(e.name, e.name)) for e in spec.entities}


def score(cases: Iterable[Mapping[str, Any]], analyzer: Callable[[str], AppSpec]) -> Scores:
    """Micro-averaged scores; each case has "id", "text" and "entities"."""
    scores = Scores()
    for case in cases:
        want = {entity_key(n) for n in case["entities"]}
        got = produced_keys(analyzer(case["text"]))
        scores.correct += len(want & got)
        scores.produced += len(got)
        scores.expected += len(want)
        if want != got:
            scores.misses.append((str(case["id"]), want - got, got - want))
    return scores
