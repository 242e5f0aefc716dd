"""flows.flow: the ingest flow on a real Prefect server, and in-process without one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.store.schema import load_spec
from tests.conftest import ROOT, run_cli
from tests.prefect_server import prefect_server
from tests.store.helpers import counts_duckdb, rows_duckdb


def _post(url: str, body: dict[str, object]) -> object:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_cli_records_its_flow_run_on_the_server(tmp_path: Path) -> None:
    with prefect_server(tmp_path) as api:
        proc = run_cli(
            "ingest",
            str(ROOT / "seeds" / "000_ba9ff1fc4f54d4f3.txt"),
            "--warehouse",
            str(tmp_path / "w"),
            env={"PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "client-home")},
        )
        assert proc.returncode == 0, proc.stderr
        assert "1 documents" in proc.stdout
        runs = _post(f"{api}/flow_runs/filter", {"limit": 10})
        assert isinstance(runs, list)
        assert [(r["name"] != "", r["state_type"]) for r in runs] == [(True, "COMPLETED")]
        flows = _post(f"{api}/flows/filter", {"limit": 10})
        assert isinstance(flows, list)
        assert [f["name"] for f in flows] == ["newsdesk-ingest"]
        tasks = _post(f"{api}/task_runs/filter", {"limit": 50})
        assert isinstance(tasks, list)
        names = sorted(
            {t["task_key"].split("-")[0] for t in tasks} | {t["name"].split("-")[0] for t in tasks}
        )
        assert "process" in names
        assert "commit" in names
        artifacts = _post(f"{api}/artifacts/filter", {"limit": 10})
        assert isinstance(artifacts, list)
        assert [a["key"] for a in artifacts] == ["newsdesk-run"]
        assert artifacts[0]["flow_run_id"] == runs[0]["id"]
        figures = {row["what"]: row["value"] for row in json.loads(artifacts[0]["data"])}
        assert figures["rows added: documents"] == 1
        assert figures["rows added: runs"] == 1
        assert figures["inputs skipped"] == 0
        assert figures["rows added: rejects"] == 0
        for stage in ("stat", "read", "hash", "parse", "load_model", "entities", "quotes"):
            assert figures[f"seconds: {stage}"] >= 0, stage
        assert figures["seconds: parse"] > 0
        assert figures["seconds: commit"] > 0
        glob = f"{tmp_path / 'w'}/runs/**/*.parquet"
        row = (
            duckdb.connect()
            .execute(
                "select flow_run_id, inputs_seen, added_documents, status "
                f"from read_parquet('{glob}')"
            )
            .fetchall()
        )
        assert row == [(runs[0]["id"], 1, 1, "completed")]


def test_without_a_server_the_run_is_in_process_and_recorded_in_runs(tmp_path: Path) -> None:
    from flows import run as run_module
    from flows.settings import Settings

    assert not run_module.prefect_server_configured()  # conftest unsets PREFECT_API_URL
    article = tmp_path / "inbox" / "a.txt"
    article.parent.mkdir()
    article.write_text("Harbor officials said the bridge would reopen in May.\n")
    settings = Settings(warehouse=tmp_path / "w", extract_entities=False, extract_quotes=False)
    first = run_module.run_ingest([str(article.parent)], settings)
    again = run_module.run_ingest([str(article.parent)], settings)
    assert (first.added["documents"], first.added["runs"], first.unchanged) == (1, 1, 0)
    assert (again.added["documents"], again.added["runs"], again.unchanged) == (0, 1, 1)
    glob = f"{tmp_path / 'w'}/runs/**/*.parquet"
    rows = (
        duckdb.connect()
        .execute(
            "select run_id, flow_run_id, inputs_seen, inputs_skipped, added_documents "
            f"from read_parquet('{glob}') order by started_at"
        )
        .fetchall()
    )
    assert rows == [(first.run_id, None, 1, 0, 1), (again.run_id, None, 1, 1, 0)]


def test_without_a_server_a_commit_failing_on_storage_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import run as run_module
    from flows.settings import Settings

    real = run_module.commit_step
    failures = [OSError(5, "Input/output error"), OSError(5, "Input/output error")]

    def flaky(*args: Any) -> dict[str, int]:
        if failures:
            raise failures.pop()
        return real(*args)

    monkeypatch.setattr(run_module, "commit_step", flaky)
    monkeypatch.setattr(run_module, "COMMIT_RETRY_SECONDS", 0.0)
    (tmp_path / "a.txt").write_text("Harbor officials said the bridge would reopen in May.\n")
    settings = Settings(warehouse=tmp_path / "w", extract_entities=False, extract_quotes=False)
    summary = run_module.run_ingest([str(tmp_path / "a.txt")], settings)
    assert summary.added["documents"] == 1
    assert failures == []
    failures.extend([OSError(5, "Input/output error")] * 3)  # one more than the retries
    (tmp_path / "a.txt").write_text("The bridge reopened in May, officials said.\n")
    with pytest.raises(OSError, match="Input/output error"):
        run_module.run_ingest([str(tmp_path / "a.txt")], settings)
    assert failures == []


def test_the_same_bytes_under_two_names_in_one_run_become_one_document(tmp_path: Path) -> None:
    from flows import run as run_module
    from flows.settings import Settings

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (
        "Harbor Talks\n\nHarbor officials said the bridge would reopen in May.\n\n## Costs\n\nMore."
    )
    (inbox / "a.txt").write_text(text)
    (inbox / "copy-of-a.txt").write_text(text)
    settings = Settings(warehouse=tmp_path / "w", extract_entities=False, extract_quotes=False)
    summary = run_module.run_ingest([str(inbox)], settings)
    con = duckdb.connect()
    documents = con.execute(
        f"select doc_id, section_count from read_parquet('{tmp_path}/w/documents/**/*.parquet')"
    ).fetchall()
    sections = con.execute(
        f"select doc_id, section_index from read_parquet('{tmp_path}/w/sections/**/*.parquet')"
        " order by section_index"
    ).fetchall()
    assert len(documents) == 1
    doc_id, section_count = documents[0]
    assert section_count >= 2
    assert sections == [(doc_id, index) for index in range(section_count)]
    assert summary.added["sections"] == section_count


def _worker_inbox(tmp_path: Path) -> Path:
    """The seed articles, an HTML page, and two inputs that end as rejects."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        (inbox / path.name).write_bytes(path.read_bytes())
    (inbox / "page.html").write_text(
        "<html><head><title>Harbor</title></head><body><article><h1>Harbor Bridge</h1>"
        "<p>“The bridge will reopen in May,” said Anna Berg, the harbor director.</p>"
        "<p>Officials in Odesa met on Tuesday to discuss the repairs and their cost.</p>"
        "</article></body></html>"
    )
    (inbox / "empty.txt").write_text("  \n")
    (inbox / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return inbox


def _contents(root: Path) -> dict[str, object]:
    # Columns that name the run differ between runs by design.
    ignored = {"run_id", "ingested_at", "rejected_at"}
    out: dict[str, object] = {}
    for name in ("documents", "sections", "entities", "quotes", "rejects"):
        rows = rows_duckdb(root, name)
        columns = load_spec(name).arrow_schema.names
        keep = [i for i, c in enumerate(columns) if c not in ignored]
        out[name] = sorted(tuple(row[i] for i in keep) for row in rows)
    return out


@pytest.mark.slow
def test_worker_processes_give_the_same_tables_as_one_process(tmp_path: Path) -> None:
    from flows import run as run_module
    from flows.settings import Settings

    inbox = _worker_inbox(tmp_path)
    one = Settings(warehouse=tmp_path / "one", workers=1, batch_size=16)
    two = Settings(warehouse=tmp_path / "two", workers=2, batch_size=1)
    first = run_module.run_ingest([str(inbox)], one)
    second = run_module.run_ingest([str(inbox)], two)
    assert (first.processes, second.processes) == (1, 2)
    assert first.added == second.added
    assert first.added["documents"] == 5
    assert first.added["rejects"] == 2
    assert _contents(tmp_path / "one") == _contents(tmp_path / "two")
    assert not list((tmp_path / "two").glob(".newsdesk/staging/*"))


@pytest.mark.slow
def test_worker_processes_run_the_batch_tasks_of_a_flow_run_on_the_server(
    tmp_path: Path,
) -> None:
    inbox = _worker_inbox(tmp_path)
    (tmp_path / "server").mkdir()
    with prefect_server(tmp_path / "server") as api:
        proc = run_cli(
            "ingest",
            str(inbox),
            "--warehouse",
            str(tmp_path / "w"),
            "--workers",
            "2",
            "--batch-size",
            "2",
            env={"PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "client-home")},
        )
        assert proc.returncode == 0, proc.stderr
        runs = _post(f"{api}/flow_runs/filter", {"limit": 10})
        assert isinstance(runs, list)
        assert [r["state_type"] for r in runs] == ["COMPLETED"]
        tasks = _post(f"{api}/task_runs/filter", {"limit": 50})
        assert isinstance(tasks, list)
        batches = [t for t in tasks if t["name"].startswith("process-batch")]
        assert len(batches) == 4  # 7 inputs, 2 per batch
        assert {t["flow_run_id"] for t in batches} == {runs[0]["id"]}
        assert {t["state_type"] for t in batches} == {"COMPLETED"}
        artifacts = _post(f"{api}/artifacts/filter", {"limit": 10})
        assert isinstance(artifacts, list)
        figures = {row["what"]: row["value"] for row in json.loads(artifacts[0]["data"])}
        assert figures["worker processes"] == 2
    from flows import run as run_module
    from flows.settings import Settings

    run_module.run_ingest([str(inbox)], Settings(warehouse=tmp_path / "alone", workers=1))
    assert _contents(tmp_path / "w") == _contents(tmp_path / "alone")


def test_without_a_server_a_run_never_imports_prefect(tmp_path: Path) -> None:
    """Importing Prefect costs a run about 2.5 s; a one-article run without a server must not
    pay it (issue 11's fast start)."""
    (tmp_path / "a.txt").write_text("Harbor officials said the bridge would reopen in May.\n")
    script = (
        "import sys\n"
        "from flows.cli import main\n"
        f"code = main(['ingest', {str(tmp_path / 'a.txt')!r}, '--warehouse', "
        f"{str(tmp_path / 'w')!r}, '-q'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'prefect'))\n"
    )
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "[]"]
    assert counts_duckdb(tmp_path / "w")["documents"] == 1


def test_a_prefect_profile_that_sets_an_api_is_honoured(tmp_path: Path) -> None:
    """Without PREFECT_API_URL in the environment, a Prefect profile may still name a server:
    then the run goes there (Prefect is asked); with no such profile, nothing is imported."""
    script = (
        "import sys\n"
        "from flows.run import prefect_server_configured\n"
        "print(prefect_server_configured(), 'prefect' in sys.modules)\n"
    )
    env = {**os.environ, "PREFECT_HOME": str(tmp_path)}
    env.pop("PREFECT_API_URL", None)

    def ask() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script],
            check=False,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert ask() == ["False", "False"]
    (tmp_path / "profiles.toml").write_text(
        'active = "remote"\n\n[profiles.remote]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n'
    )
    assert ask() == ["True", "True"]
