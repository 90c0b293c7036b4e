"""Benchmark: how long the offline analyzer takes, warm and as a cold ``takoss analyze``.

Run: ``PYTHONPATH=. .venv/bin/python bench/analyzer_speed.py [--repeat 7] [--cold-runs 5]``.

Warm rows time ``analyze()`` in this process after one untimed call has loaded the English
model; the analyzer's result cache is emptied before every timed call, so each one reads the
text (the cache exists so that a form's check and the run that follows share one reading).
Inputs: a one-paragraph description, 60 stories of a real backlog, the longest real backlog
(about 20,000 characters), and degenerate shapes at the size limit. The cold row runs
``takoss analyze`` on the paragraph in a fresh process (interpreter start, imports, model load,
analysis, printing), wall clock.

Goals on the 2-core reference machine: paragraph <= 50 ms warm, 60-story backlog <= 1 s, any
input within the size limit <= 1 s, cold CLI <= 1.5 s. The property tests only guard against
blow-ups (seconds); these goals are checked here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from generator.engine import analysis
from generator.engine.analysis import MAX_REQUIREMENTS_CHARS, AnalysisError, analyze, nlp

ROOT = Path(__file__).resolve().parents[1]
BACKLOGS = ROOT / "tests" / "engine" / "data" / "backlogs"
PARAGRAPH = (
    "A volunteer scheduling app for a food bank. Volunteers sign up for shifts at different "
    "locations. Each shift has a date, start time, end time and the number of volunteers "
    "needed. Coordinators manage locations and can send announcements to volunteers."
)
GOAL_PARAGRAPH = 0.050
GOAL_BACKLOG = 1.0
GOAL_ANY_INPUT = 1.0
GOAL_COLD_CLI = 1.5


def warm_cases() -> list[tuple[str, str, float]]:
    """(label, text, goal in seconds) for the warm rows."""
    g10 = (BACKLOGS / "g10-scrumalliance.txt").read_text(encoding="utf-8").splitlines()
    longest = max(BACKLOGS.glob("*.txt"), key=lambda p: len(p.read_text(encoding="utf-8")))
    longest_text = longest.read_text(encoding="utf-8")
    limit = MAX_REQUIREMENTS_CHARS
    shapes = {
        '"a:"*10000': "a:" * 10_000,
        '"a,"*10000': "a," * 10_000,
        '"I "*10000': "I " * 10_000,
        '"("*5000 + ")"*5000': "(" * 5_000 + ")" * 5_000,
        f"a {limit:,}-char word": "x" * limit,
        '"word "*4000': "word " * 4_000,
        # the most parse work the size allows: 800 distinct described lines
        "800 lines 'ThingN: name, price, date'": "\n".join(
            f"Thing{i}: name, price, date" for i in range(800)
        )[:limit],
        "400 varied sentences": " ".join(
            f"Customers of branch {i} place orders with several items and a delivery date."
            for i in range(400)
        )[:limit],
    }
    cases = [
        ("paragraph", PARAGRAPH, GOAL_PARAGRAPH),
        ("60 stories (g10 1-60)", "\n".join(g10[:60]), GOAL_BACKLOG),
        (f"backlog {longest.stem[:3]} (longest)", longest_text, GOAL_ANY_INPUT),
    ]
    cases += [(label, text, GOAL_ANY_INPUT) for label, text in shapes.items()]
    for _label, text, _goal in cases:
        assert len(text) <= limit, _label
    return cases


def analyze_uncached(text: str) -> str:
    """Analyse ``text`` from scratch; say what came out."""
    analysis._cache.clear()
    try:
        spec = analyze(text)
    except AnalysisError:
        return "refused"
    return f"{len(spec.entities)} entities"


def time_warm(text: str, repeat: int) -> tuple[list[float], str]:
    times = []
    outcome = ""
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = analyze_uncached(text)
        times.append(time.perf_counter() - started)
    return times, outcome


def time_cold_cli(runs: int) -> tuple[list[float], str]:
    script = Path(sys.executable).with_name("takoss")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "generator.engine.cli"]
    times = []
    outcome = ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "analyze", PARAGRAPH], capture_output=True, text=True, timeout=120
        )
        times.append(time.perf_counter() - started)
        outcome = f"exit {done.returncode}"
    return times, outcome


def row(
    table: Table, label: str, chars: int, times: list[float], outcome: str, goal: float
) -> None:
    median, worst = statistics.median(times), max(times)
    verdict = "ok" if worst <= goal else "OVER"
    table.add_row(label, f"{chars:,}", outcome, f"{median * 1000:.1f}", f"{worst * 1000:.1f}",
                  f"<= {goal * 1000:.0f}", verdict)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per warm input")
    parser.add_argument("--cold-runs", type=int, default=5, help="runs of the cold CLI")
    args = parser.parse_args()

    started = time.perf_counter()
    nlp.pipeline()
    analyze_uncached(PARAGRAPH)
    load = time.perf_counter() - started

    table = Table(title=f"Analyzer speed (warm: {args.repeat} runs each; model load {load:.2f} s)")
    for column in ("input", "chars", "outcome", "median ms", "max ms", "goal ms", ""):
        table.add_column(column, justify="left" if column in {"input", "outcome"} else "right")
    for label, text, goal in warm_cases():
        times, outcome = time_warm(text, args.repeat)
        row(table, label, len(text), times, outcome, goal)
    times, outcome = time_cold_cli(args.cold_runs)
    row(table, f"cold CLI ({args.cold_runs} runs)", len(PARAGRAPH), times, outcome, GOAL_COLD_CLI)
    Console(width=100).print(table)
    print("Verdicts compare the max of the runs with the goal; this machine's load counts too.")


if __name__ == "__main__":
    main()
