"""Commit to and compact a warehouse in object storage: Delta tables pinned by a manifest.

Layout of a warehouse URI U (`s3://bucket/prefix`, or any URI deltalake opens):

    U/<table>/              a Delta table per table (documents, sections, entities, quotes,
                            rejects, runs), partitioned by ingest_date, schemas from schemas/
    U/_newsdesk/keys/       Delta table of committed keys (tbl, key), partitioned by bucket
    U/_newsdesk/inputs/     Delta table of input stats (uri, size, mtime_ns, content_hash)
    U/_newsdesk/story_docs/ Delta tables of the story index: each document's story and
    U/_newsdesk/story_bands/    signature, and its LSH band keys (flows.store.lake_stories)
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
never every key. New documents get their story ids in the commit from the story tables at their
pinned versions, and the story rows are appended before the manifest like the rest.

Compaction (flows.store.lake_compact) rewrites small files with Delta's OPTIMIZE (same rows),
pins the result in a manifest, then VACUUMs files that no version in the last grace period still
needs. A commit also compacts a crowded table it writes (the day's partition of a data table, or
a control table) before it appends, as a fenced version of its own, so opening tables stays cheap
between runs of `compact`; only `compact` deletes files.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from flows import interrupts
from flows.errors import WarehouseError
from flows.records import InputSeen, RunRecord
from flows.store.lake_keys import (
    INPUTS_SCHEMA,
    KEYS_SCHEMA,
    LakeIndex,
    bucket_of,
)
from flows.store.lake_manifest import (
    FENCED,
    INPUTS_TABLE,
    KEYS_TABLE,
    Manifest,
    append_manifest,
    at_pin,
    open_manifest,
)
from flows.store.lake_stories import (
    STORY_BANDS_TABLE,
    STORY_DOCS_TABLE,
    LakeStories,
    story_rows,
)
from flows.store.location import hold_before_manifest, storage_options
from flows.store.schema import TABLES, load_spec, staged_schema
from flows.store.tables import run_table
from flows.store.warehouse import (
    MAX_FILES_PER_PARTITION,
    CommitResult,
    StagedRows,
    drop_known_rows,
    staged_signatures,
    unique_rows,
    with_stories,
)
from flows.stories import AssignedStory, assign_stories, index_keys

if TYPE_CHECKING:
    from deltalake import DeltaTable

# deltalake is imported where it is used (about 0.2-1 s): a run into a local warehouse, the
# fast one-article run above all, never loads it.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# The control tables, by their path under the warehouse URI (also their name in a manifest).
# A commit that loses a race to another writer starts again from the new manifest: this many
# times in all, after a random pause of up to RETRY_PAUSE_SECONDS * attempt (so that two writers
# that collided do not collide again).
COMMIT_ATTEMPTS = 8
RETRY_PAUSE_SECONDS = 0.5
# A control table (keys, inputs) with more files than this is compacted by the commit that finds
# it so: 256 buckets of 4 files. A one-article commit adds about 3 files, so that happens about
# every 250 such commits (a day of a 5-minute schedule) and rewrites every key then (a million
# keys are about 40 MB); a commit of many keys adds a file per bucket, and the rewrite follows
# the same bound.
CONTROL_MAX_FILES = 1024
# Tables whose rows belong to a document, and tables keyed in the key table.
_KEYED = ("documents", "rejects", "runs")


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

    check_run_id(run_id)
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


@dataclass(frozen=True, slots=True)
class _InMemory:
    tables: Mapping[str, pa.Table]

    def read(self, name: str) -> pa.Table:
        if name in self.tables:
            return self.tables[name]
        return pa.Table.from_batches([], schema=staged_schema(name))


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
    stories = _assign(warehouse, manifest, batches, kept)
    story_of = {story.doc_id: story.story_id for story in stories}
    added = dict.fromkeys(TABLES, 0)
    pins = dict(manifest.pins)
    meta = {"newsdesk.run": run_id, "newsdesk.manifest_number": number}
    for name in TABLES:
        owner = name if name in _KEYED else "documents"
        if name == "runs" or not any(len(k[owner]) for k in kept):
            continue
        reader = _stream(name, batches, kept, partition, added, story_of=story_of)
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
    if stories:
        docs, bands = story_rows(stories, number)
        for name, rows in ((STORY_DOCS_TABLE, docs), (STORY_BANDS_TABLE, bands)):
            pins[name] = _append(
                warehouse, name, manifest.pins[name], rows, options=options, meta=meta
            )
    _hold_for_tests()
    with interrupts.deferred():  # a signal here waits until readers can see the commit
        append_manifest(manifest_table, manifest, pins, run_id)
    return CommitResult(str(number), added)


def _stream(
    name: str,
    batches: Sequence[StagedRows],
    kept: list[dict[str, pa.Array]],
    partition: date,
    added: dict[str, int],
    *,
    story_of: Mapping[str, str],
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
                if name == "documents":
                    table = with_stories(table, story_of)
            else:
                table = unique_rows(batch.read(name), *spec.key)
                table = table.filter(pc.is_in(table["doc_id"], keys["documents"]))
            added[name] += table.num_rows
            yield from _with_partition(table, name, partition).to_batches()

    return pa.RecordBatchReader.from_batches(schema, rows())


def _assign(
    warehouse: str,
    manifest: Manifest,
    batches: Sequence[StagedRows],
    kept: Sequence[Mapping[str, pa.Array]],
) -> tuple[AssignedStory, ...]:
    """The stories of the commit's new documents (flows.stories.assign_stories), looked up in
    the story tables at the versions the manifest pins (flows.store.lake_stories)."""
    fresh = {str(doc_id) for k in kept for doc_id in k["documents"].to_pylist()}
    if not fresh:
        return ()
    new = {d: s for d, s in staged_signatures(batches).items() if d in fresh}
    keys = [key for signature in new.values() for key in index_keys(signature)]
    lookup = LakeStories(
        warehouse, manifest.pins[STORY_DOCS_TABLE], manifest.pins[STORY_BANDS_TABLE], keys
    )
    return assign_stories(new, lookup)


def _with_partition(table: pa.Table, name: str, partition: date) -> pa.Table:
    column = pa.array([partition] * table.num_rows, type=pa.date32())
    table = table.append_column(pa.field("ingest_date", pa.date32(), nullable=False), column)
    return table.cast(load_spec(name).dataset_schema)


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

    table = at_pin(warehouse, name, pin, options)
    _compact_if_crowded(table, day)
    write_deltalake(
        table,
        data,
        mode="append",
        commit_properties=CommitProperties(custom_metadata=meta, max_commit_retries=FENCED),
    )
    return table.version()


def _compact_if_crowded(table: DeltaTable, day: date | None) -> None:
    """Merge a crowded table's small files (the same rows) as a fenced version of its own, so
    that neither readers nor lookups slow down with the number of commits between two runs of
    `compact`: a data table's partition of the day past MAX_FILES_PER_PARTITION files, a control
    table past CONTROL_MAX_FILES (opening a Delta table reads one log entry per file)."""
    from deltalake import CommitProperties  # noqa: PLC0415

    fenced = CommitProperties(max_commit_retries=FENCED)
    if day is not None:
        where = [("ingest_date", "=", day.isoformat())]
        if len(table.file_uris(file_pruning_predicate=where)) > MAX_FILES_PER_PARTITION:
            table.optimize.compact(partition_filters=where, commit_properties=fenced)
    elif len(table.file_uris()) > CONTROL_MAX_FILES:
        table.optimize.compact(commit_properties=fenced)


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


def _hold_for_tests() -> None:
    """The crash point tests wait for: tables written, manifest not (see location)."""
    hold = hold_before_manifest()
    if hold is None:
        return
    hold.write_text("holding\n", encoding="utf-8")
    while True:
        time.sleep(1)


def check_run_id(value: str) -> None:
    if not _SAFE_NAME.match(value) or ".." in value:
        raise WarehouseError(f"unsafe run id: {value!r}")


def lake_index(warehouse: str) -> LakeIndex:
    """Lookups at the versions the newest manifest pins (nothing is known before a commit)."""
    table, manifest = open_manifest(warehouse, storage_options(warehouse), create=False)
    if table is None:
        return LakeIndex(warehouse, -1, -1)
    return LakeIndex(warehouse, manifest.pins[KEYS_TABLE], manifest.pins[INPUTS_TABLE])
