"""The warehouse: table contracts from schemas/, Arrow tables, and the atomic commit."""

from flows.store.schema import TABLES
from flows.store.tables import RunInfo, build_tables
from flows.store.warehouse import commit, existing_keys

__all__ = ["TABLES", "RunInfo", "build_tables", "commit", "existing_keys"]
