"""`newsdesk stats`: a terminal summary of a warehouse (rows, partitions, files, runs, rejects)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.analyst.output import to_text_table
from flows.analyst.tables import TableFiles, register_tables
from flows.analyst.words import STATS_LAST_RUNS
from flows.store import is_uri


def warehouse_stats(warehouse: str | Path, *, width: int) -> str:
    """Rows and files per table, rows and files per partition, the last runs, rejects by
    reason: all from one pinned snapshot."""
    con = duckdb.connect()
    try:
        tables = register_tables(con, warehouse)
        sections = [
            ("Tables", _per_table(con, tables)),
            ("Partitions", _per_partition(con, tables)),
            (f"Last {STATS_LAST_RUNS} runs", _last_runs(con)),
            ("Rejects by reason", _rejects(con)),
        ]
    finally:
        con.close()
    snapshot = tables[0].snapshot
    if is_uri(str(warehouse)):
        pinned = "its newest manifest"
    else:
        pinned = "nothing committed yet" if snapshot is None else f"snapshot {snapshot.name}"
    out = [f"Warehouse {warehouse} ({pinned})"]
    for title, table in sections:
        out += ["", title, to_text_table(table, width=width, max_rows=table.num_rows)]
    return "\n".join(out)


def _per_table(con: duckdb.DuckDBPyConnection, tables: tuple[TableFiles, ...]) -> pa.Table:
    rows = []
    for table in tables:
        count = con.execute(f"select count(*) from {table.name}").fetchall()[0]
        partitions = {path.parent.name for path in table.files}
        rows.append(
            {
                "table": table.name,
                "rows": count[0],
                "files": len(table.files),
                "partitions": len(partitions),
            }
        )
    return pa.Table.from_pylist(rows)


def _per_partition(con: duckdb.DuckDBPyConnection, tables: tuple[TableFiles, ...]) -> pa.Table:
    rows = []
    for table in tables:
        files = Counter(path.parent.name.split("=", 1)[1] for path in table.files)
        counts = con.execute(
            f"select cast(ingest_date as varchar), count(*) from {table.name} group by 1 order by 1"
        ).fetchall()
        rows += [
            {"table": table.name, "ingest_date": day, "rows": n, "files": files.get(day, 0)}
            for day, n in counts
        ]
    schema = pa.schema(
        [
            ("table", pa.string()),
            ("ingest_date", pa.string()),
            ("rows", pa.int64()),
            ("files", pa.int64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _last_runs(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return con.sql(
        f"""
        select run_id, started_at, round(epoch(ended_at - started_at), 1) as seconds, status,
            inputs_seen as seen, inputs_skipped as skipped, added_documents as documents,
            added_quotes as quotes, added_rejects as rejects
        from runs order by started_at desc, run_id desc limit {STATS_LAST_RUNS}
        """
    ).to_arrow_table()


def _rejects(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return con.sql(
        """
        select reason, count(*) as rejects, max(rejected_at) as last_rejected_at
        from rejects group by reason order by rejects desc, reason
        """
    ).to_arrow_table()
