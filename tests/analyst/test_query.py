"""`newsdesk query`, `newsdesk stats` and the README's analyst examples, run as a user runs them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # pandas ships no types; no stubs installed
import polars as pl
import pyarrow as pa
import pytest

from tests.analyst.helpers import readme_blocks, readme_queries
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow


def query(warehouse: Path, *args: str, columns: int = 200) -> Any:
    return run_cli("query", *args, "--warehouse", str(warehouse), env={"COLUMNS": str(columns)})


def test_table_format_fits_the_terminal_and_says_what_it_left_out(seed_warehouse: Path) -> None:
    proc = query(seed_warehouse, "select * from quotes_with_speakers order by doc_id", columns=70)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(len(line) <= 70 for line in lines), lines
    assert lines[0].split()[0] == "doc_id"
    assert lines[0].split()[1].startswith("section_i")
    assert lines[-1].startswith("(16 rows; ")
    assert lines[-1] == "(16 rows; 12 columns not shown)"  # no room for their names
    assert "…" in proc.stdout  # 32-character ids are cut

    proc = query(seed_warehouse, "select doc_id from documents order by doc_id", "--max-rows", "1")
    assert proc.stdout.splitlines()[-1] == "(4 rows; 3 not shown (--max-rows))"
    assert len(proc.stdout.splitlines()) == 4  # header, rule, one row, footer


def test_csv_json_jsonl_and_parquet(seed_warehouse: Path, tmp_path: Path) -> None:
    sql = (
        "select name, mentions, ingest_date, forms from people order by mentions desc, name limit 2"
    )
    as_csv = query(seed_warehouse, sql, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["name"], r["mentions"]) for r in parsed] == [
        ("Donald Trump", "6"),
        ("Vladimir Putin", "6"),
    ]
    assert json.loads(parsed[1]["forms"]) == ["Putin", "Vladimir Putin"]
    day = parsed[0]["ingest_date"]
    assert dt.date.fromisoformat(day)

    as_json = json.loads(query(seed_warehouse, sql, "--format", "json").stdout)
    assert as_json[0] == {
        "name": "Donald Trump",
        "mentions": 6,
        "ingest_date": day,
        "forms": ["Donald Trump", "Trump"],
    }
    lines = query(seed_warehouse, sql, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json

    out = tmp_path / "people.parquet"
    proc = query(seed_warehouse, sql, "--format", "parquet", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    frame = pd.read_parquet(out)
    assert frame["name"].tolist() == ["Donald Trump", "Vladimir Putin"]
    assert pl.read_parquet(out).schema["ingest_date"] == pl.Date
    assert not list(tmp_path.glob(".*.part"))  # nothing half-written left behind


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["selec 1"], "query failed: Parser Error: syntax error"),
        (["select * from speakers"], "Table with name speakers does not exist"),
        (["select nope from documents"], 'Referenced column "nope" not found'),
        (["   "], "no SQL to run"),
        (["select 1", "--format", "xml"], "invalid choice: 'xml'"),
        (["select 1", "--out", "/nonexistent/dir/x.csv"], "no such folder for --out"),
    ],
)
def test_errors_are_one_line_and_exit_2(seed_warehouse: Path, args: list[str], words: str) -> None:
    proc = query(seed_warehouse, *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("newsdesk: error: ")
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_or_foreign_warehouse_is_exit_2(tmp_path: Path) -> None:
    report = ["report", "--out", str(tmp_path / "r.html")]
    for command in (["query", "select 1"], ["stats"], report):
        missing = run_cli(*command, "--warehouse", str(tmp_path / "nowhere"))
        assert missing.returncode == 2
        nowhere = tmp_path / "nowhere"
        assert missing.stderr == f"newsdesk: error: no such warehouse folder: {nowhere}\n"
        foreign = run_cli(*command, "--warehouse", str(tmp_path))
        assert foreign.returncode == 2
        assert "not a newsdesk warehouse" in foreign.stderr
    assert not (tmp_path / "r.html").exists()


def test_stats(seed_warehouse: Path) -> None:
    proc = run_cli("stats", "--warehouse", str(seed_warehouse), env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert re.fullmatch(rf"Warehouse {seed_warehouse} \(snapshot \d+\)", text.splitlines()[0])
    tables = text.split("\nTables\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:-1]
    assert [line.split() for line in tables] == [
        ["documents", "4", "1", "1"],
        ["sections", "16", "1", "1"],
        ["entities", "259", "1", "1"],
        ["quotes", "16", "1", "1"],
        ["rejects", "2", "1", "1"],
        ["runs", "1", "1", "1"],
    ]
    rejects = text.split("\nRejects by reason\n", 1)[1].splitlines()[2:4]
    assert [line.split()[:2] for line in rejects] == [["binary", "1"], ["empty", "1"]]
    runs = text.split("\nLast 5 runs\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert runs[-1] == "(1 row)"
    # status, inputs seen and skipped, documents, quotes and rejects added
    assert runs[2].split()[-6:] == ["completed", "6", "0", "4", "16", "2"]


def test_readme_queries(seed_warehouse: Path) -> None:
    commands = readme_queries()
    assert len(commands) == 3
    results = []
    for args in commands:
        proc = run_cli("query", *args, "--warehouse", str(seed_warehouse), env={"COLUMNS": "200"})
        assert proc.returncode == 0, proc.stderr
        results.append(proc.stdout.splitlines())
    speakers, top_people, pairs = results
    assert [line.split() for line in speakers[2:5]] == [
        ["Dmitry", "Kuznets", "2"],
        ["Kyrylo", "Budanov", "2"],
        ["Steven", "Witkoff", "2"],
    ]
    assert [line.rsplit(None, 3)[1:] for line in top_people[2:6]] == [
        ["Elena", "Petrova", "1"],
        ["James", "Whitfield", "2"],
        ["Daniel", "Moreau", "1"],
        ["Donald", "Trump", "6"],
    ]
    assert pairs[:3] == [
        "name_a,name_b,sections",
        "Steven Witkoff,Donald Trump,3",
        "Vladimir Putin,Donald Trump,3",
    ]


def _run_block(code: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(cwd)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own example, as written
    return namespace


@pytest.fixture
def readme_cwd(seed_warehouse: Path, tmp_path: Path) -> Path:
    """A folder laid out like the repository for the README's examples: warehouse/ and docs/."""
    (tmp_path / "warehouse").symlink_to(seed_warehouse, target_is_directory=True)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    return tmp_path


def test_readme_pandas_and_polars_examples_return_typed_frames(
    readme_cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pandas_block, polars_block = readme_blocks("python", "### From Python: pandas and polars")
    quotes = _run_block(pandas_block, readme_cwd, monkeypatch)["quotes"]
    assert quotes["ingest_date"].dtype == pd.ArrowDtype(pa.date32())
    assert quotes["speaker_name"].dtype == pd.ArrowDtype(pa.string())
    assert len(quotes) == 16
    top = quotes.groupby("speaker_name").size().sort_values(ascending=False)
    assert top.iloc[0] == 2
    people = _run_block(polars_block, readme_cwd, monkeypatch)["people"]
    assert people.schema["ingest_date"] == pl.Date
    assert people.schema["mentions"] == pl.Int64
    assert people.schema["forms"] == pl.List(pl.String)
    printed = capsys.readouterr().out
    assert "date32[day][pyarrow]" in printed
    assert "│ Donald Trump" in printed


def test_readme_sql_file_example(
    readme_cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (block,) = [b for b in readme_blocks("python", "### The views") if "docs/newsdesk.sql" in b]
    con = _run_block(block, readme_cwd, monkeypatch)["con"]
    assert con.execute(
        "select speaker_name, count(*) from quotes_with_speakers group by 1 "
        "having count(*) = 2 order by 1"
    ).fetchall()[:3] == [("Dmitry Kuznets", 2), ("Kyrylo Budanov", 2), ("Linda Okafor", 2)]
    assert "Ukraine" in capsys.readouterr().out


def test_every_readme_python_block_outside_the_analyst_section_still_runs(
    readme_cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The older DuckDB and pandas examples (Querying the tables, Scheduled runs) against the
    same warehouse: they print rows of it."""
    blocks = readme_blocks("python", "## Querying the tables")
    blocks += readme_blocks("python", "### A warehouse that lives for years")
    assert len(blocks) == 3
    joined, by_pandas, pinned = (_run_block(b, readme_cwd, monkeypatch) for b in blocks)
    assert len(joined["rows"]) == 16  # sections, each with its document's source_uri
    assert joined["rows"][0][:3] == ("seeds/000_ba9ff1fc4f54d4f3.txt", 0, None)
    assert by_pandas["per_doc"].sum() == 16
    assert sorted(by_pandas["documents"]["source_name"].dropna()) == [
        "Associated Press",
        "Reuters",
        "The New York Times News Service",
    ]
    assert pinned["pinned"].endswith(tuple("0123456789"))
    printed = capsys.readouterr().out
    assert "seeds/001_harbor_bridge.txt" in printed
    assert "│            4 │" in printed  # count(*) of documents in the pinned snapshot
