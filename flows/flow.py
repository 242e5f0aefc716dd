"""The Prefect layer: a flow that reads inputs in batches, runs a task per batch, then commits."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

# No network at run time: Prefect's embedded server and client would otherwise send telemetry.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import pyarrow as pa
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import sources
from flows.nlp import get_nlp
from flows.pipeline import process_batch
from flows.settings import Settings, load_settings
from flows.store import TABLES, RunInfo, build_tables, commit, existing_keys

ProgressHook = Callable[[int, int], None]  # (inputs done so far, inputs in all)
_progress_hook: ProgressHook | None = None


def set_progress_hook(hook: ProgressHook | None) -> None:
    """Let the CLI draw a progress bar; scheduled runs leave it unset."""
    global _progress_hook  # noqa: PLW0603 - one hook per process, set by the CLI only
    _progress_hook = hook


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
    paths: list[str],
    *,
    warehouse_dir: str | None = None,
    batch_size: int | None = None,
    extract_entities: bool | None = None,
    extract_quotes: bool | None = None,
    nlp_pipeline: str | None = None,
) -> dict[str, Any]:
    """Ingest files, directories and globs into the warehouse; returns a summary."""
    settings = load_settings(
        {
            "warehouse": warehouse_dir,
            "batch_size": batch_size,
            "extract_entities": extract_entities,
            "extract_quotes": extract_quotes,
            "nlp_pipeline": nlp_pipeline,
        }
    )
    return run_ingest(paths, settings)


def run_ingest_flow_with_settings(paths: Sequence[str], settings: Settings) -> dict[str, Any]:
    """Run the flow with an already-built Settings (the CLI's entry)."""
    sources.discover_sources(list(paths))  # a path that names nothing is a usage error, not a run
    return ingest(
        list(paths),
        warehouse_dir=str(settings.warehouse),
        batch_size=settings.batch_size,
        extract_entities=settings.extract_entities,
        extract_quotes=settings.extract_quotes,
        nlp_pipeline=settings.nlp_pipeline,
    )


def run_ingest(paths: Sequence[str], settings: Settings) -> dict[str, Any]:
    """The flow body, callable from inside any flow (the scheduled one reuses it)."""
    started = datetime.now(UTC)
    run = RunInfo(f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", started)
    refs = sources.discover_sources(list(paths))
    known = existing_keys(settings.warehouse)
    parts: list[dict[str, pa.Table]] = []
    skipped = done = 0
    _report(0, len(refs))
    for batch in sources.iter_batches(refs, settings.batch_size):
        tables, batch_skipped = process_batch_task(batch, settings, run, known)
        parts.append(tables)
        skipped += batch_skipped
        done += len(batch)
        _report(done, len(refs))
    merged = {name: pa.concat_tables([p[name] for p in parts]) for name in TABLES} if parts else {}
    added = commit_task(settings, merged, run) if merged else dict.fromkeys(TABLES, 0)
    return {
        "run_id": run.run_id,
        "warehouse": str(settings.warehouse),
        "inputs": len(refs),
        "unchanged": skipped,
        **{name: added[name] for name in TABLES},
    }


def _report(done: int, total: int) -> None:
    if _progress_hook is not None:
        _progress_hook(done, total)
