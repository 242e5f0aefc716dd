"""schemas/ is the single source of truth: files load, code matches them, tables round-trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.pipeline import BatchResult, process_batch
from flows.records import RawDocument
from flows.settings import Settings
from flows.store.schema import TABLES, load_spec, schema_files
from flows.store.tables import RunInfo, build_tables
from tests.conftest import SEED


def test_one_file_per_table() -> None:
    assert sorted(
        p.name.removesuffix(".toml") for p in schema_files().iterdir() if p.name.endswith(".toml")
    ) == sorted(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_spec_is_complete(table: str) -> None:
    spec = load_spec(table)
    assert spec.description
    assert spec.key
    assert [p.name for p in spec.partitioning] == ["ingest_date"]
    for column in spec.columns:
        assert column.description, column.name
    for key in spec.key:
        assert not next(c for c in spec.columns if c.name == key).nullable


def _batch() -> BatchResult:
    raws = [
        RawDocument(str(SEED), SEED.read_bytes(), "text/plain"),
        RawDocument("empty.txt", b"", "text/plain"),
    ]
    settings = Settings(extract_entities=False, extract_quotes=False)
    return process_batch(raws, settings, lambda name: None)


def test_built_tables_match_schemas_and_round_trip(tmp_path: Path) -> None:
    run = RunInfo("r1", datetime(2026, 11, 26, 12, tzinfo=UTC))
    tables = build_tables([_batch()], run)
    for name, table in tables.items():
        assert table.schema == load_spec(name).arrow_schema
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        back = pq.read_table(path)
        assert back.equals(table)
    assert tables["documents"].num_rows == 1
    assert tables["rejects"].column("reason").to_pylist() == ["empty"]


def test_same_input_same_table_contents() -> None:
    run = RunInfo("r1", datetime(2026, 11, 26, 12, tzinfo=UTC))
    first = build_tables([_batch()], run)
    second = build_tables([_batch()], run)
    for name in TABLES:
        assert first[name].equals(second[name])
    assert isinstance(first["documents"].column("doc_id"), pa.ChunkedArray)
