"""The Prefect layer: a flow that reads inputs in batches, runs a task per batch, then commits.

With a Prefect server configured (PREFECT_API_URL), every run is a flow run on it, with its task
runs, logs and artifact. Without one, `run_ingest` runs the same body in this process with the
same steps as plain calls: Prefect's temporary server would cost 15-20 CPU-seconds a run (its
imports and database start-up) to record a run that nobody can see once it stops. Either way the
run is a row of the `runs` table, committed with its rows.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from flows.environment import quiet_prefect

quiet_prefect()  # before Prefect is imported: no telemetry, whoever imports this module

import pyarrow as pa  # noqa: E402 - after the environment is set
from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run as prefect_flow_run  # noqa: E402
from prefect.settings import get_current_settings  # noqa: E402

from flows import __version__, interrupts, sources  # noqa: E402
from flows.nlp import get_nlp  # noqa: E402
from flows.pipeline import process_batch  # noqa: E402
from flows.records import InputSeen, RunRecord  # noqa: E402
from flows.settings import Settings  # noqa: E402
from flows.store import TABLES, Index, RunInfo, build_tables, commit, open_index  # noqa: E402

Progress = Callable[[int, int], None]  # (inputs done so far, inputs in all)
# Each run's figures are a table artifact under this key: the UI lists a key's history.
ARTIFACT_KEY = "newsdesk-run"
# Without Prefect, a commit that fails on storage I/O (a transient error) is tried this many more
# times, this many seconds apart: the same as the commit task's retries under Prefect.
COMMIT_RETRIES = 2
COMMIT_RETRY_SECONDS = 2.0
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did: inputs seen, rows added per table, inputs already ingested."""

    run_id: str
    warehouse: str
    inputs: int
    unchanged: int
    added: dict[str, int]


@dataclass(frozen=True, slots=True)
class BatchOutput:
    """What a batch task hands back: its rows, what it skipped and read, seconds per stage."""

    tables: dict[str, pa.Table]
    skipped: int
    seen: tuple[InputSeen, ...]
    seconds: dict[str, float]


def process_batch_step(
    refs: tuple[sources.SourceRef, ...], settings: Settings, run: RunInfo, index: Index
) -> BatchOutput:
    """Read, parse and extract one batch of inputs; look up only its own doc_ids."""
    start = time.perf_counter()
    raws, read_rejects = sources.read_sources(refs, max_bytes=settings.max_bytes)
    read = time.perf_counter() - start
    result = process_batch(raws, settings, get_nlp, known=lambda ids: index.known("documents", ids))
    result = result.with_rejects(read_rejects)
    start = time.perf_counter()
    tables = build_tables([result], run)
    seconds = {"read": read, **result.seconds, "tables": time.perf_counter() - start}
    return BatchOutput(tables, result.skipped, result.seen, seconds)


def commit_step(
    settings: Settings,
    tables: dict[str, pa.Table],
    run: RunInfo,
    seen: list[InputSeen],
    record: RunRecord,
) -> dict[str, int]:
    """Commit the run's rows, its inputs' stats and its `runs` row in one atomic step."""
    done = commit(
        settings.warehouse,
        tables,
        run_id=run.run_id,
        partition=run.started_at.date(),
        inputs=seen,
        run=record,
        grace_seconds=settings.snapshot_grace_seconds,
    )
    return done.added


# Inputs are hashed by Prefect's default cache policy; batches can be large and hold bytes, and a
# cached batch would skip a commit, so caching is off. No retries: parsing is not transient.
process_batch_task = task(name="process-batch", cache_policy=NO_CACHE)(process_batch_step)
# Retries are safe: the commit drops keys the index already holds, the run's own row included.
commit_task = task(
    name="commit", cache_policy=NO_CACHE, retries=COMMIT_RETRIES, retry_delay_seconds=2
)(commit_step)


def _commit_retrying(
    settings: Settings,
    tables: dict[str, pa.Table],
    run: RunInfo,
    seen: list[InputSeen],
    record: RunRecord,
) -> dict[str, int]:
    """commit_step with the commit task's retries, for runs without Prefect; only storage I/O
    errors are retried (a schema or logic error would fail the same way again)."""
    for attempt in range(COMMIT_RETRIES + 1):
        try:
            return commit_step(settings, tables, run, seen, record)
        except OSError as exc:
            if attempt == COMMIT_RETRIES:
                raise
            _log.warning("commit failed (%s); trying again", exc)
            time.sleep(COMMIT_RETRY_SECONDS)
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class Steps:
    """How a run's steps are called: as Prefect tasks inside a flow, or as plain functions."""

    process: Callable[[tuple[sources.SourceRef, ...], Settings, RunInfo, Index], BatchOutput]
    commit: Callable[
        [Settings, dict[str, pa.Table], RunInfo, list[InputSeen], RunRecord], dict[str, int]
    ]
    orchestrated: bool


PREFECT_STEPS = Steps(process_batch_task, commit_task, orchestrated=True)
PLAIN_STEPS = Steps(process_batch_step, _commit_retrying, orchestrated=False)


@flow(name="newsdesk-ingest", log_prints=False)
def ingest(
    refs: list[sources.SourceRef], settings: Settings, progress: Progress | None = None
) -> RunSummary:
    """Ingest already-discovered inputs into the warehouse; `progress` is told how far it got."""
    return ingest_refs(refs, settings, progress)


def ingest_refs(
    refs: Sequence[sources.SourceRef],
    settings: Settings,
    progress: Progress | None = None,
    *,
    steps: Steps = PREFECT_STEPS,
) -> RunSummary:
    """The body of every ingest flow (ad hoc and scheduled): batches as tasks, then one commit.

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
    index = open_index(settings.warehouse)
    unchanged = index.unchanged(sources.stat_sources(refs))
    todo = [ref for ref in refs if ref.uri not in unchanged]
    report = progress or _no_progress
    parts: list[dict[str, pa.Table]] = []
    seen: list[InputSeen] = []
    skipped = len(refs) - len(todo)
    done = skipped
    report(done, len(refs))
    timing = {"stat": time.perf_counter() - clock}
    for batch in sources.iter_batches(todo, settings.batch_size):
        out = steps.process(batch, settings, run, index)
        parts.append(out.tables)
        seen.extend(out.seen)
        skipped += out.skipped
        for stage, spent in out.seconds.items():
            timing[stage] = timing.get(stage, 0.0) + spent
        done += len(batch)
        report(done, len(refs))
    merged = {name: pa.concat_tables([p[name] for p in parts]) for name in TABLES} if parts else {}
    record = RunRecord(
        run_id=run.run_id,
        started_at=started,
        parameters=_parameters(settings),
        inputs_seen=len(refs),
        inputs_skipped=skipped,
        pipeline_version=__version__,
        flow_run_id=_flow_run_id(),
    )
    start = time.perf_counter()
    added = steps.commit(settings, merged, run, seen, record)
    timing["commit"] = time.perf_counter() - start
    rejects = merged["rejects"]["reason"].to_pylist() if merged else []
    figures = _figures(added, Counter(rejects), skipped, timing)
    if steps.orchestrated:
        create_table_artifact(figures, key=ARTIFACT_KEY, description=f"newsdesk run {run.run_id}")
        get_run_logger().info(_log_line(run.run_id, added, skipped))
    else:
        _log.info(_log_line(run.run_id, added, skipped))
    return RunSummary(run.run_id, str(settings.warehouse), len(refs), skipped, added)


def run_ingest(
    paths: Sequence[str], settings: Settings, progress: Progress | None = None
) -> RunSummary:
    """Find the inputs (a path that names nothing is a usage error, raised before any run
    starts), then run them: as a flow run on the configured Prefect server, or in this process
    when there is none."""
    refs = sources.discover_sources(list(paths))
    if prefect_server_configured():
        return ingest(list(refs), settings, progress)
    return ingest_refs(refs, settings, progress, steps=PLAIN_STEPS)


def prefect_server_configured() -> bool:
    """Whether runs go to a Prefect server (PREFECT_API_URL, or a Prefect profile that sets it)."""
    return bool(get_current_settings().api.url)


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


def _flow_run_id() -> str | None:
    """The Prefect flow-run id of the running flow, when Prefect tracks it."""
    value = prefect_flow_run.id
    return None if value is None else str(value)


def _no_progress(done: int, total: int) -> None:
    del done, total
