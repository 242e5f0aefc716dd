"""Batches on a real Dask cluster (issue 12): the cost of a task against a batch's, and the
articles per hour a worker core gives.

    .venv/bin/python -m benchmarks.bench_dask [--articles 96] [--batch-size 16] [--workers 2]
        [--tasks 200]

Starts a scheduler and --workers single-threaded workers on 127.0.0.1 as processes (`dask
scheduler`, `dask worker`, as tests/dask_cluster.py does), then:

- overhead: --tasks trivial tasks through a plain `distributed` client (what a run without a
  Prefect server submits), all at once (wall time / tasks: the scheduler's cost per task when
  the workers are busy) and one after another (the round trip of one task, median);
- ingest: --articles distinct plain-text articles (benchmarks/corpus_variants.py) through the
  real command line, `newsdesk ingest --dask-address`, in batches of --batch-size. From the
  scheduler's task stream: each batch task's compute time on its worker. Articles per hour per
  worker process (one thread, so one core) = articles / the batches' summed compute seconds,
  and end to end (start of the command to the commit) with all the workers; and, steadier on
  a machine shared with other work, per CPU-second: the workers' CPU seconds during the run
  (the model already loaded), so articles per hour of one busy core;
- one process: the same articles with `--workers 1` and no cluster, for the end-to-end ratio
  and to check that the tables are the same (DuckDB, every row but the run's columns).

The ratio that sizes batches: the round trip of a task against a batch's compute time. Other
work on the machine slows everything: the load average is saved with the figures. Prints and
writes benchmarks/results/bench_dask.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.corpus_variants import word_count, write_corpus
from benchmarks.paths import RESULTS, ROOT, save_results

# Trivial tasks timed one by one for the round trip (enough for a stable median).
ROUND_TRIPS = 50


def _noop(value: int) -> int:
    return value


def _cpu_seconds() -> float:
    """CPU seconds of this process so far (run on each worker by Client.run)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _overhead(address: str, tasks: int) -> dict[str, float]:
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        client.gather(client.map(_noop, range(tasks), pure=False))  # warm: imports, connections
        start = time.perf_counter()
        client.gather(client.map(_noop, range(tasks), pure=False))
        burst = time.perf_counter() - start
        trips = []
        for number in range(ROUND_TRIPS):
            start = time.perf_counter()
            client.submit(_noop, number, pure=False).result()
            trips.append(time.perf_counter() - start)
    return {
        "per_task_ms_in_a_burst": round(burst / tasks * 1000, 2),
        "round_trip_ms_median": round(statistics.median(trips) * 1000, 2),
    }


def _ingest(
    corpus: Path, warehouse: Path, extra: list[str], log: Path
) -> tuple[float, dict[str, Any]]:
    """Run the command line; its wall time and its summary line's figures."""
    command = [sys.executable, "-m", "flows.cli", "ingest", str(corpus), "--warehouse"]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    start = time.perf_counter()
    proc = subprocess.run(
        [*command, str(warehouse), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed:\n{proc.stderr}")
    return seconds, {"summary": proc.stdout.strip().split(" into ")[0]}


def _batch_seconds(stream: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Compute seconds of each batch task, by the worker that ran it."""
    out: dict[str, list[float]] = {}
    for record in stream:
        if not str(record["key"]).startswith("process-batch-"):
            continue
        spent = sum(
            part["stop"] - part["start"]
            for part in record["startstops"]
            if part["action"] == "compute"
        )
        out.setdefault(str(record["worker"]), []).append(spent)
    return out


def _same_tables(one: Path, other: Path) -> bool:
    from tests.test_dask import _contents

    return _contents(one) == _contents(other)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=200, help="trivial tasks (overhead)")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_dask.json")
    args = parser.parse_args()
    if min(args.articles, args.batch_size, args.workers, args.tasks) < 1:
        parser.error("--articles, --batch-size, --workers and --tasks must be at least 1")
    from distributed import Client

    from flows.cluster import LoadPipeline, plugin_name
    from flows.nlp import DEFAULT_PIPELINE
    from tests.dask_cluster import dask_cluster

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        corpus = work / "corpus"
        paths = write_corpus(corpus, args.articles)
        words = sum(word_count(path.read_text(encoding="utf-8")) for path in paths)
        load = os.getloadavg()[0]
        with dask_cluster(work / "cluster", workers=args.workers) as cluster:
            overhead = _overhead(cluster.address, args.tasks)
            print(f"overhead: {json.dumps(overhead)}", flush=True)
            with Client(cluster.address, set_as_default=False) as client:
                # The model loaded on every worker first, as the run's own plugin would (same
                # name, so the run's registration reloads nothing): CPU seconds are the batches'.
                client.register_plugin(
                    LoadPipeline(DEFAULT_PIPELINE), name=plugin_name(DEFAULT_PIPELINE)
                )
                cpu_before: dict[str, float] = client.run(_cpu_seconds)
                client.get_task_stream()  # the scheduler records tasks from now on
                on_cluster, summary = _ingest(
                    corpus,
                    work / "on-cluster",
                    ["--batch-size", str(args.batch_size), "--dask-address", cluster.address],
                    work / "on-cluster.log",
                )
                stream = client.get_task_stream()
                cpu_after: dict[str, float] = client.run(_cpu_seconds)
        worker_cpu = sum(cpu_after[w] - cpu_before[w] for w in cpu_after)
        print(f"on the cluster: {on_cluster:.1f} s, {summary['summary']}", flush=True)
        alone, _ = _ingest(
            corpus,
            work / "alone",
            ["--batch-size", str(args.batch_size), "--workers", "1"],
            work / "alone.log",
        )
        print(f"one process: {alone:.1f} s", flush=True)
        batches = _batch_seconds(stream)
        computed = [s for spent in batches.values() for s in spent]
        batch_mean = statistics.mean(computed)
        results = {
            "overhead": overhead,
            "batches": len(computed),
            "batches_per_worker": {w: len(s) for w, s in sorted(batches.items())},
            "batch_compute_s_mean": round(batch_mean, 2),
            "batch_compute_s_max": round(max(computed), 2),
            "round_trip_over_batch": round(overhead["round_trip_ms_median"] / 1000 / batch_mean, 5),
            "articles_per_hour_per_worker_core": round(args.articles / sum(computed) * 3600),
            "words_per_second_per_worker_core": round(words / sum(computed)),
            "worker_cpu_s": round(worker_cpu, 1),
            "articles_per_hour_per_busy_core": round(args.articles / worker_cpu * 3600),
            "words_per_cpu_second": round(words / worker_cpu),
            "end_to_end_s_on_cluster": round(on_cluster, 1),
            "end_to_end_s_one_process": round(alone, 1),
            "articles_per_hour_end_to_end_on_cluster": round(args.articles / on_cluster * 3600),
            "articles_per_hour_end_to_end_one_process": round(args.articles / alone * 3600),
            "same_tables": _same_tables(work / "on-cluster", work / "alone"),
        }
        output = {
            "benchmark": "bench_dask",
            "articles": len(paths),
            "words": words,
            "bytes": sum(path.stat().st_size for path in paths),
            "batch_size": args.batch_size,
            "workers": args.workers,
            "cores": os.cpu_count(),
            "load_average_1min_before": round(load, 2),
            "runtime_s": 0.0,
            "results": results,
        }
        output["runtime_s"] = round(time.perf_counter() - started, 1)
        for name, value in results.items():
            print(f"{name}: {json.dumps(value)}")
        save_results(args.out, output)
        print(f"total runtime {output['runtime_s']} s; written to {args.out.relative_to(ROOT)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
