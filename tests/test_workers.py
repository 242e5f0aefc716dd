"""flows.workers: how many worker processes a run starts, and the pool that runs its batches."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from flows import workers


def test_the_default_is_one_worker_per_core_or_fewer() -> None:
    cores = len(os.sched_getaffinity(0))
    assert 1 <= workers.default_workers() <= cores


def test_fewer_workers_when_memory_is_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "_available_memory", lambda: workers.WORKER_MEMORY_BYTES)
    assert workers.default_workers() == 1
    monkeypatch.setattr(workers, "_available_memory", lambda: 0)
    assert workers.default_workers() == 1  # never none at all


@pytest.mark.parametrize(
    ("requested", "batches", "expected"),
    [(4, 10, 4), (4, 2, 2), (4, 1, 1), (1, 10, 1), (3, 0, 1)],
)
def test_never_more_workers_than_batches(requested: int, batches: int, expected: int) -> None:
    assert workers.effective_workers(requested, batches) == expected


def test_zero_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "default_workers", lambda: 3)
    assert workers.effective_workers(0, 10) == 3


def test_results_come_in_the_order_of_the_jobs_from_other_processes() -> None:
    jobs = [-5, 3, -1, 0, 7, -2]
    assert list(workers.map_in_processes(abs, jobs, 2, None)) == [5, 3, 1, 0, 7, 2]
    pids = set(workers.map_in_processes(_pid, range(8), 2, None))
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2


def test_leaving_early_ends_the_worker_processes() -> None:
    before = {p.pid for p in multiprocessing.active_children()}
    outputs = workers.map_in_processes(_slow_square, range(20), 2, None)
    assert next(outputs) == 0
    outputs.close()  # what a run does on an error or a signal
    deadline = time.monotonic() + 30
    while {p.pid for p in multiprocessing.active_children()} - before:
        assert time.monotonic() < deadline, "worker processes outlived the pool"
        time.sleep(0.05)


def _pid(job: int) -> int:
    del job
    return os.getpid()


def _slow_square(job: int) -> int:
    time.sleep(0.2)
    return job * job


def test_workers_come_from_flags_or_the_environment() -> None:
    from flows.errors import UsageError
    from flows.settings import Settings, load_settings

    assert load_settings(env={"NEWSDESK_WORKERS": "3"}).workers == 3
    assert load_settings({"workers": 1}, env={"NEWSDESK_WORKERS": "3"}).workers == 1
    assert load_settings(env={}).workers == 0  # the default: one per core
    with pytest.raises(UsageError, match="workers"):
        Settings(workers=-1)
