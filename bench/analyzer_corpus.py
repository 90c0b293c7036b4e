"""Entity and field precision/recall of the rule-based analyzer over the annotated texts.

Run: PYTHONPATH=. .venv/bin/python bench/analyzer_corpus.py
Prints the micro-averaged figures for the tuning corpus (corpus.yaml, which the test checks), for
the development sets (holdout.yaml and holdout2.yaml, looked at while improving the rules) and for
holdout3.yaml, held out and never tuned on, then each text where the analyzer missed an expected
entity or field, produced an unexpected one, or typed a field differently from the annotation.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.engine.analysis import analyze
from generator.engine.analysis.evaluation import evaluate

DATA = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data"
FILES = {
    "corpus.yaml": "tuning",
    "holdout.yaml": "development",
    "holdout2.yaml": "development",
    "holdout3.yaml": "held-out (never tuned)",
}


def report(filename: str, role: str) -> None:
    corpus = yaml.safe_load((DATA / filename).read_text(encoding="utf-8"))
    result = evaluate(corpus, analyze)
    entities, fields = result.entities, result.fields
    print(f"== {filename}: {role} ({result.texts} texts)")
    print(
        f"entities  expected: {entities.expected}  produced: {entities.produced}  "
        f"correct: {entities.correct}  precision: {entities.precision:.3f}  "
        f"recall: {entities.recall:.3f}  F1: {entities.f1:.3f}"
    )
    print(
        f"fields    expected: {fields.expected}  produced: {fields.produced}  "
        f"correct: {fields.correct}  precision: {fields.precision:.3f}  "
        f"recall: {fields.recall:.3f}  type accuracy: {fields.type_accuracy:.3f}"
    )
    for text_id, missed, extra in entities.misses:
        print(f"  entity {text_id}: missed {sorted(missed) or '-'}  extra {sorted(extra) or '-'}")
    for where, missed, extra in fields.misses:
        print(f"  fields {where}: missed {sorted(missed) or '-'}  extra {sorted(extra) or '-'}")
    for where, name, got, want in fields.wrong_types:
        print(f"  type   {where}.{name}: {got}, expected {want}")


def main() -> None:
    for filename, role in FILES.items():
        if (DATA / filename).exists():
            report(filename, role)


if __name__ == "__main__":
    main()
