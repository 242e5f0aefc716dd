"""The one place newsdesk writes process environment variables: Prefect's telemetry and logs.

Prefect reads its settings from the environment, so these must be set before it is imported:
`flows.flow` calls `quiet_prefect()` at import time (scheduled runs and workers import it
directly), and the CLI calls it first with the user's verbosity. Values a user has set win.
"""

from __future__ import annotations

import logging
import os

# No network at run time: Prefect's embedded server and client would otherwise send telemetry.
_TELEMETRY_OFF = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
# With no server configured Prefect starts a temporary one and gives up after 20 s; on a busy
# 2-core machine (seen: load 6 while tests ran beside a run) it needs longer, and a run that
# fails for that reason has done nothing wrong.
_EPHEMERAL_STARTUP = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
# Libraries that warn once per page without an article: the rejects table already says so.
_CHATTY_LOGGERS = ("trafilatura", "htmldate", "courlan")


def quiet_prefect(*, verbose: bool = True) -> None:
    """Telemetry off and patience with a slow temporary server; unless verbose, Prefect's own
    logs at WARNING and chatty libraries quiet."""
    for name, value in {**_TELEMETRY_OFF, **_EPHEMERAL_STARTUP}.items():
        os.environ.setdefault(name, value)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        for name in _CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
