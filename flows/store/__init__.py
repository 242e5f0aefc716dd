"""The warehouse: table contracts from schemas/, Arrow tables, and the atomic commit."""

from flows.store.index import Index
from flows.store.schema import TABLES, load_spec
from flows.store.staging import StagedBatch, stage_tables, staging_area
from flows.store.tables import RunInfo, build_tables
from flows.store.validate import Report, validate
from flows.store.warehouse import (
    DEFAULT_GRACE_SECONDS,
    CompactResult,
    commit,
    compact,
    open_index,
    pinned_snapshot,
)

__all__ = [
    "DEFAULT_GRACE_SECONDS",
    "TABLES",
    "CompactResult",
    "Index",
    "Report",
    "RunInfo",
    "StagedBatch",
    "build_tables",
    "commit",
    "compact",
    "load_spec",
    "open_index",
    "pinned_snapshot",
    "stage_tables",
    "staging_area",
    "validate",
]
