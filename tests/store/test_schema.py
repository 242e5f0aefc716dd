"""schemas/ is the single source of truth: the files are complete and the code reads them right."""

from __future__ import annotations

import pytest

from flows.errors import REJECT_REASONS
from flows.store import TABLES
from flows.store.schema import load_spec, schema_files
from tests.conftest import ROOT
from tests.store.helpers import contract, contract_fields, fields_of


def test_one_file_per_table() -> None:
    assert sorted(
        p.name.removesuffix(".toml") for p in schema_files().iterdir() if p.name.endswith(".toml")
    ) == sorted(TABLES)
    assert sorted(p.stem for p in (ROOT / "schemas").glob("*.toml")) == sorted(TABLES)


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


@pytest.mark.parametrize("table", TABLES)
def test_code_schema_is_the_file(table: str) -> None:
    """The Arrow schema the code builds has the file's columns, types, nullability and version."""
    schema = load_spec(table).arrow_schema
    assert fields_of(schema) == contract_fields(table)
    assert schema.metadata == {
        b"newsdesk.table": table.encode(),
        b"newsdesk.schema_version": str(contract(table)["version"]).encode(),
    }
    assert list(load_spec(table).key) == contract(table)["key"]


def test_reject_reasons_in_the_contract_are_the_ones_the_code_produces() -> None:
    columns = {c.name: c for c in load_spec("rejects").columns}
    listed = columns["reason"].description.removeprefix("Short code: ").rstrip(".").split(", ")
    assert listed == list(REJECT_REASONS)
