"""The warehouse: table contracts from schemas/, Arrow tables, and the atomic commit."""

from flows.store.index import Index
from flows.store.schema import TABLES
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
    "build_tables",
    "commit",
    "compact",
    "open_index",
    "pinned_snapshot",
    "validate",
]
