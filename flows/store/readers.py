"""Read a warehouse's tables, local or in object storage, at one consistent committed state.

`read_tables(warehouse)` returns a pyarrow dataset per table, all pinned to one committed state:
the current snapshot of a local warehouse (flows.store.warehouse), or the Delta versions the newest
manifest of an object-storage warehouse pins (flows.store.lake). So the tables are consistent with
each other: every document's sections, entities and quotes are there, and nothing a later or a
killed commit wrote. The datasets are lazy (files are opened when scanned) and stay readable for
the grace period after a later commit supersedes them. Every tool that takes an Arrow dataset
reads them: `dataset.to_table()` (pyarrow), `.to_table().to_pandas()`, `polars.scan_pyarrow_dataset`
and DuckDB (`duckdb.sql("select ... from documents")` with `documents` a Python variable holding
the dataset), without DuckDB's delta or httpfs extensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from flows.errors import UsageError
from flows.store.lake_manifest import open_manifest
from flows.store.location import is_uri, storage_options, table_uri
from flows.store.schema import TABLES, load_spec
from flows.store.warehouse import pinned_snapshot

if TYPE_CHECKING:
    import pyarrow.dataset as ds


def read_tables(warehouse: str | Path, tables: Sequence[str] = TABLES) -> dict[str, ds.Dataset]:
    """One dataset per table name (default: all six), every one at the same committed state of
    `warehouse`: a local directory, or a URI such as `s3://bucket/prefix` (credentials and
    endpoint from the standard AWS variables). Each dataset has the table's columns from
    schemas/ plus its partition column, `ingest_date` (date32). A warehouse with no commit yet
    gives empty datasets; a table name that is not one of the six is a UsageError."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise UsageError(f"no such table(s): {', '.join(unknown)}; tables are {', '.join(TABLES)}")
    if is_uri(warehouse):
        return _delta_tables(str(warehouse), tables)
    return _local_tables(Path(warehouse), tables)


def _delta_tables(warehouse: str, tables: Sequence[str]) -> dict[str, ds.Dataset]:
    from deltalake import DeltaTable  # noqa: PLC0415 - loaded only for a warehouse URI

    options = storage_options(warehouse)
    manifest_table, manifest = open_manifest(warehouse, options, create=False)
    out: dict[str, ds.Dataset] = {}
    for name in tables:
        if manifest_table is None:
            out[name] = _empty(name)
            continue
        table = DeltaTable(
            table_uri(warehouse, name), version=manifest.pins[name], storage_options=options
        )
        out[name] = table.to_pyarrow_dataset(schema=load_spec(name).dataset_schema)
    return out


def _local_tables(root: Path, tables: Sequence[str]) -> dict[str, ds.Dataset]:
    import pyarrow.dataset as ds  # noqa: PLC0415 - loaded only when tables are read

    snapshot = pinned_snapshot(root)
    out: dict[str, ds.Dataset] = {}
    for name in tables:
        directory = None if snapshot is None else snapshot / name
        if directory is None or not directory.is_dir():
            out[name] = _empty(name)
            continue
        schema = load_spec(name).dataset_schema
        partitioning = ds.partitioning(
            pa.schema([schema.field(c.name) for c in load_spec(name).partitioning]),
            flavor="hive",
        )
        out[name] = ds.dataset(
            str(directory), schema=schema, format="parquet", partitioning=partitioning
        )
    return out


def _empty(name: str) -> ds.Dataset:
    import pyarrow.dataset as ds  # noqa: PLC0415

    return ds.dataset(pa.Table.from_batches([], schema=load_spec(name).dataset_schema))
