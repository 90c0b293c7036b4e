"""The progress tracker of a run, rebuilt from its event history, and its live HTML fragments.

One function, :func:`tracker_state`, turns events (``GenerationEvent`` rows, in ``seq`` order)
into what the tracker shows: every phase of the engine's ``PHASES`` with its state (pending,
running, done, failed, cancelled), latest message, percentage and sub-steps, the files written so
far and the overall progress. The project page renders it from the whole history; the live
channel renders it from the history *up to the event being sent* (:func:`live_fragment`), so
each fragment is the complete state of the parts it touches as of that event. That makes
fragments idempotent (a repeat swaps in the same thing) and makes the channel's coalescing of
sub-step events harmless (the next fragment that is sent carries the skipped ones too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from generator.engine.events import ESSENTIAL_TYPES, EventType
from generator.engine.pipeline import PHASES

PENDING, RUNNING, DONE, FAILED, CANCELLED = "pending", "running", "done", "failed", "cancelled"
PHASE_STATE_LABELS = {
    PENDING: "Pending",
    RUNNING: "Running",
    DONE: "Done",
    FAILED: "Failed",
    CANCELLED: "Cancelled",
}
_PHASE_BY_KEY = {phase.key: phase for phase in PHASES}
LIVE_TEMPLATE = "generator/project.html"


class EventLike(Protocol):
    seq: int
    type: str
    phase: str
    message: str
    progress: int
    data: dict[str, Any]


@dataclass
class Step:
    seq: int
    message: str
    kind: str  # "progress" or "log"
    passed: bool | None = None  # for checks: did it pass


@dataclass
class PhaseState:
    key: str
    label: str
    state: str = PENDING
    message: str = ""
    percent: int = 0
    seq: int = 0
    steps: list[Step] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return PHASE_STATE_LABELS[self.state]

    @property
    def no_steps_label(self) -> str:
        """What an empty step list says: a finished phase will get none."""
        return "Nothing yet." if self.state in (PENDING, RUNNING) else "No steps to show."


@dataclass
class FileEntry:
    seq: int
    path: str
    size: int
    phase: str


@dataclass
class TrackerState:
    phases: list[PhaseState]
    files: list[FileEntry] = field(default_factory=list)
    progress: int = 0
    message: str = "Waiting for a worker…"
    seq: int = 0

    def phase(self, key: str) -> PhaseState | None:
        return next((p for p in self.phases if p.key == key), None)


def tracker_state(events: Iterable[EventLike]) -> TrackerState:
    state = TrackerState(phases=[PhaseState(p.key, p.label) for p in PHASES])
    by_key = {p.key: p for p in state.phases}
    for event in events:
        state.seq = max(state.seq, event.seq)
        state.progress = event.progress
        if event.type != EventType.RESULT:
            state.message = event.message
        if event.type == EventType.FILE:
            state.files.append(
                FileEntry(
                    event.seq,
                    str(event.data.get("path", event.message)),
                    int(event.data.get("size", 0)),
                    event.phase,
                )
            )
            continue
        phase = by_key.get(str(event.data.get("phase") or event.phase)) or by_key.get(event.phase)
        if phase is None:
            continue
        phase.seq = event.seq
        _apply(phase, event)
    return state


def _apply(phase: PhaseState, event: EventLike) -> None:
    spec = _PHASE_BY_KEY[phase.key]
    match event.type:
        case EventType.PHASE_START:
            phase.state, phase.message, phase.percent = RUNNING, event.message, 0
        case EventType.PHASE_PROGRESS | EventType.LOG:
            phase.message = event.message
            passed = event.data.get("passed")
            kind = "log" if event.type == EventType.LOG else "progress"
            phase.steps.append(Step(event.seq, event.message, kind, passed))
            if event.type == EventType.PHASE_PROGRESS and spec.end > spec.start:
                span = spec.end - spec.start
                phase.percent = max(0, min(100, (event.progress - spec.start) * 100 // span))
        case EventType.PHASE_COMPLETE:
            phase.state, phase.message, phase.percent = DONE, event.message, 100
        case EventType.ERROR:
            phase.state, phase.message = FAILED, event.message
        case EventType.CANCELLED:
            phase.state, phase.message = CANCELLED, event.message


# --- live fragments -------------------------------------------------------------------------


def live_fragment(generation_id: int, event: dict[str, Any]) -> str:
    """The HTML the run's channel carries for ``event`` (already saved in the history)."""
    from generator.models import Generation, GenerationEvent

    seq, kind, phase_key = event["seq"], event["type"], event.get("phase", "")
    if kind == EventType.RESULT:
        run = Generation.objects.filter(pk=generation_id).values("project_id", "number").first()
        url = reverse("generator:run", args=[run["project_id"], run["number"]]) if run else ""
        context = {"seq": seq, "run_url": url, "message": event.get("message", ""),
                   "project_id": run["project_id"] if run else None}  # fmt: skip
        return render_to_string(f"{LIVE_TEMPLATE}#run-finished", context)
    rows = GenerationEvent.objects.filter(generation_id=generation_id, seq__lte=seq).filter(
        Q(phase=phase_key) | Q(type=EventType.FILE)
    )
    state = tracker_state(rows.only("seq", "type", "phase", "message", "progress", "data"))
    state.seq, state.progress = seq, event.get("progress", 0)
    state.message = event.get("message", "")
    phase = state.phase(phase_key)
    touches_files = kind == EventType.FILE or any(f.phase == phase_key for f in state.files)
    context = {
        "oob": True,
        "tracker": state,
        "phase": phase,
        "show_files": touches_files,
        "announce": kind in ESSENTIAL_TYPES,
    }
    return render_to_string(f"{LIVE_TEMPLATE}#tracker-update", context)
