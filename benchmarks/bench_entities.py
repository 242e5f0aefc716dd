"""Entity stage throughput: extract_entities vs bare nlp.pipe NER over the same paragraphs.

    .venv/bin/python -m benchmarks.bench_entities [--inputs DIR] [--copies N] [--repeats N]
                                                  [--batch-size N] [--sweep 32,128,256,1000]

Both cases run in one process on the same run units (every block line), with the same disabled
components, alternating so that machine noise hits both alike. "bare" is nlp.pipe + reading
doc.ents; "stage" is the whole entity stage (truecasing, NER, span cleanup, clusters, label votes,
propagation, ids). The resolution layer is also timed alone, on the mentions of one NER pass.
Prints a table and writes benchmarks/results/bench_entities.json.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.paths import RESULTS, ROOT, repo_relative, save_results
from flows.assemble import assemble_document
from flows.entities.casing import read_casing
from flows.entities.extract import (
    clear_caches,
    disabled_components,
    extract_entities,
    find_mentions,
    run_units,
)
from flows.entities.resolution import resolve_entities
from flows.entities.words import DEFAULT_BATCH_SIZE
from flows.nlp import DEFAULT_PIPELINE, get_nlp
from flows.plaintext import parse_plaintext
from flows.records import ParsedDocument, Section
from flows.sections import split_sections


def _documents(source: Path, copies: int) -> tuple[list[ParsedDocument], list[tuple[Section, ...]]]:
    paths = sorted(p for p in source.iterdir() if p.is_file() and p.suffix == ".txt")
    docs = []
    for path in paths:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        docs.append(
            assemble_document(
                parse_plaintext(data.decode("utf-8")),
                doc_id=digest[:16],
                source_uri=str(path),
                media_type="text/plain",
                content_hash=digest,
            )
        )
    docs = docs * copies
    return docs, [split_sections(doc) for doc in docs]


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _summary(times: list[float], words: int) -> dict[str, float]:
    best = min(times)
    return {
        "seconds_min": round(best, 4),
        "seconds_median": round(statistics.median(times), 4),
        "words_per_s": round(words / best, 1),
    }


def _measure(
    docs: list[ParsedDocument],
    sections: list[tuple[Section, ...]],
    nlp: Any,
    batch_size: int,
    repeats: int,
) -> dict[str, Any]:
    units = [run_units(doc) for doc in docs]
    texts = [
        doc.text[start:end]
        for doc, doc_units in zip(docs, units, strict=True)
        for start, end in doc_units
    ]
    words = sum(len(text.split()) for text in texts)
    disabled = disabled_components(nlp)

    def bare() -> None:
        for parsed in nlp.pipe(texts, batch_size=batch_size, disable=disabled):
            _ = parsed.ents

    def stage() -> None:
        extract_entities(docs, sections, nlp, batch_size=batch_size)

    casings = [read_casing(doc.text, doc_units) for doc, doc_units in zip(docs, units, strict=True)]
    mentions = find_mentions(docs, units, casings, nlp, batch_size=batch_size)

    def resolution() -> None:
        for doc, doc_units, doc_sections, doc_mentions in zip(
            docs, units, sections, mentions, strict=True
        ):
            resolve_entities(doc.text, doc_units, doc_sections, doc_mentions)

    bare_times, stage_times, resolution_times = [], [], []
    for _ in range(repeats):
        bare_times.append(_time(bare))
        clear_caches()  # every timed run of the stage starts cold, as a new worker would
        stage_times.append(_time(stage))
        clear_caches()
        resolution_times.append(_time(resolution))
    bare_s, stage_s = min(bare_times), min(stage_times)
    return {
        "batch_size": batch_size,
        "units": len(texts),
        "words": words,
        "disabled_components": disabled,
        "bare_ner": _summary(bare_times, words),
        "entity_stage": _summary(stage_times, words),
        "resolution_only": _summary(resolution_times, words),
        "stage_overhead": round(stage_s / bare_s - 1.0, 4),
        "resolution_share_of_bare": round(min(resolution_times) / bare_s, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--inputs", type=Path, default=ROOT / "seeds", help="a dir of .txt files")
    parser.add_argument("--copies", type=int, default=10, help="times each input is repeated")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each case")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--sweep", default="", help="comma list of batch sizes to compare")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_entities.json")
    args = parser.parse_args()

    docs, sections = _documents(args.inputs, args.copies)
    nlp = get_nlp(DEFAULT_PIPELINE)  # loaded once per worker; its cost is not the stage's
    extract_entities(docs[:4], sections[:4], nlp)  # warm-up: lazy model init, regex caches
    main_run = _measure(docs, sections, nlp, args.batch_size, args.repeats)
    sweep = [
        {
            key: value
            for key, value in _measure(docs, sections, nlp, int(size), 1).items()
            if key in {"batch_size", "bare_ner", "entity_stage", "stage_overhead"}
        }
        for size in args.sweep.split(",")
        if size.strip()
    ]
    result = {
        "benchmark": "entities",
        "pipeline": DEFAULT_PIPELINE,
        "spacy": metadata.version("spacy"),
        "model_version": str(nlp.meta.get("version", "")),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "inputs": repo_relative(args.inputs),
        "documents": len(docs),
        "copies": args.copies,
        "repeats": args.repeats,
        **main_run,
        "batch_sweep": sweep,
    }
    bare, stage = main_run["bare_ner"], main_run["entity_stage"]
    print(f"documents {len(docs)}, run units {main_run['units']}, words {main_run['words']}")
    print(f"bare nlp.pipe NER   {bare['words_per_s']:>10.0f} words/s  ({bare['seconds_min']} s)")
    print(f"entity stage        {stage['words_per_s']:>10.0f} words/s  ({stage['seconds_min']} s)")
    print(f"stage overhead      {main_run['stage_overhead']:>10.1%}")
    print(f"resolution alone    {main_run['resolution_share_of_bare']:>10.1%} of bare NER time")
    for row in sweep:
        print(
            f"batch {row['batch_size']:>5}: bare {row['bare_ner']['words_per_s']:.0f} w/s, "
            f"stage {row['entity_stage']['words_per_s']:.0f} w/s"
        )
    print(f"wrote {save_results(args.out, result)}")


if __name__ == "__main__":
    main()
