"""Benchmark: generation without verification (analysis → ZIP) for 1, 10 and 50 entities.

Run: ``PYTHONPATH=. .venv/bin/python bench/generation.py [--repeat 7] [--stack django]``.
Each run goes through the whole pipeline from a ready AppSpec (validation, complexity,
rendering every phase, writing the files, manifest and ZIP) into a fresh temporary folder.
Target on the 2-core reference machine: 10 entities in < 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from specs import build_spec

from generator.engine.pipeline import GenerationRequest, generate

SIZES = (1, 10, 50)
TARGET_10_ENTITIES = 0.5
# A ten-entity app described in English, so one row includes the analyzer (text → ZIP).
SCHOOL_TEXT = (
    "A school management app. Students have a name, an email and a date of birth. Teachers "
    "have a name, an email and a hire date. Each course has a title, a code and credits, and is "
    "taught by a teacher. Classrooms have a name and a capacity. Sections belong to a course and "
    "a classroom and have a start time. Students make enrollments in sections; an enrollment has "
    "an enrolled date and a status (active, dropped, completed). Assignments belong to a course "
    "and have a title, a due date and a max score. Submissions belong to an assignment and a "
    "student and have a file, a submitted at timestamp and a grade. Departments have a name and "
    "a budget; each teacher belongs to a department. Announcements have a title, a body and a "
    "published flag and belong to a course."
)


def run_once(entities: int, stack: str, folder: Path) -> tuple[float, int, int, dict]:
    """One run from a built spec; ``entities == 0`` means from SCHOOL_TEXT through the analyzer."""
    source: dict = (
        {"requirements": SCHOOL_TEXT, "name": "School"}
        if entities == 0
        else {"spec": build_spec(entities)}
    )
    request = GenerationRequest(
        out_dir=folder / "out", stack=stack, zip_path=folder / "app.zip", verify=False, **source
    )
    started = time.perf_counter()
    result = generate(request)
    elapsed = time.perf_counter() - started
    if not result.success:
        raise SystemExit(f"{entities} entities: {result.error}")
    return elapsed, len(result.files), len(result.zip_bytes or b""), result.timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--stack", default="django")
    args = parser.parse_args()
    table = Table(title=f"Generation without verification ({args.repeat} runs each)")
    for column in (
        "entities",
        "files",
        "ZIP KiB",
        "median s",
        "min s",
        "render s (median)",
        "target",
    ):
        table.add_column(column, justify="right")
    for size in (*SIZES, 0):
        times, renders = [], []
        files = zip_size = 0
        run_once(size, args.stack, Path(tempfile.mkdtemp()))  # warm-up: imports, template cache
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="takoss-bench-") as tmp:
                elapsed, files, zip_size, timings = run_once(size, args.stack, Path(tmp))
            times.append(elapsed)
            renders.append(
                sum(timings[k] for k in ("database", "backend", "frontend", "deployment"))
            )
        median = statistics.median(times)
        target = ""
        if size in (0, 10):
            target = "ok" if median < TARGET_10_ENTITIES else f"> {TARGET_10_ENTITIES}s"
        table.add_row(
            str(size) if size else "10, from English text",
            str(files),
            f"{zip_size / 1024:.0f}",
            f"{median:.3f}",
            f"{min(times):.3f}",
            f"{statistics.median(renders):.3f}",
            target,
        )
    Console().print(table)


if __name__ == "__main__":
    main()
