"""Where benchmarks read and write, and how a path is recorded in their results (repo-relative)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def repo_relative(path: Path) -> str:
    """`path` relative to the repository root, in POSIX form, for results files.

    Committed results must not carry one machine's absolute paths: a path inside the repository
    becomes `seeds`, a sibling checkout's corpus `../shared/corpus/aeb-dev`, whatever the
    current directory was when the benchmark ran.
    """
    return Path(os.path.relpath(path.resolve(), ROOT)).as_posix()


def save_results(path: Path, result: Any) -> str:
    """Write a benchmark's figures to `path` as indented JSON (its folder made if missing); the
    path as results record it (repo_relative)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return repo_relative(path)
