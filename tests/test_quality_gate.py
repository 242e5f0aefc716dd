"""Quality gate: the whole pipeline on the shared dev corpora, scored by the independent scorer.

Skipped (with the reason shown) where ../shared is not beside the checkout; CI always has it.
The floors in quality_floors.json only go up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

SHARED = ROOT.parent / "shared"
CORPORA = ("aeb", "polnear", "conll", "seed")
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf-8"))
EXTRA = {"polnear": ["--kinds", "direct,partial"]}

pytestmark = pytest.mark.skipif(
    not (SHARED / "eval" / "score.py").exists(), reason="../shared/eval is not beside the checkout"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run over every dev corpus (the scorer matches documents by file name)."""
    root = tmp_path_factory.mktemp("gate") / "w"
    inputs = [str(SHARED / "corpus" / f"{name}-dev" / "inputs") for name in CORPORA]
    proc = run_cli("ingest", *inputs, "--warehouse", str(root), "-q")
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.mark.parametrize("corpus", CORPORA)
def test_scores_stay_above_their_floors(warehouse: Path, corpus: str, tmp_path: Path) -> None:
    out = tmp_path / "score.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "score.py"),
            "--task",
            corpus,
            "--gold",
            str(SHARED / "corpus" / f"{corpus}-dev" / "gold.json"),
            "--warehouse",
            str(warehouse),
            "--json",
            str(out),
            *EXTRA.get(corpus, []),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    scores = dict(part.split("=", 1) for part in last.split(": ", 1)[1].split())
    for metric, floor in FLOORS[corpus].items():
        assert float(scores[metric]) >= floor, f"{corpus} {metric} {scores[metric]} < {floor}"
