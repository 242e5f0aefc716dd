"""Incremental runs: a second `newsdesk ingest` over an unchanged inbox vs the first run.

    .venv/bin/python -m benchmarks.bench_incremental [--articles N] [--settings server,no_server]

Builds an inbox of --articles (1,000) distinct real articles in a temporary directory: the input
files of ../shared/corpus/{aeb,polnear,conll,stories}-dev/inputs (525 files, 441 distinct: a
file repeating an earlier one's bytes is left out, it would be the same document), then
deterministic variants (an article with a line such as "Updated edition 2." appended, so its
bytes and document differ) up to the count; with fewer articles than inputs, an even spread.
Then runs the real command line end to end, each run a process of its own, as a schedule would:

1. `newsdesk ingest INBOX --warehouse W -q` into an empty warehouse (the first run);
2. the same again over the unchanged inbox (acceptance: at most 5% of the first run's seconds,
   and no document added);
3. the same after editing 10 of the inbox's plain-text articles (10 new document versions).

in two settings, each with its own inbox, warehouse and PREFECT_HOME: "server", a real Prefect
server on 127.0.0.1 (PREFECT_API_URL set, as scheduled runs have), and "no_server", no server
configured (the run executes its steps in-process without importing Prefect, see
flows/run.py). Also times the import of the run's layer in a fresh process (`flows.flow`, Prefect
and the pipeline, with a server; `flows.run`, the pipeline alone, without): the floor of any
run. Documents are counted with DuckDB after each run. Prints and writes
benchmarks/results/bench_incremental.json.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.paths import RESULTS, ROOT, repo_relative, save_results

CORPORA = ("aeb", "polnear", "conll", "stories")
SHARED = ROOT.parent / "shared"
EDITED = 10  # articles edited before the third run
ACCEPT_SECOND_OVER_FIRST = 0.05
RUN_TIMEOUT_S = 3600
SETTINGS = ("server", "no_server")


def _corpus_inputs() -> tuple[list[tuple[str, Path]], int]:
    """Every corpus input file with bytes of its own, as (corpus, path), in a fixed order, and
    how many files repeat an earlier one's bytes (the same article: one document, not two)."""
    found: list[tuple[str, Path]] = []
    hashes: set[str] = set()
    repeats = 0
    for corpus in CORPORA:
        folder = SHARED / "corpus" / f"{corpus}-dev" / "inputs"
        if not folder.is_dir():
            raise SystemExit(f"missing corpus inputs: {repo_relative(folder)}")
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in hashes:
                repeats += 1
                continue
            hashes.add(digest)
            found.append((corpus, path))
    return found, repeats


def _build_inbox(inbox: Path, articles: int) -> dict[str, Any]:
    """Write `articles` distinct inbox files: the corpus inputs, then variants of them in turn."""
    originals, repeats = _corpus_inputs()
    if articles < len(originals):  # an even spread, so a small inbox still mixes the corpora
        originals = [originals[i * len(originals) // articles] for i in range(articles)]
    inbox.mkdir(parents=True)
    for corpus, path in originals:
        shutil.copyfile(path, inbox / f"{corpus}-{path.name}")
    variants = max(0, articles - len(originals))
    for number in range(variants):
        corpus, path = originals[number % len(originals)]
        edition = number // len(originals) + 2
        target = inbox / f"{corpus}-ed{edition}-{path.name}"
        target.write_bytes(path.read_bytes() + f"\n\nUpdated edition {edition}.\n".encode())
    by_corpus = {c: sum(1 for corpus, _ in originals if corpus == c) for c in CORPORA}
    return {
        "articles": articles,
        "corpus_inputs": len(originals),
        "corpus_files_left_out_as_repeats": repeats,
        "corpus_inputs_by_corpus": by_corpus,
        "variants": variants,
        "corpora": [repo_relative(SHARED / "corpus" / f"{c}-dev" / "inputs") for c in CORPORA],
        "bytes": sum(p.stat().st_size for p in inbox.iterdir()),
    }


def _count(warehouse: Path, table: str) -> int:
    import duckdb

    if not any((warehouse / table).rglob("*.parquet")):
        return 0
    pattern = str(warehouse / table / "**" / "*.parquet")
    with duckdb.connect() as con:
        rows = con.sql(f"select count(*) from read_parquet('{pattern}')").fetchall()
    return int(rows[0][0])


def _plain_documents(warehouse: Path, count: int) -> list[str]:
    """`count` inputs ingested as plain-text documents (the ones the third run edits)."""
    import duckdb

    pattern = str(warehouse / "documents" / "**" / "*.parquet")
    query = (
        f"select source_uri from read_parquet('{pattern}') where media_type = 'text/plain' "
        f"order by source_uri limit {count}"
    )
    with duckdb.connect() as con:
        return [str(row[0]) for row in con.sql(query).fetchall()]


def _timed_process(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    return seconds


def _ingest(inbox: Path, warehouse: Path, env: dict[str, str]) -> dict[str, Any]:
    newsdesk = str(Path(sys.executable).parent / "newsdesk")
    load = os.getloadavg()[0]  # other work on the machine slows a run down: say how much there was
    seconds = _timed_process(
        [newsdesk, "ingest", str(inbox), "--warehouse", str(warehouse), "-q"], env
    )
    return {
        "seconds": round(seconds, 2),
        "documents": _count(warehouse, "documents"),
        "rejects": _count(warehouse, "rejects"),
        "runs": _count(warehouse, "runs"),
        "load_average_1min_before": round(load, 2),
    }


def _base_env(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    return env


@contextmanager
def _environment(setting: str, work: Path) -> Iterator[dict[str, str]]:
    """The environment of the runs of one setting (and its server while they run)."""
    home = work / "prefect-home"
    home.mkdir()
    env = _base_env(home)
    if setting == "no_server":
        yield env
        return
    from tests.prefect_server import prefect_server

    server_home = work / "server-home"
    server_home.mkdir()
    started = time.perf_counter()
    with prefect_server(server_home) as api:
        print(f"   server healthy after {time.perf_counter() - started:.1f} s", flush=True)
        yield {**env, "PREFECT_API_URL": api}


def _setting(setting: str, work: Path, articles: int) -> dict[str, Any]:
    """Three runs of one setting: first, unchanged, after editing EDITED articles."""
    work.mkdir()
    inbox = work / "inbox"
    warehouse = work / "warehouse"
    inputs = _build_inbox(inbox, articles)
    with _environment(setting, work) as env:
        layer = "flows.flow" if setting == "server" else "flows.run"
        floor = _timed_process([sys.executable, "-c", f"import {layer}"], env)
        print(f"   import {layer}: {floor:.2f} s", flush=True)
        first = _ingest(inbox, warehouse, env)
        print(f"   first run: {first}", flush=True)
        second = _ingest(inbox, warehouse, env)
        print(f"   second run (unchanged inbox): {second}", flush=True)
        edited = _plain_documents(warehouse, EDITED)
        for uri in edited:
            with Path(uri).open("ab") as handle:
                handle.write(b"\n\nCorrection: an earlier version misspelled a name.\n")
        third = _ingest(inbox, warehouse, env)
        print(f"   third run ({len(edited)} articles edited): {third}", flush=True)
    return {
        "inputs": inputs,
        "import_flows_flow_s": round(floor, 2),
        "first": first,
        "second": second,
        "second_over_first": round(second["seconds"] / first["seconds"], 4),
        "second_documents_added": second["documents"] - first["documents"],
        "third": third,
        "third_articles_edited": len(edited),
        "third_documents_added": third["documents"] - second["documents"],
        "third_over_first": round(third["seconds"] / first["seconds"], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--settings", default=",".join(SETTINGS), help="server,no_server")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_incremental.json")
    args = parser.parse_args()
    chosen = [s for s in args.settings.split(",") if s]
    if not chosen or set(chosen) - set(SETTINGS):
        parser.error(f"--settings takes a comma list of {', '.join(SETTINGS)}")
    if args.articles < EDITED:
        parser.error(f"--articles must be at least {EDITED}")
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="newsdesk-incremental-"))
    results: dict[str, Any] = {}
    try:
        for setting in chosen:
            print(f"-- {setting}: {args.articles} articles", flush=True)
            results[setting] = _setting(setting, work / setting, args.articles)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for setting, result in results.items():
        ratio, edits = result["second_over_first"], result["third_articles_edited"]
        first = result["first"]
        result["accepts"] = {
            "second_at_most_5pct_of_first": ratio <= ACCEPT_SECOND_OVER_FIRST,
            "first_read_every_input": first["documents"] + first["rejects"] == args.articles,
            "second_added_no_document": result["second_documents_added"] == 0,
            "third_added_one_version_per_edit": result["third_documents_added"] == edits,
        }
        print(
            f"{setting}: first {result['first']['seconds']} s, second "
            f"{result['second']['seconds']} s ({result['second_over_first']:.1%} of the first, "
            f"{result['second_documents_added']} documents added), third "
            f"{result['third']['seconds']} s ({result['third_documents_added']} documents added "
            f"for {result['third_articles_edited']} edits); import floor "
            f"{result['import_flows_flow_s']} s; checks: {result['accepts']}"
        )
    output = {
        "benchmark": "bench_incremental",
        "articles": args.articles,
        "runtime_s": round(time.perf_counter() - started, 1),
        "settings": results,
    }
    print(f"total runtime {output['runtime_s']} s; written to {repo_relative(args.out)}")
    save_results(args.out, output)


if __name__ == "__main__":
    main()
