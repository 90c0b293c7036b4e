"""Benchmark: how long a live preview takes to start, cold (first start of a build) and warm.

Run: ``PYTHONPATH=. .venv/bin/python bench/preview.py [--repeat 5] [--sizes 1 10]``.
Each size's project is generated once (not timed). A cold start unpacks the ZIP, migrates,
fills sample rows from the factories, makes the demo users, serves the app with daphne in the
sandbox and waits for it to answer on its socket; a warm start (what generator/preview.py does
for a build it has prepared before) unpacks, copies the prepared database and serves. Ready means
the app's /health/ answered 200 on the socket. Target on the 2-core reference machine: a warm
start in < 3 s.
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

from generator.engine import preview
from generator.engine.pipeline import GenerationRequest, generate

SIZES = (1, 10)
TARGET_WARM = 3.0
ROOT_PATH = "/projects/1/preview"


def start_once(
    archive: Path, folder: Path, prepared: preview.Prepared | None
) -> tuple[float, preview.Prepared]:
    """One start (cold without ``prepared``): the seconds until the app answers."""
    work = folder / "work"
    work.mkdir()
    started = time.monotonic()
    with (folder / "log").open("wb") as log, archive.open("rb") as handle:
        preview.unpack(handle, work / preview.PROJECT_DIR)
        if prepared is None:
            prepared = preview.prepare(work, folder / "cache", log=log)
        else:
            preview.restore(prepared, work)
        process = preview.serve(work, prepared, root_path=ROOT_PATH, log=log)
    try:
        preview.wait_until_ready(process, work, timeout=60)
        ready = time.monotonic() - started
    finally:
        process.kill()
    return ready, prepared


def bench_size(entities: int, repeat: int) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory(prefix="takoss-bench-preview-") as tmp:
        root = Path(tmp)
        archive = root / "app.zip"
        spec = build_spec(entities)
        generate(GenerationRequest(out_dir=root / "out", spec=spec, zip_path=archive, verify=False))
        (root / "cold").mkdir()
        cold, prepared = start_once(archive, root / "cold", None)
        warm = []
        for n in range(repeat):
            folder = root / f"warm-{n}"
            folder.mkdir()
            warm.append(start_once(archive, folder, prepared)[0])
        return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    table = Table(title=f"Preview start ({args.repeat} warm starts each)")
    for column in ("entities", "cold s", "warm s (median)", "warm s (max)", "result / target"):
        table.add_column(column, justify="right")
    for size in args.sizes:
        cold, warm = bench_size(size, args.repeat)
        median = statistics.median(warm)
        verdict = "ok" if median < TARGET_WARM else "SLOW"
        table.add_row(
            str(size),
            f"{cold:.2f}",
            f"{median:.2f}",
            f"{max(warm):.2f}",
            f"{verdict} / < {TARGET_WARM:g} s",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
