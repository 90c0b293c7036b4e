"""The in-process task backend: runs tasks on worker threads and reports their results."""

from __future__ import annotations

import threading

from django.tasks import TaskResultStatus, task

from tests.generator.helpers import wait_for

seen_threads: list[str] = []


@task
def record_thread(value: int) -> int:
    seen_threads.append(threading.current_thread().name)
    return value * 2


@task
def fail() -> None:
    raise ValueError("nope")


def test_tasks_run_on_worker_threads_and_report_results(backend):
    result = record_thread.enqueue(21)
    assert backend.wait_idle(timeout=5)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42
    assert seen_threads[-1].startswith("takoss-task-default")
    assert backend.get_result(result.id) is result


def test_a_failing_task_is_reported_and_the_worker_survives(backend):
    failed = fail.enqueue()
    wait_for(lambda: failed.is_finished, timeout=5)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors[0].exception_class is ValueError
    after = record_thread.enqueue(1)
    assert backend.wait_idle(timeout=5)
    assert after.return_value == 2
