"""Commit Arrow tables to the warehouse atomically and idempotently (the only writer of files).

Layout of a warehouse root W:

    W/documents -> .newsdesk/current/documents      (one stable symlink per table)
    W/.newsdesk/current -> snapshots/000000000007   (swapped atomically: the commit point)
    W/.newsdesk/snapshots/000000000007/<table>/ingest_date=YYYY-MM-DD/<run_id>-<n>.parquet
    W/.newsdesk/changes/000000000007.json           (files snapshot 7 added and removed vs 6)
    W/.newsdesk/lock                                (writers take an exclusive flock)
    W/.newsdesk/index.sqlite                        (committed keys, input stats: flows.store.index)

A commit builds the next snapshot beside the current one, then replaces the `current` link in one
rename. Readers that glob `W/<table>/**/*.parquet` therefore see either the whole previous state
or the whole new one, for every table at once, even if the writer is killed at any instruction; a
snapshot left half-built by a killed writer is never linked and is removed by the next writer.

Building a snapshot costs what the run adds, not the warehouse's history. A snapshot is a tree of
real directories holding hard links (DuckDB's `**` does not descend into symlinked directories,
so partitions cannot be shared by link), and linking every file into every snapshot would cost a
pass over the whole warehouse per commit. Instead the writer recycles the oldest snapshot that no
reader can still be on (superseded more than the grace period ago): it renames it into place and
replays the change logs written since (`changes/N.json`: files added and removed), so it touches
only the files that changed since then. Only when no snapshot has expired (commits faster than
the grace period) is the current snapshot linked in full.

Two runs commit one after the other under the lock, and each drops rows whose key the index says
the warehouse already holds (looking up only its own keys), so overlapping runs cannot duplicate a
document. The index is written between naming the new snapshot and swapping `current`: it is the
commit point, and a writer killed right after it has its snapshot linked by the next writer.

Compaction (automatic in a commit, or `compact`) rewrites small files of a partition into fewer,
with the same rows, in the snapshot being built. The files it merges away stay in older snapshots
for the grace period, so a reader that pinned a snapshot (`pinned_snapshot`) keeps a complete
view. A reader that resolves paths through `W/<table>` resolves them again when it opens each
file: if a compaction swapped `current` between its listing and its opening a merged-away file,
it gets "file not found" (never wrong rows) and should run the query again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows import interrupts
from flows.errors import WarehouseError
from flows.records import InputSeen, RunRecord, StorySignature
from flows.store.index import Index, KeyLookup
from flows.store.schema import SIGNATURES, TABLES, load_spec, staged_schema
from flows.store.tables import run_table
from flows.stories import AssignedStory, assign_stories, index_keys, sign_text

CONTROL_DIR = ".newsdesk"
_SNAPSHOT_NAME = re.compile(r"^\d{12}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# Rows per Parquet file: large enough for good compression and scan speed, small enough that a
# big run does not make one multi-gigabyte file.
MAX_ROWS_PER_FILE = 250_000
# Compaction: a partition of a table holding more than this many files after a commit has its
# smallest files merged in the same snapshot, down to COMPACT_TO files. Every commit adds a file
# per table, so without it a scheduled inbox (105,000 commits a year at 5 minutes) would leave
# that many files for every reader to glob; with it a partition never holds more than
# MAX_FILES_PER_PARTITION, and merging the smallest first makes the merges tiered (files of
# about 25 commits, then of about 625, ...), so the rows a commit rewrites stay logarithmic in
# the partition's history, amortized. Set by judgment; bench_commits measures the effect.
MAX_FILES_PER_PARTITION = 32
COMPACT_TO = 8
# How long a superseded snapshot (and the files only it still holds) stays readable: a reader
# that pinned a snapshot path must finish within this time. 15 minutes covers a long analytic
# query; a 5-minute schedule then keeps about four snapshots, which cost a hard link per file.
DEFAULT_GRACE_SECONDS = 900
# Row groups of the files a commit writes: DuckDB and pyarrow scan a row group as one unit (DuckDB's
# own row groups hold 122,880 rows), so groups this size read well in parallel and prune on their
# statistics. A group of long texts (documents, sections) ends earlier, at ROW_GROUP_BYTES of
# Arrow memory: that bounds what a commit buffers per table, so a commit's memory does not grow
# with its run (about 6,000 news articles per documents group).
ROW_GROUP_ROWS = 122_880
ROW_GROUP_BYTES = 16 * 1024 * 1024
# Tables whose rows belong to a document; they are kept or dropped with their documents row.
_CHILD_TABLES = ("sections", "entities", "quotes")
# Tables whose key the index holds: a document, a reject or a run is committed once.
_KEYED = ("documents", "rejects", "runs")


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What a commit added, per table (rows already in the warehouse are not counted)."""

    snapshot: str | None
    added: dict[str, int]


@dataclass(frozen=True, slots=True)
class CompactResult:
    """Files per table before and after a `compact` (rows are unchanged)."""

    snapshot: str | None
    files_before: dict[str, int]
    files_after: dict[str, int]


class StagedRows(Protocol):
    """One batch of a run's rows, read one table at a time (flows.store.staging.StagedBatch)."""

    def read(self, name: str) -> pa.Table: ...


@dataclass(frozen=True, slots=True)
class _InMemory:
    tables: Mapping[str, pa.Table]

    def read(self, name: str) -> pa.Table:
        if name in self.tables:
            return self.tables[name]
        return pa.Table.from_batches([], schema=staged_schema(name))


def commit(
    root: Path,
    rows: Mapping[str, pa.Table] | Sequence[StagedRows],
    *,
    run_id: str,
    partition: date,
    inputs: Sequence[InputSeen] = (),
    run: RunRecord | None = None,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
) -> CommitResult:
    """Make a run's rows visible in one atomic step, minus rows the warehouse already has, and
    remember the stat and hash of every input the run read. With `run`, the run's `runs` row
    (with what it added) is part of the same commit, even when it adds nothing else.

    `rows` is a table per name, or the run's staged batches: those are read one at a time, in
    order, and streamed into files of up to MAX_ROWS_PER_FILE rows in row groups of about
    ROW_GROUP_ROWS, so the commit holds one batch and one row group per table in memory.

    New documents get their story ids here, under the lock, from the index's stories and the
    run's other new documents (flows.stories.assign_stories); the index records them in the
    transaction that is the commit point."""
    _check_name(run_id, "run id")
    batches = [_InMemory(rows)] if isinstance(rows, Mapping) else list(rows)
    partition_dir = f"ingest_date={partition.isoformat()}"
    control = _control(root)
    index = Index(control)
    with _locked(control / "lock"):
        _link_tables(root)
        current = _recover(control, index)
        taken: dict[str, set[str]] = {name: set() for name in _KEYED}  # this commit's keys
        keys: dict[str, list[str]] = {name: [] for name in _KEYED}
        added = dict.fromkeys(TABLES, 0)
        build: _Build | None = None
        writers: dict[str, _TableWriter] = {}
        stories = _assign(batches, index)
        story_of = {story.doc_id: story.story_id for story in stories}

        def write(name: str, table: pa.Table) -> None:
            nonlocal build
            if table.num_rows == 0:
                return
            if build is None:
                build = _start_building(control, current, grace_seconds)
            if name not in writers:
                directory = build.path / name / partition_dir
                schema = load_spec(name).arrow_schema
                writers[name] = _TableWriter(build, directory, f"{run_id}-", schema)
            writers[name].add(table)
            added[name] += table.num_rows

        for batch in batches:
            fresh = drop_known_rows({name: batch.read(name) for name in TABLES}, index, taken)
            for name in _KEYED:
                keys[name].extend(fresh[name][load_spec(name).key[0]].to_pylist())
            fresh["documents"] = with_stories(fresh["documents"], story_of)
            for name in TABLES:
                write(name, fresh[name])
        if run is not None and not index.known("runs", [run.run_id]):
            row = run_table(run, added, datetime.now(UTC))
            keys["runs"].append(run.run_id)
            write("runs", row)
        if build is None:
            index.record(snapshot=_number(current), keys={}, inputs=inputs)
            _expire(control, current, grace_seconds)
            return CommitResult(current.name if current else None, added)
        for name, writer in writers.items():
            writer.close()
            build.compact(
                build.path / name / partition_dir,
                run_id,
                keep=COMPACT_TO,
                above=MAX_FILES_PER_PARTITION,
            )
        final = build.finish()
        with interrupts.deferred():  # a signal here waits until readers can see the commit
            # The commit point: keys, inputs and stories in one transaction.
            index.record(snapshot=_number(final), keys=keys, inputs=inputs, stories=stories)
            _swap_current(control, final)
        _expire(control, final, grace_seconds)
        return CommitResult(final.name, added)


def compact(
    root: Path, *, run_id: str, grace_seconds: float = DEFAULT_GRACE_SECONDS
) -> CompactResult:
    """Merge every partition's small files (below MAX_ROWS_PER_FILE rows) into as few files as
    the rows need, in one atomic commit that changes no row, and remove expired snapshots."""
    _check_name(run_id, "run id")
    control = _control(root)
    index = Index(control)
    with _locked(control / "lock"):
        _link_tables(root)
        current = _recover(control, index)
        before = _count_files(current)
        partitions = {
            relative: files
            for relative, files in _partitions(current).items()
            if len(_small_files(files)) > 1
        }
        if not partitions:
            _expire(control, current, grace_seconds)
            return CompactResult(current.name if current else None, before, before)
        build = _start_building(control, current, grace_seconds)
        for relative in sorted(partitions):
            build.compact(build.path / relative, run_id, keep=1, above=1)
        final = build.finish()
        after = _count_files(final)
        with interrupts.deferred():
            index.record(snapshot=_number(final), keys={}, inputs=())  # the commit point
            _swap_current(control, final)
        _expire(control, final, grace_seconds)
        return CompactResult(final.name, before, after)


def pinned_snapshot(root: Path) -> Path | None:
    """The directory of the snapshot current now (its tables are `<path>/<table>`): paths under
    it stay valid for the grace period after a later commit supersedes it, whatever compaction
    does meanwhile. None for a warehouse with no commit yet."""
    return _current_snapshot(root / CONTROL_DIR)


def open_index(root: Path) -> Index:
    """The index of a warehouse root, for lookups (batch tasks, incremental runs)."""
    return Index(root / CONTROL_DIR)


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


def _control(root: Path) -> Path:
    control = root / CONTROL_DIR
    (control / "snapshots").mkdir(parents=True, exist_ok=True)
    (control / "changes").mkdir(exist_ok=True)
    return control


def _current_snapshot(control: Path) -> Path | None:
    link = control / "current"
    if not link.is_symlink():
        return None
    target = control / os.readlink(link)
    if not target.is_dir():
        raise WarehouseError(f"{link} points at a missing snapshot {target}", path=str(link))
    return target


def _number(snapshot: Path | None) -> int:
    return int(snapshot.name) if snapshot is not None else 0


def _snapshot_path(control: Path, number: int) -> Path:
    return control / "snapshots" / f"{number:012d}"


def _changes_path(control: Path, number: int) -> Path:
    return control / "changes" / f"{number:012d}.json"


def _recover(control: Path, index: Index) -> Path | None:
    """Bring `current`, the index and the control folder into step before writing; returns the
    current snapshot.

    The index is written before `current` is swapped, so a killed writer can leave the index one
    snapshot ahead: roll the link forward to it (that snapshot was complete when it was named).
    What a killed writer left beyond that (a half-built snapshot, a named snapshot the index
    never recorded, its change log, a temporary link) was never visible and is removed. A
    warehouse without an index (or with one behind `current`, e.g. restored from a backup) gets
    one built from the current snapshot's files, once.
    """
    current = _current_snapshot(control)
    indexed = index.snapshot()
    if indexed is not None and indexed > _number(current):
        ahead = _snapshot_path(control, indexed)
        if not ahead.is_dir():
            raise WarehouseError(f"the index names snapshot {indexed}, which is missing")
        # The snapshot current until now is superseded now, not when the killed writer logged
        # its change: its grace period starts here.
        with contextlib.suppress(FileNotFoundError):
            os.utime(_changes_path(control, indexed))
        _swap_current(control, ahead)
        current = ahead
    for entry in (control / "snapshots").iterdir():
        stray = _SNAPSHOT_NAME.match(entry.name) and int(entry.name) > _number(current)
        if stray or entry.name.startswith((".building-", ".expired-")):
            shutil.rmtree(entry, ignore_errors=True)
    for entry in (control / "changes").iterdir():
        if not entry.name.endswith(".json") or int(entry.stem) > _number(current):
            entry.unlink(missing_ok=True)
    for entry in control.iterdir():
        if entry.name.startswith("current.tmp-"):
            entry.unlink(missing_ok=True)
    if current is not None and (indexed is None or indexed < _number(current)):
        keys = {
            name: sorted(_read_column(current / name, load_spec(name).key[0])) for name in _KEYED
        }
        stories = _stories_from_files(current / "documents", index)
        index.record(snapshot=_number(current), keys=keys, inputs=(), stories=stories)
    return current


def _stories_from_files(table_dir: Path, index: Index) -> list[AssignedStory]:
    """The story index rows of committed documents it lacks, rebuilt from the documents' files:
    the story id as committed, the signature from the whole text (the blocks that the pipeline
    signs are not stored; the whole text differs from them by the headline, credit line and
    byline, which containment tolerates)."""
    stories = []
    for path in sorted(table_dir.rglob("*.parquet")):
        rows = pq.read_table(path, columns=["doc_id", "story_id", "text"]).to_pylist()
        held = index.stories_of(row["doc_id"] for row in rows)
        for row in rows:
            if row["doc_id"] in held:
                continue
            signature = sign_text(row["text"])
            stories.append(
                AssignedStory(row["doc_id"], row["story_id"], signature, index_keys(signature))
            )
    return stories


def _older_snapshots(control: Path, current: Path | None) -> list[int]:
    entries = (control / "snapshots").iterdir()
    numbers = (int(e.name) for e in entries if _SNAPSHOT_NAME.match(e.name))
    return sorted(n for n in numbers if n < _number(current))


def _superseded_at(control: Path, number: int) -> float:
    """When snapshot `number` stopped being current: when the next one was made."""
    following = _changes_path(control, number + 1)
    with contextlib.suppress(FileNotFoundError):
        return following.stat().st_mtime
    return 0.0  # made before change logs existed: long superseded


def _expired(control: Path, current: Path | None, grace_seconds: float) -> list[int]:
    """Superseded snapshots that no reader may still be on (older than the grace period)."""
    now = time.time()
    expired = []
    for number in _older_snapshots(control, current):  # oldest first: superseded in that order
        if now - _superseded_at(control, number) < grace_seconds:
            break  # every later one was superseded later still
        expired.append(number)
    return expired


def _expire(control: Path, current: Path | None, grace_seconds: float) -> None:
    """Remove snapshots past the grace period, except the newest of them: the next commit
    recycles that one into its snapshot. Change logs nobody can replay any more go too."""
    expired = _expired(control, current, grace_seconds)
    for number in expired[:-1]:
        # Renamed first: a removal cut short must never leave a numbered, half-empty snapshot
        # that a later commit would take for one to recycle.
        doomed = control / "snapshots" / f".expired-{number:012d}"
        os.replace(_snapshot_path(control, number), doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    kept = _older_snapshots(control, current)
    oldest = kept[0] if kept else _number(current)
    for entry in (control / "changes").iterdir():
        if entry.name.endswith(".json") and int(entry.stem) <= oldest:
            entry.unlink(missing_ok=True)


@dataclass(slots=True)
class _Build:
    """The next snapshot, under construction in `.building-N` (invisible until `finish`)."""

    control: Path
    number: int
    path: Path
    full: bool  # every directory was made here (linked in full), not recycled
    touched: set[Path] = field(default_factory=set)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def compact(self, directory: Path, run_id: str, *, keep: int, above: int) -> None:
        """If `directory` holds more than `above` files, merge its smallest files that are not
        full (below MAX_ROWS_PER_FILE rows) into one, so that `keep` remain if the full ones
        allow (split again only past MAX_ROWS_PER_FILE rows). Same rows, fewer files; full files
        are never rewritten, so a partition holds at most `above` files or one per
        MAX_ROWS_PER_FILE rows, whichever is more. The merged-away files are only unlinked
        here: older snapshots keep them."""
        if not directory.is_dir():
            return
        files = list(directory.glob("*.parquet"))
        if len(files) <= above:
            return
        small = _small_files(files)
        merge = small[: max(0, len(files) - keep + 1)]
        if len(merge) < 2:  # noqa: PLR2004 - merging one file into one would change nothing
            return
        writer: _TableWriter | None = None
        for path in merge:  # one file in memory at a time
            table = pq.ParquetFile(path).read()
            if writer is None:
                writer = _TableWriter(self, directory, f"{run_id}-compact-", table.schema)
            writer.add(table)
        if writer is not None:
            writer.close()
        for path in merge:
            path.unlink()
            self.removed.append(path.relative_to(self.path).as_posix())

    def finish(self) -> Path:
        """Log what changed, make it durable and give the snapshot its number (not yet current)."""
        log = _changes_path(self.control, self.number)
        log.write_text(json.dumps({"added": self.added, "removed": self.removed}))
        _fsync_file(log)
        _fsync_dir(log.parent)
        if self.full:
            _fsync_tree(self.path)
        else:
            for directory in sorted(self.touched):
                _fsync_dir(directory)
            _fsync_dir(self.path)
        final = _snapshot_path(self.control, self.number)
        os.replace(self.path, final)
        _fsync_dir(final.parent)
        return final


class _TableWriter:
    """New Parquet files `<prefix><n>.parquet` in a partition of the snapshot being built, fed
    table by table: rows are buffered into row groups of about ROW_GROUP_ROWS rows (or
    ROW_GROUP_BYTES of Arrow memory, whichever comes first) and a file ends at MAX_ROWS_PER_FILE
    rows. Memory: one row group."""

    def __init__(self, build: _Build, directory: Path, prefix: str, schema: pa.Schema) -> None:
        self._build = build
        self._directory = directory
        self._prefix = prefix
        self._schema = schema
        self._buffer: list[pa.Table] = []
        self._buffered_rows = 0
        self._buffered_bytes = 0
        self._files = 0
        self._writer: pq.ParquetWriter | None = None
        self._path: Path | None = None
        self._rows_in_file = 0

    def add(self, table: pa.Table) -> None:
        self._buffer.append(table)
        self._buffered_rows += table.num_rows
        self._buffered_bytes += table.nbytes
        if self._buffered_rows >= ROW_GROUP_ROWS or self._buffered_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def close(self) -> None:
        self._flush()
        self._end_file()

    def _flush(self) -> None:
        if not self._buffered_rows:
            return
        rows = pa.concat_tables(self._buffer)
        self._buffer, self._buffered_rows, self._buffered_bytes = [], 0, 0
        start = 0
        while start < rows.num_rows:
            if self._writer is None:
                self._start_file()
            room = MAX_ROWS_PER_FILE - self._rows_in_file
            part = rows.slice(start, room)
            assert self._writer is not None
            self._writer.write_table(part, row_group_size=ROW_GROUP_ROWS)
            self._rows_in_file += part.num_rows
            start += part.num_rows
            if self._rows_in_file >= MAX_ROWS_PER_FILE:
                self._end_file()

    def _start_file(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        # The partition's parent too, if the partition is new.
        self._build.touched.update((self._directory, self._directory.parent))
        path = self._directory / f"{self._prefix}{self._files:05d}.parquet"
        if path.exists():  # it would be a hard link to a committed file: never write into it
            raise WarehouseError(f"refusing to overwrite a committed file: {path}")
        self._files += 1
        self._path = path
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._rows_in_file = 0

    def _end_file(self) -> None:
        if self._writer is None or self._path is None:
            return
        self._writer.close()
        _fsync_file(self._path)
        self._build.added.append(self._path.relative_to(self._build.path).as_posix())
        self._writer, self._path = None, None


def _start_building(control: Path, current: Path | None, grace_seconds: float) -> _Build:
    """The next snapshot, as the current one plus nothing yet: the newest expired snapshot
    brought up to date by replaying the change logs since it (cost: the files changed since),
    or, when none has expired, a hard link of every current file."""
    number = _number(current) + 1
    building = control / "snapshots" / f".building-{number:012d}"
    expired = _expired(control, current, grace_seconds)
    if current is not None and expired:
        base = expired[-1]
        logs = [_changes_path(control, n) for n in range(base + 1, number)]
        if all(log.is_file() for log in logs):
            os.replace(_snapshot_path(control, base), building)
            build = _Build(control, number, building, full=False)
            _replay(build, current, logs)
            return build
    building.mkdir()
    if current is not None:
        _hardlink_tree(current, building)
    for name in TABLES:
        (building / name).mkdir(exist_ok=True)
    return _Build(control, number, building, full=True)


def _replay(build: _Build, current: Path, logs: Sequence[Path]) -> None:
    """Bring a recycled snapshot up to `current` by the net effect of the change logs."""
    present: dict[str, bool] = {}
    for log in logs:
        change = json.loads(log.read_text())
        # Added first: a commit's compaction can merge away a file that the same commit wrote.
        for relative in change["added"]:
            present[relative] = True
        for relative in change["removed"]:
            present[relative] = False
    for relative, keep in sorted(present.items()):
        target = build.path / relative
        if keep:
            source = current / relative
            if target.exists() and os.path.samefile(source, target):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # a file of the same name, merged away since
            os.link(source, target)
        elif target.exists():
            target.unlink()
        else:
            continue
        build.touched.update((target.parent, target.parent.parent))


def _small_files(files: Sequence[Path]) -> list[Path]:
    """The files below MAX_ROWS_PER_FILE rows (footers only are read), smallest first."""
    small = [path for path in files if pq.ParquetFile(path).metadata.num_rows < MAX_ROWS_PER_FILE]
    return sorted(small, key=lambda path: (path.stat().st_size, path.name))


def _partitions(snapshot: Path | None) -> dict[str, list[Path]]:
    """Every partition directory of every table (relative to the snapshot), with its files."""
    found: dict[str, list[Path]] = {}
    if snapshot is None:
        return found
    for name in TABLES:
        for directory in sorted((snapshot / name).glob("*")):
            if directory.is_dir():
                found[f"{name}/{directory.name}"] = sorted(directory.glob("*.parquet"))
    return found


def _count_files(snapshot: Path | None) -> dict[str, int]:
    if snapshot is None:
        return dict.fromkeys(TABLES, 0)
    return {name: len(list((snapshot / name).rglob("*.parquet"))) for name in TABLES}


def drop_known_rows(
    tables: dict[str, pa.Table], index: KeyLookup, taken: dict[str, set[str]]
) -> dict[str, pa.Table]:
    """A batch's rows minus documents (with their child rows), rejects and runs that are
    already committed or that an earlier batch of this commit holds (`taken`, updated here);
    only this batch's keys are looked up, never the whole key set."""
    out = dict(tables)
    for name in _KEYED:
        column = load_spec(name).key[0]
        table = unique_rows(tables[name], column)
        ids = table[column].to_pylist()
        known = index.known(name, ids) | taken[name].intersection(ids)
        out[name] = table.filter(
            pc.invert(pc.is_in(table[column], pa.array(sorted(known), type=pa.string())))
        )
        taken[name].update(out[name][column].to_pylist())
    keep = out["documents"]["doc_id"]
    for name in _CHILD_TABLES:
        # The same bytes under two names in one run are one document: one copy of its rows.
        rows = unique_rows(tables[name], *load_spec(name).key)
        out[name] = rows.filter(pc.is_in(rows["doc_id"], keep))
    return out


def _assign(batches: Sequence[StagedRows], index: Index) -> tuple[AssignedStory, ...]:
    """The stories of the run's new documents, assigned in one go so that the result does not
    depend on how the run was cut into batches."""
    new = staged_signatures(batches)
    for doc_id in index.known("documents", new):
        del new[doc_id]
    if not new:
        return ()
    with index.stories() as lookup:
        return assign_stories(new, lookup)


def staged_signatures(batches: Sequence[StagedRows]) -> dict[str, StorySignature]:
    """Every staged document's story signature (a few hundred bytes per document), the first
    batch's for a document staged twice. A document staged without a signature (rows built by
    hand) is signed here from its whole text."""
    new: dict[str, StorySignature] = {}
    for batch in batches:
        for row in batch.read(SIGNATURES).to_pylist():
            signature = StorySignature(tuple(row["minhash"]), row["shingles"], row["exact"])
            new.setdefault(row["doc_id"], signature)
        documents = batch.read("documents").select(["doc_id", "text"]).to_pylist()
        for row in documents:
            if row["doc_id"] not in new:
                new[row["doc_id"]] = sign_text(row["text"])
    return new


def with_stories(documents: pa.Table, story_of: Mapping[str, str]) -> pa.Table:
    """The documents with their assigned story ids (a document without a signature keeps its
    own doc_id: a story of its own)."""
    if documents.num_rows == 0:
        return documents
    ids = documents["doc_id"].to_pylist()
    column = pa.array([story_of.get(doc_id, doc_id) for doc_id in ids], type=pa.string())
    position = documents.schema.get_field_index("story_id")
    return documents.set_column(position, documents.schema.field(position), column)


def unique_rows(table: pa.Table, *columns: str) -> pa.Table:
    """First row per key (one or more columns), order kept (the same bytes under two names
    ingest once)."""
    seen: set[tuple[object, ...]] = set()
    mask = []
    for value in zip(*(table[column].to_pylist() for column in columns), strict=True):
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
