"""flows.cli: usage errors in process, and end to end into a warehouse read back by DuckDB."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd  # type: ignore[import-untyped]  # pandas ships no types; no stubs installed
import pytest

from flows.cli import main
from flows.store import TABLES, commit
from tests.conftest import ROOT, run_cli
from tests.store.helpers import DAY, make_tables
from tests.test_sections import SEED_HEADINGS, SEED_STARTS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _inputs(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(ROOT / "seeds", inbox)
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "picture.png").write_bytes(PNG + bytes(range(256)))
    (inbox / "broken.txt").write_bytes(b"\xff\xfe\x00\xd8\x00\xd8")  # UTF-16 BOM, lone surrogates
    return inbox


def _read_all(root: Path) -> dict[str, pd.DataFrame]:
    """Every table through DuckDB, checked against pandas reading the same files."""
    con = duckdb.connect()
    frames = {}
    for name in TABLES:
        glob = f"{root}/{name}/**/*.parquet"
        frame = con.execute(f"select * from read_parquet('{glob}', hive_partitioning=true)").df()
        by_pandas = pd.read_parquet(root / name)
        assert len(by_pandas) == len(frame), name
        frames[name] = frame
    return frames


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    tmp = tmp_path_factory.mktemp("e2e")
    inbox = _inputs(tmp)
    proc = run_cli("ingest", str(inbox), "--warehouse", str(tmp / "w"))
    assert proc.returncode == 0, proc.stderr
    return inbox, tmp / "w", proc.stdout


@pytest.mark.slow
def test_summary_names_what_happened(ingested: tuple[Path, Path, str]) -> None:
    _, _, stdout = ingested
    summary = stdout.strip().splitlines()[-1]
    assert re.search(
        r"7 inputs -> 4 documents, \d+ sections, \d+ entities, \d+ quotes, 3 rejects", summary
    )


@pytest.mark.slow
def test_tables_read_back_with_duckdb_and_pandas(ingested: tuple[Path, Path, str]) -> None:
    _, root, _ = ingested
    frames = _read_all(root)
    docs = frames["documents"].set_index(
        frames["documents"]["source_uri"].map(lambda u: Path(u).name)
    )
    assert set(docs.index) == {
        "000_ba9ff1fc4f54d4f3.txt",
        "001_harbor_bridge.txt",
        "002_river_festival.txt",
        "003_grain_exports.txt",
    }
    seed = docs.loc["000_ba9ff1fc4f54d4f3.txt"]
    assert seed["source_name"] == "The New York Times News Service"
    assert seed["language"] == "en"
    assert docs.loc["001_harbor_bridge.txt", "byline"] == "Maria Alvarez and Tom Becker"
    assert docs.loc["002_river_festival.txt", "title"] == "River Festival Draws Record Crowds"
    sections = frames["sections"]
    seed_sections = sections[sections["doc_id"] == seed["doc_id"]].sort_values("section_index")
    assert seed_sections["heading"].tolist()[1:] == SEED_HEADINGS[1:]
    for text, start in zip(seed_sections["text"], SEED_STARTS, strict=True):
        assert text.startswith(start)
    # every span slices exactly its own text out of documents.text
    texts = dict(zip(frames["documents"]["doc_id"], frames["documents"]["text"], strict=True))
    for row in sections.itertuples():
        assert texts[row.doc_id][row.char_start : row.char_end] == row.text
    for table in ("entities", "quotes"):
        for row in frames[table].itertuples():
            assert texts[row.doc_id][row.char_start : row.char_end] == row.text


@pytest.mark.slow
def test_bad_inputs_become_rejects_with_reasons(ingested: tuple[Path, Path, str]) -> None:
    _, root, _ = ingested
    rejects = _read_all(root)["rejects"]
    reasons = dict(
        zip(rejects["source_uri"].map(lambda u: Path(u).name), rejects["reason"], strict=True)
    )
    assert reasons == {"empty.txt": "empty", "picture.png": "binary", "broken.txt": "undecodable"}
    assert all(rejects["detail"].str.len() > 10)


@pytest.mark.slow
def test_rerun_adds_no_rows(ingested: tuple[Path, Path, str]) -> None:
    inbox, root, _ = ingested
    before = {name: len(frame) for name, frame in _read_all(root).items()}
    proc = run_cli("ingest", str(inbox), "--warehouse", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "0 documents" in proc.stdout
    # the 4 articles and the 3 rejected inputs: none is read again while its stat is unchanged
    assert "(7 unchanged)" in proc.stdout
    after = {name: len(frame) for name, frame in _read_all(root).items()}
    assert after == {**before, "runs": before["runs"] + 1}  # only the run's own row


@pytest.mark.slow
def test_readme_query_examples_run(ingested: tuple[Path, Path, str], tmp_path: Path) -> None:
    """The README's DuckDB and pandas examples run as written against a warehouse/."""
    _, root, _ = ingested
    (tmp_path / "warehouse").symlink_to(root)
    (tmp_path / "docs").symlink_to(ROOT / "docs")  # docs/newsdesk.sql, read by an example
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) >= 2
    for block in blocks:
        proc = subprocess.run(
            [sys.executable, "-c", block],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip(), block


PARSE_ERRORS = [
    ((), "missing command"),
    (("ingest",), "the following arguments are required: PATH"),
    (("frobnicate",), "invalid choice"),
    (("ingest", "seeds", "--batch-size", "many"), "invalid int value: 'many'"),
]


@pytest.mark.parametrize(("args", "message"), PARSE_ERRORS)
def test_argument_errors_in_process(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same one-line usage errors, without a subprocess: nothing is ingested."""
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("newsdesk: error: ")
    assert message in err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        *PARSE_ERRORS,
        (("ingest", "/no/such/file.txt"), "no such file"),
        (("ingest", "seeds", "--batch-size", "0"), "batch size must be at least 1"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]


@pytest.mark.slow
def test_killed_cli_run_leaves_all_or_nothing_and_next_run_completes(tmp_path: Path) -> None:
    inbox = _inputs(tmp_path)
    root = tmp_path / "w"
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "ingest",
            str(inbox),
            "--warehouse",
            str(root),
            "--batch-size",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill below takes Prefect's server too
    )
    # Kill as soon as the run has started committing (or, failing that, after its first batch).
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if (root / ".newsdesk").exists():
            break
        time.sleep(0.01)
    # The whole group, as a crash or an OOM kill of the session would: the CLI and the temporary
    # Prefect server it started (killing the CLI alone left that server running after the test).
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(60)
    seen = dict.fromkeys(TABLES, 0)
    if (root / "documents").exists() and list((root / "documents").rglob("*.parquet")):
        seen = {name: len(frame) for name, frame in _read_all(root).items()}
    assert seen["documents"] in (0, 4)
    rerun = run_cli("ingest", str(inbox), "--warehouse", str(root))
    assert rerun.returncode == 0, rerun.stderr
    frames = _read_all(root)
    assert len(frames["documents"]) == 4
    assert frames["documents"]["doc_id"].is_unique
    assert len(frames["rejects"]) == 3


@pytest.mark.slow
def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a TTY the CLI draws a progress bar on stderr; stdout keeps only the summary."""
    import pty
    import threading

    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # keep reading, or the child blocks on a full terminal buffer
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "ingest",
            str(ROOT / "seeds"),
            "--warehouse",
            str(tmp_path / "w"),
            "--no-entities",
            "--no-quotes",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=300,
        check=False,
    )
    os.close(follower)
    reader.join(10)
    os.close(leader)
    assert proc.returncode == 0
    drawn = b"".join(chunks).decode(errors="replace")
    assert "ingesting" in drawn
    assert "4/4" in drawn or "100%" in drawn
    assert b"4 documents" in proc.stdout


def test_compact_merges_small_files_and_keeps_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "w"
    for number, doc_id in enumerate(["a", "b", "c"]):
        commit(root, make_tables([doc_id], f"r{number}"), run_id=f"r{number}", partition=DAY)
    glob = f"{root}/sections/**/*.parquet"
    before = (
        duckdb.connect().execute(f"select * from read_parquet('{glob}') order by all").fetchall()
    )
    assert main(["compact", "--warehouse", str(root)]) == 0
    out = capsys.readouterr().out
    assert "documents: 3 -> 1 files" in out
    assert "sections: 3 -> 1 files" in out
    assert (
        duckdb.connect().execute(f"select * from read_parquet('{glob}') order by all").fetchall()
        == before
    )
    assert len(list((root / "sections").rglob("*.parquet"))) == 1
    assert main(["compact", "--warehouse", str(root)]) == 0  # nothing left to merge
    assert "documents: 1 -> 1 files" in capsys.readouterr().out


def test_compact_refuses_a_folder_that_is_not_a_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compact", "--warehouse", str(tmp_path)]) == 2
    assert "not a newsdesk warehouse" in capsys.readouterr().err
    assert not (tmp_path / ".newsdesk").exists()
