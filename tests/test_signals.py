"""SIGINT and SIGTERM: one line, no traceback, nothing committed, the documented exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows import interrupts
from flows.interrupts import Interrupted
from flows.store import commit
from tests.conftest import ROOT, SEED
from tests.prefect_server import prefect_server
from tests.store.helpers import DAY, counts_duckdb, make_tables

# Resident memory above which the model is loaded and documents are being processed.
BUSY_BYTES = 300 * 1024 * 1024


def _inbox(tmp_path: Path, copies: int = 40) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for number in range(copies):  # distinct bytes: each is a document of its own
        (inbox / f"{number:03d}.txt").write_text(f"{text}\n\nEdition {number}.\n")
    return inbox


def _resident(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _group(pgid: int) -> list[int]:
    """The live processes of process group `pgid` (the CLI and its worker processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            found.append(int(entry.name))
    return found


def _interrupt_mid_run(
    tmp_path: Path, signum: int, env: dict[str, str] | None = None, *, workers: int = 1
) -> subprocess.CompletedProcess[str]:
    """Start a run in a process group of its own and signal it once a process of the group
    holds the model: SIGINT to the whole group (what Ctrl-C does), SIGTERM to the CLI alone
    (what `kill PID` does). No process of the group may outlive the CLI."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "ingest",
            str(_inbox(tmp_path)),
            "--warehouse",
            str(tmp_path / "w"),
            "-q",
            "--batch-size",
            "2",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while proc.poll() is None and max(map(_resident, _group(proc.pid)), default=0) < BUSY_BYTES:
        assert time.monotonic() < deadline, "the run never started processing"
        time.sleep(0.05)
    time.sleep(1.0)  # well into the documents, far from the end (40 documents take 30 s or more)
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    deadline = time.monotonic() + 30
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _group(proc.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "worker processes outlived the run"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _documents(root: Path) -> int:
    if not (root / "documents").exists():
        return 0
    return counts_duckdb(root)["documents"]


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(
    ("signum", "code", "name"), [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")]
)
def test_a_signal_ends_the_run_with_one_line_and_nothing_committed(
    tmp_path: Path, signum: int, code: int, name: str, workers: int
) -> None:
    done = _interrupt_mid_run(tmp_path, signum, workers=workers)
    assert done.returncode == code
    assert done.stderr.splitlines() == [
        f"newsdesk: interrupted by {name}; nothing of this run was committed"
    ]
    assert "Traceback" not in done.stderr
    assert _documents(tmp_path / "w") == 0
    assert not list((tmp_path / "w").glob(".newsdesk/snapshots/.building-*"))
    assert not list((tmp_path / "w").glob(".newsdesk/staging/*"))  # the run's rows are gone


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_signal_marks_the_prefect_run_crashed(tmp_path: Path, workers: int) -> None:
    (tmp_path / "server").mkdir()
    with prefect_server(tmp_path / "server") as api:
        env = {"PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "client-home")}
        done = _interrupt_mid_run(tmp_path, signal.SIGTERM, env, workers=workers)
        assert done.returncode == 143
        assert done.stderr.strip().splitlines()[-1] == (
            "newsdesk: interrupted by SIGTERM; nothing of this run was committed"
        )
        assert "Traceback" not in done.stderr
        request = urllib.request.Request(
            f"{api}/flow_runs/filter",
            data=json.dumps({"limit": 5}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            runs = json.loads(response.read())
        assert [r["state_type"] for r in runs] in (["CRASHED"], ["CANCELLED"])
    assert _documents(tmp_path / "w") == 0


def test_a_signal_at_the_commit_point_waits_for_the_commit(tmp_path: Path) -> None:
    """SIGTERM while the index is written: the commit finishes, then the run is interrupted,
    and says it had committed."""
    from flows.store import index as index_module

    real = index_module.Index.record

    def record_then_signal(self: index_module.Index, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the commit point
        real(self, **kwargs)  # type: ignore[arg-type]

    index_module.Index.record = record_then_signal  # type: ignore[method-assign]
    try:
        with interrupts.handled(), pytest.raises(Interrupted) as caught:
            commit(tmp_path, make_tables(["a"]), run_id="r1", partition=DAY)
    finally:
        index_module.Index.record = real  # type: ignore[method-assign]
    assert caught.value.committed
    assert caught.value.exit_code == 143
    assert counts_duckdb(tmp_path)["documents"] == 1


def _signal_and_wait(signum: int) -> None:
    os.kill(os.getpid(), signum)
    for _ in range(1000):  # the handler runs between bytecodes, within this loop
        time.sleep(0.001)


def test_outside_the_commit_point_a_signal_interrupts_at_once() -> None:
    before = signal.getsignal(signal.SIGINT)  # default, or ignored under nohup
    with interrupts.handled(), pytest.raises(Interrupted) as caught:
        _signal_and_wait(signal.SIGINT)
    assert not caught.value.committed
    assert caught.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) == before  # restored
