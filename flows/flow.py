"""The Prefect layer: a flow that reads inputs in batches, runs a task per batch, then commits."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flows.environment import quiet_prefect

quiet_prefect()  # before Prefect is imported: no telemetry, whoever imports this module

import pyarrow as pa  # noqa: E402 - after the environment is set
from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows import sources  # noqa: E402
from flows.nlp import get_nlp  # noqa: E402
from flows.pipeline import process_batch  # noqa: E402
from flows.settings import Settings  # noqa: E402
from flows.store import TABLES, RunInfo, build_tables, commit, existing_keys  # noqa: E402

Progress = Callable[[int, int], None]  # (inputs done so far, inputs in all)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did: inputs seen, rows added per table, inputs already ingested."""

    run_id: str
    warehouse: str
    inputs: int
    unchanged: int
    added: dict[str, int]


# Inputs are hashed by Prefect's default cache policy; batches can be large and hold bytes, and a
# cached batch would skip a commit, so caching is off. No retries: parsing is not transient.
@task(name="process-batch", cache_policy=NO_CACHE)
def process_batch_task(
    refs: tuple[sources.SourceRef, ...], settings: Settings, run: RunInfo, skip: frozenset[str]
) -> tuple[dict[str, pa.Table], int]:
    raws, read_rejects = sources.read_sources(refs, max_bytes=settings.max_bytes)
    result = process_batch(raws, settings, get_nlp, skip_ids=skip)
    result = result.with_rejects(read_rejects)
    return build_tables([result], run), result.skipped


@task(name="commit", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def commit_task(settings: Settings, tables: dict[str, pa.Table], run: RunInfo) -> dict[str, int]:
    done = commit(settings.warehouse, tables, run_id=run.run_id, partition=run.started_at.date())
    return done.added


@flow(name="newsdesk-ingest", log_prints=False)
def ingest(
    refs: list[sources.SourceRef], settings: Settings, progress: Progress | None = None
) -> RunSummary:
    """Ingest already-discovered inputs into the warehouse; `progress` is told how far it got."""
    started = datetime.now(UTC)
    run = RunInfo(f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", started)
    known = existing_keys(settings.warehouse)
    report = progress or _no_progress
    parts: list[dict[str, pa.Table]] = []
    skipped = done = 0
    report(0, len(refs))
    for batch in sources.iter_batches(refs, settings.batch_size):
        tables, batch_skipped = process_batch_task(batch, settings, run, known)
        parts.append(tables)
        skipped += batch_skipped
        done += len(batch)
        report(done, len(refs))
    merged = {name: pa.concat_tables([p[name] for p in parts]) for name in TABLES} if parts else {}
    added = commit_task(settings, merged, run) if merged else dict.fromkeys(TABLES, 0)
    return RunSummary(run.run_id, str(settings.warehouse), len(refs), skipped, added)


def run_ingest(
    paths: Sequence[str], settings: Settings, progress: Progress | None = None
) -> RunSummary:
    """Find the inputs (a path that names nothing is a usage error, raised before any run
    starts), then run the flow over them."""
    refs = sources.discover_sources(list(paths))
    return ingest(list(refs), settings, progress)


def _no_progress(done: int, total: int) -> None:
    del done, total
