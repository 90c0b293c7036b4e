"""Start-up chores of a serving process: mark runs orphaned by a dead process interrupted, remove
the temporary folders and kill the sandboxes a dead server left behind, and load the English
parser in the background so the first description is read without waiting.

They run on the first request the ASGI application receives rather than at import time, so
importing ``takoss.asgi`` (tests, tools) never touches the database; the runs this process owns
are never touched (see services.generation_mark_interrupted_all).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from asgiref.sync import sync_to_async

from generator import runwatch
from generator.engine.leftovers import remove_leftovers
from generator.services import generation_mark_interrupted_all

logger = logging.getLogger(__name__)

AsgiApp = Any


def recover_interrupted_runs() -> None:
    # With worker processes, a run this process does not own may be alive on a worker: only its
    # heartbeat tells, so the sweeper (one per process) decides instead of this start-up pass.
    if runwatch.start_sweeper():
        return
    try:
        count = generation_mark_interrupted_all()
    except Exception:  # e.g. migrations not applied yet: serving must still start
        logger.exception("Could not mark interrupted generations")
        return
    if count:
        logger.warning("Marked %d generation(s) interrupted: the server stopped during them", count)


def clean_leftovers() -> None:
    """Folders and sandboxes whose owner died (a killed server); live owners' are kept."""
    try:
        removed = remove_leftovers()
    except Exception:  # cleaning is best effort: serving must still start
        logger.exception("Could not remove what a stopped server left behind")
        return
    if removed.folders or removed.processes:
        logger.warning(
            "Removed %d temporary folder(s) and killed %d sandbox process(es) of a stopped server",
            len(removed.folders),
            len(removed.processes),
        )


def warm_up_parser() -> None:
    """Load spaCy's model (about a second) off the request path; errors surface later, where
    the analyzer is used, with its own message."""

    def load() -> None:
        try:
            from generator.engine.analysis import nlp

            nlp.pipeline()
            nlp.known_nouns()
        except Exception:
            logger.exception("Could not load the English parser")

    threading.Thread(target=load, name="takoss-parser-warm-up", daemon=True).start()


class RecoverOnFirstRequest:
    """ASGI middleware: recover runs and clean leftovers once, before the first request."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app
        self.recovered = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not self.recovered and scope["type"] in {"http", "websocket"}:
            self.recovered = True
            warm_up_parser()
            await sync_to_async(clean_leftovers)()
            await sync_to_async(recover_interrupted_runs)()
        await self.app(scope, receive, send)
