"""Benchmark: verification time (lint, framework check, migrations, tests) for 1/10/50 entities.

Run: ``PYTHONPATH=. .venv/bin/python bench/verification.py [--repeat 1] [--workers 2]``.
The project is generated once per size (not timed), then verified ``--repeat`` times; the
table shows the wall time of the whole verification and of each check, and the tests run.
Target on the 2-core reference machine: 10 entities verified in < 10 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table
from specs import build_spec

from generator.engine.pipeline import GenerationRequest, generate
from generator.engine.stacks import get_stack
from generator.engine.verification import VerificationReport, verify

SIZES = (1, 10, 50)
TARGET_10_ENTITIES = 10.0


def verify_size(
    entities: int, stack_key: str, repeat: int, workers: int
) -> list[VerificationReport]:
    spec = build_spec(entities)
    stack = get_stack(stack_key)
    with tempfile.TemporaryDirectory(prefix="takoss-bench-") as tmp:
        out = Path(tmp) / "out"
        result = generate(GenerationRequest(out_dir=out, spec=spec, stack=stack_key, verify=False))
        if not result.success:
            raise SystemExit(f"{entities} entities: generation failed: {result.error}")
        return [verify(out, stack.checks(spec), workers=workers) for _ in range(repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stack", default="django")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    console = Console()
    table = Table(title=f"Verification ({args.repeat} runs each, {args.workers} workers)")
    table.add_column("entities", justify="right")
    table.add_column("total s (median)", justify="right")
    table.add_column("per check s", justify="left")
    table.add_column("tests", justify="right")
    table.add_column("result / target", justify="right")
    for size in args.sizes:
        reports = verify_size(size, args.stack, args.repeat, args.workers)
        last = reports[-1]
        median = statistics.median(r.duration for r in reports)
        per_check = ", ".join(f"{c.key} {c.duration:.1f}" for c in last.checks)
        verdict = (
            "passed"
            if all(r.passed for r in reports)
            else "FAILED: " + ", ".join(f"{c.key} ({c.reason})" for c in last.failed_checks)
        )
        if size == 10:
            verdict += " · ok" if median < TARGET_10_ENTITIES else f" · > {TARGET_10_ENTITIES}s"
        table.add_row(
            str(size), f"{median:.2f}", per_check, f"{last.tests_passed}/{last.tests_run}", verdict
        )
        for check in last.failed_checks:
            console.print(f"[bold]{size} entities, {check.label}[/bold]:")
            console.print("\n".join(check.output_tail.splitlines()[-25:]), markup=False)
    console.print(table)


if __name__ == "__main__":
    main()
