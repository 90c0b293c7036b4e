"""A django.tasks backend that runs tasks on worker threads inside the server process.

Django ships only the Immediate (runs in the caller) and Dummy (never runs) backends and no
workers, so ``make run`` would need a separate worker service without this. Tasks go onto an
in-memory queue served by ``OPTIONS["workers"]`` daemon threads; each task closes its database
connections when it ends. Daemon threads die with the process, so a stopped server never waits
for a long generation: the runs it owned stay "running" in the database and are marked
interrupted at the next start (services.generation_mark_interrupted_all).

Results live in this process only (``get_result`` works here, not in other processes), and a
queue-backed backend replaces this one when generations run on several machines.

Backend instances are per thread/context (Django's handler is a ``Local``); the pool they share
is per alias and process.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from traceback import format_exception
from typing import Any

from django.db import connections
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskContext, TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json

logger = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
KEPT_RESULTS = 1000  # finished results remembered for get_result


class WorkerPool:
    """Daemon threads serving one queue; knows how many tasks are queued or running."""

    def __init__(self, workers: int, name: str) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._unfinished = 0
        for index in range(workers):
            thread = threading.Thread(target=self._serve, name=f"{name}-{index}", daemon=True)
            thread.start()
        self.results: OrderedDict[str, TaskResult] = OrderedDict()
        self.results_lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._idle:
            self._unfinished += 1
        self._queue.put(job)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or running; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            try:
                job()
            except BaseException:  # a worker must survive anything a job does
                logger.exception("Task job crashed")
            finally:
                with self._idle:
                    self._unfinished -= 1
                    if self._unfinished == 0:
                        self._idle.notify_all()


_pools: dict[tuple[str, int], WorkerPool] = {}
_pools_lock = threading.Lock()


def _pool(alias: str, workers: int) -> WorkerPool:
    with _pools_lock:
        key = (alias, workers)
        if key not in _pools:
            _pools[key] = WorkerPool(workers, name=f"takoss-task-{alias}")
        return _pools[key]


class ThreadPoolBackend(BaseTaskBackend):
    supports_defer = False
    supports_async_task = True
    supports_priority = False
    # Results can be read back only inside this process.
    supports_get_result = False

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        workers = int(self.options.get("workers", DEFAULT_WORKERS))
        if workers < 1:
            raise ValueError(f"TASKS[{alias!r}]['OPTIONS']['workers'] must be at least 1.")
        self.workers = workers
        self.worker_id = get_random_string(32)

    @property
    def pool(self) -> WorkerPool:
        return _pool(self.alias, self.workers)

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result: TaskResult = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        pool = self.pool
        with pool.results_lock:
            pool.results[result.id] = result
            while len(pool.results) > KEPT_RESULTS:
                pool.results.popitem(last=False)
        task_enqueued.send(type(self), task_result=result)
        pool.submit(lambda: self._run(result))
        return result

    def get_result(self, result_id: str) -> TaskResult:
        pool = self.pool
        with pool.results_lock:
            try:
                return pool.results[result_id]
            except KeyError:
                raise TaskResultDoesNotExist(result_id) from None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every enqueued task has finished (tests, graceful shutdown)."""
        return self.pool.wait_idle(timeout)

    def _run(self, result: TaskResult) -> None:
        try:
            self._execute(result)
        finally:
            connections.close_all()  # worker threads live on; their connections must not

    def _execute(self, result: TaskResult) -> None:
        started = timezone.now()
        object.__setattr__(result, "status", TaskResultStatus.RUNNING)
        object.__setattr__(result, "started_at", started)
        object.__setattr__(result, "last_attempted_at", started)
        result.worker_ids.append(self.worker_id)
        task_started.send(sender=type(self), task_result=result)
        status = TaskResultStatus.SUCCESSFUL
        try:
            task = result.task
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            object.__setattr__(result, "_return_value", normalize_json(value))
        except Exception as exc:
            logger.exception("Task %s failed", result.task.module_path)
            result.errors.append(
                TaskError(
                    exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
                    traceback="".join(format_exception(exc)),
                )
            )
            status = TaskResultStatus.FAILED
        object.__setattr__(result, "finished_at", timezone.now())
        object.__setattr__(result, "status", status)
        task_finished.send(type(self), task_result=result)
