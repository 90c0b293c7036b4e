"""The rule-based analyzer finds the entities a careful reader lists, across a varied corpus."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.engine.analysis import analyze
from generator.engine.analysis.evaluation import entity_key, score

CORPUS = Path(__file__).parent / "data" / "corpus.yaml"


def _corpus() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def test_corpus_is_large_and_varied() -> None:
    cases = _corpus()
    assert len(cases) >= 45
    assert len({c["id"] for c in cases}) == len(cases)
    assert sum(1 for c in cases if not c["entities"]) >= 3
    assert all(entity_key(n) != "user" for c in cases for n in c["entities"])


def test_entity_precision_and_recall_on_the_corpus() -> None:
    # Given the corpus, when every text is analysed, then entities match the hand-made lists.
    scores = score(_corpus(), analyze)
    report = "\n".join(f"{i}: missed {sorted(m)} extra {sorted(x)}" for i, m, x in scores.misses)
    assert scores.precision >= 0.90, report
    assert scores.recall >= 0.90, report


def test_takoss_examples_are_in_the_corpus_verbatim() -> None:
    texts = {c["id"]: " ".join(c["text"].split()) for c in _corpus()}
    assert texts["takoss-blog"].startswith("Create a blog application with user authentication")
    assert texts["takoss-tasks"].startswith("A task manager for small teams.")
    assert texts["takoss-store"].startswith("Build an online store.")
