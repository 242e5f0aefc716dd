"""Pipeline throughput: the stages called directly vs the same work through the Prefect flow.

    .venv/bin/python -m benchmarks.bench_pipeline [--copies N] [--inputs DIR]

Prints and writes benchmarks/results/bench_pipeline.json: documents per second and peak RSS for
(a) parse + sections only, (b) all stages incl. NLP, (c) the whole flow (tasks + commit) on the
same inputs, and the ratio (c)/(b), which is what Prefect and the warehouse commit cost on top.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.paths import RESULTS, ROOT, repo_relative, save_results
from flows.nlp import get_nlp
from flows.pipeline import process_batch
from flows.records import RawDocument
from flows.settings import Settings


def _inputs(source: Path, copies: int, workdir: Path) -> list[Path]:
    """`copies` distinct variants of every input (a marker line makes each one a new document)."""
    out = []
    for path in sorted(p for p in source.iterdir() if p.is_file()):
        for copy in range(copies):
            target = workdir / f"{copy:04d}-{path.name}"
            target.write_bytes(path.read_bytes() + f"\n\nCopy {copy}.\n".encode())
            out.append(target)
    return out


def _timed(label: str, fn: object, n_docs: int) -> dict[str, float | str]:
    start = time.perf_counter()
    cpu = time.process_time()
    fn()  # type: ignore[operator]
    wall = time.perf_counter() - start
    return {
        "case": label,
        "documents": n_docs,
        "wall_s": round(wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "docs_per_s": round(n_docs / wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--inputs", type=Path, default=ROOT / "seeds")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    try:
        paths = _inputs(args.inputs, args.copies, work)
        raws = [RawDocument(str(p), p.read_bytes(), "text/plain") for p in paths]
        get_nlp(Settings().nlp_pipeline)  # model load is a one-off per worker, not per run
        bare = Settings(extract_entities=False, extract_quotes=False)
        full = Settings()
        rows = [
            _timed("parse+sections", lambda: process_batch(raws, bare, get_nlp), len(raws)),
            _timed("all stages", lambda: process_batch(raws, full, get_nlp), len(raws)),
        ]
        # The run's layer is imported only now, so its import cost stays out of the stage
        # timings (it imports Prefect only when a server is configured).
        from flows.run import run_ingest

        warehouse = work / "w"
        flow_settings = Settings(warehouse=warehouse)
        rows.append(
            _timed(
                "prefect flow + commit",
                lambda: run_ingest([str(p) for p in paths], flow_settings),
                len(raws),
            )
        )
        stages_s = float(rows[1]["wall_s"])
        result = {
            "inputs": repo_relative(args.inputs),
            "copies": args.copies,
            "cases": rows,
            "flow_over_stages": round(float(rows[2]["wall_s"]) / stages_s, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    save_results(RESULTS / "bench_pipeline.json", result)
    for row in rows:
        print(f"{row['case']:>24}: {row['docs_per_s']:>8} docs/s  ({row['wall_s']} s wall)")
    print(
        f"flow+commit / stages: {result['flow_over_stages']}x; peak RSS {result['peak_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
