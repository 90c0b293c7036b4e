"""The development corpus read by a local model beside the offline analyzer.

Needs a running OpenAI-compatible server; `make test-llm` installs the pinned one (README "Model
providers"). By hand:

    .llm/venv/bin/python scripts/llm_server.py 8765 &
    PYTHONPATH=. .venv/bin/python bench/analyzer_local_model.py \
        --base-url http://127.0.0.1:8765/v1 \
        [--texts 10] [--timeout 600]

The first N development texts (tests/engine/data/corpus.yaml, dev*.yaml, in that order: say which
N when quoting figures) are read once by the offline analyzer and once by the model, with the
model's up to two repair turns and no fallback. Prints entity / relationship / field P R F1 for
both, the model's validity rate (a valid AppSpec, possibly after repairs), how many texts would
have fallen back to the offline analyzer, repair turns, and seconds per text.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from generator.engine.analysis import analyze
from generator.engine.analysis.evaluation import Evaluation, Scores, evaluate, load_cases
from generator.engine.providers import ProviderConfig, ProviderError, read_requirements
from generator.engine.spec import AppSpec

DATA = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data"
DEVELOPMENT = ("corpus.yaml", "dev.yaml", "dev2.yaml", "dev3.yaml", "dev4.yaml")


def development_cases(count: int) -> list[dict]:
    cases: list[dict] = []
    for name in DEVELOPMENT:
        if (DATA / name).exists():
            cases += load_cases(DATA / name)
    return cases[:count]


def line(label: str, s: Scores) -> str:
    return f"{label:<14} P {s.precision:.2f}  R {s.recall:.2f}  F1 {s.f1:.2f}"


def show(title: str, result: Evaluation, seconds: float) -> None:
    print(f"== {title}: {result.texts} texts, {seconds / max(result.texts, 1):.2f} s per text")
    print(line("  entities", result.entities))
    print(line("  relationships", result.relationships))
    print(line("  fields", result.fields))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--texts", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    cases = development_cases(args.texts)

    started = time.monotonic()
    offline = evaluate(cases, lambda text: analyze(text))
    show("offline analyzer", offline, time.monotonic() - started)

    config = ProviderConfig(
        provider="openai-compatible", model=args.model, base_url=args.base_url,
        timeout=args.timeout, max_retries=0,
    )  # fmt: skip
    tally = {"valid": 0, "fallbacks": 0, "repairs": 0, "seconds": 0.0}

    def model(text: str) -> AppSpec:
        began = time.monotonic()
        try:
            reading = read_requirements(config, text, fallback=False)
        except ProviderError as exc:
            tally["fallbacks"] += 1
            tally["repairs"] += exc.usage.repair_turns if exc.usage else 0
            print(f"  fallback: {exc.reason[:160]}")
            raise ValueError(exc.reason) from exc  # scored as an empty model
        finally:
            tally["seconds"] += time.monotonic() - began
        tally["valid"] += 1
        tally["repairs"] += reading.usage.repair_turns
        return reading.spec

    result = evaluate(cases, model)
    show(f"local model {args.model or '(server default)'}", result, tally["seconds"])
    print(f"  valid AppSpecs {tally['valid']}/{len(cases)}, would fall back {tally['fallbacks']}, "
          f"repair turns {tally['repairs']}")  # fmt: skip


if __name__ == "__main__":
    main()
