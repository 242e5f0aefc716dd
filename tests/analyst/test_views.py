"""Each table and view of flows.analyst against the seed warehouse, built once per session."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from flows.analyst import VIEWS, connect, register_datasets
from flows.store import TABLES, pinned_snapshot
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

SEED_ARTICLE = "seeds/000_ba9ff1fc4f54d4f3.txt"


@pytest.fixture(scope="module")
def con(seed_warehouse: Path) -> duckdb.DuckDBPyConnection:
    return connect(seed_warehouse)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def column_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {
        str(name): str(kind)
        for name, kind in rows(con, f"select column_name, column_type from (describe {relation})")
    }


def test_every_table_reads_with_a_typed_partition(con: duckdb.DuckDBPyConnection) -> None:
    counts = {t: rows(con, f"select count(*) from {t}")[0][0] for t in TABLES}
    assert counts == {
        "documents": 4,
        "sections": 16,
        "entities": 259,
        "quotes": 16,
        "rejects": 2,
        "runs": 1,
    }
    for table in TABLES:
        kinds = column_types(con, table)
        assert kinds["ingest_date"] == "DATE", table
    (day,) = rows(con, "select distinct ingest_date from documents")[0]
    assert isinstance(day, dt.date)


def test_latest_documents_one_row_per_source(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "select source_uri, versions from latest_documents order by source_uri")
    assert got == [
        (SEED_ARTICLE, 1),
        ("seeds/001_harbor_bridge.txt", 1),
        ("seeds/002_river_festival.txt", 1),
        ("seeds/003_grain_exports.txt", 1),
    ]


def test_quotes_with_speakers_in_the_seed_article(con: duckdb.DuckDBPyConnection) -> None:
    per_speaker = rows(
        con,
        f"select speaker_name, count(*), min(speaker_label), min(speaker_mentions) "
        f"from quotes_with_speakers where source_uri = '{SEED_ARTICLE}' "
        f"group by 1 having count(*) = 2 order by 1",
    )
    assert per_speaker == [
        ("Dmitry Kuznets", 2, "PERSON", 1),
        ("Kyrylo Budanov", 2, "PERSON", 1),
        ("Steven Witkoff", 2, "PERSON", 4),
    ]
    linda = rows(
        con,
        "select quote, cue, title, source_name, source_uri from quotes_with_speakers "
        "where speaker_name = 'Linda Okafor' order by char_start limit 1",
    )
    assert linda == [
        (
            "the most important public works job of the decade.",
            "called",
            "Harbor Bridge Reopens After Two-Year Repair",
            "Associated Press",
            "seeds/001_harbor_bridge.txt",
        )
    ]
    # Every quote is there once, joined or not.
    assert rows(con, "select count(*) from quotes_with_speakers") == [(16,)]


def test_people_organizations_places(con: duckdb.DuckDBPyConnection) -> None:
    people = rows(
        con,
        f"select p.name, p.mentions, p.forms from people p join documents d using (doc_id) "
        f"where d.source_uri = '{SEED_ARTICLE}' order by p.mentions desc, p.name limit 2",
    )
    assert people == [
        ("Donald Trump", 6, ["Donald Trump", "Trump"]),
        ("Vladimir Putin", 6, ["Putin", "Vladimir Putin"]),
    ]
    assert rows(con, "select distinct label from people") == [("PERSON",)]
    assert rows(con, "select name, mentions from organizations order by mentions desc limit 1") == [
        ("Kremlin", 7)
    ]
    assert {r[0] for r in rows(con, "select distinct label from places")} <= {"GPE", "LOC", "FAC"}
    assert rows(con, "select name, label, mentions from places order by mentions desc limit 2") == [
        ("Ukraine", "GPE", 22),
        ("Russia", "GPE", 15),
    ]
    # One row per entity per document, and the mentions add up to the entities table's rows.
    for view, labels in (("people", "'PERSON'"), ("places", "'GPE', 'LOC', 'FAC'")):
        assert rows(con, f"select count(*) = count(distinct (doc_id, entity_id)) from {view}") == [
            (True,)
        ]
        assert rows(con, f"select sum(mentions) from {view}") == rows(
            con, f"select count(*) from entities where label in ({labels})"
        )


def test_entity_cooccurrence_counts_each_unordered_pair_once(
    con: duckdb.DuckDBPyConnection,
) -> None:
    entities = rows(
        con,
        "select distinct doc_id, section_index, entity_id from entities where label not in "
        "('DATE', 'TIME', 'PERCENT', 'MONEY', 'QUANTITY', 'ORDINAL', 'CARDINAL')",
    )
    by_section: dict[tuple[object, object], set[str]] = {}
    for doc_id, section, entity in entities:
        by_section.setdefault((doc_id, section), set()).add(str(entity))
    expected: Counter[tuple[str, str]] = Counter()
    for names in by_section.values():
        ordered = sorted(names)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                expected[(a, b)] += 1
    pairs = rows(con, "select entity_id_a, entity_id_b, sections from entity_cooccurrence")
    got = {(a, b): n for a, b, n in pairs}
    assert got == dict(expected)
    assert rows(
        con,
        "select name_a, name_b, sections, documents from entity_cooccurrence "
        "where label_a = 'PERSON' and label_b = 'PERSON' and sections = 3 order by name_a, name_b",
    ) == [
        ("Steven Witkoff", "Donald Trump", 3, 1),
        ("Vladimir Putin", "Donald Trump", 3, 1),
        ("Vladimir Putin", "Steven Witkoff", 3, 1),
    ]


def test_views_from_arrow_datasets_match_the_local_views(
    con: duckdb.DuckDBPyConnection, seed_warehouse: Path
) -> None:
    """The seam for warehouses in object storage: the same views over Arrow datasets."""
    snapshot = pinned_snapshot(seed_warehouse)
    assert snapshot is not None
    datasets = {t: ds.dataset(snapshot / t, format="parquet", partitioning="hive") for t in TABLES}
    del datasets["rejects"]  # a table the store has no dataset for yet is an empty view
    other = duckdb.connect()
    register_datasets(other, datasets)
    from flows.analyst import create_views

    create_views(other)
    for view in VIEWS:
        order = "order by all"
        assert rows(other, f"select * from {view} {order}") == rows(
            con, f"select * from {view} {order}"
        ), view
    assert rows(other, "select count(*) from rejects") == [(0,)]
    kinds = column_types(other, "rejects")
    assert kinds["reason"] == "VARCHAR"
    assert kinds["ingest_date"] == "DATE"
    other.close()


def test_a_session_keeps_its_snapshot_while_runs_commit(tmp_path: Path) -> None:
    """Every view of a session reads the snapshot current when it opened: a later commit is
    seen by the next session, never half by this one."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(
        "Ferry Service Resumes\n\nThe ferry to Portville ran again on Monday, "
        'and Captain Ana Ruiz said "We are glad to be back."\n',
        encoding="utf-8",
    )
    warehouse = tmp_path / "warehouse"
    assert run_cli("ingest", str(inbox), "--warehouse", str(warehouse), "-q").returncode == 0
    before = connect(warehouse)
    (inbox / "b.txt").write_text(
        "Library Opens Late\n\nThe Portville library will stay open until nine, "
        'said director Sam Okoye: "Readers asked for it."\n',
        encoding="utf-8",
    )
    assert run_cli("ingest", str(inbox), "--warehouse", str(warehouse), "-q").returncode == 0
    after = connect(warehouse)
    sql = "select (select count(*) from documents), (select count(*) from latest_documents), "
    sql += "(select count(*) from runs), (select count(*) from quotes_with_speakers)"
    assert rows(before, sql) == [(1, 1, 1, 1)]
    assert rows(after, sql) == [(2, 2, 2, 2)]
    before.close()
    after.close()
