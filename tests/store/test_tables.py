"""flows.store.build_tables: pipeline records into Arrow tables that match schemas/, every time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.errors import SchemaError
from flows.pipeline import DOC_ID_HEX, content_hash, process_batch
from flows.records import BatchResult, RawDocument
from flows.settings import Settings
from flows.store import TABLES, RunInfo, build_tables
from flows.store.schema import SIGNATURES
from flows.store.tables import _to_table as to_table
from tests.conftest import SEED
from tests.store.helpers import contract_fields, fields_of

RUN = RunInfo("r1", datetime(2026, 11, 26, 12, tzinfo=UTC))


def _batch() -> BatchResult:
    raws = [
        RawDocument(str(SEED), SEED.read_bytes(), "text/plain"),
        RawDocument("empty.txt", b"", "text/plain"),
    ]
    settings = Settings(extract_entities=False, extract_quotes=False)
    return process_batch(raws, settings, lambda name: None)


def test_built_tables_match_schemas_and_round_trip(tmp_path: Path) -> None:
    tables = build_tables([_batch()], RUN)
    assert sorted(tables) == sorted([*TABLES, SIGNATURES])
    for name in TABLES:
        table = tables[name]
        assert fields_of(table.schema) == contract_fields(name)
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        assert pq.read_table(path).equals(table)
    assert tables["documents"].num_rows == 1
    assert tables["sections"].num_rows == 7  # the seed's gold sections
    assert tables["rejects"].column("reason").to_pylist() == ["empty"]
    # Each document is a story of its own until the commit looks it up; its signature is staged.
    doc_ids = tables["documents"].column("doc_id").to_pylist()
    assert tables["documents"].column("story_id").to_pylist() == doc_ids
    assert tables[SIGNATURES].column("doc_id").to_pylist() == doc_ids
    assert [len(v) for v in tables[SIGNATURES].column("minhash").to_pylist()] == [128]


def test_same_input_same_table_contents() -> None:
    first = build_tables([_batch()], RUN)
    second = build_tables([_batch()], RUN)
    for name in TABLES:
        assert first[name].equals(second[name])
    doc_id = content_hash(SEED.read_bytes())[:DOC_ID_HEX]
    assert first["documents"].column("doc_id").to_pylist() == [doc_id]
    assert set(first["sections"].column("doc_id").to_pylist()) == {doc_id}


def _reject_row() -> dict[str, object]:
    return {name: None for name, _, _ in contract_fields("rejects")}


def test_a_misspelled_column_is_refused_not_dropped() -> None:
    row = _reject_row()
    row["detial"] = row.pop("detail")  # from_pylist alone would drop it and write a null
    with pytest.raises(SchemaError, match=re.escape("extra ['detial'], missing ['detail']")):
        to_table("rejects", [row])


def test_rows_naming_exactly_the_columns_build() -> None:
    assert to_table("rejects", [_reject_row()]).num_rows == 1
