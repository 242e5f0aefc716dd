"""A DuckDB session over a warehouse, with its tables and views, and queries that return frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from flows.analyst.tables import register_tables
from flows.analyst.views import create_views
from flows.errors import UsageError

Engine = Literal["pandas", "polars", "arrow"]


def connect(warehouse: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table (one pinned snapshot) and the
    ready-made views; the caller closes it."""
    con = duckdb.connect()
    try:
        register_tables(con, warehouse)
        create_views(con)
    except BaseException:
        con.close()
        raise
    return con


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """The result of one SQL statement (the last one, for a script) as an Arrow table; a bad
    statement, an unknown table or view or a failing read is a usage error with DuckDB's words."""
    try:
        relation = con.sql(sql)
        if relation is None:  # a statement with no result (set, create view, ...)
            return pa.table({})
        return relation.to_arrow_table()
    except duckdb.Error as exc:
        raise UsageError(f"query failed: {describe_error(exc)}") from exc


def describe_error(exc: duckdb.Error) -> str:
    """DuckDB's message on one line: its first paragraph (kind, message, 'Did you mean')."""
    paragraph = str(exc).strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines() if line.strip())


def frame(sql: str, warehouse: str | Path = "warehouse", engine: Engine = "pandas") -> Any:
    """Run `sql` against a warehouse and return a pandas or polars DataFrame (or an Arrow table)
    whose columns keep their types: dates stay dates, timestamps keep their UTC zone, integers
    with nulls stay integers, lists stay lists."""
    con = connect(warehouse)
    try:
        table = run_query(con, sql)
    finally:
        con.close()
    if engine == "arrow":
        return table
    if engine == "polars":
        import polars as pl  # noqa: PLC0415 - only for callers who ask for polars

        return pl.from_arrow(table)
    if engine == "pandas":
        import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415 - no stubs; lazily

        # Arrow-backed columns: a DATE stays a date (not datetime64 or a category), and an
        # integer column with nulls stays an integer column.
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    raise UsageError(f"unknown engine {engine!r}; use pandas, polars or arrow")
