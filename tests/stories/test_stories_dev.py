"""stories-dev through the CLI, in one run and split over five runs, scored by score.py."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli
from tests.quality_gate import SCORER, SHARED, ci_enabled

CORPUS = SHARED / "corpus" / "stories-dev"
# The acceptance floors, for pairs of documents in the same story.
PAIR_PRECISION = 0.98
PAIR_RECALL = 0.95
RUNS = 5
SEED = 14


def _inputs() -> list[Path]:
    if not (CORPUS / "gold.json").is_file() or not (SHARED / SCORER).is_file():
        reason = f"needs {CORPUS} and {SHARED / SCORER}"
        if ci_enabled(os.environ):
            pytest.fail(f"{reason} (CI is set)")
        pytest.skip(reason)
    return sorted((CORPUS / "inputs").iterdir())


def _ingest(warehouse: Path, paths: list[Path]) -> None:
    done = run_cli(
        "ingest", *map(str, paths), "--warehouse", str(warehouse),
        "--no-entities", "--no-quotes", "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _score(warehouse: Path, out: Path) -> dict[str, float]:
    cmd = [sys.executable, str(SHARED / SCORER), "--task", "stories"]
    cmd += ["--gold", str(CORPUS / "gold.json"), "--warehouse", str(warehouse)]
    cmd += ["--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    metrics: dict[str, float] = json.loads(out.read_text(encoding="utf-8"))["metrics"]
    return metrics


@pytest.mark.slow
def test_one_run_and_five_runs_in_random_order_group_the_copies(tmp_path: Path) -> None:
    paths = _inputs()
    _ingest(tmp_path / "one", paths)
    one = _score(tmp_path / "one", tmp_path / "one.json")
    assert one["pair_p"] >= PAIR_PRECISION, one
    assert one["pair_r"] >= PAIR_RECALL, one

    shuffled = list(paths)
    random.Random(SEED).shuffle(shuffled)
    for run in range(RUNS):
        _ingest(tmp_path / "five", shuffled[run::RUNS])
    five = _score(tmp_path / "five", tmp_path / "five.json")
    assert five["pair_p"] >= PAIR_PRECISION, five
    assert five["pair_r"] >= PAIR_RECALL, five
    # Every input became one document in both warehouses: nothing lost or doubled.
    for name in ("one", "five"):
        glob = tmp_path / name / "documents" / "**" / "*.parquet"
        count = (
            duckdb.connect()
            .execute(f"select count(distinct doc_id), count(*) from '{glob}'")
            .fetchall()
        )
        assert count == [(len(paths), len(paths))]
