"""Commit Arrow tables to the warehouse atomically and idempotently (the only writer of files).

Layout of a warehouse root W:

    W/documents -> .newsdesk/current/documents      (one stable symlink per table)
    W/.newsdesk/current -> snapshots/000000000007   (swapped atomically: the commit point)
    W/.newsdesk/snapshots/000000000007/<table>/ingest_date=YYYY-MM-DD/<run_id>-<n>.parquet
    W/.newsdesk/lock                                (commits take an exclusive flock)

A commit builds the next snapshot beside the current one (hard links to every existing file, plus
the new files, fsynced), then replaces the `current` link in one rename. Readers that glob
`W/<table>/**/*.parquet` therefore see either the whole previous state or the whole new one, for
every table at once, even if the writer is killed at any instruction; a snapshot left half-built by
a killed writer is never linked and is removed by the next commit. Two runs commit one after the
other under the lock, and each drops rows whose key the warehouse already holds, so overlapping
runs cannot duplicate a document.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.errors import WarehouseError
from flows.store.schema import TABLES, load_spec

CONTROL_DIR = ".newsdesk"
_SNAPSHOT_NAME = re.compile(r"^\d{12}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# Rows per Parquet file: large enough for good compression and scan speed, small enough that a
# big run does not make one multi-gigabyte file.
MAX_ROWS_PER_FILE = 250_000
# Tables whose rows belong to a document; they are kept or dropped with their documents row.
_CHILD_TABLES = ("sections", "entities", "quotes")


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What a commit added, per table (rows already in the warehouse are not counted)."""

    snapshot: str | None
    added: dict[str, int]


def commit(
    root: Path, tables: dict[str, pa.Table], *, run_id: str, partition: date
) -> CommitResult:
    """Make `tables` visible in one atomic step, minus rows the warehouse already has."""
    _check_name(run_id, "run id")
    partition_dir = f"ingest_date={partition.isoformat()}"
    control = root / CONTROL_DIR
    (control / "snapshots").mkdir(parents=True, exist_ok=True)
    with _locked(control / "lock"):
        _link_tables(root)
        current = _current_snapshot(control)
        _collect_garbage(control, keep=current)
        fresh = _drop_known_rows(tables, current)
        added = {name: fresh[name].num_rows for name in TABLES}
        if not any(added.values()):
            return CommitResult(current.name if current else None, added)
        number = int(current.name) + 1 if current else 1
        building = control / "snapshots" / f".building-{number:012d}"
        if current is not None:
            _hardlink_tree(current, building)
        for name in TABLES:
            (building / name).mkdir(parents=True, exist_ok=True)
            _write_files(fresh[name], building / name / partition_dir, run_id)
        _fsync_tree(building)
        final = control / "snapshots" / f"{number:012d}"
        os.replace(building, final)
        _fsync_dir(final.parent)
        _swap_current(control, final)
        _collect_garbage(control, keep=final)
        return CommitResult(final.name, added)


def existing_keys(root: Path, table: str = "documents") -> frozenset[str]:
    """Ids already committed (doc_id for documents, reject_id for rejects)."""
    current = _current_snapshot(root / CONTROL_DIR)
    if current is None:
        return frozenset()
    column = load_spec(table).key[0]
    return _read_column(current / table, column)


def _check_name(value: str, what: str) -> None:
    # Anything that becomes a path segment is checked: input can never steer a write elsewhere.
    if not _SAFE_NAME.match(value) or ".." in value:
        raise WarehouseError(f"unsafe {what} for a file name: {value!r}")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _link_tables(root: Path) -> None:
    for name in TABLES:
        link = root / name
        target = Path(CONTROL_DIR) / "current" / name
        if link.is_symlink():
            if Path(os.readlink(link)) != target:
                raise WarehouseError(f"{link} links elsewhere than {target}", path=str(link))
            continue
        if link.exists():
            raise WarehouseError(
                f"{link} exists and is not a newsdesk table link: choose an empty warehouse root",
                path=str(link),
            )
        link.symlink_to(target, target_is_directory=True)


def _current_snapshot(control: Path) -> Path | None:
    link = control / "current"
    if not link.is_symlink():
        return None
    target = control / os.readlink(link)
    if not target.is_dir():
        raise WarehouseError(f"{link} points at a missing snapshot {target}", path=str(link))
    return target


def _collect_garbage(control: Path, *, keep: Path | None) -> None:
    """Remove every snapshot but `keep` (half-built ones from killed writers included).

    Readers never lose a file: they resolve paths through `current`, and the kept snapshot holds a
    hard link to every file that any older snapshot had.
    """
    for entry in (control / "snapshots").iterdir():
        if keep is not None and entry.name == keep.name:
            continue
        if _SNAPSHOT_NAME.match(entry.name) or entry.name.startswith(".building-"):
            shutil.rmtree(entry, ignore_errors=True)
    for entry in control.iterdir():
        if entry.name.startswith("current.tmp-"):
            entry.unlink(missing_ok=True)


def _drop_known_rows(tables: dict[str, pa.Table], current: Path | None) -> dict[str, pa.Table]:
    out = dict(tables)
    known_docs = _read_column(current / "documents", "doc_id") if current else frozenset()
    known_rejects = _read_column(current / "rejects", "reject_id") if current else frozenset()
    docs = _unique(tables["documents"], "doc_id")
    docs = docs.filter(
        pc.invert(pc.is_in(docs["doc_id"], pa.array(sorted(known_docs), type=pa.string())))
    )
    out["documents"] = docs
    keep = docs["doc_id"]
    for name in _CHILD_TABLES:
        out[name] = tables[name].filter(pc.is_in(tables[name]["doc_id"], keep))
    rejects = _unique(tables["rejects"], "reject_id")
    rejects = rejects.filter(
        pc.invert(pc.is_in(rejects["reject_id"], pa.array(sorted(known_rejects), type=pa.string())))
    )
    out["rejects"] = rejects
    return out


def _unique(table: pa.Table, column: str) -> pa.Table:
    """First row per key, order kept (the same bytes under two names ingest once)."""
    seen: set[str] = set()
    mask = []
    for value in table[column].to_pylist():
        mask.append(value not in seen)
        seen.add(value)
    return table.filter(pa.array(mask, type=pa.bool_()))


def _read_column(table_dir: Path, column: str) -> frozenset[str]:
    values: set[str] = set()
    for path in sorted(table_dir.rglob("*.parquet")):
        values.update(pq.read_table(path, columns=[column])[column].to_pylist())
    return frozenset(values)


def _hardlink_tree(source: Path, dest: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(source):
        rel = Path(dirpath).relative_to(source)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for filename in filenames:
            os.link(Path(dirpath) / filename, dest / rel / filename)


def _write_files(table: pa.Table, directory: Path, run_id: str) -> None:
    if table.num_rows == 0:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for number, start in enumerate(range(0, table.num_rows, MAX_ROWS_PER_FILE)):
        chunk = table.slice(start, MAX_ROWS_PER_FILE)
        path = directory / f"{run_id}-{number:05d}.parquet"
        pq.write_table(chunk, path, compression="zstd")
        _fsync_file(path)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Make the directory entries durable (new files were fsynced as they were written)."""
    for dirpath, _dirnames, _filenames in os.walk(root):
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_current(control: Path, snapshot: Path) -> None:
    temporary = control / f"current.tmp-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path("snapshots") / snapshot.name, target_is_directory=True)
    os.replace(temporary, control / "current")
    _fsync_dir(control)
