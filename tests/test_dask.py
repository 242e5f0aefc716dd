"""Runs on a real Dask cluster (a scheduler and two worker processes on 127.0.0.1): the batch
tasks run on its workers, and the tables are those of a one-process run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.store.schema import load_spec
from tests.conftest import ROOT, run_cli
from tests.dask_cluster import DASK, Cluster, background_process, dask_cluster
from tests.prefect_server import free_port, prefect_server, wait_for
from tests.store.helpers import rows_duckdb

pytestmark = pytest.mark.slow

# Columns that name the run (and the ingest_date partition, a path segment, not a column).
RUN_COLUMNS = {"run_id", "ingested_at", "rejected_at", "ingest_date"}
TABLES = ("documents", "sections", "entities", "quotes", "rejects")


def _inbox(root: Path) -> Path:
    """The seed articles in two folders, an HTML page, and two inputs that end as rejects:
    7 inputs, 4 batches of at most 2."""
    inbox = root / "inbox"
    (inbox / "more").mkdir(parents=True)
    for number, path in enumerate(sorted((ROOT / "seeds").glob("*.txt"))):
        folder = inbox if number % 2 else inbox / "more"
        (folder / path.name).write_bytes(path.read_bytes())
    (inbox / "page.html").write_text(
        "<html><head><title>Harbor</title></head><body><article><h1>Harbor Bridge</h1>"
        "<p>“The bridge will reopen in May,” said Anna Berg, the harbor director.</p>"
        "<p>Officials in Odesa met on Tuesday to discuss the repairs and their cost.</p>"
        "</article></body></html>"
    )
    (inbox / "empty.txt").write_text("  \n")
    (inbox / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return inbox


def _contents(root: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but `runs`, as DuckDB reads it, without the run's columns."""
    out: dict[str, list[tuple[object, ...]]] = {}
    for name in TABLES:
        columns = load_spec(name).arrow_schema.names
        keep = [i for i, column in enumerate(columns) if column not in RUN_COLUMNS]
        out[name] = sorted(tuple(row[i] for i in keep) for row in rows_duckdb(root, name))
    return out


def _one_process(root: Path, inbox: Path) -> dict[str, list[tuple[object, ...]]]:
    """The same inputs ingested in this process alone, by the same relative paths."""
    proc = run_cli("ingest", "inbox", "--warehouse", "alone", "--workers", "1", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert inbox.parent == root
    return _contents(root / "alone")


def _batch_tasks(cluster: Cluster, stream: list[dict[str, Any]]) -> dict[str, str]:
    """Batch task key -> the worker that ran it, from the scheduler's task stream."""
    del cluster
    return {
        str(record["key"]): str(record["worker"])
        for record in stream
        if "process-batch" in str(record["key"]) or "process_batch" in str(record["key"])
    }


def test_a_run_on_a_dask_cluster_gives_the_tables_of_one_process(tmp_path: Path) -> None:
    from distributed import Client

    inbox = _inbox(tmp_path)
    with (
        dask_cluster(tmp_path / "cluster") as cluster,
        Client(cluster.address, set_as_default=False) as client,
    ):
        client.get_task_stream()  # the scheduler records tasks from now on
        workers = set(client.scheduler_info()["workers"])
        # Relative paths, from a folder that is not the workers' working directory: they
        # read and stage at the absolute paths, and the rows keep the paths as given.
        proc = run_cli(
            "ingest",
            "inbox",
            "--warehouse",
            "w",
            "--batch-size",
            "2",
            "--dask-address",
            cluster.address,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, f"{proc.stderr}\n{cluster.explain()}"
        assert "7 inputs -> 5 documents" in proc.stdout
        stream = client.get_task_stream()
    ran = _batch_tasks(cluster, stream)
    assert len(ran) == 4, stream  # 7 inputs in batches of 2
    assert sorted(key[-6:] for key in ran) == ["000000", "000001", "000002", "000003"]
    assert set(ran.values()) == workers  # both workers ran batches
    assert len(workers) == 2
    con = duckdb.connect()
    documents = f"{tmp_path / 'w'}/documents/**/*.parquet"
    rejects = f"{tmp_path / 'w'}/rejects/**/*.parquet"
    assert con.execute(f"select source_uri from '{documents}' order by 1").fetchall() == [
        ("inbox/001_harbor_bridge.txt",),
        ("inbox/003_grain_exports.txt",),
        ("inbox/more/000_ba9ff1fc4f54d4f3.txt",),
        ("inbox/more/002_river_festival.txt",),
        ("inbox/page.html",),
    ]
    assert con.execute(f"select source_uri, reason from '{rejects}' order by 1").fetchall() == [
        ("inbox/empty.txt", "empty"),
        ("inbox/image.txt", "binary"),
    ]
    ours = _contents(tmp_path / "w")
    assert all(ours[name] for name in TABLES)
    assert ours == _one_process(tmp_path, inbox)
    assert not list((tmp_path / "w").glob(".newsdesk/staging/*/*"))


def _start_ingest(tmp_path: Path, address: str) -> subprocess.Popen[str]:
    """`newsdesk ingest inbox --warehouse w`, one article a batch, on the cluster at `address`."""
    command = [sys.executable, "-m", "flows.cli", "ingest", "inbox", "--warehouse", "w"]
    return subprocess.Popen(
        [*command, "--batch-size", "1", "--dask-address", address],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_an_interrupted_cluster_run_commits_nothing_and_cancels_its_tasks(tmp_path: Path) -> None:
    from distributed import Client

    inbox = _inbox(tmp_path)
    with (
        dask_cluster(tmp_path / "cluster") as cluster,
        Client(cluster.address, set_as_default=False) as client,
    ):
        proc = _start_ingest(tmp_path, cluster.address)
        try:
            wait_for(
                lambda: _running_batches(client) or None,
                "a batch task running on the cluster",
                timeout=120,
                explain=cluster.explain,
                pause=0.1,
            )
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 130, stderr
        assert "nothing of this run was committed" in stderr
        assert not list((tmp_path / "w").glob("documents/**/*.parquet"))
        assert not list((tmp_path / "w").glob(".newsdesk/staging/*/*"))
        # The run's tasks are gone from the scheduler: it does not go on with the other batches.
        wait_for(
            lambda: True if not _running_batches(client) else None,
            "the scheduler to drop the interrupted run's tasks",
            timeout=60,
        )
        flags = ["--batch-size", "1", "--dask-address", cluster.address]
        again = run_cli("ingest", "inbox", "--warehouse", "w", *flags, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert "7 inputs -> 5 documents" in again.stdout
    assert _contents(tmp_path / "w") == _one_process(tmp_path, inbox)


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """Dask runs a dead worker's batch again on another worker; staging it again replaces the
    same files, so the tables are those of one process."""
    from distributed import Client

    inbox = _inbox(tmp_path)
    with (
        dask_cluster(tmp_path / "cluster") as cluster,
        Client(cluster.address, set_as_default=False) as client,
    ):
        proc = _start_ingest(tmp_path, cluster.address)
        try:
            busy = wait_for(
                lambda: _busy_worker(client),
                "a batch task running on the cluster",
                timeout=120,
                explain=cluster.explain,
                pause=0.1,
            )
            pids: dict[str, int] = client.run(os.getpid, workers=[busy])
            os.kill(pids[busy], signal.SIGKILL)  # its nanny starts a new worker process
            stdout, stderr = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, f"{stderr}\n{cluster.explain()}"
    assert "7 inputs -> 5 documents" in stdout
    assert "2 rejects" in stdout
    assert _contents(tmp_path / "w") == _one_process(tmp_path, inbox)


def _busy_worker(client: Any) -> str | None:
    """A worker that is running a batch task now, if any."""
    processing: dict[str, list[str]] = client.processing()
    for worker, keys in sorted(processing.items()):
        if any("process-batch" in str(key) for key in keys):
            return worker
    return None


def _running_batches(client: Any) -> list[str]:
    """Keys of batch tasks the scheduler has on its workers now."""
    processing: dict[str, list[str]] = client.processing()
    return [str(k) for keys in processing.values() for k in keys if "process-batch" in str(k)]


def _can_hide_folders() -> bool:
    """Whether this process may give a child a mount namespace of its own (root, or a user
    namespace), in which a folder can be covered by an empty tmpfs."""
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0 and shutil.which("mount") is not None


def test_a_worker_that_cannot_see_the_files_fails_the_run_in_one_line(tmp_path: Path) -> None:
    """A worker on "another machine": the test's folder (inputs, warehouse) is covered by an
    empty file system in the worker's own mount namespace."""
    if not _can_hide_folders():
        pytest.skip("needs unshare --mount (root or user namespaces) to hide a folder")
    from distributed import Client

    _inbox(tmp_path)
    with (
        dask_cluster(tmp_path / "cluster", workers=1) as cluster,
        background_process(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                'mount -t tmpfs none "$0" && exec "$@"',
                str(tmp_path),
                str(DASK),
                "worker",
                cluster.address,
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                "elsewhere",
            ],
            tmp_path / "cluster" / "elsewhere.log",
            Path("/"),  # its working directory must exist in its own view of the files
        ),
        Client(cluster.address, set_as_default=False) as client,
    ):
        client.wait_for_workers(2, timeout=120)
        elsewhere = next(
            address
            for address, info in client.scheduler_info()["workers"].items()
            if info["name"] == "elsewhere"
        )
        proc = run_cli(
            "ingest",
            "inbox",
            "--warehouse",
            "w",
            "--batch-size",
            "2",
            "--dask-address",
            cluster.address,
            cwd=tmp_path,
        )
    assert proc.returncode == 1, proc.stdout
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"newsdesk: failed: Dask worker {elsewhere} cannot see the run's "), line
    assert "staging folder" in line
    assert "the warehouse must be on a file system the workers share" in line
    assert not list((tmp_path / "w").glob("documents/**/*.parquet"))
    assert not list((tmp_path / "w").glob(".newsdesk/staging/*/*"))


def test_an_unreachable_scheduler_fails_the_run_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Harbor officials said the bridge would reopen in May.\n")
    address = f"tcp://127.0.0.1:{free_port()}"
    proc = run_cli("ingest", "a.txt", "--warehouse", "w", "--dask-address", address, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"newsdesk: failed: cannot reach the Dask scheduler at {address}")
    assert not list((tmp_path / "w").glob("documents/**/*.parquet"))


def _post(url: str, body: dict[str, object]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_with_a_prefect_server_the_batches_are_task_runs_on_the_cluster(tmp_path: Path) -> None:
    from distributed import Client

    inbox = _inbox(tmp_path)
    (tmp_path / "server").mkdir()
    with (
        prefect_server(tmp_path / "server") as api,
        dask_cluster(tmp_path / "cluster") as cluster,
        Client(cluster.address, set_as_default=False) as client,
    ):
        client.get_task_stream()
        workers = set(client.scheduler_info()["workers"])
        proc = run_cli(
            "ingest",
            "inbox",
            "--warehouse",
            "w",
            "--batch-size",
            "2",
            "--dask-address",
            cluster.address,
            cwd=tmp_path,
            env={"PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "client-home")},
        )
        assert proc.returncode == 0, f"{proc.stderr}\n{cluster.explain()}"
        stream = client.get_task_stream()
        runs = _post(f"{api}/flow_runs/filter", {"limit": 10})
        tasks = _post(f"{api}/task_runs/filter", {"limit": 50})
    assert [r["state_type"] for r in runs] == ["COMPLETED"]
    batches = [t for t in tasks if t["name"].startswith("process-batch")]
    assert len(batches) == 4
    assert {t["state_type"] for t in batches} == {"COMPLETED"}
    assert {t["flow_run_id"] for t in batches} == {runs[0]["id"]}
    ran = {str(r["key"]): str(r["worker"]) for r in stream}
    assert len(ran) == 4, stream  # the four task runs, and nothing else, ran on the cluster
    assert set(ran.values()) == workers
    assert _contents(tmp_path / "w") == _one_process(tmp_path, inbox)
