"""Start and stop a real Dask scheduler and workers on 127.0.0.1, as processes, for tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

DASK = Path(sys.executable).parent / "dask"


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running cluster: the scheduler's address and the folder of its logs."""

    address: str
    logs: Path

    def explain(self) -> str:
        """Every log of the cluster, for a failing assertion."""
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(self.logs.glob("*.log")))


@contextmanager
def background_process(args: list[str], log: Path, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process in a session of its own, ended with its children (a worker's nanny has one)
    when the block ends, however it ends."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"},
        )
        try:
            yield proc
        finally:
            for signum, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
                try:
                    os.killpg(proc.pid, signum)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue


@contextmanager
def dask_cluster(work: Path, *, workers: int = 2, timeout: float = 120) -> Iterator[Cluster]:
    """A scheduler on a free port of 127.0.0.1 and `workers` single-threaded workers, each
    started in `work` (a working directory unlike the caller's); all stopped afterwards."""
    work.mkdir(parents=True, exist_ok=True)
    scheduler_file = work / "scheduler.json"
    with ExitStack() as stack:
        stack.enter_context(
            background_process(
                [
                    str(DASK),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(scheduler_file),
                ],
                work / "scheduler.log",
                work,
            )
        )
        address = _wait_for_address(scheduler_file, work / "scheduler.log", timeout)
        for number in range(workers):
            stack.enter_context(
                background_process(
                    [
                        str(DASK),
                        "worker",
                        "--scheduler-file",
                        str(scheduler_file),
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"worker-{number}",
                    ],
                    work / f"worker-{number}.log",
                    work,
                )
            )
        cluster = Cluster(address, work)
        from distributed import Client

        with Client(address, timeout=timeout, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield cluster


def _wait_for_address(scheduler_file: Path, log: Path, timeout: float) -> str:
    """The address the scheduler writes into its file once it listens."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return str(json.loads(scheduler_file.read_text())["address"])
        except (OSError, ValueError, KeyError):
            pass  # not written yet, or half written
        if time.monotonic() > deadline:
            raise RuntimeError(f"the scheduler did not start:\n{log.read_text()}")
        time.sleep(0.2)
