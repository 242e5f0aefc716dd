"""Worker processes for a run's batches: how many, and how each one starts.

The NLP model is the expensive part of a batch and Python runs one thread of it at a time, so a
run uses processes: each loads the spaCy pipeline once, when it starts, and then takes batch
after batch. With a Prefect server the batches are Prefect tasks on its ProcessPoolTaskRunner
(`flows.flow`); without one they go to a `multiprocessing` pool here, with the same worker start.
Both use the spawn start method: a forked copy of a process that runs Prefect's threads or holds
an SQLite connection is not safe.

Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the run's own process handles
it (flows.interrupts) and stops the pool, which ends the workers with SIGTERM. A worker that
dies fails the run (nothing is committed) rather than hanging it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from flows.nlp import get_nlp

# What a worker holds besides the shared imports: the model (~0.3 GiB) and one document's
# working memory within its budget; the default number of workers leaves that much per worker.
WORKER_MEMORY_BYTES = 1536 * 1024 * 1024
_MEMINFO = "/proc/meminfo"

Job = TypeVar("Job")
Result = TypeVar("Result")


def default_workers() -> int:
    """One worker per core this process may run on, fewer if memory would not hold them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    available = _available_memory()
    by_memory = available // WORKER_MEMORY_BYTES if available is not None else None
    return max(1, min(cores or 1, by_memory if by_memory is not None else cores or 1))


def effective_workers(requested: int, batches: int) -> int:
    """Workers for a run of `batches` batches: `requested` (0 means the default), never more
    than there are batches; 1 means no pool at all (the batches run in this process)."""
    workers = requested or default_workers()
    return max(1, min(workers, batches))


def start_worker(pipeline: str | None) -> None:
    """Run once in each worker process before its first batch: leave SIGINT to the run's own
    process, and load the NLP pipeline now rather than inside the first batch's budget."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if pipeline is not None:
        get_nlp(pipeline)


def map_in_processes(
    function: Callable[[Job], Result], jobs: Iterable[Job], workers: int, pipeline: str | None
) -> Generator[Result, None, None]:
    """`function` over `jobs` in `workers` processes, results in the order of the jobs. Leaving
    the iteration early (an error, an interrupt) terminates the workers."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(pipeline,),
    )
    # Every job is submitted at once (jobs are file references, so this is small), as
    # `pool.map` does; unlike `pool.map`, leaving early does not cancel the futures first. On
    # Python 3.11, a pool whose workers are terminated sets BrokenProcessPool on every pending
    # future, and one already cancelled makes its manager thread raise InvalidStateError.
    futures = deque(pool.submit(function, job) for job in jobs)
    finished = False
    try:
        # A worker that dies (the kernel's OOM killer) fails the run with BrokenProcessPool
        # instead of leaving it waiting for a result that never comes. A result is let go of
        # once yielded, so results do not pile up over a long run.
        while futures:
            yield futures.popleft().result()
        finished = True
    finally:
        if not finished:
            # Python 3.14 has pool.terminate_workers(); until then its processes are at hand.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True)


def _available_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes (None where there is no such file)."""
    try:
        with open(_MEMINFO, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
