"""The base relations of a DuckDB session: one view per warehouse table, from one pinned snapshot.

Every query, view, report and stat starts from `register_tables`, the one place that knows where
a warehouse's rows are. A local warehouse is read from the snapshot current when the session
opens (`flows.store.pinned_snapshot`), so that all the tables, and every view built on them, show
one committed state: a commit or a compaction meanwhile changes nothing the session sees (for the
warehouse's grace period, 15 minutes by default). Tables are read with hive partitioning, typed
partition columns (`ingest_date` a DATE) and `union_by_name`, so files written by older schema
versions still read. A table with no file yet is an empty view with the schema's columns.
A warehouse held elsewhere (object storage) hands its tables over as Arrow datasets:
`register_datasets` makes the same views of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from flows.analyst.words import PARTITION_GLOB
from flows.errors import UsageError
from flows.store import TABLES, is_uri, load_spec, pinned_snapshot, read_tables

# Partition column types of schemas/, in Arrow and in DuckDB: a partition value lives in the
# path, so without them a reader would see `ingest_date` as a string (or a pandas category).
_ARROW_TYPES = {"date32": pa.date32(), "string": pa.string(), "int64": pa.int64()}
_SQL_TYPES = {"date32": "DATE", "string": "VARCHAR", "int64": "BIGINT"}


@dataclass(frozen=True, slots=True)
class TableFiles:
    """The Parquet files of one table in the pinned snapshot, in path order."""

    name: str
    files: tuple[Path, ...]
    snapshot: Path | None  # None: nothing committed yet


def snapshot_of(warehouse: Path) -> Path | None:
    """The pinned snapshot of a local warehouse (None when nothing was committed yet); a folder
    that is missing or not a warehouse is a usage error (exit code 2)."""
    if not warehouse.is_dir():
        raise UsageError(f"no such warehouse folder: {warehouse}", path=str(warehouse))
    if not (warehouse / ".newsdesk").is_dir():
        raise UsageError(f"not a newsdesk warehouse: {warehouse}", path=str(warehouse))
    return pinned_snapshot(warehouse)


def table_files(snapshot: Path | None) -> tuple[TableFiles, ...]:
    """Every table's files in a snapshot; a table with none (or no snapshot) has an empty tuple."""
    found = []
    for name in TABLES:
        folder = None if snapshot is None else snapshot / name
        files = () if folder is None else tuple(sorted(folder.glob(PARTITION_GLOB)))
        found.append(TableFiles(name, files, snapshot))
    return tuple(found)


def register_tables(
    con: duckdb.DuckDBPyConnection, warehouse: str | Path
) -> tuple[TableFiles, ...]:
    """Create one view per table of a warehouse in `con`, all from one pinned snapshot; returns
    the files each view reads."""
    if is_uri(str(warehouse)):
        # Object storage: the store pins every table to the newest manifest and hands them over
        # as Arrow datasets (their files are the pinned Delta versions' files).
        datasets = read_tables(str(warehouse))
        register_datasets(con, datasets)
        return tuple(
            TableFiles(name, tuple(Path(f) for f in getattr(datasets[name], "files", ())), None)
            for name in TABLES
        )
    tables = table_files(snapshot_of(Path(warehouse)))
    for table in tables:
        if table.files:
            con.execute(f"create or replace view {table.name} as {_read_sql(table)}")
        else:
            _register_empty(con, table.name)
    return tables


def register_datasets(con: duckdb.DuckDBPyConnection, datasets: Mapping[str, Any]) -> None:
    """Create one view per table from Arrow datasets or tables (a warehouse in object storage);
    a table missing from `datasets` is an empty view with its schema's columns."""
    for name in TABLES:
        dataset = datasets.get(name)
        if dataset is None:
            _register_empty(con, name)
            continue
        # DuckDB scans a registered Arrow dataset lazily, with filter and projection pushdown.
        con.register(f"_newsdesk_{name}", dataset)
        # A dataset may read its hive partitions as strings: cast them to the contract's types.
        casts = ", ".join(
            f"cast({c.name} as {_SQL_TYPES[c.type]}) as {c.name}"
            for c in load_spec(name).partitioning
            if c.name in dataset.schema.names
        )
        replace = f" replace ({casts})" if casts else ""
        con.execute(f"create or replace view {name} as select *{replace} from _newsdesk_{name}")


def empty_table(name: str) -> pa.Table:
    """A table with no rows and the columns a reader sees: the file's, then the partition's."""
    spec = load_spec(name)
    partition = [pa.field(c.name, _ARROW_TYPES[c.type], nullable=False) for c in spec.partitioning]
    return pa.schema([*spec.arrow_schema, *partition]).empty_table()


def _register_empty(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.register(f"_newsdesk_{name}", empty_table(name))
    con.execute(f"create or replace view {name} as select * from _newsdesk_{name}")


def hive_types(name: str) -> str:
    """The `hive_types` argument of read_parquet for a table: its partition columns' types."""
    types = ", ".join(
        f"{_literal(c.name)}: {_literal(_SQL_TYPES[c.type])}" for c in load_spec(name).partitioning
    )
    return f"{{{types}}}"


def _read_sql(table: TableFiles) -> str:
    files = ", ".join(_literal(str(path)) for path in table.files)
    return (
        f"select * from read_parquet([{files}], hive_partitioning = true, "
        f"hive_types = {hive_types(table.name)}, union_by_name = true)"
    )


def _literal(text: str) -> str:
    """A SQL string literal: paths come from the file system, so quotes in them are escaped."""
    return "'" + text.replace("'", "''") + "'"
