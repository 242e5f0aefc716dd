"""Scheduled runs: a flow that ingests an inbox folder, served on a schedule or deployed to a pool.

`newsdesk serve` registers `ingest_inbox` as a deployment on a Prefect server and starts its
scheduled runs from this process (Prefect's `serve`); `prefect.yaml` at the top level defines the
same flow as a deployment for a process work pool. Either way a run's parameters are plain
JSON (the inbox as a string, the settings as an object), so the server can store them, show
them in its UI and hand them to whatever process runs the flow.
"""

from __future__ import annotations

import os
from datetime import timedelta

from flows.environment import quiet_prefect

quiet_prefect()  # before Prefect is imported: no telemetry, whoever imports this module

from prefect import flow, serve  # noqa: E402 - after the environment is set
from prefect.client.schemas.objects import (  # noqa: E402
    ConcurrencyLimitConfig,
    ConcurrencyLimitStrategy,
)
from prefect.deployments.runner import RunnerDeployment  # noqa: E402
from prefect.schedules import Cron, Interval, Schedule  # noqa: E402
from prefect.settings import get_current_settings  # noqa: E402
from prefect.types.entrypoint import EntrypointType  # noqa: E402

from flows import sources  # noqa: E402
from flows.errors import UsageError  # noqa: E402
from flows.flow import PREFECT_STEPS  # noqa: E402
from flows.run import RunSummary, ingest_refs  # noqa: E402
from flows.settings import Settings  # noqa: E402

FLOW_NAME = "newsdesk-ingest-inbox"
# The deployment `newsdesk serve` registers unless told another name. prefect.yaml names its
# deployment "newsdesk-inbox": the two never overwrite each other on a shared server.
SERVED_DEPLOYMENT = "newsdesk-inbox-served"

# One run at a time per deployment, enforced by the server for every process that runs it (this
# one, or workers). A run that comes due while another is going is cancelled, not queued: every
# run reads the whole inbox, so the next run due ingests whatever the cancelled one would have,
# and a queue could only grow when runs take longer than the interval.
ONE_AT_A_TIME = ConcurrencyLimitConfig(
    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
)


@flow(name=FLOW_NAME, log_prints=False)
def ingest_inbox(inbox: str, settings: Settings) -> RunSummary:
    """Ingest every file under the inbox folder; an empty inbox is a run that adds nothing."""
    return ingest_refs(inbox_sources(inbox), settings, steps=PREFECT_STEPS)


def inbox_sources(inbox: str) -> tuple[sources.SourceRef, ...]:
    """The inbox's files, in sorted order; a missing inbox is an error, an empty one is not."""
    if not os.path.isdir(inbox):
        raise UsageError(f"the inbox is not a directory: {inbox}", path=inbox)
    # An empty inbox is the normal state between deliveries, not a typo on a command line.
    return sources.discover_sources([inbox], empty_ok=True)


def schedule_for(*, cron: str | None, interval: float | None) -> Schedule:
    """The schedule of a served inbox, from exactly one of a cron expression or seconds."""
    if (cron is None) == (interval is None):
        raise UsageError("give exactly one of a cron expression or an interval")
    if interval is not None:
        if interval <= 0:
            raise UsageError(f"the interval must be positive, not {interval}")
        return Interval(timedelta(seconds=interval))
    try:
        return Cron(str(cron))
    except ValueError as exc:
        raise UsageError(f"not a cron expression: {cron!r} ({exc})") from exc


def require_server() -> None:
    """Refuse to serve without a Prefect server: the temporary one Prefect starts when none is
    configured runs no scheduler, so no run would ever come due."""
    if not get_current_settings().api.url:
        raise UsageError(
            "serving needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )


def serve_inbox(
    inbox: str, settings: Settings, schedule: Schedule, *, name: str = SERVED_DEPLOYMENT
) -> None:
    """Register (or update) the deployment `name` with this schedule and run its scheduled runs
    here until interrupted.

    Registering the same name again on a restart updates the same deployment, so its schedule,
    history and id carry over. On a clean stop Prefect pauses the schedule, so no runs pile up
    while nothing would run them; the next `serve` sets it active again.
    """
    require_server()
    # Served as a deployment, not with `ingest_inbox.serve`: that one runs each flow run from a
    # cloudpickled copy of the flow, which carries the flow's code by value but not the names
    # its annotations use, so Prefect cannot validate the parameters of the `ingest` subflow
    # there. This way each run is a fresh `python -m prefect.engine` that imports flows.deploy
    # by its module path, as a worker's runs do.
    deployment = RunnerDeployment.from_flow(
        ingest_inbox,
        name=name,
        schedule=schedule,
        parameters={"inbox": inbox, "settings": settings},
        concurrency_limit=ONE_AT_A_TIME,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    serve(deployment, print_starting_message=False)
