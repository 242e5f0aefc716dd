"""Known keys and unchanged inputs of an object-storage warehouse, read from its control tables.

The local index is a SQLite file (flows.store.index); object storage has no file a writer can
update in place, so the same two questions go to two Delta tables under `_newsdesk/`, read at the
versions a manifest pins (rows a killed writer left past them are never seen):

- `keys(tbl, key, bucket, manifest)`: every committed doc_id, reject_id and run_id.
- `inputs(uri, size, mtime_ns, content_hash, bucket, manifest)`: an input's stat when its bytes
  were last read (the row of the highest manifest wins).

Both are partitioned by `bucket`, the first two hex digits of the SHA-256 of the key (or URI), and
every file carries min/max statistics: a lookup names the buckets and keys it wants, so the
dataset skips every other partition's files without opening them, and the rows it reads are the
run's share of 256 buckets, not the history. Commits (past flows.store.lake.CONTROL_MAX_FILES)
and `newsdesk compact` keep the files per bucket few.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from flows.records import InputStat
from flows.store.location import storage_options, table_uri

if TYPE_CHECKING:
    import pyarrow.dataset as ds
    from deltalake import DeltaTable

CONTROL = "_newsdesk"
# Hex digits of the bucket: 256 partitions. A batch of 16 keys touches at most 16 of them
# (6 % of the key table); a run of a few thousand keys touches them all, but then it reads its
# share of rows from each, and the filter on `key` prunes on file statistics.
BUCKET_DIGITS = 2
KEYS_SCHEMA = pa.schema(
    [
        pa.field("tbl", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("bucket", pa.string(), nullable=False),
        pa.field("manifest", pa.int64(), nullable=False),
    ]
)
INPUTS_SCHEMA = pa.schema(
    [
        pa.field("uri", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("bucket", pa.string(), nullable=False),
        pa.field("manifest", pa.int64(), nullable=False),
    ]
)
# Keys per filter expression: an `isin` over a few thousand strings stays cheap to evaluate.
_CHUNK = 4096


def bucket_of(key: str) -> str:
    """The partition a key (or input URI) lives in."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:BUCKET_DIGITS]


@dataclass(frozen=True, slots=True)
class LakeIndex:
    """Lookups in one warehouse's control tables at pinned versions (-1: no table yet, so
    nothing is known). Small and picklable: a batch task in a worker process gets a copy and
    opens the tables there, once per process (credentials come from its own environment)."""

    warehouse: str
    keys_version: int
    inputs_version: int

    def known(self, table: str, keys: Iterable[str]) -> frozenset[str]:
        """The subset of `keys` already committed to `table`."""
        wanted = sorted(set(keys))
        if not wanted or self.keys_version < 1:
            return frozenset()
        delta = _table(table_uri(self.warehouse, CONTROL, "keys"), self.keys_version)
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            dataset = _files_of(delta, {bucket_of(key) for key in chunk})
            expression = (pc.field("tbl") == table) & pc.field("key").isin(chunk)
            rows = dataset.to_table(columns=["key"], filter=expression)
            found.update(rows["key"].to_pylist())
        return frozenset(found)

    def unchanged(self, stats: Sequence[InputStat]) -> frozenset[str]:
        """URIs whose path, size and mtime are exactly as when their bytes were last read."""
        if not stats or self.inputs_version < 1:
            return frozenset()
        delta = _table(table_uri(self.warehouse, CONTROL, "inputs"), self.inputs_version)
        by_uri = {s.uri: s for s in stats}
        uris = sorted(by_uri)
        same: set[str] = set()
        for start in range(0, len(uris), _CHUNK):
            chunk = uris[start : start + _CHUNK]
            dataset = _files_of(delta, {bucket_of(uri) for uri in chunk})
            expression = pc.field("uri").isin(chunk)
            rows = dataset.to_table(
                columns=["uri", "size", "mtime_ns", "manifest"], filter=expression
            )
            latest: dict[str, tuple[int, int, int]] = {}
            for uri, size, mtime_ns, manifest in zip(
                *(rows[c].to_pylist() for c in ("uri", "size", "mtime_ns", "manifest")),
                strict=True,
            ):
                if uri not in latest or manifest > latest[uri][0]:
                    latest[uri] = (manifest, size, mtime_ns)
            for uri, (_manifest, size, mtime_ns) in latest.items():
                stat = by_uri[uri]
                if stat.size == size and stat.mtime_ns == mtime_ns:
                    same.add(uri)
        return frozenset(same)


@functools.lru_cache(maxsize=8)
def _table(uri: str, version: int) -> DeltaTable:
    """A control table at one version, its log read once per process: a version never changes,
    so the cache is always right, and every batch of a run looks up the same pinned versions."""
    from deltalake import DeltaTable  # noqa: PLC0415 - loaded only for a warehouse URI

    return DeltaTable(uri, version=version, storage_options=storage_options(uri))


def _files_of(table: DeltaTable, buckets: set[str]) -> ds.Dataset:
    """The table's files in `buckets` only: the other partitions never become fragments (the
    log's partition values decide, in deltalake), and `key`/`uri` filters then skip files on
    their min/max statistics."""
    return table.to_pyarrow_dataset(file_pruning_predicate=[("bucket", "in", sorted(buckets))])
