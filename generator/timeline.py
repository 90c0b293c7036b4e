"""The picture of a finished run: its phases in order with how long each took.

Read from the run's ``timings`` (seconds per phase key, and ``total``, recorded by the engine
for every phase it entered, the failing one included) and the tracker's phase states. The run
page draws it as a list of bars (templates/generator/timeline.html); the durations are text, the
bars only illustrate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.tracker import PENDING, TrackerState


@dataclass(frozen=True, slots=True)
class TimelineRow:
    key: str
    label: str
    state: str
    seconds: float | None  # None: the run never reached the phase
    start_percent: float  # where the bar starts, in percent of the phases' total
    width_percent: float


@dataclass(frozen=True, slots=True)
class Timeline:
    rows: list[TimelineRow]
    phases_seconds: float
    total_seconds: float | None


def run_timeline(timings: dict[str, Any] | None, tracker: TrackerState) -> Timeline | None:
    """The timeline of a run, or None when it has no phase timings (e.g. it never started)."""
    timings = timings or {}
    seconds = {
        phase.key: float(timings[phase.key])
        for phase in tracker.phases
        if isinstance(timings.get(phase.key), int | float)
    }
    if not seconds:
        return None
    whole = sum(seconds.values()) or 1.0
    rows, elapsed = [], 0.0
    for phase in tracker.phases:
        taken = seconds.get(phase.key)
        rows.append(
            TimelineRow(
                key=phase.key,
                label=phase.label,
                state=phase.state if taken is not None or phase.state != PENDING else "skipped",
                seconds=taken,
                start_percent=round(100 * elapsed / whole, 2),
                width_percent=round(100 * (taken or 0.0) / whole, 2),
            )
        )
        elapsed += taken or 0.0
    total = timings.get("total")
    return Timeline(
        rows=rows,
        phases_seconds=round(sum(seconds.values()), 4),
        total_seconds=float(total) if isinstance(total, int | float) else None,
    )
