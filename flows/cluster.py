"""A run's batches on an existing Dask cluster: connect, check the workers, submit, collect.

`newsdesk ingest --dask-address tcp://HOST:PORT` sends each batch to the cluster's workers; the
commit stays in the calling process, as with local workers. Without a Prefect server the
batches are plain `distributed` tasks (`batches_on_cluster`: about 1.6 ms of overhead per
task, against 60-80 ms for a Prefect task run); with one, `flows.flow` submits them as Prefect
task runs through prefect-dask's `DaskTaskRunner` and uses `prepare` on its client.

What a worker needs, checked before any batch is submitted (`prepare`), so that a worker that
cannot take part fails the run with one line instead of turning inputs into false rejects:

- the same newsdesk version (its rows carry the pipeline version) and the spaCy pipeline;
- the caller's staging folder, on a file system it shares with the caller: it reads a token the
  caller wrote there and writes one back, which a folder of the same name on another machine
  cannot fake;
- the inputs, at the same absolute paths (relative paths are resolved here, in the caller's
  working directory, before they are sent; the rows keep the paths as given).

The spaCy pipeline is loaded once per worker process by a worker plugin (registered by each run
under one name per pipeline, so registering it again replaces it and costs nothing, and workers
that join later load it when they start); `flows.nlp.get_nlp` caches it in the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from distributed import Client, Future, WorkerPlugin

from flows import __version__
from flows.errors import ClusterError
from flows.nlp import get_nlp
from flows.sources import SourceRef

# Seconds to wait for the scheduler to answer: a scheduler that is up answers in milliseconds,
# and a typo in the address should not hold the command line for distributed's default 30 s.
CONNECT_TIMEOUT_SECONDS = 10
# Inputs a worker is asked to see before the run: one per distinct folder, at most this many
# (a stat each; beyond that the folders are a sample, and each batch still checks its own).
PROBED_FOLDERS = 64
# The file the caller writes in the staging folder for workers to find, and their replies.
_TOKEN_FILE = ".cluster-token"
_REPLY_PREFIX = ".cluster-seen-"

Job = TypeVar("Job")
Result = TypeVar("Result")


class LoadPipeline(WorkerPlugin):
    """Loads a spaCy pipeline when a worker starts (or when the plugin is registered), once per
    worker process, outside any batch's time budget."""

    def __init__(self, pipeline: str) -> None:
        self.pipeline = pipeline

    async def setup(self, worker: Any) -> None:
        del worker
        # Loading takes about a second: off the event loop, so the worker keeps answering the
        # scheduler's heartbeats meanwhile.
        await asyncio.to_thread(get_nlp, self.pipeline)


def connect(address: str) -> Client:
    """A client of the scheduler at `address`; one clear error when it cannot be reached."""
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {exc}", address=address
        ) from exc


@dataclass(frozen=True, slots=True)
class _Expected:
    """What every worker must see: the caller's version, its staging token, input samples."""

    version: str
    staging: str
    token: str
    inputs: tuple[tuple[str, int, int], ...]  # (absolute path, size, mtime_ns)


def prepare(client: Client, pipeline: str | None, staging: Path, refs: Sequence[SourceRef]) -> int:
    """Make the cluster ready for a run (`refs` with the absolute paths workers read from):
    check that every worker runs this newsdesk and sees the staging folder and the inputs, then
    load the pipeline on each (once per process). Returns the number of workers; raises
    ClusterError naming the first worker that cannot take part."""
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    if not workers:
        raise ClusterError("the Dask cluster has no workers: start some with `dask worker`")
    staging = staging.absolute()
    # The run's own folder name (its run id, unique) is the token: a folder of that name on a
    # machine that does not share this file system cannot hold this file.
    token = staging.name
    (staging / _TOKEN_FILE).write_text(token, encoding="ascii")
    expected = _Expected(__version__, str(staging), token, _samples(refs))
    try:
        answers: dict[str, list[str]] = client.run(_check_worker, expected)
    except Exception as exc:  # raised on a worker: no newsdesk there, or another one
        raise ClusterError(f"a Dask worker cannot run newsdesk: {exc!r}") from exc
    for address, problems in sorted(answers.items()):
        if problems:
            raise ClusterError(f"Dask worker {address} {problems[0]}")
    replies = {p.name.removeprefix(_REPLY_PREFIX) for p in staging.glob(f"{_REPLY_PREFIX}*")}
    for address in sorted(answers):
        if _reply_name(address) not in replies:
            raise ClusterError(
                f"Dask worker {address} wrote into {staging}, but not where this process can "
                "see it: the staging folder must be on a file system the workers share"
            )
    if pipeline is not None:
        try:
            client.register_plugin(LoadPipeline(pipeline), name=plugin_name(pipeline))
        except Exception as exc:  # the pipeline is not installed on a worker
            raise ClusterError(f"a Dask worker cannot load {pipeline}: {exc}") from exc
    return len(answers)


def plugin_name(pipeline: str) -> str:
    """The name the pipeline's worker plugin is registered under: one per pipeline, so that a
    later run's registration replaces it and reloads nothing."""
    return f"newsdesk-nlp-{pipeline}"


def check_paths(staging: str, refs: Sequence[SourceRef]) -> None:
    """In a worker, before a batch: the staging folder is the caller's (its token is there) and
    the inputs' folders exist. Raises ClusterError, which fails the run: an input out of a
    worker's sight is not a reject of the input."""
    if not os.path.isfile(os.path.join(staging, _TOKEN_FILE)):
        raise ClusterError(
            f"this worker cannot see the run's staging folder {staging} (a shared file system)",
            path=staging,
        )
    for folder in sorted({os.path.dirname(ref.path or ref.uri) for ref in refs}):
        if not os.path.isdir(folder):
            raise ClusterError(f"this worker cannot see the input folder {folder}", path=folder)


@contextlib.contextmanager
def batches_on_cluster(
    client: Client, function: Callable[[Job], Result], jobs: Sequence[Job], keys: Sequence[str]
) -> Iterator[Generator[Result, None, None]]:
    """`function` over `jobs` as tasks on the cluster named `keys`, results in the order of the
    jobs. Leaving early (an error, an interrupt) cancels the tasks not yet done."""
    futures: list[Future[Result]] = client.map(function, jobs, key=list(keys), pure=False)
    try:
        yield (future.result() for future in futures)
    finally:
        client.cancel(futures)


def _samples(refs: Sequence[SourceRef]) -> tuple[tuple[str, int, int], ...]:
    """The first input of each folder (at most PROBED_FOLDERS), with its size and mtime here."""
    first: dict[str, str] = {}
    for ref in refs:
        path = ref.path or ref.uri
        first.setdefault(os.path.dirname(path), path)
    out: list[tuple[str, int, int]] = []
    for path in list(first.values())[:PROBED_FOLDERS]:
        try:
            info = os.stat(path)
        except OSError:
            continue  # unreadable here too: its reject says so, wherever it is read
        out.append((path, info.st_size, info.st_mtime_ns))
    return tuple(out)


def _reply_name(address: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in address)


def _check_worker(expected: _Expected, dask_worker: Any) -> list[str]:
    """Run on each worker by `prepare`: what it cannot do, as phrases (none when all is well)."""
    if expected.version != __version__:
        return [f"runs newsdesk {__version__}, this process {expected.version}: install the same"]
    token_file = Path(expected.staging) / _TOKEN_FILE
    try:
        token = token_file.read_text(encoding="ascii")
    except OSError:
        token = None
    if token != expected.token:
        return [
            f"cannot see the run's staging folder {expected.staging}: the warehouse must be on "
            "a file system the workers share, at the same path"
        ]
    reply = Path(expected.staging) / f"{_REPLY_PREFIX}{_reply_name(dask_worker.address)}"
    try:
        reply.write_text(expected.token, encoding="ascii")
    except OSError as exc:
        return [f"cannot write into the run's staging folder {expected.staging}: {exc.strerror}"]
    for path, size, mtime_ns in expected.inputs:
        try:
            info = os.stat(path)
        except OSError:
            return [f"cannot see the input {path}: inputs must be on a shared file system"]
        if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
            return [f"sees another file at {path} (size or mtime differ from this process's)"]
    return []
