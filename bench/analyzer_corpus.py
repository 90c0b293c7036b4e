"""Accuracy of the offline analyzer on the annotated corpora, holdout first.

Run: PYTHONPATH=. .venv/bin/python bench/analyzer_corpus.py [--misses] [TITLE-PART | FILE.yaml]
With --calibrate, fits the confidence weights (modelling.CALIBRATION) on the development sets.
Prints, per corpus and per genre, precision / recall / F1 of entities, relationships (kind and
direction count) and fields, then how the reported confidence tracks the measured entity F1.
With --misses, every text where something was missed or extra. The files and their roles are
described in tests/engine/data/README.md: frozen.yaml and the holdout backlogs were never tuned on.
"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import correlation, mean

from generator.engine.analysis import AnalysisError, analyze, confidence_signals
from generator.engine.analysis.evaluation import Evaluation, Scores, evaluate, load_cases

DATA = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data"


def corpora() -> list[tuple[str, list[dict]]]:
    backlogs = load_cases(DATA / "backlogs.yaml")
    development = []
    for name in (
        "corpus.yaml",
        "holdout.yaml",
        "holdout2.yaml",
        "holdout3.yaml",
        "dev.yaml",
        "dev2.yaml",
        "dev3.yaml",
        "dev4.yaml",
    ):
        if (DATA / name).exists():
            development += load_cases(DATA / name)
    return [
        ("HOLDOUT frozen.yaml (never tuned)", load_cases(DATA / "frozen.yaml")),
        ("HOLDOUT backlogs (never tuned)", [c for c in backlogs if c["split"] == "holdout"]),
        ("development texts", development),
        ("development backlogs", [c for c in backlogs if c["split"] == "dev"]),
    ]


def line(label: str, s: Scores) -> str:
    return (f"{label:<14} P {s.precision:.2f}  R {s.recall:.2f}  F1 {s.f1:.2f}  "
            f"({s.correct}/{s.produced} produced, {s.expected} expected)")  # fmt: skip


def report(title: str, result: Evaluation, *, misses: bool) -> None:
    print(f"== {title}: {result.texts} texts")
    print(line("  entities", result.entities))
    print(line("  relationships", result.relationships))
    print(line("  fields", result.fields) + f"  types {result.fields.type_accuracy:.2f}")
    if result.roles.expected:
        print(line("  roles", result.roles))
    if len(result.by_genre) > 1:
        for genre, part in sorted(result.by_genre.items()):
            print(f"  [{genre}, {part.texts} texts]")
            print(line("    entities", part.entities))
            print(line("    relations", part.relationships))
            print(line("    fields", part.fields))
    calibration(result)
    if misses:
        for kind, scores in (("entity", result.entities), ("relation", result.relationships),
                             ("field", result.fields)):  # fmt: skip
            for where, missed, extra in scores.misses:
                print(f"    {kind} {where}: missed {sorted(missed) or '-'} "
                      f"extra {sorted(extra) or '-'}")  # fmt: skip


def calibration(result: Evaluation) -> None:
    """How the reported confidence tracks the measured entity F1: mean F1 per confidence band,
    the mean absolute gap, and the correlation."""
    pairs = [(c, f1) for c, f1 in result.confidence if c > 0.1]  # refused texts say 0.0
    if not pairs:
        return
    bands: dict[str, list[tuple[float, float]]] = {}
    for confidence, f1 in pairs:
        band = "< 0.5" if confidence < 0.5 else "0.5-0.7" if confidence < 0.7 else ">= 0.7"
        bands.setdefault(band, []).append((confidence, f1))
    parts = [
        f"{band}: {len(v)} texts, said {mean(c for c, _ in v):.2f}, "
        f"measured {mean(f for _, f in v):.2f}"
        for band, v in sorted(bands.items())
    ]
    gap = mean(abs(c - f) for c, f in pairs)
    both = len({c for c, _ in pairs}) > 1 and len({f for _, f in pairs}) > 1
    corr = correlation([c for c, _ in pairs], [f for _, f in pairs]) if both else float("nan")
    print(f"  confidence vs entity F1: mean gap {gap:.2f}, correlation {corr:.2f}")
    print("    " + "; ".join(parts))


def calibrate(cases: list[dict]) -> None:
    """Least-squares weights of modelling.signals() against each text's entity F1."""
    import numpy as np

    rows, scores = [], []
    for case in cases:
        try:
            analyze(case["text"])
        except AnalysisError:
            continue
        rows.append([*confidence_signals(case["text"]), 1.0])
        scores.append(evaluate([case], analyze).entities.f1)
    weights, *_ = np.linalg.lstsq(np.array(rows), np.array(scores), rcond=None)
    fitted = np.array(rows) @ weights
    print("CALIBRATION =", tuple(round(float(w), 3) for w in weights))
    print(f"correlation with entity F1 {np.corrcoef(fitted, scores)[0, 1]:.2f} "
          f"over {len(rows)} development texts")  # fmt: skip


def main() -> None:
    if "--calibrate" in sys.argv:
        development = [c for title, cases in corpora() if "development" in title for c in cases]
        calibrate(development)
        return
    misses = "--misses" in sys.argv
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    files = [a for a in only if a.endswith(".yaml")]
    if files:  # one development file on its own, e.g. a new one measured before tuning on it
        for name in files:
            report(name, evaluate(load_cases(DATA / name), analyze), misses=misses)
        return
    for title, cases in corpora():
        if only and not any(o in title for o in only):
            continue
        report(title, evaluate(cases, analyze), misses=misses)


if __name__ == "__main__":
    main()
