"""The warehouse's index: committed keys and the stat of each input seen, in one SQLite file.

A commit must not read every existing key, and an unchanged input must be skipped without being
read. Both questions go to `.newsdesk/index.sqlite`:

- `keys(tbl, key, snapshot)`: every committed `doc_id` and `reject_id`, with the snapshot that
  made it visible. "Is this key known?" is an index lookup, whatever the warehouse's size.
- `inputs(uri, size, mtime_ns, content_hash, snapshot)`: the stat an input had when its bytes
  were last read, and their hash. An input whose path, size and mtime are unchanged is skipped
  before it is opened; one whose stat changed is read and hashed, and its doc_id decides.
- `state(name, value)`: the number of the snapshot the index describes.
- `story_docs(doc_id, story_id, shingles, exact, minhash, snapshot)` and
  `story_bands(band, doc_id)`: each document's story, its story signature and its LSH band keys
  (flows.stories). A new document's candidates are the documents sharing one of its band keys:
  an index lookup per key, whatever the warehouse's size. Rows are only ever inserted, so a
  story id never changes once committed.

The index transaction is the commit point: the writer inserts a run's keys and the new snapshot
number in one SQLite transaction, then swaps `current`. A writer killed between the two leaves
`current` one snapshot behind the index; the next writer, under the lock, rolls the link forward
before it does anything else (`Index.snapshot()` tells it where). Readers of the tables meanwhile
see the previous complete state. The journal is WAL, so batch tasks can look keys up while a
commit writes.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np

from flows.records import InputSeen, InputStat, StorySignature
from flows.stories import AssignedStory, StoredStory, pick_candidates

INDEX_FILE = "index.sqlite"
# SQLite allows 32,766 host parameters per statement since 3.32; a smaller chunk keeps each
# lookup statement short and its plan cached.
_CHUNK = 500
_SCHEMA = """
create table if not exists keys (
    tbl text not null, key text not null, snapshot integer not null, primary key (tbl, key)
) without rowid;
create table if not exists inputs (
    uri text primary key, size integer not null, mtime_ns integer not null,
    content_hash text not null, snapshot integer not null
) without rowid;
create table if not exists state (name text primary key, value text not null) without rowid;
create table if not exists story_docs (
    doc_id text primary key, story_id text not null, shingles integer not null,
    exact text not null, minhash blob not null, snapshot integer not null
) without rowid;
create table if not exists story_bands (
    band integer not null, doc_id text not null, primary key (band, doc_id)
) without rowid;
"""
# The memory map of a commit's story lookups: the index of 20,000 articles is about 33 MB.
_LOOKUP_MMAP_BYTES = 1 << 30
# MinHash values are below 2**32 (datasketch's hash range): stored as little-endian uint32.
_MINHASH_DTYPE = "<u4"


class KeyLookup(Protocol):
    """What batch tasks and commits ask a warehouse (this SQLite index, or the key and input
    tables of an object-storage warehouse: flows.store.lake.LakeIndex)."""

    def known(self, table: str, keys: Iterable[str]) -> frozenset[str]: ...

    def unchanged(self, stats: Sequence[InputStat]) -> frozenset[str]: ...


class Index:
    """One warehouse's index file; every method opens its own short-lived connection, so an
    Index can be pickled into worker processes and used from any thread."""

    def __init__(self, control: Path) -> None:
        self.path = control / INDEX_FILE

    def exists(self) -> bool:
        return self.path.is_file()

    def snapshot(self) -> int | None:
        """The snapshot the index describes (None for a warehouse with no commit yet)."""
        if not self.exists():
            return None
        with self._connect() as db:
            row = db.execute("select value from state where name = 'snapshot'").fetchone()
        return None if row is None else int(row[0])

    def known(self, table: str, keys: Iterable[str]) -> frozenset[str]:
        """The subset of `keys` already committed to `table`."""
        wanted = sorted(set(keys))
        if not wanted or not self.exists():
            return frozenset()
        found: set[str] = set()
        with self._connect() as db:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"select key from keys where tbl = ? and key in ({marks})",
                    (table, *chunk),
                )
                found.update(row[0] for row in rows)
        return frozenset(found)

    def stories_of(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The story the index holds for each of `doc_ids` (those it lacks are left out)."""
        wanted = sorted(set(doc_ids))
        if not wanted or not self.exists():
            return {}
        found: dict[str, str] = {}
        with self._connect() as db:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"select doc_id, story_id from story_docs where doc_id in ({marks})", chunk
                )
                found.update((str(doc_id), str(story)) for doc_id, story in rows)
        return found

    def unchanged(self, stats: Sequence[InputStat]) -> frozenset[str]:
        """URIs whose path, size and mtime are exactly as when their bytes were last read."""
        if not stats or not self.exists():
            return frozenset()
        by_uri = {s.uri: s for s in stats}
        same: set[str] = set()
        with self._connect() as db:
            uris = sorted(by_uri)
            for start in range(0, len(uris), _CHUNK):
                chunk = uris[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"select uri, size, mtime_ns from inputs where uri in ({marks})",
                    chunk,
                )
                for uri, size, mtime_ns in rows:
                    stat = by_uri[uri]
                    if stat.size == size and stat.mtime_ns == mtime_ns:
                        same.add(uri)
        return frozenset(same)

    @contextmanager
    def stories(self) -> Iterator[StoryLookup]:
        """The story index (flows.stories.StoryIndex) for a commit's assignments: one
        connection for all of them."""
        with self._connect() as db:
            # Lookups touch a few pages of the band index per key, anywhere in it: read through
            # a memory map, they cost no system call once the pages are in the OS cache.
            db.execute(f"pragma mmap_size = {_LOOKUP_MMAP_BYTES}")
            yield StoryLookup(db)

    def record(
        self,
        *,
        snapshot: int,
        keys: Mapping[str, Sequence[str]],
        inputs: Sequence[InputSeen],
        stories: Sequence[AssignedStory] = (),
    ) -> None:
        """Record a commit in one transaction: its keys, the inputs it read, its documents'
        stories and band keys, its snapshot."""
        with self._connect() as db, _transaction(db):
            db.executemany(
                "insert or ignore into story_docs "
                "(doc_id, story_id, shingles, exact, minhash, snapshot) values (?, ?, ?, ?, ?, ?)",
                (
                    (
                        s.doc_id,
                        s.story_id,
                        s.signature.shingles,
                        s.signature.exact,
                        np.asarray(s.signature.minhash, dtype=_MINHASH_DTYPE).tobytes(),
                        snapshot,
                    )
                    for s in stories
                ),
            )
            db.executemany(
                "insert or ignore into story_bands (band, doc_id) values (?, ?)",
                # in key order: each B-tree page is visited once, however many keys land on it
                sorted((key, s.doc_id) for s in stories for key in s.keys),
            )
            for table, values in keys.items():
                db.executemany(
                    "insert or ignore into keys (tbl, key, snapshot) values (?, ?, ?)",
                    ((table, value, snapshot) for value in values),
                )
            db.executemany(
                "insert or replace into inputs (uri, size, mtime_ns, content_hash, snapshot) "
                "values (?, ?, ?, ?, ?)",
                (
                    (i.stat.uri, i.stat.size, i.stat.mtime_ns, i.content_hash, snapshot)
                    for i in inputs
                ),
            )
            db.execute(
                "insert or replace into state (name, value) values ('snapshot', ?)",
                (str(snapshot),),
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (`_transaction`), never implicit.
        with closing(sqlite3.connect(self.path, timeout=60, isolation_level=None)) as db:
            db.execute("pragma journal_mode = wal")
            db.execute("pragma synchronous = full")  # the commit point must survive power loss
            db.executescript(_SCHEMA)
            yield db


class StoryLookup:
    """Candidates for a new document's story: committed documents sharing a band key."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def candidates(self, keys: Collection[int]) -> Sequence[StoredStory]:
        """Committed documents sharing a key, at most CANDIDATES_PER_STORY per story (those
        sharing the most keys): a story syndicated a thousand times costs a lookup no more
        than one with a few copies."""
        if not keys:
            return ()
        marks = ",".join("?" * len(keys))
        shared = Counter(
            str(row[0])
            for row in self._db.execute(
                f"select doc_id from story_bands where band in ({marks})", tuple(keys)
            )
        )
        if not shared:
            return ()
        marks = ",".join("?" * len(shared))
        rows = self._db.execute(
            "select doc_id, story_id, shingles, exact, minhash from story_docs "
            f"where doc_id in ({marks})",
            tuple(shared),
        ).fetchall()
        stored = []
        for doc_id, story_id, shingles, exact, minhash in rows:
            values = tuple(np.frombuffer(minhash, dtype=_MINHASH_DTYPE).tolist())
            stored.append((str(doc_id), str(story_id), StorySignature(values, shingles, exact)))
        return pick_candidates(shared, stored)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("begin immediate")
    try:
        yield
    except BaseException:
        db.execute("rollback")
        raise
    db.execute("commit")
