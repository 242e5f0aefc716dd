"""The story index of an object-storage warehouse: two control tables, pinned by the manifest.

The local story index is two tables of the SQLite index (flows.store.index); object storage has no
file a writer can update in place, so the same rows go to two Delta tables under `_newsdesk/`,
appended in the commit and pinned by its manifest like every other table (a story assigned by a
writer killed before its manifest is never seen, and the next writer assigns it again):

- `story_docs(doc_id, story_id, shingles, exact, minhash, bucket, manifest)`: a committed
  document's story and signature; `bucket` is the first two hex digits of the SHA-256 of doc_id.
- `story_bands(band, doc_id, bucket, manifest)`: a row per index key of a document (its LSH
  bands and exact-copy key, flows.stories.index_keys); `bucket` is the key's low byte in hex.
  Rows are written sorted by band, so the min/max statistics of row groups prune too.

A commit looks up every key of its new documents at once (`LakeStories`): the buckets the keys
fall in are the only partitions read (the log's partition values decide, the other files are
never opened), and a filter on the keys keeps the matching rows. Then the documents those rows
name are read from `story_docs` the same way. A run's lookups read its keys' share of 256
buckets: for a one-article run, the 43 buckets of its 43 keys (about a sixth of the band table);
for a run of thousands of articles, every bucket once. That part grows with the warehouse, unlike
the SQLite index's B-tree lookups; at 43 rows of about 20 bytes per document it is 0.9 MB per
thousand documents before compression (see PERFORMANCE.md for measured figures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flows.records import StorySignature
from flows.store.lake_keys import CONTROL, bucket_of
from flows.store.location import storage_options, table_uri
from flows.stories import AssignedStory, StoredStory, pick_candidates

if TYPE_CHECKING:
    from deltalake import DeltaTable

STORY_DOCS_TABLE = f"{CONTROL}/story_docs"
STORY_BANDS_TABLE = f"{CONTROL}/story_bands"
STORY_DOCS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("story_id", pa.string(), nullable=False),
        pa.field("shingles", pa.int64(), nullable=False),
        pa.field("exact", pa.string(), nullable=False),
        pa.field("minhash", pa.binary(), nullable=False),  # little-endian uint32 values
        pa.field("bucket", pa.string(), nullable=False),
        pa.field("manifest", pa.int64(), nullable=False),
    ]
)
STORY_BANDS_SCHEMA = pa.schema(
    [
        pa.field("band", pa.int64(), nullable=False),
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("bucket", pa.string(), nullable=False),
        pa.field("manifest", pa.int64(), nullable=False),
    ]
)
MINHASH_DTYPE = "<u4"
# Keys (or doc_ids) per filter expression, as in flows.store.lake_keys.
_CHUNK = 4096


def band_bucket(band: int) -> str:
    """The partition of a band key: its low byte (keys are uniform 64-bit hashes)."""
    return f"{band & 0xFF:02x}"


class LakeStories:
    """The committed documents sharing any of a run's keys, read once at the pinned versions
    (-1 or 0: nothing committed yet); `candidates` then answers each document of the run from
    memory (flows.stories.StoryIndex)."""

    def __init__(
        self, warehouse: str, docs_version: int, bands_version: int, keys: Iterable[int]
    ) -> None:
        self._docs_of: dict[int, list[str]] = defaultdict(list)
        self._stored: dict[str, tuple[str, StorySignature]] = {}
        wanted = sorted(set(keys))
        if not wanted or bands_version < 1 or docs_version < 1:
            return
        bands = _table(table_uri(warehouse, STORY_BANDS_TABLE), bands_version)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            dataset = bands.to_pyarrow_dataset(
                file_pruning_predicate=[("bucket", "in", sorted({band_bucket(k) for k in chunk}))]
            )
            rows = dataset.to_table(columns=["band", "doc_id"], filter=pc.field("band").isin(chunk))
            for band, doc_id in zip(
                *(rows[c].to_pylist() for c in ("band", "doc_id")), strict=True
            ):
                self._docs_of[band].append(doc_id)
        ids = sorted({doc_id for found in self._docs_of.values() for doc_id in found})
        docs = _table(table_uri(warehouse, STORY_DOCS_TABLE), docs_version)
        for start in range(0, len(ids), _CHUNK):
            names = ids[start : start + _CHUNK]
            dataset = docs.to_pyarrow_dataset(
                file_pruning_predicate=[("bucket", "in", sorted({bucket_of(d) for d in names}))]
            )
            columns = ["doc_id", "story_id", "shingles", "exact", "minhash"]
            rows = dataset.to_table(columns=columns, filter=pc.field("doc_id").isin(names))
            for doc_id, story_id, shingles, exact, minhash in zip(
                *(rows[c].to_pylist() for c in columns), strict=True
            ):
                values = tuple(np.frombuffer(minhash, dtype=MINHASH_DTYPE).tolist())
                self._stored[doc_id] = (story_id, StorySignature(values, shingles, exact))

    def candidates(self, keys: Collection[int]) -> Sequence[StoredStory]:
        """Committed documents sharing a key, at most CANDIDATES_PER_STORY per story."""
        shared: dict[str, int] = defaultdict(int)
        for key in keys:
            for doc_id in self._docs_of.get(key, ()):
                shared[doc_id] += 1
        return pick_candidates(
            shared,
            ((d, *self._stored[d]) for d in shared if d in self._stored),
        )


def story_rows(stories: Sequence[AssignedStory], manifest: int) -> tuple[pa.Table, pa.Table]:
    """The rows a commit appends to `story_docs` and `story_bands` (sorted by band)."""
    docs = pa.Table.from_pylist(
        [
            {
                "doc_id": s.doc_id,
                "story_id": s.story_id,
                "shingles": s.signature.shingles,
                "exact": s.signature.exact,
                "minhash": np.asarray(s.signature.minhash, dtype=MINHASH_DTYPE).tobytes(),
                "bucket": bucket_of(s.doc_id),
                "manifest": manifest,
            }
            for s in stories
        ],
        schema=STORY_DOCS_SCHEMA,
    )
    bands = sorted((key, s.doc_id) for s in stories for key in s.keys)
    band_table = pa.Table.from_pylist(
        [
            {"band": key, "doc_id": doc_id, "bucket": band_bucket(key), "manifest": manifest}
            for key, doc_id in bands
        ],
        schema=STORY_BANDS_SCHEMA,
    )
    return docs, band_table


def _table(uri: str, version: int) -> DeltaTable:
    from deltalake import DeltaTable  # noqa: PLC0415 - loaded only for a warehouse URI

    return DeltaTable(uri, version=version, storage_options=storage_options(uri))
