"""Rows for every table, the contracts read straight from schemas/, and row counts per reader.

Imported by the warehouse tests and by the child processes they kill mid-commit, so it holds no
test and imports no pytest.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # pandas ships no types; no stubs installed
import pyarrow as pa

from flows.store.schema import TABLES, load_spec
from tests.conftest import ROOT

DAY = date(2026, 11, 26)

# The schema files' type names, mapped here independently of flows.store.schema, so that a test
# comparing the code's schemas with these can fail.
_CONTRACT_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "float64": pa.float64(),
    "date32": pa.date32(),
    "timestamp[us, UTC]": pa.timestamp("us", tz="UTC"),
}


def contract(table: str) -> dict[str, object]:
    """schemas/<table>.toml as written in the repository."""
    with (ROOT / "schemas" / f"{table}.toml").open("rb") as handle:
        return tomllib.load(handle)


def contract_fields(table: str) -> list[tuple[str, pa.DataType, bool]]:
    """(name, Arrow type, nullable) of every column of schemas/<table>.toml, in file order."""
    columns = contract(table)["columns"]
    assert isinstance(columns, list)
    return [(c["name"], _CONTRACT_TYPES[c["type"]], c["nullable"]) for c in columns]


def fields_of(schema: pa.Schema) -> list[tuple[str, pa.DataType, bool]]:
    return [(f.name, f.type, f.nullable) for f in schema]


def make_tables(doc_ids: list[str], run: str = "r1") -> dict[str, pa.Table]:
    """Minimal valid rows for every table, two sections per document."""
    now = datetime(2026, 11, 26, tzinfo=UTC)
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
    for doc_id in doc_ids:
        rows["documents"].append(
            {
                "doc_id": doc_id,
                "source_uri": f"{doc_id}.txt",
                "media_type": "text/plain",
                # The last word differs: documents whose text is the same are one story.
                "text": f"Lead.\n\nHead\n\nBody {doc_id}.",
                "section_count": 2,
                "content_hash": doc_id * 2,
                "run_id": run,
                "pipeline_version": "test",
                "ingested_at": now,
                "story_id": doc_id,
            }
        )
        for index in range(2):
            rows["sections"].append(
                {
                    "doc_id": doc_id,
                    "section_index": index,
                    "heading": None,
                    "heading_start": 0,
                    "char_start": 0,
                    "char_end": 5,
                    "text": "Lead.",
                }
            )
        rows["entities"].append(
            {
                "doc_id": doc_id,
                "section_index": 0,
                "text": "Lead",
                "label": "ORG",
                "char_start": 0,
                "char_end": 4,
                "canonical": "Lead",
                "entity_id": "e1",
            }
        )
        rows["quotes"].append(
            {
                "doc_id": doc_id,
                "section_index": 0,
                "text": "Lead",
                "char_start": 0,
                "char_end": 4,
                "kind": "scare",
                "quote_key": "k-lead",
            }
        )
    rows["rejects"].append(
        {
            "reject_id": f"rej-{run}",
            "source_uri": "bad.png",
            "reason": "binary",
            "detail": "PNG",
            "stage": "decode",
            "run_id": run,
            "rejected_at": now,
        }
    )
    return {
        name: pa.Table.from_pylist(rows[name], schema=load_spec(name).arrow_schema)
        for name in TABLES
    }


def _files(root: Path, name: str) -> list[Path]:
    return list((root / name).rglob("*.parquet")) if (root / name).exists() else []


def counts_duckdb(root: Path) -> dict[str, int]:
    """Rows per table as DuckDB reads the hive-partitioned files."""
    out = {}
    con = duckdb.connect()
    for name in TABLES:
        if not _files(root, name):
            out[name] = 0
            continue
        glob = str(root / name / "**" / "*.parquet")
        query = f"select count(*) from read_parquet('{glob}', hive_partitioning=true)"
        out[name] = int(con.execute(query).fetchall()[0][0])
    return out


def counts_pandas(root: Path) -> dict[str, int]:
    """Rows per table as pandas reads the same files."""
    return {name: len(pd.read_parquet(root / name)) if _files(root, name) else 0 for name in TABLES}


def doc_counts(root: Path) -> list[tuple[str, int]]:
    """(doc_id, rows) of the documents table, by doc_id."""
    query = (
        f"select doc_id, count(*) from read_parquet('{root}/documents/**/*.parquet') "
        "group by doc_id order by doc_id"
    )
    return [(str(doc_id), int(n)) for doc_id, n in duckdb.connect().execute(query).fetchall()]


# A row in a form two readers can agree on: DuckDB and pyarrow give equal values as different
# Python objects (a UTC datetime with another tzinfo), and None does not sort among strings.
Canonical = tuple[tuple[int, str], ...]


def _canonical_value(value: object) -> tuple[int, str]:
    if value is None:
        return (0, "")
    if isinstance(value, datetime):
        return (1, value.astimezone(UTC).isoformat())
    return (2, repr(value))


def canonical_rows(rows: Iterable[Sequence[object]]) -> list[Canonical]:
    """Rows as sorted tuples of comparable values (a multiset: duplicates are kept)."""
    return sorted(tuple(_canonical_value(v) for v in row) for row in rows)


def rows_of(tables: Iterable[pa.Table], name: str) -> list[Canonical]:
    """Every row of `tables` (all columns of the contract of `name`), canonical."""
    columns = load_spec(name).arrow_schema.names
    return canonical_rows(
        tuple(row[c] for c in columns) for table in tables for row in table.to_pylist()
    )


def rows_duckdb(
    root: Path, name: str, con: duckdb.DuckDBPyConnection | None = None
) -> list[Canonical]:
    """Every row of table `name` under `root` (a warehouse root or a snapshot directory) as
    DuckDB reads `root/<name>/**/*.parquet`, every column of the contract, canonical."""
    if not _files(root, name):
        return []
    columns = ", ".join(f'"{c}"' for c in load_spec(name).arrow_schema.names)
    glob = str(root / name / "**" / "*.parquet")
    query = f"select {columns} from read_parquet('{glob}', hive_partitioning=false)"
    return canonical_rows((con or duckdb.connect()).execute(query).fetchall())


def column_pandas(root: Path, name: str, column: str) -> list[str]:
    """One column of table `name` under `root` as pandas reads the directory, sorted."""
    if not _files(root, name):
        return []
    return sorted(str(v) for v in pd.read_parquet(root / name, columns=[column])[column])
