"""Commit to and compact a warehouse in object storage: Delta tables pinned by a manifest.

Layout of a warehouse URI U (`s3://bucket/prefix`, or any URI deltalake opens):

    U/<table>/              a Delta table per table (documents, sections, entities, quotes,
                            rejects, runs), partitioned by ingest_date, schemas from schemas/
    U/_newsdesk/keys/       Delta table of committed keys (tbl, key), partitioned by bucket
    U/_newsdesk/inputs/     Delta table of input stats (uri, size, mtime_ns, content_hash)
    U/_newsdesk/manifest/   Delta table, one row per commit: the version of every table above

Object storage has no rename and no links, so the local snapshot protocol (flows.store.warehouse)
does not carry over; each table is a Delta table instead, whose own commits are atomic. What Delta
cannot do is commit six tables at once, so a commit writes each table's new rows as one Delta
version, then appends a manifest row LAST that pins every table's version: the manifest append is
the commit point. Readers (flows.store.readers) read the versions the newest manifest pins, so they
never see a document without its sections, entities and quotes; a writer killed before its
manifest leaves readers on the previous complete state.

Every Delta write here is fenced: it is made against the table version the writer has checked
and with `max_commit_retries=0`, so it lands exactly one version later or fails (each version is
created with a conditional put, see flows.store.location). So a table version a writer pins holds
exactly the previous manifest's state plus that writer's rows. Versions past the pins (left by a
killed writer, or by the loser of a race) are never read; the next writer restores such a table
to its pinned version (a Delta RESTORE, itself a new version) before it appends, so those rows
never reach a manifest. Two writers at once: the one whose manifest lands first wins; the other
gets a CommitFailedError, reads the new manifest, drops the keys the winner committed and tries
again, so overlapping runs never duplicate a row.

Known keys and unchanged inputs are looked up in the key and input tables at their pinned
versions (flows.store.lake_keys): partitions (`bucket`, the first two hex digits of the key's
SHA-256) and file statistics prune what is read, so a lookup reads what the run's keys hash to,
never every key.

Compaction (`compact`) rewrites small files with Delta's OPTIMIZE (same rows), pins the result in
a manifest, then VACUUMs files that no version in the last grace period still needs. A commit also
compacts a crowded table it writes (the day's partition of a data table, or a control table)
before it appends, as a fenced version of its own, so opening tables stays cheap between runs of
`compact`; only `compact` deletes files.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from flows.errors import WarehouseError
from flows.records import InputSeen, RunRecord
from flows.store.lake_keys import (
    CONTROL,
    INPUTS_SCHEMA,
    KEYS_SCHEMA,
    LakeIndex,
    bucket_of,
)
from flows.store.location import hold_before_manifest, storage_options, table_uri
from flows.store.schema import TABLES, load_spec
from flows.store.tables import run_table
from flows.store.warehouse import (
    MAX_FILES_PER_PARTITION,
    CommitResult,
    CompactResult,
    StagedRows,
    drop_known_rows,
    unique_rows,
)

if TYPE_CHECKING:
    from deltalake import DeltaTable

# deltalake is imported where it is used (about 0.2-1 s): a run into a local warehouse, the
# fast one-article run above all, never loads it.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# The control tables, by their path under the warehouse URI (also their name in a manifest).
KEYS_TABLE = f"{CONTROL}/keys"
INPUTS_TABLE = f"{CONTROL}/inputs"
MANIFEST_TABLE = f"{CONTROL}/manifest"
PINNED = (*TABLES, KEYS_TABLE, INPUTS_TABLE)
MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("manifest", pa.int64(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("committed_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("pins", pa.string(), nullable=False),  # JSON: table -> Delta version
    ]
)
# The commit info key under which a manifest commit carries its pins, so a reader finds the
# newest manifest in the last commit's info instead of reading the manifest table's files.
PINS_KEY = "newsdesk.manifest"
# A commit that loses a race to another writer starts again from the new manifest: this many
# times in all, after a random pause of up to RETRY_PAUSE_SECONDS * attempt (so that two writers
# that collided do not collide again).
COMMIT_ATTEMPTS = 8
RETRY_PAUSE_SECONDS = 0.5
# Commits searched back for the newest manifest: all but the last are OPTIMIZE commits of the
# manifest table itself, one per `compact`.
_HISTORY = 16
_SECONDS_PER_HOUR = 3600
# A control table (keys, inputs) with more files than this is compacted by the commit that finds
# it so: 256 buckets of 4 files. A one-article commit adds about 3 files, so that happens about
# every 250 such commits (a day of a 5-minute schedule) and rewrites every key then (a million
# keys are about 40 MB); a commit of many keys adds a file per bucket, and the rewrite follows
# the same bound.
CONTROL_MAX_FILES = 1024
_FENCED = 0  # max_commit_retries: land on the checked version or fail
# Tables whose rows belong to a document, and tables keyed in the key table.
_KEYED = ("documents", "rejects", "runs")


@dataclass(frozen=True, slots=True)
class Manifest:
    """The newest complete commit: its number (0 before any), the manifest table's version it
    was read at (the fence for the next manifest) and each table's pinned Delta version."""

    number: int
    version: int
    pins: dict[str, int]


def commit(
    warehouse: str,
    rows: Mapping[str, pa.Table] | Sequence[StagedRows],
    *,
    run_id: str,
    partition: date,
    inputs: Sequence[InputSeen] = (),
    run: RunRecord | None = None,
) -> CommitResult:
    """Make a run's rows visible in one manifest, minus rows the warehouse already has, and
    remember the stat and hash of every input the run read (see the module's docstring).

    `rows` is a table per name, or the run's staged batches, read a batch at a time and
    streamed into each table's Delta write. Returns the new manifest's number and the rows
    added per table."""
    from deltalake.exceptions import CommitFailedError, DeltaError  # noqa: PLC0415

    _check_name(run_id)
    batches: list[StagedRows] = [_InMemory(rows)] if isinstance(rows, Mapping) else list(rows)
    options = storage_options(warehouse)
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        try:
            return _commit_once(
                warehouse,
                options,
                batches,
                run_id=run_id,
                partition=partition,
                inputs=inputs,
                run=run,
            )
        except CommitFailedError:
            if attempt == COMMIT_ATTEMPTS:
                break
            time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * attempt))
        except DeltaError as exc:  # storage I/O errors stay OSErrors: the caller retries those
            raise WarehouseError(f"cannot commit run {run_id}: {exc}", path=warehouse) from exc
    raise WarehouseError(
        f"gave up committing run {run_id} after {COMMIT_ATTEMPTS} attempts: other writers kept "
        "committing first",
        path=warehouse,
    )


def compact(warehouse: str, *, run_id: str, grace_seconds: float) -> CompactResult:
    """Rewrite every table's small files into fewer (same rows) and pin them in a manifest,
    then delete files no version of the last `grace_seconds` still needs (Delta's VACUUM
    counts whole hours: the grace is rounded up)."""
    from deltalake import CommitProperties, DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import CommitFailedError  # noqa: PLC0415

    _check_name(run_id)
    options = storage_options(warehouse)
    manifest_table, manifest = open_manifest(warehouse, options, create=False)
    if manifest_table is None:
        raise WarehouseError(f"not a newsdesk warehouse: {warehouse}", path=warehouse)
    before = {name: _file_count(warehouse, name, manifest.pins[name], options) for name in TABLES}
    pins = dict(manifest.pins)
    for name in PINNED:
        table = _at_pin(warehouse, name, manifest.pins[name], options)
        metrics = table.optimize.compact(
            commit_properties=CommitProperties(max_commit_retries=_FENCED)
        )
        if metrics.get("numFilesRemoved", 0) or table.version() != manifest.pins[name]:
            pins[name] = table.version()
    if pins != manifest.pins:
        try:
            _append_manifest(manifest_table, manifest, pins, run_id)
        except CommitFailedError as exc:
            raise WarehouseError(
                f"another writer committed during compaction; run it again ({exc})",
                path=warehouse,
            ) from exc
    with contextlib.suppress(CommitFailedError):  # a writer came first: the next compact does it
        manifest_table.optimize.compact(
            commit_properties=CommitProperties(max_commit_retries=_FENCED)
        )
    hours = math.ceil(grace_seconds / _SECONDS_PER_HOUR)
    for name in (*PINNED, MANIFEST_TABLE):
        DeltaTable(table_uri(warehouse, name), storage_options=options).vacuum(
            retention_hours=hours,
            dry_run=False,
            enforce_retention_duration=False,
            full=True,  # also files a killed writer uploaded but never committed
        )
    after = {name: _file_count(warehouse, name, pins[name], options) for name in TABLES}
    return CompactResult(str(manifest.number + (pins != manifest.pins)), before, after)


def open_manifest(
    warehouse: str, options: dict[str, str], *, create: bool
) -> tuple[DeltaTable | None, Manifest]:
    """The manifest table and the newest manifest; with `create`, a warehouse with no tables
    yet gets them (every table at version 0, empty), the manifest table last."""
    from deltalake import DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import TableNotFoundError  # noqa: PLC0415

    try:
        table = DeltaTable(table_uri(warehouse, MANIFEST_TABLE), storage_options=options)
    except TableNotFoundError:
        if not create:
            return None, Manifest(0, -1, dict.fromkeys(PINNED, 0))
        _create_tables(warehouse, options)
        table = DeltaTable(table_uri(warehouse, MANIFEST_TABLE), storage_options=options)
    for info in table.history(_HISTORY):
        if PINS_KEY in info:
            found = json.loads(info[PINS_KEY])
            pins = {name: int(found["pins"].get(name, 0)) for name in PINNED}
            return table, Manifest(int(found["manifest"]), table.version(), pins)
    if table.version() >= _HISTORY:
        raise WarehouseError(f"no manifest in the last {_HISTORY} commits", path=warehouse)
    return table, Manifest(0, table.version(), dict.fromkeys(PINNED, 0))


@dataclass(frozen=True, slots=True)
class _InMemory:
    tables: Mapping[str, pa.Table]

    def read(self, name: str) -> pa.Table:
        if name in self.tables:
            return self.tables[name]
        return pa.Table.from_batches([], schema=load_spec(name).arrow_schema)


def _commit_once(
    warehouse: str,
    options: dict[str, str],
    batches: Sequence[StagedRows],
    *,
    run_id: str,
    partition: date,
    inputs: Sequence[InputSeen],
    run: RunRecord | None,
) -> CommitResult:
    manifest_table, manifest = open_manifest(warehouse, options, create=True)
    assert manifest_table is not None  # created above
    number = manifest.number + 1
    index = LakeIndex(warehouse, manifest.pins[KEYS_TABLE], manifest.pins[INPUTS_TABLE])
    # First pass: which keys of each batch are new (the rows themselves are streamed later).
    taken: dict[str, set[str]] = {name: set() for name in _KEYED}
    kept: list[dict[str, pa.Array]] = []
    for batch in batches:
        fresh = drop_known_rows({name: batch.read(name) for name in TABLES}, index, taken)
        kept.append({name: fresh[name][load_spec(name).key[0]] for name in _KEYED})
    added = dict.fromkeys(TABLES, 0)
    pins = dict(manifest.pins)
    meta = {"newsdesk.run": run_id, "newsdesk.manifest_number": number}
    for name in TABLES:
        owner = name if name in _KEYED else "documents"
        if name == "runs" or not any(len(k[owner]) for k in kept):
            continue
        reader = _stream(name, batches, kept, partition, added)
        pins[name] = _append(
            warehouse, name, manifest.pins[name], reader, options=options, meta=meta, day=partition
        )
    keys = {name: [str(key) for k in kept for key in k[name].to_pylist()] for name in _KEYED}
    if run is not None and not index.known("runs", [run.run_id]):
        row = _with_partition(run_table(run, added, datetime.now(UTC)), "runs", partition)
        pins["runs"] = _append(
            warehouse, "runs", manifest.pins["runs"], row, options=options, meta=meta, day=partition
        )
        keys["runs"].append(run.run_id)
        added["runs"] = 1
    key_rows = _key_rows(keys, number)
    if key_rows.num_rows:
        pins[KEYS_TABLE] = _append(
            warehouse, KEYS_TABLE, manifest.pins[KEYS_TABLE], key_rows, options=options, meta=meta
        )
    if inputs:
        pins[INPUTS_TABLE] = _append(
            warehouse,
            INPUTS_TABLE,
            manifest.pins[INPUTS_TABLE],
            _input_rows(inputs, number),
            options=options,
            meta=meta,
        )
    _hold_for_tests()
    _append_manifest(manifest_table, manifest, pins, run_id)
    return CommitResult(str(number), added)


def _stream(
    name: str,
    batches: Sequence[StagedRows],
    kept: list[dict[str, pa.Array]],
    partition: date,
    added: dict[str, int],
) -> pa.RecordBatchReader:
    """The new rows of one table, batch after batch, with their ingest_date: one staged batch
    in memory at a time; `added[name]` counts them as they go."""
    spec = load_spec(name)
    schema = load_spec(name).dataset_schema

    def rows() -> Iterator[pa.RecordBatch]:
        for batch, keys in zip(batches, kept, strict=True):
            if name in _KEYED:
                table = unique_rows(batch.read(name), spec.key[0])
                table = table.filter(pc.is_in(table[spec.key[0]], keys[name]))
            else:
                table = unique_rows(batch.read(name), *spec.key)
                table = table.filter(pc.is_in(table["doc_id"], keys["documents"]))
            added[name] += table.num_rows
            yield from _with_partition(table, name, partition).to_batches()

    return pa.RecordBatchReader.from_batches(schema, rows())


def _with_partition(table: pa.Table, name: str, partition: date) -> pa.Table:
    column = pa.array([partition] * table.num_rows, type=pa.date32())
    table = table.append_column(pa.field("ingest_date", pa.date32(), nullable=False), column)
    return table.cast(load_spec(name).dataset_schema)


def _at_pin(warehouse: str, name: str, pin: int, options: dict[str, str]) -> DeltaTable:
    """The table loaded at its newest version, restored first to its pinned state when versions
    past the pin exist (rows of a writer that never wrote its manifest)."""
    from deltalake import CommitProperties, DeltaTable  # noqa: PLC0415

    table = DeltaTable(table_uri(warehouse, name), storage_options=options)
    if table.version() != pin:
        table.restore(pin, commit_properties=CommitProperties(max_commit_retries=_FENCED))
        table = DeltaTable(table_uri(warehouse, name), storage_options=options)
    return table


def _append(
    warehouse: str,
    name: str,
    pin: int,
    data: pa.Table | pa.RecordBatchReader,
    *,
    options: dict[str, str],
    meta: dict[str, object],
    day: date | None = None,
) -> int:
    """Append rows exactly one version after the table's pinned state (or after a compaction
    of it, when crowded); the new version."""
    from deltalake import CommitProperties, write_deltalake  # noqa: PLC0415

    table = _at_pin(warehouse, name, pin, options)
    _compact_if_crowded(table, day)
    write_deltalake(
        table,
        data,
        mode="append",
        commit_properties=CommitProperties(custom_metadata=meta, max_commit_retries=_FENCED),
    )
    return table.version()


def _compact_if_crowded(table: DeltaTable, day: date | None) -> None:
    """Merge a crowded table's small files (the same rows) as a fenced version of its own, so
    that neither readers nor lookups slow down with the number of commits between two runs of
    `compact`: a data table's partition of the day past MAX_FILES_PER_PARTITION files, a control
    table past CONTROL_MAX_FILES (opening a Delta table reads one log entry per file)."""
    from deltalake import CommitProperties  # noqa: PLC0415

    fenced = CommitProperties(max_commit_retries=_FENCED)
    if day is not None:
        where = [("ingest_date", "=", day.isoformat())]
        if len(table.file_uris(file_pruning_predicate=where)) > MAX_FILES_PER_PARTITION:
            table.optimize.compact(partition_filters=where, commit_properties=fenced)
    elif len(table.file_uris()) > CONTROL_MAX_FILES:
        table.optimize.compact(commit_properties=fenced)


def _append_manifest(
    table: DeltaTable, manifest: Manifest, pins: dict[str, int], run_id: str
) -> None:
    """The commit point: a manifest row appended exactly on the version the writer read."""
    from deltalake import CommitProperties, write_deltalake  # noqa: PLC0415

    number = manifest.number + 1
    body = json.dumps({"manifest": number, "pins": pins}, sort_keys=True)
    row = pa.Table.from_pylist(
        [{"manifest": number, "run_id": run_id, "committed_at": datetime.now(UTC), "pins": body}],
        schema=MANIFEST_SCHEMA,
    )
    write_deltalake(
        table,
        row,
        mode="append",
        commit_properties=CommitProperties(
            custom_metadata={PINS_KEY: body}, max_commit_retries=_FENCED
        ),
    )


def _key_rows(keys: dict[str, list[str]], number: int) -> pa.Table:
    rows = [
        {"tbl": name, "key": key, "bucket": bucket_of(key), "manifest": number}
        for name, values in keys.items()
        for key in values
    ]
    return pa.Table.from_pylist(rows, schema=KEYS_SCHEMA)


def _input_rows(inputs: Sequence[InputSeen], number: int) -> pa.Table:
    rows = [
        {
            "uri": seen.stat.uri,
            "size": seen.stat.size,
            "mtime_ns": seen.stat.mtime_ns,
            "content_hash": seen.content_hash,
            "bucket": bucket_of(seen.stat.uri),
            "manifest": number,
        }
        for seen in inputs
    ]
    return pa.Table.from_pylist(rows, schema=INPUTS_SCHEMA)


def _create_tables(warehouse: str, options: dict[str, str]) -> None:
    """Every table at version 0 (empty), the manifest table last: a warehouse whose manifest
    table exists has all its tables. `ignore`: a concurrent writer may create them too."""
    from deltalake import DeltaTable  # noqa: PLC0415
    from deltalake.exceptions import DeltaError  # noqa: PLC0415

    schemas: dict[str, tuple[pa.Schema, list[str]]] = {
        name: (load_spec(name).dataset_schema, [c.name for c in load_spec(name).partitioning])
        for name in TABLES
    }
    schemas[KEYS_TABLE] = (KEYS_SCHEMA, ["bucket"])
    schemas[INPUTS_TABLE] = (INPUTS_SCHEMA, ["bucket"])
    schemas[MANIFEST_TABLE] = (MANIFEST_SCHEMA, [])
    for name, (schema, partition_by) in schemas.items():
        try:
            DeltaTable.create(
                table_uri(warehouse, name),
                schema,
                mode="ignore",
                partition_by=partition_by or None,
                storage_options=options,
            )
        except (DeltaError, OSError) as exc:
            raise WarehouseError(f"cannot create table {name}: {exc}", path=warehouse) from exc


def _file_count(warehouse: str, name: str, version: int, options: dict[str, str]) -> int:
    from deltalake import DeltaTable  # noqa: PLC0415

    table = DeltaTable(table_uri(warehouse, name), version=version, storage_options=options)
    return len(table.file_uris())


def _hold_for_tests() -> None:
    """The crash point tests wait for: tables written, manifest not (see location)."""
    hold = hold_before_manifest()
    if hold is None:
        return
    hold.write_text("holding\n", encoding="utf-8")
    while True:
        time.sleep(1)


def _check_name(value: str) -> None:
    if not _SAFE_NAME.match(value) or ".." in value:
        raise WarehouseError(f"unsafe run id: {value!r}")


def lake_index(warehouse: str) -> LakeIndex:
    """Lookups at the versions the newest manifest pins (nothing is known before a commit)."""
    table, manifest = open_manifest(warehouse, storage_options(warehouse), create=False)
    if table is None:
        return LakeIndex(warehouse, -1, -1)
    return LakeIndex(warehouse, manifest.pins[KEYS_TABLE], manifest.pins[INPUTS_TABLE])
