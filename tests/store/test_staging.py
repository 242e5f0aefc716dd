"""flows.store.staging and the streaming commit: batches staged as files, read one at a time,
written in scan-sized row groups; abandoned staging folders cleaned up, live ones left alone."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.errors import WarehouseError
from flows.store import TABLES, StagedBatch, commit, stage_tables, staging_area
from flows.store import warehouse as warehouse_module
from flows.store.staging import CONTROL_DIR, STAGING_DIR
from tests.store.helpers import DAY, counts_duckdb, doc_counts, make_tables, rows_duckdb


def _staged(directory: Path, batches: list[list[str]]) -> list[StagedBatch]:
    directory.mkdir()
    return [
        stage_tables(directory, number, make_tables(ids, "r1"))
        for number, ids in enumerate(batches)
    ]


def test_a_staged_batch_reads_back_its_rows_and_is_small(tmp_path: Path) -> None:
    tables = make_tables(["a", "b"])
    staged = stage_tables(tmp_path, 7, tables)
    assert staged.rows == {"documents": 2, "sections": 4, "entities": 2, "quotes": 2, "rejects": 1}
    for name in TABLES:
        assert staged.read(name).equals(tables[name]), name
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"000007-{name}.arrow" for name in sorted(TABLES) if name != "runs"
    ]
    assert len(repr(staged)) < 300  # what a task hands back: paths and counts, no rows


def test_staged_batches_commit_like_the_same_rows_in_memory(tmp_path: Path) -> None:
    batches = [["a", "b"], ["c"], ["b", "d"], ["a"]]  # b and a come twice, in other batches
    staged = _staged(tmp_path / "staging", batches)
    result = commit(tmp_path / "streamed", staged, run_id="r1", partition=DAY)
    assert doc_counts(tmp_path / "streamed") == [("a", 1), ("b", 1), ("c", 1), ("d", 1)]
    assert result.added == {
        "documents": 4,
        "sections": 8,
        "entities": 4,
        "quotes": 4,
        "rejects": 1,
        "runs": 0,
    }
    whole = commit(
        tmp_path / "whole", make_tables(["a", "b", "c", "d"]), run_id="r1", partition=DAY
    )
    assert whole.added == result.added
    for name in TABLES:
        assert rows_duckdb(tmp_path / "streamed", name) == rows_duckdb(tmp_path / "whole", name)


def test_the_commit_writes_row_groups_and_rolls_files_at_their_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warehouse_module, "ROW_GROUP_ROWS", 4)
    monkeypatch.setattr(warehouse_module, "MAX_ROWS_PER_FILE", 6)
    monkeypatch.setattr(warehouse_module, "MAX_FILES_PER_PARTITION", 100)
    staged = _staged(tmp_path / "staging", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]])
    commit(tmp_path / "w", staged, run_id="r1", partition=DAY)
    files = sorted((tmp_path / "w" / "sections").rglob("*.parquet"))
    shapes = []
    for path in files:
        meta = pq.ParquetFile(path).metadata
        shapes.append([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])
        assert meta.row_group(0).column(0).compression == "ZSTD"
    # 14 rows, flushed 4 at a time: files of at most 6 rows, row groups of at most 4
    assert shapes == [[4, 2], [2, 4], [2]]
    assert counts_duckdb(tmp_path / "w")["sections"] == 14


def test_the_staging_folder_lives_as_long_as_its_run(tmp_path: Path) -> None:
    with staging_area(tmp_path, "r1") as folder:
        stage_tables(folder, 0, make_tables(["a"]))
        assert folder.parent == tmp_path / CONTROL_DIR / STAGING_DIR
        assert any(folder.iterdir())
        with pytest.raises(WarehouseError, match="already staging"), staging_area(tmp_path, "r1"):
            pass
    assert not folder.exists()
    with pytest.raises(RuntimeError), staging_area(tmp_path, "r2") as failed:
        raise RuntimeError("the run failed")
    assert not failed.exists()


@pytest.mark.parametrize("bad", ["../escape", "a/b", "", ".hidden"])
def test_a_run_id_never_chooses_a_path(tmp_path: Path, bad: str) -> None:
    with pytest.raises(WarehouseError), staging_area(tmp_path, bad):
        pass


def test_abandoned_staging_is_removed_and_live_staging_kept(tmp_path: Path) -> None:
    area = tmp_path / CONTROL_DIR / STAGING_DIR
    dead, alive, young = area / "dead-run", area / "live-run", area / "young-run"
    for folder in (dead, alive, young):
        folder.mkdir(parents=True)
        (folder / ".lock").touch()
        stage_tables(folder, 0, make_tables(["a"]))
    long_ago = time.time() - 3600
    for folder in (dead, alive):
        os.utime(folder, (long_ago, long_ago))
    with (alive / ".lock").open("a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a running run holds it
        with staging_area(tmp_path, "next-run"):
            pass
    assert not dead.exists()  # its run died: nobody holds the lock
    assert alive.exists()  # its run is alive
    assert young.exists()  # maybe not locked yet: too new to judge
