"""The one frozen settings object: CLI flags > environment (NEWSDESK_*) > defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from flows.errors import UsageError
from flows.nlp import DEFAULT_PIPELINE

ENV_PREFIX = "NEWSDESK_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# A scheduler address as distributed takes it: protocol, host (a name, IPv4 or [IPv6]), port.
_SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}")
# A warehouse given with a scheme (s3://bucket/prefix, file:///abs/path...) is a URI of an
# object store, written as Delta tables (flows.store.lake); any other value is a directory.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run may be told; built once at the edge and passed down as a value."""

    warehouse: Path = Path("warehouse")
    # Set instead of `warehouse` when the warehouse is given as a URI (see _URI): then it is the
    # warehouse, and `warehouse` is unused. Credentials never live here (flows.store.location).
    warehouse_uri: str | None = None
    # Documents per Prefect task: large enough that engine overhead vanishes next to the NLP
    # (about 1 s per seed-sized article), small enough that progress moves and retries are cheap.
    batch_size: int = 16
    # Worker processes for a run's batches; 0 means one per core, fewer if memory is short
    # (flows.workers.default_workers). A run never starts more workers than it has batches, and
    # with one it runs its batches in its own process.
    workers: int = 0
    # The scheduler of an existing Dask cluster ("tcp://HOST:PORT"): the run's batches go to its
    # workers (flows.cluster) instead of local processes; empty means no cluster.
    dask_address: str = ""
    # 32 MiB: above the 20 MB pages seen in the wild, below anything that hurts a 2-core worker.
    max_bytes: int = 32 * 1024 * 1024
    nlp_pipeline: str = DEFAULT_PIPELINE
    extract_entities: bool = True
    extract_quotes: bool = True
    # Seconds a superseded snapshot stays readable for readers that pinned it (see
    # flows.store.warehouse): 15 minutes covers a long analytic query.
    snapshot_grace_seconds: int = 900
    # Per-document budget (flows.budget): a document that takes longer, or grows the process's
    # memory by more, becomes a `too_complex` reject. Natural articles take well under a second
    # and a few MiB; 1 MB of real news in one file takes about 20 s and 300 MiB. The memory
    # budget also bounds a run's peak: about its baseline (the model, 0.5 GiB) plus this.
    doc_time_budget_seconds: int = 120
    doc_memory_budget_mb: int = 1024

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise UsageError(f"batch size must be at least 1, not {self.batch_size}")
        if self.workers < 0:
            raise UsageError(f"workers must be 0 (one per core) or more, not {self.workers}")
        if self.dask_address and not _SCHEDULER_ADDRESS.fullmatch(self.dask_address):
            raise UsageError(
                f"not a Dask scheduler address: {self.dask_address!r} (e.g. tcp://HOST:8786)"
            )
        if self.dask_address and self.workers:
            # The cluster's workers run the batches; a local pool size would be ignored.
            raise UsageError("--workers and --dask-address exclude each other")
        if self.max_bytes < 1:
            raise UsageError(f"max bytes must be at least 1, not {self.max_bytes}")
        if self.doc_time_budget_seconds < 1 or self.doc_memory_budget_mb < 1:
            raise UsageError("document budgets must be at least 1 second and 1 MiB")
        if self.warehouse_uri is not None and not _URI.match(self.warehouse_uri):
            raise UsageError(f"not a warehouse URI: {self.warehouse_uri!r}")
        if self.snapshot_grace_seconds < 0:
            raise UsageError(
                f"snapshot grace must be 0 seconds or more, not {self.snapshot_grace_seconds}"
            )


def warehouse_location(settings: Settings) -> str:
    """The warehouse as the user named it: its URI, or its directory."""
    return settings.warehouse_uri or str(settings.warehouse)


def load_settings(
    overrides: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings from overrides (CLI flags; None means "not given"), then NEWSDESK_* variables,
    then defaults. Unknown override names and malformed variables are usage errors."""
    env = os.environ if env is None else env
    known = {field.name: field.default for field in fields(Settings)}
    unknown = sorted(set(overrides or {}) - set(known))
    if unknown:
        raise UsageError(f"unknown setting(s): {', '.join(unknown)}")
    values: dict[str, object] = {}
    for name, default in known.items():
        raw = env.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None:
            values[name] = _coerce(name, raw, default)
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = value
    if "warehouse" in values:
        location = str(values.pop("warehouse"))
        if _URI.match(location):
            values["warehouse_uri"] = location.rstrip("/")
        else:
            values["warehouse"] = Path(location)
            values.pop("warehouse_uri", None)  # the directory named last (a flag) wins
    return Settings(**values)  # type: ignore[arg-type]


def _coerce(name: str, raw: str, default: object) -> object:
    variable = f"{ENV_PREFIX}{name.upper()}"
    if isinstance(default, bool):
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise UsageError(f"{variable} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"{variable} must be an integer, not {raw!r}") from None
    return raw
