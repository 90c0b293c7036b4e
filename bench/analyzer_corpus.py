"""Entity precision, recall and F1 of the rule-based analyzer over the test corpus.

Run: PYTHONPATH=. .venv/bin/python bench/analyzer_corpus.py
Prints the micro-averaged figures for the tuning corpus (corpus.yaml, which the test checks) and
for the held-out texts (holdout.yaml, never tuned on), then each text where the analyzer missed
an expected entity or produced an unexpected one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.engine.analysis import analyze
from generator.engine.analysis.evaluation import score

DATA = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data"


def report(filename: str) -> None:
    corpus = yaml.safe_load((DATA / filename).read_text(encoding="utf-8"))
    scores = score(corpus, analyze)
    print(f"== {filename}")
    print(
        f"texts: {len(corpus)}  expected: {scores.expected}  produced: {scores.produced}  "
        f"correct: {scores.correct}"
    )
    print(f"precision: {scores.precision:.3f}  recall: {scores.recall:.3f}  F1: {scores.f1:.3f}")
    for text_id, missed, extra in scores.misses:
        print(f"  {text_id}: missed {sorted(missed) or '-'}  extra {sorted(extra) or '-'}")


def main() -> None:
    report("corpus.yaml")
    report("holdout.yaml")


if __name__ == "__main__":
    main()
