"""Story lookups in an object-storage warehouse as its story index grows: ms per run's lookup.

    .venv/bin/python -m benchmarks.bench_lake_stories [--documents N] [--per-commit N]
        [--points A,B,...] [--out FILE]

Appends the story rows of --per-commit (1,000) documents per commit to the two story control
tables of a fresh file:// warehouse (flows.store.lake_stories: the same Delta code as on S3,
without network latency), through the commit's own append, which compacts a control table past
flows.store.lake.CONTROL_MAX_FILES files first. Signatures are random (the lookup's cost does not
depend on their values, only on the number of rows and files). At each point of --points (5,000,
20,000 and --documents, 100,000) it times the lookup a one-article run makes (`LakeStories` over
the 43 keys of a document, which finds that document), median of 5, then again after compacting
both tables. Reported per point: the band table's files, and the wall ms before and after
compaction. Writes benchmarks/results/bench_lake_stories.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from deltalake import CommitProperties, DeltaTable

from benchmarks.paths import RESULTS, save_results
from flows.records import StorySignature
from flows.store.lake import _append
from flows.store.lake_manifest import FENCED, at_pin
from flows.store.lake_stories import STORY_BANDS_TABLE, STORY_DOCS_TABLE, LakeStories, story_rows
from flows.store.location import storage_options, table_uri
from flows.stories import AssignedStory
from flows.stories.signature import band_keys

_REPEATS = 5
_PERMUTATIONS = 128
_TABLES = (STORY_DOCS_TABLE, STORY_BANDS_TABLE)


def _story(number: int, rng: random.Random) -> AssignedStory:
    doc_id = hashlib.sha256(str(number).encode()).hexdigest()[:32]
    minhash = tuple(rng.getrandbits(32) for _ in range(_PERMUTATIONS))
    signature = StorySignature(minhash, 400, hashlib.sha256(doc_id.encode()).hexdigest()[:32])
    return AssignedStory(doc_id, doc_id, signature, band_keys(signature))


def _lookup_ms(warehouse: str, versions: dict[str, int], probe: AssignedStory) -> float:
    timings = []
    for _ in range(_REPEATS):
        start = time.perf_counter()
        found = LakeStories(
            warehouse, versions[STORY_DOCS_TABLE], versions[STORY_BANDS_TABLE], probe.keys
        ).candidates(probe.keys)
        timings.append((time.perf_counter() - start) * 1000)
        if [stored.doc_id for stored in found] != [probe.doc_id]:
            raise SystemExit(f"the lookup did not find the indexed document: {found}")
    return round(statistics.median(timings), 1)


def _files(warehouse: str, name: str, version: int) -> int:
    uri = table_uri(warehouse, name)
    return len(DeltaTable(uri, version=version, storage_options=storage_options(uri)).file_uris())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--per-commit", type=int, default=1_000)
    parser.add_argument("--points", default="5000,20000")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_lake_stories.json")
    args = parser.parse_args()
    points = sorted({int(p) for p in args.points.split(",") if p} | {args.documents})
    rng = random.Random(0)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = f"file://{tmp}/lake"
        options = storage_options(warehouse)
        versions = dict.fromkeys(_TABLES, 0)
        started = time.perf_counter()
        committed = 0
        probe: AssignedStory | None = None
        while committed < args.documents:
            stories = [_story(committed + n, rng) for n in range(args.per_commit)]
            probe = stories[len(stories) // 2]
            docs, bands = story_rows(stories, committed // args.per_commit + 1)
            for name, rows in zip(_TABLES, (docs, bands), strict=True):
                versions[name] = _append(
                    warehouse, name, versions[name], rows, options=options, meta={}
                )
            committed += len(stories)
            if committed in points and probe is not None:
                point: dict[str, Any] = {
                    "documents": committed,
                    "band_table_files": _files(
                        warehouse, STORY_BANDS_TABLE, versions[STORY_BANDS_TABLE]
                    ),
                    "ms_one_article_lookup": _lookup_ms(warehouse, versions, probe),
                }
                compacted = {}
                for name in _TABLES:
                    table = at_pin(warehouse, name, versions[name], options)
                    table.optimize.compact(
                        commit_properties=CommitProperties(max_commit_retries=FENCED)
                    )
                    compacted[name] = table.version()
                point["band_table_files_compacted"] = _files(
                    warehouse, STORY_BANDS_TABLE, compacted[STORY_BANDS_TABLE]
                )
                point["ms_one_article_lookup_compacted"] = _lookup_ms(warehouse, compacted, probe)
                versions = compacted  # as after `newsdesk compact`
                results.append(point)
                print(json.dumps(point), flush=True)
        seconds = time.perf_counter() - started
    result = {
        "benchmark": "bench_lake_stories",
        "documents_per_commit": args.per_commit,
        "band_keys_per_document": len(probe.keys) if probe else 0,
        "points": results,
        "seconds": round(seconds, 1),
        "store": "file:// (deltalake's local object store; S3 adds a request per file read)",
    }
    print(f"wrote {save_results(args.out, result)}")


if __name__ == "__main__":
    main()
