"""Generation statuses: constants, their choices and the sets callers branch on.

A run starts ``queued``, becomes ``running`` when a worker picks it up and ends in one of the
final statuses. ``interrupted`` means the process running it stopped (see
``services.generation_mark_interrupted_all``).
"""

from __future__ import annotations

GENERATION_STATUS_QUEUED = "queued"
GENERATION_STATUS_RUNNING = "running"
GENERATION_STATUS_SUCCEEDED = "succeeded"
GENERATION_STATUS_FAILED = "failed"
GENERATION_STATUS_CANCELLED = "cancelled"
GENERATION_STATUS_INTERRUPTED = "interrupted"

GENERATION_STATUS_CHOICES = (
    (GENERATION_STATUS_QUEUED, "Queued"),
    (GENERATION_STATUS_RUNNING, "Running"),
    (GENERATION_STATUS_SUCCEEDED, "Succeeded"),
    (GENERATION_STATUS_FAILED, "Failed"),
    (GENERATION_STATUS_CANCELLED, "Cancelled"),
    (GENERATION_STATUS_INTERRUPTED, "Interrupted"),
)

# Not finished yet: these count against the per-user limit and can be cancelled.
ACTIVE_STATUSES = frozenset({GENERATION_STATUS_QUEUED, GENERATION_STATUS_RUNNING})
FINAL_STATUSES = frozenset(
    {
        GENERATION_STATUS_SUCCEEDED,
        GENERATION_STATUS_FAILED,
        GENERATION_STATUS_CANCELLED,
        GENERATION_STATUS_INTERRUPTED,
    }
)

INTERRUPTED_MESSAGE = "Interrupted: the server stopped while this generation was running."
WORKER_LOST_MESSAGE = "Interrupted: the worker running this generation stopped."
