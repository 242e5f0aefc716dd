"""docs/TABLES.md and docs/newsdesk.sql are what their generator writes, and the script works."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.analyst import VIEWS, connect, views_script
from flows.analyst.reference import REFERENCE, SCRIPT, render_reference
from flows.store import TABLES, load_spec

REGENERATE = "out of date: run `make reference` and commit docs/"


def test_the_sql_script_is_current() -> None:
    assert SCRIPT.read_text(encoding="utf-8") == views_script(), REGENERATE


@pytest.mark.slow
def test_the_table_reference_is_current(seed_warehouse: Path) -> None:
    text = render_reference(seed_warehouse)
    assert REFERENCE.read_text(encoding="utf-8") == text, REGENERATE
    for table in TABLES:
        assert f"## `{table}`" in text
        for column in load_spec(table).columns:
            assert f"| `{column.name}` | {column.type} |" in text
    # Examples are real values of the seed warehouse; run columns have none.
    assert "| `reason` | string | no |" in text
    assert "`binary` |" in text
    assert "| `run_id` | string | no | The run's id" in text
    assert "*(set by the run)*" in text


def _script_session(warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set variable newsdesk_warehouse = ?", [str(warehouse)])
    con.execute(SCRIPT.read_text(encoding="utf-8"))
    return con


@pytest.mark.slow
def test_the_script_gives_the_same_rows_as_newsdesk_query(seed_warehouse: Path) -> None:
    mine = _script_session(seed_warehouse)
    ours = connect(seed_warehouse)
    for relation in (*TABLES, *VIEWS):
        sql = f"select * from {relation} order by all"
        assert mine.execute(sql).fetchall() == ours.execute(sql).fetchall(), relation
        assert (
            mine.sql(f"describe {relation}").fetchall()
            == ours.sql(f"describe {relation}").fetchall()
        ), relation
    mine.close()
    ours.close()


@pytest.mark.slow
def test_the_script_reads_a_table_with_no_file_as_empty_and_typed(
    edited_warehouse: Path,
) -> None:
    con = _script_session(edited_warehouse)
    assert con.execute("select count(*) from rejects").fetchall() == [(0,)]
    kinds = {str(r[0]): str(r[1]) for r in con.sql("describe rejects").fetchall()}
    assert list(kinds) == [c.name for c in load_spec("rejects").columns] + ["ingest_date"]
    assert kinds["rejected_at"] == "TIMESTAMP WITH TIME ZONE"
    assert kinds["ingest_date"] == "DATE"
    assert con.execute("select count(*) from latest_documents").fetchall() == [(1,)]
    con.close()
