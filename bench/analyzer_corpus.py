"""Entity precision, recall and F1 of the rule-based analyzer over the test corpus.

Run: PYTHONPATH=. .venv/bin/python bench/analyzer_corpus.py
Prints the micro-averaged figures, then each text where the analyzer missed an expected entity
or produced an unexpected one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.engine.analysis import analyze
from generator.engine.analysis.evaluation import score

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data" / "corpus.yaml"


def main() -> None:
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    scores = score(corpus, analyze)
    print(
        f"texts: {len(corpus)}  expected: {scores.expected}  produced: {scores.produced}  "
        f"correct: {scores.correct}"
    )
    print(
        f"precision: {scores.precision:.3f}  recall: {scores.recall:.3f}  F1: {scores.f1:.3f}"
    )
    for text_id, missed, extra in scores.misses:
        print(f"  {text_id}: missed {sorted(missed) or '-'}  extra {sorted(extra) or '-'}")


if __name__ == "__main__":
    main()
