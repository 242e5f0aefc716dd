"""The Prefect layer: the ingest as a flow run, with a task run per batch and one for the commit.

flows.run holds the run's body; here its steps become Prefect tasks (and batches, with more than
one worker, tasks on a ProcessPoolTaskRunner, or with a Dask address, tasks on prefect-dask's
DaskTaskRunner connected to that cluster), its figures a table artifact and its summary a
line of the flow run's log. `flows.run.run_ingest` comes here only when a Prefect server is
configured, so a run without one never imports Prefect.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.environment import quiet_prefect

quiet_prefect()  # before Prefect is imported: no telemetry, whoever imports this module

from prefect import flow, get_run_logger, task  # noqa: E402 - after the environment is set
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run as prefect_flow_run  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner  # noqa: E402

from flows import sources, workers  # noqa: E402
from flows.errors import ClusterError  # noqa: E402
from flows.run import (  # noqa: E402
    COMMIT_RETRIES,
    COMMIT_RETRY_SECONDS,
    BatchJob,
    BatchOutput,
    Progress,
    RunSummary,
    Steps,
    cluster_jobs,
    commit_step,
    ingest_refs,
    pipeline_to_load,
    process_batch_step,
)
from flows.settings import Settings  # noqa: E402
from flows.store import KeyLookup, RunInfo  # noqa: E402

# Each run's figures are a table artifact under this key: the UI lists a key's history.
ARTIFACT_KEY = "newsdesk-run"

# Prefect's default cache policy would hash the inputs and could skip a batch whose rows a
# failed run staged and lost, so caching is off. No retries: parsing is not transient.
process_batch_task = task(name="process-batch", cache_policy=NO_CACHE)(process_batch_step)
# Retries are safe: the commit drops keys the index already holds, the run's own row included.
commit_task = task(
    name="commit",
    cache_policy=NO_CACHE,
    retries=COMMIT_RETRIES,
    retry_delay_seconds=COMMIT_RETRY_SECONDS,
)(commit_step)


@contextlib.contextmanager
def _prefect_batches(
    jobs: list[BatchJob], settings: Settings, run: RunInfo, index: KeyLookup, count: int
) -> Iterator[Iterator[BatchOutput]]:
    """Batches as Prefect task runs of this flow run: called one after another, submitted to a
    ProcessPoolTaskRunner of `count` worker processes, or to the Dask cluster the settings
    name through prefect-dask's DaskTaskRunner."""
    if settings.dask_address:
        with _dask_batches(jobs, settings, run) as outputs:
            yield outputs
        return
    if count == 1:
        yield (process_batch_task(job, settings, run, index) for job in jobs)
        return
    arguments = {"settings": settings, "run": run, "index": index}
    runner = ProcessPoolTaskRunner(
        max_workers=count,
        initializer=workers.start_worker,
        initargs=(pipeline_to_load(settings),),
    )
    with runner:
        futures = [runner.submit(process_batch_task, {"job": job, **arguments}) for job in jobs]
        try:
            yield (future.result() for future in futures)
        except BaseException:
            # Leaving the runner waits for running tasks; on an error or a signal the run
            # stops now.
            _terminate_pool(runner)
            raise


@contextlib.contextmanager
def _dask_batches(
    jobs: list[BatchJob], settings: Settings, run: RunInfo
) -> Iterator[Iterator[BatchOutput]]:
    """Batches as task runs on an existing Dask cluster: the workers are checked and the
    pipeline loaded on them (flows.cluster.prepare) before the first batch is submitted."""
    if not jobs:
        yield iter(())
        return
    # Importing distributed costs as much as a third of importing Prefect: only runs sent to a
    # cluster pay it.
    from prefect_dask.task_runners import DaskTaskRunner  # noqa: PLC0415

    from flows import cluster  # noqa: PLC0415

    jobs, index = cluster_jobs(jobs, settings)
    arguments = {"settings": settings, "run": run, "index": index}
    runner = DaskTaskRunner(
        address=settings.dask_address,
        client_kwargs={"timeout": cluster.CONNECT_TIMEOUT_SECONDS, "set_as_default": False},
    )
    with runner:
        try:
            client = runner.client
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {settings.dask_address}: {exc}",
                address=settings.dask_address,
            ) from exc
        refs = [ref for job in jobs for ref in job.refs]
        cluster.prepare(client, pipeline_to_load(settings), Path(jobs[0].staging), refs)
        futures = [runner.submit(process_batch_task, {"job": job, **arguments}) for job in jobs]
        try:
            yield (future.result() for future in futures)
        except BaseException:
            client.cancel([future.wrapped_future for future in futures])
            raise


def _artifact_report(run_id: str, figures: list[dict[str, object]], line: str) -> None:
    create_table_artifact(figures, key=ARTIFACT_KEY, description=f"newsdesk run {run_id}")
    get_run_logger().info(line)


def _flow_run_id() -> str | None:
    """The Prefect flow-run id of the running flow, when Prefect tracks it."""
    value = prefect_flow_run.id
    return None if value is None else str(value)


PREFECT_STEPS = Steps(_prefect_batches, commit_task, _artifact_report, _flow_run_id)


@flow(name="newsdesk-ingest", log_prints=False)
def ingest(
    refs: list[sources.SourceRef], settings: Settings, progress: Progress | None = None
) -> RunSummary:
    """Ingest already-discovered inputs into the warehouse; `progress` is told how far it got."""
    return ingest_refs(refs, settings, progress, steps=PREFECT_STEPS)


def _terminate_pool(runner: Any) -> None:
    """End a ProcessPoolTaskRunner's worker processes now (prefect 3.9 has no public way)."""
    executor = getattr(runner, "_executor", None)
    for process in list(getattr(executor, "_processes", {}).values()):
        process.terminate()
