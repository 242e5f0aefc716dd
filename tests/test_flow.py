"""flows.flow: the ingest flow on a real Prefect server, and in-process without one."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import ROOT, run_cli
from tests.prefect_server import prefect_server


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
    from flows import flow as flow_module
    from flows.settings import Settings

    assert not flow_module.prefect_server_configured()  # conftest unsets PREFECT_API_URL
    article = tmp_path / "inbox" / "a.txt"
    article.parent.mkdir()
    article.write_text("Harbor officials said the bridge would reopen in May.\n")
    settings = Settings(warehouse=tmp_path / "w", extract_entities=False, extract_quotes=False)
    first = flow_module.run_ingest([str(article.parent)], settings)
    again = flow_module.run_ingest([str(article.parent)], settings)
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
    from flows import flow as flow_module
    from flows.settings import Settings

    real = flow_module.commit_step
    failures = [OSError(5, "Input/output error"), OSError(5, "Input/output error")]

    def flaky(*args: Any) -> dict[str, int]:
        if failures:
            raise failures.pop()
        return real(*args)

    monkeypatch.setattr(flow_module, "commit_step", flaky)
    monkeypatch.setattr(flow_module, "COMMIT_RETRY_SECONDS", 0.0)
    (tmp_path / "a.txt").write_text("Harbor officials said the bridge would reopen in May.\n")
    settings = Settings(warehouse=tmp_path / "w", extract_entities=False, extract_quotes=False)
    summary = flow_module.run_ingest([str(tmp_path / "a.txt")], settings)
    assert summary.added["documents"] == 1
    assert failures == []
    failures.extend([OSError(5, "Input/output error")] * 3)  # one more than the retries
    (tmp_path / "a.txt").write_text("The bridge reopened in May, officials said.\n")
    with pytest.raises(OSError, match="Input/output error"):
        flow_module.run_ingest([str(tmp_path / "a.txt")], settings)
    assert failures == []


def test_the_same_bytes_under_two_names_in_one_run_become_one_document(tmp_path: Path) -> None:
    from flows import flow as flow_module
    from flows.settings import Settings

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (
        "Harbor Talks\n\nHarbor officials said the bridge would reopen in May.\n\n## Costs\n\nMore."
    )
    (inbox / "a.txt").write_text(text)
    (inbox / "copy-of-a.txt").write_text(text)
    settings = Settings(warehouse=tmp_path / "w", extract_entities=False, extract_quotes=False)
    summary = flow_module.run_ingest([str(inbox)], settings)
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
