"""What story grouping costs: per assignment at 1,000 and 20,000 indexed articles, and its share
of a run's time.

    .venv/bin/python -m benchmarks.bench_stories [--articles N] [--ingest M]

How it measures (a 20,000-article ingest with the NLP stages takes hours on a shared 2-core
machine, so the two halves are measured apart and combined):

1. The index. benchmarks/corpus_variants.py makes distinct articles from the real articles
   of ../shared/corpus: variants of a few hundred bases, so each article has near-variants
   (siblings) in the index and lookups find real candidates and real matches. An index of
   1,000 and one of N (20,000) articles are filled directly, commit by commit of 1,000, with
   the same assign-and-record calls a commit makes; the 1,000 are made from every (N/1,000)-th
   base, so that an article has as many siblings in either index (with all bases for
   both, the smaller index would simply hold fewer look-alikes of each probe). Then 200 new
   variants of the indexed bases are assigned against each (lookups and comparisons, not
   recorded): milliseconds per assignment at each size.
2. The run. M (24) real articles are ingested in one run with every stage on (one worker), and
   the run's own per-stage seconds are read: its time per article, and the time its
   signatures took.

The share of stories in a run is (signature + assignment at N + recording) per article over
the run's time per article. Figures are printed and saved to benchmarks/results/bench_stories.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus_variants import Base, load_bases, make_variants, paragraphs, write_corpus
from benchmarks.paths import RESULTS
from flows.records import StorySignature
from flows.run import PLAIN_STEPS, ingest_refs
from flows.settings import Settings
from flows.sources import discover_sources
from flows.store import Index
from flows.stories import assign_stories, index_keys
from flows.stories.signature import sign_text

CHUNK = 1_000  # articles per simulated commit
PROBES = 200  # new articles assigned at each index size
REPEATS = 3  # timings of each assignment; the best is kept
SIZES = (1_000, 20_000)


def _bodies(n: int, bases: Sequence[Base]) -> list[str]:
    """Article bodies (the headline paragraph dropped, as the parser drops it from the body)."""
    return ["\n".join(paragraphs(v.text)[1:]) for v in make_variants(n, bases=bases)]


def _fill(index: Index, signatures: dict[str, StorySignature], start: int, stop: int) -> float:
    """Assign and record articles [start, stop) in commits of CHUNK; seconds spent recording."""
    ids = sorted(signatures)[start:stop]
    recording = 0.0
    for first in range(0, len(ids), CHUNK):
        chunk = {doc_id: signatures[doc_id] for doc_id in ids[first : first + CHUNK]}
        with index.stories() as lookup:
            assigned = assign_stories(chunk, lookup)
        clock = time.perf_counter()
        index.record(snapshot=1 + (start + first) // CHUNK, keys={}, inputs=(), stories=assigned)
        recording += time.perf_counter() - clock
    return recording


def _probe(index: Index, probes: dict[str, StorySignature]) -> dict[str, Any]:
    """Seconds per assignment of each probe alone against the index, on one connection (as a
    commit assigns its documents); each probe's best of REPEATS, since the shared machine's
    other work only ever adds time."""
    seconds = []
    lookups = []
    candidates = 0
    stories = 0
    with index.stories() as lookup:
        for doc_id in sorted(probes):
            keys = index_keys(probes[doc_id])
            clock = time.perf_counter()
            candidates += len(lookup.candidates(keys))
            lookups.append(time.perf_counter() - clock)
            best = float("inf")
            for _ in range(REPEATS):
                clock = time.perf_counter()
                assigned = assign_stories({doc_id: probes[doc_id]}, lookup)
                best = min(best, time.perf_counter() - clock)
            seconds.append(best)
            stories += assigned[0].story_id != doc_id  # joined an indexed story
    seconds.sort()
    lookups.sort()
    return {
        "candidates_per_assignment": round(candidates / len(probes), 2),
        "ms_per_lookup_median": round(1000 * lookups[len(lookups) // 2], 3),
        "ms_per_assignment_mean": round(1000 * sum(seconds) / len(seconds), 3),
        "ms_per_assignment_median": round(1000 * seconds[len(seconds) // 2], 3),
        "probes_joining_an_indexed_story": stories,
    }


def _index_at(size: int, bases: Sequence[Base], largest: int) -> dict[str, Any]:
    """An index of `size` articles made from a share of the bases proportional to `size` (every
    k-th base, so each corpus keeps its share), so that every article has as many near-variants
    (siblings of one base) at 1,000 as at 20,000: what grows is the warehouse, not how much each
    article resembles others in it."""
    share = bases[:: max(1, round(largest / size))]  # every k-th: each corpus in proportion
    clock = time.perf_counter()
    bodies = _bodies(size + PROBES, share)
    made = time.perf_counter() - clock
    clock = time.perf_counter()
    signatures = [sign_text(body) for body in bodies]
    signing = time.perf_counter() - clock
    indexed = {f"{n:08d}": s for n, s in enumerate(signatures[:size])}
    probes = {f"p{n:07d}": s for n, s in enumerate(signatures[size:])}
    with tempfile.TemporaryDirectory() as tmp:
        index = Index(Path(tmp))
        clock = time.perf_counter()
        recording = _fill(index, indexed, 0, size)
        filling = time.perf_counter() - clock
        out = {
            "articles": size,
            "bases": len(share),
            "seconds_making_articles": round(made, 1),
            "ms_per_signature": round(1000 * signing / len(signatures), 3),
            "ms_per_assignment_while_filling": round(1000 * (filling - recording) / size, 3),
            "ms_per_record": round(1000 * recording / size, 3),
            **_probe(index, probes),
            "index_bytes_per_article": round(
                sum(f.stat().st_size for f in Path(tmp).iterdir()) / size
            ),
        }
    return out


def _index_half(largest: int) -> dict[str, Any]:
    bases = sorted(load_bases(), key=lambda base: base.name)
    out: dict[str, Any] = {}
    for size in sorted({SIZES[0], largest}):
        out[str(size)] = _index_at(size, bases, largest)
        print(f"  index of {size:>6} articles: {out[str(size)]}", flush=True)
    return out


def _run_half(count: int) -> dict[str, Any]:
    figures: list[dict[str, object]] = []

    def keep(run_id: str, rows: list[dict[str, object]], line: str) -> None:
        del run_id, line
        figures.extend(rows)

    steps = dataclasses.replace(PLAIN_STEPS, report=keep)
    with tempfile.TemporaryDirectory() as tmp:
        inputs = write_corpus(Path(tmp) / "inputs", count, seed=1)
        settings = Settings(warehouse=Path(tmp) / "w", workers=1)
        clock = time.perf_counter()
        summary = ingest_refs(discover_sources([str(p) for p in inputs]), settings, steps=steps)
        wall = time.perf_counter() - clock
    seconds = {
        str(row["what"]).removeprefix("seconds: "): float(str(row["value"]))
        for row in figures
        if str(row["what"]).startswith("seconds: ")
    }
    documents = summary.added["documents"]
    return {
        "articles": count,
        "documents": documents,
        "run_seconds": round(wall, 2),
        "seconds_per_stage": seconds,
        "ms_per_article": round(1000 * wall / documents, 1),
        "ms_signatures_per_article": round(1000 * seconds.get("stories", 0.0) / documents, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=SIZES[-1])
    parser.add_argument("--ingest", type=int, default=24)
    args = parser.parse_args()
    print(f"index: {args.articles} articles", flush=True)
    index = _index_half(args.articles)
    print(f"run: {args.ingest} articles, every stage", flush=True)
    run = _run_half(args.ingest)
    largest = index[str(max(int(k) for k in index))]
    per_article = (
        run["ms_signatures_per_article"]
        + largest["ms_per_assignment_mean"]
        + largest["ms_per_record"]
    )
    result = {
        "benchmark": "bench_stories",
        "machine": {
            "python": platform.python_version(),
            "cpus": _cpus(),
            "load_average": [round(load, 2) for load in _load()],
        },
        "index": index,
        "run": run,
        "stories_ms_per_article": round(per_article, 3),
        "stories_share_of_run": round(per_article / run["ms_per_article"], 5),
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_stories.json").write_text(json.dumps(result, indent=2) + "\n")


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _load() -> tuple[float, float, float]:
    import os

    return os.getloadavg()


if __name__ == "__main__":
    main()
