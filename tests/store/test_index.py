"""flows.store.index and the commit point: keys and input stats looked up, never scanned."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.records import InputSeen, InputStat
from flows.store import TABLES, commit, open_index, warehouse
from flows.store.index import Index
from flows.store.warehouse import MAX_FILES_PER_PARTITION
from tests.store.helpers import DAY, counts_duckdb, counts_pandas, doc_counts, make_tables


def _seen(uri: str, size: int = 10, mtime_ns: int = 1, digest: str = "h") -> InputSeen:
    return InputSeen(InputStat(uri, size, mtime_ns), digest)


def test_an_empty_warehouse_knows_nothing(tmp_path: Path) -> None:
    index = Index(tmp_path / ".newsdesk")
    assert index.snapshot() is None
    assert index.known("documents", ["a"]) == frozenset()
    assert index.unchanged([InputStat("x.txt", 1, 1)]) == frozenset()


def test_known_returns_only_committed_keys_of_that_table(tmp_path: Path) -> None:
    index = Index(tmp_path)
    index.record(snapshot=1, keys={"documents": ["a", "b"], "rejects": ["r"]}, inputs=())
    assert index.known("documents", ["a", "c", "r"]) == frozenset({"a"})
    assert index.known("rejects", ["a", "r"]) == frozenset({"r"})
    assert index.snapshot() == 1


def test_many_keys_are_looked_up_in_chunks(tmp_path: Path) -> None:
    index = Index(tmp_path)
    keys = [f"k{i:05d}" for i in range(2_345)]
    index.record(snapshot=3, keys={"documents": keys[::2]}, inputs=())
    assert index.known("documents", keys) == frozenset(keys[::2])


@pytest.mark.parametrize(
    ("now", "same"),
    [
        (InputStat("a.txt", 10, 1), True),
        (InputStat("a.txt", 11, 1), False),  # size changed
        (InputStat("a.txt", 10, 2), False),  # touched or edited
        (InputStat("b.txt", 10, 1), False),  # another path with the same stat
    ],
)
def test_an_input_is_unchanged_only_with_path_size_and_mtime(
    tmp_path: Path, now: InputStat, same: bool
) -> None:
    index = Index(tmp_path)
    index.record(snapshot=1, keys={}, inputs=[_seen("a.txt")])
    assert index.unchanged([now]) == (frozenset({now.uri}) if same else frozenset())


def test_a_later_read_replaces_the_stat(tmp_path: Path) -> None:
    index = Index(tmp_path)
    index.record(snapshot=1, keys={}, inputs=[_seen("a.txt", mtime_ns=1)])
    index.record(snapshot=2, keys={}, inputs=[_seen("a.txt", mtime_ns=5)])
    assert index.unchanged([InputStat("a.txt", 10, 1)]) == frozenset()
    assert index.unchanged([InputStat("a.txt", 10, 5)]) == frozenset({"a.txt"})


def test_commit_records_keys_inputs_and_snapshot(tmp_path: Path) -> None:
    result = commit(
        tmp_path, make_tables(["a", "b"]), run_id="r1", partition=DAY, inputs=[_seen("a.txt")]
    )
    index = open_index(tmp_path)
    assert index.snapshot() == int(str(result.snapshot))
    assert index.known("documents", ["a", "b", "z"]) == frozenset({"a", "b"})
    assert index.unchanged([InputStat("a.txt", 10, 1)]) == frozenset({"a.txt"})


def test_a_commit_that_adds_nothing_still_remembers_what_it_read(tmp_path: Path) -> None:
    commit(tmp_path, make_tables(["a"]), run_id="r1", partition=DAY)
    again = commit(
        tmp_path, make_tables(["a"]), run_id="r2", partition=DAY, inputs=[_seen("copy.txt")]
    )
    assert again.added == dict.fromkeys(TABLES, 0)
    assert open_index(tmp_path).unchanged([InputStat("copy.txt", 10, 1)]) == frozenset({"copy.txt"})


def test_a_warehouse_without_an_index_gets_one_from_its_files(tmp_path: Path) -> None:
    commit(tmp_path, make_tables(["a", "b"]), run_id="r1", partition=DAY)
    (tmp_path / ".newsdesk" / "index.sqlite").unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / ".newsdesk" / f"index.sqlite{suffix}").unlink(missing_ok=True)
    overlap = commit(tmp_path, make_tables(["b", "c"], "r2"), run_id="r2", partition=DAY)
    assert overlap.added["documents"] == 1
    assert doc_counts(tmp_path) == [("a", 1), ("b", 1), ("c", 1)]


def test_a_writer_killed_after_the_commit_point_is_rolled_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index names snapshot N+1 but `current` still shows N: readers see N until the next
    writer links N+1, and nothing is committed twice."""
    commit(tmp_path, make_tables(["a"]), run_id="r1", partition=DAY)

    def killed(control: Path, snapshot: Path) -> None:
        raise KeyboardInterrupt  # the process dies between the commit point and the swap

    with monkeypatch.context() as patch:
        patch.setattr(warehouse, "_swap_current", killed)
        with pytest.raises(KeyboardInterrupt):
            commit(tmp_path, make_tables(["b"], "r2"), run_id="r2", partition=DAY)
    assert doc_counts(tmp_path) == [("a", 1)]
    assert open_index(tmp_path).snapshot() == 2
    result = commit(tmp_path, make_tables(["b", "c"], "r3"), run_id="r3", partition=DAY)
    assert result.added["documents"] == 1  # b was committed at the commit point already
    assert result.snapshot == f"{3:012d}"
    assert doc_counts(tmp_path) == [("a", 1), ("b", 1), ("c", 1)]


def test_compaction_bounds_files_per_partition_and_keeps_every_row(tmp_path: Path) -> None:
    ids = [f"d{i:03d}" for i in range(MAX_FILES_PER_PARTITION + 9)]
    for number, doc_id in enumerate(ids):
        commit(tmp_path, make_tables([doc_id], f"r{number}"), run_id=f"r{number}", partition=DAY)
    for name in ("documents", "sections", "entities", "quotes"):
        partition = tmp_path / name / f"ingest_date={DAY.isoformat()}"
        assert 0 < len(list(partition.glob("*.parquet"))) <= MAX_FILES_PER_PARTITION, name
    assert doc_counts(tmp_path) == [(doc_id, 1) for doc_id in ids]
    assert counts_duckdb(tmp_path) == counts_pandas(tmp_path)
    assert counts_duckdb(tmp_path)["sections"] == 2 * len(ids)
