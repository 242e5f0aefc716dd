"""Commit cost over a warehouse's history: many small commits into one warehouse, then `compact`.

    .venv/bin/python -m benchmarks.bench_commits [--commits N] [--grace SECONDS]
        [--commits-per-day N] [--per-day-series N] [--baseline-commits N] [--repeats N]
        [--out FILE]

Each commit is what one scheduled run over a one-article inbox commits: one small document with
its sections, entities and quotes, the input it read, and the run's `runs` row (five new files).
The tables are built outside the timed part (the real pipeline, about 15 ms a document); only
`flows.store.commit` is timed, in wall time (fsyncs included) and in CPU time.

Series, all in one run and one JSON file:
- main: --commits commits (2,000) with --grace (0 s: every superseded snapshot has expired by
  the next commit, so every commit recycles one by replaying the change log; this is the steady
  state of a schedule slower than the grace period) and --commits-per-day (0: every commit in one
  partition; N > 0: the partition date moves on every N commits);
- per_day: the same with the partition date moving every --per-day-series commits (100; 0 skips
  it), to show that the cost does not grow with the number of partitions;
- baseline: the first --baseline-commits commits (200; 0 skips it) with the default grace
  (900 s), during which nothing expires, so every commit hard-links the current snapshot in full
  (the pre-recycling cost) and every snapshot is kept; `--baseline-commits 2000` makes it the
  whole default-grace series.

For each series: mean ms of commits 21-40 and of the last 20 and their ratio (acceptance: at most
1.5), median/p95/max, ms at each 10% of the run (that commit, and the mean of the 20 ending
there), files per partition (max) and in all, per table. One pass over a long series is at the
mercy of other load on the machine, so (main and per_day) both windows are then timed again
--repeats times (5), alternating, each on a fresh copy of the warehouse as it was before the
window, and the last window also in full-copy mode from the same state (the baseline ratio at
the end of the history); medians are reported. Last, every table is read with DuckDB (all
columns incl. the hive partition, sorted) before and after `flows.store.compact`, and the two
readings are compared (acceptance: identical, and at most 32 files per partition after).
Writes benchmarks/results/bench_commits.json.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks.paths import RESULTS, repo_relative, save_results
from flows import __version__
from flows.nlp import get_nlp
from flows.pipeline import process_batch
from flows.records import InputSeen, InputStat, RawDocument, RunRecord
from flows.settings import Settings
from flows.store import DEFAULT_GRACE_SECONDS, TABLES, RunInfo, build_tables, commit, compact
from flows.store import warehouse as writer

ARTICLE = (
    "Harbor officials said on Tuesday that the bridge would reopen in May.\n\n"
    '"We are on schedule," said Maria Lopez, the port director.\n\n'
    "The Port Authority of Riverton expects traffic to return by summer.\n"
)
FIRST_DAY = date(2026, 11, 29)
EARLY = slice(20, 40)  # commits 21-40: past the first few, whose files are still few
LATE_COMMITS = 20
ACCEPT_LATE_OVER_EARLY = 1.5
ACCEPT_FILES_PER_PARTITION = 32
STEPS = 10  # report the cost at each 10% of the run


@dataclass(frozen=True, slots=True)
class Commit:
    """Everything one timed `commit` call takes, built beforehand."""

    run_id: str
    partition: date
    tables: dict[str, pa.Table]
    inputs: tuple[InputSeen, ...]
    run: RunRecord


def _build(number: int, commits_per_day: int, settings: Settings) -> Commit:
    """Commit `number` of a series: the pipeline's real tables for one short article (a line
    naming the number makes each a new document), as a run on its partition's day would."""
    day = FIRST_DAY + timedelta(days=number // commits_per_day if commits_per_day else 0)
    started = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(seconds=number)
    run_id = f"run{number:06d}"
    data = f"{ARTICLE}\nItem {number}.\n".encode()
    uri = f"inbox/{number:06d}.txt"
    stat = InputStat(uri, len(data), int(started.timestamp() * 1e9))
    result = process_batch([RawDocument(uri, data, "text/plain", stat)], settings, get_nlp)
    record = RunRecord(
        run_id=run_id,
        started_at=started,
        parameters="{}",
        inputs_seen=1,
        inputs_skipped=0,
        pipeline_version=__version__,
    )
    tables = build_tables([result], RunInfo(run_id, started))
    if tables["documents"].num_rows != 1:  # a stage failing would make it a reject instead
        raise SystemExit(f"commit {number}: no document was built: {tables['rejects'].to_pylist()}")
    return Commit(run_id, day, tables, result.seen, record)


def _commits(count: int, commits_per_day: int) -> Iterator[Commit]:
    settings = Settings()
    for number in range(count):
        yield _build(number, commits_per_day, settings)


def _timed_commit(root: Path, item: Commit, grace: float) -> tuple[float, float]:
    """Wall and CPU seconds of one commit (CPU time is what other load on the machine does not
    inflate; the wall time also holds the fsyncs, which are part of the cost)."""
    start = time.perf_counter()
    cpu_start = time.process_time()
    commit(
        root,
        item.tables,
        run_id=item.run_id,
        partition=item.partition,
        inputs=item.inputs,
        run=item.run,
        grace_seconds=grace,
    )
    return time.perf_counter() - start, time.process_time() - cpu_start


@dataclass(frozen=True, slots=True)
class Window:
    """Twenty consecutive commits and a copy of the warehouse as it was before the first."""

    state: Path
    items: tuple[Commit, ...]


def _run_series(
    root: Path, count: int, grace: float, commits_per_day: int, saves: dict[str, range]
) -> tuple[list[float], list[float], dict[str, Window]]:
    """Commit `count` times; for each of `saves` (name -> commit indexes), keep a copy of the
    warehouse before the first of them and the commits themselves, to time them again."""
    seconds: list[float] = []
    cpu: list[float] = []
    kept: dict[str, list[Commit]] = {name: [] for name in saves}
    states: dict[str, Path] = {}
    for number, item in enumerate(_commits(count, commits_per_day)):
        for name, indexes in saves.items():
            if number == indexes.start:
                states[name] = root.parent / f"{root.name}-before-{name}"
                shutil.copytree(root, states[name], symlinks=True)
            if number in indexes:
                kept[name].append(item)
        wall, used = _timed_commit(root, item, grace)
        seconds.append(wall)
        cpu.append(used)
    windows = {name: Window(states[name], tuple(kept[name])) for name in saves}
    return seconds, cpu, windows


def _repeat_windows(
    work: Path, windows: dict[str, Window], grace: float, repeats: int
) -> dict[str, Any]:
    """Time the early and the late window again `repeats` times each, alternating, each time on
    a fresh copy of the warehouse as it was before the window; and the late window once more in
    full-copy mode (the default grace: nothing has expired, so every commit links the current
    snapshot in full) from the same state. Paired and repeated, so that load elsewhere on the
    machine, which drifts over a long series, hits every case alike."""
    cases = (
        ("commits_21_40", windows["early"], grace),
        ("last_20", windows["late"], grace),
        ("last_20_full_copy", windows["late"], float(DEFAULT_GRACE_SECONDS)),
    )
    wall: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for repeat in range(repeats):
        for name, window, case_grace in cases if repeat % 2 == 0 else cases[::-1]:
            scratch = work / "scratch"
            shutil.copytree(window.state, scratch, symlinks=True)
            timings = [_timed_commit(scratch, item, case_grace) for item in window.items]
            shutil.rmtree(scratch)
            wall[name].append(statistics.mean(t[0] for t in timings))
            cpu[name].append(statistics.mean(t[1] for t in timings))
    median = {name: statistics.median(values) for name, values in wall.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpu.items()}
    return {
        "repeats": repeats,
        "mean_ms_per_repeat": {name: [_ms(v) for v in values] for name, values in wall.items()},
        "median_ms": {name: _ms(value) for name, value in median.items()},
        "cpu_median_ms": {name: _ms(value) for name, value in cpu_median.items()},
        "last_20_over_21_40": round(median["last_20"] / median["commits_21_40"], 3),
        "cpu_last_20_over_21_40": round(cpu_median["last_20"] / cpu_median["commits_21_40"], 3),
        "last_20_over_full_copy": round(median["last_20"] / median["last_20_full_copy"], 3),
        "cpu_last_20_over_full_copy": round(
            cpu_median["last_20"] / cpu_median["last_20_full_copy"], 3
        ),
    }


def _files(root: Path) -> dict[str, dict[str, int]]:
    """Per table: the most files in one partition, the files in all, and the partitions."""
    out: dict[str, dict[str, int]] = {}
    for name in TABLES:
        counts = [len(list(p.glob("*.parquet"))) for p in (root / name).glob("*=*")]
        out[name] = {
            "max_per_partition": max(counts, default=0),
            "total": sum(counts),
            "partitions": len(counts),
        }
    return out


def _read_all(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, all columns (the hive partition too), sorted, as an analyst
    reads them: DuckDB over the `W/<table>/**/*.parquet` glob."""
    import duckdb

    rows: dict[str, list[tuple[Any, ...]]] = {}
    with duckdb.connect() as con:
        for name in TABLES:
            if not any((root / name).rglob("*.parquet")):
                rows[name] = []
                continue
            pattern = str(root / name / "**" / "*.parquet")
            query = f"select * from read_parquet('{pattern}', hive_partitioning = 1) order by all"
            rows[name] = con.sql(query).fetchall()
    return rows


def _pandas_rows(root: Path) -> dict[str, int]:
    """Rows per table as pandas reads the table directories (the other reader we promise)."""
    import pandas as pd  # type: ignore[import-untyped]  # pandas ships no types

    return {
        name: len(pd.read_parquet(root / name)) if any((root / name).rglob("*.parquet")) else 0
        for name in TABLES
    }


def _ms(value: float) -> float:
    return round(value * 1000, 2)


def _timings(seconds: list[float]) -> dict[str, Any]:
    early = statistics.mean(seconds[EARLY])
    late = statistics.mean(seconds[-LATE_COMMITS:])
    step = max(1, len(seconds) // STEPS)
    marks = range(step - 1, len(seconds), step)
    ordered = sorted(seconds)
    return {
        "mean_ms_commits_21_40": _ms(early),
        "mean_ms_last_20": _ms(late),
        "last_20_over_21_40": round(late / early, 3),
        "median_ms": _ms(statistics.median(seconds)),
        "p95_ms": _ms(ordered[int(0.95 * (len(ordered) - 1))]),
        "max_ms": _ms(ordered[-1]),
        "total_s": round(sum(seconds), 2),
        "ms_at": {str(i + 1): _ms(seconds[i]) for i in marks},
        "mean_ms_of_20_ending_at": {
            str(i + 1): _ms(statistics.mean(seconds[max(0, i - LATE_COMMITS + 1) : i + 1]))
            for i in marks
        },
    }


def _series(
    work: Path, label: str, *, count: int, grace: float, commits_per_day: int, repeats: int
) -> tuple[dict[str, Any], list[float], list[float]]:
    """Run one series in a fresh warehouse, time its windows again (`repeats`), then check
    `compact` on it."""
    root = work / label
    per_day = commits_per_day or "all"
    print(f"-- {label}: {count} commits, grace {grace:g} s, per day {per_day}", flush=True)
    saves = {"early": range(EARLY.start, EARLY.stop), "late": range(count - LATE_COMMITS, count)}
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    seconds, cpu, windows = _run_series(
        root, count, grace, commits_per_day, saves if repeats else {}
    )
    wall = time.perf_counter() - start
    cpu_early, cpu_late = statistics.mean(cpu[EARLY]), statistics.mean(cpu[-LATE_COMMITS:])
    result: dict[str, Any] = {
        "commits": count,
        "grace_seconds": grace,
        "commits_per_day": commits_per_day,
        "wall_s_incl_building_tables": round(wall, 1),
        **_timings(seconds),
        "cpu_mean_ms_commits_21_40": _ms(cpu_early),
        "cpu_mean_ms_last_20": _ms(cpu_late),
        "cpu_last_20_over_21_40": round(cpu_late / cpu_early, 3),
        "load_average_1min_before_after": [load_before, os.getloadavg()[0]],
        "snapshots_kept": sum(1 for _ in (root / ".newsdesk" / "snapshots").iterdir()),
        "files": _files(root),
    }
    if repeats:
        result["repeated_windows"] = _repeat_windows(work, windows, grace, repeats)
        for window in windows.values():
            shutil.rmtree(window.state)
    before = _read_all(root)
    compact_start = time.perf_counter()
    done = compact(root, run_id="compact-bench", grace_seconds=grace)
    compact_s = time.perf_counter() - compact_start
    after = _read_all(root)
    files_after = _files(root)
    result["compaction"] = {
        "seconds": round(compact_s, 3),
        "rows_per_table": {name: len(rows) for name, rows in after.items()},
        "rows_identical": {name: before[name] == after[name] for name in TABLES},
        "pandas_rows_after": _pandas_rows(root),
        "files_before": done.files_before,
        "files_after": done.files_after,
        "max_files_per_partition_after": {
            name: figures["max_per_partition"] for name, figures in files_after.items()
        },
    }
    return result, seconds, cpu


def _accepts(result: dict[str, Any]) -> dict[str, bool]:
    most_files = max(figures["max_per_partition"] for figures in result["files"].values())
    after = result["compaction"]["max_files_per_partition_after"].values()
    accepts = {
        "last_20_over_21_40_at_most_1_5": result["last_20_over_21_40"] <= ACCEPT_LATE_OVER_EARLY,
    }
    if "repeated_windows" in result:
        ratio = result["repeated_windows"]["last_20_over_21_40"]
        accepts["repeated_last_20_over_21_40_at_most_1_5"] = ratio <= ACCEPT_LATE_OVER_EARLY
    return {
        **accepts,
        "files_per_partition_at_most_32": most_files <= ACCEPT_FILES_PER_PARTITION,
        "compacted_files_per_partition_at_most_32": max(after) <= ACCEPT_FILES_PER_PARTITION,
        "compaction_rows_identical": all(result["compaction"]["rows_identical"].values()),
    }


def _print(label: str, result: dict[str, Any]) -> None:
    print(
        f"{label}: commits 21-40 {result['mean_ms_commits_21_40']} ms, last 20 "
        f"{result['mean_ms_last_20']} ms ({result['last_20_over_21_40']}x); median "
        f"{result['median_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms"
    )
    print(
        f"  CPU: commits 21-40 {result['cpu_mean_ms_commits_21_40']} ms, last 20 "
        f"{result['cpu_mean_ms_last_20']} ms ({result['cpu_last_20_over_21_40']}x); load "
        f"average before/after {result['load_average_1min_before_after']}"
    )
    if "repeated_windows" in result:
        windows = result["repeated_windows"]
        print(
            f"  windows again, median of {windows['repeats']}: {windows['median_ms']} ms "
            f"(CPU {windows['cpu_median_ms']}); last 20 / 21-40 "
            f"{windows['last_20_over_21_40']}x (CPU {windows['cpu_last_20_over_21_40']}x); "
            f"last 20 recycled / full copy {windows['last_20_over_full_copy']}x "
            f"(CPU {windows['cpu_last_20_over_full_copy']}x)"
        )
    print(f"  mean ms of the 20 commits ending at: {result['mean_ms_of_20_ending_at']}")
    for name, figures in result["files"].items():
        print(
            f"  {name:>9}: {figures['max_per_partition']:>3} files max per partition, "
            f"{figures['total']:>5} in all, {figures['partitions']} partitions; after compact "
            f"{result['compaction']['max_files_per_partition_after'][name]} per partition, "
            f"rows identical: {result['compaction']['rows_identical'][name]} "
            f"({result['compaction']['rows_per_table'][name]} rows)"
        )
    print(f"  compact took {result['compaction']['seconds']} s; checks: {result['accepts']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--grace", type=float, default=0.0, help="grace seconds (main series)")
    parser.add_argument("--commits-per-day", type=int, default=0, help="0: one partition")
    parser.add_argument("--per-day-series", type=int, default=100, help="0 skips it")
    parser.add_argument("--baseline-commits", type=int, default=200, help="0 skips it")
    parser.add_argument("--repeats", type=int, default=5, help="window re-timings; 0: none")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_commits.json")
    args = parser.parse_args()
    if args.commits < EARLY.stop + LATE_COMMITS:
        parser.error(f"--commits must be at least {EARLY.stop + LATE_COMMITS}")
    get_nlp(Settings().nlp_pipeline)  # the model loads once, before anything is timed
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="newsdesk-commits-"))
    series: dict[str, Any] = {}
    try:
        series["main"], main_wall, main_cpu = _series(
            work,
            "main",
            count=args.commits,
            grace=args.grace,
            commits_per_day=args.commits_per_day,
            repeats=args.repeats,
        )
        if args.per_day_series:
            series["per_day"], _, _ = _series(
                work,
                "per_day",
                count=args.commits,
                grace=args.grace,
                commits_per_day=args.per_day_series,
                repeats=args.repeats,
            )
        if args.baseline_commits:
            count = min(args.baseline_commits, args.commits)
            baseline, base_wall, base_cpu = _series(
                work,
                "baseline",
                count=count,
                grace=DEFAULT_GRACE_SECONDS,
                commits_per_day=args.commits_per_day,
                repeats=0,
            )
            # The same commits (21 to N) in both modes: what recycling saves over linking in
            # full, early in a history (the repeated windows compare the two at its end).
            same = slice(EARLY.start, count)
            baseline["same_commits"] = f"{same.start + 1}-{count}"
            baseline["mean_ms_main"] = _ms(statistics.mean(main_wall[same]))
            baseline["mean_ms_full_copy"] = _ms(statistics.mean(base_wall[same]))
            baseline["main_over_full_copy"] = round(
                statistics.mean(main_wall[same]) / statistics.mean(base_wall[same]), 3
            )
            baseline["cpu_main_over_full_copy"] = round(
                statistics.mean(main_cpu[same]) / statistics.mean(base_cpu[same]), 3
            )
            series["baseline"] = baseline
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for label, result in series.items():
        result["accepts"] = _accepts(result)
        _print(label, result)
    if "baseline" in series:
        base = series["baseline"]
        print(
            f"commits {base['same_commits']}: main {base['mean_ms_main']} ms vs full copy "
            f"{base['mean_ms_full_copy']} ms = {base['main_over_full_copy']}x "
            f"(CPU {base['cpu_main_over_full_copy']}x)"
        )
    output = {
        "benchmark": "bench_commits",
        "runtime_s": round(time.perf_counter() - started, 1),
        # Which writer was measured: compare with `sha256sum flows/store/warehouse.py`.
        "warehouse_py_sha256": hashlib.sha256(Path(writer.__file__).read_bytes()).hexdigest(),
        "series": series,
    }
    print(f"total runtime {output['runtime_s']} s; written to {repo_relative(args.out)}")
    save_results(args.out, output)


if __name__ == "__main__":
    main()
