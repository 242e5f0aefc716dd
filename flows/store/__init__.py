"""The warehouse: table contracts from schemas/, Arrow tables, and the atomic commit."""

from flows.store.index import Index, KeyLookup
from flows.store.lake import commit as commit_lake
from flows.store.lake import lake_index
from flows.store.lake_compact import compact as compact_lake
from flows.store.location import is_uri, staging_root
from flows.store.readers import read_tables
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
    "KeyLookup",
    "Report",
    "RunInfo",
    "StagedBatch",
    "build_tables",
    "commit",
    "commit_lake",
    "compact",
    "compact_lake",
    "is_uri",
    "lake_index",
    "load_spec",
    "open_index",
    "pinned_snapshot",
    "read_tables",
    "stage_tables",
    "staging_area",
    "staging_root",
    "validate",
]
