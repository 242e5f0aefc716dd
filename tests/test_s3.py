"""A warehouse in S3-compatible object storage, end to end: the real CLI against moto's server.

Each test starts its own moto server on 127.0.0.1 (tests.s3_server), creates a bucket through
boto3 and points newsdesk at it with the standard AWS variables, set only in the test's
environment; the CLI runs in a subprocess, as a user runs it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pytest

from flows.store import TABLES, commit_lake, read_tables
from tests import s3_server
from tests.conftest import ROOT, run_cli
from tests.store.helpers import DAY, make_tables
from tests.stories.articles import BUDGET, PROFILE, original, trimmed, with_credit_and_byline

pytestmark = pytest.mark.slow
BUCKET = "newsdesk-warehouse"
# Columns that name the run or its time: equal between two runs only by accident.
_RUN_COLUMNS = {"run_id", "ingested_at", "rejected_at", "ingest_date", "detail"}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A fresh server and bucket; the warehouse URI under it. Staging stays under tmp_path."""
    with s3_server.s3_server() as endpoint:
        for name, value in s3_server.environment(endpoint).items():
            monkeypatch.setenv(name, value)
        (tmp_path / "tmp").mkdir()
        monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
        s3_server.client(endpoint).create_bucket(Bucket=BUCKET)
        yield f"s3://{BUCKET}/news"


def _inbox(tmp_path: Path, names: list[str] | None = None) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        if names is None or seed.name in names:
            shutil.copy2(seed, inbox / seed.name)
    (inbox / "empty.txt").write_bytes(b"")
    return inbox


def _stable(table: pa.Table) -> list[tuple[Any, ...]]:
    """A table's rows without the per-run columns, sorted: comparable across warehouses."""
    keep = [name for name in table.column_names if name not in _RUN_COLUMNS]
    rows = table.select(keep).to_pylist()
    return sorted(tuple(str(row[c]) for c in keep) for row in rows)


def test_ingest_into_s3_reads_back_everywhere_like_a_local_warehouse(
    s3: str, tmp_path: Path
) -> None:
    inbox = _inbox(tmp_path)
    proc = run_cli("ingest", str(inbox), "--warehouse", s3)
    assert proc.returncode == 0, proc.stderr
    assert f"into {s3} " in proc.stdout
    local = tmp_path / "local"
    assert run_cli("ingest", str(inbox), "--warehouse", str(local)).returncode == 0
    remote, here = read_tables(s3), read_tables(local)
    # pyarrow: every table, the same rows as a local warehouse of the same inputs.
    for name in TABLES:
        if name != "runs":
            assert _stable(remote[name].to_table()) == _stable(here[name].to_table()), name
    documents = remote["documents"].to_table()
    assert documents.num_rows == 4
    assert "Harbor Bridge Reopens After Two-Year Repair" in documents["title"].to_pylist()
    # pandas
    quotes = remote["quotes"].to_table().to_pandas()
    assert len(quotes) == here["quotes"].count_rows() > 0
    assert set(quotes["doc_id"]) <= set(documents["doc_id"].to_pylist())
    # polars, through the Arrow dataset
    entities = pl.scan_pyarrow_dataset(remote["entities"])
    people = entities.filter(pl.col("label") == "PERSON").select("canonical").collect()
    assert people.height > 0
    assert (
        people.height
        == here["entities"]
        .to_table()
        .filter(pa.compute.equal(here["entities"].to_table()["label"], "PERSON"))
        .num_rows
    )
    # DuckDB, through the Arrow dataset (no delta or httpfs extension)
    con = duckdb.connect()
    for name, dataset in remote.items():
        con.register(name, dataset)
    joined = con.sql(
        "select q.speaker_canonical, count(*) from quotes q join entities e "
        "on q.doc_id = e.doc_id and q.speaker_entity_id = e.entity_id "
        "group by 1 order by 2 desc, 1"
    ).fetchall()
    assert joined
    reasons = con.sql("select source_uri, reason from rejects").fetchall()
    assert reasons == [(str(inbox / "empty.txt"), "empty")]
    runs = remote["runs"].to_table().to_pylist()
    assert [(r["added_documents"], r["inputs_seen"]) for r in runs] == [(4, 5)]

    # A re-run adds nothing and reads no unchanged input: incremental and idempotent.
    again = run_cli("ingest", str(inbox), "--warehouse", s3)
    assert again.returncode == 0, again.stderr
    assert "-> 0 documents" in again.stdout
    assert "(5 unchanged)" in again.stdout
    after = read_tables(s3)
    for name in ("documents", "sections", "entities", "quotes", "rejects"):
        assert after[name].count_rows() == remote[name].count_rows(), name
    runs = sorted(after["runs"].to_table().to_pylist(), key=lambda r: r["started_at"])
    assert [(r["added_documents"], r["inputs_skipped"]) for r in runs] == [(4, 0), (0, 5)]

    # Compaction changes no row.
    before = {name: _stable(after[name].to_table()) for name in TABLES}
    compacted = run_cli("compact", "--warehouse", s3)
    assert compacted.returncode == 0, compacted.stderr
    assert "runs: 2 -> 1 files" in compacted.stdout
    final = read_tables(s3)
    assert {name: _stable(final[name].to_table()) for name in TABLES} == before
    # The README's example for object storage runs as written, against this warehouse.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```py\n(.*?)```", readme, re.DOTALL) if "s3://" in b]
    example = example.replace("s3://news-bucket/newsdesk", s3)
    shown = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == str(joined[:20])
    check = run_cli("validate", "--warehouse", s3)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "documents: 4 rows in 1 files" in check.stdout
    assert check.stdout.strip().endswith("valid")


def test_a_writer_killed_before_its_manifest_leaves_readers_on_the_previous_state(
    s3: str, tmp_path: Path
) -> None:
    first = _inbox(tmp_path, ["000_ba9ff1fc4f54d4f3.txt"])
    assert run_cli("ingest", str(first), "--warehouse", s3).returncode == 0
    committed = read_tables(s3)
    assert committed["documents"].count_rows() == 1
    before = {name: _stable(committed[name].to_table()) for name in TABLES}
    inbox = _inbox(tmp_path)  # the same folder, now with every seed
    hold = tmp_path / "holding"
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--warehouse", s3],
        cwd=ROOT,
        env={**os.environ, "NEWSDESK_TEST_HOLD_BEFORE_MANIFEST": str(hold)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not hold.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hold.exists(), "the run never reached the point before its manifest"
    # Every table's rows are written to Delta; the manifest is not. Kill it there.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(60)
    leaked = read_tables(s3)
    assert {name: _stable(leaked[name].to_table()) for name in TABLES} == before
    # The next run completes the work, with every row once.
    rerun = run_cli("ingest", str(inbox), "--warehouse", s3)
    assert rerun.returncode == 0, rerun.stderr
    assert "-> 3 documents" in rerun.stdout
    done = read_tables(s3)
    doc_ids = done["documents"].to_table()["doc_id"].to_pylist()
    assert len(doc_ids) == len(set(doc_ids)) == 4
    sections = done["sections"].to_table()
    keys = list(
        zip(sections["doc_id"].to_pylist(), sections["section_index"].to_pylist(), strict=True)
    )
    assert len(keys) == len(set(keys))
    assert set(sections["doc_id"].to_pylist()) == set(doc_ids)
    assert done["rejects"].count_rows() == 1
    assert done["runs"].count_rows() == 2  # the killed run committed nothing, not even its row


def test_writers_at_once_on_s3_never_duplicate_a_row(s3: str) -> None:
    """Four writers race for the same manifest over overlapping documents: S3's conditional
    puts (moto honours If-None-Match) let one win each round; the others commit again."""
    ids = [f"doc{n}" for n in range(6)]
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            run = f"w{number}"
            rows = make_tables(ids[number : number + 3], run=run)
            commit_lake(s3, rows, run_id=run, partition=DAY)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tables = read_tables(s3)
    assert sorted(tables["documents"].to_table()["doc_id"].to_pylist()) == ids
    sections = tables["sections"].to_table()["doc_id"].to_pylist()
    assert sorted(sections) == sorted(ids * 2)
    assert tables["rejects"].count_rows() == 4  # one per writer, each its own


def test_stories_on_s3_span_runs_and_reruns_assign_nothing(s3: str, tmp_path: Path) -> None:
    """A syndicated copy that arrives in a later run joins the original's story; the story
    tables are pinned by the manifest, so a re-run assigns nothing and the warehouse validates."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "budget.txt").write_text(original(BUDGET), encoding="utf-8")
    (inbox / "profile.txt").write_text(original(PROFILE), encoding="utf-8")
    assert run_cli("ingest", str(inbox), "--warehouse", s3).returncode == 0
    (inbox / "budget-wire.txt").write_text(
        with_credit_and_byline(BUDGET, "Dana Whitfield"), encoding="utf-8"
    )
    (inbox / "budget-trimmed.txt").write_text(trimmed(BUDGET, keep=5), encoding="utf-8")
    later = run_cli("ingest", str(inbox), "--warehouse", s3)
    assert later.returncode == 0, later.stderr
    assert "-> 2 documents" in later.stdout

    def stories() -> dict[str, str]:
        documents = read_tables(s3, ["documents"])["documents"].to_table()
        uris = [Path(uri).name for uri in documents["source_uri"].to_pylist()]
        return dict(zip(uris, documents["story_id"].to_pylist(), strict=True))

    def ids() -> dict[str, str]:
        documents = read_tables(s3, ["documents"])["documents"].to_table()
        uris = [Path(uri).name for uri in documents["source_uri"].to_pylist()]
        return dict(zip(uris, documents["doc_id"].to_pylist(), strict=True))

    found = stories()
    budget = {found[n] for n in ("budget.txt", "budget-wire.txt", "budget-trimmed.txt")}
    assert budget == {ids()["budget.txt"]}
    assert found["profile.txt"] == ids()["profile.txt"]
    (inbox / "budget.txt").touch()  # read again: the same bytes, nothing new
    again = run_cli("ingest", str(inbox), "--warehouse", s3)
    assert again.returncode == 0, again.stderr
    assert "-> 0 documents" in again.stdout
    assert stories() == found
    check = run_cli("validate", "--warehouse", s3)
    assert check.returncode == 0, check.stdout + check.stderr
