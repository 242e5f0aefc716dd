"""A run: inputs read in batches, each batch's rows staged, then one commit of them all.

The body of every ingest, with and without Prefect. `run_ingest` picks: with a Prefect server
configured (PREFECT_API_URL, a Prefect profile or settings file that sets it) the run is a flow
run on it (`flows.flow`), with a task run per batch, its logs and its artifact; without one the
same steps run as plain calls and Prefect is not even imported. Prefect's temporary server would
cost a run 15-20 CPU-seconds (its imports and database start-up), and importing Prefect alone
2.5 s, to record a run that nobody can see once it stops. Either way the run is a row of the
`runs` table, committed with its rows, and the tables are the same.

Batches run in this process, in worker processes (flows.workers) or on the workers of an
existing Dask cluster (flows.cluster, with a Dask address); each stages its rows in the
warehouse's staging area (for a warehouse URI, a folder on this machine: flows.store.location)
and returns paths and counts, so a run holds one batch in memory at a time, whatever the size of
its inbox, and the commit streams the staged batches into the tables.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from flows import __version__, interrupts, sources, workers
from flows.nlp import get_nlp
from flows.pipeline import process_batch
from flows.records import InputSeen, RunRecord
from flows.settings import Settings, warehouse_location
from flows.store import (
    KeyLookup,
    RunInfo,
    StagedBatch,
    build_tables,
    commit,
    commit_lake,
    lake_index,
    open_index,
    stage_tables,
    staging_area,
    staging_root,
)

Progress = Callable[[int, int], None]  # (inputs done so far, inputs in all)
# A commit that fails on storage I/O (a transient error) is tried this many more times, this
# many seconds apart (under Prefect, as the commit task's retries).
COMMIT_RETRIES = 2
COMMIT_RETRY_SECONDS = 2.0
# Where Prefect may find an API URL besides the environment: its profiles file and the settings
# files it reads from the working folder. Only when one of them mentions an API is Prefect asked.
_PREFECT_SETTINGS_FILES = ("prefect.toml", ".env", "pyproject.toml")
_API_MARKERS = ("PREFECT_API_URL", "[api]", "api.url", "[tool.prefect.api]")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did: inputs seen, rows added per table, inputs already ingested."""

    run_id: str
    warehouse: str
    inputs: int
    unchanged: int
    added: dict[str, int]
    processes: int = 0  # how many processes ran the run's batches


@dataclass(frozen=True, slots=True)
class BatchJob:
    """One batch task's input: file references (never bytes), its number in the run and the
    run's staging folder."""

    refs: tuple[sources.SourceRef, ...]
    number: int
    staging: str
    # On a Dask cluster the worker first checks that it sees the run's files (flows.cluster).
    on_cluster: bool = False


@dataclass(frozen=True, slots=True)
class BatchOutput:
    """What a batch task hands back, all of it small: where its rows are staged and how many,
    what it skipped and read, its rejects by reason, seconds per stage."""

    staged: StagedBatch
    skipped: int
    seen: tuple[InputSeen, ...]
    reasons: dict[str, int]
    seconds: dict[str, float]
    process: int  # the id of the process that ran the batch


def process_batch_step(
    job: BatchJob, settings: Settings, run: RunInfo, index: KeyLookup
) -> BatchOutput:
    """Read, parse and extract one batch of inputs, and stage its rows; look up only its own
    doc_ids."""
    if job.on_cluster:
        from flows.cluster import check_paths  # noqa: PLC0415 - only workers of a cluster

        check_paths(job.staging, job.refs)
    start = time.perf_counter()
    raws, read_rejects = sources.read_sources(job.refs, max_bytes=settings.max_bytes)
    read = time.perf_counter() - start
    result = process_batch(raws, settings, get_nlp, known=lambda ids: index.known("documents", ids))
    result = result.with_rejects(read_rejects)
    start = time.perf_counter()
    tables = build_tables([result], run)
    staged = stage_tables(Path(job.staging), job.number, tables)
    seconds = {"read": read, **result.seconds, "tables": time.perf_counter() - start}
    reasons = Counter(reject.reason for reject in result.rejects)
    return BatchOutput(staged, result.skipped, result.seen, dict(reasons), seconds, os.getpid())


def commit_step(
    settings: Settings,
    staged: list[StagedBatch],
    run: RunInfo,
    seen: list[InputSeen],
    record: RunRecord,
) -> dict[str, int]:
    """Commit the run's staged rows, its inputs' stats and its `runs` row in one atomic step."""
    if settings.warehouse_uri is not None:
        return commit_lake(
            settings.warehouse_uri,
            staged,
            run_id=run.run_id,
            partition=run.started_at.date(),
            inputs=seen,
            run=record,
        ).added
    done = commit(
        settings.warehouse,
        staged,
        run_id=run.run_id,
        partition=run.started_at.date(),
        inputs=seen,
        run=record,
        grace_seconds=settings.snapshot_grace_seconds,
    )
    return done.added


def _commit_retrying(
    settings: Settings,
    staged: list[StagedBatch],
    run: RunInfo,
    seen: list[InputSeen],
    record: RunRecord,
) -> dict[str, int]:
    """commit_step with the commit task's retries, for runs without Prefect; only storage I/O
    errors are retried (a schema or logic error would fail the same way again)."""
    for attempt in range(COMMIT_RETRIES + 1):
        try:
            return commit_step(settings, staged, run, seen, record)
        except OSError as exc:
            if attempt == COMMIT_RETRIES:
                raise
            _log.warning("commit failed (%s); trying again", exc)
            time.sleep(COMMIT_RETRY_SECONDS)
    raise AssertionError("unreachable")


BatchRunner = Callable[
    [list[BatchJob], Settings, RunInfo, KeyLookup, int],
    contextlib.AbstractContextManager[Iterator[BatchOutput]],
]


@contextlib.contextmanager
def _plain_batches(
    jobs: list[BatchJob], settings: Settings, run: RunInfo, index: KeyLookup, count: int
) -> Iterator[Iterator[BatchOutput]]:
    """Batches as plain calls: in this process, in `count` worker processes, or as tasks on
    the Dask cluster the settings name."""
    if settings.dask_address:
        with _cluster_batches(jobs, settings, run) as outputs:
            yield outputs
        return
    step = functools.partial(process_batch_step, settings=settings, run=run, index=index)
    if count == 1:
        yield (step(job) for job in jobs)
        return
    outputs = workers.map_in_processes(step, jobs, count, pipeline_to_load(settings))
    try:
        yield outputs
    finally:
        outputs.close()  # an early exit terminates the workers


@contextlib.contextmanager
def _cluster_batches(
    jobs: list[BatchJob], settings: Settings, run: RunInfo
) -> Iterator[Iterator[BatchOutput]]:
    """Batches as plain `distributed` tasks on an existing cluster: no Prefect engine in the
    way, so a task costs the scheduler's 1-2 ms, not a task run's 60-80 ms."""
    if not jobs:  # nothing to read: no need for the cluster
        yield iter(())
        return
    from flows import cluster  # noqa: PLC0415 - distributed loads only for cluster runs

    jobs, index = cluster_jobs(jobs, settings)
    step = functools.partial(process_batch_step, settings=settings, run=run, index=index)
    keys = [batch_key(run, job) for job in jobs]
    with cluster.connect(settings.dask_address) as client:
        refs = [ref for job in jobs for ref in job.refs]
        cluster.prepare(client, pipeline_to_load(settings), Path(jobs[0].staging), refs)
        with cluster.batches_on_cluster(client, step, jobs, keys) as outputs:
            yield outputs


def cluster_jobs(jobs: list[BatchJob], settings: Settings) -> tuple[list[BatchJob], KeyLookup]:
    """The jobs and the index as a worker with another working directory needs them: absolute
    paths to read inputs, stage rows and look up doc_ids (rows keep the inputs' paths as
    given), and a check of those paths first. (A warehouse URI's index is its key table, which
    a worker opens by the URI; its staging folder is on the calling machine, so its workers
    must share that machine's file system too, and the path check says so when they do not.)"""
    portable = [
        replace(
            job,
            refs=tuple(sources.SourceRef(r.uri, os.path.abspath(r.uri)) for r in job.refs),
            staging=os.path.abspath(job.staging),
            on_cluster=True,
        )
        for job in jobs
    ]
    if settings.warehouse_uri is not None:
        return portable, lake_index(settings.warehouse_uri)
    return portable, open_index(settings.warehouse.absolute())


def batch_key(run: RunInfo, job: BatchJob) -> str:
    """The name of a batch's task on a Dask cluster: the dashboard groups tasks by the part
    before the run id ("process-batch")."""
    return f"process-batch-{run.run_id}-{job.number:06d}"


@dataclass(frozen=True, slots=True)
class Steps:
    """How a run's steps are called: plain functions here, Prefect tasks in flows.flow."""

    batches: BatchRunner
    commit: Callable[
        [Settings, list[StagedBatch], RunInfo, list[InputSeen], RunRecord], dict[str, int]
    ]
    # The run's figures (rows of a table) and its summary line, once it is committed.
    report: Callable[[str, list[dict[str, object]], str], None]
    flow_run_id: Callable[[], str | None]


def _log_report(run_id: str, figures: list[dict[str, object]], line: str) -> None:
    del run_id, figures
    _log.info(line)


PLAIN_STEPS = Steps(_plain_batches, _commit_retrying, _log_report, lambda: None)


def ingest_refs(
    refs: Sequence[sources.SourceRef],
    settings: Settings,
    progress: Progress | None = None,
    *,
    steps: Steps = PLAIN_STEPS,
) -> RunSummary:
    """The body of every ingest (ad hoc and scheduled): batches, then one commit.

    Inputs whose path, size and mtime are as when they were last read are skipped unopened;
    the others are read and hashed, and only bytes the warehouse does not hold are parsed."""
    with interrupts.handled():
        return _ingest_refs(refs, settings, progress, steps)


def _ingest_refs(
    refs: Sequence[sources.SourceRef],
    settings: Settings,
    progress: Progress | None,
    steps: Steps,
) -> RunSummary:
    started = datetime.now(UTC)
    clock = time.perf_counter()
    run = RunInfo(f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", started)
    index: KeyLookup
    if settings.warehouse_uri is None:
        index, staging_in = open_index(settings.warehouse), settings.warehouse
    else:
        # Object storage has no rename or link: batches stage on this machine, and the commit
        # uploads the rows once (flows.store.location.staging_root).
        uri = settings.warehouse_uri
        index, staging_in = lake_index(uri), staging_root(uri)
    unchanged = index.unchanged(sources.stat_sources(refs))
    todo = [ref for ref in refs if ref.uri not in unchanged]
    report = progress or _no_progress
    skipped = len(refs) - len(todo)
    done = skipped
    report(done, len(refs))
    timing = {"stat": time.perf_counter() - clock}
    staged: list[StagedBatch] = []
    seen: list[InputSeen] = []
    reasons: Counter[str] = Counter()
    processes: set[int] = set()
    with staging_area(staging_in, run.run_id) as staging:
        jobs = [
            BatchJob(batch, number, str(staging))
            for number, batch in enumerate(sources.iter_batches(todo, settings.batch_size))
        ]
        count = workers.effective_workers(settings.workers, len(jobs))
        with steps.batches(jobs, settings, run, index, count) as outputs:
            for job, out in zip(jobs, outputs, strict=True):
                staged.append(out.staged)
                seen.extend(out.seen)
                skipped += out.skipped
                reasons.update(out.reasons)
                processes.add(out.process)
                for stage, spent in out.seconds.items():
                    timing[stage] = timing.get(stage, 0.0) + spent
                done += len(job.refs)
                report(done, len(refs))
        record = RunRecord(
            run_id=run.run_id,
            started_at=started,
            parameters=_parameters(settings),
            inputs_seen=len(refs),
            inputs_skipped=skipped,
            pipeline_version=__version__,
            flow_run_id=steps.flow_run_id(),
        )
        start = time.perf_counter()
        added = steps.commit(settings, staged, run, seen, record)
        timing["commit"] = time.perf_counter() - start
    figures = _figures(added, reasons, skipped, timing)
    figures.append({"what": "worker processes", "value": len(processes)})
    steps.report(run.run_id, figures, _log_line(run.run_id, added, skipped))
    return RunSummary(
        run.run_id, warehouse_location(settings), len(refs), skipped, added, len(processes)
    )


def run_ingest(
    paths: Sequence[str], settings: Settings, progress: Progress | None = None
) -> RunSummary:
    """Find the inputs (a path that names nothing is a usage error, raised before any run
    starts), then run them: as a flow run on the configured Prefect server, or in this process
    when there is none."""
    refs = sources.discover_sources(list(paths))
    if prefect_server_configured():
        from flows.flow import ingest  # noqa: PLC0415 - Prefect only when a server is there

        return ingest(list(refs), settings, progress)
    return ingest_refs(refs, settings, progress)


def prefect_server_configured() -> bool:
    """Whether runs go to a Prefect server: PREFECT_API_URL in the environment, or set by a
    Prefect profile or settings file (then Prefect itself is asked, at the cost of importing
    its settings; without any such file the answer needs no import)."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    candidates = [profiles, *(Path(name) for name in _PREFECT_SETTINGS_FILES)]
    if not any(_mentions_api(path) for path in candidates):
        return False
    from prefect.settings import get_current_settings  # noqa: PLC0415

    return bool(get_current_settings().api.url)


def _mentions_api(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(marker in text for marker in _API_MARKERS)


def _figures(
    added: dict[str, int], reasons: Counter[str], skipped: int, timing: dict[str, float]
) -> list[dict[str, object]]:
    """The run's figures, as the rows of its Prefect table artifact (shown in the UI)."""
    rows: list[dict[str, object]] = [
        {"what": f"rows added: {name}", "value": count} for name, count in added.items()
    ]
    rows += [{"what": f"rejects: {reason}", "value": n} for reason, n in sorted(reasons.items())]
    rows.append({"what": "inputs skipped", "value": skipped})
    rows += [{"what": f"seconds: {stage}", "value": round(s, 3)} for stage, s in timing.items()]
    return rows


def _log_line(run_id: str, added: dict[str, int], skipped: int) -> str:
    return f"run {run_id} added {json.dumps(added, sort_keys=True)}; skipped {skipped} inputs"


def _parameters(settings: Settings) -> str:
    values = {f.name: getattr(settings, f.name) for f in fields(settings)}
    return json.dumps(values, default=str, sort_keys=True)


def pipeline_to_load(settings: Settings) -> str | None:
    """The spaCy pipeline a worker loads when it starts (None when no stage needs it)."""
    needed = settings.extract_entities or settings.extract_quotes
    return settings.nlp_pipeline if needed else None


def _no_progress(done: int, total: int) -> None:
    del done, total
