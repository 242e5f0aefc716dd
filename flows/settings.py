"""The one frozen settings object: CLI flags > environment (NEWSDESK_*) > defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from flows.errors import UsageError
from flows.nlp import DEFAULT_PIPELINE

PARTITION_COLUMNS = ("ingest_date",)  # the partitionings we know how to write safely


@dataclass(frozen=True, slots=True)
class Settings:
    warehouse: Path = Path("warehouse")
    # Documents per Prefect task: large enough that engine overhead vanishes next to the NLP
    # (about 1 s per seed-sized article), small enough that progress moves and retries are cheap.
    batch_size: int = 16
    # 32 MiB: above the 20 MB pages seen in the wild, below anything that hurts a 2-core worker.
    max_bytes: int = 32 * 1024 * 1024
    partition_by: str = "ingest_date"
    nlp_pipeline: str = DEFAULT_PIPELINE
    extract_entities: bool = True
    extract_quotes: bool = True

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise UsageError(f"batch size must be at least 1, not {self.batch_size}")
        if self.max_bytes < 1:
            raise UsageError(f"max bytes must be at least 1, not {self.max_bytes}")
        if self.partition_by not in PARTITION_COLUMNS:
            raise UsageError(
                f"unknown partition column {self.partition_by!r}; choose from {PARTITION_COLUMNS}"
            )


def load_settings(
    overrides: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings from overrides (CLI flags), then NEWSDESK_* variables, then defaults."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    for field in fields(Settings):
        raw = env.get(f"NEWSDESK_{field.name.upper()}")
        if raw is not None:
            values[field.name] = _coerce(field.name, raw, field.default)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    if "warehouse" in values:
        values["warehouse"] = Path(str(values["warehouse"]))
    return Settings(**values)  # type: ignore[arg-type]


def _coerce(name: str, raw: str, default: object) -> object:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise UsageError(f"NEWSDESK_{name.upper()} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"NEWSDESK_{name.upper()} must be an integer, not {raw!r}") from None
    return raw
