"""``manage.py takoss_worker``: a worker process that runs queued generations (README "Scaling").

django-tasks-db's ``db_worker`` (it claims each queued task with ``SELECT … FOR UPDATE SKIP
LOCKED``, so two workers never take the same task), plus what Takoss needs beside it: the
stale-run sweeper (generator/runwatch.py) and the English parser loaded before the first run.
It needs ``TAKOSS_TASK_BACKEND=database``. Unlike ``db_worker`` it never reloads on code changes
(a reload would kill the run in progress) and looks for work every half second.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from generator import runwatch
from generator.startup import clean_leftovers, warm_up_parser


class Command(DbWorkerCommand):
    help = "Run queued generations (TAKOSS_TASK_BACKEND=database)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False, interval=0.5)

    def handle(self, *args: Any, **options: Any) -> None:
        if not runwatch.runs_on_workers():
            raise CommandError(
                "Workers run generations queued in the database: set TAKOSS_TASK_BACKEND=database "
                "(and DATABASE_URL to a PostgreSQL database every process shares)."
            )
        clean_leftovers()
        warm_up_parser()
        runwatch.start_sweeper()
        super().handle(*args, **options)
