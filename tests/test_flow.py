"""flows.flow: the ingest flow and its tasks recorded on a real Prefect server (PREFECT_API_URL)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

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
