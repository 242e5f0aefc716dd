"""The staging area: where batch tasks leave their rows until the run's commit takes them.

A run stages under `W/.newsdesk/staging/<run_id>/`, outside the table roots and on the warehouse's
file system. Each batch task (in this process, a worker process or another machine's worker
sharing the file system) writes its tables there as Arrow IPC files and hands back a `StagedBatch`:
paths and row counts, never rows. The run's commit then reads the batches one at a time, so a run
holds one batch in memory whatever the size of its inbox.

Readers never look here: staged rows become visible only through a commit. A run holds an
exclusive lock on its staging folder while it lives and removes the folder when it ends; a folder
whose lock nobody holds (its run was killed) is removed by the next run that opens the area.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa

from flows.errors import WarehouseError
from flows.store.schema import SIGNATURES, TABLES, staged_schema

CONTROL_DIR = ".newsdesk"  # flows.store.warehouse's control folder
STAGING_DIR = "staging"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_LOCK = ".lock"
# A staging folder younger than this is never taken for an abandoned one, even unlocked: its
# run may be between creating it and locking it.
_ABANDONED_AFTER_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class StagedBatch:
    """One batch's staged tables: the folder, the batch's number and the rows per table (a
    table with no rows has no file). Small, picklable, the whole result of a batch task."""

    directory: str
    number: int
    rows: dict[str, int] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return Path(self.directory) / f"{self.number:06d}-{name}.arrow"

    def read(self, name: str) -> pa.Table:
        """The staged rows of table `name` (an empty table of its schema if there are none)."""
        if not self.rows.get(name):
            # Not Schema.empty_table(): that one imports pandas (about 1 s) for nothing.
            return pa.Table.from_batches([], schema=staged_schema(name))
        with pa.memory_map(str(self.path(name))) as source:
            table = pa.ipc.open_file(source).read_all()
        return table


def stage_tables(directory: Path, number: int, tables: dict[str, pa.Table]) -> StagedBatch:
    """Write one batch's tables into a run's staging folder; each file appears whole or not at
    all (written under a temporary name, then renamed)."""
    rows: dict[str, int] = {}
    batch = StagedBatch(str(directory), number)
    for name in (*TABLES, SIGNATURES):
        table = tables.get(name)
        if table is None or table.num_rows == 0:
            continue
        target = batch.path(name)
        partial = target.with_name(f".{target.name}.partial")
        with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        os.replace(partial, target)
        rows[name] = table.num_rows
    return StagedBatch(str(directory), number, rows)


@contextlib.contextmanager
def staging_area(root: Path, run_id: str) -> Iterator[Path]:
    """The staging folder of run `run_id` in warehouse `root`, locked for the run's life and
    removed when it ends (however it ends). Folders of runs that died are removed first."""
    if not _SAFE_NAME.match(run_id):
        raise WarehouseError(f"unsafe run id for a folder name: {run_id!r}")
    area = root / CONTROL_DIR / STAGING_DIR
    area.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(area)
    directory = area / run_id
    try:
        directory.mkdir()
    except FileExistsError as exc:
        raise WarehouseError(f"a run {run_id} is already staging", path=str(directory)) from exc
    try:
        with _held(directory / _LOCK):
            yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _held(path: Path) -> Iterator[IO[bytes]]:
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield handle


def _remove_abandoned(area: Path) -> None:
    """Remove staging folders whose run is gone (its lock is free) and that are not brand new."""
    now = time.time()
    for entry in area.iterdir():
        if not entry.is_dir():
            continue
        try:
            if now - entry.stat().st_mtime < _ABANDONED_AFTER_SECONDS:
                continue
            handle = (entry / _LOCK).open("a+b")
        except FileNotFoundError:
            continue  # removed meanwhile
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its run is alive
            shutil.rmtree(entry, ignore_errors=True)
