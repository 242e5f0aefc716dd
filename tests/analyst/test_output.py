"""flows.analyst.output: the terminal table, CSV and JSON of a query's result (no warehouse)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.analyst import render
from flows.analyst.output import to_text_table

RESULT = pa.table(
    {
        "name": ["Ada", None, "Grace Brewster Murray Hopper, rear admiral\nand pioneer"],
        "count": pa.array([3, 12, None], pa.int64()),
        "day": [dt.date(2026, 1, 2), None, dt.date(2026, 1, 3)],
        "at": pa.array(
            [dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC), None, None],
            pa.timestamp("us", tz="UTC"),
        ),
        "forms": [["A", "Ada"], [], None],
    }
)


def test_table_aligns_numbers_right_and_marks_nulls() -> None:
    lines = to_text_table(RESULT, width=200, max_rows=10).splitlines()
    assert lines[0].split() == ["name", "count", "day", "at", "forms"]
    assert set(lines[1].replace(" ", "")) == {"─"}
    header_end = lines[0].index("count") + len("count")
    assert lines[2][header_end - 1] == "3"  # right-aligned under its header
    assert lines[3][header_end - 2 : header_end] == "12"
    assert lines[3].startswith("NULL")
    assert "2026-01-02 03:04:05+00:00" in lines[2]  # to the second in a terminal
    assert '["A", "Ada"]' in lines[2]
    assert "\\n" in lines[4]  # one line per row
    assert lines[-1] == "(3 rows)"


@pytest.mark.parametrize("width", [20, 40, 60, 80])
def test_table_never_exceeds_the_width(width: int) -> None:
    text = to_text_table(RESULT, width=width, max_rows=10)
    assert all(len(line) <= width for line in text.splitlines()), text
    assert text.splitlines()[0].startswith("name")


def test_table_cuts_wide_cells_and_counts_what_it_hides() -> None:
    wide = pa.table({"a": ["x" * 100], "b": ["y"], "c": ["z"]})
    lines = to_text_table(wide, width=30, max_rows=10).splitlines()
    assert lines[2] == "x" * 23 + "…  y  z"  # 30 columns: the wide cell gives way
    many = pa.table({name: ["w" * 40] for name in "abcde"})
    lines = to_text_table(many, width=30, max_rows=10).splitlines()
    assert lines[0].split() == ["a", "b"]
    assert lines[-1] == "(1 row; 3 columns not shown)"  # the names would not fit in 30
    wider = to_text_table(many, width=48, max_rows=10).splitlines()
    assert wider[-1] == "(1 row; 1 column not shown: e)"
    assert to_text_table(RESULT, width=200, max_rows=1).splitlines()[-1] == (
        "(3 rows; 2 not shown (--max-rows))"
    )


def test_table_counts_wide_characters_as_two_columns() -> None:
    text = to_text_table(pa.table({"k": ["東京", "ab"], "v": [1, 2]}), width=80, max_rows=5)
    # Two wide characters fill four terminal columns, so the values line up.
    assert text.splitlines()[2:4] == ["東京  1", "ab    2"]


def test_csv_json_jsonl_parquet() -> None:
    csv_text = render(RESULT, "csv", width=80, max_rows=1).decode()
    assert csv_text.splitlines()[0] == "name,count,day,at,forms"
    assert csv_text.splitlines()[1] == (
        'Ada,3,2026-01-02,2026-01-02T03:04:05.000678+00:00,"[""A"", ""Ada""]"'
    )
    assert csv_text.splitlines()[2] == ",12,,,[]"
    records = json.loads(render(RESULT, "json", width=80, max_rows=1))
    assert len(records) == 3  # max_rows shapes only the terminal table
    assert records[0] == {
        "name": "Ada",
        "count": 3,
        "day": "2026-01-02",
        "at": "2026-01-02T03:04:05.000678+00:00",
        "forms": ["A", "Ada"],
    }
    assert records[2]["count"] is None
    lines = render(RESULT, "jsonl", width=80, max_rows=1).decode().splitlines()
    assert [json.loads(line) for line in lines] == records
    back = pq.read_table(io.BytesIO(render(RESULT, "parquet", width=80, max_rows=1)))
    assert back.equals(RESULT)


def test_an_empty_result() -> None:
    assert to_text_table(pa.table({}), width=80, max_rows=5) == "(no result)"
    none = RESULT.slice(0, 0)
    assert to_text_table(none, width=80, max_rows=5).splitlines()[-1] == "(0 rows)"
    assert render(none, "json", width=80, max_rows=5) == b"[]\n"


def test_the_cli_offers_every_format() -> None:
    from flows.analyst import FORMATS
    from flows.cli import _parser

    action = next(
        a
        for sub in _parser()._subparsers._group_actions  # type: ignore[union-attr]
        for name, parser in sub.choices.items()  # type: ignore[union-attr]
        if name == "query"
        for a in parser._actions
        if a.dest == "format"
    )
    assert tuple(action.choices or ()) == FORMATS


def test_a_warehouse_uri_is_queried_at_its_newest_manifest(tmp_path: Path) -> None:
    """A Delta warehouse (file://, the object-storage layout on local disk) gets the same
    tables and views as a local one of the same inputs."""
    from flows.analyst import connect, run_query
    from flows.cli import main

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    uri = f"file://{tmp_path / 'lake'}"
    local = tmp_path / "local"
    for target in (uri, str(local)):
        assert main(["ingest", str(seeds), "--warehouse", target, "--no-entities", "-q"]) == 0
    sql = (
        "select d.doc_id, d.title, count(q.doc_id) as quotes from latest_documents d "
        "left join quotes q using (doc_id) group by all order by d.doc_id"
    )
    results = []
    for target in (uri, str(local)):
        con = connect(target)
        try:
            results.append(run_query(con, sql).to_pylist())
        finally:
            con.close()
    assert results[0] == results[1]
    assert len(results[0]) == 4
    assert sum(row["quotes"] for row in results[0]) > 0
