"""flows.store.validate and `newsdesk validate`: a warehouse corrupted each way is reported."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from flows.store import commit, validate
from flows.store.schema import load_spec
from tests.store.helpers import DAY, make_tables

PARTITION = f"ingest_date={DAY.isoformat()}"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    root = tmp_path / "w"
    commit(root, make_tables(["a", "b"], "r1"), run_id="r1", partition=DAY)
    commit(root, make_tables(["c"], "r2"), run_id="r2", partition=DAY)
    return root


def _one_file(root: Path, table: str) -> Path:
    return sorted((root / table / PARTITION).glob("*.parquet"))[0]


def _write(root: Path, table: str, rows: list[dict[str, object]], name: str) -> None:
    path = root / table / PARTITION / name
    pq.write_table(pa.Table.from_pylist(rows, schema=load_spec(table).arrow_schema), path)


def _rows(root: Path, table: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = pq.ParquetFile(_one_file(root, table)).read().to_pylist()
    return rows


def test_a_sound_warehouse_is_valid(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = validate(warehouse)
    assert report.problems == []
    assert report.rows["documents"] == 3
    assert report.files["documents"] == 2
    assert main(["validate", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "documents: 3 rows in 2 files"
    assert out[-1] == "valid"


def _wrong_schema(root: Path) -> None:
    table = pa.table({"doc_id": ["x"], "surprise": [1]})
    pq.write_table(table, root / "documents" / PARTITION / "odd.parquet")


def _truncated_file(root: Path) -> None:
    path = _one_file(root, "entities")
    data = path.read_bytes()
    path.unlink()  # a hard link shared with older snapshots: replace it, never write into it
    path.write_bytes(data[: len(data) // 2])


def _duplicate_document(root: Path) -> None:
    shutil.copy(_one_file(root, "documents"), root / "documents" / PARTITION / "again.parquet")


def _orphan_rows(root: Path) -> None:
    rows = _rows(root, "sections")
    _write(root, "sections", [{**rows[0], "doc_id": "ghost"}], "orphan.parquet")


def _bad_offsets(root: Path) -> None:
    rows = _rows(root, "quotes")
    moved = {**rows[0], "char_start": 2, "char_end": 6, "doc_id": "a"}
    beyond = {**rows[0], "char_start": 0, "char_end": 10_000, "doc_id": "b"}
    for path in (root / "quotes" / PARTITION).glob("*.parquet"):
        path.unlink()
    _write(root, "quotes", [moved, beyond], "shifted.parquet")


def _bad_partition(root: Path) -> None:
    folder = root / "rejects" / "ingest_date=2026-13-45"
    folder.mkdir()
    shutil.copy(_one_file(root, "rejects"), folder / "x.parquet")


def _stray_file(root: Path) -> None:
    (root / "sections" / PARTITION / "notes.txt").write_text("hello")


def _broken_table_link(root: Path) -> None:
    link = root / "quotes"
    link.unlink()
    link.symlink_to(Path(".newsdesk") / "snapshots" / "000000000001" / "quotes")


def _index_behind(root: Path) -> None:
    (root / ".newsdesk" / "index.sqlite").unlink()
    for extra in (root / ".newsdesk").glob("index.sqlite-*"):
        extra.unlink()


def _current_missing(root: Path) -> None:
    link = root / ".newsdesk" / "current"
    link.unlink()
    link.symlink_to(Path("snapshots") / "000000000099")


CORRUPTIONS: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("wrong schema", _wrong_schema, "schema", "extra column surprise; missing column"),
    ("truncated file", _truncated_file, "file", "unreadable Parquet"),
    ("document twice", _duplicate_document, "duplicate", "documents: key a appears 2 times"),
    ("orphan rows", _orphan_rows, "orphan", "sections: a row of doc_id ghost"),
    ("offset off its text", _bad_offsets, "offset", "does not slice to its text 'Lead'"),
    ("offset past the text", _bad_offsets, "offset", "[0:10000] of b is outside its 20 characters"),
    ("bad partition", _bad_partition, "partition", "bad partition folder 'ingest_date=2026-13"),
    ("stray file", _stray_file, "file", "notes.txt: not a table file"),
    ("table link elsewhere", _broken_table_link, "links", "quotes links to .newsdesk/snapshots"),
    ("no index", _index_behind, "index", "no index"),
    ("current dangling", _current_missing, "snapshot", "names snapshots/000000000099"),
]


@pytest.mark.parametrize(
    ("corrupt", "kind", "words"),
    [pytest.param(c, k, w, id=name) for name, c, k, w in CORRUPTIONS],
)
def test_each_corruption_is_reported(
    warehouse: Path,
    corrupt: Callable[[Path], None],
    kind: str,
    words: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert validate(warehouse).problems == []
    corrupt(warehouse)
    report = validate(warehouse)
    found = [p for p in report.problems if p.kind == kind and words in p.detail]
    assert found, report.problems
    assert main(["validate", "--warehouse", str(warehouse)]) == 1
    out = capsys.readouterr().out
    assert f"problem ({kind}): " in out
    assert out.rstrip().endswith("found")


def test_index_behind_current_is_reported(warehouse: Path) -> None:
    commit(warehouse, make_tables(["d"], "r3"), run_id="r3", partition=DAY)
    current = warehouse / ".newsdesk" / "current"
    assert os.readlink(current) == "snapshots/000000000003"
    current.unlink()
    current.symlink_to(Path("snapshots") / "000000000002")  # as if restored from a backup
    report = validate(warehouse)
    assert [p.detail for p in report.problems if p.kind == "index"] == [
        "the index describes snapshot 3, current is 000000000002"
    ]


def test_not_a_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--warehouse", str(tmp_path)]) == 1
    assert "not a newsdesk warehouse" in capsys.readouterr().out
    assert main(["validate", "--warehouse", str(tmp_path / "nothing")]) == 2
    assert "no such warehouse folder" in capsys.readouterr().err
