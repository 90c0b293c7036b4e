"""``manage.py takoss_recover``: mark generations left running by a stopped server interrupted,
and remove its temporary folders and sandboxes.

The server does this itself on its first request; run this after a crash to fix the records
without starting it (never while a server is running generations: it cannot see them; folders
and sandboxes of a live server are never touched).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from generator.engine.leftovers import remove_leftovers
from generator.services import generation_mark_interrupted_all


class Command(BaseCommand):
    help = "Mark generations left queued or running by a stopped server as interrupted."

    def handle(self, *args: Any, **options: Any) -> None:
        count = generation_mark_interrupted_all()
        self.stdout.write(f"Marked {count} generation(s) interrupted.")
        removed = remove_leftovers()
        self.stdout.write(
            f"Removed {len(removed.folders)} temporary folder(s) and killed "
            f"{len(removed.processes)} sandbox process(es)."
        )
