"""Start-up chores of a serving process: mark runs orphaned by a dead process interrupted.

They run on the first request the ASGI application receives rather than at import time, so
importing ``takoss.asgi`` (tests, tools) never touches the database; the runs this process owns
are never touched (see services.generation_mark_interrupted_all).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async

from generator.services import generation_mark_interrupted_all

logger = logging.getLogger(__name__)

AsgiApp = Any


def recover_interrupted_runs() -> None:
    try:
        count = generation_mark_interrupted_all()
    except Exception:  # e.g. migrations not applied yet: serving must still start
        logger.exception("Could not mark interrupted generations")
        return
    if count:
        logger.warning("Marked %d generation(s) interrupted: the server stopped during them", count)


class RecoverOnFirstRequest:
    """ASGI middleware: run :func:`recover_interrupted_runs` once, before the first request."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app
        self.recovered = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not self.recovered and scope["type"] in {"http", "websocket"}:
            self.recovered = True
            await sync_to_async(recover_interrupted_runs)()
        await self.app(scope, receive, send)
