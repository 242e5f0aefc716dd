"""flows.store.lake on a file:// warehouse: manifests, idempotence, races, killed writers.

The same Delta code runs against S3 in tests/test_s3.py; here the object store is the local file
system (deltalake's file:// store also creates each log entry with put-if-absent), so the protocol
is tested without a server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from deltalake import DeltaTable

from flows.errors import WarehouseError
from flows.records import InputSeen, InputStat
from flows.store import TABLES, commit_lake, compact_lake, lake_index, lake_manifest, read_tables
from flows.store import lake as lake_module
from flows.store.lake_keys import bucket_of
from tests.store.helpers import DAY, make_tables


def _uri(tmp_path: Path) -> str:
    return f"file://{tmp_path / 'lake'}"


def _rows(warehouse: str) -> dict[str, list[dict[str, Any]]]:
    """Every table as sorted rows, read through the supported reader."""
    out = {}
    for name, dataset in read_tables(warehouse).items():
        rows = dataset.to_table().to_pylist()
        out[name] = sorted(rows, key=lambda row: sorted((k, str(v)) for k, v in row.items()))
    return out


def _doc_ids(warehouse: str) -> list[str]:
    table = read_tables(warehouse, ["documents"])["documents"].to_table(columns=["doc_id"])
    return sorted(table["doc_id"].to_pylist())


def test_a_commit_is_read_back_whole_with_its_partition(tmp_path: Path) -> None:
    warehouse = _uri(tmp_path)
    assert _doc_ids(warehouse) == []  # no commit yet: empty tables, not an error
    done = commit_lake(warehouse, make_tables(["a1", "b2"]), run_id="r1", partition=DAY)
    assert done.snapshot == "1"
    assert done.added == {
        "documents": 2,
        "sections": 4,
        "entities": 2,
        "quotes": 2,
        "rejects": 1,
        "runs": 0,
    }
    rows = _rows(warehouse)
    assert [row["doc_id"] for row in rows["documents"]] == ["a1", "b2"]
    assert {row["ingest_date"] for name in TABLES for row in rows[name]} == {DAY}
    assert sorted((r["doc_id"], r["section_index"]) for r in rows["sections"]) == [
        ("a1", 0),
        ("a1", 1),
        ("b2", 0),
        ("b2", 1),
    ]
    con = duckdb.connect()
    con.register("documents", read_tables(warehouse)["documents"])
    assert con.sql("select count(*) from documents where doc_id = 'b2'").fetchall() == [(1,)]


def test_a_second_commit_of_the_same_rows_adds_nothing(tmp_path: Path) -> None:
    warehouse = _uri(tmp_path)
    commit_lake(warehouse, make_tables(["a1", "b2"]), run_id="r1", partition=DAY)
    first = _rows(warehouse)
    again = commit_lake(warehouse, make_tables(["a1", "b2"], run="r2"), run_id="r2", partition=DAY)
    # The helper's reject is named for its run, so only it is new.
    assert again.added == {**dict.fromkeys(TABLES, 0), "rejects": 1}
    now = _rows(warehouse)
    assert {n: now[n] for n in TABLES if n != "rejects"} == {
        n: first[n] for n in TABLES if n != "rejects"
    }
    same = commit_lake(warehouse, make_tables(["a1", "b2"], run="r2"), run_id="r2b", partition=DAY)
    assert same.added == dict.fromkeys(TABLES, 0)
    assert _rows(warehouse) == now
    more = commit_lake(warehouse, make_tables(["b2", "c3"], run="r3"), run_id="r3", partition=DAY)
    assert more.added["documents"] == 1
    assert more.added["sections"] == 2
    assert _doc_ids(warehouse) == ["a1", "b2", "c3"]


def test_lookups_answer_for_the_pinned_state(tmp_path: Path) -> None:
    warehouse = _uri(tmp_path)
    seen = [InputSeen(InputStat("in/a.txt", 10, 111), "h" * 64)]
    commit_lake(warehouse, make_tables(["a1"]), run_id="r1", partition=DAY, inputs=seen)
    index = lake_index(warehouse)
    assert index.known("documents", ["a1", "zz"]) == {"a1"}
    assert index.known("rejects", ["a1"]) == set()
    same = InputStat("in/a.txt", 10, 111)
    touched = InputStat("in/a.txt", 10, 222)
    assert index.unchanged([same, InputStat("in/b.txt", 1, 1)]) == {"in/a.txt"}
    assert index.unchanged([touched]) == set()
    # A later commit of the same input with a new stat: the newest manifest's row wins.
    commit_lake(
        warehouse,
        make_tables([], run="r2"),
        run_id="r2",
        partition=DAY,
        inputs=[InputSeen(touched, "h" * 64)],
    )
    assert lake_index(warehouse).unchanged([touched]) == {"in/a.txt"}
    assert lake_index(warehouse).unchanged([same]) == set()
    # The index opened before that commit still answers for its own state.
    assert index.unchanged([same]) == {"in/a.txt"}


class _Killed(BaseException):
    """Stands for SIGKILL between the last table write and the manifest."""


def _kill_before_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    def die(*args: object, **kwargs: object) -> None:
        raise _Killed

    monkeypatch.setattr(lake_module, "append_manifest", die)


def test_a_writer_killed_before_its_manifest_leaves_the_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = _uri(tmp_path)
    commit_lake(warehouse, make_tables(["a1"]), run_id="r1", partition=DAY)
    before = _rows(warehouse)
    with monkeypatch.context() as patch:
        _kill_before_manifest(patch)
        with pytest.raises(_Killed):
            commit_lake(warehouse, make_tables(["b2", "c3"], run="r2"), run_id="r2", partition=DAY)
    # Its rows are in Delta versions past the pins: on disk, but no reader sees them.
    latest = DeltaTable(f"{warehouse}/documents").to_pyarrow_table()
    assert sorted(latest["doc_id"].to_pylist()) == ["a1", "b2", "c3"]
    assert _rows(warehouse) == before
    assert lake_index(warehouse).known("documents", ["b2"]) == set()
    # The next run restores every table to its pin first: the leaked rows never come back
    # twice, and what it commits is there exactly once.
    done = commit_lake(warehouse, make_tables(["c3", "d4"], run="r3"), run_id="r3", partition=DAY)
    assert done.added["documents"] == 2
    assert _doc_ids(warehouse) == ["a1", "c3", "d4"]
    sections = read_tables(warehouse)["sections"].to_table()
    assert sections.num_rows == 6
    redo = commit_lake(warehouse, make_tables(["b2"], run="r4"), run_id="r4", partition=DAY)
    assert redo.added["documents"] == 1
    assert _doc_ids(warehouse) == ["a1", "b2", "c3", "d4"]


def test_a_writer_that_loses_the_race_recommits_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writer A reads the manifest; B commits in full; A then finds B's versions (its fenced
    writes or its manifest fail), starts again from B's manifest and adds only its own rows."""
    warehouse = _uri(tmp_path)
    commit_lake(warehouse, make_tables(["a1"]), run_id="r0", partition=DAY)
    real_open: Callable[..., Any] = lake_manifest.open_manifest
    calls = {"n": 0}

    def stale_then_real(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        found = real_open(*args, **kwargs)
        if calls["n"] == 1:
            with monkeypatch.context() as inner:
                inner.setattr(lake_module, "open_manifest", real_open)
                commit_lake(
                    warehouse, make_tables(["b2", "c3"], run="rb"), run_id="rb", partition=DAY
                )
        return found

    monkeypatch.setattr(lake_module, "open_manifest", stale_then_real)
    done = commit_lake(warehouse, make_tables(["c3", "d4"], run="ra"), run_id="ra", partition=DAY)
    assert calls["n"] >= 2  # A started again
    assert done.added["documents"] == 1  # d4: c3 was B's
    assert _doc_ids(warehouse) == ["a1", "b2", "c3", "d4"]
    sections = read_tables(warehouse)["sections"].to_table(columns=["doc_id"])
    assert sorted(sections["doc_id"].to_pylist()) == sorted(["a1", "b2", "c3", "d4"] * 2)


def test_writers_at_once_never_duplicate_a_document(tmp_path: Path) -> None:
    warehouse = _uri(tmp_path)  # empty: the writers also race to create the tables
    ids = [f"d{i}" for i in range(6)]
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            rows = make_tables(ids[number : number + 3], run=f"w{number}")
            commit_lake(warehouse, rows, run_id=f"w{number}", partition=DAY)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _doc_ids(warehouse) == ids
    sections = read_tables(warehouse)["sections"].to_table(columns=["doc_id"])
    assert sorted(sections["doc_id"].to_pylist()) == sorted(ids * 2)


def test_compaction_changes_no_row_and_pinned_readers_keep_their_files(tmp_path: Path) -> None:
    warehouse = _uri(tmp_path)
    for number in range(3):
        ids = [f"n{number}a", f"n{number}b"]
        commit_lake(
            warehouse, make_tables(ids, run=f"r{number}"), run_id=f"r{number}", partition=DAY
        )
    before = _rows(warehouse)
    pinned = read_tables(warehouse)  # a reader that opened the tables before compaction
    done = compact_lake(warehouse, run_id="c1", grace_seconds=3600)
    assert done.files_before["documents"] == 3
    assert done.files_after["documents"] == 1
    assert _rows(warehouse) == before
    assert pinned["documents"].to_table().num_rows == 6  # its files are kept for the grace
    # With no grace the merged-away files go, and the current state still reads whole.
    compact_lake(warehouse, run_id="c2", grace_seconds=0)
    assert _rows(warehouse) == before
    leftovers = sorted(p.name for p in (tmp_path / "lake" / "documents").rglob("*.parquet"))
    assert len(leftovers) == 1


def test_compact_refuses_a_location_with_no_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="not a newsdesk warehouse"):
        compact_lake(_uri(tmp_path), run_id="c1", grace_seconds=0)


def test_unsafe_run_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="unsafe"):
        commit_lake(_uri(tmp_path), make_tables(["a1"]), run_id="../x", partition=DAY)


def test_read_tables_refuses_unknown_names(tmp_path: Path) -> None:
    from flows.errors import UsageError

    with pytest.raises(UsageError, match="no such table"):
        read_tables(_uri(tmp_path), ["documents", "users"])


def test_local_and_lake_readers_give_the_same_rows(tmp_path: Path) -> None:
    from flows.store import commit

    local = tmp_path / "local"
    local.mkdir()
    tables = make_tables(["a1", "b2"])
    commit(local, tables, run_id="r1", partition=DAY)
    commit_lake(_uri(tmp_path), tables, run_id="r1", partition=DAY)
    assert _rows(str(local)) == _rows(_uri(tmp_path))
    schema = read_tables(local)["quotes"].schema
    assert schema.field("ingest_date").type == pa.date32()
    assert schema.names == read_tables(_uri(tmp_path))["quotes"].schema.names


def test_a_commit_compacts_a_crowded_partition_and_control_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lake_module, "MAX_FILES_PER_PARTITION", 2)
    monkeypatch.setattr(lake_module, "CONTROL_MAX_FILES", 3)
    warehouse = _uri(tmp_path)
    # Documents whose keys share a bucket, so the key table's files pile up in one partition.
    ids = [f"m{n}" for n in range(4000) if bucket_of(f"m{n}") == bucket_of("m0")][:5]
    for number, doc_id in enumerate(ids):
        run = f"r{number}"
        commit_lake(warehouse, make_tables([doc_id], run=run), run_id=run, partition=DAY)
    assert _doc_ids(warehouse) == sorted(ids)
    index = lake_index(warehouse)
    assert index.known("documents", [ids[0], ids[4], "zz"]) == {ids[0], ids[4]}
    documents = DeltaTable(f"{warehouse}/documents")
    assert len(documents.file_uris()) <= 3  # 5 commits, merged when a third file came
    operations = [entry["operation"] for entry in documents.history()]
    assert "OPTIMIZE" in operations
    keys = DeltaTable(f"{warehouse}/_newsdesk/keys")
    assert "OPTIMIZE" in [entry["operation"] for entry in keys.history()]
    in_bucket = keys.file_uris(file_pruning_predicate=[("bucket", "=", bucket_of("m0"))])
    assert len(in_bucket) < 5


def test_validate_checks_the_pinned_state(tmp_path: Path) -> None:
    from flows.store import validate

    warehouse = _uri(tmp_path)
    assert [p.kind for p in validate(warehouse).problems] == ["manifest"]
    commit_lake(warehouse, make_tables(["a1", "b2"]), run_id="r1", partition=DAY)
    report = validate(warehouse)
    assert report.valid, report.lines()
    assert report.rows["documents"] == 2
    assert report.rows["sections"] == 4
    # A manifest that pins the key table before the commit: its documents are unknown there,
    # so a later run would ingest them again; validate says so.
    table, manifest = lake_manifest.open_manifest(warehouse, {}, create=False)
    assert table is not None
    pins = {**manifest.pins, lake_manifest.KEYS_TABLE: 0}
    lake_manifest.append_manifest(table, manifest, pins, "broken")
    problems = validate(warehouse).problems
    assert {p.kind for p in problems} == {"index"}
    assert sorted(p.detail.split(": ")[1].split(" ")[0] for p in problems) == ["a1", "b2", "rej-r1"]
