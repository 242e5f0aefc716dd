"""Known-key lookups in an object-storage warehouse as its history grows: files and ms per lookup.

    .venv/bin/python -m benchmarks.bench_lake_lookup [--commits N] [--keys-per-commit N]
        [--lookup N] [--out FILE]

Commits --commits (100) runs of --keys-per-commit (40) new documents each into a fresh file://
warehouse (flows.store.lake: the same Delta code as on S3, without network latency), so the key
table ends with 4,000 keys. Every 20 commits, and once more after `compact_lake`, it looks up a
batch of --lookup (16) doc_ids (half committed, half new) the way a batch task does: a new
LakeIndex at the newest manifest (the control table is opened, its log read), then `known`.
Reported per point: the key table's files in all, the files the lookup's filter keeps (bucket
partitions, then file statistics), the rows it reads, and the wall ms (median of 5).
Writes benchmarks/results/bench_lake_lookup.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from benchmarks.paths import RESULTS, save_results
from flows.store import commit_lake, compact_lake, lake_index, lake_keys
from flows.store.schema import load_spec

_DAY = date(2026, 11, 29)
_REPEATS = 5
_EVERY = 20


def _doc_id(number: int) -> str:
    return hashlib.sha256(str(number).encode()).hexdigest()[:32]


def _documents(ids: list[str]) -> pa.Table:
    """Documents rows with every required column filled (the lookup reads only keys)."""
    spec = load_spec("documents")
    values: dict[str, Any] = {
        "string": "x",
        "int32": 0,
        "int64": 0,
        "timestamp[us, UTC]": datetime(2026, 11, 29, tzinfo=UTC),
    }
    rows = [
        {c.name: (doc_id if c.name == "doc_id" else values[c.type]) for c in spec.columns}
        for doc_id in ids
    ]
    return pa.Table.from_pylist(rows, schema=spec.arrow_schema)


def _measure(warehouse: str, committed: int, lookup: int) -> dict[str, Any]:
    wanted = [_doc_id(n) for n in range(0, committed, max(1, committed // (lookup // 2)))]
    wanted = wanted[: lookup // 2] + [_doc_id(10**9 + n) for n in range(lookup // 2)]
    timings = []
    found: frozenset[str] = frozenset()
    for _ in range(_REPEATS):
        start = time.perf_counter()
        index = lake_index(warehouse)
        found = index.known("documents", wanted)
        timings.append((time.perf_counter() - start) * 1000)
        # A fresh process would not have the table open: drop the per-process cache.
        lake_keys._table.cache_clear()
    keys = DeltaTable(f"{warehouse}/_newsdesk/keys", version=index.keys_version)
    buckets = sorted({hashlib.sha256(k.encode()).hexdigest()[:2] for k in wanted})
    dataset = keys.to_pyarrow_dataset(file_pruning_predicate=[("bucket", "in", buckets)])
    expression = (pc.field("tbl") == "documents") & pc.field("key").isin(wanted)
    kept = list(dataset.get_fragments(filter=expression))
    read = sum(fragment.count_rows() for fragment in kept)
    return {
        "committed_keys": committed,
        "key_table_files": len(keys.file_uris()),
        "files_kept_by_filter": len(kept),
        "rows_in_kept_files": read,
        "found": len(found),
        "ms_median": round(statistics.median(timings), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--keys-per-commit", type=int, default=40)
    parser.add_argument("--lookup", type=int, default=16)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_lake_lookup.json")
    args = parser.parse_args()
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = f"file://{tmp}/lake"
        start = time.perf_counter()
        for number in range(args.commits):
            first = number * args.keys_per_commit
            ids = [_doc_id(n) for n in range(first, first + args.keys_per_commit)]
            commit_lake(
                warehouse, {"documents": _documents(ids)}, run_id=f"r{number}", partition=_DAY
            )
            if (number + 1) % _EVERY == 0:
                point = _measure(warehouse, first + args.keys_per_commit, args.lookup)
                points.append(point)
                print(json.dumps(point), flush=True)
        commit_seconds = time.perf_counter() - start
        compact_lake(warehouse, run_id="compact", grace_seconds=0)
        after = _measure(warehouse, args.commits * args.keys_per_commit, args.lookup)
        print("after compact:", json.dumps(after), flush=True)
    result = {
        "benchmark": "bench_lake_lookup",
        "commits": args.commits,
        "keys_per_commit": args.keys_per_commit,
        "lookup_keys": args.lookup,
        "points": points,
        "after_compact": after,
        "seconds_all_commits_and_lookups": round(commit_seconds, 1),
        "store": "file:// (deltalake's local object store; S3 adds a request per file read)",
    }
    print(f"wrote {save_results(args.out, result)}")


if __name__ == "__main__":
    main()
